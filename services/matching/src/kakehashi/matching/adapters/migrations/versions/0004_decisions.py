"""Decisions on match pairs, their audit, and the outbox for match events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.outbox import create_outbox_tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_pair",
        sa.Column("match_id", sa.String(80), primary_key=True),
        sa.Column("job_order_id", sa.String(36), nullable=False, index=True),
        sa.Column("candidate_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "match_decision",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("match_id", sa.String(80), nullable=False, index=True),
        sa.Column("job_order_id", sa.String(36), nullable=False, index=True),
        sa.Column("candidate_id", sa.String(36), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32)),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("reason_code", sa.String(32)),
        sa.Column("note", sa.Text()),
        sa.Column("score", sa.Float()),
        sa.Column("components", sa.JSON()),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_by_role", sa.String(32), nullable=False),
        sa.Column("decided_by_organisation_id", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    create_outbox_tables(op)


def downgrade() -> None:
    op.drop_table("outbox_lane")
    op.drop_table("outbox")
    op.drop_table("match_decision")
    op.drop_table("match_pair")
