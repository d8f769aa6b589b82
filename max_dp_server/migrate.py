"""Run the Alembic migrations from code (``maxdp serve``, ``maxdp db``, the tests).

The URL travels in ``Config.attributes``, never through the ini parser, so a password with
``%`` in it needs no escaping and is never written anywhere.
"""

from __future__ import annotations

import asyncio
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from flows.errors import MaxDPError

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "downgrade", "upgrade"]


def _migrations_dir() -> Path:
    """The source checkout's ``migrations/``, else where an installed wheel put it
    (``share/max-dp/migrations`` under the environment, see pyproject.toml)."""
    checkout = Path(__file__).resolve().parent.parent / "migrations"
    installed = Path(sysconfig.get_path("data")) / "share" / "max-dp" / "migrations"
    return installed if not checkout.is_dir() and installed.is_dir() else checkout


MIGRATIONS_DIR = _migrations_dir()


def alembic_config(database_url: str) -> Config:
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise MaxDPError(
            f"the migrations directory {MIGRATIONS_DIR} is missing: reinstall max-dp, or run "
            "from a source checkout (pip install -e .)"
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""

    async def read() -> str | None:
        engine = create_async_engine(database_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(read())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
