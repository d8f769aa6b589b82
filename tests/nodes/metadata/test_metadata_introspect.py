"""metadata_introspect on the sample shop, from PostgreSQL and from MariaDB: the tables,
columns, keys and relations it records, re-runs that keep hand edits, and the sync log."""

from __future__ import annotations

import graphql
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.metadata.metadata_init import MetadataInit
from nodes.metadata.metadata_introspect import MetadataIntrospect
from nodes.metadata.metadata_read import MetadataRead
from tests.nodes.metadata.metakit import pg_fetch, pg_script, read_sql, run
from tests.nodes.metadata.shopdata import (
    COLUMN_NAMES,
    COLUMNS,
    RELATION_NAMES,
    RELATIONS,
    TABLES,
    expected_columns,
    shop_objects,
    sorted_summary,
    summary,
)


async def read(env, what: str) -> pd.DataFrame:
    return await run(
        MetadataRead("r", {"connection": "pg", "schema": env.meta, "what": what}), env.ctx()
    )


async def init_and_introspect(env, source: str, **config) -> pd.DataFrame:
    await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "extensions": False}), env.ctx()
    )
    node = MetadataIntrospect(
        "s",
        {
            "source": source,
            "target": "pg",
            "schemas": [env.shop],
            "metadata_schema": env.meta,
            **config,
        },
    )
    return await run(node, env.ctx())


async def check_shop(env, out: pd.DataFrame, status_type: str) -> None:
    assert_frame_equal(sorted_summary(out), summary(shop_objects(), "inserted", env.shop))
    tables = await read(env, "tables")
    assert (tables["schema_name"] == env.shop).all()
    assert_frame_equal(tables[TABLES.columns].reset_index(drop=True), TABLES, check_dtype=False)

    columns = await read(env, "columns")
    got = columns[COLUMN_NAMES].sort_values(["table_name", "pg_column"]).reset_index(drop=True)
    want = expected_columns(status_type).sort_values(["table_name", "pg_column"])
    assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False)
    by_column = columns.set_index(["table_name", "pg_column"])
    assert by_column.loc[("orders", "status"), "enum_options"] == [
        {"value": v, "label": v} for v in ("pending", "paid", "shipped", "cancelled")
    ]
    assert by_column.loc[("products", "price"), "validation_rules"] == {"min": 0}
    assert by_column.loc[("users", "email"), "validation_rules"] == {
        "email": True,
        "maxLength": 255,
    }
    assert by_column.loc[("users", "created_at"), "default_value"] == "now()"
    assert by_column.loc[("users", "is_active"), "default_value"] == "true"
    assert by_column.loc[("users", "email"), "comment"] == "이메일 주소"
    # Every column row points at its table's row.
    ids = tables.set_index("table_name")["id"]
    assert (columns["table_id"] == columns["table_name"].map(ids)).all()

    relations = await read(env, "relations")
    want_rel = {
        tuple(v.format(s=env.shop) if isinstance(v, str) else v for v in r) for r in RELATIONS
    }
    assert set(relations[RELATION_NAMES].itertuples(index=False, name=None)) == want_rel
    assert (relations["from_schema"] == env.shop).all() and (
        relations["to_schema"] == env.shop
    ).all()
    assert (relations["from_table_id"] == relations["from_table"].map(ids)).all()
    assert (relations["to_table_id"] == relations["to_table"].map(ids)).all()


async def test_postgresql_shop(env):
    out = await init_and_introspect(env, "pg")
    await check_shop(env, out, "order_status")
    cols = (await read(env, "columns")).set_index(["table_name", "pg_column"])
    assert cols.loc[("orders", "status"), "default_value"] == f"'pending'::{env.shop}.order_status"
    assert cols.loc[("orders", "status"), "pg_constraints"]["userType"] == {
        "schema": env.shop,
        "name": "order_status",
    }
    tables = (await read(env, "tables")).set_index("table_name")
    indexes = {i["name"]: i for i in tables.loc["orders", "indexes"]}
    assert indexes["orders_pending_idx"] == {
        "name": "orders_pending_idx",
        "columns": ["ordered_at"],
        "type": "BTREE",
        "method": "btree",
        "unique": False,
        "constraint": False,
        "expression": False,
        "where": f"(status = 'pending'::{env.shop}.order_status)",
    }
    assert tables.loc["products", "table_constraints"]["checks"] == [
        {"name": "products_price_check", "condition": "price >= (0)::numeric"},
        {
            "name": "products_size_check",
            "condition": "(size)::text = ANY ((ARRAY['S'::character varying, "
            "'M'::character varying, 'L'::character varying, 'XL'::character varying])::text[])",
        },
    ]


