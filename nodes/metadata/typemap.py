"""Column types: one PostgreSQL spelling for both sources, GraphQL types and form types.

``pg_type`` in ``mappings_column`` is the type the platform creates in PostgreSQL, so MySQL
types are translated (``tinyint(1)`` -> ``BOOLEAN``, ``datetime`` -> ``TIMESTAMP``,
``int auto_increment`` -> ``SERIAL``, ``enum(...)`` -> ``VARCHAR(n)`` plus its values). The
spelling is canonical (``VARCHAR(255)``, ``TIMESTAMPTZ``, ``NUMERIC(10,2)``, ``TEXT[]``) so a
re-run compares equal and generated DDL can check a type against a closed list.

>>> parse_pg_type("character varying(255)").render(), parse_pg_type("timestamp(3) with time zone")
('VARCHAR(255)', PgType(base='TIMESTAMPTZ', args=(3,), dims=0))
>>> mysql_pg_type("tinyint(1)", "tinyint", auto_increment=False).render()
'BOOLEAN'
>>> graphql_type(parse_pg_type("bigserial")), graphql_type(parse_pg_type("text[]"))
('BigInt', '[String]')
>>> check_values("size::text = ANY (ARRAY['S'::character varying, 'M'::character varying])", "size")
['S', 'M']
>>> check_values("`size` in ('S','M','it''s')", "size")
['S', 'M', "it's"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GRAPHQL_SCALARS",
    "PgType",
    "bounds",
    "check_values",
    "form_type",
    "graphql_type",
    "mysql_pg_type",
    "parse_pg_type",
    "parse_sql_strings",
    "validation_rules",
]

# Spellings PostgreSQL accepts -> the one we store. Keys are lower case, single spaced.
_ALIASES = {
    "int2": "SMALLINT", "smallint": "SMALLINT", "int": "INTEGER", "int4": "INTEGER",
    "integer": "INTEGER", "int8": "BIGINT", "bigint": "BIGINT", "serial2": "SMALLSERIAL",
    "smallserial": "SMALLSERIAL", "serial": "SERIAL", "serial4": "SERIAL", "serial8": "BIGSERIAL",
    "bigserial": "BIGSERIAL", "decimal": "NUMERIC", "numeric": "NUMERIC", "real": "REAL",
    "float4": "REAL", "float8": "DOUBLE PRECISION", "double precision": "DOUBLE PRECISION",
    "float": "DOUBLE PRECISION", "bool": "BOOLEAN", "boolean": "BOOLEAN",
    "character varying": "VARCHAR", "varchar": "VARCHAR", "character": "CHAR", "char": "CHAR",
    "bpchar": "CHAR", "text": "TEXT", "citext": "CITEXT", "name": "NAME", "date": "DATE",
    "timestamp": "TIMESTAMP", "timestamp without time zone": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ", "timestamp with time zone": "TIMESTAMPTZ", "time": "TIME",
    "time without time zone": "TIME", "timetz": "TIMETZ", "time with time zone": "TIMETZ",
    "interval": "INTERVAL", "uuid": "UUID", "json": "JSON", "jsonb": "JSONB", "bytea": "BYTEA",
    "inet": "INET", "cidr": "CIDR", "macaddr": "MACADDR", "money": "MONEY", "xml": "XML",
    "tsvector": "TSVECTOR", "oid": "OID", "bit": "BIT", "bit varying": "VARBIT",
    "varbit": "VARBIT",
}  # fmt: skip
PG_TYPES = frozenset(_ALIASES.values())
_TYPE = re.compile(
    r"^(?P<name>[a-z][a-z0-9 ]*?)\s*(?:\((?P<args>\s*\d+\s*(?:,\s*\d+\s*)?)\))?"
    r"(?P<tz>\s+with(?:out)?\s+time\s+zone)?(?P<arr>(?:\s*\[\d*\])*)$"
)
_INTEGERS = {"SMALLINT", "INTEGER", "BIGINT", "SMALLSERIAL", "SERIAL", "BIGSERIAL"}
_SERIAL_OF = {"SMALLINT": "SMALLSERIAL", "INTEGER": "SERIAL", "BIGINT": "BIGSERIAL"}
_GRAPHQL = {
    "SMALLINT": "Int", "INTEGER": "Int", "SMALLSERIAL": "Int", "SERIAL": "Int",
    "BIGINT": "BigInt", "BIGSERIAL": "BigInt", "NUMERIC": "Decimal", "MONEY": "Decimal",
    "REAL": "Float", "DOUBLE PRECISION": "Float", "BOOLEAN": "Boolean", "DATE": "Date",
    "TIMESTAMP": "DateTime", "TIMESTAMPTZ": "DateTime", "TIME": "Time", "TIMETZ": "Time",
    "JSON": "JSON", "JSONB": "JSON",
}  # fmt: skip
# Custom scalars the generated SDL declares when used (everything else is built in).
GRAPHQL_SCALARS = ("BigInt", "Decimal", "Date", "DateTime", "Time", "JSON")


@dataclass(frozen=True)
class PgType:
    """A PostgreSQL type: canonical base name, modifiers (length, precision), array depth."""

    base: str
    args: tuple[int, ...] = ()
    dims: int = 0

    def render(self) -> str:
        mods = f"({','.join(map(str, self.args))})" if self.args else ""
        return f"{self.base}{mods}{'[]' * self.dims}"

    @property
    def element(self) -> PgType:
        return PgType(self.base, self.args)

    @property
    def is_serial(self) -> bool:
        return self.base.endswith("SERIAL")


def parse_pg_type(text: str) -> PgType | None:
    """The canonical type of ``text`` (``format_type`` output or a hand-written type), or None
    when it is not one of PostgreSQL's built-in types (an enum, a domain, a typo)."""
    match = _TYPE.match(" ".join(text.strip().lower().split()))
    if match is None:
        return None
    name = match["name"] + (" " + " ".join(match["tz"].split()) if match["tz"] else "")
    base = _ALIASES.get(name)
    if base is None:
        return None
    args = tuple(int(a) for a in match["args"].split(",")) if match["args"] else ()
    if base in {"TIMESTAMPTZ", "TIMESTAMP", "TIME", "TIMETZ"} and len(args) > 1:
        return None
    return PgType(base, args, match["arr"].count("["))


