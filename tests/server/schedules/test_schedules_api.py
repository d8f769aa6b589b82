"""Schedule CRUD, previews and access through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


async def _setup(api: Any, doc: dict[str, Any] | None = None) -> tuple[Any, str, dict[str, Any]]:
    owner = await api.user()
    workspace_id = (await api.workspace(owner))["id"]
    return owner, workspace_id, await api.flow(owner, workspace_id, doc)


def _weekday_nine_am_seoul(count: int) -> list[str]:
    """The next ``count`` Monday-Friday 09:00 in Seoul (no DST there), counted by hand."""
    now = dt.datetime.now(SEOUL)
    day = now.date()
    found: list[str] = []
    while len(found) < count:
        at = dt.datetime.combine(day, dt.time(9), tzinfo=SEOUL)
        if at.weekday() < 5 and at > now:
            found.append(at.isoformat())
        day += dt.timedelta(days=1)
    return found


async def test_create_read_list_update_delete(api: Any) -> None:
    owner, workspace_id, flow = await _setup(api)
    client, auth = api.client, owner.headers
    body = {"name": "Weekday report", "cron": "0 9 * * 1-5", "timezone": "Asia/Seoul"}
    r = await client.post(f"/api/v1/flows/{flow['id']}/schedules", json=body, headers=auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["next_fire_times"] == _weekday_nine_am_seoul(5)
    assert dt.datetime.fromisoformat(created["next_fire_at"]) == dt.datetime.fromisoformat(
        created["next_fire_times"][0]
    )
    assert {k: created[k] for k in ("flow_id", "workspace_id", "version", "params", "enabled")} == {
        "flow_id": flow["id"],
        "workspace_id": workspace_id,
        "version": None,
        "params": {},
        "enabled": True,
    }
    assert (created["misfire_policy"], created["created_by"]) == ("skip", str(owner.id))
    sid = created["id"]

    r = await client.get(f"/api/v1/schedules/{sid}", headers=auth)
    assert r.status_code == 200 and r.json()["cron"] == "0 9 * * 1-5"
    for url in (
        f"/api/v1/flows/{flow['id']}/schedules",
        f"/api/v1/schedules?workspace_id={workspace_id}",
        "/api/v1/schedules",
    ):
        page = (await client.get(url, headers=auth)).json()
        assert (page["total"], [s["id"] for s in page["items"]]) == (1, [sid]), url

    r = await client.patch(f"/api/v1/schedules/{sid}", json={"enabled": False}, headers=auth)
    assert r.status_code == 200, r.text
    assert (r.json()["enabled"], r.json()["next_fire_at"], r.json()["next_fire_times"]) == (
        False,
        None,
        [],
    )
    r = await client.patch(
        f"/api/v1/schedules/{sid}",
        json={
            "enabled": True,
            "cron": "*/15  * * * *",
            "timezone": "UTC",
            "misfire_policy": "run_once",
        },
        headers=auth,
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["cron"], changed["misfire_policy"], changed["name"]) == (
        "*/15 * * * *",
        "run_once",
        "Weekday report",
    )
    times = [dt.datetime.fromisoformat(t) for t in changed["next_fire_times"]]
    assert all(
        t.minute % 15 == 0 and t.second == 0 and t.utcoffset() == dt.timedelta() for t in times
    )
    assert [b - a for a, b in itertools.pairwise(times)] == [dt.timedelta(minutes=15)] * 4
    assert dt.datetime.now(dt.UTC) < times[0] <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)

    assert (await client.delete(f"/api/v1/schedules/{sid}", headers=auth)).status_code == 204
    r = await client.get(f"/api/v1/schedules/{sid}", headers=auth)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_preview_saves_nothing(api: Any) -> None:
    owner, _, _flow = await _setup(api)
    body = {"cron": "*/2 * * * * *", "timezone": "Europe/Berlin", "count": 3}
    r = await api.client.post("/api/v1/schedules/preview", json=body, headers=owner.headers)
    assert r.status_code == 200, r.text
    times = [dt.datetime.fromisoformat(t) for t in r.json()["next_fire_times"]]
    assert len(times) == 3 and all(t.second % 2 == 0 for t in times)
    assert [b - a for a, b in itertools.pairwise(times)] == [dt.timedelta(seconds=2)] * 2
    berlin = ZoneInfo("Europe/Berlin")
    assert all(t.utcoffset() == t.astimezone(berlin).utcoffset() for t in times)
    page = (await api.client.get("/api/v1/schedules", headers=owner.headers)).json()
    assert page["total"] == 0


async def test_bad_cron_time_zone_and_fields_answer_422(api: Any) -> None:
    owner, _, flow = await _setup(api)
    url, auth = f"/api/v1/flows/{flow['id']}/schedules", owner.headers

    r = await api.client.post(url, json={"cron": "61 * * * *"}, headers=auth)
    error = r.json()["error"]
    assert (r.status_code, error["code"]) == (422, "invalid_cron")
    assert error["message"].startswith("cron: the minute field '61' is not valid")
    assert error["details"] == {"field": "cron", "part": "minute"}

    r = await api.client.post(url, json={"cron": "* * * *"}, headers=auth)
    assert r.status_code == 422 and "has 4 fields" in r.json()["error"]["message"]

    r = await api.client.post(
        url, json={"cron": "0 9 * * *", "timezone": "Mars/Olympus"}, headers=auth
    )
    error = r.json()["error"]
    assert (r.status_code, error["code"]) == (422, "invalid_timezone")
    assert error["message"].startswith("timezone: 'Mars/Olympus' is not an IANA time zone name")

    r = await api.client.post(
        url, json={"cron": "0 9 * * *", "misfire_policy": "sometimes", "colour": 1}, headers=auth
    )
    error = r.json()["error"]
    assert (r.status_code, error["code"]) == (422, "validation_error")
    assert {d["field"] for d in error["details"]} == {"body.misfire_policy", "body.colour"}
    assert "Traceback" not in r.text

    r = await api.client.post(
        "/api/v1/schedules/preview", json={"cron": "0 0 30 2 *"}, headers=auth
    )
    assert r.status_code == 422 and "never fires" in r.json()["error"]["message"]

    r = await api.client.post(url, json={"cron": "0 9 * * *"}, headers=auth)
    sid = r.json()["id"]
    r = await api.client.patch(f"/api/v1/schedules/{sid}", json={"cron": "0 9 * * 8"}, headers=auth)
    assert r.status_code == 422 and "day of week '8'" in r.json()["error"]["message"]
    assert (await api.client.get(f"/api/v1/schedules/{sid}", headers=auth)).json()["cron"] == (
        "0 9 * * *"
    )
    assert (await api.client.get(f"/api/v1/schedules/{sid}/fires", headers=auth)).json()[
        "total"
    ] == 0


async def test_pinned_version_must_exist(api: Any) -> None:
    owner, _, flow = await _setup(api)
    url, auth = f"/api/v1/flows/{flow['id']}/schedules", owner.headers
    r = await api.client.post(url, json={"cron": "@daily", "version": 1}, headers=auth)
    assert r.status_code == 404
    assert (
        r.json()["error"]["message"] == "flow 'orders' has no version 1 (versions: none saved yet)"
    )
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/versions", json={}, headers=auth)
    assert r.status_code == 201
    r = await api.client.post(url, json={"cron": "@daily", "version": 1}, headers=auth)
    assert (r.status_code, r.json()["version"]) == (201, 1)
    r = await api.client.patch(
        f"/api/v1/schedules/{r.json()['id']}", json={"version": None}, headers=auth
    )
    assert (r.status_code, r.json()["version"]) == (200, None)


async def test_params_must_bind_to_the_flow_parameters(api: Any, make_flow_doc: Any) -> None:
    doc = make_flow_doc(parameters=[{"name": "n", "type": "integer", "required": True}])
    owner, _, flow = await _setup(api, doc)
    url, auth = f"/api/v1/flows/{flow['id']}/schedules", owner.headers
    r = await api.client.post(
        url, json={"cron": "@hourly", "params": {"n": "five", "zzz": 1}}, headers=auth
    )
    error = r.json()["error"]
    assert (r.status_code, error["code"]) == (422, "invalid_parameters")
    assert error["message"].startswith("params: n: ")
    assert {d["field"] for d in error["details"]} == {"n", "zzz"}
    r = await api.client.post(url, json={"cron": "@hourly"}, headers=auth)
    assert r.status_code == 422 and "n: required" in r.json()["error"]["message"]
    r = await api.client.post(url, json={"cron": "@hourly", "params": {"n": 3}}, headers=auth)
    assert (r.status_code, r.json()["params"]) == (201, {"n": 3})


async def test_viewers_read_outsiders_see_nothing(api: Any) -> None:
    owner, workspace_id, flow = await _setup(api)
    viewer, editor, outsider = await api.user(), await api.user(), await api.user()
    await api.add_member(owner, workspace_id, viewer, "viewer")
    await api.add_member(owner, workspace_id, editor, "editor")
    flow_url = f"/api/v1/flows/{flow['id']}/schedules"
    r = await api.client.post(flow_url, json={"cron": "@daily"}, headers=editor.headers)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    one = f"/api/v1/schedules/{sid}"

    for url in (one, f"{one}/fires", flow_url, f"/api/v1/schedules?workspace_id={workspace_id}"):
        assert (await api.client.get(url, headers=viewer.headers)).status_code == 200, url
    for method, url, body in (
        ("POST", flow_url, {"cron": "@daily"}),
        ("PATCH", one, {"enabled": False}),
        ("DELETE", one, None),
    ):
        r = await api.client.request(method, url, json=body, headers=viewer.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden"), (method, url)
        assert "viewer" in r.json()["error"]["message"]

    for method, url, body in (
        ("GET", one, None),
        ("GET", f"{one}/fires", None),
        ("PATCH", one, {"enabled": False}),
        ("DELETE", one, None),
        ("GET", flow_url, None),
        ("POST", flow_url, {"cron": "@daily"}),
        ("GET", f"/api/v1/schedules?workspace_id={workspace_id}", None),
    ):
        r = await api.client.request(method, url, json=body, headers=outsider.headers)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found"), (method, url)
    # Exactly as for an id that does not exist.
    r = await api.client.get(one, headers=outsider.headers)
    assert r.json()["error"]["message"] == f"no schedule with id {sid}"
    missing = uuid.uuid4()
    r = await api.client.get(f"/api/v1/schedules/{missing}", headers=owner.headers)
    assert r.json()["error"]["message"] == f"no schedule with id {missing}"
    page = (await api.client.get("/api/v1/schedules", headers=outsider.headers)).json()
    assert page["total"] == 0
    assert (await api.client.get(one, headers=owner.headers)).json()["enabled"] is True
    assert (await api.client.get(one)).status_code == 401


async def test_scheduler_status_is_for_admins(api: Any) -> None:
    admin, someone = await api.user(admin=True), await api.user()
    r = await api.client.get("/api/v1/scheduler/status", headers=someone.headers)
    assert r.status_code == 403
    assert await api.state.schedules.renew() is True
    r = await api.client.get("/api/v1/scheduler/status", headers=admin.headers)
    assert r.status_code == 200, r.text
    status = r.json()
    assert status["enabled"] is True and status["is_leader"] is True
    assert status["lease"]["holder"] == status["process"] == api.state.schedules.holder
