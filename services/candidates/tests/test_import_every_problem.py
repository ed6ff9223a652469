"""A new user's trial (third round) of the import result page: a row with eight problems was
explained by one line (`jlpt_date jlpt_date | …`, the column doubled), the Japanese counts read
「登録日」 (registration date) and 「登録済みの人」, the reason header 「根拠」; reasons were missing
while the job still said "importing — 3 / 3"; the history said "registered | registered"."""

from __future__ import annotations

import csv
import io
import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kakehashi.candidates.adapters.spreadsheets import FileFormat
from kakehashi.candidates.entrypoints.import_rows import command_of_row
from kakehashi.candidates.service_layer import import_preparation, imports
from kakehashi.shared.auth import Principal, Role
from services.candidates.tests.samples import runtime_of
from services.candidates.tests.test_import_explanations import _problems
from services.candidates.tests.test_portal import _csv, register, sign_in, upload

pytestmark = pytest.mark.integration

EIGHT_PROBLEMS = {
    "full_name": "Le Van Tam",
    "passport_number": "D5000001",
    "province": "Atlantis",
    "sector": "mining",
    "jlpt_level": "N9",
    "jlpt_date": "",
    "date_of_birth": "2030-01-01",
    "training_hours": "abc",
    "available_from": "notadate",
    "consent_sharing": "maybe",
}
EIGHT_COLUMNS = {
    "date_of_birth", "province", "sector", "jlpt_level", "jlpt_date", "training_hours",
    "available_from", "consent_sharing",
}  # fmt: skip


def test_every_problem_of_a_row_is_its_own_line_and_the_column_is_named_once(
    client: TestClient,
) -> None:
    sign_in(client)
    job_url = upload(client, _csv(EIGHT_PROBLEMS)).headers["location"]
    page = client.get(f"{job_url}?lang=en").text
    problems = _problems(page)
    assert len(problems) == 8, problems
    assert {row for row, _, _ in problems} == {"2"}
    columns = {column for _, column, _ in problems}
    assert "jlpt_date" in columns  # a column without a label is named once, by its name
    assert not any(re.fullmatch(r"(\S+) \1", column) for column in columns), columns
    whys = " | ".join(why for _, _, why in problems)
    for said in ("Unknown province: “Atlantis”", "Sector not valid: “mining”", "“N9”",
                 "“abc”", "“notadate”", "Write yes or no", "Required with the column jlpt_level",
                 "date of birth is in the future"):  # fmt: skip
        assert said in whys, said
    assert 'id="failed">1<' in page  # still one row not registered
    # failures.csv: one row, its reasons and explanations joined.
    file = client.get(f"{job_url}/failures.csv?lang=en").content.decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(file)))
    reasons = row["reason"].split("; ")
    assert {reason.split(":")[0] for reason in reasons} == EIGHT_COLUMNS
    assert len(row["explanation"].split("; ")) == 8
    assert "Unknown province" in row["explanation"]
    assert "Sector not valid" in row["explanation"]


def test_the_first_stage_that_fails_names_all_its_problems() -> None:
    """Compound cells (skills, consent) and the validation are read together: each column that
    is wrong is named, each once, in the file's column order."""
    row = {"full_name": "", "date_of_birth": "2000-05-01", "province": "Tây Ninh",
           "sector": "construction", "skills": "welding=3", "email": "nope",
           "consent_sharing": "maybe"}  # fmt: skip
    with pytest.raises(import_preparation.RowProblemsError) as refused:
        command_of_row("tc-tay-ninh", row)
    assert [field for field, _ in refused.value.problems] == [
        "full_name", "email", "skills", "consent_sharing",
    ]  # fmt: skip
    assert import_preparation.reason_of(refused.value).startswith("full_name: required; email: ")


def test_the_counts_and_the_reason_header_say_what_they_count(client: TestClient) -> None:
    sign_in(client)
    job_url = upload(client, _csv(EIGHT_PROBLEMS)).headers["location"]
    ja = client.get(f"{job_url}?lang=ja", headers={"HX-Request": "true"}).text
    assert "登録できた行" in ja
    assert "登録済みと重複した行" in ja
    assert "登録できなかった行" in ja
    assert ">理由<" in ja
    for wrong in ("登録日", "登録済みの人", "根拠"):
        assert wrong not in ja, wrong
    vi = client.get(f"{job_url}?lang=vi", headers={"HX-Request": "true"}).text
    assert "Dòng đã đăng ký" in vi
    assert ">Lý do<" in vi
    # The list's "Registered" column is a date: in Vietnamese, the date of registration.
    register(client)
    listing = client.get("/portal/candidates?lang=vi").text
    assert "Ngày đăng ký" in listing


def test_the_panel_polled_at_the_last_row_shows_the_reasons_and_the_end_swaps_in(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel htmx asks for while the job has read every row but is not yet marked done
    explains the rows refused so far and keeps polling; once done it stops polling, with the
    reasons and the failures file."""
    sign_in(client)
    runtime = runtime_of(client)
    principal = Principal(subject="u", role=Role.TRAINING_CENTRE, organisation_id="tc-tay-ninh")
    content = _csv(EIGHT_PROBLEMS, {"full_name": "Le Van Chin", "passport_number": "D5000002"})
    job = imports.create_job(runtime.uow(), principal, "p.csv", FileFormat.CSV, content)
    url = f"/portal/imports/{job.id}?lang=en"
    polled: list[Any] = []
    go = threading.Event()
    finish = imports._finish

    def held_finish(*args: Any) -> Any:
        polled.append(client.get(url, headers={"HX-Request": "true"}))
        go.set()
        return finish(*args)

    monkeypatch.setattr(imports, "_finish", held_finish)
    imports.run_import(runtime.uow, job.id, command_of_row)
    assert go.is_set()
    (last_row,) = polled
    assert 'data-status="running"' in last_row.text
    assert 'hx-trigger="every 1s"' in last_row.text  # still polled
    assert "2 of 2 rows" in last_row.text
    assert len(_problems(last_row.text)) == 8  # the reasons, already
    assert last_row.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in last_row.headers["Vary"]
    done = client.get(url, headers={"HX-Request": "true"}).text
    assert done.startswith('<div id="progress" data-status="done"')
    assert "hx-trigger" not in done
    assert len(_problems(done)) == 8
    assert f"/portal/imports/{job.id}/failures.csv" in done
    # A history restore asks with HX-Request too: it gets the whole page.
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text


def test_the_history_shows_no_reason_that_only_repeats_the_move(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client)
    for language, said in (("vi", "đã đăng ký"), ("en", "registered"), ("ja", None)):
        page = client.get(f"/portal/candidates/{candidate_id}?lang={language}").text
        (entry,) = _history(page)
        move, why = entry
        assert why == "", entry
        if said is not None:
            assert move == said


def _history(page: str) -> list[tuple[str, str]]:
    """The history's rows as (move, reason)."""
    table = page.split("<h3>")[-1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr><td>.*?</tr>", table, re.S):
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]  # fmt: skip
        rows.append((cells[1], cells[2]))
    return rows
