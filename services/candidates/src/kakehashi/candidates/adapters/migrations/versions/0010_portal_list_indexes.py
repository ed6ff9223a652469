"""Indexes for a training centre's candidate list, so that with 100k candidates a page is read
in order and counted without touching the wide rows (bench/portal_pages.py: p95 <= 150 ms).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (name, columns), each within one centre:
# - one per sort of the list (queries.SORTS), in its order (newest and oldest read one index
#   in both directions), so a page is the next rows of an index instead of a sort of the
#   centre's every candidate;
# - the counts per status and the total: every column the list filters or searches on, so they
#   are counted from this index alone (the rows hold JSON profiles many times its size).
INDEXES: tuple[tuple[str, list[str | sa.TextClause]], ...] = (
    ("ix_candidate_centre_created", ["training_centre_id", "created_at"]),
    ("ix_candidate_centre_name", ["training_centre_id", "name_key"]),
    ("ix_candidate_centre_updated", ["training_centre_id", "updated_at"]),
    ("ix_candidate_centre_status", ["training_centre_id", "status", "name_key"]),
    (
        "ix_candidate_centre_level",
        ["training_centre_id", sa.text("japanese_rank DESC"), "name_key"],
    ),
    (
        "ix_candidate_centre_list",
        [
            "training_centre_id",
            "status",
            "sector",
            "japanese_rank",
            "eligible_tracks",
            "name_search",
            "name_katakana",
            "id",
        ],
    ),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "candidate", columns)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="candidate")