def mysql_pg_type(column_type: str, data_type: str, *, auto_increment: bool) -> PgType:
    """The PostgreSQL type for a MySQL/MariaDB column (``COLUMN_TYPE``, ``DATA_TYPE``)."""
    ctype, dtype = column_type.lower(), data_type.lower()
    unsigned = "unsigned" in ctype
    args = tuple(int(a) for a in re.findall(r"\d+", ctype.split(")")[0])) if "(" in ctype else ()
    if ctype.startswith("tinyint(1)") or (dtype == "bit" and args == (1,)):
        return PgType("BOOLEAN")
    ints = {
        "tinyint": "SMALLINT",
        "smallint": "SMALLINT",
        "mediumint": "INTEGER",
        "int": "INTEGER",
        "integer": "INTEGER",
        "bigint": "BIGINT",
        "year": "SMALLINT",
    }
    if dtype in ints:
        base = ints[dtype]
        if unsigned:  # the unsigned range needs the next size up
            base = {"SMALLINT": "INTEGER", "INTEGER": "BIGINT", "BIGINT": "NUMERIC"}[base]
        if base == "NUMERIC":
            return PgType("NUMERIC", (20,))
        return PgType(_SERIAL_OF[base]) if auto_increment else PgType(base)
    simple = {
        "float": "REAL", "double": "DOUBLE PRECISION", "real": "DOUBLE PRECISION",
        "date": "DATE", "time": "TIME", "json": "JSONB", "uuid": "UUID", "inet4": "INET",
        "inet6": "INET", "tinytext": "TEXT", "text": "TEXT", "mediumtext": "TEXT",
        "longtext": "TEXT", "set": "TEXT", "binary": "BYTEA", "varbinary": "BYTEA",
        "tinyblob": "BYTEA", "blob": "BYTEA", "mediumblob": "BYTEA", "longblob": "BYTEA",
        "bit": "BIT",
    }  # fmt: skip
    if dtype in ("decimal", "numeric"):
        return PgType("NUMERIC", args)
    if dtype in ("char", "varchar"):
        return PgType("CHAR" if dtype == "char" else "VARCHAR", args[:1])
    if dtype == "enum":
        longest = max((len(v) for v in parse_sql_strings(column_type)), default=1)
        return PgType("VARCHAR", (longest,))
    if dtype == "datetime":
        return PgType("TIMESTAMP", args[:1])
    if dtype == "timestamp":
        return PgType("TIMESTAMPTZ", args[:1])
    if dtype == "bit":
        return PgType("BIT", args[:1])
    return PgType(simple.get(dtype, "TEXT"))


_STRING = re.compile(r"'((?:[^']|'')*)'")


def parse_sql_strings(text: str) -> list[str]:
    """Every single-quoted SQL string literal in ``text``, unescaped."""
    return [m.group(1).replace("''", "'") for m in _STRING.finditer(text)]


def _column_ref(column: str) -> str:
    name = re.escape(column)
    return rf'(?:"{name}"|`{name}`|\b{name}\b)'


