"""Identity's organisations, kept from identity-events so pages show their names
(kakehashi.shared.organisations).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op

from kakehashi.shared.organisations import create_organisation_tables, drop_organisation_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_organisation_tables(op)


def downgrade() -> None:
    drop_organisation_tables(op)
