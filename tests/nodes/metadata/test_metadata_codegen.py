"""metadata_codegen: the artifact rows, DDL that recreates the catalog, GraphQL SDL that
parses, and the errors of metadata that cannot be generated."""

from __future__ import annotations

import graphql
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.metadata.codegen import model_from_rows, render
from nodes.metadata.metadata_introspect import MetadataIntrospect
from tests.nodes.metadata.codekit import artifact, generate, prepare
from tests.nodes.metadata.metakit import catalog, pg_script, read_sql, run


async def test_rows_one_per_artifact(env):
    await prepare(env)
    out = await generate(env, "ddl", "graphql", "typescript", "pydantic", "json_schema")
    tables = ["order_items", "orders", "products", "user_profiles", "users"]
    expected = pd.DataFrame(
        [("ddl", f"{env.shop}.{t}", f"ddl/{env.shop}.{t}.sql") for t in tables]
        + [
            ("ddl", None, "ddl/schema.sql"),
            ("graphql", None, "graphql/schema.graphql"),
            ("typescript", None, "typescript/types.ts"),
            ("pydantic", None, "pydantic/models.py"),
        ]
        + [
            ("json_schema", f"{env.shop}.{t}", f"json_schema/{env.shop}.{t}.schema.json")
            for t in tables
        ],
        columns=["kind", "table", "path"],
    )
    assert_frame_equal(out[["kind", "table", "path"]], expected)
    assert (
        out["content"]
        .str.startswith(("-- Generated", "# Generated", "// Generated", '"""Generated', "{"))
        .all()
    )


async def test_ddl_recreates_the_catalog_in_an_empty_database(env, empty_pg):
    await prepare(env)
    out = await generate(env, "ddl")
    await pg_script(empty_pg.url, artifact(out, "ddl/schema.sql"))
    original, recreated = await catalog(env.url, env.shop), await catalog(empty_pg.url, env.shop)
    for kind in original:  # one kind at a time, for a readable diff
        assert recreated[kind] == original[kind], kind
    # 15 keys and checks, 10 indexes (8 of them behind keys): nothing left out.
    assert len(recreated["constraints"]) == 15 and len(recreated["indexes"]) == 10


async def test_ddl_of_a_mariadb_shop_builds_it_in_postgresql(my_env, empty_pg):
    await prepare(my_env, "my")
    out = await generate(my_env, "ddl")
    await pg_script(empty_pg.url, artifact(out, "ddl/schema.sql"))
    cat = await catalog(empty_pg.url, my_env.shop)
    s = my_env.shop
    columns = {
        (c["table"], c["column"]): (c["type"], c["not_null"], c["default"]) for c in cat["columns"]
    }
    assert columns[("orders", "id")] == ("bigint", True, f"nextval('{s}.orders_id_seq'::regclass)")
    assert columns[("orders", "status")] == (
        "character varying(9)",
        True,
        "'pending'::character varying",
    )
    assert columns[("users", "is_active")] == ("boolean", True, "true")
    assert columns[("users", "created_at")] == ("timestamp with time zone", True, "now()")
    assert columns[("products", "attributes")] == ("jsonb", False, None)
    assert columns[("products", "price")] == ("numeric(10,2)", True, None)
    constraints = {(c["table"], c["definition"]) for c in cat["constraints"]}
    assert ("orders", f"FOREIGN KEY (user_id) REFERENCES {s}.users(id) ON DELETE CASCADE") in (
        constraints
    )
    assert (
        "orders",
        "CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, "
        "'paid'::character varying, 'shipped'::character varying, "
        "'cancelled'::character varying])::text[])))",
    ) in constraints
    assert ("products", "CHECK ((price >= (0)::numeric))") in constraints
    assert ("order_items", "PRIMARY KEY (order_id, product_id)") in constraints
    assert {t["table"]: t["comment"] for t in cat["tables"]}["users"] == (
        "People who can sign in and order"
    )


async def test_graphql_sdl_parses(env):
    await prepare(env, odd=True)
    sdl = artifact(await generate(env, "graphql"), "graphql/schema.graphql")
    schema = graphql.build_schema(sdl)

    def field(type_name: str, name: str) -> str:
        return str(schema.type_map[type_name].fields[name].type)

    assert field("User", "orders") == "[Order!]!"
    assert field("User", "userProfile") == "UserProfile"
    assert field("UserProfile", "user") == "User!"
    assert field("Order", "user") == "User!"
    assert field("Order", "products") == "[Product!]!"
    assert field("Product", "orders") == "[Order!]!"
    assert field("OrderItem", "order") == "Order!"
    assert field("Order", "status") == "String!"
    assert field("Product", "price") == "Decimal!"
    assert field("User", "createdAt") == "DateTime!"
    assert str(schema.type_map["UserInput"].fields["email"].type) == "String!"
    assert "id" not in schema.type_map["UserInput"].fields  # filled by the database
    assert str(schema.type_map["UserPatch"].fields["email"].type) == "String"
    query = schema.query_type.fields
    assert [str(a.type) for a in query["orderItem"].args.values()] == ["ID!", "ID!"]
    assert str(query["users"].type) == "[User!]!"
    mutation = schema.mutation_type.fields
    assert str(mutation["createUser"].args["input"].type) == "UserInput!"
    assert str(mutation["deleteOrder"].type) == "Boolean!"
    odd = "".join(f"U{ord(c):X}" for c in "주문메모")
    assert set(schema.type_map[odd].fields) == {
        "select",
        "uC774UB984",
        "orderTotal",
        "class",
        "modelConfig",
        "eMail",
    }
    assert schema.type_map["User"].fields["email"].description == "이메일 주소"


