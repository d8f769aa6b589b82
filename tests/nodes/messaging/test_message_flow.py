"""The PRD's message automation as one flow through the real executor, on both databases.

Customers live in MySQL behind a SELECT-only account; they are searched by keyword through a
table mapping, personalised with a template, previewed, "sent" (dry run), and the delivery
log is written to the platform's Supabase (PostgreSQL) database.
"""

from __future__ import annotations

import json

import pandas as pd
from pandas.testing import assert_frame_equal

from flows.executor import FlowExecutor
from nodes.connections import Connections, ConnectionSpec
from nodes.control.try_catch import TryCatch
from nodes.databases.custom_sql import CustomSql
from nodes.databases.supabase_writer import SupabaseWriter
from nodes.messaging.mapped_table_search import MappedTableSearch
from nodes.messaging.mappings import StaticTableMappings, TableMapping
from nodes.messaging.send_notification import SendNotification
from nodes.messaging.target_preview import TargetPreview
from nodes.messaging.template_render import TemplateRender
from nodes.registry import NodeRegistry
from nodes.sinks.display_results import DisplayResults
from tests.nodes.databases.dbkit import Server, make_connections, unique

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": [1, 2, 3],
        "name": ["김민지 (Kim)", "Kim Lee", "Park"],
        "email": ["minji@example.com", "kl@example.com", "park@example.com"],
        "plan": ["Pro", "Free", "Pro"],
    }
)
REGISTRY = NodeRegistry(
    [MappedTableSearch, TemplateRender, TargetPreview, SendNotification, SupabaseWriter,
     DisplayResults, CustomSql, TryCatch]
)  # fmt: skip


def _flow(customers: str, log_table: str) -> dict:
    return {
        "name": "campaign",
        "parameters": [{"name": "q", "type": "string", "required": True}],
        "nodes": [
            {"id": "targets", "type": "mapped_table_search",
             "config": {"connection": "crm", "mapping": "customers", "term": "@q"}},
            {"id": "render", "type": "template_render",
             "config": {"template": "{{name}}님, {{plan}} 플랜 혜택을 확인하세요."}},
            {"id": "preview", "type": "target_preview", "config": {"sample_size": 2}},
            {"id": "send", "type": "send_notification",
             "config": {"channel": "email", "to": "{{email}}", "subject": "안내",
                        "template": "{{message}}", "dry_run": True}},
            {"id": "log", "type": "supabase_writer",
             "config": {"connection": "platform", "table": log_table}},
            {"id": "stats", "type": "display_results"},
            {"id": "sent", "type": "display_results"},
        ],
        "edges": [
            {"source": "targets", "target": "render"},
            {"source": "render", "target": "preview"},
            {"source": "preview", "source_port": "out", "target": "send"},
            {"source": "preview", "source_port": "stats", "target": "stats"},
            {"source": "send", "target": "log"},
            {"source": "send", "target": "sent"},
        ],
    }  # fmt: skip


async def test_campaign_flow(postgres: Server, mysql: Server) -> None:
    crm = make_connections(mysql)
    platform = make_connections(postgres, "supabase")
    customers, log_table = unique("customers"), unique("send_log")
    async with crm.session("rw", write=True) as conn:
        await conn.run_sync(lambda sync: CUSTOMERS.to_sql(customers, sync, index=False))
    async with platform.session("rw", write=True) as conn:
        await conn.exec_driver_sql(
            f'CREATE TABLE "{log_table}" ("row" BIGINT, channel TEXT, "to" TEXT, subject TEXT, '
            "message TEXT, status TEXT, error TEXT, attempts BIGINT)"
        )
    conns = Connections(
        [
            (await crm.spec("ro_account")).model_copy(update={"name": "crm"}),
            (await platform.spec("rw")).model_copy(update={"name": "platform"}),
        ]
    )
    mapping = TableMapping.model_validate(
        {"table": customers, "fields": {
            "customer_id": {"type": "number", "filterable": True},
            "name": {"filterable": True}, "email": {}, "plan": {}}}
    )  # fmt: skip
    services = {"connections": conns, "table_mappings": StaticTableMappings({"customers": mapping})}
    try:
        executor = FlowExecutor(_flow(customers, log_table), registry=REGISTRY, services=services)
        result = await executor.run({"q": "kim"})
        assert result.succeeded, result.error
        picked = CUSTOMERS[CUSTOMERS["name"].str.lower().str.contains("kim")]
        expected = [f"{r.name}님, {r.plan} 플랜 혜택을 확인하세요." for r in picked.itertuples()]
        sent = result.outputs["sent"]
        assert sent["message"].tolist() == expected
        assert sent["to"].tolist() == picked["email"].tolist()
        assert result.outputs["stats"]["count"].tolist() == [len(picked)] * 6
        # The delivery log landed in the platform database.
        async with conns.session("platform") as conn:
            rows = await conn.run_sync(
                lambda sync: pd.read_sql(f'SELECT * FROM "{log_table}" ORDER BY "row"', sync)
            )
        assert_frame_equal(rows, sent.astype({"error": object}), check_dtype=False)
    finally:
        for service in (conns, crm, platform):
            await service.close()


async def test_failures_name_the_connection_and_keep_secrets_out_of_the_run_record() -> None:
    conns = Connections(
        [ConnectionSpec(name="crm", kind="mysql", host="127.0.0.1", port=1, user="reader",
                        password="sekret-pw", options={"connect_timeout_s": 2})]
    )  # fmt: skip
    flow = {
        "name": "unreachable",
        "nodes": [
            {"id": "q", "type": "custom_sql", "config": {"connection": "crm", "sql": "SELECT 1"}},
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "q", "target": "out"}],
    }
    executor = FlowExecutor(flow, registry=REGISTRY, services={"connections": conns})
    result = await executor.run({})
    await conns.close()
    assert not result.succeeded
    record = json.dumps(result.to_dict(), default=str)
    assert "connection 'crm': cannot connect to the database" in record
    assert "sekret" not in record
