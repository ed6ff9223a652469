"""Read model: the agreed candidate and job order fields, erasure tombstones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_view") as table:
        table.add_column(
            sa.Column("status", sa.String(32), nullable=False, server_default="registered")
        )
        table.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        table.add_column(sa.Column("available_from", sa.Date(), nullable=True))
        table.add_column(
            sa.Column("desired_tracks", sa.JSON(), nullable=False, server_default="[]")
        )
        table.add_column(
            sa.Column("desired_sectors", sa.JSON(), nullable=False, server_default="[]")
        )
        table.add_column(
            sa.Column("desired_prefectures", sa.JSON(), nullable=False, server_default="[]")
        )
        table.add_column(sa.Column("eligible_tracks", sa.JSON(), nullable=True))
        table.add_column(sa.Column("experience_years", sa.Float(), nullable=True))
        table.add_column(sa.Column("province_code", sa.String(16), nullable=True))
    with op.batch_alter_table("job_order_view") as table:
        table.add_column(sa.Column("track", sa.String(8), nullable=True))
        table.add_column(sa.Column("job_category", sa.String(100), nullable=True))
        table.add_column(sa.Column("experience_years_min", sa.Float(), nullable=True))
        table.add_column(sa.Column("expected_departure_date", sa.Date(), nullable=True))
        table.add_column(sa.Column("application_deadline", sa.Date(), nullable=True))
        table.add_column(sa.Column("monthly_base_pay_yen", sa.Integer(), nullable=True))
    op.create_table(
        "erased_candidate",
        sa.Column("candidate_id", sa.String(36), primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erased_candidate")
    with op.batch_alter_table("job_order_view") as table:
        for column in (
            "monthly_base_pay_yen",
            "application_deadline",
            "expected_departure_date",
            "experience_years_min",
            "job_category",
            "track",
        ):
            table.drop_column(column)
    with op.batch_alter_table("candidate_view") as table:
        for column in (
            "province_code",
            "experience_years",
            "eligible_tracks",
            "desired_prefectures",
            "desired_sectors",
            "desired_tracks",
            "available_from",
            "date_of_birth",
            "status",
        ):
            table.drop_column(column)
