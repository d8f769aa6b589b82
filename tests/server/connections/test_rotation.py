"""Rotating MAXDP_SECRET_KEY: secrets become unreadable (and say so) until the documented
re-encrypt step runs; after it every connection works with the new key."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import httpx

from max_dp_server.auth.security import create_access_token
from max_dp_server.connections.rotate import rotate_secrets
from tests.server.conftest import SECRET
from tests.server.connections.remote import RemoteDb

NEW_SECRET = "a-brand-new-secret-key-also-long-enough-0123456789"


async def _create(app: Any, make_api: Any, mariadb: RemoteDb) -> tuple[Any, str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        api = make_api(app, c)
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        r = await c.post(
            f"/api/v1/workspaces/{wid}/connections",
            json=mariadb.body("crm"),
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        return owner, r.json()["id"]


async def _check(app: Any, owner: Any, cid: str, token: str) -> tuple[dict[str, Any], Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        read = (await c.get(f"/api/v1/connections/{cid}", headers=headers)).json()
        test = await c.post(f"/api/v1/connections/{cid}/test", headers=headers)
    return read, test


async def test_new_key_needs_the_reencrypt_step(
    app_factory: Any, make_api: Any, mariadb: RemoteDb
) -> None:
    async with app_factory() as app:
        owner, cid = await _create(app, make_api, mariadb)

    async with app_factory(keep_data=True, secret_key=NEW_SECRET) as app:
        token = create_access_token(str(owner.id), NEW_SECRET, minutes=5)
        read, test = await _check(app, owner, cid, token)
        assert (read["secrets_readable"], read["has_password"]) == (False, False)
        assert test.status_code == 500
        assert test.json()["error"]["code"] == "secrets_unreadable"
        assert "Rotating the secret key" in test.json()["error"]["message"]
        assert mariadb.ro_password not in test.text

        assert await rotate_secrets(app.state.maxdp.sessionmaker, NEW_SECRET, [SECRET]) == 1
        read, test = await _check(app, owner, cid, token)
        assert (read["secrets_readable"], read["has_password"]) == (True, True)
        assert test.status_code == 200, test.text
        assert test.json()["can_write"] is False

    # The old key no longer reads them.
    async with app_factory(keep_data=True) as app:
        read, _ = await _check(
            app, owner, cid, create_access_token(str(owner.id), SECRET, minutes=5)
        )
        assert read["secrets_readable"] is False


async def test_rotate_command(app_factory: Any, make_api: Any, mariadb: RemoteDb) -> None:
    async with app_factory() as app:
        owner, cid = await _create(app, make_api, mariadb)
        settings = app.state.maxdp.settings
    env = {
        **os.environ,
        "MAXDP_DATABASE_URL": settings.database_url,
        "MAXDP_DATA_DIR": str(settings.data_dir),
        "MAXDP_SECRET_KEY": NEW_SECRET,
    }

    async def rotate(extra: dict[str, str], *args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "max_dp_server.connections.rotate", *args,
            env={**env, **extra},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(), err.decode()

    code, _, err = await rotate({})
    assert code == 2 and "MAXDP_OLD_SECRET_KEY" in err
    code, _, err = await rotate({"MAXDP_OLD_SECRET_KEY": "wrong-old-key-" + "x" * 32})
    assert code == 1 and "readable with neither" in err
    code, out, _ = await rotate({"MAXDP_OLD_SECRET_KEY": SECRET})
    assert code == 0 and "1 connection(s)" in out

    async with app_factory(keep_data=True, secret_key=NEW_SECRET) as app:
        read, test = await _check(
            app, owner, cid, create_access_token(str(owner.id), NEW_SECRET, minutes=5)
        )
    assert read["has_password"] is True and test.status_code == 200, test.text
