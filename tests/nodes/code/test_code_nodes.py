"""run_python_script and apply_function: same results as the plain pandas code, clear errors."""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.code import CODE_NODE_TYPES
from nodes.code.apply_function import ApplyFunction
from nodes.code.run_python_script import RunPythonScript

pytestmark = pytest.mark.asyncio(loop_scope="module")


def sales(kind: str) -> pd.DataFrame:
    """Edge-case inputs sharing the columns region/price/qty."""
    if kind == "plain":
        return pd.DataFrame(
            {
                "region": ["KR", "US", "KR", "JP"],
                "price": [10.5, 20.0, 3.25, 7.0],
                "qty": [1, 2, 3, 1],
            }
        )
    if kind == "empty":
        return pd.DataFrame(
            {
                "region": pd.Series([], dtype="str"),
                "price": pd.Series([], dtype="float64"),
                "qty": pd.Series([], dtype="int64"),
            }
        )
    if kind == "nulls":
        return pd.DataFrame(
            {
                "region": ["KR", None, "KR", None],
                "price": [1.5, None, 2.0, 4.0],
                "qty": [1, 2, 3, 4],
            }
        )
    if kind == "unicode":
        return pd.DataFrame(
            {"region": ["서울", "Zürich", "서울"], "price": [1.0, 2.0, 3.0], "qty": [3, 2, 1]}
        )
    if kind == "duplicates":
        return pd.DataFrame(
            {
                "region": ["A", "A", "A", "B", "B"],
                "price": [1.0, 1.0, 2.0, 3.0, 3.0],
                "qty": [1, 1, 1, 2, 2],
            }
        )
    raise ValueError(kind)


KINDS = ["plain", "empty", "nulls", "unicode", "duplicates"]

# Each script with the plain pandas a user would have written for it.
COMPUTE = """
d = df.copy()
d['total'] = d['price'] * d['qty']
d['label'] = d['region'].str.lower() + '-' + d['qty'].astype(str)
result = d
"""


def compute_plain(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    d["total"] = d["price"] * d["qty"]
    d["label"] = d["region"].str.lower() + "-" + d["qty"].astype(str)
    return d


FILTER = "result = df[(df['qty'] > 1) & df['price'].notna()]"


def filter_plain(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["qty"] > 1) & df["price"].notna()]


GROUP = """
g = df.groupby('region', as_index=False, dropna=False)
result = g.agg(total=('price', 'sum'), n=('qty', 'count')).sort_values('region')
"""


def group_plain(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby("region", as_index=False, dropna=False)
    return g.agg(total=("price", "sum"), n=("qty", "count")).sort_values("region")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("code", "plain"),
    [(COMPUTE, compute_plain), (FILTER, filter_plain), (GROUP, group_plain)],
    ids=["compute", "filter", "group"],
)
async def test_typical_scripts_equal_plain_pandas(run_node, kind, code, plain):
    df = sales(kind)
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"src": df}})
    assert_frame_equal(out, plain(df))


async def test_inputs_by_source_id_in_edge_order(run_node):
    orders = pd.DataFrame({"region": ["KR", "US", "KR"], "amount": [1, 2, 3]})
    names = pd.DataFrame({"region": ["KR", "KR"], "name": ["Korea", "South Korea"]})  # dup key
    code = "result = df.merge(inputs['names'], on='region', how='left')"
    out = await run_node(
        RunPythonScript("py", {"code": code}), {"in": {"orders": orders, "names": names}}
    )
    assert_frame_equal(out, orders.merge(names, on="region", how="left"))


async def test_without_inputs_df_is_none_and_records_become_a_table(run_node):
    code = "assert df is None and inputs == {}\nresult = [{'a': 1, 'b': 'x'}, {'a': 2, 'b': None}]"
    out = await run_node(RunPythonScript("py", {"code": code}), {})
    assert_frame_equal(out, pd.DataFrame.from_records([{"a": 1, "b": "x"}, {"a": 2, "b": None}]))


async def test_dict_of_lists_and_series_results(run_node):
    out = await run_node(
        RunPythonScript("py", {"code": "result = {'n': [1, 2], 's': ['a', 'b']}"}), {}
    )
    assert_frame_equal(out, pd.DataFrame({"n": [1, 2], "s": ["a", "b"]}))
    df = sales("duplicates")
    code = "result = df.groupby('region')['price'].sum()"
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"s": df}})
    assert_frame_equal(out, df.groupby("region")["price"].sum().to_frame())


