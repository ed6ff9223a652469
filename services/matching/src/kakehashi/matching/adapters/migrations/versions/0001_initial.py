"""Read model of candidates and job orders, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.applier import create_inbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_view",
        sa.Column("candidate_id", sa.String(36), primary_key=True),
        sa.Column("training_centre_id", sa.String(100), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False, index=True),
        sa.Column("japanese_level", sa.String(8), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "job_order_view",
        sa.Column("job_order_id", sa.String(36), primary_key=True),
        sa.Column("employer_id", sa.String(100), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False, index=True),
        sa.Column("prefecture", sa.String(32), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("min_japanese_level", sa.String(8), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_inbox_tables(op)


def downgrade() -> None:
    op.drop_table("consumer_position")
    op.drop_table("inbox")
    op.drop_table("job_order_view")
    op.drop_table("candidate_view")
