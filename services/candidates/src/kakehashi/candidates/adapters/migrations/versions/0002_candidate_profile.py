"""Candidate profile, derived search columns, pipeline history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_RANKS = {"none": 0, "N5": 1, "N4": 2, "N3": 3, "N2": 4, "N1": 5}


def _fold(text: str) -> str:
    # A frozen copy of domain.names.fold, so this revision does not change if that does.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split()).casefold()


def upgrade() -> None:
    columns: list[sa.Column[Any]] = [
        sa.Column("name_vi", sa.String(200), nullable=True),
        sa.Column("name_katakana", sa.String(200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(16), nullable=True),
        sa.Column("province_code", sa.String(8), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("passport_number", sa.String(32), nullable=True),
        sa.Column("education", sa.JSON(), nullable=True),
        sa.Column("work_history", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("japanese_tests", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("declared_japanese_level", sa.String(8), nullable=True),
        sa.Column("training_hours", sa.Integer(), nullable=True),
        sa.Column("training_cohort", sa.String(100), nullable=True),
        sa.Column("health_check_status", sa.String(16), nullable=True),
        sa.Column("desired_tracks", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("desired_sectors", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("desired_prefectures", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("earlier_stays", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("name_key", sa.String(200), nullable=False, server_default=""),
        sa.Column("name_search", sa.String(400), nullable=False, server_default=""),
        sa.Column("passport_key", sa.String(32), nullable=True),
        sa.Column("japanese_rank", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("eligible_tracks", sa.String(64), nullable=False, server_default=""),
    ]
    for column in columns:
        op.add_column("candidate", column)
    op.create_index("ix_candidate_province_code", "candidate", ["province_code"])
    op.create_index("ix_candidate_name_key", "candidate", ["name_key"])
    op.create_index("ix_candidate_passport_key", "candidate", ["passport_key"], unique=True)
    op.create_index("ix_candidate_status", "candidate", ["status"])

    # Candidates registered before this revision: their level was declared; fill the search columns.
    candidate = sa.table(
        "candidate",
        sa.column("id", sa.String),
        sa.column("full_name", sa.String),
        sa.column("japanese_level", sa.String),
        sa.column("declared_japanese_level", sa.String),
        sa.column("name_key", sa.String),
        sa.column("name_search", sa.String),
        sa.column("japanese_rank", sa.Integer),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(candidate.c.id, candidate.c.full_name, candidate.c.japanese_level)
    )
    for row in rows.fetchall():
        connection.execute(
            candidate.update()
            .where(candidate.c.id == row.id)
            .values(
                declared_japanese_level=row.japanese_level,
                name_key=_fold(row.full_name),
                name_search=_fold(row.full_name),
                japanese_rank=_RANKS.get(row.japanese_level, 0),
            )
        )

    op.create_table(
        "candidate_transition",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("candidate_id", sa.String(36), sa.ForeignKey("candidate.id"), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_organisation_id", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_candidate_transition_candidate_id", "candidate_transition", ["candidate_id"]
    )


def downgrade() -> None:
    op.drop_table("candidate_transition")
    for name in ("status", "passport_key", "name_key", "province_code"):
        op.drop_index(f"ix_candidate_{name}", table_name="candidate")
    with op.batch_alter_table("candidate") as batch:
        for name in (
            "name_vi", "name_katakana", "date_of_birth", "sex", "province_code", "phone", "email",
            "passport_number", "education", "work_history", "japanese_tests",
            "declared_japanese_level", "training_hours", "training_cohort", "health_check_status",
            "desired_tracks", "desired_sectors", "desired_prefectures", "available_from",
            "earlier_stays", "name_key", "name_search", "passport_key", "japanese_rank",
            "eligible_tracks",
        ):  # fmt: skip
            batch.drop_column(name)
