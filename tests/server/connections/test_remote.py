"""Connections talking to real MariaDB and PostgreSQL (and a loopback HTTP API): test, schema
browser, errors that leak nothing, pools closed after edits, and logs free of secrets."""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.server.connections.remote import RemoteDb


@pytest.fixture(params=["mariadb", "postgresql"])
def remote(request: pytest.FixtureRequest) -> RemoteDb:
    return request.getfixturevalue("mariadb" if request.param == "mariadb" else "remote_postgres")


async def _connection(api: Any, remote: RemoteDb, **body: Any) -> tuple[Any, str, str]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    payload = remote.body("crm", account=body.pop("account", "ro")) | body
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=payload, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    return owner, wid, r.json()["id"]


def _clean(text: str, remote: RemoteDb) -> None:
    for password in remote.passwords:
        assert password not in text, f"a password leaked: {text[:300]}"


async def test_select_only_account_cannot_write(api: Any, remote: RemoteDb) -> None:
    owner, _, cid = await _connection(api, remote)
    r = await api.client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["reachable"], body["read_only"], body["can_write"]) == (True, True, False)
    assert body["warnings"] == [] and body["write_privileges"] == []
    assert ("MariaDB" in body["server_version"]) == (remote.dialect == "mysql")
    assert body["server_version"][0].isdigit()
    _clean(r.text, remote)


async def test_read_only_connection_warns_when_the_account_can_write(
    api: Any, remote: RemoteDb
) -> None:
    owner, _, cid = await _connection(api, remote, account="rw")
    r = await api.client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["can_write"] is True and body["read_only"] is True
    assert any("account can write" in w for w in body["warnings"]), body["warnings"]
    assert body["write_privileges"]
    # The same account on a writable connection: no warning, it is expected to write.
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"read_only": False}, headers=owner.headers
    )
    r = await api.client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    assert (r.json()["can_write"], r.json()["warnings"]) == (True, [])


async def test_schema_browser(api: Any, remote: RemoteDb) -> None:
    owner, _, cid = await _connection(api, remote)
    r = await api.client.get(f"/api/v1/connections/{cid}/tables", headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["connection"] == "crm"
    assert {"schema": None, "name": "customers", "kind": "table"} in r.json()["items"]

    r = await api.client.get(
        f"/api/v1/connections/{cid}/tables/customers/columns", headers=owner.headers
    )
    assert r.status_code == 200, r.text
    columns = r.json()["items"]
    assert [c["name"] for c in columns] == [
        "customer_id", "name", "phone", "email", "plan", "signup_date",
    ]  # fmt: skip
    by_name = {c["name"]: c for c in columns}
    assert by_name["customer_id"]["primary_key"] is True
    assert by_name["name"]["nullable"] is False and by_name["phone"]["nullable"] is True
    assert by_name["customer_id"]["type"].upper().startswith("INT")
    assert by_name["email"]["type"].upper() == "VARCHAR(255)"
    assert by_name["signup_date"]["type"].upper() == "DATE"

    r = await api.client.get(
        f"/api/v1/connections/{cid}/tables/no_such_table/columns", headers=owner.headers
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "table_not_found"
    assert "'no_such_table' not found on connection 'crm'" in r.json()["error"]["message"]


async def test_unreachable_and_refused_answer_502_without_secrets(
    api: Any, mariadb: RemoteDb, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    base = f"/api/v1/workspaces/{wid}/connections"
    quoted = urllib.parse.quote(mariadb.ro_password, safe="")
    dsn = f"mysql://{mariadb.ro_user}:{quoted}@127.0.0.1:1/{mariadb.database}"
    down = {"name": "down", "kind": "mysql", "url": dsn, "options": {"connect_timeout_s": 3}}
    wrong = mariadb.body("wrong") | {"password": mariadb.ro_password + "-not"}
    ids = {}
    for body in (down, wrong):
        r = await api.client.post(base, json=body, headers=owner.headers)
        assert r.status_code == 201, r.text
        ids[body["name"]] = r.json()["id"]

    r = await api.client.post(f"/api/v1/connections/{ids['down']}/test", headers=owner.headers)
    assert r.status_code == 502
    error = r.json()["error"]
    assert error["code"] == "connection_failed"
    assert error["message"].startswith("connection 'down': cannot connect to the database")
    assert dsn not in r.text and quoted not in r.text
    _clean(r.text, mariadb)

    r = await api.client.post(f"/api/v1/connections/{ids['wrong']}/test", headers=owner.headers)
    assert r.status_code == 502
    assert "Access denied" in r.json()["error"]["message"]
    assert "traceback" not in r.text.lower()
    _clean(r.text, mariadb)
    assert mariadb.ro_password + "-not" not in r.text

    r = await api.client.get(f"/api/v1/connections/{ids['wrong']}/tables", headers=owner.headers)
    assert r.status_code == 502
    _clean(r.text, mariadb)
    # The failures were logged (for the operator), and no log line holds a secret.
    logged = [r.getMessage() for r in caplog.records if r.name == "maxdp.connections"]
    assert any("cannot connect" in m and "down" in m for m in logged), logged
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        _clean(text, mariadb)
        assert mariadb.ro_password + "-not" not in text


async def test_pool_is_closed_after_update_and_delete(api: Any, mariadb: RemoteDb) -> None:
    owner, wid, cid = await _connection(api, mariadb)
    pools = api.state.node_services.connections(uuid_of(wid))
    assert (
        await api.client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    ).is_success
    assert "crm" in pools._engines  # the shared, lazily made pool

    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"name": "crm2"}, headers=owner.headers
    )
    assert r.status_code == 200
    assert "crm" not in pools._engines
    assert (
        await api.client.get(f"/api/v1/connections/{cid}/tables", headers=owner.headers)
    ).is_success
    assert "crm2" in pools._engines
    assert (
        await api.client.delete(f"/api/v1/connections/{cid}", headers=owner.headers)
    ).status_code == 204
    assert pools._engines == {}


def uuid_of(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


class _Api(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    _Api.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/"
    finally:
        server.shutdown()
        server.server_close()


async def _http_connection(api: Any, url: str) -> tuple[Any, str]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    body = {"name": "crm_api", "kind": "http", "url": url, "headers": {"X-Api-Key": "k-51ab"}}
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=body, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    return owner, r.json()["id"]


async def test_http_connection_test_follows_the_http_policy(api: Any, loopback_api: str) -> None:
    owner, cid = await _http_connection(api, loopback_api)
    r = await api.client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "http_policy"
    assert "127.0.0.1 is a loopback address" in r.json()["error"]["message"]
    assert _Api.seen == []
    r = await api.client.get(f"/api/v1/connections/{cid}/tables", headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_a_database"


async def test_http_connection_test_with_private_addresses_allowed(
    app_factory: Any, make_api: Any, loopback_api: str
) -> None:
    import httpx

    async with app_factory(http_allow_private=True) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            api = make_api(app, client)
            owner, cid = await _http_connection(api, loopback_api)
            r = await client.post(f"/api/v1/connections/{cid}/test", headers=owner.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status_code"], r.json()["kind"], r.json()["can_write"]) == (
        200,
        "http",
        None,
    )
    assert "k-51ab" not in r.text
    assert _Api.seen[0]["X-Api-Key"] == "k-51ab"  # the decrypted header went out
