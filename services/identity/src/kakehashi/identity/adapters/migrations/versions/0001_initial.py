"""Organisations, users, memberships, one-time links, sign-in audit and throttles, signing
keys, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from kakehashi.shared.outbox import create_outbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name_latin", sa.String(200), nullable=False),
        sa.Column("name_vi", sa.String(200)),
        sa.Column("name_ja", sa.String(200)),
        sa.Column("province", sa.String(64)),
        sa.Column("prefecture", sa.String(32)),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_normalised", sa.String(254), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("preferred_language", sa.String(2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        _at("password_changed_at", nullable=True),
        sa.Column("totp_secret_sealed", sa.String(400)),
        sa.Column("totp_confirmed", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger()),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
    )
    op.create_table(
        "membership",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), primary_key=True),
        sa.Column(
            "organisation_id", sa.String(64), sa.ForeignKey("organisation.id"), primary_key=True
        ),
        sa.Column("role", sa.String(32), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "one_time_link",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False, index=True
        ),
        _at("expires_at"),
        _at("used_at", nullable=True),
        _at("created_at"),
    )
    op.create_table(
        "sign_in_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        _at("at"),
        sa.Column("email", sa.String(254), nullable=False, index=True),
        sa.Column("user_id", sa.String(36), index=True),
        sa.Column("organisation_id", sa.String(64)),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(200)),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
    )
    op.create_index("ix_sign_in_audit_at", "sign_in_audit", ["at"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(254), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _at("window_started_at", nullable=True),
        _at("locked_until", nullable=True),
    )
    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key_sealed", sa.String(400), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        _at("created_at"),
        _at("retiring_at", nullable=True),
        _at("retired_at", nullable=True),
    )
    key_ring = op.create_table(
        "key_ring",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        _at("rotated_at", nullable=True),
    )
    op.bulk_insert(key_ring, [{"id": 1, "rotated_at": None}])
    create_outbox_tables(op)


def downgrade() -> None:
    op.drop_table("outbox_lane")
    op.drop_table("outbox")
    for table in (
        "key_ring",
        "signing_key",
        "sign_in_throttle",
        "sign_in_audit",
        "one_time_link",
        "membership",
        "user_account",
        "organisation",
    ):
        op.drop_table(table)