async def test_mariadb_shop(my_env):
    out = await init_and_introspect(my_env, "my")
    await check_shop(my_env, out, "VARCHAR(9)")
    cols = (await read(my_env, "columns")).set_index(["table_name", "pg_column"])
    assert cols.loc[("orders", "status"), "default_value"] == "'pending'"
    tables = (await read(my_env, "tables")).set_index("table_name")
    checks = {
        c["name"]: c["condition"] for c in tables.loc["orders", "table_constraints"]["checks"]
    }
    assert checks == {
        "orders_status_check": "\"status\" IN ('pending', 'paid', 'shipped', 'cancelled')"
    }
    # MySQL names keys per table; the metadata carries PostgreSQL's default names.
    assert tables.loc["users", "table_constraints"]["primaryKey"] == {
        "name": "users_pkey",
        "columns": ["id"],
    }


async def test_second_run_changes_nothing(env):
    await init_and_introspect(env, "pg")
    log = await read(env, "sync_log")
    out = await run(
        MetadataIntrospect(
            "s", {"source": "pg", "schemas": [env.shop], "metadata_schema": env.meta}
        ),
        env.ctx(),
    )
    assert_frame_equal(sorted_summary(out), summary(shop_objects(), "unchanged", env.shop))
    assert_frame_equal(await read(env, "sync_log"), log)


async def test_rerun_keeps_hand_edits_and_logs_changes(env):
    await init_and_introspect(env, "pg")
    m, s = f'"{env.meta}"', f'"{env.shop}"'
    await pg_script(
        env.url,
        f"""
        UPDATE {m}.mappings_column SET label = 'E-mail', form_type = 'text',
            placeholder = 'you@example.com' WHERE table_name = 'users' AND pg_column = 'email';
        UPDATE {m}.mappings_table SET label = 'Customers', is_api_enabled = false
            WHERE table_name = 'users';
        UPDATE {m}.mappings_relation SET graphql_field = 'buyer'
            WHERE from_table = 'orders' AND from_column = 'user_id';
        COMMENT ON COLUMN {s}.users.bio IS 'Short bio';
        COMMENT ON COLUMN {s}.users.email IS 'Mail';
        COMMENT ON TABLE {s}.products IS 'Things';
        ALTER TABLE {s}.products ALTER COLUMN name TYPE VARCHAR(300);
        ALTER TABLE {s}.users ADD COLUMN nickname TEXT;""",
    )
    out = await run(
        MetadataIntrospect(
            "s", {"source": "pg", "schemas": [env.shop], "metadata_schema": env.meta}
        ),
        env.ctx(),
    )
    changes = out[out["action"] != "unchanged"].reset_index(drop=True)
    expected = pd.DataFrame(
        [
            ("table", "products", "products", "updated", "description, table_constraints", ""),
            (
                "column",
                "products",
                "name",
                "updated",
                "form_type, pg_constraints, pg_type, validation_rules",
                "",
            ),
            ("column", "users", "email", "updated", "comment", "form_type, label"),
            ("column", "users", "bio", "updated", "comment, label", ""),
            ("column", "users", "nickname", "inserted", "", ""),
        ],
        columns=["kind", "table", "name", "action", "changed", "kept"],
    ).assign(schema=env.shop)[out.columns]
    assert_frame_equal(changes, expected)
    # Edited fields and rows kept; the users table and the relation are otherwise unchanged.
    unchanged = out.set_index(["kind", "name"])
    assert unchanged.loc[("table", "users"), ["action", "kept"]].tolist() == ["unchanged", "label"]
    assert unchanged.loc[("relation", "orders.buyer"), "action"] == "unchanged"

    cols = (await read(env, "columns")).set_index(["table_name", "pg_column"])
    assert cols.loc[
        ("users", "email"), ["label", "form_type", "placeholder", "comment"]
    ].tolist() == ["E-mail", "text", "you@example.com", "Mail"]
    assert cols.loc[("users", "bio"), "label"] == "Short bio"
    assert cols.loc[("products", "name"), ["pg_type", "form_type"]].tolist() == [
        "VARCHAR(300)",
        "textarea",
    ]
    tables = (await read(env, "tables")).set_index("table_name")
    assert tables.loc["users", ["label", "is_api_enabled"]].tolist() == ["Customers", False]
    assert tables.loc["products", "description"] == "Things"

    # The log: each change with the whole old and new row.
    log = await read(env, "sync_log")
    assert_frame_equal(
        log, await read_sql(env.conns, "pg", f"SELECT * FROM {m}.metadata_sync_log ORDER BY id")
    )
    latest = log[log["id"] > log["id"].max() - 5].reset_index(drop=True)
    assert latest["operation"].tolist() == ["UPDATE", "UPDATE", "UPDATE", "UPDATE", "INSERT"]
    bio = next(
        r for r in latest.itertuples() if r.new_data and r.new_data.get("pg_column") == "bio"
    )
    assert (bio.table_name, bio.old_data["label"], bio.new_data["label"]) == (
        "mappings_column",
        "Bio",
        "Short bio",
    )
    assert (bio.old_data["comment"], bio.new_data["comment"], bio.record_id) == (
        None,
        "Short bio",
        bio.old_data["id"],
    )
    table = next(r for r in latest.itertuples() if r.table_name == "mappings_table")
    assert (table.old_data["description"], table.new_data["description"]) == (
        "What the shop sells",
        "Things",
    )
    inserted = latest.iloc[-1]
    assert inserted["old_data"] is None and inserted["new_data"]["pg_column"] == "nickname"


