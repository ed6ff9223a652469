"""The candidate's training stage in the read model; refusals of decisions on the pairs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_view") as batch:
        batch.add_column(sa.Column("training_status", sa.String(32), nullable=True))
    with op.batch_alter_table("match_pair") as batch:
        batch.add_column(sa.Column("refusal_code", sa.String(32), nullable=True))
        batch.add_column(sa.Column("refusal_message", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_pair") as batch:
        batch.drop_column("refusal_message")
        batch.drop_column("refusal_code")
    with op.batch_alter_table("candidate_view") as batch:
        batch.drop_column("training_status")
