"""Headcount filled from matching's decisions: selections, the count on the order, the inbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.applier import create_inbox_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_order") as table:
        table.add_column(
            sa.Column("headcount_filled", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "selection",
        sa.Column("job_order_id", sa.String(36), primary_key=True),
        sa.Column("candidate_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_inbox_tables(op)


def downgrade() -> None:
    op.drop_table("consumer_position")
    op.drop_table("inbox")
    op.drop_table("selection")
    with op.batch_alter_table("job_order") as table:
        table.drop_column("headcount_filled")