async def test_missing_rows_are_reported_then_deleted(env):
    await init_and_introspect(env, "pg")
    await pg_script(env.url, f'DROP TABLE "{env.shop}".user_profiles')
    # Rows added by hand (no catalog facts) are plans, never "missing".
    m = f'"{env.meta}"'
    await pg_script(
        env.url,
        f"""
        INSERT INTO {m}.mappings_column (table_id, schema_name, table_name, pg_column, label)
        SELECT id, schema_name, table_name, 'planned', 'Planned' FROM {m}.mappings_table
        WHERE table_name = 'users';
        INSERT INTO {m}.mappings_relation (from_schema, from_table, from_column, to_schema,
            to_table, to_column, relation_type, graphql_field)
        VALUES ('{env.shop}', 'users', 'id', '{env.shop}', 'products', 'id', 'ManyToMany',
            'favourites');""",
    )
    config = {"source": "pg", "schemas": [env.shop], "metadata_schema": env.meta}
    out = await run(MetadataIntrospect("s", config), env.ctx())
    assert out[out["action"] != "unchanged"][["kind", "name", "action"]].values.tolist() == [
        ["table", "user_profiles", "missing"]
    ]
    assert len(await read(env, "columns")) == len(COLUMNS) + 1  # nothing deleted

    out = await run(MetadataIntrospect("s", {**config, "delete_missing": True}), env.ctx())
    gone = out[out["action"] != "unchanged"]
    assert sorted(gone[["kind", "name"]].values.tolist()) == sorted(
        [
            ["relation", "user_profiles.user"],
            ["relation", "users.userProfile"],
            ["column", "id"],
            ["column", "user_id"],
            ["column", "avatar_url"],
            ["column", "phone"],
            ["table", "user_profiles"],
        ]
    )
    assert set(gone["action"]) == {"deleted"}
    remaining = await read(env, "columns")
    assert "user_profiles" not in set(remaining["table_name"])
    assert "planned" in set(remaining["pg_column"])
    relations = await read(env, "relations")
    assert len(relations) == len(RELATIONS) - 2 + 1 and "favourites" in set(
        relations["graphql_field"]
    )
    log = await read(env, "sync_log")
    deletes = log[log["operation"] == "DELETE"]
    assert len(deletes) == 7 and deletes["new_data"].isna().all()
    assert {d.get("table_name") or d["from_table"] for d in deletes["old_data"]} == {
        "user_profiles",
        "users",
    }
    assert {d["to_table"] for d in deletes["old_data"] if "to_table" in d} == {
        "user_profiles",
        "users",
    }


