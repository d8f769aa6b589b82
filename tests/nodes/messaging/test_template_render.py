"""template_render compared with the obvious Python string replacement."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.messaging.template_render import TemplateRender

CUSTOMERS = pd.DataFrame(
    {
        "name": ["김민지", "Ann", None, "O'Brien {{x}}"],
        "plan": ["Pro", "Free", "Pro", None],
        "points": [1200.0, 3.5, None, 0.0],
        "visits": [3, 0, 7, 12],
    }
)


def _render(df: pd.DataFrame, **config: object) -> pd.DataFrame:
    return TemplateRender("t", config).run({"in": df}, NodeContext())["out"]


def _plain(value: object) -> str:
    """How a person would print a cell: whole floats without .0, nulls as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_matches_python_replacement_with_empty_for_missing() -> None:
    template = "{{ name }}님, {{plan}} 플랜 포인트 {{points}} / 방문 {{visits}}회"
    out = _render(CUSTOMERS, template=template, on_missing="empty")
    expected_text = []
    expected_missing = []
    for row in CUSTOMERS.to_dict("records"):
        text = template.replace("{{ name }}", _plain(row["name"]))
        for key in ("plan", "points", "visits"):
            text = text.replace("{{" + key + "}}", _plain(row[key]))
        expected_text.append(text)
        expected_missing.append([k for k in ("name", "plan", "points") if _plain(row[k]) == ""])
    expected = CUSTOMERS.assign(message=expected_text, missing_variables=expected_missing)
    expected["message"] = expected["message"].astype("str")
    assert_frame_equal(out, expected)
    # A value that looks like a template is not rendered again.
    assert out.loc[3, "message"].startswith("O'Brien {{x}}님")


def test_keep_leaves_the_placeholder_as_written() -> None:
    out = _render(CUSTOMERS, template="Hi {{ name }} ({{plan}})", on_missing="keep")
    assert out["message"].tolist() == [
        "Hi 김민지 (Pro)",
        "Hi Ann (Free)",
        "Hi {{ name }} (Pro)",
        "Hi O'Brien {{x}} ({{plan}})",
    ]
    assert out["missing_variables"].tolist() == [[], [], ["name"], ["plan"]]


def test_error_names_the_variable_and_row() -> None:
    with pytest.raises(
        NodeError,
        match=r"template: variable \{\{plan\}\} has no value in row 3 \(column 'plan' is null\)",
    ):
        _render(CUSTOMERS, template="{{name}}: {{plan}}", variables={"name": "visits"})
    with pytest.raises(
        NodeError, match=r"variable \{\{coupon\}\} has no value in row 0 \(no column matches\)"
    ):
        _render(CUSTOMERS, template="{{coupon}}")


def test_explicit_mapping_and_auto_match() -> None:
    out = _render(
        CUSTOMERS.iloc[:2],
        template="{{고객명}} / {{plan}}",
        variables={"고객명": "name"},
        target="text",
    )
    assert out["text"].tolist() == ["김민지 / Pro", "Ann / Free"]
    assert list(out.columns) == [*CUSTOMERS.columns, "text", "missing_variables"]


def test_mapping_errors() -> None:
    message = r"variables: column 'nom' for \{\{name\}\} not found \(available: name, plan, points"
    with pytest.raises(NodeError, match=message):
        _render(CUSTOMERS, template="{{name}}", variables={"name": "nom"})
    with pytest.raises(
        ConfigError, match=r"variables: \{\{plan\}\} does not appear in the template"
    ):
        TemplateRender("t", {"template": "{{name}}", "variables": {"plan": "plan"}})
    with pytest.raises(ConfigError, match="on_missing"):
        TemplateRender("t", {"template": "x", "on_missing": "ignore"})


def test_empty_table_no_variables_and_overwritten_target() -> None:
    empty = _render(CUSTOMERS.iloc[:0], template="{{name}}")
    assert len(empty) == 0 and list(empty.columns)[-2:] == ["message", "missing_variables"]
    plain = _render(CUSTOMERS.iloc[:2], template="같은 문구", target="plan")
    assert plain["plan"].tolist() == ["같은 문구", "같은 문구"]
    assert plain["missing_variables"].tolist() == [[], []]


def test_dates_and_mixed_values() -> None:
    df = pd.DataFrame({"when": pd.to_datetime(["2024-05-01 09:30", None]), "mixed": [1, "two"]})
    out = _render(df, template="{{when}} {{mixed}}", on_missing="empty")
    assert out["message"].tolist() == ["2024-05-01 09:30:00 1", " two"]


def test_a_variable_used_twice_is_missing_once_per_row() -> None:
    out = _render(CUSTOMERS, template="{{name}} / {{plan}} / {{name}}", on_missing="empty")
    expected = [
        " / ".join(_plain(v) for v in (row["name"], row["plan"], row["name"]))
        for row in CUSTOMERS.to_dict("records")
    ]
    assert out["message"].tolist() == expected
    assert out["missing_variables"].tolist() == [[], [], ["name"], ["plan"]]


@pytest.mark.parametrize("config", [{}, {"template": "Hi", "template_name": "welcome"}])
def test_exactly_one_of_template_and_template_name(config: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"give either template \(the text\) or template_name"):
        TemplateRender("t", config)


async def test_a_saved_template_needs_the_server() -> None:
    # The CLI has no message_templates service: the node says so instead of rendering nothing.
    node = TemplateRender("t", {"template_name": "welcome"})
    with pytest.raises(NodeError, match="template_name: saved message templates are read by"):
        await node.arun({"in": CUSTOMERS}, NodeContext())


async def test_arun_renders_large_tables_like_run() -> None:
    big = pd.concat([CUSTOMERS] * 6000, ignore_index=True)  # past the inline limit
    node = TemplateRender("t", {"template": "{{name}}: {{visits}}", "on_missing": "keep"})
    assert_frame_equal(
        (await node.arun({"in": big}, NodeContext()))["out"],
        node.run({"in": big}, NodeContext())["out"],
    )
