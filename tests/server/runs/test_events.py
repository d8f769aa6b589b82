"""Cancel, timeouts, shutdown, and the per-run event stream (SSE)."""

from __future__ import annotations

import asyncio
import json
from typing import Any


def parse_sse(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
        )
        if fields:
            event = json.loads(fields["data"])
            assert fields["event"] == event["kind"] and int(fields["id"]) == event["seq"]
            events.append(event)
    return events


async def _start(api: Any, doc: dict[str, Any]) -> tuple[Any, str]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, wid, doc)
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/run?background=true", headers=owner.headers
    )
    assert r.status_code == 202, r.text
    return owner, r.json()["run_id"]


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def _node_started(api: Any, run_id: str, node_id: str) -> Any:
    import uuid

    def check() -> bool:
        log = api.state.runs.events(uuid.UUID(run_id))
        return log is not None and any(
            e["kind"] == "node_started" and e["node_id"] == node_id for e in log.events
        )

    return check


async def test_events_of_a_finished_run_are_replayed(api: Any, make_flow_doc: Any) -> None:
    owner, run_id = await _start(api, make_flow_doc())
    await api.wait_for_run(owner, run_id)
    r = await api.client.get(f"/api/v1/runs/{run_id}/events", headers=owner.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [(e["kind"], e["node_id"]) for e in events]
    assert kinds == [
        ("run_started", None),
        ("node_started", "orders"),
        ("node_finished", "orders"),
        ("node_started", "sorted"),
        ("node_finished", "sorted"),
        ("node_started", "out"),
        ("node_finished", "out"),
        ("run_finished", None),
    ]
    assert events[-1]["status"] == "succeeded"
    assert events[2]["data"]["rows_out"] == 2
    # Resuming after event 5 sends the rest only.
    r = await api.client.get(
        f"/api/v1/runs/{run_id}/events", headers={**owner.headers, "Last-Event-ID": "5"}
    )
    assert [e["seq"] for e in parse_sse(r.text)] == [6, 7, 8]


async def test_events_stream_while_the_run_is_in_progress(
    api: Any, gates: Any, make_wait_doc: Any
) -> None:
    gates["live"] = asyncio.Event()
    owner, run_id = await _start(api, make_wait_doc("live"))
    await _until(_node_started(api, run_id, "wait"))

    import uuid

    log = api.state.runs.events(uuid.UUID(run_id))
    stream = asyncio.create_task(
        api.client.get(f"/api/v1/runs/{run_id}/events", headers=owner.headers)
    )
    await _until(lambda: len(log._queues) == 1)  # subscribed to the live run
    gates["live"].set()
    r = await asyncio.wait_for(stream, 10)
    events = parse_sse(r.text)
    assert [(e["kind"], e["node_id"]) for e in events][-4:] == [
        ("node_finished", "wait"),
        ("node_started", "out"),
        ("node_finished", "out"),
        ("run_finished", None),
    ]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # run_finished is sent once the record is stored: reading the run now shows the end.
    run = (await api.client.get(f"/api/v1/runs/{run_id}", headers=owner.headers)).json()
    assert run["status"] == "succeeded"


async def test_cancel_a_running_run(api: Any, gates: Any, make_wait_doc: Any) -> None:
    gates["never"] = asyncio.Event()
    owner, run_id = await _start(api, make_wait_doc("never"))
    await _until(_node_started(api, run_id, "wait"))
    r = await api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=owner.headers)
    assert r.status_code == 202
    assert r.json() == {"run_id": run_id, "status": "cancel_requested"}
    run = await api.wait_for_run(owner, run_id)
    assert run["status"] == "canceled"
    assert run["error"]["code"] == "canceled"
    statuses = {n["node_id"]: n["status"] for n in run["nodes"]}
    assert statuses == {"src": "succeeded", "wait": "canceled", "out": "skipped"}
    r = await api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=owner.headers)
    assert r.status_code == 409
    assert "already finished (canceled)" in r.json()["error"]["message"]


async def test_cancel_an_orphaned_run_marks_it_canceled(api: Any, make_flow_doc: Any) -> None:
    owner, run_id = await _start(api, make_flow_doc())
    await api.wait_for_run(owner, run_id)
    # A record left "running" by a server that stopped: no process runs it any more.
    import uuid

    from sqlalchemy import update

    from max_dp_server.models import RunRecord

    async with api.state.sessionmaker.begin() as session:
        await session.execute(
            update(RunRecord).where(RunRecord.id == uuid.UUID(run_id)).values(status="running")
        )
    r = await api.client.post(f"/api/v1/runs/{run_id}/cancel", headers=owner.headers)
    assert r.json()["status"] == "canceled"
    run = (await api.client.get(f"/api/v1/runs/{run_id}", headers=owner.headers)).json()
    assert run["status"] == "canceled"


async def test_flow_timeout_ends_the_run_as_timed_out(
    api: Any, gates: Any, make_wait_doc: Any
) -> None:
    gates["slow"] = asyncio.Event()
    owner, run_id = await _start(api, make_wait_doc("slow", timeout_s=0.2))
    run = await api.wait_for_run(owner, run_id)
    assert run["status"] == "timed_out"
    assert run["error"]["code"] == "timeout"
    assert 150 <= run["duration_ms"] < 5000


async def test_stopping_the_server_records_active_runs_as_canceled(
    app_factory: Any, make_api: Any, gates: Any, make_wait_doc: Any
) -> None:
    import httpx

    gates["forever"] = asyncio.Event()
    async with app_factory() as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            api = make_api(app, client)
            owner, run_id = await _start(api, make_wait_doc("forever"))
            await _until(_node_started(api, run_id, "wait"))
    # The lifespan has ended; a new server on the same database reads the record.
    async with app_factory(keep_data=True) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get(f"/api/v1/runs/{run_id}", headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "canceled"
    assert {n["node_id"]: n["status"] for n in r.json()["nodes"]}["wait"] == "canceled"
