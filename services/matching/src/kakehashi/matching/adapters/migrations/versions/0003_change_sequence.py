"""A change sequence for the candidate read model, so readers can pull exactly what changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sequence = op.create_table(
        "change_sequence",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(sequence, [{"name": "candidates", "value": 0}])
    for table in ("candidate_view", "erased_candidate"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0")
            )
        op.create_index(f"ix_{table}_change_seq", table, ["change_seq"])


def downgrade() -> None:
    for table in ("erased_candidate", "candidate_view"):
        op.drop_index(f"ix_{table}_change_seq", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("change_seq")
    op.drop_table("change_sequence")
