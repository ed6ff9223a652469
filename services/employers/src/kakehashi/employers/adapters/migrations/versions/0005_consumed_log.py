"""Which log the consumer's positions belong to, so a broker reset is noticed (shared.log_watch).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

from kakehashi.shared.log_watch import create_consumed_log_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumed_log_table(op)


def downgrade() -> None:
    op.drop_table("consumed_log")
