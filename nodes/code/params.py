"""Renaming a flow parameter in user code, which reads it as ``params['name']``.

Only the two spellings the node docs give are rewritten, token by token (inside f-strings too),
so a string that merely holds the same text stays as it is:

>>> rename_parameter("n = params['lim'] + params.get( \\"lim\\", 0)\\nlabel = 'lim'", "lim", "cap")
'n = params[\\'cap\\'] + params.get( "cap", 0)\\nlabel = \\'lim\\''
"""

from __future__ import annotations

import io
import re
import tokenize

from flows.errors import ConfigError

__all__ = ["rename_parameter"]

_LEADS = (("params", "["), ("params", ".", "get", "("))
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})


def _plain_text(literal: str) -> str | None:
    """The text of a one-quote string literal without prefix or escapes, else None."""
    if len(literal) < 2 or literal[0] not in "'\"" or literal[-1] != literal[0]:
        return None
    inner = literal[1:-1]
    return None if "\\" in inner or literal[0] in inner else inner


def _in_fstring(literal: str, old: str, new: str) -> str:
    """An f-string token (one token before Python 3.12) with the uses in its fields renamed."""
    prefix = literal[: len(literal) - len(literal.lstrip("rRbBuUfF"))]
    if "f" not in prefix.lower():
        return literal
    use = re.compile(r"(params\s*(?:\[|\.\s*get\s*\()\s*)(['\"])" + re.escape(old) + r"\2")
    return use.sub(lambda m: f"{m.group(1)}{m.group(2)}{new}{m.group(2)}", literal)


def rename_parameter(code: str, old: str, new: str) -> str:
    """``code`` with ``params['old']`` and ``params.get('old'…)`` reading ``new``;
    ConfigError when the code cannot be tokenised."""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(code).readline)
            if t.type not in _SKIPPED
        ]
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ConfigError(f"code cannot be read: {exc}") from None
    starts = [0]
    for line in io.StringIO(code).readlines():
        starts.append(starts[-1] + len(line))
    pieces, last = [], 0
    for i, token in enumerate(tokens):
        if token.type != tokenize.STRING:
            continue
        if _plain_text(token.string) == old and any(
            tuple(t.string for t in tokens[max(i - len(lead), 0) : i]) == lead for lead in _LEADS
        ):
            quote = token.string[0]
            renamed = f"{quote}{new}{quote}"
        else:
            renamed = _in_fstring(token.string, old, new)
        if renamed != token.string:
            start = starts[token.start[0] - 1] + token.start[1]
            pieces += [code[last:start], renamed]
            last = start + len(token.string)
    return "".join(pieces) + code[last:]
