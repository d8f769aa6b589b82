"""Firing, driven tick by tick: versions, misfire policies, claims, leases (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import uuid
from typing import Any

from max_dp_server.db import utcnow
from max_dp_server.models import ScheduleFire, SchedulerLease
from max_dp_server.models.schedule import LEASE_NAME
from max_dp_server.schedules.runner import LOST_MESSAGE, ScheduleRunner

HOUR = dt.timedelta(hours=1)


def rows_doc(count: int, **extra: Any) -> dict[str, Any]:
    """static rows (``count`` of them) -> display as 'result'."""
    return {
        "name": "counter",
        "nodes": [
            {
                "id": "src",
                "type": "static_data",
                "config": {"rows": [{"i": i} for i in range(count)]},
            },
            {"id": "out", "type": "display_results", "config": {"name": "result"}},
        ],
        "edges": [{"source": "src", "target": "out"}],
        **extra,
    }


async def _save(manual: Any, owner: Any, flow_id: str, doc: dict[str, Any]) -> None:
    client = manual.api.client
    r = await client.put(f"/api/v1/flows/{flow_id}", json={"document": doc}, headers=owner.headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/flows/{flow_id}/versions", json={}, headers=owner.headers)
    assert r.status_code == 201, r.text


async def test_a_due_fire_runs_the_latest_saved_version(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    # The current document differs from version 1 and is not saved: version 1 runs.
    r = await manual.api.client.put(
        f"/api/v1/flows/{flow_id}", json={"document": rows_doc(5)}, headers=owner.headers
    )
    assert r.status_code == 200
    schedule = await manual.schedule(owner, flow_id, params={})
    due = utcnow().replace(microsecond=0) - dt.timedelta(seconds=5)
    await manual.make_due(schedule["id"], due)

    claimed = await manual.fire()
    assert len(claimed) == 1
    [fire] = await manual.fires(schedule["id"])
    assert (fire.fire_time, fire.status, fire.claimed_by) == (due, "started", manual.runner.holder)
    run = await manual.api.wait_for_run(owner, str(fire.run_id))
    assert (run["trigger"], run["version"], run["status"]) == ("schedule", 1, "succeeded")
    assert run["created_by"] == str(owner.id)
    assert run["outputs"]["result"]["row_count"] == 1
    after = await manual.read(schedule["id"])
    assert after.last_fire_at == due and after.next_fire_at > utcnow()
    # Firing moves the schedule on; its updated_at stays the time a person last changed it.
    assert after.updated_at == dt.datetime.fromisoformat(schedule["updated_at"])

    # A newer saved version is what the next fire runs.
    await _save(manual, owner, flow_id, rows_doc(3))
    await manual.make_due(schedule["id"], due + dt.timedelta(seconds=1))
    assert len(await manual.fire()) == 1
    second = (await manual.fires(schedule["id"]))[-1]
    run = await manual.api.wait_for_run(owner, str(second.run_id))
    assert (run["version"], run["outputs"]["result"]["row_count"]) == (2, 3)
    r = await manual.api.client.get(
        f"/api/v1/schedules/{schedule['id']}/fires", headers=owner.headers
    )
    assert [f["run_id"] for f in r.json()["items"]] == [str(second.run_id), str(fire.run_id)]


async def test_a_pinned_schedule_runs_its_version(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(2))
    await _save(manual, owner, flow_id, rows_doc(4))  # version 2
    schedule = await manual.schedule(owner, flow_id, version=1)
    await manual.make_due(schedule["id"], utcnow() - dt.timedelta(seconds=1))
    await manual.fire()
    [fire] = await manual.fires(schedule["id"])
    run = await manual.api.wait_for_run(owner, str(fire.run_id))
    assert (run["version"], run["outputs"]["result"]["row_count"]) == (1, 2)


async def test_no_saved_version_fails_the_fire_with_a_message(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1), versions=0)
    schedule = await manual.schedule(owner, flow_id)
    await manual.make_due(schedule["id"], utcnow() - dt.timedelta(seconds=1))
    await manual.fire()
    [fire] = await manual.fires(schedule["id"])
    assert (fire.status, fire.run_id) == ("failed", None)
    assert fire.message == (
        "the flow has no saved version to run; save one (POST /api/v1/flows/"
        f"{flow_id}/versions) or pin the schedule to a version"
    )
    assert await manual.runs(flow_id) == []


async def test_parameters_that_no_longer_fit_fail_the_fire(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id)
    await _save(
        manual,
        owner,
        flow_id,
        rows_doc(1, parameters=[{"name": "n", "type": "integer", "required": True}]),
    )
    await manual.make_due(schedule["id"], utcnow() - dt.timedelta(seconds=1))
    await manual.fire()
    [fire] = await manual.fires(schedule["id"])
    assert (fire.status, fire.message) == ("failed", "n: required")
    assert await manual.runs(flow_id) == []


async def test_a_disabled_schedule_never_fires(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id, enabled=False)
    assert schedule["next_fire_at"] is None
    await manual.make_due(schedule["id"], utcnow() - dt.timedelta(seconds=1))  # even when due
    assert await manual.fire() == []
    assert await manual.fires(schedule["id"]) == []
    assert await manual.runs(flow_id) == []


async def test_misfire_skip_records_the_gap_and_runs_nothing(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id, misfire_policy="skip")
    missed = utcnow().replace(microsecond=0) - 2 * HOUR
    await manual.make_due(schedule["id"], missed)
    assert await manual.fire() == []
    [fire] = await manual.fires(schedule["id"])
    assert (fire.fire_time, fire.status, fire.run_id) == (missed, "skipped", None)
    assert fire.message.startswith(f"missed: no scheduler ran between {missed.isoformat()} and ")
    assert await manual.runs(flow_id) == []
    assert (await manual.read(schedule["id"])).next_fire_at > utcnow()


async def test_misfire_run_once_runs_one_catch_up(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id, misfire_policy="run_once")
    missed = utcnow().replace(microsecond=0) - 2 * HOUR
    await manual.make_due(schedule["id"], missed)
    assert len(await manual.fire()) == 1
    [fire] = await manual.fires(schedule["id"])
    assert (fire.fire_time, fire.status) == (missed, "started")
    assert fire.message.startswith("catch-up: runs once for the fires missed since")
    assert len(await manual.runs(flow_id)) == 1
    assert (await manual.read(schedule["id"])).next_fire_at > utcnow()


async def test_a_fire_claimed_by_another_process_is_not_run(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id)
    due = utcnow().replace(microsecond=0) - dt.timedelta(seconds=2)
    await manual.make_due(schedule["id"], due)
    async with manual.api.state.sessionmaker.begin() as session:
        session.add(
            ScheduleFire(
                schedule_id=uuid.UUID(schedule["id"]),
                fire_time=due,
                status="started",
                claimed_by="another-process",
            )
        )
    assert await manual.fire() == []  # the lease holds, but the fire's key is taken
    [fire] = await manual.fires(schedule["id"])
    assert fire.claimed_by == "another-process"
    assert await manual.runs(flow_id) == []
    assert (await manual.read(schedule["id"])).next_fire_at > due


async def test_only_the_lease_holder_fires(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id)
    await manual.make_due(schedule["id"], utcnow() - dt.timedelta(seconds=1))
    other = ScheduleRunner(manual.api.state)
    assert await other.renew() is True
    assert await manual.runner.renew() is False
    assert await manual.runner.tick() == []
    assert await manual.fires(schedule["id"]) == []
    await other.stop()  # releases the lease: the next process takes over at once
    assert len(await manual.fire()) == 1


async def test_takeover_records_fires_a_dead_holder_never_started(manual: Any) -> None:
    owner, flow_id = await manual.setup(rows_doc(1))
    schedule = await manual.schedule(owner, flow_id)
    long_ago = utcnow() - HOUR
    async with manual.api.state.sessionmaker.begin() as session:
        lease = await session.get(SchedulerLease, LEASE_NAME)
        if lease is None:  # PostgreSQL tests empty every table, the seeded lease row too
            lease = SchedulerLease(name=LEASE_NAME, token=0)
            session.add(lease)
        lease.holder, lease.expires_at, lease.token = "dead-process", long_ago, 41
        session.add(
            ScheduleFire(
                schedule_id=uuid.UUID(schedule["id"]),
                fire_time=long_ago,
                status="claimed",
                claimed_by="dead-process",
                claimed_at=long_ago,
            )
        )
    assert await manual.runner.renew() is True
    assert manual.runner.token == 42  # the fencing token moved on
    [fire] = await manual.fires(schedule["id"])
    assert (fire.status, fire.message, fire.run_id) == ("failed", LOST_MESSAGE, None)


async def test_the_app_fires_by_itself(app_factory: Any, make_api: Any) -> None:
    """The lifespan's APScheduler jobs: a schedule every second runs, each second once."""
    import httpx

    async with app_factory(scheduler_poll_seconds=0.2, scheduler_lease_renew_seconds=1) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            helper = make_api(app, client)
            owner = await helper.user()
            workspace_id = (await helper.workspace(owner))["id"]
            flow = await helper.flow(owner, workspace_id, rows_doc(1))
            await client.post(
                f"/api/v1/flows/{flow['id']}/versions", json={}, headers=owner.headers
            )
            r = await client.post(
                f"/api/v1/flows/{flow['id']}/schedules",
                json={"cron": "* * * * * *"},
                headers=owner.headers,
            )
            assert r.status_code == 201, r.text
            fires_url = f"/api/v1/schedules/{r.json()['id']}/fires"
            deadline = asyncio.get_running_loop().time() + 10
            items: list[dict[str, Any]] = []
            while len([f for f in items if f["status"] == "started"]) < 3:
                assert asyncio.get_running_loop().time() < deadline, items
                await asyncio.sleep(0.2)
                items = (await client.get(fires_url, headers=owner.headers)).json()["items"]
            times = sorted(dt.datetime.fromisoformat(f["fire_time"]) for f in items)
            assert [b - a for a, b in itertools.pairwise(times)] == [dt.timedelta(seconds=1)] * (
                len(times) - 1
            )
            runs = (
                await client.get(f"/api/v1/runs?flow_id={flow['id']}", headers=owner.headers)
            ).json()
            started = {f["run_id"] for f in items if f["status"] == "started"}
            assert started <= {run["id"] for run in runs["items"]}
            assert {run["trigger"] for run in runs["items"]} == {"schedule"}
            assert app.state.maxdp.metrics.scheduler_fires._value.get() >= 3


async def test_scheduler_off_never_takes_the_lease(manual: Any) -> None:
    admin = await manual.api.user(admin=True)
    assert manual.api.state.schedules is None
    r = await manual.api.client.get("/api/v1/scheduler/status", headers=admin.headers)
    assert r.status_code == 200
    assert (r.json()["enabled"], r.json()["is_leader"], r.json()["process"]) == (False, False, None)
