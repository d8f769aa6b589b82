"""diff_documents on its own (no database)."""

from __future__ import annotations

from max_dp_server.flow_store.diff import diff_documents

BASE = {
    "name": "f",
    "parameters": [{"name": "region", "type": "string"}],
    "nodes": [
        {"id": "a", "type": "static_data", "config": {"rows": []}, "position": {"x": 0, "y": 0}},
        {"id": "b", "type": "display_results"},
    ],
    "edges": [{"source": "a", "target": "b", "id": "e1"}],
}


def test_identical_documents_have_no_differences() -> None:
    d = diff_documents(BASE, BASE)
    assert d["fields"] == []
    assert d["nodes"] == {"added": [], "removed": [], "changed": []}
    assert d["edges"] == {"added": [], "removed": [], "changed": []}
    assert d["parameters"] == {"added": [], "removed": [], "changed": []}


def test_changes_are_reported_by_id_and_field() -> None:
    new = {
        "name": "g",
        "timeout_s": 5,
        "parameters": [{"name": "region", "type": "integer"}, {"name": "day", "type": "date"}],
        "nodes": [
            {
                "id": "a",
                "type": "static_data",
                "config": {"rows": [{"x": 1}]},
                "position": {"x": 9, "y": 0},
            },
            {"id": "c", "type": "display_results"},
        ],
        "edges": [{"source": "a", "target": "c"}],
    }
    d = diff_documents(BASE, new)
    assert d["fields"] == ["name", "timeout_s"]
    assert d["nodes"] == {
        "added": ["c"],
        "removed": ["b"],
        "changed": [{"node_id": "a", "fields": ["config.rows", "position"]}],
    }
    assert d["edges"]["added"] == [
        {"source": "a", "source_port": None, "target": "c", "target_port": None}
    ]
    assert d["edges"]["removed"][0]["target"] == "b"
    assert d["parameters"] == {
        "added": ["day"],
        "removed": [],
        "changed": [{"name": "region", "fields": ["type"]}],
    }


def test_edge_identity_is_its_endpoints() -> None:
    new = {**BASE, "edges": [{"source": "a", "target": "b", "id": "renamed"}]}
    d = diff_documents(BASE, new)
    assert d["edges"]["added"] == d["edges"]["removed"] == []
    assert d["edges"]["changed"] == [
        {"source": "a", "source_port": None, "target": "b", "target_port": None, "fields": ["id"]}
    ]


def test_malformed_entries_are_ignored_not_fatal() -> None:
    weird = {"nodes": ["x", {"no_id": 1}], "edges": None}
    d = diff_documents(weird, BASE)
    assert d["nodes"]["added"] == ["a", "b"]
