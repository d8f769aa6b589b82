"""Every example flow runs, and its outputs equal the plain pandas a user would have written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.executor import FlowExecutor

EXAMPLES = Path(__file__).resolve().parents[2] / "flows" / "examples"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory laid out like the repository, so example paths resolve the same way."""
    shutil.copytree(EXAMPLES / "data", tmp_path / "flows" / "examples" / "data")
    return tmp_path


def load(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def static_rows(doc: dict, node_id: str) -> pd.DataFrame:
    config = next(n["config"] for n in doc["nodes"] if n["id"] == node_id)
    if "rows" in config:
        return pd.DataFrame.from_records(config["rows"])
    return pd.DataFrame(config["data"], columns=config["columns"])


async def run(name: str, data_dir: Path, params: dict | None = None, **kw):
    result = await FlowExecutor(load(name), data_dir=data_dir).run(params, **kw)
    assert result.status == "succeeded", result.error
    return result


def test_every_example_is_covered():
    names = {p.stem for p in EXAMPLES.glob("*.json")}
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert names <= tested, f"examples without a test: {sorted(names - tested)}"


def test_examples_use_every_builtin_node():
    from nodes.registry import builtin_nodes

    used = {n["type"] for p in EXAMPLES.glob("*.json") for n in json.loads(p.read_text())["nodes"]}
    # Database, HTTP, code and metadata nodes need services; their own tests run them.
    engine_folders = {"sources", "transforms", "sinks", "control"}
    engine_nodes = {c.type for c in builtin_nodes() if c.__module__.split(".")[1] in engine_folders}
    assert engine_nodes <= used, f"nodes no example uses: {sorted(engine_nodes - used)}"


async def test_orders_by_region(data_dir):
    doc = load("orders_by_region")
    for region in ("KR", "US"):
        result = await run("orders_by_region", data_dir, {"region": region})
        df = static_rows(doc, "orders")
        df = df[df["region"] == region]
        expected = (
            df.groupby("category", dropna=False, as_index=False)
            .agg(total=("amount", "sum"), orders=("amount", "count"))
            .sort_values("total", ascending=False, kind="stable")
        )
        assert_frame_equal(result.outputs["totals"], expected)


async def test_customer_cleanup(data_dir):
    result = await run("customer_cleanup", data_dir)
    df = pd.read_csv(data_dir / "flows/examples/data/customers.csv")
    df["email"] = df["email"].str.strip().str.lower()
    df["city"] = df["city"].fillna("unknown")
    df = df.drop_duplicates(subset=["email"], keep="first")
    df["age"] = pd.to_numeric(df["age"], errors="coerce").astype("Int64")
    df["signup_date"] = pd.to_datetime(df["signup_date"], errors="coerce").dt.normalize()
    df = df.rename(columns={"signup_date": "joined"})
    expected = df[["customer_id", "name", "email", "city", "age", "joined"]]
    assert_frame_equal(result.outputs["customers"], expected, check_dtype=False)
    assert result.outputs["customers"]["age"].dtype == "Int64"


async def test_sales_report(data_dir):
    result = await run("sales_report", data_dir)
    orders = pd.read_csv(data_dir / "flows/examples/data/orders.csv")
    products = pd.read_json(data_dir / "flows/examples/data/products.json")
    df = orders.merge(products, how="left", on="product_id", suffixes=("_left", "_right"))
    df["revenue"] = df["qty"] * df["price"]
    ordered = df.sort_values(["order_date", "order_id"], kind="stable")
    df["running_revenue"] = ordered.groupby("region")["revenue"].cumsum()
    df["order_no"] = ordered.groupby("region").cumcount() + 1
    assert_frame_equal(result.outputs["detail"], df, check_dtype=False)

    pivot = df.pivot_table(
        index="region", columns="category", values="revenue", aggfunc="sum", fill_value=0
    )
    pivot.columns = [str(c) for c in pivot.columns]
    pivot = pivot.reset_index()
    assert_frame_equal(result.outputs["pivot"], pivot, check_dtype=False)
    written = pd.read_parquet(data_dir / "out/sales_pivot.parquet")
    assert_frame_equal(written, result.outputs["pivot"], check_dtype=False)


async def test_branch_and_merge(data_dir):
    doc = load("branch_and_merge")
    result = await run("branch_and_merge", data_dir, {"threshold": "100"})
    df = static_rows(doc, "orders")
    big = df[df["amount"] >= 100].copy()
    big["tier"] = big["region"].map({"KR": "gold", "US": "silver"}).fillna("bronze")
    small = df[~(df["amount"] >= 100)].assign(tier="standard")
    expected = pd.concat([big, small], ignore_index=True)
    assert_frame_equal(result.outputs["tiers"], expected, check_dtype=False)


async def test_reshape_survey(data_dir):
    doc = load("reshape_survey")
    result = await run("reshape_survey", data_dir)
    df = static_rows(doc, "answers").melt(
        id_vars=["respondent", "answered"],
        value_vars=["q1_taste", "q2_price"],
        var_name="question",
        value_name="score",
    )
    parts = df["question"].str.split("_", n=1, expand=True)
    df.insert(df.columns.get_loc("question") + 1, "code", parts[0])
    df.insert(df.columns.get_loc("code") + 1, "topic", parts[1])
    df["month"] = pd.to_datetime(df["answered"]).dt.month
    assert_frame_equal(result.outputs["scores"], df, check_dtype=False)


async def test_union_and_sample(data_dir):
    doc = load("union_and_sample")
    result = await run("union_and_sample", data_dir)
    stores = pd.concat([static_rows(doc, "seoul"), static_rows(doc, "busan")], ignore_index=True)
    stores = stores.drop_duplicates().reset_index(drop=True)
    assert_frame_equal(result.outputs["all_stores"], stores)
    assert_frame_equal(result.outputs["sample"], stores.sample(n=3, random_state=42))


async def test_error_handling(data_dir):
    result = await run("error_handling", data_dir)
    records = {n.node_id: n.status for n in result.nodes}
    assert records["missing"] == "failed" and records["shown"] == "skipped"
    errors = result.outputs["errors"]
    assert errors["node_id"].tolist() == ["missing"]
    assert "does_not_exist.csv" in errors["message"].iloc[0]
    assert str(data_dir) not in errors["message"].iloc[0]  # no server paths leak
    assert result.outputs["healthy"].to_dict("records") == [{"ok": True}]


async def test_webhook_orders(data_dir):
    doc = load("webhook_orders")
    body = {
        "orders": [
            {"customer": "a", "status": "paid", "amount": 7},
            {"customer": "b", "status": "paid", "amount": 3},
            {"customer": "a", "status": "paid", "amount": 1},
        ]
    }
    for request_body in (None, body):
        result = await run("webhook_orders", data_dir, request_body=request_body)
        source = (
            request_body or next(n for n in doc["nodes"] if n["id"] == "body")["config"]["sample"]
        )
        df = pd.DataFrame(source["orders"])
        df = df[df["status"] == "paid"]
        expected = df.groupby("customer", as_index=False).agg(paid_total=("amount", "sum"))
        assert_frame_equal(result.outputs["totals"], expected)


async def test_table_branch(data_dir):
    doc = load("table_branch")
    df = static_rows(doc, "orders")
    result = await run("table_branch", data_dir, {"min_rows": len(df)})
    assert set(result.outputs) == {"report"}
    assert_frame_equal(result.outputs["report"], df)
    assert result.node("notice").status == "skipped"

    result = await run("table_branch", data_dir, {"min_rows": len(df) + 1})
    assert set(result.outputs) == {"too_few"}
    assert_frame_equal(result.outputs["too_few"], df.assign(note="too few rows"))
    assert result.node("report").status == "skipped"


async def test_metadata_shop(data_dir):
    # Needs PostgreSQL: skipped without MAXDP_TEST_POSTGRES_URL, failed under
    # MAXDP_REQUIRE_DB_TESTS=1, like the database tests. The full checks are in
    # tests/nodes/metadata/test_metadata_shop_example.py.
    from tests.nodes.databases.dbkit import postgres_server
    from tests.nodes.metadata.shopkit import check_metadata_shop

    for server in postgres_server():  # a fresh database, dropped afterwards
        await check_metadata_shop(server, data_dir)
