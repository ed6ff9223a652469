"""A failed import row's reason holds every problem of the row, not only the first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_failure") as batch:
        batch.alter_column(
            "reason", existing_type=sa.String(500), type_=sa.String(4000), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_failure") as batch:
        batch.alter_column(
            "reason", existing_type=sa.String(4000), type_=sa.String(500), existing_nullable=False
        )
