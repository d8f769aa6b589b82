"""Versions: save (immutable), list, get, diff, restore."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from max_dp_server.models import FlowVersion


async def _setup(api: Any, make_flow_doc: Any) -> tuple[Any, str, dict[str, Any]]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    doc = make_flow_doc()
    flow = await api.flow(owner, wid, doc)
    return owner, flow["id"], doc


async def test_save_list_get_versions(api: Any, make_flow_doc: Any) -> None:
    owner, fid, doc = await _setup(api, make_flow_doc)
    r = await api.client.post(
        f"/api/v1/flows/{fid}/versions", json={"comment": "初版"}, headers=owner.headers
    )
    assert (r.status_code, r.json()["version"], r.json()["comment"]) == (201, 1, "初版")
    changed = copy.deepcopy(doc)
    changed["nodes"][0]["config"]["rows"].append({"region": "JP", "amount": 20})
    await api.client.put(f"/api/v1/flows/{fid}", json={"document": changed}, headers=owner.headers)
    # A body is optional.
    r = await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    assert (r.status_code, r.json()["version"], r.json()["comment"]) == (201, 2, "")

    r = await api.client.get(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    assert [v["version"] for v in r.json()["items"]] == [2, 1]
    assert "document" not in r.json()["items"][0]
    r = await api.client.get(f"/api/v1/flows/{fid}/versions/1", headers=owner.headers)
    assert r.json()["document"] == doc
    r = await api.client.get(f"/api/v1/flows/{fid}/versions/2", headers=owner.headers)
    assert r.json()["document"] == changed
    assert (await api.client.get(f"/api/v1/flows/{fid}", headers=owner.headers)).json()[
        "latest_version"
    ] == 2


async def test_missing_version_is_404_listing_the_saved_ones(api: Any, make_flow_doc: Any) -> None:
    owner, fid, _ = await _setup(api, make_flow_doc)
    r = await api.client.get(f"/api/v1/flows/{fid}/versions/1", headers=owner.headers)
    assert r.status_code == 404
    assert "none saved yet" in r.json()["error"]["message"]
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    r = await api.client.get(f"/api/v1/flows/{fid}/versions/7", headers=owner.headers)
    assert "versions: 1..1" in r.json()["error"]["message"]


async def test_concurrent_saves_get_distinct_numbers(
    api: Any, make_flow_doc: Any, db_kind: str
) -> None:
    owner, fid, _ = await _setup(api, make_flow_doc)
    replies = await asyncio.gather(
        *(api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers) for _ in range(4))
    )
    assert [r.status_code for r in replies] == [201] * 4
    assert sorted(r.json()["version"] for r in replies) == [1, 2, 3, 4]


async def test_diff_two_versions_and_the_current_document(api: Any, make_flow_doc: Any) -> None:
    owner, fid, doc = await _setup(api, make_flow_doc)
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    new = copy.deepcopy(doc)
    new["nodes"][1]["config"]["by"] = [{"column": "region"}]
    new["nodes"].insert(
        2, {"id": "top", "type": "sample_rows", "config": {"method": "first", "n": 1}}
    )
    new["edges"] = [
        {"source": "orders", "target": "sorted"},
        {"source": "sorted", "target": "top"},
        {"source": "top", "target": "out"},
    ]
    r = await api.client.put(f"/api/v1/flows/{fid}", json={"document": new}, headers=owner.headers)
    assert r.status_code == 200, r.text
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)

    r = await api.client.get(
        f"/api/v1/flows/{fid}/diff?from_version=1&to_version=2", headers=owner.headers
    )
    assert r.status_code == 200
    d = r.json()
    assert (d["from_version"], d["to_version"]) == (1, 2)
    assert d["nodes"]["added"] == ["top"] and d["nodes"]["removed"] == []
    assert d["nodes"]["changed"] == [{"node_id": "sorted", "fields": ["config.by"]}]
    assert {(e["source"], e["target"]) for e in d["edges"]["added"]} == {
        ("sorted", "top"),
        ("top", "out"),
    }
    assert [(e["source"], e["target"]) for e in d["edges"]["removed"]] == [("sorted", "out")]

    r = await api.client.get(f"/api/v1/flows/{fid}/diff?from_version=2", headers=owner.headers)
    assert r.json()["to_version"] is None
    assert r.json()["nodes"] == {"added": [], "removed": [], "changed": []}
    r = await api.client.get(f"/api/v1/flows/{fid}/diff?from_version=0", headers=owner.headers)
    assert r.status_code == 422


async def test_diff_a_version_with_a_document_being_edited(api: Any, make_flow_doc: Any) -> None:
    owner, fid, doc = await _setup(api, make_flow_doc)
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    draft = copy.deepcopy(doc)
    draft["nodes"][1]["config"]["by"] = [{"column": "region"}]
    draft["nodes"].append({"id": "half", "type": "no_such_node"})  # unsaved, and invalid
    url = f"/api/v1/flows/{fid}/diff"
    r = await api.client.post(
        url, json={"from_version": 1, "document": draft}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["from_version"], d["to_version"]) == (1, None)
    assert d["nodes"]["added"] == ["half"]
    assert d["nodes"]["changed"] == [{"node_id": "sorted", "fields": ["config.by"]}]
    # Nothing was stored: the saved document still equals version 1.
    r = await api.client.get(f"{url}?from_version=1", headers=owner.headers)
    assert r.json()["nodes"] == {"added": [], "removed": [], "changed": []}
    assert (await api.client.get(f"/api/v1/flows/{fid}", headers=owner.headers)).json()[
        "document"
    ] == doc

    r = await api.client.post(
        url, json={"from_version": 9, "document": draft}, headers=owner.headers
    )
    assert r.status_code == 404
    stranger = await api.user()
    r = await api.client.post(
        url, json={"from_version": 1, "document": draft}, headers=stranger.headers
    )
    assert r.status_code == 404


async def test_restore_copies_a_version_to_the_flow(api: Any, make_flow_doc: Any) -> None:
    owner, fid, doc = await _setup(api, make_flow_doc)
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    other = make_flow_doc("renamed")
    await api.client.put(f"/api/v1/flows/{fid}", json={"document": other}, headers=owner.headers)
    r = await api.client.post(f"/api/v1/flows/{fid}/versions/1/restore", headers=owner.headers)
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["document"], r.json()["latest_version"]) == (
        "orders",
        doc,
        1,
    )
    # Restoring does not add or change versions.
    r = await api.client.get(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    assert r.json()["total"] == 1


async def test_versions_cannot_be_changed(api: Any, make_flow_doc: Any) -> None:
    owner, fid, _ = await _setup(api, make_flow_doc)
    await api.client.post(f"/api/v1/flows/{fid}/versions", headers=owner.headers)
    # No route changes a version ...
    r = await api.client.put(
        f"/api/v1/flows/{fid}/versions/1", json={"comment": "x"}, headers=owner.headers
    )
    assert r.status_code == 405
    # ... and the model refuses it too.
    from sqlalchemy import select

    async with api.state.sessionmaker() as session:
        version = (await session.scalars(select(FlowVersion))).one()
        version.comment = "rewritten"
        with pytest.raises(RuntimeError, match="immutable"):
            await session.flush()
        await session.rollback()
