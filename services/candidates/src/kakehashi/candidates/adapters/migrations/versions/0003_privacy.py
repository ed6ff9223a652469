"""Consent records, audit log, publication and erasure columns.

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
    # Candidates registered before consent was recorded were already sent to matching; they stay
    # published (unpublishing needs an event per candidate, which a migration cannot emit).
    op.add_column(
        "candidate", sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("candidate", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "candidate_consent",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("candidate_id", sa.String(36), sa.ForeignKey("candidate.id"), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("notice_version", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_by_organisation_id", sa.String(100), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(200), nullable=True),
        sa.Column("withdrawal_reason", sa.String(500), nullable=True),
    )
    op.create_index("ix_candidate_consent_candidate_id", "candidate_consent", ["candidate_id"])
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=True),
    )
    op.create_index("ix_audit_entry_candidate_id", "audit_entry", ["candidate_id"])
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])


def downgrade() -> None:
    op.drop_table("audit_entry")
    op.drop_table("candidate_consent")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("published")
