"""The rules behind the metadata, without a database: names, types, form types, relations,
re-run merging and the expression check of generated DDL."""

from __future__ import annotations

import pytest

from flows.errors import NodeError
from nodes.metadata.codegen.sqlsafe import safe_expression
from nodes.metadata.derive import COLUMN_CATALOG, COLUMN_DERIVED, column_derived, column_rows
from nodes.metadata.introspect import (
    CatalogColumn,
    CatalogTable,
    Check,
    ForeignKey,
    KeyConstraint,
)
from nodes.metadata.introspect_mysql import mysql_condition, mysql_default
from nodes.metadata.naming import camel_case, humanise, list_name, pascal_case, plural, singular
from nodes.metadata.relations import infer_relations
from nodes.metadata.sync import merge_row
from nodes.metadata.typemap import (
    PgType,
    check_values,
    form_type,
    graphql_type,
    mysql_pg_type,
    parse_pg_type,
)


@pytest.mark.parametrize(
    ("name", "pascal", "camel", "label"),
    [
        ("order_items", "OrderItems", "orderItems", "Order items"),
        ("user_id", "UserId", "userId", "User"),
        ("HTTPStatus", "HttpStatus", "httpStatus", "HTTP status"),
        ("createdAt", "CreatedAt", "createdAt", "Created at"),
        ("Order Total", "OrderTotal", "orderTotal", "Order total"),
        ("이름", "UC774UB984", "uC774UB984", "이름"),
        ("2fa", "N2Fa", "n2Fa", "2 fa"),
        ("id", "Id", "id", "ID"),
        ("__x__", "X", "x", "X"),
    ],
)
def test_names(name, pascal, camel, label):
    assert (pascal_case(name), camel_case(name), humanise(name)) == (pascal, camel, label)


@pytest.mark.parametrize(
    ("many", "one"),
    [("users", "user"), ("categories", "category"), ("addresses", "address"),
     ("statuses", "status"), ("people", "person"), ("order_items", "order_item"),
     ("boxes", "box"), ("news", "news")],
)  # fmt: skip
def test_plurals(many, one):
    assert singular(many) == one
    assert plural(one) == many


def test_list_names_never_equal_the_single_name():
    assert (list_name("users"), list_name("news"), list_name("series")) == (
        "users",
        "newsList",
        "seriesList",
    )


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("character varying(255)", "VARCHAR(255)"),
        ("timestamp with time zone", "TIMESTAMPTZ"),
        ("timestamp(3) without time zone", "TIMESTAMP(3)"),
        ("numeric(10,2)", "NUMERIC(10,2)"),
        ("double precision", "DOUBLE PRECISION"),
        ("text[]", "TEXT[]"),
        ("Int4", "INTEGER"),
        ("bigserial", "BIGSERIAL"),
    ],
)
def test_pg_types_are_spelled_one_way(text, canonical):
    assert parse_pg_type(text).render() == canonical


@pytest.mark.parametrize("text", ["order_status", "varchar(10); drop table x", "", "text(1,2,3)"])
def test_unknown_types_are_not_built_in(text):
    assert parse_pg_type(text) is None


@pytest.mark.parametrize(
    ("column_type", "data_type", "auto", "pg"),
    [
        ("tinyint(1)", "tinyint", False, "BOOLEAN"),
        ("int(11)", "int", True, "SERIAL"),
        ("bigint(20) unsigned", "bigint", False, "NUMERIC(20)"),
        ("int(10) unsigned", "int", False, "BIGINT"),
        ("decimal(10,2)", "decimal", False, "NUMERIC(10,2)"),
        ("datetime(6)", "datetime", False, "TIMESTAMP(6)"),
        ("timestamp", "timestamp", False, "TIMESTAMPTZ"),
        ("enum('a','bbb')", "enum", False, "VARCHAR(3)"),
        ("longtext", "longtext", False, "TEXT"),
        ("json", "json", False, "JSONB"),
        ("varbinary(16)", "varbinary", False, "BYTEA"),
    ],
)
def test_mysql_types_map_to_postgresql(column_type, data_type, auto, pg):
    assert mysql_pg_type(column_type, data_type, auto_increment=auto).render() == pg


