"""Notification mails: identity's first consumer (inbox, positions, consumed log, dead-letter
audit), the copies of candidates and job orders a mail names, notices, their deliveries per user,
and each user's choice of delivery.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.applier import create_inbox_tables
from kakehashi.shared.dead_letters import create_dead_letter_table
from kakehashi.shared.log_watch import create_consumed_log_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_inbox_tables(op)
    create_consumed_log_table(op)
    create_dead_letter_table(op)
    op.create_table(
        "notified_candidate",
        sa.Column("candidate_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("training_centre_id", sa.String(64)),
        sa.Column("full_name", sa.String(200)),
        sa.Column("name_vi", sa.String(200)),
        sa.Column("name_katakana", sa.String(200)),
        sa.Column("erased", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "notified_job_order",
        sa.Column("job_order_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
    )
    op.create_table(
        "notice",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("audience", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("job_order_id", sa.String(36), nullable=False),
        sa.Column("reason_code", sa.String(32)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fanned_out", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for column in ("candidate_id", "job_order_id", "fanned_out"):
        op.create_index(f"ix_notice_{column}", "notice", [column])
    op.create_table(
        "notice_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(16)),
        sa.UniqueConstraint("event_id", "audience", "user_id"),
    )
    op.create_index("ix_notice_delivery_user_id", "notice_delivery", ["user_id"])
    op.create_index("ix_notice_delivery_sent_at", "notice_delivery", ["sent_at"])
    op.create_table(
        "notification_setting",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), primary_key=True),
        sa.Column("delivery", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "notification_setting",
        "notice_delivery",
        "notice",
        "notified_job_order",
        "notified_candidate",
        "dead_letter",
        "consumed_log",
        "consumer_position",
        "inbox",
    ):
        op.drop_table(table)
