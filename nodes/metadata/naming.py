"""Names derived from database names: GraphQL types and fields, labels, Python names.

Database names are snake_case by convention but may hold anything (spaces, Korean, quotes).
GraphQL names must match ``[_A-Za-z][_0-9A-Za-z]*``, so a character outside ASCII is spelled
as ``U`` + its code point in hex: the name stays unique and readable enough, and no
transliteration table is needed. Plurals follow the common English rules and a few irregular
words; a word that does not change (``news``) gets ``List`` in list names.

>>> pascal_case("order_items"), camel_case("order_items"), camel_case("HTTPStatus")
('OrderItems', 'orderItems', 'httpStatus')
>>> singular("categories"), plural("category"), singular("addresses"), plural("person")
('category', 'categories', 'address', 'people')
>>> humanise("user_id"), humanise("full_name"), humanise("id"), humanise("createdAt")
('User', 'Full name', 'ID', 'Created at')
>>> camel_case("이름"), pascal_case("2fa codes")
('uC774UB984', 'N2FaCodes')
>>> python_name("class"), python_name("Full Name"), python_name("이름")
('class_', 'full_name', 'uc774ub984')
"""

from __future__ import annotations

import keyword
import re

__all__ = [
    "GRAPHQL_NAME",
    "camel_case",
    "humanise",
    "list_name",
    "pascal_case",
    "plural",
    "python_name",
    "singular",
    "split_words",
    "unique_name",
]

GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

# Word boundaries inside one run of letters: "HTTPStatus" -> HTTP|Status, "userId" -> user|Id.
_CASE_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\x00-\x7f]+")
_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "datum": "data",
    "criterion": "criteria",
    "index": "indices",
    "matrix": "matrices",
    "vertex": "vertices",
}
_SINGULAR_IRREGULAR = {v: k for k, v in _IRREGULAR.items()}
_UNCOUNTABLE = {
    "news", "data", "information", "equipment", "series", "species", "metadata", "media",
    "sheep", "fish", "money", "rice", "feedback", "staff", "inventory",
}  # fmt: skip


def _ascii(word: str) -> str:
    """``word`` with every non-ASCII character spelled ``U<hex>`` (GraphQL needs ASCII)."""
    return "".join(ch if ch.isascii() else f"U{ord(ch):X}" for ch in word)


def split_words(name: str) -> list[str]:
    """The words of ``name``: split on anything not a letter or digit, and on case changes."""
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z\u0080-\U0010ffff]+", name):
        words.extend(_CASE_SPLIT.findall(chunk))
    return [w for w in words if w]


def pascal_case(name: str) -> str:
    """``order_items`` -> ``OrderItems``; a leading digit gets an ``N`` in front."""
    words = [_ascii(w) for w in split_words(name)]
    out = "".join(
        w[:1].upper() + w[1:].lower() if w.isascii() and w.isalpha() else w for w in words
    )
    if not out:
        return "Unnamed"
    return "N" + out if out[0].isdigit() else out


def camel_case(name: str) -> str:
    """``order_items`` -> ``orderItems``; ``HTTPStatus`` -> ``httpStatus``."""
    pascal = pascal_case(name)
    if pascal.startswith("N") and len(pascal) > 1 and pascal[1].isdigit():
        return "n" + pascal[1:]
    head = re.match(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]", pascal)
    if head is None:
        return pascal
    return head.group(0).lower() + pascal[head.end() :]


def _match_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def plural(word: str) -> str:
    """English plural of the last word of ``word`` (``order_item`` -> ``order_items``)."""
    head, last = _split_last(word)
    low = last.lower()
    if not low.isascii() or not low.isalpha() or low in _UNCOUNTABLE:
        return word
    if low in _IRREGULAR:
        return head + _match_case(_IRREGULAR[low], last)
    if low in _SINGULAR_IRREGULAR:
        return word
    if re.search(r"[^aeiou]y$", low):
        return head + last[:-1] + "ies"
    if re.search(r"[^aeiou]sis$", low):
        return head + last[:-2] + "es"  # analysis -> analyses
    if re.search(r"(s|x|z|ch|sh)$", low):
        return head + last + "es"
    return head + last + "s"


def singular(word: str) -> str:
    """English singular of the last word of ``word`` (``order_items`` -> ``order_item``)."""
    head, last = _split_last(word)
    low = last.lower()
    if not low.isascii() or not low.isalpha() or low in _UNCOUNTABLE:
        return word
    if low in _SINGULAR_IRREGULAR:
        return head + _match_case(_SINGULAR_IRREGULAR[low], last)
    if low in _IRREGULAR:
        return word
    for pattern, repl in (
        (r"ies$", "y"),
        (r"(ss|us|x|z|ch|sh)es$", r"\1"),
        (r"yses$", "ysis"),
        (r"(us|ss|is)$", r"\1"),  # status, address, analysis: already singular
        (r"s$", ""),
    ):
        if re.search(pattern, low):
            cut = re.sub(pattern, repl, low)
            if cut == low[: len(cut)]:
                return head + last[: len(cut)]  # keeps the case of what stays
            return head + _match_case(cut, last)
    return word


def _split_last(word: str) -> tuple[str, str]:
    """``order_items`` -> (``order_``, ``items``); ``orderItems`` -> (``order``, ``Items``)."""
    match = re.search(r"([A-Z]?[a-z]+|[A-Z]+|[^_\W]+)$", word)
    if match is None:
        return word, ""
    return word[: match.start()], match.group(0)


def list_name(table: str) -> str:
    """The camelCase name of a list of ``table`` rows: ``orders``, ``newsList``."""
    one, many = camel_case(singular(table)), camel_case(plural(singular(table)))
    return many if many != one else many + "List"


def humanise(name: str) -> str:
    """A label from a column name: ``user_id`` -> ``User``, ``full_name`` -> ``Full name``."""
    words = split_words(name)
    if len(words) > 1 and words[-1].lower() == "id":
        words = words[:-1]  # "user_id" reads as "User", as Rails' humanize has it
    if not words:
        return name.strip() or name
    if [w.lower() for w in words] == ["id"]:
        return "ID"
    text = " ".join(w.lower() if not w.isupper() or len(w) == 1 else w for w in words)
    return text[:1].upper() + text[1:]


def python_name(name: str) -> str:
    """A snake_case Python identifier for ``name`` (keywords get a trailing ``_``)."""
    words = [_ascii(w).lower() for w in split_words(name)]
    out = "_".join(words) or "field"
    if out[0].isdigit():
        out = "f_" + out
    if keyword.iskeyword(out) or keyword.issoftkeyword(out):
        out += "_"
    return out


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3`` … : the first not in ``taken`` (which it joins)."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name
