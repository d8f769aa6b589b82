"""Settings: environment, defaults, URL normalisation, the generated secret key."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

import max_dp_server
from max_dp_server.config import Settings, ensure_secret_key


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if (
            name.startswith("MAXDP_")
            and not name.startswith("MAXDP_TEST_")
            and name != "MAXDP_REQUIRE_DB_TESTS"
        ):
            monkeypatch.delenv(name)


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert (s.host, s.port) == ("127.0.0.1", 8001)
    assert s.data_dir == tmp_path / "data"
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'maxdp.sqlite'}"
    assert s.database_kind == "sqlite"


def test_environment_with_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAXDP_PORT", "9000")
    monkeypatch.setenv("MAXDP_DATABASE_URL", "postgres://u:p@db:5432/maxdp")
    monkeypatch.setenv("MAXDP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAXDP_CORS_ORIGINS", '["http://localhost:5173"]')
    s = Settings()
    assert s.port == 9000
    assert s.database_url == "postgresql+asyncpg://u:p@db:5432/maxdp"
    assert s.database_kind == "postgresql"
    assert s.cors_origins == ["http://localhost:5173"]


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="secret_key must be at least 32"):
        Settings(secret_key="short")
    with pytest.raises(ValidationError, match="not a URL"):
        Settings(database_url="maxdp.sqlite")
    with pytest.raises(ValidationError):
        Settings(port=0)


def test_secret_key_is_generated_once_with_mode_600(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "d")
    key = ensure_secret_key(s)
    path = tmp_path / "d" / "secret_key"
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secret_key(s) == key  # read back, not regenerated
    assert ensure_secret_key(Settings(data_dir=tmp_path / "d", secret_key="k" * 40)) == "k" * 40


def test_too_short_stored_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("tiny")
    with pytest.raises(ValueError, match="shorter than 32"):
        ensure_secret_key(Settings(data_dir=tmp_path))


def test_the_server_doctests_pass() -> None:
    # pytest collects doctests under nodes/ only; the server's examples run here.
    failures = attempted = 0
    for info in pkgutil.walk_packages(max_dp_server.__path__, "max_dp_server."):
        if info.name.endswith("__main__"):
            continue  # running it is running the command
        module = importlib.import_module(info.name)
        result = doctest.testmod(
            module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
        failures += result.failed
        attempted += result.attempted
    assert failures == 0
    assert attempted >= 10  # the examples in config, security, ratelimit, events, diff ...
