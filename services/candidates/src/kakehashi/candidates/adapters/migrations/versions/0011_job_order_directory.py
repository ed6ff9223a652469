"""The job orders the portal names (title, employer), kept from employers' job-order-events,
and the role of whoever made each pipeline move, so the history names actors in words.

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
    op.create_table(
        "job_order_directory",
        sa.Column("job_order_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("employer_id", sa.String(100), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("candidate_transition", sa.Column("actor_role", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate_transition") as batch:
        batch.drop_column("actor_role")
    op.drop_table("job_order_directory")
