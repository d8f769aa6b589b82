"""A wheel of the project carries the migrations, and a server installed from it migrates.

The Alembic scripts live at the top of the repository (ARCHITECTURE.md); the wheel installs them
under the environment's ``share/max-dp/migrations`` (pyproject.toml), where ``migrate`` looks
when there is no source checkout.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from max_dp_server import migrate
url = "sqlite+aiosqlite:///" + sys.argv[1]
migrate.upgrade(url)
print(migrate.__file__)
print(migrate.current(url), migrate.head())
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("max_dp-*.whl")
    return built


def test_the_wheel_carries_every_migration(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    carried = {Path(n).name for n in names if "/share/max-dp/migrations/versions/" in n}
    assert carried == {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert any(n.endswith("/share/max-dp/migrations/env.py") for n in names)


def test_a_server_installed_from_the_wheel_migrates(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The dependencies come from this environment; its editable install of max-dp does not
    # (a path in a .pth file is added without the .pth files in it).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run = subprocess.run(
        [str(python), "-c", SCRIPT, str(tmp_path / "maxdp.db")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    where, revisions = run.stdout.strip().splitlines()[-2:]
    assert Path(where).is_relative_to(env_dir), where  # the wheel's copy, not this checkout
    current, head = revisions.split()
    assert current == head != "None"
