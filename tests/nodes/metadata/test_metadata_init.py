"""metadata_init against real PostgreSQL: the catalog matches the guide (seeds/001), the guide's
own checks hold, a second run changes nothing, and the project row is inserted or updated."""

from __future__ import annotations

import json

import asyncpg
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.metadata.metadata_init import MetadataInit
from tests.nodes.metadata.guide import (
    GUIDE_ENUMS,
    GUIDE_TABLE_COMMENTS,
    PROJECT,
    expected_columns,
    expected_constraints,
    expected_indexes,
    first_run_frame,
)
from tests.nodes.metadata.metakit import catalog, pg_fetch, pg_script, run


async def test_objects_match_the_guide(env):
    out = await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "project": PROJECT}), env.ctx()
    )
    assert_frame_equal(out, first_run_frame(env.meta))

    cat = await catalog(env.url, env.meta)
    got: dict[str, list[tuple]] = {}
    for c in cat["columns"]:
        got.setdefault(c["table"], []).append((c["column"], c["type"], c["not_null"], c["default"]))
    assert got == expected_columns(env.meta)

    constraints = {(c["table"], c["type"], c["definition"]) for c in cat["constraints"]}
    assert constraints == expected_constraints(env.meta)
    indexes = {(i["indexname"], i["indexdef"].split(" ", 3)[3]) for i in cat["indexes"]}
    assert {i for i in indexes if i[0].startswith("idx_")} == expected_indexes(env.meta)
    assert {e["name"]: e["labels"] for e in cat["enums"]} == GUIDE_ENUMS
    assert {t["table"]: t["comment"] for t in cat["tables"]} == GUIDE_TABLE_COMMENTS
    fn = f"{env.meta}.update_updated_at_column()"
    assert {(t["table"], t["definition"]) for t in cat["triggers"]} == {
        (
            t,
            f"CREATE TRIGGER trigger_{t}_updated_at BEFORE UPDATE ON {env.meta}.{t} "
            f"FOR EACH ROW EXECUTE FUNCTION {fn}",
        )
        for t in ("mappings_table", "mappings_column", "project")
    }
    schema_comment = await pg_fetch(
        env.url,
        "SELECT obj_description(oid, 'pg_namespace') AS c FROM pg_namespace WHERE nspname = $1",
        env.meta,
    )
    assert schema_comment == [{"c": "메타데이터 기반 개발 시스템의 메타데이터 저장소"}]
    example = await pg_fetch(
        env.url,
        "SELECT col_description(attrelid, attnum) AS c FROM pg_attribute "
        "WHERE attrelid = $1::regclass AND attname = 'pg_constraints'",
        f"{env.meta}.mappings_column",
    )
    assert example == [
        {
            "c": '예: {"notNull": true, "default": "ACTIVE", '
            "\"check\": \"status IN ('ACTIVE', 'INACTIVE')\"}"
        }
    ]


async def test_second_run_changes_nothing_and_says_so(env):
    node = MetadataInit("i", {"connection": "pg", "schema": env.meta, "project": PROJECT})
    await run(node, env.ctx())
    before = await catalog(env.url, env.meta)
    row_before = await pg_fetch(env.url, f'SELECT * FROM "{env.meta}".project')
    out = await run(node, env.ctx())
    expected = first_run_frame(env.meta).assign(action="exists")
    assert_frame_equal(out, expected)
    assert await catalog(env.url, env.meta) == before
    assert await pg_fetch(env.url, f'SELECT * FROM "{env.meta}".project') == row_before
    log = await pg_fetch(env.url, f'SELECT operation FROM "{env.meta}".metadata_sync_log')
    assert log == [{"operation": "INSERT"}]  # the project row, once


async def test_project_row_is_inserted_then_updated(env):
    first = {**PROJECT, "template": "ECOMMERCE", "tech_stack": {"backend": "MAX DP"}}
    await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "project": first}), env.ctx()
    )
    row = (await pg_fetch(env.url, f'SELECT * FROM "{env.meta}".project'))[0]
    assert (row["id"], row["project_id"], row["template"], row["status"]) == (
        1,
        "shop",
        "ECOMMERCE",
        "PLANNING",
    )
    assert row["backend_path"] == "./backend"  # the guide's default, not set by the flow

    changed = {**PROJECT, "project_name": "Shop 2", "status": "PRODUCTION"}
    out = await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "project": changed}), env.ctx()
    )
    assert out.iloc[-1].tolist() == [f"{env.meta}.project[id=1]", "row", "updated"]
    row2 = (await pg_fetch(env.url, f'SELECT * FROM "{env.meta}".project'))[0]
    assert (row2["project_name"], row2["status"], row2["template"]) == (
        "Shop 2",
        "PRODUCTION",
        "ECOMMERCE",
    )  # unset fields keep their value
    assert row2["updated_at"] > row["updated_at"]  # the guide's trigger
    log = await pg_fetch(
        env.url,
        f'SELECT operation, old_data, new_data FROM "{env.meta}".metadata_sync_log ORDER BY id',
    )
    assert [e["operation"] for e in log] == ["INSERT", "UPDATE"]
    old, new = json.loads(log[1]["old_data"]), json.loads(log[1]["new_data"])
    assert (old["project_name"], new["project_name"]) == ("Shop", "Shop 2")
    assert (old["status"], new["status"]) == ("PLANNING", "PRODUCTION")