def test_mysql_defaults_and_conditions_in_postgresql_syntax():
    assert mysql_default("NULL", "varchar(3)", is_mariadb=True) is None
    assert mysql_default(None, "int", is_mariadb=False) is None
    assert mysql_default("current_timestamp()", "timestamp", is_mariadb=True) == "now()"
    assert mysql_default("CURRENT_TIMESTAMP", "datetime", is_mariadb=False, expression=True) == (
        "now()"
    )
    assert mysql_default("it's", "varchar(9)", is_mariadb=False) == "'it''s'"  # MySQL: bare
    assert mysql_default("'0'", "int(11)", is_mariadb=True) == "0"
    assert mysql_default("0", "tinyint(1)", is_mariadb=False) == "false"
    assert mysql_condition("`a``b` > 'x`y'") == "\"a`b\" > 'x`y'"


@pytest.mark.parametrize(
    ("condition", "values"),
    [
        ("size IN ('S', 'M')", ["S", "M"]),
        ("((size)::text = ANY ((ARRAY['S'::character varying, 'M'::character varying])"
         "::text[]))", ["S", "M"]),
        ('"size" in (\'it\'\'s\')', ["it's"]),
        ("size IN ('S') OR size IS NULL", None),
        ("other IN ('S')", None),
        ("size > 'A'", None),
    ],
)  # fmt: skip
def test_allowed_values_from_checks(condition, values):
    assert check_values(condition, "size") == values


@pytest.mark.parametrize(
    ("name", "pg", "values", "auto", "expected"),
    [
        ("email", "VARCHAR(255)", None, False, "email"),
        ("contact_email", "TEXT", None, False, "email"),
        ("password", "VARCHAR(100)", None, False, "password"),
        ("phone", "VARCHAR(30)", None, False, "tel"),
        ("avatar_url", "VARCHAR(500)", None, False, "url"),
        ("bio", "TEXT", None, False, "textarea"),
        ("note", "VARCHAR(80)", None, False, "textarea"),
        ("title", "VARCHAR(300)", None, False, "textarea"),
        ("title", "VARCHAR(80)", None, False, "text"),
        ("price", "NUMERIC(10,2)", None, False, "number"),
        ("is_active", "BOOLEAN", None, False, "checkbox"),
        ("born", "DATE", None, False, "date"),
        ("at", "TIMESTAMPTZ", None, False, "datetime"),
        ("status", "VARCHAR(9)", ["a", "b"], False, "select"),
        ("id", "BIGSERIAL", None, True, "hidden"),
        ("data", "JSONB", None, False, "json"),
        ("email_count", "INTEGER", None, False, "number"),
    ],
)
def test_form_types(name, pg, values, auto, expected):
    parsed = parse_pg_type(pg)
    is_text = parsed.base in ("VARCHAR", "TEXT")
    assert form_type(name, parsed, values=values, auto=auto, is_text=is_text) == expected


def test_graphql_types():
    assert graphql_type(parse_pg_type("integer")) == "Int"
    assert graphql_type(parse_pg_type("bigint"), is_id=True) == "ID"
    assert graphql_type(parse_pg_type("numeric(10,2)")) == "Decimal"
    assert graphql_type(parse_pg_type("timestamptz")) == "DateTime"
    assert graphql_type(parse_pg_type("integer[]"), is_id=True) == "[Int]"
    assert graphql_type(None) == "String"


def _table(name, cols, pk=None, fks=(), uniques=(), checks=()):
    return CatalogTable(
        "s",
        name,
        columns=[
            CatalogColumn(c, i, PgType("BIGINT"), "BIGINT", True, None)
            for i, c in enumerate(cols, 1)
        ],
        primary_key=KeyConstraint(f"{name}_pkey", pk) if pk else None,
        uniques=[KeyConstraint(f"{name}_u{i}", u) for i, u in enumerate(uniques)],
        foreign_keys=[ForeignKey(f"{name}_{c}_fkey", [c], "s", t, ["id"], d) for c, t, d in fks],
        checks=list(checks),
    )


