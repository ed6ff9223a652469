"""Identity's organisations, kept from identity-events so pages show their names
(kakehashi.shared.organisations).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op

from kakehashi.shared.organisations import create_organisation_tables, drop_organisation_tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_organisation_tables(op)


def downgrade() -> None:
    drop_organisation_tables(op)
