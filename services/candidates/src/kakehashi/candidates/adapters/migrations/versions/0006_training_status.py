"""Training and placement kept apart: the candidate's training stage, refused decisions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Candidates at a training stage keep it; everyone past it had been `ready` (the only way on
before this revision), so that is their training stage.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(
            sa.Column("training_status", sa.String(32), nullable=False, server_default="ready")
        )
    op.execute(
        "UPDATE candidate SET training_status = status"
        " WHERE status IN ('registered', 'in_training', 'ready')"
    )
    with op.batch_alter_table("candidate_match") as batch:
        batch.add_column(sa.Column("refusal", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate_match") as batch:
        batch.drop_column("refusal")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("training_status")
