"""/api/v1/workspaces/{id}/message-templates and /api/v1/message-templates/{id}: CRUD with
derived variables, filters, render preview, matching against a mapping, usage count, roles."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest

from flows.errors import NodeError
from max_dp_server.templates.store import DbMessageTemplates

WELCOME = {
    "name": "가입 환영",
    "category": "onboarding",
    "channel": "email",
    "subject": "{{ 고객명 }}님, 환영합니다",
    "content": "안녕하세요 {{고객명}}님! {{plan}} 플랜이 시작됐어요. "
    "문의: {{ email }} / {{고객명}}",
}


async def _workspace(api: Any) -> tuple[Any, str]:
    owner = await api.user()
    return owner, (await api.workspace(owner))["id"]


async def test_crud_derives_variables_and_starts_unused(api: Any) -> None:
    owner, wid = await _workspace(api)
    base = f"/api/v1/workspaces/{wid}/message-templates"
    r = await api.client.post(base, json=WELCOME, headers=owner.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    # First use first, each once; subject before content.
    assert created["variables"] == ["고객명", "plan", "email"]
    assert (created["usage_count"], created["last_used_at"]) == (0, None)
    tid = created["id"]

    r = await api.client.patch(
        f"/api/v1/message-templates/{tid}",
        json={"content": "{{coupon}} 쿠폰을 드려요", "subject": ""},
        headers=owner.headers,
    )
    assert r.status_code == 200
    assert r.json()["variables"] == ["coupon"]
    assert r.json()["channel"] == "email"  # left out: kept

    # The server counts uses; a client cannot set them.
    r = await api.client.patch(
        f"/api/v1/message-templates/{tid}", json={"usage_count": 99}, headers=owner.headers
    )
    assert r.status_code == 422
    r = await api.client.post(base, json={**WELCOME, "name": "x", "variables": ["a"]},
                              headers=owner.headers)  # fmt: skip
    assert r.status_code == 422

    r = await api.client.post(base, json=WELCOME, headers=owner.headers)
    assert r.status_code == 409
    r = await api.client.post(base, json={**WELCOME, "name": "y", "channel": "E mail"},
                              headers=owner.headers)  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "body.channel"
    r = await api.client.post(base, json={**WELCOME, "name": "z", "content": ""},
                              headers=owner.headers)  # fmt: skip
    assert r.status_code == 422

    r = await api.client.delete(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.status_code == 204
    r = await api.client.get(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == f"no message template with id {tid}"


async def test_list_filters_and_pages(api: Any) -> None:
    owner, wid = await _workspace(api)
    base = f"/api/v1/workspaces/{wid}/message-templates"
    rows = [
        ("결제 안내", "billing", "sms", "{{amount}}원이 결제됐어요"),
        ("결제 실패", "billing", "email", "결제에 실패했어요"),
        ("가입 환영", "onboarding", "email", "환영합니다 {{name}}"),
        ("휴면 안내", "retention", "kakao", "오랜만이에요"),
    ]
    for name, category, channel, content in rows:
        body = {"name": name, "category": category, "channel": channel, "content": content}
        assert (await api.client.post(base, json=body, headers=owner.headers)).status_code == 201

    async def names(**params: Any) -> list[str]:
        r = await api.client.get(base, params=params, headers=owner.headers)
        assert r.status_code == 200, r.text
        return [t["name"] for t in r.json()["items"]]

    assert await names(category="billing") == ["결제 실패", "결제 안내"]
    assert await names(channel="email") == ["가입 환영", "결제 실패"]
    assert await names(category="billing", channel="sms") == ["결제 안내"]
    assert await names(q="환영") == ["가입 환영"]
    assert await names(q="결제") == ["결제 실패", "결제 안내"]
    first, second = await names(limit=2), await names(limit=2, offset=2)
    assert sorted(first + second) == sorted(r[0] for r in rows)


async def test_render_preview_reports_missing_and_is_not_a_use(api: Any) -> None:
    owner, wid = await _workspace(api)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/message-templates", json=WELCOME, headers=owner.headers
    )
    tid = r.json()["id"]
    r = await api.client.post(
        f"/api/v1/message-templates/{tid}/render",
        json={"values": {"고객명": "김민지", "plan": None, "email": "a@b.kr", "extra": 1}},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "subject": "김민지님, 환영합니다",
        "content": "안녕하세요 김민지님!  플랜이 시작됐어요. 문의: a@b.kr / 김민지",
        "missing": ["plan"],
    }
    r = await api.client.post(
        f"/api/v1/message-templates/{tid}/render", json={"values": {"plan": 3.0}},
        headers=owner.headers,
    )  # fmt: skip
    assert r.json()["missing"] == ["고객명", "email"]
    assert "3 플랜" in r.json()["content"]  # a whole float prints as a whole number
    r = await api.client.get(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.json()["usage_count"] == 0


async def test_variables_match_a_mapping_by_column_then_display_name(api: Any) -> None:
    owner, wid = await _workspace(api)
    mapping = {
        "name": "customers",
        "table": "customers",
        "fields": {
            "name": {"display_name": "고객명", "filterable": True},
            "email": {"display_name": "이메일"},
        },
    }
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings", json=mapping, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/message-templates", json=WELCOME, headers=owner.headers
    )
    tid = r.json()["id"]
    r = await api.client.get(
        f"/api/v1/message-templates/{tid}/match",
        params={"mapping": "customers"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "mapping": "customers",
        "variables": {"고객명": "name", "plan": None, "email": "email"},
        "missing": ["plan"],
        "complete": False,
    }
    r = await api.client.get(
        f"/api/v1/message-templates/{tid}/match", params={"mapping": "nope"}, headers=owner.headers
    )
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "no table mapping named 'nope' in this workspace"


async def test_usage_is_counted_by_the_store_runs_use(api: Any) -> None:
    owner, wid = await _workspace(api)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/message-templates", json=WELCOME, headers=owner.headers
    )
    tid, updated_at = r.json()["id"], r.json()["updated_at"]
    store = api.state.executor_services(uuid.UUID(wid))["message_templates"]
    assert isinstance(store, DbMessageTemplates)
    saved = await store.get("가입 환영")
    assert (saved.channel, saved.variables) == ("email", ("고객명", "plan", "email"))
    # Concurrent runs each count (an atomic increment, not read-modify-write).
    await asyncio.gather(*(store.record_use("가입 환영") for _ in range(5)))
    await store.record_use("가입 환영", times=10)
    r = await api.client.get(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.json()["usage_count"] == 15
    assert r.json()["last_used_at"] is not None
    assert r.json()["updated_at"] == updated_at  # a use is not an edit
    other = api.state.executor_services(uuid.uuid4())["message_templates"]
    with pytest.raises(NodeError, match="message template '가입 환영' not found"):
        await other.get("가입 환영")  # another workspace does not see it


async def test_roles_and_foreign_ids(api: Any) -> None:
    owner, wid = await _workspace(api)
    viewer, stranger = await api.user(), await api.user()
    await api.add_member(owner, wid, viewer, "viewer")
    await api.workspace(stranger, "Mine")
    base = f"/api/v1/workspaces/{wid}/message-templates"
    tid = (await api.client.post(base, json=WELCOME, headers=owner.headers)).json()["id"]
    item = f"/api/v1/message-templates/{tid}"

    r = await api.client.post(base, json={**WELCOME, "name": "v"}, headers=viewer.headers)
    assert r.status_code == 403
    assert (await api.client.get(base, headers=viewer.headers)).json()["total"] == 1
    assert (await api.client.get(item, headers=viewer.headers)).status_code == 200
    r = await api.client.post(f"{item}/render", json={}, headers=viewer.headers)
    assert r.status_code == 200
    assert (
        await api.client.patch(item, json={"category": "x"}, headers=viewer.headers)
    ).status_code == 403
    assert (await api.client.delete(item, headers=viewer.headers)).status_code == 403

    r = await api.client.get(base, headers=stranger.headers)
    assert r.status_code == 404
    for method, path, body in (
        ("GET", item, None),
        ("PATCH", item, {"category": "x"}),
        ("DELETE", item, None),
        ("POST", f"{item}/render", {}),
        ("GET", f"{item}/match?mapping=x", None),
    ):
        r = await api.client.request(method, path, json=body, headers=stranger.headers)
        assert r.status_code == 404, (method, path)
        assert r.json()["error"]["message"] == f"no message template with id {tid}"


CUSTOMERS = [
    {"name": "김민지", "plan": "Pro", "email": "minji@example.com"},
    {"name": "Ann", "plan": None, "email": "ann@example.com"},
    {"name": "O'Brien {{plan}}", "plan": "Free", "email": None},
]


def _render_flow(**config: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "welcome mails",
        "nodes": [
            {"id": "customers", "type": "static_data", "config": {"rows": CUSTOMERS}},
            {"id": "render", "type": "template_render", "config": config},
            {"id": "out", "type": "display_results", "config": {"name": "mails"}},
        ],
        "edges": [
            {"source": "customers", "target": "render"},
            {"source": "render", "target": "out"},
        ],
    }


def _by_hand(text: str, row: dict[str, Any]) -> str:
    """One pass of re.sub, as a person would write it (missing -> empty; a value that holds
    ``{{plan}}`` stays as it is)."""
    values = {"고객명": row["name"], "plan": row["plan"], "email": row["email"]}
    return re.sub(r"\{\{\s*(\S+?)\s*\}\}", lambda m: values[m.group(1)] or "", text)


async def test_a_run_renders_a_saved_template_by_name_and_counts_its_uses(api: Any) -> None:
    owner, wid = await _workspace(api)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/message-templates", json=WELCOME, headers=owner.headers
    )
    tid = r.json()["id"]
    config = {"template_name": "가입 환영", "variables": {"고객명": "name"}, "on_missing": "empty"}
    flow = await api.flow(owner, wid, _render_flow(**config))

    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/preview", json={"node_id": "render"}, headers=owner.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    r = await api.client.get(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.json()["usage_count"] == 0  # a preview is not a use

    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    run = r.json()
    assert run["status"] == "succeeded", run["error"]
    rows = run["outputs"]["mails"]["rows"]
    assert [row["message"] for row in rows] == [_by_hand(WELCOME["content"], c) for c in CUSTOMERS]
    assert [row["subject"] for row in rows] == [_by_hand(WELCOME["subject"], c) for c in CUSTOMERS]
    assert [row["missing_variables"] for row in rows] == [[], ["plan"], ["email"]]
    r = await api.client.get(f"/api/v1/message-templates/{tid}", headers=owner.headers)
    assert r.json()["usage_count"] == len(CUSTOMERS)

    # An edit of the saved template is what the next run renders.
    r = await api.client.patch(
        f"/api/v1/message-templates/{tid}",
        json={"subject": "", "content": "{{고객명}} / {{plan}}"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    rows = r.json()["outputs"]["mails"]["rows"]
    assert [row["message"] for row in rows] == [
        _by_hand("{{고객명}} / {{plan}}", c) for c in CUSTOMERS
    ]
    assert "subject" not in rows[0]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"template_name": "없는 템플릿"},
            "template: message template '없는 템플릿' not found in this workspace",
        ),
        (
            {"template_name": "가입 환영", "variables": {"name": "name"}},
            "variables: {{name}} does not appear in the template '가입 환영'",
        ),
        (
            {"template_name": "가입 환영", "variables": {"고객명": "name"}},
            "template_name: variable {{plan}} has no value in row 1 (column 'plan' is null); "
            "set on_missing to empty or keep to allow it",
        ),
    ],
)
async def test_a_saved_template_that_does_not_fit_fails_the_node_by_name(
    api: Any, config: dict[str, Any], message: str
) -> None:
    owner, wid = await _workspace(api)
    await api.client.post(
        f"/api/v1/workspaces/{wid}/message-templates", json=WELCOME, headers=owner.headers
    )
    flow = await api.flow(owner, wid, _render_flow(**config))
    r = await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)
    run = r.json()
    assert run["status"] == "failed"
    assert (run["error"]["node_id"], run["error"]["message"]) == ("render", message)


async def test_a_flow_must_name_exactly_one_template(api: Any) -> None:
    owner, wid = await _workspace(api)
    for config in ({}, {"template": "Hi {{name}}", "template_name": "가입 환영"}):
        r = await api.client.post(
            "/api/v1/flows",
            json={"workspace_id": wid, "document": _render_flow(**config)},
            headers=owner.headers,
        )
        assert r.status_code == 422, r.text
        assert "give either template (the text) or template_name (a saved one)" in r.text
