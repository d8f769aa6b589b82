"""Code nodes on the server: they run in the sandbox pool the lifespan owns (its maxima capping
each node), only editors and admins store them, and MAXDP_CODE_NODES_ENABLED=false refuses
them everywhere with the node ids."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pandas as pd
import pytest

from max_dp_server.code_policy import check_code_nodes
from max_dp_server.errors import ForbiddenError
from max_dp_server.models import User

CODE = "result = df.assign(b=df['a'] * 2)"
ROWS = [{"a": 1}, {"a": 2}, {"a": 3}]


def code_doc(code: str = CODE, *, apply: bool = False, **limits: Any) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {"id": "src", "type": "static_data", "config": {"rows": ROWS}},
        {"id": "py", "type": "run_python_script", "config": {"code": code, **limits}},
        {"id": "out", "type": "display_results", "config": {"name": "result"}},
    ]
    edges = [{"source": "src", "target": "py"}, {"source": "py", "target": "out"}]
    if apply:
        nodes.insert(2, {"id": "fn", "type": "apply_function",
                         "config": {"column": "a", "code": "lambda value: value + 1"}})  # fmt: skip
        edges = [edges[0], {"source": "py", "target": "fn"}, {"source": "fn", "target": "out"}]
    return {"name": "code flow", "nodes": nodes, "edges": edges}


@asynccontextmanager
async def serving(app_factory: Any, make_api: Any, **overrides: Any) -> AsyncIterator[Any]:
    async with app_factory(**overrides) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield make_api(app, client)


async def _run(api: Any, user: Any, flow_id: str) -> dict[str, Any]:
    r = await api.client.post(f"/api/v1/flows/{flow_id}/run", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_code_flow_runs_in_the_lifespans_sandbox_pool(
    app_factory: Any, make_api: Any
) -> None:
    async with serving(app_factory, make_api, sandbox_workers=1) as api:
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        pool = api.state.node_services.sandbox
        assert api.state.executor_services(uuid.UUID(wid))["sandbox"] is pool
        assert pool.live_workers == 0  # started at the first code run
        flow = await api.flow(owner, wid, code_doc())

        run = await _run(api, owner, flow["id"])
        assert run["status"] == "succeeded", run["error"]
        df = pd.DataFrame(ROWS)
        assert run["outputs"]["result"]["rows"] == df.assign(b=df["a"] * 2).to_dict("records")
        assert pool.live_workers == 1
        pids = pool.worker_pids()
        assert pids[0] != os.getpid()
        run = await _run(api, owner, flow["id"])
        assert run["status"] == "succeeded" and pool.worker_pids() == pids  # the warm worker


async def test_server_maxima_cap_a_nodes_own_limits(app_factory: Any, make_api: Any) -> None:
    async with serving(app_factory, make_api, sandbox_workers=1, sandbox_max_wall_seconds=1) as api:
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        # The node asks for a minute; the server allows one second.
        spin = await api.flow(
            owner, wid, code_doc("while True:\n    pass\nresult = df", wall_seconds=60)
        )
        run = await _run(api, owner, spin["id"])
        assert run["status"] == "failed"
        assert run["error"]["node_id"] == "py"
        assert run["error"]["message"] == "limit: wall clock exceeded 1 s"
        # The pool replaced the killed worker and serves the next run.
        run = await _run(api, owner, (await api.flow(owner, wid, code_doc()))["id"])
        assert run["status"] == "succeeded", run["error"]


async def test_prestart_starts_the_workers_with_the_server(app_factory: Any, make_api: Any) -> None:
    async with serving(app_factory, make_api, sandbox_workers=1, sandbox_prestart=True) as api:
        pool = api.state.node_services.sandbox
        assert pool.live_workers == 1
        (pid,) = pool.worker_pids()
        os.kill(pid, 0)  # alive
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped with the server


async def test_disabled_code_nodes_are_refused_when_saved(app_factory: Any, make_api: Any) -> None:
    async with serving(app_factory, make_api, code_nodes_enabled=False) as api:
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        r = await api.client.post(
            "/api/v1/flows",
            json={"workspace_id": wid, "document": code_doc(apply=True)},
            headers=owner.headers,
        )
        assert r.status_code == 422
        error = r.json()["error"]
        assert error["code"] == "code_nodes_disabled"
        assert error["details"] == {"node_ids": ["py", "fn"]}
        assert "remove 'py', 'fn'" in error["message"]
        assert "MAXDP_CODE_NODES_ENABLED=false" in error["message"]

        r = await api.client.post(
            f"/api/v1/flows/import?workspace_id={wid}", json=code_doc(), headers=owner.headers
        )
        assert (r.status_code, r.json()["error"]["details"]) == (422, {"node_ids": ["py"]})

        plain = await api.flow(owner, wid)
        r = await api.client.put(
            f"/api/v1/flows/{plain['id']}", json={"document": code_doc()}, headers=owner.headers
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "code_nodes_disabled"
        r = await api.client.get(f"/api/v1/flows/{plain['id']}", headers=owner.headers)
        assert r.json()["document"] == plain["document"]  # unchanged
        assert (await _run(api, owner, plain["id"]))["status"] == "succeeded"


async def test_flows_saved_before_the_switch_do_not_run(app_factory: Any, make_api: Any) -> None:
    async with serving(app_factory, make_api) as api:
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        flow = await api.flow(owner, wid, code_doc())
        r = await api.client.post(f"/api/v1/flows/{flow['id']}/versions", headers=owner.headers)
        assert r.status_code == 201
        r = await api.client.put(
            f"/api/v1/flows/{flow['id']}",
            json={"document": {**code_doc(), "nodes": code_doc()["nodes"][:1], "edges": []}},
            headers=owner.headers,
        )
        assert r.status_code == 200
        r = await api.client.put(
            f"/api/v1/flows/{flow['id']}", json={"document": code_doc()}, headers=owner.headers
        )
        assert r.status_code == 200

    async with serving(app_factory, make_api, keep_data=True, code_nodes_enabled=False) as api:
        base = f"/api/v1/flows/{flow['id']}"
        r = await api.client.post(f"{base}/run", headers=owner.headers)
        assert r.status_code == 422
        assert r.json()["error"]["details"] == {"node_ids": ["py"]}
        r = await api.client.post(f"{base}/run?background=true", headers=owner.headers)
        assert r.status_code == 422
        r = await api.client.post(f"{base}/preview", json={"node_id": "src"}, headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "code_nodes_disabled"
        # An inline preview document is checked too.
        r = await api.client.post(
            f"{base}/preview",
            json={"node_id": "src", "document": code_doc(apply=True)},
            headers=owner.headers,
        )
        assert r.json()["error"]["details"] == {"node_ids": ["py", "fn"]}
        r = await api.client.post(f"{base}/versions/1/restore", headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "code_nodes_disabled"
        r = await api.client.get("/api/v1/runs", headers=owner.headers)
        assert r.json()["total"] == 0  # nothing ran, nothing was recorded


async def test_only_editors_and_admins_store_code_nodes(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    viewer, editor = await api.user(), await api.user()
    await api.add_member(owner, wid, viewer, "viewer")
    await api.add_member(owner, wid, editor, "editor")

    flow = await api.flow(editor, wid, code_doc())  # editors may
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/versions", headers=editor.headers)
    assert r.status_code == 201
    for method, path, body in (
        ("POST", "/api/v1/flows", {"workspace_id": wid, "document": code_doc()}),
        ("POST", f"/api/v1/flows/import?workspace_id={wid}", code_doc()),
        ("PUT", f"/api/v1/flows/{flow['id']}", {"document": code_doc(apply=True)}),
        ("POST", f"/api/v1/flows/{flow['id']}/versions/1/restore", None),
        ("POST", f"/api/v1/flows/{flow['id']}/run", None),
        ("POST", f"/api/v1/flows/{flow['id']}/preview", {"node_id": "py"}),
    ):
        r = await api.client.request(method, path, json=body, headers=viewer.headers)
        assert r.status_code == 403, (method, path, r.text)

    # The rule itself, as any future path that lets a lower role write would meet it.
    async with api.state.sessionmaker() as session:
        user = await session.get(User, viewer.id)
        assert user is not None
        with pytest.raises(ForbiddenError) as caught:
            await check_code_nodes(
                session, user, uuid.UUID(wid), code_doc(apply=True), enabled=True
            )
        assert caught.value.details == {
            "node_ids": ["py", "fn"],
            "role": "viewer",
            "needed": "editor",
        }
        assert "only editors and admins may save flows with code nodes ('py', 'fn')" in str(
            caught.value
        )
        # A flow without code nodes is not this rule's business.
        await check_code_nodes(session, user, uuid.UUID(wid), make_flow_doc(), enabled=False)
