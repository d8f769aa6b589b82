"""Published-endpoint fixtures."""

from __future__ import annotations

import pytest
from fastapi import FastAPI


@pytest.fixture
async def app(app: FastAPI) -> FastAPI:
    """The server fixture's app, with its endpoint directory read again: the shared PostgreSQL
    database is emptied after the app has started (tests/server/conftest.py)."""
    await app.state.maxdp.published.directory.reload()
    return app
