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

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
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


def _env(name: str) -> AliasChoices:
    """The field name (keyword use), then NAME and MAXDP_NAME in the environment."""
    return AliasChoices(name, name.upper(), f"MAXDP_{name.upper()}")


class Settings(BaseSettings):
    """Everything the server reads from its environment. Every field is ``MAXDP_<NAME>``; the
    executor-cache settings also answer to their design names without the prefix."""

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
    # Published endpoints (/execute). The first three names come without the MAXDP_ prefix in
    # the design; both spellings work.
    max_active_apis: int = Field(
        default=50,
        ge=1,
        description="Executors cached per process (least recently used evicted first).",
        validation_alias=_env("max_active_apis"),
    )
    api_inactive_ttl_hours: float = Field(
        default=2, gt=0, validation_alias=_env("api_inactive_ttl_hours")
    )
    worker_cleanup_interval_minutes: float = Field(
        default=30, gt=0, validation_alias=_env("worker_cleanup_interval_minutes")
    )
    redis_url: str | None = Field(
        default=None, description="Shares /execute rate limits across processes when set."
    )
    redis_prefix: str = Field(default="maxdp:", description="Prefix of every Redis key.")
    endpoint_refresh_seconds: float = Field(
        default=2.0, gt=0, description="How soon other processes' publish/key changes show."
    )
    execute_timeout_seconds: float = Field(default=60, gt=0)
    execute_result_ttl_seconds: float = Field(default=600, gt=0)
    execute_result_shared_max_mb: float = Field(
        default=64,
        ge=0,
        description="Async results up to this size are stored for polls that reach another "
        "server process; larger ones only the process that ran them answers. 0: none.",
    )
    run_record_interval_seconds: float = Field(default=1.0, gt=0)
    run_record_batch_size: int = Field(default=500, ge=1)
    run_heartbeat_seconds: float = Field(default=15, gt=0)
    run_crash_after_seconds: float = Field(default=60, gt=0)
    # Code nodes (run_python_script, apply_function): one sandbox pool per process. The maxima
    # cap every node's own limits (and are the workers' kernel limits).
    code_nodes_enabled: bool = Field(default=True, description="false refuses code nodes.")
    sandbox_workers: int = Field(default=2, ge=1, le=64)
    sandbox_prestart: bool = Field(
        default=False, description="Start the workers with the server, not at the first code run."
    )
    sandbox_max_cpu_seconds: float = Field(default=30, gt=0, le=3600)
    sandbox_max_memory_mb: int = Field(default=1024, ge=32)
    sandbox_max_wall_seconds: float = Field(default=60, gt=0, le=3600)
    sandbox_max_output_rows: int = Field(default=1_000_000, ge=0)
    sandbox_runs_per_worker: int = Field(default=100, ge=1)
    sandbox_shared_memory_mb: int = Field(
        default=256, ge=0, description="Shared memory per sandbox worker; 0 = pipes only."
    )
    # Message-automation nodes: outbound HTTP and email (SMTP is off unless smtp_host is set).
    http_allow_private: bool = Field(
        default=False, description="Let HTTP nodes reach private, loopback, link-local hosts."
    )
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = Field(default=True, description="STARTTLS after connecting.")
    smtp_use_ssl: bool = Field(default=False, description="TLS from the first byte (465).")
    smtp_ca_file: str | None = None
    smtp_sender: str | None = Field(default=None, description="From address; needed with host.")
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=300)
    # Schedules: every process may compete for the lease; the holder alone fires them.
    scheduler: bool = Field(
        default=True, description="MAXDP_SCHEDULER=off: this process never fires schedules."
    )
    scheduler_lease_ttl_seconds: float = Field(
        default=30, gt=0, description="A dead scheduler's lease is taken over after this."
    )
    scheduler_lease_renew_seconds: float = Field(default=10, gt=0)
    scheduler_poll_seconds: float = Field(default=1.0, gt=0, description="Due-fire check period.")
    scheduler_misfire_grace_seconds: float = Field(
        default=60, ge=0, description="Older fires count as missed (misfire policy)."
    )

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
        if self.scheduler_lease_renew_seconds >= self.scheduler_lease_ttl_seconds:
            raise ValueError("scheduler_lease_renew_seconds must be below the lease ttl")
        key = self.secret_key
        if key is not None and len(key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"secret_key must be at least {MIN_SECRET_LENGTH} characters")
        if self.smtp_host and not self.smtp_sender:
            raise ValueError("smtp_sender (the From address) is required when smtp_host is set")
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
