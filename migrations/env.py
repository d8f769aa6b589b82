"""Alembic environment for MAX DP: async engines, SQLite batch mode, the app's metadata.

The URL comes from ``config.attributes["database_url"]`` (set by ``max_dp_server.migrate``),
else from ``MAXDP_DATABASE_URL`` through the server settings.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import max_dp_server.models  # noqa: F401  (fills Base.metadata for autogenerate)
from max_dp_server.db import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from max_dp_server.config import Settings

    return Settings().database_url


def _configure(**kwargs: object) -> None:
    url = kwargs.get("url")
    dialect = kwargs["connection"].dialect.name if "connection" in kwargs else str(url)
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=str(dialect).startswith("sqlite"),
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


# Held while migrating, so server processes starting together on one PostgreSQL database
# migrate one after the other instead of racing (the later ones then find nothing to do).
ADVISORY_LOCK_KEY = 0x6D61_7864_7000  # "maxdp"


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
        context.run_migrations()


async def _run_async() -> None:
    # Foreign keys stay off here (no app pragmas): batch mode drops and recreates tables.
    engine = create_async_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async())
        return
    # Called from async code (a test, an app migrating itself): use a loop of our own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _run_async()).result()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