def _relations(tables):
    fields = {t.key: {camel_case(c.name) for c in t.columns} for t in tables}
    return {
        (
            r.from_table,
            r.from_column,
            r.to_table,
            r.to_column,
            r.relation_type,
            r.graphql_field,
            r.is_cascade_delete,
        )
        for r in infer_relations(tables, fields)
    }


def test_relations_of_a_join_table_a_unique_key_and_two_keys_to_one_table():
    users = _table("users", ["id"], ["id"])
    profiles = _table(
        "profiles",
        ["id", "user_id"],
        ["id"],
        [("user_id", "users", "CASCADE")],
        uniques=[["user_id"]],
    )
    posts = _table(
        "posts",
        ["id", "author_id", "editor_id"],
        ["id"],
        [("author_id", "users", "NO ACTION"), ("editor_id", "users", "SET NULL")],
    )
    tags = _table("tags", ["id"], ["id"])
    post_tags = _table(
        "post_tags",
        ["post_id", "tag_id"],
        ["post_id", "tag_id"],
        [("post_id", "posts", "CASCADE"), ("tag_id", "tags", "CASCADE")],
    )
    assert _relations([users, profiles, posts, tags, post_tags]) == {
        ("profiles", "user_id", "users", "id", "OneToOne", "user", True),
        ("users", "id", "profiles", "user_id", "OneToOne", "profile", False),
        ("posts", "author_id", "users", "id", "ManyToOne", "author", False),
        ("users", "id", "posts", "author_id", "OneToMany", "postsByAuthor", False),
        ("posts", "editor_id", "users", "id", "ManyToOne", "editor", False),
        ("users", "id", "posts", "editor_id", "OneToMany", "postsByEditor", False),
        ("post_tags", "post_id", "posts", "id", "ManyToOne", "post", True),
        ("posts", "id", "post_tags", "post_id", "OneToMany", "postTags", False),
        ("post_tags", "tag_id", "tags", "id", "ManyToOne", "tag", True),
        ("tags", "id", "post_tags", "tag_id", "OneToMany", "postTags", False),
        ("posts", "id", "tags", "id", "ManyToMany", "tags", False),
        ("tags", "id", "posts", "id", "ManyToMany", "posts", False),
    }


def test_relation_names_avoid_column_fields_and_composite_keys_are_left_out():
    # A column named like the relation would be: the relation gets another name.
    users = _table("users", ["id"], ["id"])
    orders = _table("orders", ["id", "user", "user_ref"], ["id"], [("user_ref", "users", "")])
    lines = _table("lines", ["a", "b"])
    lines.foreign_keys.append(ForeignKey("composite", ["a", "b"], "s", "orders", ["id", "user"]))
    got = _relations([users, orders, lines])
    assert ("orders", "user_ref", "users", "id", "ManyToOne", "userByUserRef", False) in got
    assert not any(r[0] == "lines" or r[2] == "lines" for r in got)


def test_a_join_table_needs_its_two_keys_to_be_unique_together():
    a, b = _table("a", ["id"], ["id"]), _table("b", ["id"], ["id"])
    link = _table("link", ["id", "a_id", "b_id"], ["id"], [("a_id", "a", ""), ("b_id", "b", "")])
    assert not any(r[4] == "ManyToMany" for r in _relations([a, b, link]))
    link.uniques.append(KeyConstraint("link_ab", ["a_id", "b_id"]))
    assert {r[:5] for r in _relations([a, b, link]) if r[4] == "ManyToMany"} == {
        ("a", "id", "b", "id", "ManyToMany"),
        ("b", "id", "a", "id", "ManyToMany"),
    }


