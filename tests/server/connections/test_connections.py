"""/api/v1/workspaces/{id}/connections and /api/v1/connections/{id}: CRUD, write-only secrets
encrypted at rest, validation, roles and foreign ids. (Talking to databases: test_remote.py.)"""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.server.conftest import SECRET

PASSWORD = "pw-Zq8!x@y:z/%41-secret"
DSN_PASSWORD = "dsn-9f3c-secret"
TOKEN = "Bearer tok-7d1e-secret"
SECRETS = (PASSWORD, DSN_PASSWORD, TOKEN, "tok-7d1e-secret")


def _mysql(name: str = "crm", **extra: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "kind": "mysql",
        "host": "db.internal",
        "port": 3306,
        "user": "readonly_user",
        "password": PASSWORD,
        "database": "shop",
        "read_only": True,
        "statement_timeout_s": 10,
        "options": {"pool_size": 3, "connect_timeout_s": 5},
    }
    body.update(extra)
    return body


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret leaked: {text[:300]}"


async def _setup(api: Any) -> tuple[Any, str]:
    owner = await api.user()
    return owner, (await api.workspace(owner))["id"]


async def test_create_read_list_update_delete_never_return_secrets(api: Any) -> None:
    owner, wid = await _setup(api)
    base = f"/api/v1/workspaces/{wid}/connections"
    r = await api.client.post(base, json=_mysql(), headers=owner.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    _no_secret(r.text)
    assert "password" not in created and "url" not in created and "headers" not in created
    assert (created["has_password"], created["has_url"], created["header_names"]) == (
        True,
        False,
        [],
    )
    assert (created["host"], created["user"], created["database"]) == (
        "db.internal",
        "readonly_user",
        "shop",
    )
    assert created["options"] == {"pool_size": 3, "connect_timeout_s": 5}
    assert created["secrets_readable"] is True

    api_conn = {
        "name": "crm_api",
        "kind": "http",
        "url": f"https://api.example.com/v1/?key={DSN_PASSWORD}",
        "headers": {"Authorization": TOKEN},
    }
    r = await api.client.post(base, json=api_conn, headers=owner.headers)
    assert r.status_code == 201, r.text
    _no_secret(r.text)
    assert (r.json()["has_url"], r.json()["header_names"]) == (True, ["Authorization"])

    r = await api.client.get(base, headers=owner.headers)
    _no_secret(r.text)
    assert [c["name"] for c in r.json()["items"]] == ["crm", "crm_api"]
    assert r.json()["total"] == 2
    r = await api.client.get(base, params={"q": "api", "limit": 1}, headers=owner.headers)
    assert [c["name"] for c in r.json()["items"]] == ["crm_api"]

    cid = created["id"]
    r = await api.client.get(f"/api/v1/connections/{cid}", headers=owner.headers)
    assert r.status_code == 200 and r.json()["name"] == "crm"
    _no_secret(r.text)

    # Left-out secrets are kept; other fields change.
    r = await api.client.patch(
        f"/api/v1/connections/{cid}",
        json={"name": "crm_ro", "host": "db2.internal", "description": "고객 DB"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["host"], r.json()["has_password"]) == (
        "crm_ro",
        "db2.internal",
        True,
    )
    assert r.json()["description"] == "고객 DB"
    # A secret sent as null is removed.
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"password": None}, headers=owner.headers
    )
    assert r.json()["has_password"] is False

    r = await api.client.delete(f"/api/v1/connections/{cid}", headers=owner.headers)
    assert r.status_code == 204
    r = await api.client.get(f"/api/v1/connections/{cid}", headers=owner.headers)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == f"no connection with id {cid}"


