"""The SQL helpers: statement scanning, read-only checks, binding, names, where translation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from flows.errors import ConfigError, NodeError
from nodes.fields import SortKey
from nodes.sql import (
    bound_text,
    check_identifier,
    check_read_only,
    order_by_clauses,
    quote_identifier,
    single_statement,
    sql_parameters,
    sql_table,
)
from nodes.sql_conditions import SqlCondition

DIALECTS = {
    "postgresql": postgresql.dialect(),
    "mysql": mysql.dialect(),
    "sqlite": sqlite.dialect(),
}


@pytest.mark.parametrize(
    ("dialect", "sql", "statement"),
    [
        ("postgresql", "SELECT 1;", "SELECT 1"),
        ("postgresql", "SELECT 1 ; ; -- trailing\n/* c */", "SELECT 1"),
        ("postgresql", "SELECT ';' AS a, \"x;y\" FROM t", "SELECT ';' AS a, \"x;y\" FROM t"),
        ("postgresql", "SELECT $$;$$, $tag$ ; $$ ; $tag$", "SELECT $$;$$, $tag$ ; $$ ; $tag$"),
        ("postgresql", "SELECT E'a\\'; b'", "SELECT E'a\\'; b'"),
        ("postgresql", "/* a /* b ; */ c ; */ SELECT 1", "/* a /* b ; */ c ; */ SELECT 1"),
        ("mysql", "SELECT 'it''s;', `a;b` FROM t # x; y", "SELECT 'it''s;', `a;b` FROM t # x; y"),
        ("mysql", 'SELECT "a;b"', 'SELECT "a;b"'),
        ("sqlite", "SELECT [a;b] FROM t;", "SELECT [a;b] FROM t"),
    ],
)  # fmt: skip
def test_single_statement_accepts_one(dialect: str, sql: str, statement: str) -> None:
    assert single_statement(sql, dialect) == statement


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgresql", "SELECT 1; SELECT 2"),
        ("postgresql", "SELECT 1;DELETE FROM t"),
        # Standard strings: the backslash does not escape, so the string ends before the ';'.
        ("postgresql", "SELECT 'a\\'; DROP TABLE t; --'"),
        # MySQL: whether backslash escapes depends on sql_mode: both readings are checked.
        ("mysql", "SELECT 'a\\'; DROP TABLE t; --'"),
        ("mysql", "SELECT 'a'';'; DROP TABLE t"),
        # "--" without a space is not a comment in MySQL (1--1 is arithmetic).
        ("mysql", "SELECT 1--1; DROP TABLE t"),
        # "#" is an operator in PostgreSQL, not a comment.
        ("postgresql", "SELECT 1 # 2; DROP TABLE t"),
        ("postgresql", "SELECT $a$ x $a$; DROP TABLE t"),
        ("sqlite", "SELECT 1; ATTACH 'x' AS y"),
    ],
)
def test_single_statement_refuses_a_second(dialect: str, sql: str) -> None:
    with pytest.raises(NodeError, match="sql: only one statement is allowed"):
        single_statement(sql, dialect)


def test_single_statement_refuses_empty_and_mysql_executable_comments() -> None:
    with pytest.raises(NodeError, match="sql: the statement is empty"):
        single_statement(" -- nothing\n ; ", "postgresql")
    with pytest.raises(
        NodeError, match=r"MySQL executable comments \(/\*! … \*/\) are not allowed"
    ):
        single_statement("SELECT 1 /*!50000 ; DROP TABLE t */", "mysql")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t",
        "  (SELECT 1) UNION (SELECT 2)",
        "-- note\nWITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "SELECT 'insert into t' AS words, \"delete\" FROM t",
        "SELECT substring(name FOR 3) FROM t",
    ],
)
def test_read_only_accepts_selects(sql: str) -> None:
    check_read_only(sql, "postgresql", connection="crm")


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("INSERT INTO t VALUES (1)", ""),
        ("EXPLAIN ANALYZE DELETE FROM t", ""),
        ("SELECT * INTO new_t FROM t", "; found INTO"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "; found DELETE"),
        ("WITH u AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM u", "; found UPDATE"),
        ("SELECT * FROM t FOR UPDATE", "; found UPDATE"),
        ("SELECT * FROM t FOR NO KEY UPDATE", "; found FOR NO"),
        ("SELECT * FROM t FOR SHARE", "; found FOR SHARE"),
        ("SELECT * FROM t LOCK IN SHARE MODE", "; found LOCK"),
        ("SELECT a FROM t INTO OUTFILE '/tmp/x'", "; found INTO"),
        ("'SELECT'", ""),
    ],
)
def test_read_only_refuses_everything_else(sql: str, found: str) -> None:
    with pytest.raises(NodeError) as info:
        check_read_only(sql, "postgresql", connection="crm")
    message = info.value.message
    assert message.startswith("sql: connection 'crm' is read_only, so only one SELECT")
    assert message.endswith(f"is allowed{found}")


def test_parameters_outside_quotes_and_comments() -> None:
    sql = (
        "SELECT ':a', \":b\", $$ :c $$, x::int, :d -- :e\n"
        " FROM t WHERE y = :f /* :g */ AND z = \\:h"
    )
    assert sql_parameters(sql, "postgresql") == ["d", "f"]
    assert sql_parameters("SELECT `:a`, :b # :c", "mysql") == ["b"]


@pytest.mark.parametrize("name", ["postgresql", "mysql", "sqlite"])
def test_bound_text_keeps_literals_and_binds_values(name: str) -> None:
    dialect = "postgresql" if name == "postgresql" else name
    clause = bound_text(
        "SELECT ':x' AS a, '\\:y' AS b, v FROM t WHERE v = :x AND w IN :ids",
        dialect,
        {"x": "'; DROP TABLE t; --", "ids": [1, 2], "unused": 3},
    )
    compiled = clause.compile(dialect=DIALECTS[name], compile_kwargs={"render_postcompile": True})
    text = str(compiled)
    assert "':x' AS a" in text and "'\\:y' AS b" in text
    assert "DROP" not in text  # the value travels as a parameter
    assert "'; DROP TABLE t; --" in compiled.params.values()


def test_bound_text_names_a_missing_parameter() -> None:
    with pytest.raises(
        NodeError, match=r"sql: parameter :region is not a flow parameter \(have: a, b\)"
    ):
        bound_text("SELECT * FROM t WHERE r = :region", "postgresql", {"a": 1, "b": 2})


def test_identifiers_are_always_quoted() -> None:
    hostile = 'x"; DROP TABLE t; --'
    assert quote_identifier(postgresql.dialect(), hostile) == '"x""; DROP TABLE t; --"'
    assert quote_identifier(mysql.dialect(), "a`b") == "`a``b`"
    rendered = str(sa.select(sa.literal_column("*")).select_from(sql_table(hostile, "Sales Ü"))
                   .compile(dialect=postgresql.dialect()))  # fmt: skip
    assert rendered == 'SELECT * \nFROM "Sales Ü"."x""; DROP TABLE t; --"'


def test_identifier_limits() -> None:
    with pytest.raises(NodeError, match="table: a name is required"):
        check_identifier(" ", "postgresql", field="table")
    with pytest.raises(NodeError, match="table: 'a\\\\x00b' contains a NUL character"):
        check_identifier("a\x00b", "postgresql", field="table")
    # PostgreSQL cuts names at 63 bytes; a longer one could silently name another table.
    with pytest.raises(NodeError, match="longer than postgresql allows"):
        check_identifier("é" * 32, "postgresql", field="table")
    assert check_identifier("é" * 31, "postgresql", field="table") == "é" * 31


def test_order_by_puts_nulls_last_everywhere() -> None:
    keys = [SortKey(column="a"), SortKey(column="b", ascending=False)]
    pg = sa.select(sa.column("a")).order_by(*order_by_clauses("postgresql", keys))
    assert str(pg.compile(dialect=postgresql.dialect())).endswith(
        'ORDER BY "a" ASC NULLS LAST, "b" DESC NULLS LAST'
    )
    my = sa.select(sa.column("a")).order_by(*order_by_clauses("mysql", keys))
    assert str(my.compile(dialect=mysql.dialect())).endswith(
        "ORDER BY `a` IS NULL ASC, `a` ASC, `b` IS NULL ASC, `b` DESC"
    )


# -- where ----------------------------------------------------------------------------------


def _sql(condition: SqlCondition, params: dict, dialect: str = "postgresql") -> str:
    clause = condition.build(params)
    return str(clause.compile(dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("text", "params", "sql"),
    [
        ("a == 1", {}, '"a" = 1'),
        ("0 < a <= @hi", {"hi": 5}, '0 < "a" AND "a" <= 5'),
        ("not (a != 'x' or is_null(b))", {}, 'NOT ("a" != \'x\' OR "b" IS NULL)'),
        ("`unit price` >= -2.5 and flag", {}, '"unit price" >= -2.5 AND "flag"'),
        ("a in (1, null, 3)", {}, '"a" IN (1, 3)'),
        ("a not in @ids", {"ids": ["x", "y"]}, "(\"a\" NOT IN ('x', 'y'))"),
        ("a in @one", {"one": 7}, '"a" IN (7)'),
        ("not_null(`_id`) and b == true", {}, '"_id" IS NOT NULL AND "b" = true'),
        ("Name == @n", {"n": "O'Brien"}, "\"Name\" = 'O''Brien'"),
    ],
)
def test_where_translation(text: str, params: dict, sql: str) -> None:
    assert _sql(SqlCondition(text), params) == sql


def test_where_values_are_bound_not_spliced() -> None:
    clause = SqlCondition("name == @n and city == 'Seoul'").build({"n": "x' OR '1'='1"})
    compiled = clause.compile(dialect=postgresql.dialect())
    assert "Seoul" not in str(compiled) and "OR '1'" not in str(compiled)
    assert sorted(compiled.params.values()) == ["Seoul", "x' OR '1'='1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a * 2 > 1", "'a * 2' cannot run in the database"),
        ("lower(a) == 'x'", "'lower(a)' cannot run in the database"),
        ("a == null", "comparing with null is never true: use is_null"),
        ("a is None", "'is' is not allowed"),
        ("a in (b, 1)", "the list after 'in' may hold only literal values"),
        ("a in b", "after 'in' write a list"),
        ("_secret == 1", "names starting with '_' need backticks"),
        ("a.__class__ == 1", "cannot run in the database"),
        ("a ==", "invalid syntax"),
        ("1", "'1' cannot run in the database"),
    ],
)
def test_where_refusals_name_the_part(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        SqlCondition(text)
    assert info.value.message.startswith("where: ")


def test_where_columns_parameters_and_missing_value() -> None:
    cond = SqlCondition("`고객 등급` == @grade or region in @regions")
    assert cond.columns == {"고객 등급", "region"}
    assert cond.parameters == {"grade", "regions"}
    with pytest.raises(NodeError, match="where: parameter @grade has no value"):
        cond.build({"regions": []})
