"""Run records of endpoint calls (record_runs all / errors / none, batches, retries) and
runs left behind by a server process that died (heartbeats, crashed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from max_dp_server.db import create_engine, create_sessionmaker, utcnow
from max_dp_server.metrics import Metrics
from max_dp_server.models import ApiKey, RunRecord
from max_dp_server.published.recorder import RunRecorder
from tests.server.conftest import Api, make_settings
from tests.server.published.helpers import orders_doc, publish, webhook_doc

GOOD = {"items": [{"id": 1}, {"id": 2}]}
BAD = {"nothing": []}  # the listener's records_path "items" is missing: the run fails


async def _runs(api: Any, user: Any, flow_id: str) -> list[dict[str, Any]]:
    await api.state.published.recorder.flush()
    r = await api.client.get(f"/api/v1/runs?flow_id={flow_id}", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_record_runs_all_errors_none(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flows = {}
    for mode in ("all", "errors", "none"):
        made = await publish(api, owner, ws, webhook_doc(), f"rec-{mode}", record_runs=mode)
        flows[mode] = made
        key = {"X-API-Key": made.key}
        assert (await api.client.post(f"/execute/rec-{mode}", json=GOOD, headers=key)).is_success
        r = await api.client.post(f"/execute/rec-{mode}?tag=t", json=BAD, headers=key)
        assert r.status_code == 500

    recorded = {mode: await _runs(api, owner, m.flow_id) for mode, m in flows.items()}
    assert sorted(r["status"] for r in recorded["all"]) == ["failed", "succeeded"]
    assert [r["status"] for r in recorded["errors"]] == ["failed"]
    assert recorded["none"] == []

    failed = next(r for r in recorded["all"] if r["status"] == "failed")
    assert (failed["trigger"], failed["version"], failed["created_by"]) == ("api", 1, None)
    assert failed["params"] == {"tag": "t"}
    assert failed["error"]["node_id"] == "hook"
    r = await api.client.get(f"/api/v1/runs/{failed['id']}", headers=owner.headers)
    nodes = r.json()["nodes"]
    assert [(n["node_id"], n["status"]) for n in nodes] == [
        ("hook", "failed"),
        ("tagged", "skipped"),
        ("out", "skipped"),
    ]
    ok = next(r for r in recorded["all"] if r["status"] == "succeeded")
    assert ok["outputs"]["rows"]["row_count"] == 2
    assert [c["name"] for c in ok["outputs"]["rows"]["columns"]] == ["id", "tag"]


async def test_jwt_calls_record_the_user(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, orders_doc(), "who", auth="jwt")
    assert (await api.client.get("/execute/who", headers=owner.headers)).status_code == 200
    (run,) = await _runs(api, owner, made.flow_id)
    assert run["created_by"] == str(owner.id)


async def test_async_calls_are_recorded_running_then_finished(
    api: Any, make_wait_doc: Any, gates: Any
) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, make_wait_doc("async-gate"), "waits", mode="async")
    r = await api.client.get("/execute/waits", headers={"X-API-Key": made.key})
    assert r.status_code == 202
    run_id = r.json()["run_id"]
    (run,) = await _runs(api, owner, made.flow_id)
    assert (run["id"], run["status"]) == (run_id, "running")
    async with api.state.sessionmaker() as session:
        stored = await session.get(RunRecord, uuid.UUID(run_id))
        # Owned by this process, so its heartbeat keeps it from being taken for crashed.
        assert stored is not None and stored.owner == api.state.runs.instance_id
    gates["async-gate"].set()
    for _ in range(200):
        if (await _runs(api, owner, made.flow_id))[0]["status"] != "running":
            break
        await asyncio.sleep(0.01)
    (run,) = await _runs(api, owner, made.flow_id)
    assert run["status"] == "succeeded"
    r = await api.client.get(f"/api/v1/runs/{run_id}", headers=owner.headers)
    assert [n["status"] for n in r.json()["nodes"]] == ["succeeded"] * 3


async def test_records_are_written_without_an_explicit_flush(app_factory: Any) -> None:
    async with app_factory(run_record_interval_seconds=0.05) as app:
        await app.state.maxdp.published.directory.reload()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            api = Api(app, client)
            owner = await api.user()
            ws = (await api.workspace(owner))["id"]
            made = await publish(api, owner, ws, orders_doc(), "timely", auth="public")
            for _ in range(3):
                assert (await client.get("/execute/timely")).status_code == 200
            for _ in range(400):
                r = await client.get(f"/api/v1/runs?flow_id={made.flow_id}", headers=owner.headers)
                if r.json()["total"] == 3:
                    break
                await asyncio.sleep(0.01)
            assert r.json()["total"] == 3


async def test_a_failed_batch_is_kept_and_written_whole_later(api: Any, tmp_path: Path) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, orders_doc(), "batch", auth="public", record_runs="none")
    state = api.state
    info = state.published.directory.endpoints["batch"]
    executor = await state.published.executor(state, info)
    # A real database that cannot be written (its directory does not exist), then the real one.
    broken = create_engine(make_settings(f"sqlite+aiosqlite:///{tmp_path}/no/such/db", tmp_path))
    target = {"sessions": create_sessionmaker(broken)}
    recorder = RunRecorder(
        lambda: target["sessions"].begin(),
        dialect=state.settings.database_kind,
        owner="test",
        interval_s=60,
        batch_size=100,
        metrics=Metrics(),
    )
    ids = []
    for amount in (0, 20, 40):
        call = RunRecorder.call(uuid.uuid4(), info, None, utcnow(), {"min_amount": amount})
        call.result = await executor.run({"min_amount": amount})
        recorder.finished(call)
        ids.append(call.run_id)
    async with state.sessionmaker() as session:
        key = ApiKey(name="k", prefix="p", key_hash="h" * 64, workspace_id=uuid.UUID(ws), scopes=[])
        session.add(key)
        await session.commit()
    recorder.touch_key(key.id)

    assert await recorder.flush() == 0 and recorder.pending == 3
    target["sessions"] = state.sessionmaker
    assert await recorder.flush() == 3 and recorder.pending == 0
    await broken.dispose()

    async with state.sessionmaker() as session:
        runs = (await session.scalars(select(RunRecord).where(RunRecord.id.in_(ids)))).all()
        assert sorted(r.params["min_amount"] for r in runs) == [0, 20, 40]
        assert {r.status for r in runs} == {"succeeded"}
        assert (await session.get(ApiKey, key.id)).last_used_at is not None  # type: ignore[union-attr]
    for run_id in ids:
        r = await api.client.get(f"/api/v1/runs/{run_id}", headers=owner.headers)
        assert len(r.json()["nodes"]) == 3
    assert made.flow_id


async def test_runs_of_a_dead_process_are_marked_crashed(app_factory: Any, api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, ws, orders_doc())
    now = utcnow()
    old = now - dt.timedelta(minutes=10)
    rows = {
        "dead": RunRecord(status="running", owner="gone:1:x", heartbeat_at=old, created_at=old),
        "legacy": RunRecord(status="queued", owner=None, heartbeat_at=None, created_at=old),
        "alive": RunRecord(status="running", owner="other:2:y", heartbeat_at=now, created_at=old),
        "done": RunRecord(status="succeeded", owner="gone:1:x", heartbeat_at=old, created_at=old),
    }
    async with api.state.sessionmaker.begin() as session:
        for row in rows.values():
            row.flow_id, row.workspace_id, row.params = uuid.UUID(flow["id"]), uuid.UUID(ws), {}
            session.add(row)

    # The next start of a server process (here: a second app on the same database).
    async with app_factory(keep_data=True):
        pass
    async with api.state.sessionmaker() as session:
        status = {name: (await session.get(RunRecord, row.id)) for name, row in rows.items()}
    assert {k: v.status for k, v in status.items()} == {  # type: ignore[union-attr]
        "dead": "crashed",
        "legacy": "crashed",
        "alive": "running",
        "done": "succeeded",
    }
    assert status["dead"].error["code"] == "crashed"  # type: ignore[union-attr,index]
    assert status["dead"].finished_at is not None  # type: ignore[union-attr]


async def test_live_runs_keep_their_heartbeat(api: Any, make_wait_doc: Any, gates: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, ws, make_wait_doc("beat"))
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run?background=true", headers=owner.headers
    )
    run_id = uuid.UUID(r.json()["run_id"])
    async with api.state.sessionmaker() as session:
        first = (await session.get(RunRecord, run_id)).heartbeat_at  # type: ignore[union-attr]
    await asyncio.sleep(0.01)
    await api.state.runs.beat()
    assert await api.state.runs.sweep_crashed() == 0
    async with api.state.sessionmaker() as session:
        run = await session.get(RunRecord, run_id)
        assert run is not None and run.status in ("queued", "running")
        assert run.owner == api.state.runs.instance_id and run.heartbeat_at > first
    gates["beat"].set()
    await api.wait_for_run(owner, str(run_id))
