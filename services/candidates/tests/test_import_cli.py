"""`kakehashi-candidates import FILE --centre ORG` registers the file's rows as that centre."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select
from typer.testing import CliRunner

from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.entrypoints.cli import app

pytestmark = pytest.mark.integration

FILE = (
    "full_name,date_of_birth,province,sector,skills,consent_sharing\n"
    "Nguyen Van An,2000-05-01,Tây Ninh,construction,welding:3,no\n"
    "Tran Thi Binh,1998-11-02,Nghệ An,mining,,no\n"
)


def test_the_cli_imports_a_file(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAKEHASHI_CANDIDATES_DATABASE_URL", database_url)
    monkeypatch.setenv("KAKEHASHI_CANDIDATES_ENVIRONMENT", "development")
    path = tmp_path / "people.csv"
    path.write_text(FILE, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path), "--centre", "tc-tay-ninh"])
    assert result.exit_code == 0, result.output
    assert "1 registered, 0 already registered, 1 failed, of 2" in " ".join(result.output.split())
    engine = create_engine(database_url)
    with Session(engine) as session:
        [row] = session.exec(select(Candidate)).all()
    engine.dispose()
    assert (row.full_name, row.training_centre_id, row.published) == (
        "Nguyen Van An",
        "tc-tay-ninh",
        False,
    )
    refused = CliRunner().invoke(app, ["import", str(path)])
    assert refused.exit_code != 0