async def test_guide_checks_single_project_cascade_and_trigger(env):
    await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "project": PROJECT}), env.ctx()
    )
    s = f'"{env.meta}"'
    # Single project row: id must be 1, and only one row can have it.
    with pytest.raises(asyncpg.CheckViolationError, match="single_project"):
        await pg_script(
            env.url,
            f"INSERT INTO {s}.project (id, project_id, project_name, "
            "root_path) VALUES (2, 'x', 'X', '/x')",
        )
    with pytest.raises(asyncpg.UniqueViolationError):
        await pg_script(
            env.url,
            f"INSERT INTO {s}.project (id, project_id, project_name, "
            "root_path) VALUES (1, 'x', 'X', '/x')",
        )
    # The guide's sample rows, then the cascade from mappings_table to mappings_column.
    await pg_script(
        env.url,
        f"""
        INSERT INTO {s}.mappings_table (schema_name, table_name, graphql_type, label,
            description, updated_at)
        VALUES ('public', 'test_table', 'Test', '테스트', 'x', '2000-01-01');
        INSERT INTO {s}.mappings_column (table_id, schema_name, table_name, pg_column, pg_type,
            graphql_field, graphql_type, label, updated_at)
        VALUES ((SELECT id FROM {s}.mappings_table WHERE table_name = 'test_table'),
            'public', 'test_table', 'name', 'VARCHAR(100)', 'name', 'String', '이름',
            '2000-01-01');""",
    )
    count = f"SELECT count(*) AS n FROM {s}.mappings_column WHERE table_name = 'test_table'"
    assert await pg_fetch(env.url, count) == [{"n": 1}]
    # updated_at trigger: an UPDATE moves it from the year 2000 to now.
    await pg_script(
        env.url,
        f"UPDATE {s}.mappings_table SET label = '테스트2'; "
        f"UPDATE {s}.mappings_column SET label = '이름2'",
    )
    for table in ("mappings_table", "mappings_column"):
        stamps = await pg_fetch(
            env.url,
            f"SELECT updated_at > now() - interval '1 hour' AS fresh,"
            f" created_at <= now() AS ok FROM {s}.{table}",
        )
        assert stamps == [{"fresh": True, "ok": True}]
    await pg_script(env.url, f"DELETE FROM {s}.mappings_table WHERE table_name = 'test_table'")
    assert await pg_fetch(env.url, count) == [{"n": 0}]


async def test_without_project_and_extensions(env):
    out = await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "extensions": False}), env.ctx()
    )
    expected = first_run_frame(env.meta, project=False).iloc[2:].reset_index(drop=True)
    assert_frame_equal(out, expected)
    assert await pg_fetch(env.url, f'SELECT count(*) AS n FROM "{env.meta}".project') == [{"n": 0}]


async def test_refuses_mysql_connections(my_env):
    node = MetadataInit("i", {"connection": "my", "schema": my_env.meta})
    with pytest.raises(
        NodeError,
        match=r"^connection: metadata_init needs a PostgreSQL "
        r"connection, and 'my' is a mysql connection",
    ):
        await run(node, my_env.ctx())


async def test_refuses_a_schema_holding_other_tables(env):
    await pg_script(
        env.url,
        f'CREATE SCHEMA "{env.meta}"; CREATE TABLE "{env.meta}".project (id int, name text)',
    )
    node = MetadataInit("i", {"connection": "pg", "schema": env.meta})
    with pytest.raises(
        NodeError,
        match=rf"^schema: '{env.meta}' already has tables that differ "
        r"from the metadata guide \(project lacks project_id, ",
    ):
        await run(node, env.ctx())
    # All or nothing: the failed run created none of the guide's objects.
    tables = await catalog(env.url, env.meta)
    assert [t["table"] for t in tables["tables"]] == ["project"]
    assert tables["enums"] == []


def test_bad_config_names_the_field():
    from flows.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^project.root_path: Field required"):
        MetadataInit("i", {"connection": "pg", "project": {"project_id": "a", "project_name": "b"}})
    with pytest.raises(ConfigError, match=r"^project.status: Input should be 'PLANNING'"):
        MetadataInit("i", {"connection": "pg", "project": {**PROJECT, "status": "LIVE"}})
    with pytest.raises(NodeError, match=r"^schema: a name is required"):
        MetadataInit("i", {"connection": "pg", "schema": " "})
