"""Server settings from ``MAXDP_*`` environment variables (pydantic-settings).

>>> s = Settings(data_dir="/tmp/maxdp-doc", secret_key="x" * 32)
>>> s.database_url
'sqlite+aiosqlite:////tmp/maxdp-doc/maxdp.sqlite'
>>> Settings(database_url="postgresql://u@db/maxdp").database_url
'postgresql+asyncpg://u@db/maxdp'
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "database_kind", "ensure_secret_key"]

log = logging.getLogger("maxdp.server")

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name)
MIN_SECRET_LENGTH = 32

# Plain driver names a person types, mapped to the async drivers the server uses.
_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


class Settings(BaseSettings):
    """Everything the server reads from its environment. Every field is ``MAXDP_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="MAXDP_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Server files: the SQLite database, the secret key, files file nodes use.",
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; default a SQLite file in the data directory."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Signs tokens. Generated into DATA_DIR/secret_key when unset."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)
    log_level: str = "info"
    admin_email: str | None = Field(default=None, description="First admin, created on start.")
    admin_password: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    login_rate_limit: int = Field(default=10, ge=1, description="Login attempts per window per IP.")
    login_rate_window_seconds: int = Field(default=60, ge=1)
    run_retention_days: int = Field(default=30, ge=0, description="0 keeps runs forever.")
    run_retention_per_flow: int = Field(default=500, ge=0, description="0 keeps every run.")
    retention_interval_minutes: int = Field(default=60, ge=0, description="0 disables cleanup.")
    run_timeout_seconds: float | None = Field(default=None, gt=0)
    preview_timeout_seconds: float = Field(default=60, gt=0)
    run_output_rows: int = Field(default=1000, ge=0, description="Rows per output in run answers.")
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    cors_origins: list[str] = Field(default_factory=list)
    # Argon2id cost. The defaults are RFC 9106's low-memory profile (argon2-cffi's default).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'maxdp.sqlite'}"
        self.database_url = _async_url(self.database_url)
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("argon2_memory_kib must be at least 8 x argon2_parallelism")
        key = self.secret_key
        if key is not None and len(key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"secret_key must be at least {MIN_SECRET_LENGTH} characters")
        return self

    @property
    def database_kind(self) -> str:
        return database_kind(self.database_url)


def _async_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"database_url {url.split('@')[-1]!r} is not a URL (driver://...)")
    if scheme in _SCHEMES:
        return f"{_SCHEMES[scheme]}://{rest}"
    return url


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql`` (the dialect name, without the driver)."""
    return url.partition("://")[0].partition("+")[0]


def ensure_secret_key(settings: Settings) -> str:
    """The token signing key: MAXDP_SECRET_KEY, else DATA_DIR/secret_key (created 0600 once)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / SECRET_KEY_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if path.stat().st_mode & 0o077:
            log.warning("%s is readable by other users; chmod 600 it", path)
        if len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"{path} holds a key shorter than {MIN_SECRET_LENGTH} characters"
            ) from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    log.info("generated a new secret key in %s", path)
    return key
