"""Browser sessions of the single sign-on (the pages' cookie), revocable server-side.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "browser_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        _at("created_at"),
        _at("last_used_at"),
        _at("expires_at"),
        _at("ended_at", nullable=True),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(200)),
    )
    op.create_index("ix_browser_session_user_id", "browser_session", ["user_id"])


def downgrade() -> None:
    op.drop_table("browser_session")
