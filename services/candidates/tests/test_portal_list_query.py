"""The portal's list query: one count gives the total and the counts per status, and a centre's
list is read from its indexes (bench/portal_pages.py measures it with 100k candidates)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.service_layer import queries
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.reference import JapaneseLevel, Sector
from services.candidates.tests.samples import CENTRE, OTHER_CENTRE, SHARING, Headers, runtime_of

pytestmark = pytest.mark.integration

TAY_NINH = Principal(subject="clerk", role=Role.TRAINING_CENTRE, organisation_id="tc-tay-ninh")
PEOPLE = [
    ("Nguyen Van An", "Nguyễn Văn An", "グエン・ヴァン・アン", "construction", "N4", CENTRE),
    ("Tran Thi Binh", "Trần Thị Bình", "チャン・ティ・ビン", "construction", "N5", CENTRE),
    ("Le Van Cuong", "Lê Văn Cường", None, "agriculture", "N3", CENTRE),
    ("Nguyen Thi Dung", "Nguyễn Thị Dung", None, "construction", "N4", OTHER_CENTRE),
]


@pytest.fixture
def ids(client: TestClient) -> dict[str, str]:
    found: dict[str, str] = {}
    for full_name, name_vi, katakana, sector, level, headers in PEOPLE:
        body = {
            "full_name": full_name, "name_vi": name_vi, "name_katakana": katakana,
            "province": "Tây Ninh", "sector": sector, "japanese_level": level, "skills": [],
            "consents": [SHARING],
        }  # fmt: skip
        response = client.post("/candidates", json=body, headers=headers)
        assert response.status_code == 201, response.text
        found[full_name] = response.json()["id"]
    move(client, found["Tran Thi Binh"], "in_training", CENTRE)
    return found


def move(client: TestClient, candidate_id: str, to: str, headers: Headers) -> None:
    response = client.post(
        f"/candidates/{candidate_id}/transitions", json={"to": to, "reason": "x"}, headers=headers
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "filters",
    [
        queries.CandidateFilters(),
        queries.CandidateFilters(text="nguyen"),
        queries.CandidateFilters(text="Trần"),
        queries.CandidateFilters(text="ビン"),
        queries.CandidateFilters(status=Status.IN_TRAINING),
        queries.CandidateFilters(status=Status.READY),
        queries.CandidateFilters(sector=Sector.CONSTRUCTION, text="van"),
        queries.CandidateFilters(min_japanese_level=JapaneseLevel.N4),
        queries.CandidateFilters(text="zzz"),
    ],
)
def test_the_list_counts_once_and_agrees_with_the_search_and_the_counts(
    client: TestClient, ids: dict[str, str], filters: queries.CandidateFilters
) -> None:
    uow = runtime_of(client).uow()
    listed = queries.candidate_list(uow, TAY_NINH, filters, limit=2, offset=0)
    found, total = queries.search_candidates(uow, TAY_NINH, filters, limit=2, offset=0)
    assert [c.row.id for c in listed.found] == [c.row.id for c in found]
    assert listed.total == total
    assert listed.counts == queries.status_counts(uow, TAY_NINH, filters)
    assert ids["Nguyen Thi Dung"] not in [c.row.id for c in listed.found]  # another centre's


def test_a_search_by_id_start_and_by_katakana_still_finds_the_candidate(
    client: TestClient, ids: dict[str, str]
) -> None:
    uow = runtime_of(client).uow()
    an = ids["Nguyen Van An"]
    for text_ in (an[:8], an[:8].upper(), "アン", "Nguyễn Văn"):
        listed = queries.candidate_list(
            uow, TAY_NINH, queries.CandidateFilters(text=text_), limit=25, offset=0
        )
        assert an in [c.row.id for c in listed.found], text_
    # Latin letters are never looked for in the katakana, nor a non-hexadecimal text in ids.
    nothing = queries.candidate_list(
        uow, TAY_NINH, queries.CandidateFilters(text="xyz-"), limit=25, offset=0
    )
    assert (nothing.found, nothing.total) == ([], 0)


# The shapes of the list's queries for one centre: its default page, the sort by name, the
# counts per status of a filtered search.
NEWEST = (
    "SELECT * FROM candidate WHERE training_centre_id = 'tc-tay-ninh'"
    " ORDER BY created_at DESC LIMIT 25"
)
BY_NAME = (
    "SELECT * FROM candidate WHERE training_centre_id = 'tc-tay-ninh' ORDER BY name_key LIMIT 25"
)
COUNTS = (
    "SELECT status, count(*) FROM candidate WHERE training_centre_id = 'tc-tay-ninh'"
    " AND sector = 'construction' AND name_search LIKE '%van%' GROUP BY status"
)


def plan(client: TestClient, sql: str) -> str:
    with Session(runtime_of(client).engine) as session:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return " | ".join(str(row[-1]) for row in rows)


def test_a_centres_list_reads_its_indexes_not_a_sort_of_every_row(client: TestClient) -> None:
    if runtime_of(client).engine.dialect.name != "sqlite":
        pytest.skip("the query plans checked are SQLite's (PostgreSQL plans by its statistics)")
    newest = plan(client, NEWEST)
    assert "ix_candidate_centre_created" in newest
    assert "TEMP B-TREE" not in newest
    by_name = plan(client, BY_NAME)
    assert "ix_candidate_centre_name" in by_name
    assert "TEMP B-TREE" not in by_name
    assert "COVERING INDEX ix_candidate_centre_list" in plan(client, COUNTS)
