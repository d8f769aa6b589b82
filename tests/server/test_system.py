"""/health, /info, OpenAPI, and the error format of routes that do not exist."""

from __future__ import annotations

from typing import Any


async def test_health_checks_the_database(client: Any, db_kind: str) -> None:
    r = await client.get("/health")
    assert (r.status_code, r.json()) == (200, {"status": "ok", "database": "ok"})


class _UnreachableEngine:
    def connect(self) -> Any:
        raise OSError("connection refused: postgresql://maxdp:secret@db.internal/nonexistent")


async def test_health_answers_503_when_the_database_is_gone(app: Any, client: Any) -> None:
    state = app.state.maxdp
    engine, state.engine = state.engine, _UnreachableEngine()
    try:
        r = await client.get("/health")
    finally:
        state.engine = engine
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "database_unavailable"
    assert "secret" not in r.text and "nonexistent" not in r.text  # no URLs leak


async def test_info_names_version_and_database_kind(client: Any, db_kind: str) -> None:
    r = await client.get("/info")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] == db_kind
    assert body["version"] and body["api"] == "v1"
    assert "test-secret" not in r.text and "@" not in body["database"]


async def test_openapi_and_docs_are_served(client: Any) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/flows/{flow_id}/run",
        "/api/v1/runs/{run_id}/events",
    ):
        assert path in paths
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_route_and_method_use_the_error_format(client: Any) -> None:
    r = await client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = await client.delete("/health")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
