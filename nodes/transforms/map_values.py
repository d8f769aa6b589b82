"""map_values: replace the values of a column through a lookup table."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import column_field
from nodes.tables import require_columns, single_table

__all__ = ["DefaultValue", "MapValues", "MapValuesConfig"]


class DefaultValue(BaseModel):
    """A fixed value for the values that `mapping` does not list."""

    model_config = ConfigDict(extra="forbid")

    value: Any


class MapValuesConfig(NodeConfig):
    column: str = column_field(description="The column whose values are looked up.")
    mapping: dict[str, Any] = Field(
        description="{value as text: new value}; a key matches values by their text form."
    )
    default: Literal["keep", "null"] | DefaultValue = Field(
        default="keep",
        description="For values not in mapping: keep them, make them null, or {value: ...}.",
    )
    target: str | None = Field(
        default=None, min_length=1, description="Write to this column; default: in place."
    )

    @field_validator("default", mode="before")
    @classmethod
    def _check_default(cls, value: Any) -> Any:
        # The union's own errors name its members, not what the user should write.
        if value in ("keep", "null") or (isinstance(value, dict) and set(value) == {"value"}):
            return value
        raise ValueError(f'use "keep", "null" or {{"value": ...}}, not {value!r}')


class MapValues(MaxDPNode):
    """Replaces each value of `column` found in `mapping` (`{old: new}`) with its new value.

    Flow documents are JSON, where object keys are always text, so a key matches a value by its
    text form: "1" matches 1 and 1.0, "2.5" matches 2.5, "true" (or "True") matches True, and
    "2024-01-31" matches that timestamp at midnight. Values not in `mapping` follow `default`:
    `keep` (unchanged), `null`, or `{"value": x}`. Nulls count as values not in mapping: they
    stay null under keep/null and take x under `{"value": x}`, like `s.map(m).fillna(x)`. The
    result goes to `target` (added at the end, or replacing that column) or back into `column`.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"code": [1, 2, 3]})
    >>> MapValues("m", {"column": "code", "mapping": {"1": "one", "2": "two"},
    ...                 "default": {"value": "many"}, "target": "word"}).invoke({"in": df})["out"]
       code  word
    0     1   one
    1     2   two
    2     3  many
    """

    type = "map_values"
    category = "Columns"
    title = "Map values"
    Config = MapValuesConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        require_columns(df, [cfg.column], field="column")
        source = df[cfg.column]
        if isinstance(source, pd.DataFrame):
            raise NodeError(f"column: the table has more than one column named {cfg.column!r}")
        # Look each distinct value up once; codes send the answers back to every row.
        codes, uniques = pd.factorize(source)
        found = [self._lookup(value) for value in uniques]
        hits = np.array([hit for hit, _ in found] + [False], dtype=bool)
        news = np.empty(len(found) + 1, dtype=object)
        news[:-1] = [new for _, new in found]
        news[-1] = None  # code -1 (null) lands here
        hit = hits[codes]
        if cfg.default == "keep" and not hit.any():
            result = source
        else:
            mapped = pd.Series(news[codes], index=source.index, dtype=object)
            if cfg.default == "keep":
                mapped = mapped.where(hit, source.astype(object))
            elif isinstance(cfg.default, DefaultValue):
                mapped = mapped.where(hit, cfg.default.value)
            result = mapped.infer_objects()
        out = df.copy(deep=False)
        out[cfg.target or cfg.column] = result
        return {"out": out}

    def _lookup(self, value: Any) -> tuple[bool, Any]:
        mapping = self.config.mapping
        for key in _text_forms(value):
            if key in mapping:
                return True, mapping[key]
        return False, None


def _text_forms(value: Any) -> list[str]:
    """The texts a JSON key may use for `value`, most specific first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool | np.bool_):
        return ["true" if value else "false", str(bool(value))]
    if isinstance(value, int | np.integer):
        return [str(int(value))]
    if isinstance(value, float | np.floating):
        number = float(value)
        text = repr(number)
        return [str(int(number)), text] if number.is_integer() else [text]
    if isinstance(value, pd.Timestamp):
        forms = [value.isoformat(), str(value)]
        if value == value.normalize() and value.tz is None:
            forms.insert(0, value.date().isoformat())
        return forms
    return [str(value)]
