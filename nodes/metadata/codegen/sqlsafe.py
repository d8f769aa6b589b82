"""Checking SQL expressions from the metadata before they go into generated DDL.

Defaults, CHECK conditions, generated-column and partial-index expressions are SQL text by
nature: the catalog spells them that way and the metadata stores them so. A person may edit
those rows, so generated DDL takes an expression only when every token of it is harmless:
string and number literals, casts to a type name, the table's own columns, operators,
parentheses and a short list of keywords and functions. No ``;``, no comment, no dollar
quote, no other function: an expression that breaks out of its clause or calls something
like ``pg_read_file`` is refused with a NodeError that names the row.

>>> safe_expression("((price >= (0)::numeric))", columns={"price"}, where="t.price")
'((price >= (0)::numeric))'
>>> safe_expression("'pending'::shop.order_status", columns=set(), where="t.status")
"'pending'::shop.order_status"
>>> safe_expression("now()); DROP TABLE t; --", columns=set(), where="t.created_at")
Traceback (most recent call last):
...
flows.errors.NodeError: ddl: t.created_at: the expression 'now()); DROP TABLE t; --' has ';',
which generated DDL does not take
"""

from __future__ import annotations

import re

from flows.errors import NodeError

__all__ = ["safe_expression"]

_KEYWORDS = {
    "and", "or", "not", "in", "is", "null", "true", "false", "any", "all", "some", "array",
    "between", "like", "ilike", "similar", "to", "escape", "case", "when", "then", "else",
    "end", "current_timestamp", "current_date", "current_time", "localtimestamp",
    "localtime", "distinct", "from", "interval", "cast", "as", "unknown",
}  # fmt: skip
_FUNCTIONS = {
    "now", "nextval", "gen_random_uuid", "uuid_generate_v4", "lower", "upper", "length",
    "char_length", "character_length", "octet_length", "btrim", "ltrim", "rtrim", "trim",
    "coalesce", "nullif", "abs", "round", "floor", "ceil", "ceiling", "array_length",
    "cardinality", "jsonb_typeof", "json_typeof", "jsonb_array_length", "date_trunc",
    "timezone", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    "greatest", "least", "to_jsonb", "jsonb_build_object", "jsonb_build_array",
}  # fmt: skip
# Words that continue a type name after its first word: ``character varying``,
# ``timestamp with time zone``, ``double precision``.
_TYPE_WORDS = {"varying", "precision", "with", "without", "time", "zone"}
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      |(?P<string>'(?:[^']|'')*')
      |(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<quoted>"(?:[^"]|"")+")
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>::|<=|>=|<>|!=|\|\||!~~\*|!~~|~~\*|~~|!~\*|!~|~\*|[-=<>+*/%(),\[\].~])""",
    re.VERBOSE,
)
_FORBIDDEN = (";", "--", "/*", "*/", "$", "\\")


def _refuse(expression: str, where: str, why: str) -> NodeError:
    return NodeError(
        f"ddl: {where}: the expression {expression!r} has {why}, which generated DDL does not take"
    )


def safe_expression(expression: str, *, columns: set[str], where: str) -> str:
    """``expression`` unchanged when every token is one generated DDL may contain."""
    code = re.sub(r"'(?:[^']|'')*'", "''", expression)
    for bad in _FORBIDDEN:
        if bad in code:
            raise _refuse(expression, where, repr(bad))
    tokens: list[tuple[str, str, int, int]] = []
    pos = 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise _refuse(expression, where, repr(expression[pos]))
        if match.lastgroup != "ws":
            tokens.append((match.lastgroup or "", match.group(0), match.start(), match.end()))
        pos = match.end()
    bare_columns = {c for c in columns if re.fullmatch(r"[a-z_][a-z0-9_]*", c)}
    i = 0
    while i < len(tokens):
        kind, text, start, _end = tokens[i]
        if text == "::" or (kind == "word" and text.lower() == "as"):
            i = _skip_type(tokens, i + 1, expression, where)
            continue
        if kind == "string" and i and tokens[i - 1][0] == "word" and tokens[i - 1][3] == start:
            # E'..', U&'..', B'..': a prefix changes how the string is read.
            raise _refuse(expression, where, f"a prefixed string {tokens[i - 1][1]}{text}")
        if kind == "quoted" and text[1:-1].replace('""', '"') not in columns:
            raise _refuse(expression, where, f"the name {text}")
        if kind == "word":
            low = text.lower()
            call = i + 1 < len(tokens) and tokens[i + 1][1] == "("
            allowed = low in _KEYWORDS or (low in _FUNCTIONS if call else low in bare_columns)
            if not allowed:
                raise _refuse(expression, where, f"the word {text!r}")
        i += 1
    return expression


def _skip_type(tokens: list[tuple[str, str, int, int]], i: int, expression: str, where: str) -> int:
    """The index after the type name that starts at ``i`` (``schema.name(10,2)[]``)."""
    n = len(tokens)
    if i >= n or tokens[i][0] not in ("word", "quoted"):
        raise _refuse(expression, where, "a cast without a type")
    i += 1
    while i + 1 < n and tokens[i][1] == "." and tokens[i + 1][0] in ("word", "quoted"):
        i += 2
    while i < n and tokens[i][0] == "word" and tokens[i][1].lower() in _TYPE_WORDS:
        i += 1
    if i < n and tokens[i][1] == "(":
        i += 1
        while i < n and (tokens[i][0] == "number" or tokens[i][1] == ","):
            i += 1
        if i >= n or tokens[i][1] != ")":
            raise _refuse(expression, where, "a type with odd modifiers")
        i += 1
    while i + 1 < n and tokens[i][1] == "[" and tokens[i + 1][1] == "]":
        i += 2
    return i
