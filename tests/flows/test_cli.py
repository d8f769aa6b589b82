"""The `maxdp` engine commands as a user runs them: exit codes, progress, outputs, docs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "flows" / "examples"
runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the examples laid out as in the repository, as the current directory."""
    shutil.copytree(EXAMPLES, tmp_path / "flows" / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_prints_progress_and_summary_and_writes_output(workdir):
    result = runner.invoke(
        app,
        [
            "run",
            "flows/examples/orders_by_region.json",
            "--param",
            "region=US",
            "--output",
            "us.csv",
        ],
    )
    assert result.exit_code == 0, result.output
    for node_id in ("orders", "in_region", "totals", "ranked", "out"):
        assert node_id in result.output
    assert "succeeded" in result.output and "totals (2 rows)" in result.output
    written = pd.read_csv(workdir / "us.csv")
    assert written["total"].tolist() == [220.0, 80.0]


def test_run_output_dir_writes_each_output(workdir):
    result = runner.invoke(
        app, ["run", "flows/examples/union_and_sample.json", "-q", "--output-dir", "outs"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (workdir / "outs").iterdir()) == ["all_stores.csv", "sample.csv"]


def test_run_output_needs_a_single_output(workdir):
    result = runner.invoke(
        app, ["run", "flows/examples/union_and_sample.json", "-q", "--output", "x.csv"]
    )
    assert result.exit_code == 1
    assert "exactly one flow output" in result.output and "all_stores, sample" in result.output


def test_run_with_caught_failure_exits_zero(workdir):
    result = runner.invoke(app, ["run", "flows/examples/error_handling.json"])
    assert result.exit_code == 0, result.output
    assert "1 failure(s) caught" in result.output


def test_run_failure_is_one_line_and_non_zero(workdir, tmp_path):
    doc = json.loads((EXAMPLES / "orders_by_region.json").read_text())
    doc["nodes"][1]["config"]["condition"] = "no_such_column > 1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = runner.invoke(app, ["run", str(bad), "-q"])
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: run failed: node 'in_region' (filter_rows)")
    assert "no_such_column" in last and "Traceback" not in result.output


def test_bad_parameters_are_refused_before_running(workdir):
    result = runner.invoke(app, ["run", "flows/examples/orders_by_region.json", "-p", "bogus=1"])
    assert result.exit_code == 1
    assert "bogus: unknown parameter (declared: region)" in result.output
    assert "pending" not in result.output  # nothing started


def test_validate(workdir, tmp_path):
    ok = runner.invoke(app, ["validate", "flows/examples/sales_report.json"])
    assert ok.exit_code == 0 and "valid" in ok.output
    doc = json.loads((EXAMPLES / "orders_by_region.json").read_text())
    doc["edges"].append({"source": "out", "target": "orders"})
    doc["nodes"][2]["type"] = "group_by_magic"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "unknown node type 'group_by_magic'" in result.output
    assert "has no input ports" in result.output
    assert "2 problem(s)" in result.output


def test_invalid_json_names_line(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"name": "x",\n "nodes": [}')
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.output


def test_nodes_catalog_and_json():
    result = runner.invoke(app, ["nodes", "--json"])
    assert result.exit_code == 0
    catalog = json.loads(result.output)
    by_type = {entry["type"]: entry for entry in catalog}
    assert by_type["join_merge"]["inputs"][0]["name"] == "left"
    assert (
        by_type["filter_rows"]["config_schema"]["properties"]["condition"]["x-maxdp-widget"]
        == "expression"
    )


def test_committed_node_reference_is_current(tmp_path):
    target = tmp_path / "nodes.md"
    result = runner.invoke(app, ["nodes", "--docs", "--docs-path", str(target)])
    assert result.exit_code == 0
    assert target.read_text() == (ROOT / "docs" / "nodes.md").read_text(), (
        "docs/nodes.md is stale: run `make docs`"
    )


def test_run_with_connections_file(tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "shop.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table orders (id integer, region text, amount real)")
        conn.executemany(
            "insert into orders values (?, ?, ?)", [(1, "KR", 10.0), (2, "US", 5.0), (3, "KR", 7.5)]
        )
    (tmp_path / "connections.yaml").write_text(
        f"connections:\n  shop:\n    kind: sqlite\n    database: {db}\n"
    )
    flow = {
        "name": "sql",
        "parameters": [{"name": "region", "type": "string"}],
        "nodes": [
            {
                "id": "q",
                "type": "custom_sql",
                "config": {
                    "connection": "shop",
                    "sql": "select id, amount from orders where region = :region order by id",
                },
            },
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "q", "target": "out"}],
    }
    (tmp_path / "flow.json").write_text(json.dumps(flow))
    result = runner.invoke(
        app,
        [
            "run",
            "flow.json",
            "-q",
            "-p",
            "region=KR",
            "--connections",
            "connections.yaml",
            "--output",
            "kr.csv",
        ],
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        expected = pd.read_sql(
            "select id, amount from orders where region = 'KR' order by id", conn
        )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "kr.csv"), expected)

    missing = runner.invoke(app, ["run", "flow.json", "-q", "-p", "region=KR"])
    assert missing.exit_code == 1 and "no connections are configured" in missing.output