async def test_hand_edited_rows_that_cannot_be_generated_name_the_row(env):
    await prepare(env)
    m = f'"{env.meta}"'
    column = (
        f"UPDATE {m}.mappings_column SET {{}} WHERE table_name = 'users' AND pg_column = 'email'"
    )
    cases = [
        (
            column.format("graphql_field = 'e mail'"),
            "graphql",
            rf"^graphql: mappings_column {env.shop}.users.email has graphql_field 'e mail', which "
            r"is not a GraphQL name$",
        ),
        (
            column.format("pg_type = 'text; drop table x'"),
            "ddl",
            rf"^ddl: mappings_column {env.shop}.users.email has pg_type 'text; drop table x', ",
        ),
        (
            column.format("default_value = 'now()); drop table x; --'"),
            "ddl",
            rf"^ddl: {env.shop}.users.email: the expression 'now\(\)\); drop table x; --' has ';'",
        ),
        (
            f"UPDATE {m}.mappings_table SET graphql_type = 'User' WHERE table_name = 'orders'",
            "typescript",
            rf"^typescript: mappings_table {env.shop}.users and {env.shop}.orders "
            r"share graphql_type 'User'; rename one$",
        ),
        (
            column.format("graphql_type = 'Order'"),
            "graphql",
            rf"^graphql: mappings_column {env.shop}.users.email has graphql_type 'Order', a ",
        ),
    ]
    original = await read_sql(env.conns, "pg", f"SELECT * FROM {m}.mappings_column ORDER BY id")
    for statement, target, message in cases:
        await pg_script(env.url, statement)
        with pytest.raises(NodeError, match=message):
            await generate(env, target)
        # Put the metadata back as introspection wrote it.
        await pg_script(
            env.url,
            f"""
            UPDATE {m}.mappings_table SET graphql_type = 'Order' WHERE table_name = 'orders';
            UPDATE {m}.mappings_column SET graphql_field = 'email', graphql_type = 'String',
                pg_type = 'VARCHAR(255)', default_value = NULL
            WHERE table_name = 'users' AND pg_column = 'email';""",
        )
    restored = await read_sql(env.conns, "pg", f"SELECT * FROM {m}.mappings_column ORDER BY id")
    assert_frame_equal(restored.drop(columns="updated_at"), original.drop(columns="updated_at"))


def test_tables_with_api_disabled_are_left_out_of_the_api():
    model = model_from_rows(
        [
            {"table_name": "a", "graphql_type": "A", "label": "A"},
            {"table_name": "b", "graphql_type": "B", "label": "B", "is_api_enabled": False},
        ],
        [
            {
                "table_name": t,
                "pg_column": "id",
                "pg_type": "INTEGER",
                "graphql_field": "id",
                "graphql_type": "ID",
                "is_primary_key": True,
                "label": "ID",
            }
            for t in ("a", "b")
        ],
        [
            {
                "from_schema": "public",
                "from_table": "a",
                "from_column": "id",
                "to_schema": "public",
                "to_table": "b",
                "to_column": "id",
                "relation_type": "OneToOne",
                "graphql_field": "b",
            }
        ],
    )
    sdl = render(model, ["graphql"])[0].content
    schema = graphql.build_schema(sdl)
    assert "B" not in schema.type_map and set(schema.type_map["A"].fields) == {"id"}
    assert [a.path for a in render(model, ["ddl"])] == [
        "ddl/public.a.sql",
        "ddl/public.b.sql",
        "ddl/schema.sql",
    ]


async def test_schemas_picks_the_tables_to_generate(env):
    await prepare(env)
    other = f"{env.shop}_b"
    await pg_script(env.url, "CREATE TABLE users (id int PRIMARY KEY)", schema=other)
    try:
        await run(
            MetadataIntrospect(
                "s", {"source": "pg", "schemas": [other], "metadata_schema": env.meta}
            ),
            env.ctx(),
        )
        with pytest.raises(NodeError, match=rf"^graphql: mappings_table {other}.users and "):
            await generate(env, "graphql")
        only_other = await generate(env, "graphql", schemas=[other])
        schema = graphql.build_schema(artifact(only_other, "graphql/schema.graphql"))
        assert set(schema.type_map["User"].fields) == {"id"}
        only_shop = await generate(env, "ddl", schemas=[env.shop])
        assert set(only_shop["table"].dropna()) == {
            f"{env.shop}.{t}"
            for t in ("order_items", "orders", "products", "user_profiles", "users")
        }
    finally:
        await pg_script(env.url, f'DROP SCHEMA "{other}" CASCADE')
