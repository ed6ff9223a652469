"""Bulk import jobs and their failed rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Duplicate checks look people up by (folded name, date of birth), a chunk at a time.
    op.create_index("ix_candidate_name_key_dob", "candidate", ["name_key", "date_of_birth"])
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("training_centre_id", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_import_job_training_centre_id", "import_job", ["training_centre_id"])
    op.create_table(
        "import_file",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_job.id"), primary_key=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "import_failure",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_job.id"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_import_failure_job_id", "import_failure", ["job_id"])


def downgrade() -> None:
    op.drop_table("import_failure")
    op.drop_table("import_file")
    op.drop_table("import_job")
    op.drop_index("ix_candidate_name_key_dob", table_name="candidate")
