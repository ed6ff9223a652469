"""The audit of handled dead letters: which records of the group's dead-letter topic were
replayed or discarded, by whom, when and why (kakehashi.shared.dead_letters).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op

from kakehashi.shared.dead_letters import create_dead_letter_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letter_table(op)


def downgrade() -> None:
    op.drop_table("dead_letter")
