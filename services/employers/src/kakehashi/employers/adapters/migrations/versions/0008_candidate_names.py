"""Candidates' names (three spellings) for the order page's proposed candidates; nameless once
the candidate withdrew consent or was erased.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_name",
        sa.Column("candidate_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("name_vi", sa.String(200), nullable=True),
        sa.Column("name_katakana", sa.String(200), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_table("candidate_name")