def _code_only(condition: str) -> tuple[str, list[str]]:
    """``condition`` with string literals replaced by ``?`` (returned in order) and casts and
    parentheses outside them removed: ``((size)::text = ANY (...))`` -> ``size = ANY ...``."""
    literals = parse_sql_strings(condition)
    code = _STRING.sub("?", condition)
    code = re.sub(
        r"::\s*[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*(?:\[\])*", "", code, flags=re.IGNORECASE
    )
    code = code.replace("(", " ").replace(")", " ")
    return " ".join(code.split()), literals


def check_values(condition: str, column: str) -> list[str] | None:
    """The allowed values when ``condition`` is ``column IN ('a', 'b')`` (any dialect's
    spelling, PostgreSQL's ``= ANY (ARRAY[...])`` included); None for any other condition."""
    code, literals = _code_only(condition)
    col = _column_ref(column)
    shapes = (
        rf"^{col} ?= ?ANY ?ARRAY ?\[(?P<list>[?, ]*)\]$",
        rf"^{col} in (?P<list>[?, ]*)$",
    )
    for shape in shapes:
        match = re.match(shape, code, re.IGNORECASE)
        if match and literals and match["list"].count("?") == len(literals):
            return literals
    return None


def bounds(condition: str, column: str) -> dict[str, float]:
    """JSON-Schema-like bounds from ``column >= 0`` style conditions (empty when none)."""
    code, literals = _code_only(condition)
    if literals:
        return {}
    match = re.match(
        rf"^{_column_ref(column)} ?(?P<op>>=|<=|>|<) ?(?P<num>-?\d+(?:\.\d+)?)$",
        code,
        re.IGNORECASE,
    )
    if match is None:
        return {}
    key = {">=": "min", ">": "exclusiveMin", "<=": "max", "<": "exclusiveMax"}[match["op"]]
    value = float(match["num"])
    return {key: int(value) if value.is_integer() else value}


def graphql_type(pg: PgType | None, *, is_id: bool = False) -> str:
    """The GraphQL named type for a column (``[T]`` for arrays); ``ID`` for keys."""
    if pg is None:
        return "String"  # enums and other user types travel as strings
    if is_id and pg.dims == 0:
        return "ID"
    named = _GRAPHQL.get(pg.base, "String")
    return "[" * pg.dims + named + "]" * pg.dims


_NAME_FORMS = (
    (re.compile(r"(^|_)(e_?mail)($|_)|email", re.IGNORECASE), "email"),
    (re.compile(r"(^|_)(password|passwd|pwd)($|_)", re.IGNORECASE), "password"),
    (re.compile(r"(^|_)(phone|tel|mobile|fax)($|_)", re.IGNORECASE), "tel"),
    (re.compile(r"(^|_)(url|website|homepage|link)($|_)", re.IGNORECASE), "url"),
)
_LONG_TEXT_NAMES = re.compile(
    r"(^|_)(description|bio|content|body|note|notes|comment|comments|summary|memo)($|_)",
    re.IGNORECASE,
)


def form_type(
    name: str, pg: PgType | None, *, values: list[str] | None, auto: bool, is_text: bool
) -> str:
    """The form widget for a column, from its type and name (see docs/metadata.md)."""
    if auto:
        return "hidden"
    if values:
        return "select"
    if pg is None:
        return "text"
    if pg.dims:
        return "json"
    base = pg.base
    if base == "BOOLEAN":
        return "checkbox"
    if base in _INTEGERS or base in {"NUMERIC", "REAL", "DOUBLE PRECISION", "MONEY"}:
        return "number"
    if base == "DATE":
        return "date"
    if base in {"TIMESTAMP", "TIMESTAMPTZ"}:
        return "datetime"
    if base in {"TIME", "TIMETZ"}:
        return "time"
    if base in {"JSON", "JSONB"}:
        return "json"
    if is_text:
        for pattern, kind in _NAME_FORMS:
            if pattern.search(name):
                return kind
        long = base in {"TEXT", "CITEXT"} or (bool(pg.args) and pg.args[0] > 255)
        if long or _LONG_TEXT_NAMES.search(name):
            return "textarea"
    return "text"


def is_text_type(pg: PgType | None) -> bool:
    return pg is not None and pg.dims == 0 and pg.base in {"VARCHAR", "CHAR", "TEXT", "CITEXT"}


def validation_rules(
    pg: PgType | None, form: str, conditions: list[str], column: str
) -> dict[str, Any] | None:
    """Rules a form can check: maxLength, email, min/max from simple CHECKs; None if none."""
    rules: dict[str, Any] = {}
    if pg is not None and pg.dims == 0 and pg.base in {"VARCHAR", "CHAR"} and pg.args:
        rules["maxLength"] = pg.args[0]
    if form == "email":
        rules["email"] = True
    for condition in conditions:
        rules.update(bounds(condition, column))
    return rules or None
