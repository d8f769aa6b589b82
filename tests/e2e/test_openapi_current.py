"""The designer's API client is generated from ``max_dp_designer/openapi.json``; this fails when
that file no longer matches the server's OpenAPI document, so the client cannot silently rot.

Fix it with ``make designer`` (or ``cd max_dp_designer && npm run gen:api``), which rewrites
openapi.json and src/api/schema.d.ts; a Vitest test checks that schema.d.ts matches openapi.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from max_dp_server.app import create_app

DESIGNER = Path(__file__).resolve().parents[2] / "max_dp_designer"
FIX = "run `make designer` (or `cd max_dp_designer && npm run gen:api`) and commit the result"


def _committed() -> dict[str, Any]:
    return json.loads((DESIGNER / "openapi.json").read_text(encoding="utf-8"))


def test_committed_openapi_matches_the_server() -> None:
    current = json.loads(json.dumps(create_app().openapi()))  # tuples -> lists, as in the file
    committed = _committed()
    if current == committed:
        return
    added = sorted(set(current["paths"]) - set(committed["paths"]))
    removed = sorted(set(committed["paths"]) - set(current["paths"]))
    changed = sorted(
        p
        for p in set(current["paths"]) & set(committed["paths"])
        if current["paths"][p] != committed["paths"][p]
    )
    schemas = sorted(
        name
        for name in set(current.get("components", {}).get("schemas", {}))
        | set(committed.get("components", {}).get("schemas", {}))
        if current.get("components", {}).get("schemas", {}).get(name)
        != committed.get("components", {}).get("schemas", {}).get(name)
    )
    raise AssertionError(
        "max_dp_designer/openapi.json is out of date with the server: "
        f"paths added {added}, removed {removed}, changed {changed}; schemas changed {schemas}. "
        + FIX
    )


def test_generated_client_types_cover_every_path() -> None:
    """A cheap cross-check without Node: schema.d.ts names every path of openapi.json."""
    types = (DESIGNER / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    typed = set(re.findall(r'^    "(/[^"]*)": \{$', types, flags=re.MULTILINE))
    assert typed == set(_committed()["paths"]), f"src/api/schema.d.ts is stale: {FIX}"
