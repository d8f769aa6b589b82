"""The ``maxdp`` command: the engine's commands (run, validate, nodes) plus the server's
(serve, db upgrade|downgrade|current, users create).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from flows.errors import MaxDPError
from max_dp_server import migrate
from max_dp_server.config import Settings

__all__ = ["build_app", "main"]


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper()
        _fail(f"MAXDP_{field}: {first['msg']}" if field else first["msg"])


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@contextlib.contextmanager
def _database_errors(settings: Settings) -> Iterator[None]:
    """One line instead of a trace when the database cannot be reached; never the URL."""
    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        _fail(f"cannot use the {settings.database_kind} database: {reason}")
    except OSError as exc:
        _fail(f"cannot use the {settings.database_kind} database: {exc}")


def _upgrade(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _database_errors(settings):
        migrate.upgrade(settings.database_url)


# Serialises first-admin creation across processes starting together (PostgreSQL).
LOCK_KEY = 0x6D61_7864_7001


async def _first_admin(settings: Settings) -> tuple[str, str | None] | None:
    from max_dp_server.auth.security import Passwords
    from max_dp_server.db import create_engine, create_sessionmaker
    from max_dp_server.users.service import ensure_first_admin

    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            if engine.dialect.name == "postgresql":
                # Several processes starting on one empty database: one creates the admin,
                # the others wait here, then find it.
                await session.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
                )
            password = (
                settings.admin_password.get_secret_value() if settings.admin_password else None
            )
            created = await ensure_first_admin(
                session, Passwords(settings), settings.admin_email, password
            )
    finally:
        await engine.dispose()
    return (created[0].email, created[1]) if created else None


def serve(
    host: Annotated[str | None, typer.Option(help="Default MAXDP_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default MAXDP_PORT (8001).")] = None,
) -> None:
    """Upgrade the database, create the first admin if there is none, and serve the API."""
    import uvicorn

    from max_dp_server.app import create_app

    settings = _settings()
    _upgrade(settings)
    try:
        with _database_errors(settings):
            created = asyncio.run(_first_admin(settings))
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"MAXDP_ADMIN_{str(first['loc'][0]).upper()}: {first['msg']}")
    if created:
        email, generated = created
        typer.echo(f"Created the first administrator: {email}")
        if generated:
            # Shown once, on the terminal only; it is never logged or stored in clear.
            typer.echo(f"  password: {generated}")
            typer.echo("  (shown only now; change it with POST /api/v1/users/me/password)")
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"MAX DP on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level)


def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _database_errors(settings):
        migrate.upgrade(settings.database_url, revision)
        typer.echo(f"database at {migrate.current(settings.database_url)}")


def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")] = "-1") -> None:
    """Revert migrations down to REVISION (default: one step)."""
    settings = _settings()
    with _database_errors(settings):
        migrate.downgrade(settings.database_url, revision)
        typer.echo(f"database at {migrate.current(settings.database_url) or 'base (empty)'}")


def db_current() -> None:
    """Print the database's migration revision and the newest one available."""
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _database_errors(settings):
        current = migrate.current(settings.database_url)
    typer.echo(f"current: {current or 'none (empty database)'}\nhead:    {migrate.head()}")


def users_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    password: Annotated[
        str | None, typer.Option(help="Prompted for when omitted (or use --password-stdin).")
    ] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    admin: Annotated[
        bool, typer.Option("--admin/--no-admin", help="Server administrator.")
    ] = False,
    full_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user (for scripts and first setup). Upgrades the database first."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()
    _upgrade(settings)
    try:
        with _database_errors(settings):
            asyncio.run(_create_user(settings, email, password, admin, full_name))
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"{first['loc'][0]}: {first['msg']}")
    except MaxDPError as exc:
        _fail(exc.message)
    typer.echo(f"created {'administrator' if admin else 'user'} {email.strip().lower()}")


async def _create_user(
    settings: Settings, email: str, password: str, admin: bool, full_name: str
) -> None:
    from max_dp_server.auth.security import Passwords
    from max_dp_server.db import create_engine, create_sessionmaker
    from max_dp_server.users.schemas import UserCreate
    from max_dp_server.users.service import create_user

    data = UserCreate(email=email, password=password, is_admin=admin, full_name=full_name)
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await create_user(session, Passwords(settings), data)
    finally:
        await engine.dispose()


def build_app() -> typer.Typer:
    """A new ``maxdp`` app (built per call, so nothing is registered at import time)."""
    app = typer.Typer(name="maxdp", no_args_is_help=True, help="MAX DP: data pipelines.")
    try:
        from flows.cli import register
    except ImportError as exc:
        # The engine's commands are optional for the server; say why they are missing.
        reason = str(exc)

        def engine_missing() -> None:
            """Engine commands unavailable (flows.cli could not be imported)."""
            _fail(f"the engine commands (run, validate, nodes) are unavailable: {reason}")

        app.command("run")(engine_missing)
    else:
        register(app)
    app.command("serve")(serve)
    db = typer.Typer(help="Database migrations.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    db.command("downgrade")(db_downgrade)
    db.command("current")(db_current)
    app.add_typer(db, name="db")
    users = typer.Typer(help="User accounts.", no_args_is_help=True)
    users.command("create")(users_create)
    app.add_typer(users, name="users")
    return app


def main() -> None:
    build_app()()
