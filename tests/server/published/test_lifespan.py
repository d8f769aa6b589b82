"""What the lifespan sets up for published endpoints: one scheduler with the idle-eviction job,
one WorkerManager sized by the settings (read without and with the MAXDP_ prefix)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from max_dp_server.config import Settings


def test_the_design_names_work_with_and_without_the_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_ACTIVE_APIS", "7")
    monkeypatch.setenv("MAXDP_API_INACTIVE_TTL_HOURS", "0.5")
    monkeypatch.setenv("WORKER_CLEANUP_INTERVAL_MINUTES", "5")
    s = Settings()
    assert (s.max_active_apis, s.api_inactive_ttl_hours, s.worker_cleanup_interval_minutes) == (
        7,
        0.5,
        5,
    )
    monkeypatch.delenv("MAX_ACTIVE_APIS")
    monkeypatch.setenv("MAXDP_MAX_ACTIVE_APIS", "9")
    assert Settings().max_active_apis == 9
    assert Settings(max_active_apis=3).max_active_apis == 3  # by field name, as tests do
    monkeypatch.setenv("MAX_ACTIVE_APIS", "0")
    with pytest.raises(ValueError, match="max_active_apis"):
        Settings()


async def test_scheduler_workers_and_cleanup_job(app_factory: Any) -> None:
    async with app_factory(
        max_active_apis=2, api_inactive_ttl_hours=0.25, worker_cleanup_interval_minutes=7
    ) as app:
        state = app.state.maxdp
        assert state.scheduler.running
        job = state.scheduler.get_job("maxdp-worker-cleanup")
        assert job is not None and job.trigger.interval == dt.timedelta(minutes=7)
        assert job.func == state.workers.evict_idle
        assert state.workers.max_active == 2 and state.workers.inactive_ttl_s == 900
        assert state.published.workers is state.workers
        scheduler = state.scheduler
    for _ in range(100):  # shutdown is handed to the loop: give it a turn or a few
        if not scheduler.running:
            break
        await asyncio.sleep(0.01)
    assert not scheduler.running
