"""The server's commands in ``maxdp``: db upgrade|downgrade|current, users create, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from max_dp_server import cli, migrate


@pytest.fixture
def env(empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("MAXDP_ADMIN_EMAIL", "MAXDP_ADMIN_PASSWORD", "MAXDP_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "MAXDP_DATABASE_URL": empty_database,
        "MAXDP_DATA_DIR": str(tmp_path / "data"),
        "MAXDP_ARGON2_TIME_COST": "1",
        "MAXDP_ARGON2_MEMORY_KIB": "8",
        "MAXDP_ARGON2_PARALLELISM": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli.build_app(), list(args), input=input)


def test_db_commands(env: dict[str, str]) -> None:
    r = invoke("db", "current")
    assert r.exit_code == 0 and "none (empty database)" in r.output
    r = invoke("db", "upgrade")
    assert r.exit_code == 0, r.output
    assert f"database at {migrate.head()}" in r.output
    r = invoke("db", "downgrade", "base")
    assert r.exit_code == 0 and "base (empty)" in r.output
    assert migrate.current(env["MAXDP_DATABASE_URL"]) is None


def test_users_create(env: dict[str, str]) -> None:
    r = invoke(
        "users",
        "create",
        "--email",
        "Ops@Example.com",
        "--password-stdin",
        "--admin",
        input="s3cret-pass\n",
    )
    assert r.exit_code == 0, r.output
    assert "created administrator ops@example.com" in r.output
    assert "s3cret-pass" not in r.output
    r = invoke("users", "create", "--email", "ops@example.com", "--password", "another-pass")
    assert r.exit_code == 1
    assert "already exists" in r.output
    r = invoke("users", "create", "--email", "x@example.com", "--password", "short")
    assert r.exit_code == 1 and "password" in r.output and "8 characters" in r.output


def test_serve_migrates_creates_the_admin_once_and_starts(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append({"app": app, **kw}))
    r = invoke("serve", "--port", "8123")
    assert r.exit_code == 0, r.output
    assert "Created the first administrator: admin@localhost" in r.output
    password = r.output.split("password: ", 1)[1].split()[0]
    assert len(password) >= 12
    assert started[0]["host"] == "127.0.0.1" and started[0]["port"] == 8123
    assert migrate.current(env["MAXDP_DATABASE_URL"]) == migrate.head()

    # A second start creates nobody and prints no password.
    r = invoke("serve")
    assert "Created" not in r.output and "password" not in r.output
    assert started[1]["port"] == 8001


def test_serve_uses_the_configured_admin(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setenv("MAXDP_ADMIN_EMAIL", "boss@example.com")
    monkeypatch.setenv("MAXDP_ADMIN_PASSWORD", "configured-pass")
    r = invoke("serve")
    assert r.exit_code == 0, r.output
    assert "Created the first administrator: boss@example.com" in r.output
    assert "configured-pass" not in r.output and "password:" not in r.output


def test_bad_settings_fail_in_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAXDP_PORT", "eighty")
    r = invoke("db", "current")
    assert r.exit_code == 1
    assert r.output.strip().startswith("error: MAXDP_PORT:")


def test_unreachable_database_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAXDP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAXDP_DATABASE_URL", "postgresql://u:topsecret@127.0.0.1:1/x")
    r = invoke("db", "upgrade")
    assert r.exit_code == 1
    assert "cannot use the postgresql database" in r.output
    assert "topsecret" not in r.output and "Traceback" not in r.output


def test_the_app_has_the_engine_and_server_commands() -> None:
    app = cli.build_app()
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert {"serve", "db", "users", "run"} <= names
