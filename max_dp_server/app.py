"""The application factory. ``create_app(settings)`` builds the app; its lifespan opens the
database engine and starts the background services, and closes them on shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from max_dp_server.auth.ratelimit import SlidingWindowLimiter
from max_dp_server.auth.router import router as auth_router
from max_dp_server.auth.security import Passwords
from max_dp_server.catalog.router import router as catalog_router
from max_dp_server.config import Settings, ensure_secret_key
from max_dp_server.db import create_engine, create_sessionmaker
from max_dp_server.errors import install_error_handlers
from max_dp_server.flow_store.router import router as flows_router
from max_dp_server.groups.router import router as groups_router
from max_dp_server.limits import BodyLimit
from max_dp_server.runs.manager import RunManager
from max_dp_server.runs.router import flow_runs as flow_runs_router
from max_dp_server.runs.router import router as runs_router
from max_dp_server.state import ServerState
from max_dp_server.system import router as system_router
from max_dp_server.system import server_version
from max_dp_server.users.router import router as users_router
from max_dp_server.workspaces.router import router as workspaces_router
from nodes.registry import NodeRegistry, default_registry

__all__ = ["create_app"]

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None, *, registry: NodeRegistry | None = None
) -> FastAPI:
    """A new application. Nothing is opened until the lifespan starts."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings)
        sessionmaker = create_sessionmaker(engine)
        runs = RunManager(sessionmaker, settings)
        app.state.maxdp = ServerState(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            secret_key=ensure_secret_key(settings),
            passwords=Passwords(settings),
            login_limiter=SlidingWindowLimiter(
                limit=settings.login_rate_limit, window_s=settings.login_rate_window_seconds
            ),
            runs=runs,
            registry=registry or default_registry(),
        )
        await runs.start()
        try:
            yield
        finally:
            await runs.stop()
            await engine.dispose()

    app = FastAPI(
        title="MAX DP",
        version=server_version(),
        summary="Design, version and run data pipelines.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth_router,
        users_router,
        groups_router,
        workspaces_router,
        flows_router,
        flow_runs_router,
        runs_router,
        catalog_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(system_router)
    return app
