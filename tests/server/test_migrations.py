"""The Alembic migrations on SQLite and PostgreSQL: round trip, and agreement with the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from max_dp_server import migrate
from max_dp_server.db import Base

TABLES = {
    "users",
    "groups",
    "roles",
    "user_groups",
    "maxdp_workspaces",
    "maxdp_workspace_members",
    "maxdp_flows",
    "maxdp_flow_versions",
    "maxdp_runs",
    "maxdp_node_runs",
    "maxdp_refresh_tokens",
    "maxdp_published_endpoints",
    "maxdp_api_keys",
    "maxdp_schedules",
    "maxdp_schedule_fires",
    "maxdp_scheduler_lease",
    "maxdp_connections",
    "maxdp_table_mappings",
    "maxdp_message_templates",
}


def _inspect(url: str) -> tuple[set[str], list[str], list[object]]:
    async def run() -> tuple[set[str], list[str], list[object]]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
                roles: list[str] = []
                diff: list[object] = []
                if "roles" in tables:
                    roles = list(
                        (await conn.execute(text("SELECT name FROM roles ORDER BY rank"))).scalars()
                    )
                    diff = await conn.run_sync(
                        lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
                    )
                return tables, roles, diff
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    tables, roles, _ = _inspect(empty_database)
    assert tables >= TABLES
    assert roles == ["viewer", "editor", "admin"]
    assert migrate.current(empty_database) == migrate.head()

    migrate.downgrade(empty_database, "base")
    tables, _, _ = _inspect(empty_database)
    assert tables & TABLES == set()
    assert migrate.current(empty_database) is None

    migrate.upgrade(empty_database)
    tables, roles, _ = _inspect(empty_database)
    assert tables >= TABLES and roles == ["viewer", "editor", "admin"]


def test_models_match_the_migrations(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    _, _, diff = _inspect(empty_database)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_upgrade_is_idempotent(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    migrate.upgrade(empty_database)
    assert migrate.current(empty_database) == migrate.head()


def test_concurrent_upgrades_on_postgresql_do_not_race(fresh_postgres_database: str) -> None:
    """Two server processes starting on one empty database: both succeed, one migrates."""
    import subprocess
    import sys

    script = "import sys; from max_dp_server import migrate; migrate.upgrade(sys.argv[1])"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, fresh_postgres_database],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert migrate.current(fresh_postgres_database) == migrate.head()
