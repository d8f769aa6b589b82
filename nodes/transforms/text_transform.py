"""text_transform: a chain of text operations (trim, case, replace, pad, slice, ...) on a column."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import column_field
from nodes.tables import require_columns, single_table

__all__ = ["TextTransform", "TextTransformConfig"]


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trim(_Op):
    op: Literal["trim"]
    chars: str | None = Field(default=None, description="Characters to strip; default whitespace.")


class Lower(_Op):
    op: Literal["lower"]


class Upper(_Op):
    op: Literal["upper"]


class Title(_Op):
    op: Literal["title"]


class Replace(_Op):
    op: Literal["replace"]
    old: str = Field(min_length=1, description="Exact text to find.")
    new: str = Field(default="", description="Text to put in its place.")


class RegexReplace(_Op):
    op: Literal["regex_replace"]
    pattern: str = Field(min_length=1, description="Regular expression (Python syntax).")
    replacement: str = Field(default="", description=r"Replacement; \1 or \g<name> for groups.")


class Pad(_Op):
    op: Literal["pad"]
    width: int = Field(ge=0, le=100_000, description="Minimum length of the result.")
    side: Literal["left", "right", "both"] = "left"
    fillchar: str = Field(default=" ", min_length=1, max_length=1)


class Slice(_Op):
    op: Literal["slice"]
    start: int | None = Field(
        default=None, description="First character (0-based; negative from the end)."
    )
    stop: int | None = Field(default=None, description="Stop before this character.")


class Length(_Op):
    op: Literal["length"]


Operation = Annotated[
    Trim | Lower | Upper | Title | Replace | RegexReplace | Pad | Slice | Length,
    Field(discriminator="op"),
]


class TextTransformConfig(NodeConfig):
    column: str = column_field(description="The text column.")
    operations: list[Operation] = Field(min_length=1, description="Applied in order.")
    target: str | None = Field(
        default=None, min_length=1, description="Write to this column; default: in place."
    )


class TextTransform(MaxDPNode):
    """Applies text `operations` to `column` in order, writing to `target` (default in place).

    Operations (pandas `.str` methods): `trim` (`chars` optional), `lower`, `upper`, `title`,
    `replace` (`old` -> `new`, plain text), `regex_replace` (`pattern` -> `replacement`, Python
    `re` syntax), `pad` (`width`, `side` left|right|both, `fillchar`), `slice` (`start`, `stop`)
    and `length`, which counts characters as nullable `Int64` and so must come last. Nulls stay
    null; other values (numbers, ...) are treated as their text form.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"code": ["  ab-1 ", None, "c-22"]})
    >>> TextTransform("t", {"column": "code", "operations": [
    ...     {"op": "trim"}, {"op": "upper"}, {"op": "replace", "old": "-", "new": ""},
    ...     {"op": "pad", "width": 4, "fillchar": "0"}]}).invoke({"in": df})["out"]
       code
    0  0AB1
    1   NaN
    2  0C22
    """

    type = "text_transform"
    category = "Columns"
    title = "Text transform"
    Config = TextTransformConfig

    def setup(self) -> None:
        operations = self.config.operations
        self._regexes: dict[int, re.Pattern[str]] = {}
        for i, op in enumerate(operations):
            if isinstance(op, Length) and i != len(operations) - 1:
                raise ConfigError(
                    f"operations.{i}: length gives numbers, so it must be the last operation",
                    field="operations",
                )
            if isinstance(op, RegexReplace):
                self._regexes[i] = _compile(op, i)

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        col = self.config.column
        require_columns(df, [col], field="column")
        s = df[col]
        if isinstance(s, pd.DataFrame):
            raise NodeError(f"column: the table has more than one column named {col!r}")
        # `.str` turns non-text values of object columns into nulls: work on the text form.
        if not isinstance(s.dtype, pd.StringDtype):
            s = s.astype("str")
        for i, op in enumerate(self.config.operations):
            s = self._apply(i, op, s)
        out = df.copy(deep=False)
        out[self.config.target or col] = s
        return {"out": out}

    def _apply(self, i: int, op: _Op, s: pd.Series) -> pd.Series:
        text = s.str
        if isinstance(op, Trim):
            return text.strip(op.chars)
        if isinstance(op, Lower):
            return text.lower()
        if isinstance(op, Upper):
            return text.upper()
        if isinstance(op, Title):
            return text.title()
        if isinstance(op, Replace):
            return text.replace(op.old, op.new, regex=False)
        if isinstance(op, RegexReplace):
            return text.replace(self._regexes[i], op.replacement, regex=True)
        if isinstance(op, Pad):
            return text.pad(op.width, side=op.side, fillchar=op.fillchar)
        if isinstance(op, Slice):
            return text.slice(op.start, op.stop)
        # Length: float64 with NaN in pandas; Int64 keeps counts whole and nulls null.
        return text.len().astype("Int64")


def _compile(op: RegexReplace, i: int) -> re.Pattern[str]:
    try:
        regex = re.compile(op.pattern)
    except re.error as exc:
        raise ConfigError(
            f"operations.{i}.pattern: invalid regular expression {op.pattern!r}: {exc}",
            field="operations",
        ) from None
    try:
        # A bad group reference in the replacement shows up only when the template is parsed.
        regex.sub(op.replacement, "")
    except (re.error, IndexError) as exc:
        raise ConfigError(
            f"operations.{i}.replacement: invalid replacement {op.replacement!r}: {exc}",
            field="operations",
        ) from None
    return regex