def test_column_rows_from_the_catalog():
    table = CatalogTable(
        "s",
        "items",
        columns=[
            CatalogColumn("id", 1, PgType("SERIAL"), "SERIAL", True, None),
            CatalogColumn("Full Name", 2, PgType("VARCHAR", (20,)), "VARCHAR(20)", True, None),
            CatalogColumn("full_name", 3, PgType("TEXT"), "TEXT", False, "'x'", "메모"),
            CatalogColumn("size", 4, PgType("VARCHAR", (2,)), "VARCHAR(2)", False, None),
            CatalogColumn("qty", 5, PgType("INTEGER"), "INTEGER", True, "1"),
        ],
        primary_key=KeyConstraint("items_pkey", ["id"]),
        checks=[
            Check("c1", "size IN ('S', 'M')"),
            Check("c2", "qty >= 0"),
            Check("c3", "qty <= size::int"),
        ],
    )
    rows = {r["pg_column"]: r for r in column_rows(table)}
    assert [r["graphql_field"] for r in rows.values()] == [
        "id",
        "fullName",
        "fullName2",
        "size",
        "qty",
    ]
    assert rows["full_name"]["label"] == "메모"
    assert rows["Full Name"]["label"] == "Full name"
    assert rows["size"]["enum_options"] == [
        {"value": "S", "label": "S"},
        {"value": "M", "label": "M"},
    ]
    assert rows["qty"]["pg_constraints"]["checks"] == ["qty >= 0"]  # c3 names two columns
    assert rows["qty"]["validation_rules"] == {"min": 0}
    assert (rows["qty"]["is_required"], rows["Full Name"]["is_required"]) == (False, True)
    assert (rows["id"]["is_graphql_input"], rows["id"]["form_type"]) == (False, "hidden")


def test_rerun_merge_keeps_hand_edits_and_follows_the_catalog():
    table = CatalogTable(
        "s",
        "t",
        columns=[CatalogColumn("email", 1, PgType("VARCHAR", (80,)), "VARCHAR(80)", True, None)],
    )
    stored = column_rows(table)[0] | {"id": 7, "label": "E-mail address", "placeholder": "a@b"}
    table.columns[0] = CatalogColumn("email", 1, PgType("TEXT"), "TEXT", False, None, "Mail")
    new = column_rows(table)[0]
    writes, kept = merge_row(stored, new, COLUMN_CATALOG[1:], COLUMN_DERIVED, column_derived)
    assert kept == ["label"]  # edited by hand: kept although the comment changed
    assert writes["pg_type"] == "TEXT" and writes["comment"] == "Mail"
    assert writes["is_required"] is False  # derived, not edited: follows the catalog
    assert writes["validation_rules"] == {"email": True}
    assert "placeholder" not in writes  # never written by introspection
    # Nothing changed in the catalog: nothing to write.
    assert merge_row(new, new, COLUMN_CATALOG[1:], COLUMN_DERIVED, column_derived) == ({}, [])


@pytest.mark.parametrize(
    ("expression", "columns", "why"),
    [
        ("now()); DROP TABLE t; --", set(), "';'"),
        ("pg_read_file('/etc/passwd')", set(), "the word 'pg_read_file'"),
        ("(SELECT 1)", set(), "the word 'SELECT'"),
        ("1 /* x */", set(), "'/*'"),
        ("$$x$$", set(), "'$'"),
        ("E'\\\\'", set(), "the word 'E'"),
        ('"other" > 0', {"qty"}, 'the name "other"'),
        ("qty > 0 -- x", {"qty"}, "'--'"),
        ("U&'x'", set(), "'&'"),
    ],
)
def test_generated_ddl_refuses_unsafe_expressions(expression, columns, why):
    with pytest.raises(NodeError) as info:
        safe_expression(expression, columns=columns, where="s.t.c")
    assert info.value.message.startswith(f"ddl: s.t.c: the expression {expression!r} has {why}")


@pytest.mark.parametrize(
    "expression",
    [
        "nextval('s.t_id_seq'::regclass)",
        "'pending'::\"my schema\".order_status",
        "(length((name)::text) > 2)",
        "CAST(qty AS numeric(10,2)) >= 0",
        "(now() + '1 day'::interval)",
        "\"Full Name\" <> ''",
        "qty BETWEEN 1 AND 10 AND NOT (qty IS NULL)",
    ],
)
def test_generated_ddl_takes_catalog_expressions(expression):
    columns = {"qty", "name", "Full Name"}
    assert safe_expression(expression, columns=columns, where="w") == expression
