"""Selections the candidate's owner refused: the refused decision version and its reason code.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("selection") as table:
        table.add_column(sa.Column("refused_version", sa.Integer(), nullable=True))
        table.add_column(sa.Column("refusal_code", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("selection") as table:
        table.drop_column("refusal_code")
        table.drop_column("refused_version")
