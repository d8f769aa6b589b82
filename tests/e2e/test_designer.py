"""The designer in a real browser (Debian's Chromium through playwright-core) against a real
``maxdp serve`` on loopback, and the designer's own unit tests (Vitest).

Both skip, saying why, when Chromium, Node or the designer's node packages are missing; under
``MAXDP_REQUIRE_DB_TESTS=1`` (CI, whose .ci/run installs them) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.e2e import harness

REQUIRE_ENV = "MAXDP_REQUIRE_DB_TESTS"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(
            f"the designer tests are required ({REQUIRE_ENV}=1) but {reason}", pytrace=False
        )
    pytest.skip(f"designer browser test skipped: {reason}")


def test_designer_end_to_end_in_chromium() -> None:
    missing = harness.missing_prerequisites()
    if missing:
        _unavailable("; ".join(missing))
    result = harness.run_browser_test()
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert " passed, 0 failed" in result.stdout


def test_designer_unit_tests() -> None:
    if shutil.which("npm") is None or not (harness.DESIGNER / "node_modules" / "vitest").is_dir():
        _unavailable("node packages are not installed (cd max_dp_designer && npm ci)")
    result = subprocess.run(
        ["npm", "test", "--silent"],
        cwd=harness.DESIGNER,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "CI": "true", "NO_COLOR": "1", "FORCE_COLOR": "0"},
    )
    assert result.returncode == 0, f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