async def test_tables_filter_and_unicode_names(env):
    s = f'"{env.shop}"'
    await pg_script(
        env.url,
        f'CREATE TABLE {s}."주문 메모" ("이름" text NOT NULL, '
        f'"Order Total" numeric, "select" int PRIMARY KEY)',
    )
    out = await init_and_introspect(env, "pg", tables=["주문 메모", "users"])
    assert sorted(out[out["kind"] == "table"]["table"]) == ["users", "주문 메모"]
    assert (out["kind"] != "relation").all()  # users' relations lead outside the filter
    cols = (await read(env, "columns")).set_index("pg_column")
    hexed = "".join(f"U{ord(c):X}" for c in "이름")
    assert cols.loc["이름", ["graphql_field", "label", "is_required"]].tolist() == [
        hexed[0].lower() + hexed[1:],
        "이름",
        True,
    ]
    assert cols.loc["Order Total", ["graphql_field", "label"]].tolist() == [
        "orderTotal",
        "Order total",
    ]
    assert cols.loc["select", ["graphql_field", "is_primary_key"]].tolist() == ["select", True]
    tables = (await read(env, "tables")).set_index("table_name")
    assert tables.loc["주문 메모", "graphql_type"] == "".join(f"U{ord(c):X}" for c in "주문메모")


async def test_errors_name_the_field(env, my_env):
    await run(
        MetadataInit("i", {"connection": "pg", "schema": env.meta, "extensions": False}), env.ctx()
    )
    node = MetadataIntrospect(
        "s",
        {"source": "pg", "schemas": [env.shop], "tables": ["nope"], "metadata_schema": env.meta},
    )
    with pytest.raises(
        NodeError,
        match=rf"^tables: table 'nope' not found in {env.shop} on "
        r"connection 'pg'$",
    ):
        await run(node, env.ctx())
    node = MetadataIntrospect("s", {"source": "pg", "metadata_schema": "no_such_schema"})
    with pytest.raises(
        NodeError,
        match=r"^source: schema 'no_such_schema' on connection 'pg' "
        r"has no mappings_column, mappings_relation, "
        r"mappings_table, metadata_sync_log; run metadata_init",
    ):
        await run(node, env.ctx())
    node = MetadataIntrospect("s", {"source": "my"})  # MySQL source, no PostgreSQL target
    with pytest.raises(
        NodeError,
        match=r"^source: metadata_introspect needs a PostgreSQL "
        r"connection, and 'my' is a mysql connection",
    ):
        await run(node, my_env.ctx())
    rows = await pg_fetch(env.url, f'SELECT count(*) AS n FROM "{env.meta}".mappings_table')
    assert rows == [{"n": 0}]


async def test_an_empty_schema_gives_an_empty_summary_and_empty_artifacts(env):
    from nodes.metadata.metadata_codegen import MetadataCodegen
    from nodes.metadata.sync import SUMMARY_COLUMNS

    empty = f"{env.shop}_empty"
    await pg_script(env.url, f'CREATE SCHEMA "{empty}"')
    try:
        await run(MetadataInit("i", {"connection": "pg", "schema": env.meta}), env.ctx())
        node = MetadataIntrospect(
            "s", {"source": "pg", "schemas": [empty], "metadata_schema": env.meta}
        )
        out = await run(node, env.ctx())
        assert_frame_equal(out, pd.DataFrame(columns=SUMMARY_COLUMNS), check_dtype=False)
        code = await run(MetadataCodegen("g", {"connection": "pg", "schema": env.meta}), env.ctx())
        assert code["path"].tolist() == [
            "ddl/schema.sql", "graphql/schema.graphql", "typescript/types.ts",
            "pydantic/models.py",
        ]  # fmt: skip
        assert code["table"].isna().all()
        sdl = code.set_index("path").loc["graphql/schema.graphql", "content"]
        assert set(graphql.build_schema(sdl).query_type.fields) == {"_empty"}
    finally:
        await pg_script(env.url, f'DROP SCHEMA "{empty}"')
