"""Shared SQL helpers: statement checks, ``:param`` binding and Core builders with quoted names.

User text reaches a database in two ways only: as *bound parameters* (values, never spliced
into SQL) and, for ``custom_sql``, as one statement the user wrote, after these checks:

- ``single_statement`` refuses a second statement. Its scanner knows the quoting of each
  dialect (strings, quoted identifiers, ``--``/``#``/``/* */`` comments, PostgreSQL ``E''``
  and dollar quotes) and scans twice, with and without backslash escapes, because a server's
  settings decide which applies: a ``;`` either reading finds outside quotes is refused.
- ``check_read_only`` accepts one SELECT or WITH … SELECT, refusing ``SELECT … INTO``,
  locking clauses and data-modifying CTEs (by keyword: a column named ``update`` must be
  quoted). The database's read-only session is the second line; a SELECT-only account the
  real guarantee.

Table and column names go through ``quoted_name(..., quote=True)``: the dialect always quotes
them (doubling embedded quote characters), so a name can never end the identifier early.

>>> single_statement("SELECT ';' AS x; -- done", "postgresql")
"SELECT ';' AS x"
>>> single_statement("SELECT 1; DROP TABLE t", "postgresql")
Traceback (most recent call last):
...
flows.errors.NodeError: sql: only one statement is allowed; another starts after ';' at position 8
>>> sql_parameters("SELECT * FROM t WHERE a = :a AND b::text = ':no' AND c IN :ids", "postgresql")
['a', 'ids']
>>> from sqlalchemy.dialects import postgresql
>>> quote_identifier(postgresql.dialect(), 'x"; DROP TABLE t; --')
'"x""; DROP TABLE t; --"'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name

from flows.errors import NodeError
from nodes.fields import SortKey

__all__ = [
    "bound_text",
    "check_identifier",
    "check_read_only",
    "order_by_clauses",
    "quote_identifier",
    "rename_sql_parameter",
    "single_statement",
    "sql_column",
    "sql_parameters",
    "sql_table",
]

Segment = tuple[str, int, int]  # kind (code, string, ident, comment), start, end

_DOLLAR = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# The same expressions SQLAlchemy's text() uses, so both find the same names.
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")
_BIND_ESCAPED = re.compile(r"\\(:\w*)(?![:\w])")
# Keywords that make a statement more than a read. INTO: SELECT … INTO; UPDATE/SHARE: locks.
_WRITE_WORDS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "TRUNCATE", "DROP", "ALTER",
        "CREATE", "GRANT", "REVOKE", "COPY", "CALL", "LOCK", "HANDLER", "LOAD", "RENAME",
        "COMMENT", "VACUUM", "REINDEX", "CLUSTER", "REFRESH", "OUTFILE", "DUMPFILE",
    }
)  # fmt: skip
_DEFAULT_BACKSLASH = {"mysql": True}
_MAX_IDENT = {"postgresql": 63, "mysql": 64, "sqlite": 10_000}


# -- scanning -------------------------------------------------------------------------------
def _quoted_end(sql: str, start: int, quote: str, backslash: bool) -> int:
    i, n = start + 1, len(sql)
    while i < n:
        ch = sql[i]
        if backslash and ch == "\\":
            i += 2
        elif ch == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2  # a doubled quote stands for itself
            else:
                return i + 1
        else:
            i += 1
    return n


def _block_comment_end(sql: str, start: int, nested: bool) -> int:
    depth, i, n = 1, start + 2, len(sql)
    while i < n:
        if sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0 or not nested:
                return i
        elif nested and sql.startswith("/*", i):
            depth += 1
            i += 2
        else:
            i += 1
    return n


def _line_end(sql: str, start: int) -> int:
    end = sql.find("\n", start)
    return len(sql) if end < 0 else end


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _special(sql: str, i: int, dialect: str, backslash: bool) -> tuple[str, int] | None:
    """The quoted or comment segment starting at ``i`` (kind, end), or None for code."""
    c, n = sql[i], len(sql)
    pg, my = dialect in ("postgresql", "generic"), dialect == "mysql"
    if c == "-" and sql.startswith("--", i):
        # MySQL needs a space (or control character) after "--": 1--1 is arithmetic there.
        if not my or i + 2 == n or sql[i + 2] in " \t\r\n\f\v":
            return "comment", _line_end(sql, i)
    elif c == "#" and my:
        return "comment", _line_end(sql, i)
    elif c == "/" and sql.startswith("/*", i):
        if my and (sql.startswith("/*!", i) or sql.startswith("/*M!", i)):
            raise NodeError("sql: MySQL executable comments (/*! … */) are not allowed")
        return "comment", _block_comment_end(sql, i, nested=dialect == "postgresql")
    elif c == "'":
        e_string = pg and i > 0 and sql[i - 1] in "eE" and (i < 2 or not _ident_char(sql[i - 2]))
        return "string", _quoted_end(sql, i, "'", backslash or e_string)
    elif c == '"':
        if my:
            return "string", _quoted_end(sql, i, '"', backslash)
        return "ident", _quoted_end(sql, i, '"', False)
    elif c == "`" and dialect in ("mysql", "sqlite", "generic"):
        return "ident", _quoted_end(sql, i, "`", False)
    elif c == "[" and dialect == "sqlite":
        end = sql.find("]", i + 1)
        return "ident", n if end < 0 else end + 1
    elif c == "$" and pg and (i == 0 or not _ident_char(sql[i - 1])):
        match = _DOLLAR.match(sql, i)
        if match:
            close = sql.find(match.group(0), match.end())
            return "string", n if close < 0 else close + len(match.group(0))
    return None


def scan(sql: str, dialect: str, *, backslash: bool | None = None) -> list[Segment]:
    """Split ``sql`` into code, string, identifier and comment segments."""
    if backslash is None:
        backslash = _DEFAULT_BACKSLASH.get(dialect, False)
    segments: list[Segment] = []
    i, code_start, n = 0, 0, len(sql)
    while i < n:
        found = _special(sql, i, dialect, backslash)
        if found is None:
            i += 1
            continue
        kind, end = found
        if i > code_start:
            segments.append(("code", code_start, i))
        segments.append((kind, i, end))
        i = code_start = end
    if n > code_start:
        segments.append(("code", code_start, n))
    return segments


def _readings(sql: str, dialect: str) -> list[list[Segment]]:
    """The scans under both backslash rules, the dialect's default first."""
    default = _DEFAULT_BACKSLASH.get(dialect, False)
    return [scan(sql, dialect, backslash=default), scan(sql, dialect, backslash=not default)]


