"""devtools/system-packages.sh: what is missing decides the exact apt-get line; nothing installs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "system-packages.sh"
FONTS = (
    "usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
)


def run(
    root: Path, *args: str, uid: int = 1000, apt_get: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KAKEHASHI_SYSTEM_ROOT=str(root), KAKEHASHI_SYSTEM_UID=str(uid))
    if apt_get is not None:
        env["KAKEHASHI_APT_GET"] = str(apt_get)
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )


def install(root: Path, *files: str) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).touch()


def test_nothing_missing_is_silent(tmp_path: Path) -> None:
    install(tmp_path, *FONTS, "usr/bin/chromium")
    result = run(tmp_path, "test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("profile", "present", "line"),
    [
        ("dev", (), "fonts-dejavu-core fonts-ipafont-gothic"),
        ("dev", FONTS[:1], "fonts-ipafont-gothic"),
        ("test", FONTS, "chromium"),
        ("test", ("usr/bin/chromium",), "fonts-dejavu-core fonts-ipafont-gothic"),
        ("ci", (*FONTS, "usr/bin/chromium"), "make postgresql docker-compose"),
        (
            "ci",
            (*FONTS, "usr/bin/chromium", "usr/bin/make", "usr/lib/postgresql/15/bin/initdb"),
            "docker-compose",
        ),
    ],
)
def test_a_user_is_stopped_with_the_exact_install_line(
    tmp_path: Path, profile: str, present: tuple[str, ...], line: str
) -> None:
    install(tmp_path, *present)
    result = run(tmp_path, profile)
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[-1] == f"  sudo apt-get update && sudo apt-get install -y {line}"
    )


def test_check_only_never_installs_even_as_root(tmp_path: Path) -> None:
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/calls\n')
    apt_get.chmod(0o755)
    result = run(tmp_path, "dev", "--check", uid=0, apt_get=apt_get)
    assert result.returncode == 1
    assert not (tmp_path / "calls").exists()


def test_root_installs_exactly_what_is_missing(tmp_path: Path) -> None:
    install(tmp_path, FONTS[0])
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/calls\n')
    apt_get.chmod(0o755)
    result = run(tmp_path, "test", uid=0, apt_get=apt_get)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq fonts-ipafont-gothic chromium"]


def test_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, "prod")
    assert result.returncode == 2
    assert "usage" in result.stderr
