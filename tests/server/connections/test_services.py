"""What ``ServerState.executor_services`` gives every executor: per-workspace, built once."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from max_dp_server.config import Settings
from max_dp_server.connections.store import DbConnectionStore
from max_dp_server.mappings.store import DbTableMappingStore
from nodes.code.sandbox.pool import SandboxPool
from nodes.connections import Connections
from nodes.messaging.http import HttpPolicy
from nodes.messaging.smtp import SmtpSettings


async def test_services_are_per_workspace_and_built_once(api: Any) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    services = api.state.executor_services(first)
    assert set(services) == {
        "connections",
        "table_mappings",
        "message_templates",
        "sandbox",
        "http_policy",
    }  # fmt: skip  (no smtp: none is configured)
    assert api.state.executor_services(first) is services  # a dict lookup after the first
    other = api.state.executor_services(second)
    assert other["connections"] is not services["connections"]
    assert other["sandbox"] is services["sandbox"]  # one pool for the process
    assert isinstance(services["sandbox"], SandboxPool)
    assert isinstance(services["connections"], Connections)
    assert isinstance(services["connections"].store, DbConnectionStore)
    assert services["connections"].store.workspace_id == first
    assert isinstance(services["table_mappings"], DbTableMappingStore)
    assert services["http_policy"] == HttpPolicy(allow_private=False)
    with pytest.raises(TypeError):
        services["sandbox"] = None  # shared by every executor: read-only


async def test_settings_reach_the_services(app_factory: Any) -> None:
    async with app_factory(
        http_allow_private=True,
        smtp_host="smtp.example.com",
        smtp_port=2525,
        smtp_username="mailer",
        smtp_password="smtp-pw-1",
        smtp_sender="noreply@example.com",
        smtp_use_tls=False,
        sandbox_workers=3,
        sandbox_max_cpu_seconds=7,
        sandbox_max_memory_mb=256,
    ) as app:
        services = app.state.maxdp.executor_services(uuid.uuid4())
        assert services["http_policy"].allow_private is True
        smtp = services["smtp"]
        assert isinstance(smtp, SmtpSettings)
        assert (smtp.host, smtp.port, smtp.username, smtp.sender, smtp.use_tls) == (
            "smtp.example.com",
            2525,
            "mailer",
            "noreply@example.com",
            False,
        )
        assert smtp.password is not None and smtp.password.get_secret_value() == "smtp-pw-1"
        pool = services["sandbox"]
        assert pool.size == 3
        assert (pool.maxima.cpu_seconds, pool.maxima.memory_mb) == (7, 256)
        # A node asking for more gets the maximum; unset limits get the defaults, capped.
        assert pool.limits_for({"cpu_seconds": 60}).cpu_seconds == 7
        assert pool.limits_for(None).memory_mb == 256


def test_smtp_needs_a_sender(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="smtp_sender"):
        Settings(data_dir=tmp_path, smtp_host="smtp.example.com")