# -- statement checks -----------------------------------------------------------------------
def single_statement(sql: str, dialect: str, *, field: str = "sql") -> str:
    """``sql`` without its trailing ``;``; a NodeError if it holds more than one statement."""
    readings = _readings(sql, dialect)
    cut = None
    for segments in readings:
        end = _statement_end(sql, segments, field)
        if cut is None:
            cut = end
    statement = sql[:cut].strip()
    if not any(k != "comment" and sql[s:e].strip() for k, s, e in scan(statement, dialect)):
        raise NodeError(f"{field}: the statement is empty")
    return statement


def _statement_end(sql: str, segments: list[Segment], field: str) -> int:
    semicolon = None
    for kind, start, end in segments:
        if kind == "comment":
            continue
        text = sql[start:end]
        if semicolon is None:
            if kind == "code" and ";" in text:
                semicolon = start + text.index(";")
                rest = text[text.index(";") :]
            else:
                continue
        else:
            rest = text
        if kind != "code" or rest.replace(";", "").strip():
            raise NodeError(
                f"{field}: only one statement is allowed; another starts after ';' "
                f"at position {semicolon}"
            )
    return len(sql) if semicolon is None else semicolon


def _words(sql: str, segments: list[Segment]) -> list[str]:
    code = " ".join(sql[s:e] for kind, s, e in segments if kind == "code")
    return [w.upper() for w in _WORD.findall(code)]


def check_read_only(sql: str, dialect: str, *, connection: str, field: str = "sql") -> None:
    """Refuse anything but a single SELECT / WITH … SELECT (call ``single_statement`` first)."""
    where = (
        f"{field}: connection {connection!r} is read_only, so only one SELECT (or WITH … SELECT)"
    )
    for segments in _readings(sql, dialect):
        first = next(
            ((k, s, e) for k, s, e in segments if k != "comment" and sql[s:e].strip(" \t\r\n(")),
            None,
        )
        words = _words(sql, segments)
        if first is None or first[0] != "code" or not words or words[0] not in ("SELECT", "WITH"):
            raise NodeError(f"{where} is allowed")
        for i, word in enumerate(words):
            if word in _WRITE_WORDS:
                raise NodeError(f"{where} is allowed; found {word}")
            if word == "FOR" and i + 1 < len(words) and words[i + 1] in ("SHARE", "KEY", "NO"):
                raise NodeError(f"{where} is allowed; found FOR {words[i + 1]}")