async def test_unicode_column_names_and_keyword_unpacking(run_node):
    df = pd.DataFrame({"가격": [1.5, 2.0], "도시": ["서울", "부산"]})
    code = "extra = {'합계': df['가격'] * 2}\nresult = df.assign(**extra)"
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"s": df}})
    assert_frame_equal(out, df.assign(**{"합계": df["가격"] * 2}))


async def test_mixed_type_and_nested_columns_cross_both_ways(run_node):
    df = pd.DataFrame({"m": [1, "a", None, 2.5, True], "l": [[1, 2], None, [], [3], {"k": 1}]})
    code = "d = df.copy()\nd['s'] = d['m'].astype(str)\nresult = d"
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"s": df}})
    expected = df.copy()
    expected["s"] = expected["m"].astype(str)
    assert_frame_equal(out, expected)
    assert out["l"][0] == [1, 2] and out["l"][4] == {"k": 1}


async def test_params_modules_and_iteration(run_node):
    df = sales("plain")
    code = """
import math
from statistics import median
rows = []
for row in df.itertuples():
    if row.region == params['region']:
        rows.append({'p': math.floor(row.price), 'm': median([row.qty, 3])})
result = rows
"""
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"s": df}}, {"region": "KR"})
    assert_frame_equal(out, pd.DataFrame({"p": [10, 3], "m": [2.0, 3.0]}))


async def test_print_is_captured_and_logged(run_node, caplog):
    caplog.set_level(logging.INFO, logger="maxdp.code")
    node = RunPythonScript("py", {"code": "print('rows:', len(df))\nresult = df"})
    await run_node(node, {"in": {"s": sales("plain")}})
    assert "rows: 4" in caplog.text


