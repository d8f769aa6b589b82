"""Text -> ``ast`` for the expression language: preprocessing, parsing and error positions.

Backticked column names and ``@parameters`` are not Python, so a small scanner that knows where
string literals and comments are replaces them with placeholder identifiers before ``ast.parse``.
The placeholders carry a prefix that does not occur anywhere in the text (nor in its NFKC form,
which is what Python turns identifiers into), so user text can never produce one.

>>> parsed = parse("`unit price` * 2 > @limit")
>>> sorted(parsed.columns.values()), sorted(parsed.params.values())
(['unit price'], ['limit'])
>>> parse("a +* b")
Traceback (most recent call last):
...
flows.errors.ExpressionError: invalid syntax (at position 3)
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from itertools import count

from flows.errors import ExpressionError

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_NODES",
    "MAX_STRING",
    "MAX_TEXT",
    "Parsed",
    "parse",
    "rename_parameter",
]

MAX_TEXT = 10_000
MAX_DEPTH = 60
MAX_NODES = 2_000
MAX_STRING = 10_000
MAX_EXPONENT = 1_000

_STRING_PREFIXES = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf"})
# Python's tokenizer counts \r\n, \r and \n as line ends; positions must agree with it.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _is_ident_char(ch: str) -> bool:
    return ("a" + ch).isidentifier()


def _string_end(text: str, quote_at: int) -> int:
    """Index just past the string literal whose opening quote is at ``quote_at``."""
    delim = text[quote_at] * 3 if text.startswith(text[quote_at] * 3, quote_at) else text[quote_at]
    k, n = quote_at + len(delim), len(text)
    while k < n:
        if text[k] == "\\":
            k += 2  # an escaped character (a quote too, even in raw strings) never ends it
        elif text.startswith(delim, k):
            return k + len(delim)
        elif len(delim) == 1 and text[k] in "\r\n":
            return k  # unterminated: ast.parse reports it
        else:
            k += 1
    return n


@dataclass(frozen=True)
class Parsed:
    """The original text, its tree, and what the placeholders stand for."""

    text: str
    tree: ast.Expression
    columns: dict[str, str]  # placeholder -> backticked column name
    params: dict[str, str]  # placeholder -> parameter name
    _pre: str
    _pos: tuple[int, ...]  # offset in the preprocessed text -> offset in the original
    _line_starts: tuple[int, ...]

    def _offset(self, lineno: int | None, col: int | None) -> int:
        if lineno is None or col is None:
            return 0
        start = self._line_starts[min(lineno, len(self._line_starts)) - 1]
        # ast column offsets count UTF-8 bytes, not characters (and never fewer bytes than chars).
        head = self._pre[start : start + col].encode("utf-8")[:col]
        chars = len(head.decode("utf-8", errors="ignore"))
        return self._pos[min(start + chars, len(self._pos) - 1)]

    def start(self, node: ast.AST) -> int:
        """Offset of ``node`` in the original text."""
        return self._offset(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def end(self, node: ast.AST) -> int:
        return self._offset(
            getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        )

    def snippet(self, node: ast.AST, limit: int = 40) -> str:
        """The original text of ``node``, shortened for messages."""
        text = " ".join(self.text[self.start(node) : self.end(node)].split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def error(
        self, message: str, node: ast.AST | None = None, position: int | None = None
    ) -> ExpressionError:
        """An ExpressionError naming the offset in the original text."""
        if position is None and node is not None:
            position = self.start(node)
        return _error(message, position)


def _error(message: str, position: int | None) -> ExpressionError:
    where = f" (at position {position})" if position is not None else ""
    return ExpressionError(f"{message}{where}", position=position)


def _preprocess(
    text: str, spans: list[tuple[int, int, str]] | None = None
) -> tuple[str, list[int], dict[str, str], dict[str, str]]:
    """The text with placeholders; ``spans`` (when given) gets ``(start, end, name)`` of each
    ``@name`` in the original text."""
    normal = unicodedata.normalize("NFKC", text)
    prefix = next(p for k in count() if (p := f"_mx{k}_") not in text and p not in normal)
    # Parentheses around the text let it start with spaces and span lines; the closing one
    # goes on its own line so that a trailing # comment cannot swallow it.
    out: list[str] = ["("]
    pos: list[int] = [0]
    columns: dict[str, str] = {}
    params: dict[str, str] = {}

    def copy(i: int, j: int) -> None:
        out.append(text[i:j])
        pos.extend(range(i, j))

    def placeholder(table: dict[str, str], tag: str, name: str, at: int, end: int) -> None:
        ident = next((k for k, v in table.items() if v == name), f"{prefix}{tag}{len(table)}")
        table[ident] = name
        # Spaces keep a placeholder from fusing with a neighbouring identifier or number. The
        # placeholder maps to its start in the original text, the space after it to its end.
        out.append(f" {ident} ")
        pos.extend([at] * (len(ident) + 1) + [end])

    i, n, depth = 0, len(text), 0
    while i < n:
        c = text[i]
        if c in "'\"":
            j = _string_end(text, i)
        elif c.isidentifier():
            j = i + 1
            while j < n and _is_ident_char(text[j]):
                j += 1
            if j < n and text[j] in "'\"" and text[i:j].lower() in _STRING_PREFIXES:
                j = _string_end(text, j)
        elif c == "#":
            j = n if (j := text.find("\n", i)) < 0 else j
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise _error(
                    "unterminated backtick: a column name in backticks needs a closing `", i
                )
            name = text[i + 1 : j]
            if not name or "\n" in name or "\r" in name:
                raise _error("a column name in backticks must be one non-empty line", i)
            placeholder(columns, "c", name, i, j + 1)
            i = j + 1
            continue
        elif c == "@":
            j = i + 1
            while j < n and _is_ident_char(text[j]):
                j += 1
            if not text[i + 1 : j].isidentifier():
                raise _error("expected a parameter name after '@'", i)
            placeholder(params, "p", text[i + 1 : j], i, j)
            if spans is not None:
                spans.append((i, j, text[i + 1 : j]))
            i = j
            continue
        else:
            # Refuse deep bracket nesting before the parser sees it (it has its own, worse limits).
            depth += 1 if c in "([{" else -1 if c in ")]}" else 0
            if depth > MAX_DEPTH:
                raise _error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", i)
            j = i + 1
        copy(i, j)
        i = j
    out.append("\n)")
    pos.extend([n, n, n])  # the closing lines, and the end of the text
    return "".join(out), pos, columns, params


def _syntax_message(exc: SyntaxError, shown: dict[str, str]) -> str:
    message = (exc.msg or "invalid syntax").split(" (<unknown>")[0]
    for ident, name in shown.items():
        message = message.replace(ident, name)
    return message


def rename_parameter(text: str, old: str, new: str) -> str:
    """``text`` with every ``@old`` written ``@new``; strings, comments and backticked names
    are left as they are. ExpressionError when ``text`` cannot be scanned.

    >>> rename_parameter("x > @lim and y == '@lim' and z < @limit  # @lim", "lim", "cap")
    "x > @cap and y == '@lim' and z < @limit  # @lim"
    """
    spans: list[tuple[int, int, str]] = []
    _preprocess(text, spans)
    pieces, last = [], 0
    for start, end, name in spans:
        if name == old:
            pieces += [text[last:start], "@", new]
            last = end
    return "".join(pieces) + text[last:]


def parse(text: str) -> Parsed:
    """Check the limits, replace backticks and ``@names``, and parse with ``ast``."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ExpressionError(
            f"expression is too long ({len(text):,} characters; the limit is {MAX_TEXT:,})"
        )
    if not text.strip():
        raise ExpressionError("expression is empty")
    if "\x00" in text:
        raise _error("expression contains a NUL character", text.index("\x00"))
    pre, pos, columns, params = _preprocess(text)
    line_starts = tuple([0] + [m.end() for m in _NEWLINE.finditer(pre)])
    try:
        tree = ast.parse(pre, mode="eval")
    except SyntaxError as exc:
        at = None
        if exc.lineno is not None and exc.offset is not None:
            line = line_starts[min(exc.lineno, len(line_starts)) - 1]
            at = pos[min(line + max(exc.offset - 1, 0), len(pos) - 1)]
        shown = {k: f"`{v}`" for k, v in columns.items()} | {k: f"@{v}" for k, v in params.items()}
        message = _syntax_message(exc, shown)
        raise _error(message, at) from None
    except (RecursionError, MemoryError):
        # CPython's parser gives up on long chains of unary operators this way.
        raise _error(
            f"expression is nested too deeply (more than {MAX_DEPTH} levels)", None
        ) from None
    except ValueError as exc:  # defensive: ast.parse documents it for bad source
        raise _error(f"invalid expression: {exc}", None) from None
    return Parsed(text, tree, columns, params, pre, tuple(pos), line_starts)