# -- parameters -----------------------------------------------------------------------------
def sql_parameters(sql: str, dialect: str) -> list[str]:
    """The ``:name`` parameters of ``sql`` outside quotes and comments, in order of use."""
    names: dict[str, None] = {}
    for kind, start, end in scan(sql, dialect):
        if kind == "code":
            names.update((m.group(1), None) for m in _BIND.finditer(sql, start, end))
    return list(names)


def rename_sql_parameter(sql: str, dialect: str, old: str, new: str) -> str:
    """``sql`` with every ``:old`` that ``sql_parameters`` would find written ``:new``.

    >>> rename_sql_parameter("SELECT :n, ':n', :nn -- :n", "generic", "n", "limit")
    "SELECT :limit, ':n', :nn -- :n"
    """
    pieces, last = [], 0
    for kind, start, end in scan(sql, dialect):
        if kind != "code":
            continue
        for match in _BIND.finditer(sql, start, end):
            if match.group(1) == old:
                pieces += [sql[last : match.start(1)], new]
                last = match.end(1)
    return "".join(pieces) + sql[last:]


def bound_text(
    sql: str, dialect: str, params: Mapping[str, Any], *, field: str = "sql"
) -> sa.TextClause:
    """A ``text()`` clause with every ``:name`` bound to ``params[name]`` (lists expand for IN).

    Colons inside quotes and comments are escaped, so ``':x'`` stays text; a literal colon in
    code is written ``\\:`` as in SQLAlchemy.
    """
    parts = []
    for kind, start, end in scan(sql, dialect):
        piece = sql[start:end]
        if kind != "code":
            piece = _BIND_ESCAPED.sub(lambda m: "\\\\" + m.group(1), piece)
            piece = _BIND.sub(lambda m: "\\:" + m.group(1), piece)
        parts.append(piece)
    clause = sa.text("".join(parts))
    binds = []
    for name in sql_parameters(sql, dialect):
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise NodeError(f"{field}: parameter :{name} is not a flow parameter (have: {known})")
        value = params[name]
        if isinstance(value, list | tuple | set | frozenset):
            binds.append(sa.bindparam(name, list(value), expanding=True))
        else:
            binds.append(sa.bindparam(name, value))
    return clause.bindparams(*binds) if binds else clause


# -- names ----------------------------------------------------------------------------------
def check_identifier(name: str, dialect: str, *, field: str) -> str:
    """Refuse names the database would mangle: empty, NUL, or longer than it keeps."""
    if not name or not name.strip():
        raise NodeError(f"{field}: a name is required")
    if "\x00" in name:
        raise NodeError(f"{field}: {name!r} contains a NUL character")
    limit = _MAX_IDENT.get(dialect, 63)
    size = len(name.encode()) if dialect == "postgresql" else len(name)
    if size > limit:
        # PostgreSQL would silently cut it, and might then find a different table.
        raise NodeError(f"{field}: {name[:20]!r}… is longer than {dialect} allows ({limit})")
    return name


def quote_identifier(dialect: sa.Dialect, name: str) -> str:
    """``name`` quoted by the dialect, always (quote characters inside are doubled)."""
    return dialect.identifier_preparer.quote_identifier(name)


def sql_column(name: str) -> sa.ColumnClause[Any]:
    return sa.column(quoted_name(name, quote=True))


def sql_table(name: str, schema: str | None = None, columns: Sequence[str] = ()) -> sa.TableClause:
    return sa.table(
        quoted_name(name, quote=True),
        *(sql_column(c) for c in columns),
        schema=quoted_name(schema, quote=True) if schema else None,
    )


def order_by_clauses(dialect: str, keys: Sequence[SortKey]) -> list[sa.ColumnElement[Any]]:
    """ORDER BY terms with nulls last in both directions, as pandas sorts.

    MySQL has no NULLS LAST: ``col IS NULL`` (false first) goes before the column instead.
    """
    clauses: list[sa.ColumnElement[Any]] = []
    for key in keys:
        col = sql_column(key.column)
        term = col.asc() if key.ascending else col.desc()
        if dialect == "mysql":
            clauses += [col.is_(None).asc(), term]
        else:
            clauses.append(term.nulls_last())
    return clauses
