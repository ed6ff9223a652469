"""The README's "Try the slice by hand" is a test: its shell blocks, run verbatim against a running
system (only the ports substituted), and what its prose claims, checked step by step.

The blocks run in one bash process, step by step (a step is a comment and the command under it),
so the variables they set (`$TC`, `$ORDER`, `$CID`…) carry over as in a user's terminal. A step
that only reads (a GET, no POST) may be run again until it passes: events take a moment to cross
the broker, and a user would look again too.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kakehashi.devtools.supervisor import Supervisor
from tests.e2e.conftest import running_system

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Try the slice by hand"
PORTS = {"8001": "candidates", "8002": "employers", "8003": "matching"}
END = "__kakehashi_step_done__"


@dataclass(frozen=True)
class Step:
    comment: str
    command: str

    @property
    def reads_only(self) -> bool:
        return "-X POST" not in self.command and "-X PATCH" not in self.command


def readme_blocks() -> list[str]:
    """The bash blocks of the README's walk, in order."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "the walk has no bash block"
    return blocks


def steps_of(block: str) -> list[Step]:
    """A block cut into steps: leading comment lines and the command lines after them."""
    steps: list[Step] = []
    comment: list[str] = []
    command: list[str] = []
    for line in block.splitlines():
        if line.startswith("#"):
            if command:
                steps.append(Step("\n".join(comment), "\n".join(command)))
                comment, command = [], []
            comment.append(line)
        elif line.strip() or command:
            command.append(line)
    if command:
        steps.append(Step("\n".join(comment), "\n".join(command)))
    # A blank line between two commands under one comment: still one step (they share a claim).
    return steps


def with_ports(command: str, system: Supervisor) -> str:
    """The README's ports (8001-8003 on localhost) replaced by the running system's."""
    for port, service in PORTS.items():
        command = command.replace(f"localhost:{port}", system.url(service).removeprefix("http://"))
    return command


class Shell:
    """One bash process fed step by step, as a user's terminal."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(self, command: str) -> tuple[int, str]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{command}\necho; echo {END} $?\n")
        self.process.stdin.flush()
        lines: list[str] = []
        for line in self.process.stdout:
            if line.startswith(END):
                return int(line.split()[1]), "".join(lines).strip()
            lines.append(line)
        raise AssertionError(f"bash exited while running:\n{command}\n{''.join(lines)}")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervisor]:
    """The system as `make dev` runs it (ENVIRONMENT=development): it trusts the development key
    that the README's `kakehashi token` signs with, as a newcomer's would."""
    with running_system(tmp_path_factory, {"ENVIRONMENT": "development"}) as supervisor:
        yield supervisor


@pytest.fixture
def shell(system: Supervisor, tmp_path: Path) -> Iterator[Shell]:
    env = system.environment() | {
        "UV_PROJECT": str(ROOT),  # `uv run` from the scratch directory the files land in
        "UV_FROZEN": "1",
    }
    terminal = Shell(tmp_path, env)
    yield terminal
    terminal.close()


def _json(output: str) -> Any:
    return json.loads(output)


def _every_json(output: str) -> list[Any]:
    decoder, found, index = json.JSONDecoder(), [], 0
    while (start := output.find("{", index)) >= 0:
        value, end = decoder.raw_decode(output[start:])
        found.append(value)
        index = start + end
    return found


# What the prose around each step claims, keyed by a phrase of the step's comment or command.
Claim = Callable[[str, Path], None]


def _tokens_minted(output: str, _: Path) -> None:
    assert output == "", output  # the assignments print nothing when the tokens are minted


def _dates_set(output: str, _: Path) -> None:
    assert output == "", output


def _two_registered(output: str, _: Path) -> None:
    created = _every_json(output)
    assert [c["status"] for c in created] == ["registered", "registered"], output
    assert all(c["published"] for c in created)


def _order_posted(output: str, _: Path) -> None:
    assert output == "", output


def _ranked_with_reasons(output: str, _: Path) -> None:
    matches = _json(output)["matches"]
    assert len(matches) == 2, output
    for match in matches:
        assert 0 <= match["score"] <= 1
        assert set(match["components"]) == {"skills", "japanese", "experience", "preferences"}
    reasons = [r for m in matches for r in m["explanations"]]
    for claimed in (
        "missing: scaffolding (level 1, nice-to-have)",
        "Japanese N4 meets the N4 required",
        "eligible for SSW i",
        # The walk's $SOON and $DEPARTURE: 60 and 150 days from today.
        f"available from {date.today() + timedelta(days=60)}, before the departure on "
        f"{date.today() + timedelta(days=150)}",
    ):
        assert claimed in reasons, (claimed, reasons)


def _bad_input_named(output: str, _: Path) -> None:
    assert output.rstrip().endswith("HTTP 422"), output
    fields = {item["loc"][-1] for item in _every_json(output)[0]["detail"]}
    assert "sector" in fields, output  # "mining" is no sector


def _cid_chosen(output: str, _: Path) -> None:
    assert output == "", output


def _proposed(output: str, _: Path) -> None:
    assert _json(output)["status"] == "proposed", output


def _candidate_moved(output: str, _: Path) -> None:
    assert _json(output)["status"] == "shortlisted", output


def _employer_review(output: str, scratch: Path) -> None:
    shortlist, interviewed = _every_json(output)
    assert [e["status"] for e in shortlist["entries"]] == ["proposed"], output
    assert "phone" not in json.dumps(shortlist)  # employer-safe
    assert (scratch / "interview-sheet.pdf").read_bytes().startswith(b"%PDF")
    assert interviewed["status"] == "interviewed", output


CLAIMS: list[tuple[str, Claim]] = [
    ("kakehashi token", _tokens_minted),
    ("Dates count from today", _dates_set),
    ("registers candidates", _two_registered),
    ("posts a job order", _order_posted),
    ("reads the ranked match list", _ranked_with_reasons),
    ("Bad input is a 422", _bad_input_named),
    ("CID=$(", _cid_chosen),
    ("proposes the best candidate", _proposed),
    ('moves the candidate to "shortlisted"', _candidate_moved),
    ("employer-safe shortlist", _employer_review),
]


def _claim_of(step: Step) -> Claim:
    found = [claim for phrase, claim in CLAIMS if phrase in step.comment + "\n" + step.command]
    assert len(found) == 1, f"no single claim for the README step:\n{step.comment}\n{step.command}"
    return found[0]


def test_the_readme_walk_runs_verbatim_and_does_what_it_says(
    system: Supervisor, shell: Shell, tmp_path: Path
) -> None:
    steps = [step for block in readme_blocks() for step in steps_of(block)]
    assert len(steps) == len(CLAIMS), [s.comment for s in steps]
    for step in steps:
        claim = _claim_of(step)
        command = with_ports(step.command, system)
        deadline = time.monotonic() + 60
        while True:
            code, output = shell.run(command)
            try:
                assert code == 0, f"exit code {code}"
                claim(output, tmp_path)
                break
            except (AssertionError, KeyError, IndexError, ValueError) as error:
                if not step.reads_only or time.monotonic() > deadline:
                    raise AssertionError(
                        f"README step failed: {error}\n{step.comment}\n{command}\n---\n{output}"
                    ) from error
                time.sleep(1)
