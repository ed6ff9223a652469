"""How the list showed a decided pair (exploration, propensity), and the refit schedule's
record of attempts and its lease.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("match_decision") as batch:
        batch.add_column(sa.Column("exploration", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("propensity", sa.Float(), nullable=True))
    op.create_table(
        "ranking_refit_attempt",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("last_decision_id", sa.Integer(), nullable=False),
        sa.Column("new_decisions", sa.Integer(), nullable=False),
        sa.Column("fit_id", sa.Integer(), nullable=True, index=True),
        sa.Column("metrics", sa.JSON(), nullable=True),
    )
    lease = op.create_table(
        "ranking_refit_lease",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The one lease row, free: schedulers only ever UPDATE it (compare-and-set).
    op.bulk_insert(lease, [{"name": "refit", "holder": None, "expires_at": EPOCH}])


def downgrade() -> None:
    op.drop_table("ranking_refit_lease")
    op.drop_table("ranking_refit_attempt")
    with op.batch_alter_table("match_decision") as batch:
        batch.drop_column("propensity")
        batch.drop_column("exploration")
