"""/health and /info: what load balancers and operators poll. No login needed."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from flows.errors import MaxDPError
from max_dp_server.deps import StateDep

router = APIRouter(tags=["system"])
log = logging.getLogger("maxdp.server")


def server_version() -> str:
    try:
        return version("max-dp")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("/health")
async def health(state: StateDep) -> dict[str, Any]:
    """200 when the server can reach its database, else 503."""
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        raise MaxDPError("the database is unreachable", 503, code="database_unavailable") from None
    return {"status": "ok", "database": "ok"}


@router.get("/info")
async def info(state: StateDep) -> dict[str, Any]:
    return {
        "name": "MAX DP",
        "version": server_version(),
        "api": "v1",
        "database": state.settings.database_kind,
    }