async def test_numpy_where_and_datetime(run_node):
    df = sales("plain")
    code = """
import datetime
d = df.copy()
d['lvl'] = np.where(d['price'] > 8, 'hi', 'lo')
d['when'] = pd.Timestamp('2024-01-01') + pd.to_timedelta(d['qty'], unit='D')
d['year'] = datetime.date(2024, 5, 1).strftime('%Y')
result = d
"""
    out = await run_node(RunPythonScript("py", {"code": code}), {"in": {"s": df}})
    d = df.copy()
    d["lvl"] = np.where(d["price"] > 8, "hi", "lo")
    d["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(d["qty"], unit="D")
    d["year"] = "2024"
    assert_frame_equal(out, d)


# -- apply_function ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_apply_lambda_on_a_column(run_node, kind):
    df = sales(kind)
    node = ApplyFunction("f", {"column": "qty", "code": "lambda value: value * 2", "target": "q2"})
    out = await run_node(node, {"in": df})
    expected = df.copy()
    expected["q2"] = df["qty"].map(lambda value: value * 2)
    assert_frame_equal(out, expected)


def shout(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    return value.upper() + "!"


@pytest.mark.parametrize("kind", KINDS)
async def test_apply_function_body_in_place(run_node, kind):
    df = sales(kind)
    code = """
if value is None or (isinstance(value, float) and value != value):
    return 'none'
return value.upper() + '!'
"""
    out = await run_node(ApplyFunction("f", {"column": "region", "code": code}), {"in": df})
    expected = df.copy()
    expected["region"] = df["region"].map(shout)
    assert_frame_equal(out, expected)


async def test_apply_on_whole_rows_and_with_two_parameters(run_node):
    df = sales("duplicates")
    node = ApplyFunction("f", {"code": "return row['price'] * row['qty']", "target": "total"})
    out = await run_node(node, {"in": df})
    expected = df.copy()
    expected["total"] = pd.Series([r["price"] * r["qty"] for r in df.to_dict("records")])
    assert_frame_equal(out, expected)

    node = ApplyFunction(
        "f",
        {"column": "qty", "code": "lambda value, row: row['region'] + str(value)", "target": "k"},
    )
    out = await run_node(node, {"in": df})
    assert out["k"].tolist() == [r + str(q) for r, q in zip(df["region"], df["qty"], strict=True)]


async def test_apply_one_parameter_lambda_gets_the_value_whatever_its_name(run_node):
    df = sales("plain")
    node = ApplyFunction("f", {"column": "qty", "code": "lambda row: row + 1", "target": "t"})
    out = await run_node(node, {"in": df})
    assert_frame_equal(out, df.assign(t=df["qty"].map(lambda row: row + 1)))


async def test_apply_bare_expression_on_unicode_column(run_node):
    df = pd.DataFrame({"이름": ["가", "나"], "n": [1, 2]})
    out = await run_node(
        ApplyFunction("f", {"column": "이름", "code": "value * 2", "target": "두배"}), {"in": df}
    )
    assert_frame_equal(out, df.assign(**{"두배": df["이름"].map(lambda value: value * 2)}))


async def test_apply_missing_column_names_field_and_column(run_node):
    node = ApplyFunction("f", {"column": "nope", "code": "lambda value: value"})
    with pytest.raises(
        NodeError, match=r"^column: column 'nope' not found \(available: region, price, qty\)$"
    ):
        await run_node(node, {"in": sales("plain")})


async def test_apply_needs_a_target_for_whole_rows():
    with pytest.raises(ConfigError, match=r"^target: required when no column is set") as info:
        ApplyFunction("f", {"code": "return 1"})
    assert info.value.field == "target"


async def test_apply_body_without_return_is_refused():
    with pytest.raises(ConfigError, match="never returns a value") as info:
        ApplyFunction("f", {"column": "a", "code": "x = value"})
    assert info.value.field == "code"


# -- errors --------------------------------------------------------------------------------


async def test_syntax_error_names_the_line_at_build_time():
    with pytest.raises(ConfigError) as info:
        RunPythonScript("py", {"code": "x = 1\nresult = (x +"})
    assert info.value.message == "code: syntax error: '(' was never closed (line 2)"
    assert info.value.field == "code"


async def test_guard_error_names_the_attribute_and_line_at_build_time():
    with pytest.raises(ConfigError) as info:
        RunPythonScript("py", {"code": "x = 1\ny = 2\nresult = x.__class__"})
    assert info.value.message == "code: guard: attribute '__class__' is not allowed (line 3)"


async def test_building_a_node_compiles_but_never_runs_the_code():
    # Langflow's CVE-2025-3248: its validation endpoint ran the code it checked. Building a
    # node here only compiles; run in the server, this would never return.
    started = time.monotonic()
    RunPythonScript("py", {"code": "while True:\n    pass\nresult = df"})
    ApplyFunction("f", {"column": "a", "code": "while True:\n    pass\nreturn value"})
    assert time.monotonic() - started < 1


async def test_script_must_set_result():
    with pytest.raises(ConfigError, match="never sets `result`"):
        RunPythonScript("py", {"code": "x = df"})


async def test_user_exception_names_the_line_without_paths(run_node):
    node = RunPythonScript("py", {"code": "a = 1\nb = 0\nc = 2\nresult = a / b"})
    with pytest.raises(NodeError) as info:
        await run_node(node, {})
    assert info.value.message == "ZeroDivisionError: division by zero (line 4)"
    node = RunPythonScript("py", {"code": "x = 1\nresult = df['nope']"})
    with pytest.raises(NodeError) as info:
        await run_node(node, {"in": {"s": sales("plain")}})
    assert info.value.message == "KeyError: 'nope' (line 2)"


async def test_apply_runtime_error_names_the_line(run_node):
    node = ApplyFunction("f", {"column": "qty", "code": "x = value\nreturn x / 0", "target": "t"})
    with pytest.raises(NodeError, match=r"^ZeroDivisionError: division by zero \(line 2\)$"):
        await run_node(node, {"in": sales("plain")})


async def test_bad_result_type_and_output_row_limit(run_node):
    with pytest.raises(
        NodeError,
        match=r"^result: expected a table, a list of records or a dict of lists, got int$",
    ):
        await run_node(RunPythonScript("py", {"code": "result = 5"}), {})
    node = RunPythonScript("py", {"code": "result = df", "max_output_rows": 2})
    with pytest.raises(NodeError, match=r"^limit: output has 4 rows, more than max_output_rows 2$"):
        await run_node(node, {"in": {"s": sales("plain")}})


async def test_input_port_rejects_non_tables(run_node):
    with pytest.raises(NodeError, match="input port 'in': 'src' sent list, not a table"):
        await run_node(RunPythonScript("py", {"code": "result = df"}), {"in": {"src": [1]}})


async def test_without_a_pool_service_a_one_shot_pool_runs_the_node():
    node = RunPythonScript("py", {"code": "result = df.assign(b=1)", "cpu_seconds": 3})
    out = (await node.arun({"in": {"s": sales("plain")}}, NodeContext(node_id="py")))["out"]
    assert_frame_equal(out, sales("plain").assign(b=1))


async def test_catalog_entries():
    assert frozenset({RunPythonScript.type, ApplyFunction.type}) == CODE_NODE_TYPES
    for cls in (RunPythonScript, ApplyFunction):
        entry = cls.describe()
        assert entry["category"] == "Code"
        schema = entry["config_schema"]["properties"]
        assert schema["code"]["x-maxdp-widget"] == "code"
        assert {"cpu_seconds", "memory_mb", "wall_seconds", "max_output_rows"} <= set(schema)
    assert RunPythonScript.inputs[0].many and RunPythonScript.inputs[0].optional
