"""Saved mappings at work against real databases: auto-map from a table's columns, and a flow
run through the API whose ``mapped_table_search`` names a saved mapping."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import pytest

from tests.server.connections.remote import CUSTOMERS, RemoteDb
from tests.server.mappings.test_mappings import PRD_FIELDS, prd_mapping

DISPLAY = {column: f["displayName"] for column, f in PRD_FIELDS.items()}


@pytest.fixture(params=["mariadb", "postgresql"])
def remote(request: pytest.FixtureRequest) -> RemoteDb:
    return request.getfixturevalue("mariadb" if request.param == "mariadb" else "remote_postgres")


async def _setup(api: Any, remote: RemoteDb) -> tuple[Any, str]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=remote.body("crm"), headers=owner.headers
    )
    assert r.status_code == 201, r.text
    return owner, wid


async def test_auto_map_proposes_a_mapping_from_the_columns(api: Any, remote: RemoteDb) -> None:
    owner, wid = await _setup(api, remote)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings/auto-map",
        json={"connection": "crm", "table": "customers"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    proposal = r.json()
    assert (proposal["name"], proposal["connection"], proposal["table"]) == (
        "customers",
        "crm",
        "customers",
    )
    # From the table's DDL: INT primary key, VARCHARs, a DATE.
    assert proposal["fields"] == {
        "customer_id": {"display_name": "Customer id", "type": "number", "filterable": True,
                        "description": ""},
        "name": {"display_name": "Name", "type": "string", "filterable": True, "description": ""},
        "phone": {"display_name": "Phone", "type": "string", "filterable": True, "description": ""},
        "email": {"display_name": "Email", "type": "string", "filterable": True, "description": ""},
        "plan": {"display_name": "Plan", "type": "string", "filterable": True, "description": ""},
        "signup_date": {"display_name": "Signup date", "type": "date", "filterable": False,
                        "description": ""},
    }  # fmt: skip
    # The proposal saves as it is.
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings", json=proposal, headers=owner.headers
    )
    assert r.status_code == 201, r.text

    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings/auto-map",
        json={"connection": "crm", "table": "nope"},
        headers=owner.headers,
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "table_not_found"
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings/auto-map",
        json={"connection": "other", "table": "customers"},
        headers=owner.headers,
    )
    assert r.status_code == 422


def _search_flow(mapping: str = "customers") -> dict[str, Any]:
    return {
        "name": "find targets",
        "parameters": [{"name": "q", "type": "string", "default": ""}],
        "nodes": [
            {
                "id": "search",
                "type": "mapped_table_search",
                "config": {
                    "connection": "crm",
                    "mapping": mapping,
                    "term": "@q",
                    "use_display_names": True,
                },
            },
            {"id": "out", "type": "display_results", "config": {"name": "targets"}},
        ],
        "edges": [{"source": "search", "target": "out"}],
    }


def _expected(term: str) -> list[dict[str, Any]]:
    """What a pandas user writes: contains() on the text fields, == on the number field."""
    df = CUSTOMERS[list(PRD_FIELDS)]
    hit = pd.Series(False, index=df.index)
    for column in ("name", "phone", "email"):
        hit |= df[column].str.contains(term, case=False, regex=False).fillna(False)
    if term.strip().isdigit():
        hit |= df["customer_id"] == int(term)
    found = df[hit].sort_values("customer_id").rename(columns=DISPLAY)
    return found.astype(object).where(found.notna(), None).to_dict("records")


async def test_a_flow_run_through_the_api_uses_the_saved_mapping(
    api: Any, remote: RemoteDb, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    owner, wid = await _setup(api, remote)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings", json=prd_mapping(), headers=owner.headers
    )
    assert r.status_code == 201, r.text
    flow = await api.flow(owner, wid, _search_flow())

    # Injection attempts come back as plain text that matches nothing, or matches literally.
    for term in ("kim", "KIM", "100%", "_", "2", "O'Brien", "%' OR '1'='1", "'; DROP TABLE x; --"):
        r = await api.client.post(
            f"/api/v1/flows/{flow['id']}/run", json={"params": {"q": term}}, headers=owner.headers
        )
        assert r.status_code == 200, r.text
        run = r.json()
        assert run["status"] == "succeeded", run["error"]
        assert run["outputs"]["targets"]["rows"] == _expected(term), term
        for password in remote.passwords:
            assert password not in r.text
    assert _expected("kim") and _expected("_") != _expected("kim")  # the cases differ

    # A mapping name that is not saved: the node says which ones are.
    flow = await api.flow(owner, wid, _search_flow("clients"))
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    assert r.json()["status"] == "failed"
    assert r.json()["error"]["node_id"] == "search"
    assert r.json()["error"]["message"] == (
        "mapping: table mapping 'clients' not found (saved: customers)"
    )
    r = await api.client.get(f"/api/v1/runs/{r.json()['id']}", headers=owner.headers)
    for record in caplog.records:
        for password in remote.passwords:
            assert password not in record.getMessage()
    for password in remote.passwords:
        assert password not in r.text


async def test_a_run_with_a_wrong_password_names_the_connection_only(
    api: Any, mariadb: RemoteDb
) -> None:
    owner, wid = await _setup(api, mariadb)
    r = await api.client.get(f"/api/v1/workspaces/{wid}/connections", headers=owner.headers)
    cid = r.json()["items"][0]["id"]
    wrong = mariadb.ro_password + "-wrong"
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"password": wrong}, headers=owner.headers
    )
    await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings", json=prd_mapping(), headers=owner.headers
    )
    flow = await api.flow(owner, wid, _search_flow())
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    run = r.json()
    assert run["status"] == "failed"
    assert run["error"]["message"].startswith("connection 'crm': cannot connect to the database")
    r = await api.client.get(f"/api/v1/runs/{run['id']}", headers=owner.headers)
    assert wrong not in r.text and mariadb.ro_password not in r.text
