"""api_request against a real HTTP server on loopback: batching, templates, retries, errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.messaging.api_request import ApiRequest
from nodes.messaging.http import HttpPolicy
from tests.nodes.messaging.servers import Api

ROWS = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "name": ['Kim "K"', "O'Brien\n", None],
        "points": [1.5, None, 3.0],
        "joined": pd.to_datetime(["2024-01-02", "2024-03-04", None]),
    }
)
ALLOW = {"http_policy": HttpPolicy(allow_private=True)}


async def _send(df: pd.DataFrame, **config: object) -> pd.DataFrame:
    ctx = NodeContext(services=ALLOW)
    return (await ApiRequest("r", config).arun({"in": df}, ctx))["out"]


def _json_rows(df: pd.DataFrame) -> list[dict]:
    """The rows as a pandas user would serialise them."""
    return json.loads(df.to_json(orient="records", date_format="iso"))


def _bodies(api: Api, path: str) -> list:
    return [json.loads(call["body"]) for call in api.received(path)]


@pytest.mark.parametrize(("batch", "sizes"), [("row", [1, 1, 1]), (2, [2, 1]), ("all", [3])])
async def test_batches_send_the_rows_as_json(api: Api, batch: object, sizes: list[int]) -> None:
    out = await _send(ROWS, url=f"{api.base}/echo", batch=batch)
    assert out["rows"].tolist() == sizes and out["status"].tolist() == [200] * len(sizes)
    assert out["call"].tolist() == list(range(len(sizes)))
    assert out["error"].isna().all()
    bodies = _bodies(api, "/echo")
    records = _json_rows(ROWS)
    if batch == "row":
        assert bodies == records
    else:
        assert [row for body in bodies for row in body] == records
    assert json.loads(out.loc[0, "body"])["ok"] is True


async def test_json_template_cannot_be_broken_by_values(api: Api) -> None:
    template = '{"customer": {"id": "{{id}}", "name": "{{name}}"}, "note": "Hi {{name}}!"}'
    await _send(ROWS.iloc[:2], url=f"{api.base}/echo", body_template=template)
    expected = [
        {"customer": {"id": r["id"], "name": r["name"]}, "note": f"Hi {r['name']}!"}
        for r in _json_rows(ROWS.iloc[:2])
    ]
    assert _bodies(api, "/echo") == expected


async def test_batch_template_and_url_per_row(api: Api) -> None:
    await _send(ROWS, url=f"{api.base}/echo", batch=2,
                body_template='{"contacts": "{{rows}}", "n": "{{count}}"}')  # fmt: skip
    records = _json_rows(ROWS)
    assert _bodies(api, "/echo") == [
        {"contacts": records[:2], "n": 2},
        {"contacts": records[2:], "n": 1},
    ]
    frame = pd.DataFrame({"id": ["a/b", "c d"], "v": [1, 2]})
    await _send(frame, url=f"{api.base}/users/{{{{id}}}}", method="PUT",
                body_template="value={{v}}")  # fmt: skip
    paths = [c["path"] for c in api.calls if c["method"] == "PUT"]
    assert paths == ["/users/a%2Fb", "/users/c%20d"]
    assert [c["body"] for c in api.calls if c["method"] == "PUT"] == [b"value=1", b"value=2"]


async def test_retries_then_records_or_fails(api: Api) -> None:
    out = await _send(ROWS.iloc[:1], url=f"{api.base}/flaky/r?fail=1", retry_backoff_s=0.01)
    assert out["status"].tolist() == [200] and len(api.received("/flaky/r")) == 2
    with pytest.raises(NodeError, match=r"url: call 0 \(1 rows\) to .*/fail answered 500"):
        await _send(ROWS, url=f"{api.base}/fail", retries=0)
    logged = await _send(ROWS, url=f"{api.base}/fail", retries=0, fail_on_error=False)
    assert logged["status"].tolist() == [500] * 3
    assert logged["error"].tolist() == ["status 500"] * 3


async def test_concurrency_keeps_the_call_order(api: Api) -> None:
    frame = pd.DataFrame({"id": range(12)})
    out = await _send(frame, url=f"{api.base}/echo", concurrency=4)
    assert out["call"].tolist() == list(range(12))
    assert sorted(b["id"] for b in _bodies(api, "/echo")) == list(range(12))
    assert [json.loads(json.loads(b)["received"])["id"] for b in out["body"]] == list(range(12))


async def test_private_address_refused_without_policy(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAXDP_HTTP_ALLOW_PRIVATE", raising=False)
    node = ApiRequest("r", {"url": f"{api.base}/echo"})
    with pytest.raises(NodeError, match=r"url: 127\.0\.0\.1 is a loopback address"):
        await node.arun({"in": ROWS}, NodeContext())
    assert api.calls == []


async def test_empty_input_makes_no_call(api: Api) -> None:
    out = await _send(ROWS.iloc[:0], url=f"{api.base}/echo", batch="all")
    assert list(out.columns) == ["call", "rows", "status", "body", "error"] and len(out) == 0
    assert api.calls == []


async def test_template_errors() -> None:
    with pytest.raises(
        NodeError,
        match=r"body_template: column 'email' not found \(available: id, name, points, joined\)",
    ):
        await _send(ROWS, url="http://example.com/x", body_template='{"to": "{{email}}"}')
    with pytest.raises(ConfigError, match=r"url: \{\{id\}\} needs batch=row"):
        ApiRequest("r", {"url": "http://x/{{id}}", "batch": "all"})
    with pytest.raises(
        ConfigError, match=r"in batches only \{\{rows\}\} and \{\{count\}\} exist, not \{\{name\}\}"
    ):
        ApiRequest("r", {"url": "http://x/", "batch": 5, "body_template": "{{name}}"})
    with pytest.raises(ConfigError, match="batch"):
        ApiRequest("r", {"url": "http://x/", "batch": 0})
