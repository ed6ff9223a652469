"""Job order terms of a real 求人票, preferences kept for warnings, status history, employers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_COLUMNS: list[sa.Column[Any]] = [
    # Orders posted before this revision were SSW i in practice (the only track offered).
    sa.Column("track", sa.String(8), nullable=False, server_default="ssw1"),
    sa.Column("job_category", sa.String(64)),
    sa.Column("experience_years_min", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("education", sa.String(32), nullable=False, server_default="none"),
    sa.Column("monthly_base_pay_yen", sa.Integer()),
    sa.Column("hours_per_week", sa.Float()),
    sa.Column("overtime_hours_per_month", sa.Integer()),
    sa.Column("days_off_per_year", sa.Integer()),
    sa.Column("housing_provided", sa.Boolean()),
    sa.Column("housing_monthly_cost_yen", sa.Integer()),
    sa.Column("contract_months", sa.Integer()),
    sa.Column("interview_date", sa.Date()),
    sa.Column("interview_format", sa.String(32)),
    sa.Column("expected_departure_date", sa.Date()),
    sa.Column("application_deadline", sa.Date()),
    sa.Column("preferred_sex", sa.String(16)),
    sa.Column("age_min", sa.Integer()),
    sa.Column("age_max", sa.Integer()),
    sa.Column("preferred_marital_status", sa.String(16)),
    sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"),
]
INDEXES = ["track", "prefecture", "status", "application_deadline"]


def upgrade() -> None:
    for column in NEW_COLUMNS:
        op.add_column("job_order", column)
    for name in INDEXES:
        op.create_index(f"ix_job_order_{name}", "job_order", [name])
    op.create_table(
        "job_order_transition",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "job_order_id", sa.String(36), sa.ForeignKey("job_order.id"), nullable=False, index=True
        ),
        sa.Column("from_status", sa.String(32)),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("by_subject", sa.String(200), nullable=False),
        sa.Column("by_role", sa.String(32), nullable=False),
        sa.Column("by_organisation_id", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(500)),
    )
    op.create_table(
        "employer_profile",
        sa.Column("organisation_id", sa.String(100), primary_key=True),
        sa.Column("company_name_ja", sa.String(200), nullable=False),
        sa.Column("company_name_romaji", sa.String(200), nullable=False),
        sa.Column("prefecture", sa.String(32), nullable=False),
        sa.Column("industry", sa.String(64), nullable=False),
        sa.Column("intermediary_kind", sa.String(40)),
        sa.Column("intermediary_name", sa.String(200)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("employer_profile")
    op.drop_table("job_order_transition")
    for name in INDEXES:
        op.drop_index(f"ix_job_order_{name}", "job_order")
    with op.batch_alter_table("job_order") as batch:
        for column in reversed(NEW_COLUMNS):
            batch.drop_column(column.name)
