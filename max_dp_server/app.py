"""The application factory. ``create_app(settings)`` builds the app; its lifespan opens the
database engine and starts the background services, and closes them on shutdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from max_dp_server.api_keys.router import router as api_keys_router
from max_dp_server.auth.ratelimit import SlidingWindowLimiter
from max_dp_server.auth.router import router as auth_router
from max_dp_server.auth.security import Passwords
from max_dp_server.catalog.router import router as catalog_router
from max_dp_server.config import Settings, ensure_secret_key
from max_dp_server.connections.crypto import SecretBox
from max_dp_server.connections.router import router as connections_router
from max_dp_server.connections.router import workspace_connections
from max_dp_server.db import create_engine, create_sessionmaker
from max_dp_server.designer import mount_designer
from max_dp_server.errors import install_error_handlers
from max_dp_server.flow_store.router import router as flows_router
from max_dp_server.groups.router import router as groups_router
from max_dp_server.limits import BodyLimit
from max_dp_server.mappings.router import router as mappings_router
from max_dp_server.mappings.router import workspace_mappings
from max_dp_server.metrics import Metrics
from max_dp_server.metrics import router as metrics_router
from max_dp_server.published.execute import router as execute_router
from max_dp_server.published.router import flow_publish as flow_publish_router
from max_dp_server.published.router import router as endpoints_router
from max_dp_server.published.runtime import PublishedRuntime
from max_dp_server.published.worker_manager import WorkerManager
from max_dp_server.runs.manager import RunManager
from max_dp_server.runs.router import flow_runs as flow_runs_router
from max_dp_server.runs.router import router as runs_router
from max_dp_server.schedules.router import flow_schedules, scheduler_router
from max_dp_server.schedules.router import router as schedules_router
from max_dp_server.schedules.runner import ScheduleRunner
from max_dp_server.services import NodeServices, sandbox_pool
from max_dp_server.state import ServerState
from max_dp_server.system import router as system_router
from max_dp_server.system import server_version
from max_dp_server.templates.router import router as templates_router
from max_dp_server.templates.router import workspace_templates
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
        # The process's one scheduler: started first, shut down last; features add jobs to it.
        scheduler = AsyncIOScheduler(timezone=dt.UTC)
        scheduler.start()
        engine = create_engine(settings)
        sessionmaker = create_sessionmaker(engine)
        runs = RunManager(sessionmaker, settings)
        metrics = Metrics()
        workers = WorkerManager(
            max_active=settings.max_active_apis,
            inactive_ttl_s=settings.api_inactive_ttl_hours * 3600,
        )
        published = PublishedRuntime(settings, sessionmaker, workers, metrics, runs)
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
            scheduler=scheduler,
            workers=workers,
            metrics=metrics,
            published=published,
        )
        # Per-workspace node services (connection pools, mappings, …) and one sandbox pool.
        sandbox = sandbox_pool(settings)
        node_services = NodeServices(
            settings, sessionmaker, SecretBox(app.state.maxdp.secret_key), sandbox
        )
        app.state.maxdp.node_services = node_services
        await runs.start()
        await published.start()
        scheduler.add_job(
            workers.evict_idle,
            "interval",
            minutes=settings.worker_cleanup_interval_minutes,
            id="maxdp-worker-cleanup",
        )
        scheduler.add_job(
            published.shared.purge,
            "interval",
            minutes=settings.worker_cleanup_interval_minutes,
            id="maxdp-execute-results-cleanup",
        )
        if settings.scheduler:  # MAXDP_SCHEDULER=off: this process never fires schedules
            app.state.maxdp.schedules = ScheduleRunner(app.state.maxdp)
            app.state.maxdp.schedules.start(scheduler)
        try:
            if settings.sandbox_prestart:
                await sandbox.start()
            yield
        finally:
            if app.state.maxdp.schedules is not None:  # before runs: it starts runs
                await app.state.maxdp.schedules.stop()
            await published.stop()
            await runs.stop()
            await node_services.close()
            await sandbox.close()
            await engine.dispose()
            scheduler.shutdown(wait=False)

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

    # First: /execute is the hot path, and routes are matched in the order they were added.
    app.include_router(execute_router)
    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth_router,
        users_router,
        groups_router,
        workspaces_router,
        flows_router,
        flow_publish_router,
        endpoints_router,
        api_keys_router,
        flow_runs_router,
        runs_router,
        flow_schedules,
        schedules_router,
        scheduler_router,
        catalog_router,
        workspace_connections,
        connections_router,
        workspace_mappings,
        mappings_router,
        workspace_templates,
        templates_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(system_router)
    app.include_router(metrics_router)
    mount_designer(app)  # the fallback for paths no route matched: after every router
    return app
