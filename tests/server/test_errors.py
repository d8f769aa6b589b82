"""Bad input gets a 4xx that says what to fix; nothing ever answers with a stack trace."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from max_dp_server.app import create_app


async def test_malformed_json_names_the_problem(api: Any) -> None:
    owner = await api.user()
    r = await api.client.post(
        "/api/v1/workspaces",
        content=b'{"name": "x",',
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert "not valid JSON" in error["message"]
    assert error["details"][0]["field"] == "body"


async def test_wrong_types_name_each_field(api: Any) -> None:
    owner = await api.user()
    r = await api.client.post(
        "/api/v1/workspaces", json={"name": 42, "description": ["a"]}, headers=owner.headers
    )
    assert r.status_code == 422
    fields = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert set(fields) == {"body.name", "body.description"}
    assert "valid string" in fields["body.name"]
    assert "body.name" in r.json()["error"]["message"]


async def test_unknown_request_field_is_refused(api: Any) -> None:
    owner = await api.user()
    r = await api.client.post(
        "/api/v1/workspaces", json={"name": "ok", "colour": "red"}, headers=owner.headers
    )
    assert r.status_code == 422
    detail = r.json()["error"]["details"][0]
    assert detail["field"] == "body.colour"
    assert "unknown field" in detail["message"]


async def test_body_without_json_content_type_says_so(api: Any) -> None:
    owner = await api.user()
    r = await api.client.post(
        "/api/v1/workspaces",
        content=b'{"name": "x"}',
        headers={**owner.headers, "Content-Type": "text/plain"},
    )
    assert r.status_code == 422
    assert "Content-Type: application/json" in r.json()["error"]["message"]


async def test_oversized_body_is_413_before_it_is_read(api: Any) -> None:
    owner = await api.user()
    limit = api.state.settings.max_body_bytes
    big = {"name": "x", "description": "a" * (limit + 10)}
    r = await api.client.post("/api/v1/workspaces", json=big, headers=owner.headers)
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "MAXDP_MAX_BODY_BYTES" in error["message"]
    assert error["details"] == {"limit": limit}


async def test_oversized_streamed_body_is_413(api: Any) -> None:
    owner = await api.user()
    limit = api.state.settings.max_body_bytes

    async def chunks() -> Any:
        yield b'{"name": "x", "description": "'
        for _ in range(limit // 1024 + 2):
            yield b"a" * 1024
        yield b'"}'

    # A generator body is sent without Content-Length: only the byte count can catch it.
    r = await api.client.post(
        "/api/v1/workspaces",
        content=chunks(),
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


async def test_body_just_under_the_limit_is_accepted(api: Any) -> None:
    owner = await api.user()
    r = await api.client.post(
        "/api/v1/workspaces", json={"name": "x", "description": "a" * 4000}, headers=owner.headers
    )
    assert r.status_code == 201


async def test_unexpected_exception_is_500_without_a_trace(settings: Any) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        r = await client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": "internal server error; the server log has the details",
            "details": None,
        }
    }
    assert "hunter2" not in r.text and "Traceback" not in r.text


async def test_malformed_uuid_in_path_is_422_naming_it(api: Any) -> None:
    owner = await api.user()
    r = await api.client.get("/api/v1/flows/not-a-uuid", headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "path.flow_id"


async def test_paging_out_of_range_is_422(api: Any) -> None:
    owner = await api.user()
    r = await api.client.get("/api/v1/flows?limit=100000", headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "query.limit"
    r = await api.client.get("/api/v1/flows?offset=-1", headers=owner.headers)
    assert r.status_code == 422
