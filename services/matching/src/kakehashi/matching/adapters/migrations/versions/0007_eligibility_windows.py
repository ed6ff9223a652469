"""The days a candidate is eligible for each track on, to judge an order on its departure day.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_view") as batch:
        batch.add_column(sa.Column("eligible_windows", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate_view") as batch:
        batch.drop_column("eligible_windows")
