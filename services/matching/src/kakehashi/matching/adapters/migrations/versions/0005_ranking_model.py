"""A record of each ranking model fitted on program managers' decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ranking_model",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fitted_by", sa.String(200), nullable=False),
        sa.Column("n_pairs", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("coefficients", sa.JSON(), nullable=False),
        sa.Column("intercept", sa.Float(), nullable=False),
        sa.Column("folds", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ranking_model")
