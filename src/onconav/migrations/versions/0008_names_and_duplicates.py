"""Names and duplicates: an organization keeps the name as its source spells it (`source_name`) beside the
name shown ("DANA - FARBER CANCER INSTITUTE" is shown "Dana-Farber Cancer Institute"); organizations and
practitioners keep the identifiers a source gives besides the NPI (`other_identifiers`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.add_column(sa.Column("source_name", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("other_identifiers", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("practitioner") as batch:
        batch.add_column(sa.Column("other_identifiers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("practitioner") as batch:
        batch.drop_column("other_identifiers")
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("other_identifiers")
        batch.drop_column("source_name")
