"""POST /flows/{id}/run (sync and background), GET /runs, GET /runs/{id}."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

ROWS = [{"region": "KR", "amount": 10}, {"region": "US", "amount": 30}]


async def _flow(api: Any, doc: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    return owner, await api.flow(owner, wid, doc)


async def test_sync_run_answers_with_record_and_outputs(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run", json={"output_rows": 1}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    run = r.json()
    assert (run["status"], run["trigger"], run["version"], run["error"]) == (
        "succeeded",
        "manual",
        None,
        None,
    )
    expected = pd.DataFrame(ROWS).sort_values("amount", ascending=False)
    output = run["outputs"]["result"]
    assert output["rows"] == expected.head(1).to_dict("records")
    assert output["row_count"] == 2
    assert [c["name"] for c in output["columns"]] == ["region", "amount"]
    assert run["duration_ms"] >= sum(n["duration_ms"] for n in run["nodes"]) * 0.5
    # The stored record keeps the shape of the outputs, not the rows.
    stored = (await api.client.get(f"/api/v1/runs/{run['id']}", headers=owner.headers)).json()
    assert stored["outputs"]["result"]["row_count"] == 2
    assert "rows" not in stored["outputs"]["result"]


async def test_a_failing_node_fails_the_run_with_its_id(api: Any, make_flow_doc: Any) -> None:
    doc = make_flow_doc()
    doc["nodes"][1]["config"]["by"] = [{"column": "no_such_column"}]
    owner, flow = await _flow(api, doc)
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    assert r.status_code == 200
    run = r.json()
    assert run["status"] == "failed"
    assert run["error"]["node_id"] == "sorted"
    assert "no_such_column" in run["error"]["message"]
    statuses = {n["node_id"]: n["status"] for n in run["nodes"]}
    assert statuses == {"orders": "succeeded", "sorted": "failed", "out": "skipped"}
    assert run["outputs"] == {}


async def test_parameters_are_coerced_and_recorded(api: Any, make_flow_doc: Any) -> None:
    doc = make_flow_doc(
        parameters=[
            {"name": "n", "type": "integer", "required": True},
            {"name": "label", "type": "string", "default": "all"},
        ]
    )
    owner, flow = await _flow(api, doc)
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run", json={"params": {"n": "5"}}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["params"] == {"n": 5, "label": "all"}


async def test_bad_parameters_are_422_naming_each_and_record_nothing(
    api: Any, make_flow_doc: Any
) -> None:
    doc = make_flow_doc(parameters=[{"name": "n", "type": "integer", "required": True}])
    owner, flow = await _flow(api, doc)
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run",
        json={"params": {"n": "five", "zzz": 1}},
        headers=owner.headers,
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_parameters"
    assert {d["field"] for d in error["details"]} == {"n", "zzz"}
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", json={}, headers=owner.headers)
    assert r.status_code == 422 and "n: required" in r.json()["error"]["message"]
    assert (await api.client.get("/api/v1/runs", headers=owner.headers)).json()["total"] == 0


async def test_params_must_be_an_object(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run", json={"params": [1]}, headers=owner.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.params"


async def test_background_run_is_202_then_finishes(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run?background=true", headers=owner.headers
    )
    assert r.status_code == 202
    run_id = r.json()["run_id"]
    assert r.json()["status"] == "queued"
    assert r.headers["location"] == f"/api/v1/runs/{run_id}"
    run = await api.wait_for_run(owner, run_id)
    assert run["status"] == "succeeded"
    assert [n["rows_out"] for n in run["nodes"]] == [2, 2, 2]


async def test_run_a_saved_version(api: Any, make_flow_doc: Any) -> None:
    doc = make_flow_doc()
    owner, flow = await _flow(api, doc)
    await api.client.post(f"/api/v1/flows/{flow['id']}/versions", headers=owner.headers)
    ascending = copy.deepcopy(doc)
    ascending["nodes"][1]["config"]["by"] = [{"column": "amount"}]
    await api.client.put(
        f"/api/v1/flows/{flow['id']}", json={"document": ascending}, headers=owner.headers
    )

    old = (
        await api.client.post(
            f"/api/v1/flows/{flow['id']}/run", json={"version": 1}, headers=owner.headers
        )
    ).json()
    new = (await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)).json()
    assert old["version"] == 1 and new["version"] is None
    assert [row["amount"] for row in old["outputs"]["result"]["rows"]] == [30, 10]
    assert [row["amount"] for row in new["outputs"]["result"]["rows"]] == [10, 30]
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run", json={"version": 9}, headers=owner.headers
    )
    assert r.status_code == 404


async def test_list_runs_filters_and_pages(api: Any, make_flow_doc: Any) -> None:
    good = make_flow_doc("good")
    bad = make_flow_doc("bad")
    bad["nodes"][1]["config"]["by"] = [{"column": "nope"}]
    owner, flow = await _flow(api, good)
    other = await api.flow(owner, flow["workspace_id"], bad)
    for _ in range(3):
        await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    await api.client.post(f"/api/v1/flows/{other['id']}/run", headers=owner.headers)

    r = await api.client.get("/api/v1/runs", headers=owner.headers)
    assert r.json()["total"] == 4
    r = await api.client.get(f"/api/v1/runs?flow_id={flow['id']}&limit=2", headers=owner.headers)
    assert (r.json()["total"], len(r.json()["items"])) == (3, 2)
    assert "nodes" not in r.json()["items"][0]
    r = await api.client.get("/api/v1/runs?status=failed", headers=owner.headers)
    assert [x["flow_id"] for x in r.json()["items"]] == [other["id"]]
    r = await api.client.get(
        f"/api/v1/runs?workspace_id={flow['workspace_id']}&offset=3", headers=owner.headers
    )
    assert len(r.json()["items"]) == 1
    r = await api.client.get("/api/v1/runs?status=exploded", headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "query.status"


async def test_other_users_runs_are_invisible(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    stranger = await api.user()
    run = (await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)).json()
    for path in (f"/api/v1/runs/{run['id']}", f"/api/v1/runs/{run['id']}/events"):
        r = await api.client.get(path, headers=stranger.headers)
        assert r.status_code == 404
        assert r.json()["error"]["message"] == f"no run with id {run['id']}"
    r = await api.client.post(f"/api/v1/runs/{run['id']}/cancel", headers=stranger.headers)
    assert r.status_code == 404
    assert (await api.client.get("/api/v1/runs", headers=stranger.headers)).json()["total"] == 0
    r = await api.client.get(f"/api/v1/runs?flow_id={flow['id']}", headers=stranger.headers)
    assert r.status_code == 404
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=stranger.headers)
    assert r.status_code == 404


async def test_viewer_reads_runs_but_cannot_start_or_cancel(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    viewer = await api.user()
    await api.add_member(owner, flow["workspace_id"], viewer, "viewer")
    run = (await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)).json()
    assert (
        await api.client.get(f"/api/v1/runs/{run['id']}", headers=viewer.headers)
    ).status_code == 200
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=viewer.headers)
    assert r.status_code == 403
    r = await api.client.post(f"/api/v1/runs/{run['id']}/cancel", headers=viewer.headers)
    assert r.status_code == 403


async def test_deleting_a_flow_deletes_its_runs(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, make_flow_doc())
    run = (await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)).json()
    await api.client.delete(f"/api/v1/flows/{flow['id']}", headers=owner.headers)
    assert (
        await api.client.get(f"/api/v1/runs/{run['id']}", headers=owner.headers)
    ).status_code == 404


async def test_sync_answer_matches_the_stored_record(api: Any, make_flow_doc: Any) -> None:
    doc = make_flow_doc(parameters=[{"name": "n", "type": "integer", "default": 3}])
    owner, flow = await _flow(api, doc)
    answer = (
        await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    ).json()
    stored = (await api.client.get(f"/api/v1/runs/{answer['id']}", headers=owner.headers)).json()
    answer_outputs, stored_outputs = answer.pop("outputs"), stored.pop("outputs")
    assert answer == stored
    for name, summary in stored_outputs.items():
        assert summary["row_count"] == answer_outputs[name]["row_count"]
        assert [c["name"] for c in summary["columns"]] == [
            c["name"] for c in answer_outputs[name]["columns"]
        ]
