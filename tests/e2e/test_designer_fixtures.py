"""The designer's fixtures that stand for server answers are the server's answers.

``max_dp_designer/src/test/fixtures/flow-diff.json`` holds two flow documents and the diff the
server gives for them (``GET /flows/{id}/diff``); Vitest renders it. This recomputes the diff with
the server's own code and model, so a change to the diff's shape fails here, not in the browser.
"""

from __future__ import annotations

import json

from max_dp_server.flow_store.diff import diff_documents
from max_dp_server.flow_store.schemas import FlowDiff
from tests.e2e import harness

FIXTURE = harness.DESIGNER / "src" / "test" / "fixtures" / "flow-diff.json"


def _answer(recorded: dict, old: dict, new: dict) -> dict:
    return FlowDiff(
        flow_id=recorded["flow_id"],
        from_version=recorded["from_version"],
        to_version=recorded["to_version"],
        **diff_documents(old, new),
    ).model_dump(mode="json")


def test_flow_diff_fixture_is_the_servers_answer() -> None:
    fixture = json.loads(FIXTURE.read_text())
    old, new = fixture["from"], fixture["to"]
    assert fixture["answer"] == _answer(fixture["answer"], old, new), (
        "the diff fixture no longer matches the server's answer: put the server's answer for "
        "`from` -> `to` in its `answer`"
    )
    assert fixture["empty"] == _answer(fixture["empty"], new, new)