def _independent_fernet(secret_key: str) -> Fernet:
    """The documented derivation, written out here: HKDF-SHA256, no salt, the fixed label."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"maxdp/connection-secrets/v1"
    )
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())))


async def test_secrets_are_encrypted_at_rest_with_the_derived_key(api: Any) -> None:
    owner, wid = await _setup(api)
    body = _mysql(url=f"mysql://readonly_user:{DSN_PASSWORD}@db.internal/shop")
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=body, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    async with api.state.sessionmaker() as session:
        row = (
            (await session.execute(sa.text("SELECT * FROM maxdp_connections WHERE name = 'crm'")))
            .mappings()
            .one()
        )
    raw = json.dumps({k: str(v) for k, v in row.items()})
    _no_secret(raw)  # no column holds a secret in the clear
    plain = json.loads(_independent_fernet(SECRET).decrypt(row["secrets"].encode()))
    assert plain == {
        "url": f"mysql://readonly_user:{DSN_PASSWORD}@db.internal/shop",
        "password": PASSWORD,
    }
    # The token-signing key itself is not the encryption key.
    assert _independent_fernet(SECRET + "x").encrypt(b"a") != row["secrets"]


async def test_invalid_connections_name_the_field_and_echo_no_secret(api: Any) -> None:
    owner, wid = await _setup(api)
    base = f"/api/v1/workspaces/{wid}/connections"

    async def post(body: dict[str, Any]) -> Any:
        r = await api.client.post(base, json=body, headers=owner.headers)
        _no_secret(r.text)
        return r

    r = await post(_mysql(options={"pool_sise": 3}))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_connection"
    assert "unknown option 'pool_sise'" in r.json()["error"]["message"]

    r = await post(_mysql(url=f"postgresql://u:{DSN_PASSWORD}@h/db"))
    assert r.status_code == 422
    assert "a mysql url starts with" in r.json()["error"]["message"]

    r = await post({"name": "x", "kind": "postgresql", "password": PASSWORD})
    assert r.status_code == 422
    assert "give either url, or host" in r.json()["error"]["message"]

    r = await post(_mysql(kind="oracle"))
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.kind"

    r = await post(_mysql(name="bad name!"))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.name"

    r = await post({"name": "h", "kind": "http", "url": f"ftp://x/{DSN_PASSWORD}"})
    assert r.status_code == 422 and "http" in r.json()["error"]["message"]

    r = await post(_mysql(headers={"X-Key": TOKEN}))
    assert r.status_code == 422
    assert "headers are for http connections only" in r.json()["error"]["message"]

    assert (await post(_mysql())).status_code == 201
    r = await post(_mysql())
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "duplicate_name",
        "message": "a connection named 'crm' already exists in this workspace",
        "details": None,
    }
    r = await post(_mysql(name="crm2"))
    cid = r.json()["id"]
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"name": "crm"}, headers=owner.headers
    )
    assert r.status_code == 409
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"port": 0, "password": PASSWORD}, headers=owner.headers
    )
    assert r.status_code == 422
    _no_secret(r.text)
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"read_only": None}, headers=owner.headers
    )
    assert r.status_code == 422 and "read_only" in r.json()["error"]["message"]


async def test_sqlite_files_stay_in_the_data_directory(api: Any) -> None:
    owner, wid = await _setup(api)
    base = f"/api/v1/workspaces/{wid}/connections"
    data_dir = api.state.settings.data_dir

    async def post(database: str, name: str = "local") -> Any:
        body = {"name": name, "kind": "sqlite", "database": database}
        return await api.client.post(base, json=body, headers=owner.headers)

    for outside in ("../outside.db", "/etc/passwd", str(data_dir.parent / "x.db")):
        r = await post(outside)
        assert r.status_code == 422, outside
        assert "inside the server's data directory" in r.json()["error"]["message"]
    for own in ("secret_key", str(data_dir / "secret_key")):
        r = await post(own)
        assert r.status_code == 422
        assert "belongs to the MAX DP server itself" in r.json()["error"]["message"]
    if api.state.settings.database_kind == "sqlite":
        own_db = api.state.settings.database_url.partition(":///")[2]
        for path in (own_db, own_db + "-wal"):
            r = await post(path)
            assert r.status_code == 422, path
    r = await api.client.post(
        base,
        json={"name": "u", "kind": "sqlite", "url": "sqlite:////etc/passwd"},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert "give a sqlite connection as database" in r.json()["error"]["message"]
    r = await post("files/local.db", name="ok")
    assert r.status_code == 201, r.text
    assert r.json()["database"] == "files/local.db"


async def test_roles_members_read_editors_write(api: Any) -> None:
    owner, wid = await _setup(api)
    viewer, editor = await api.user(), await api.user()
    await api.add_member(owner, wid, viewer, "viewer")
    await api.add_member(owner, wid, editor, "editor")
    base = f"/api/v1/workspaces/{wid}/connections"

    r = await api.client.post(base, json=_mysql(), headers=viewer.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"role": "viewer", "needed": "editor"}
    r = await api.client.post(base, json=_mysql(), headers=editor.headers)
    assert r.status_code == 201
    cid = r.json()["id"]

    r = await api.client.get(base, headers=viewer.headers)
    assert r.status_code == 200 and r.json()["total"] == 1
    _no_secret(r.text)
    r = await api.client.get(f"/api/v1/connections/{cid}", headers=viewer.headers)
    assert r.status_code == 200 and r.json()["has_password"] is True
    for method, path, body in (
        ("PATCH", f"/api/v1/connections/{cid}", {"host": "x"}),
        ("DELETE", f"/api/v1/connections/{cid}", None),
        ("POST", f"/api/v1/connections/{cid}/test", None),
    ):
        r = await api.client.request(method, path, json=body, headers=viewer.headers)
        assert r.status_code == 403, (method, path)
    r = await api.client.patch(
        f"/api/v1/connections/{cid}", json={"host": "y"}, headers=editor.headers
    )
    assert r.status_code == 200


async def test_foreign_workspace_ids_answer_404(api: Any) -> None:
    owner, wid = await _setup(api)
    stranger = await api.user()
    await api.workspace(stranger, "Mine")
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=_mysql(), headers=owner.headers
    )
    cid = r.json()["id"]

    r = await api.client.get(f"/api/v1/workspaces/{wid}/connections", headers=stranger.headers)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == f"no workspace with id {wid}"
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/connections", json=_mysql("x"), headers=stranger.headers
    )
    assert r.status_code == 404
    for method, path in (
        ("GET", f"/api/v1/connections/{cid}"),
        ("PATCH", f"/api/v1/connections/{cid}"),
        ("DELETE", f"/api/v1/connections/{cid}"),
        ("POST", f"/api/v1/connections/{cid}/test"),
        ("GET", f"/api/v1/connections/{cid}/tables"),
        ("GET", f"/api/v1/connections/{cid}/tables/customers/columns"),
    ):
        body = {"host": "x"} if method == "PATCH" else None
        r = await api.client.request(method, path, json=body, headers=stranger.headers)
        assert r.status_code == 404, (method, path)
        assert r.json()["error"]["message"] == f"no connection with id {cid}"
    # The owner's connection is untouched.
    r = await api.client.get(f"/api/v1/connections/{cid}", headers=owner.headers)
    assert r.json()["host"] == "db.internal"
