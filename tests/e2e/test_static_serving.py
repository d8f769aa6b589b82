"""``max_dp_server/designer.py``: the built designer at ``/`` as the fallback of every route."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from max_dp_server.app import create_app
from max_dp_server.config import Settings
from max_dp_server.designer import STATIC_DIR, mount_designer
from max_dp_server.errors import install_error_handlers


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("outside the build")
    return tmp_path


def _app(static: Path) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    mount_designer(app, static)  # before the routes on purpose: order must not matter

    @app.get("/api/v1/things")
    async def things() -> list[int]:
        return [1]

    @app.post("/execute/{name}")
    async def execute(name: str) -> dict[str, str]:
        return {"name": name}

    return app


async def _get(app: FastAPI, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


async def test_serves_files_of_the_build_with_cache_headers(site: Path) -> None:
    r = await _get(_app(site), "GET", "/assets/index-abc123.js")
    assert r.status_code == 200 and r.text == "console.log(1)"
    assert "immutable" in r.headers["cache-control"]
    r = await _get(_app(site), "GET", "/")
    assert r.status_code == 200 and "root" in r.text
    assert r.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/flows/123", "/runs?status=failed", "/workspaces/x/y", "/login"])
async def test_client_routes_get_index_html(site: Path, path: str) -> None:
    r = await _get(_app(site), "GET", path)
    assert r.status_code == 200 and "root" in r.text


async def test_api_routes_win_whatever_the_order(site: Path) -> None:
    assert (await _get(_app(site), "GET", "/api/v1/things")).json() == [1]
    assert (await _get(_app(site), "POST", "/execute/orders")).json() == {"name": "orders"}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nope", 404, "not_found"),
        ("GET", "/execute/orders", 405, "method_not_allowed"),
        ("DELETE", "/api/v1/things", 405, "method_not_allowed"),
        ("POST", "/flows/123", 404, "not_found"),
        ("GET", "/metrics/x", 404, "not_found"),
    ],
)
async def test_server_paths_keep_the_error_format(
    site: Path, method: str, path: str, status: int, code: str
) -> None:
    r = await _get(_app(site), method, path)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


async def test_never_serves_files_outside_the_build(site: Path) -> None:
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        r = await _get(_app(site), "GET", path)
        assert "outside the build" not in r.text


async def test_says_how_to_build_when_there_is_no_build(tmp_path: Path) -> None:
    r = await _get(_app(tmp_path / "empty"), "GET", "/flows/1")
    assert r.status_code == 503
    assert "make designer" in r.text


async def test_the_server_serves_the_committed_build(tmp_path: Path) -> None:
    assert (STATIC_DIR / "index.html").is_file(), "max_dp_server/static/ holds the built designer"
    app = create_app(Settings(data_dir=tmp_path, secret_key="k" * 40))
    r = await _get(app, "GET", "/flows/0b6f")
    assert r.status_code == 200 and '<div id="root">' in r.text
    r = await _get(app, "GET", "/api/v1/definitely-not-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
