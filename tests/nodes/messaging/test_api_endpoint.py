"""api_endpoint against a real HTTP server on loopback, and the SSRF policy."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.base import NodeContext
from nodes.connections import Connections, ConnectionSpec
from nodes.messaging.api_endpoint import ApiEndpoint
from nodes.messaging.http import HttpPolicy
from tests.nodes.messaging.servers import ITEMS, Api

ALLOW = {"http_policy": HttpPolicy(allow_private=True)}


async def _get(config: dict, params: dict | None = None, **services: object) -> pd.DataFrame:
    ctx = NodeContext(params=params or {}, services={**ALLOW, **services})
    return (await ApiEndpoint("e", config).arun({}, ctx))["out"]


async def test_records_path_matches_pandas(api: Api) -> None:
    out = await _get({"url": f"{api.base}/records", "records_path": "data.items"})
    assert_frame_equal(out, pd.DataFrame(ITEMS))
    with pytest.raises(NodeError, match="records_path: expected an object or a list, found int"):
        await _get({"url": f"{api.base}/records", "records_path": "total"})
    one = await _get({"url": f"{api.base}/records", "records_path": "data.items.0"})
    assert_frame_equal(one, pd.DataFrame([ITEMS[0]]))
    with pytest.raises(NodeError, match="records_path: 'rows' not found in data"):
        await _get({"url": f"{api.base}/records", "records_path": "data.rows"})


async def test_retries_after_503_then_succeeds(api: Api) -> None:
    out = await _get({"url": f"{api.base}/flaky/a", "query": {"fail": 2}, "retries": 2,
                      "retry_backoff_s": 0.01, "records_path": "items"})  # fmt: skip
    assert out["id"].tolist() == [1]
    assert len(api.received("/flaky/a")) == 3


async def test_gives_up_after_the_retries_with_the_status(api: Api) -> None:
    with pytest.raises(NodeError) as info:
        await _get({"url": f"{api.base}/flaky/b?token=sekret", "query": {"fail": 5},
                    "retries": 1, "retry_backoff_s": 0.01})  # fmt: skip
    assert info.value.message.startswith(f"url: GET {api.base}/flaky/b answered 503")
    assert "sekret" not in info.value.message  # query strings (API keys) are not echoed
    assert len(api.received("/flaky/b")) == 2


async def test_timeout(api: Api) -> None:
    started = time.monotonic()
    with pytest.raises(
        NodeError, match=r"url: GET .*/slow failed after 2 attempts: timed out after 0.3s"
    ):
        await _get({"url": f"{api.base}/slow?s=2", "timeout_s": 0.3, "retries": 1,
                    "retry_backoff_s": 0.01})  # fmt: skip
    assert time.monotonic() - started < 1.9
    assert len(api.received("/slow")) == 2


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:{port}/records", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}/records", r"localhost \(127.0.0.1\) is a loopback address"),
        ("http://[::1]:{port}/x", "::1 is a loopback address"),
        (
            "http://[::ffff:127.0.0.1]:{port}/x",
            r"::ffff:127.0.0.1 \(::ffff:7f00:1\) is a loopback address",
        ),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://0.0.0.0:{port}/", "0.0.0.0 is a private address"),
    ],
)
async def test_private_addresses_are_refused_without_the_policy(
    api: Api, monkeypatch: pytest.MonkeyPatch, url: str, why: str
) -> None:
    monkeypatch.delenv("MAXDP_HTTP_ALLOW_PRIVATE", raising=False)
    port = api.base.rsplit(":", 1)[1]
    node = ApiEndpoint("e", {"url": url.format(port=port), "retries": 0})
    with pytest.raises(NodeError, match=f"url: {why}; requests to private"):
        await node.arun({}, NodeContext())
    assert api.calls == []


async def test_other_schemes_are_refused() -> None:
    with pytest.raises(NodeError, match="url: only http and https URLs are allowed, not file:"):
        await _get({"url": "file:///etc/passwd"})


async def test_environment_switch_allows_private(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAXDP_HTTP_ALLOW_PRIVATE", "1")
    node = ApiEndpoint("e", {"url": f"{api.base}/records", "records_path": "data.items"})
    assert len((await node.arun({}, NodeContext()))["out"]) == 3


async def test_connects_to_the_checked_address_keeping_the_host_name(api: Api) -> None:
    port = api.base.rsplit(":", 1)[1]
    await _get({"url": f"http://localhost:{port}/records", "records_path": "data.items"})
    assert api.received("/records")[0]["headers"]["Host"] == f"localhost:{port}"


async def test_page_pagination(api: Api) -> None:
    out = await _get({"url": f"{api.base}/pages", "records_path": "items", "pagination": "page"})
    expected = pd.DataFrame([{"page": p, "n": n} for p in (1, 2, 3) for n in (0, 1)])
    assert_frame_equal(out, expected)
    with pytest.raises(NodeError, match=r"max_pages: .*/pages did not end within 2 pages"):
        await _get({"url": f"{api.base}/pages", "records_path": "items", "pagination": "page",
                    "max_pages": 2})  # fmt: skip


async def test_next_link_pagination_from_body_and_header(api: Api) -> None:
    body = await _get({"url": f"{api.base}/linked", "records_path": "items",
                       "pagination": "next_link", "next_path": "links.next"})  # fmt: skip
    assert body["p"].tolist() == [1, 2, 3]
    header = await _get({"url": f"{api.base}/link-header", "pagination": "next_link"})
    assert header["p"].tolist() == [1, 2]


async def test_redirect_is_followed_and_rechecked(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = await _get({"url": f"{api.base}/redirect", "records_path": "data.items"})
    assert len(out) == 3
    policy = {"http_policy": HttpPolicy(allow_private=True, max_redirects=0)}
    with pytest.raises(NodeError, match="url: more than 0 redirects"):
        await _get({"url": f"{api.base}/redirect"}, **policy)


async def test_params_body_and_http_connection(api: Api) -> None:
    conns = Connections(
        [ConnectionSpec(name="crm-api", kind="http", url=f"{api.base}/v1/",
                        headers={"Authorization": "Bearer tok3n"})]
    )  # fmt: skip
    await _get(
        {"url": "search", "method": "POST", "connection": "crm-api",
         "query": {"q": "@term", "raw": "@@literal"}, "body": {"who": "@term", "n": 2}},
        {"term": "김"},
        connections=conns,
    )  # fmt: skip
    call = api.received("/v1/search")[0]
    assert call["headers"]["Authorization"] == "Bearer tok3n"
    assert call["query"] == "q=%EA%B9%80&raw=%40literal"
    assert json.loads(call["body"]) == {"who": "김", "n": 2}
    with pytest.raises(
        NodeError, match=r"url: 'http://example\.com/x' leaves the host of connection"
    ):
        await _get({"url": "http://example.com/x", "connection": "crm-api"}, connections=conns)


async def test_reply_errors(api: Api) -> None:
    with pytest.raises(NodeError, match=r"url: the reply of .*/text is not JSON \(status 200"):
        await _get({"url": f"{api.base}/text"})
    small = {"http_policy": HttpPolicy(allow_private=True, max_response_bytes=1000)}
    with pytest.raises(NodeError, match=r"url: the reply of .*/big is larger than 1,000 bytes"):
        await _get({"url": f"{api.base}/big"}, **small)


async def test_preview_row_limit(api: Api) -> None:
    ctx = NodeContext(row_limit=2, services=ALLOW)
    node = ApiEndpoint("e", {"url": f"{api.base}/pages", "records_path": "items",
                             "pagination": "page"})  # fmt: skip
    out = (await node.arun({}, ctx))["out"]
    assert len(out) == 2 and len(api.received("/pages")) == 1
