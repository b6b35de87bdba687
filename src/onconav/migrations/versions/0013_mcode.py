"""Bulk export jobs of the FHIR directory ($export), and the clinical facts a case read from its records.

`fhir_export_job` keeps each export's state so that any worker process answers its status polls.
`case.clinical_facts` holds (encrypted, like the case's other PHI) what imported FHIR records said in
mCODE terms: the coded diagnosis, stage, tumor markers, procedures and medicines.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fhir_export_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("request_url", sa.Text(), nullable=False),
        sa.Column("resource_types", sa.JSON(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transaction_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.String(length=200), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fhir_export_job_status", "fhir_export_job", ["status"], unique=False)
    op.add_column("case", sa.Column("clinical_facts", sa.Text(), nullable=True))  # in place, on both


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place: a batch copy of "case" would drop the old table, and
        # with foreign keys on, that deletes every row that references a case (events, documents...).
        op.execute('ALTER TABLE "case" DROP COLUMN clinical_facts')
    else:
        op.drop_column("case", "clinical_facts")
    op.drop_index("ix_fhir_export_job_status", table_name="fhir_export_job")
    op.drop_table("fhir_export_job")
