"""Matching's decisions as pipeline moves: the candidate's pairs, the inbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.applier import create_inbox_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_match",
        sa.Column("match_id", sa.String(100), primary_key=True),
        sa.Column("candidate_id", sa.String(36), sa.ForeignKey("candidate.id"), nullable=False),
        sa.Column("job_order_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
    )
    op.create_index("ix_candidate_match_candidate_id", "candidate_match", ["candidate_id"])
    create_inbox_tables(op)


def downgrade() -> None:
    op.drop_table("consumer_position")
    op.drop_table("inbox")
    op.drop_index("ix_candidate_match_candidate_id", table_name="candidate_match")
    op.drop_table("candidate_match")
