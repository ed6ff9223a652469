"""What an order warns a program manager of (employers' warning codes), shown by the console.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Orders stored before their events carried warnings have none ("[]"), as old events mean.
    with op.batch_alter_table("job_order_view") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("job_order_view") as batch:
        batch.drop_column("warnings")
