"""The candidate's name in Vietnamese and in katakana, so each reader sees the name they know.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_view") as batch:
        batch.add_column(sa.Column("name_vi", sa.String(200), nullable=True))
        batch.add_column(sa.Column("name_katakana", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate_view") as batch:
        batch.drop_column("name_katakana")
        batch.drop_column("name_vi")
