"""/execute: parameters, answers (JSON, CSV), webhook bodies, async mode, JWT endpoints,
errors, health, worker stats and metrics."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import pandas as pd

from tests.server.published.helpers import (
    ROWS,
    assert_error,
    expected_orders,
    failing_doc,
    orders_doc,
    publish,
    two_outputs_doc,
    webhook_doc,
)


async def _setup(api: Any, doc: dict[str, Any], endpoint: str, **options: Any) -> Any:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, doc, endpoint, **options)
    return owner, made, {"X-API-Key": made.key}


async def test_get_and_post_run_the_flow_with_parameters(api: Any) -> None:
    _, _, key = await _setup(api, orders_doc(), "orders")
    r = await api.client.get("/execute/orders?min_amount=25", headers=key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"run_id", "status", "outputs", "duration_ms"}
    uuid.UUID(body["run_id"])
    assert body["status"] == "succeeded" and body["duration_ms"] >= 0
    assert body["outputs"] == {"result": expected_orders(25)}

    r = await api.client.post("/execute/orders", json={"params": {"min_amount": 45}}, headers=key)
    assert r.json()["outputs"]["result"] == expected_orders(45)
    r = await api.client.post("/execute/orders", headers=key)  # no body: the defaults
    assert r.json()["outputs"]["result"] == expected_orders(0)


async def test_bad_parameters_and_bodies_answer_422_naming_the_field(api: Any) -> None:
    _, _, key = await _setup(api, orders_doc(), "orders")
    c = api.client
    r = await c.post(
        "/execute/orders", json={"params": {"min_amount": "ten", "sort": 1}}, headers=key
    )
    error = assert_error(r, 422, "invalid_parameters")
    assert [d["field"] for d in error["details"]] == ["min_amount", "sort"]
    assert "unknown parameter" in error["details"][1]["message"]

    cases = [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"params": {}, "extra": 1}', "body.extra"),
        (b'{"params": [1]}', "body.params"),
    ]
    for raw, field in cases:
        r = await c.post("/execute/orders", content=raw, headers=key)
        error = assert_error(r, 422, "validation_error")
        assert error["details"][0]["field"] == field, raw
    r = await c.post("/execute/orders?min_amount=3", json={}, headers=key)
    error = assert_error(r, 422, "validation_error")
    assert "min_amount" in error["message"] and "body" in error["message"]
    r = await c.get("/execute/orders?format=xml", headers=key)
    assert assert_error(r, 422, "validation_error")["details"][0]["field"] == "format"


async def test_csv_format_sends_one_output(api: Any) -> None:
    owner, made, key = await _setup(api, orders_doc(), "orders")
    r = await api.client.get("/execute/orders?format=csv&min_amount=20", headers=key)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    df = pd.DataFrame([{**row, "version": "v1"} for row in ROWS])
    assert r.text == df[df["amount"] > 20].to_csv(index=False)
    uuid.UUID(r.headers["X-Run-Id"])

    await publish(api, owner, made.workspace_id, two_outputs_doc(), "two", key=False)
    r = await api.client.get("/execute/two?format=csv", headers=key)
    error = assert_error(r, 422, "validation_error")
    assert "first, second" in error["message"]
    r = await api.client.get("/execute/two?format=csv&output=second", headers=key)
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(r.text)), pd.read_csv(
        io.StringIO(pd.DataFrame(ROWS).to_csv(index=False))))  # fmt: skip
    r = await api.client.get("/execute/two?output=third", headers=key)
    assert assert_error(r, 422, "validation_error")["details"][0]["field"] == "output"


async def test_webhook_flows_take_the_raw_body(api: Any) -> None:
    _, _, key = await _setup(api, webhook_doc(), "hook")
    payload = {"items": [{"id": 1, "näme": "Ann"}, {"id": 2, "näme": None}], "source": "x"}
    r = await api.client.post("/execute/hook?tag=crm", json=payload, headers=key)
    assert r.status_code == 200, r.text
    expected = pd.DataFrame(payload["items"]).assign(tag="crm")
    assert r.json()["outputs"]["rows"] == [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in expected.to_dict(orient="records")
    ]
    r = await api.client.post("/execute/hook", json={"other": []}, headers=key)
    error = assert_error(r, 500, "node_failed")
    assert error["node_id"] == "hook" and "items" in error["message"]


async def test_node_failure_answers_500_naming_the_node(api: Any) -> None:
    _, _, key = await _setup(api, failing_doc(), "fails")
    r = await api.client.get("/execute/fails", headers=key)
    error = assert_error(r, 500, "node_failed")
    assert (error["node_id"], error["node_type"]) == ("bad", "filter_rows")
    assert error["message"] == "condition: column 'missing' not found (available: a)"
    assert error["details"]["node_code"] == "node_failed"
    uuid.UUID(error["details"]["run_id"])


async def test_timeout_answers_504(api: Any, make_wait_doc: Any) -> None:
    _, _, key = await _setup(api, make_wait_doc("never", timeout_s=0.2), "slow")
    r = await api.client.get("/execute/slow", headers=key)
    error = assert_error(r, 504, "timeout")
    assert "0.2" in error["message"]


async def test_async_mode_answers_202_and_the_run_can_be_polled(api: Any, gates: Any) -> None:
    owner, made, key = await _setup(api, orders_doc(), "later", mode="async")
    r = await api.client.get("/execute/later?min_amount=15", headers=key)
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    assert r.json()["status"] == "running"
    assert r.headers["Location"] == f"/execute/later/runs/{run_id}"
    for _ in range(200):
        r = await api.client.get(f"/execute/later/runs/{run_id}", headers=key)
        if r.json()["status"] != "running":
            break
        await asyncio.sleep(0.01)
    assert r.status_code == 200 and r.json()["outputs"]["result"] == expected_orders(15)
    r = await api.client.get(f"/execute/later/runs/{run_id}?format=csv", headers=key)
    assert r.headers["content-type"].startswith("text/csv")

    assert_error(await api.client.get(f"/execute/later/runs/{run_id}"), 401, "missing_api_key")
    r = await api.client.get(f"/execute/later/runs/{uuid.uuid4()}", headers=key)
    assert_error(r, 404, "not_found")
    # Bad parameters are refused at once, not reported in the poll.
    r = await api.client.get("/execute/later?min_amount=x", headers=key)
    assert_error(r, 422, "invalid_parameters")
    # A run of another endpoint is not this endpoint's.
    await publish(api, owner, made.workspace_id, orders_doc(), "other", key=False)
    r = await api.client.get(f"/execute/other/runs/{run_id}", headers=key)
    assert_error(r, 404, "not_found")


async def test_jwt_endpoints_take_members_access_tokens(api: Any) -> None:
    owner, viewer, outsider = [await api.user() for _ in range(3)]
    ws = (await api.workspace(owner))["id"]
    await api.add_member(owner, ws, viewer, "viewer")
    made = await publish(api, owner, ws, orders_doc(), "members", auth="jwt")
    r = await api.client.get("/execute/members?min_amount=60", headers=viewer.headers)
    assert r.status_code == 200 and r.json()["outputs"]["result"] == expected_orders(60)

    r = await api.client.get("/execute/members", headers=outsider.headers)
    assert_error(r, 403, "not_a_member")
    assert_error(await api.client.get("/execute/members"), 401, "unauthorized")
    r = await api.client.get("/execute/members", headers={"Authorization": f"Bearer {made.key}"})
    assert_error(r, 401, "invalid_token")
    r = await api.client.get("/execute/members", headers={"Authorization": "Bearer abc.def.ghi"})
    assert_error(r, 401, "invalid_token")
    r = await api.client.patch(
        f"/api/v1/users/{viewer.id}", json={"is_active": False}, headers=(await api.user(
            admin=True)).headers)  # fmt: skip
    assert r.status_code == 200
    api.state.published.directory._members.clear()  # as after the refresh interval
    r = await api.client.get("/execute/members", headers=viewer.headers)
    assert_error(r, 401, "inactive_user")


async def test_health_worker_stats_and_metrics(api: Any) -> None:
    _, _, key = await _setup(api, orders_doc(), "seen", rate_limit=100)
    await api.client.get("/execute/seen", headers=key)
    await api.client.get("/execute/seen?min_amount=x", headers=key)
    await api.client.get("/execute/seen")

    r = await api.client.get("/execute/health")
    assert r.status_code == 200 and r.json()["endpoints"] == 1 and r.json()["status"] == "ok"

    assert_error(await api.client.get("/execute/worker-stats"), 401, "unauthorized")
    user = await api.user()
    r = await api.client.get("/execute/worker-stats", headers=user.headers)
    assert_error(r, 403, "forbidden")
    admin = await api.user(admin=True)
    stats = (await api.client.get("/execute/worker-stats", headers=admin.headers)).json()
    assert stats["cached"] == 1 and stats["misses"] == 1 and stats["hits"] >= 2
    (entry,) = stats["executors"]
    assert (entry["endpoint"], entry["version"]) == ("seen", 1)
    assert entry["memory_estimate_bytes"] > 0 and entry["last_used_at"]

    text = (await api.client.get("/metrics")).text
    assert 'maxdp_executions_total{endpoint="seen",status="succeeded"} 1.0' in text
    assert 'maxdp_execute_rejections_total{code="422",endpoint="seen"} 1.0' in text
    assert 'maxdp_execute_rejections_total{code="401",endpoint="seen"} 1.0' in text
    assert 'maxdp_execution_duration_seconds_count{endpoint="seen"} 1.0' in text
    assert "maxdp_worker_cache_misses_total 1.0" in text
    assert "maxdp_scheduler_fires_total" in text
    assert 'maxdp_runs_in_flight{kind="execute"} 0.0' in text
