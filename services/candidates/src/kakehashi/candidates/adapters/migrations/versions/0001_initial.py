"""Candidates, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.outbox import create_outbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("training_centre_id", sa.String(100), nullable=False, index=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False, index=True),
        sa.Column("japanese_level", sa.String(8), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_outbox_tables(op)


def downgrade() -> None:
    op.drop_table("outbox_lane")
    op.drop_table("outbox")
    op.drop_table("candidate")
