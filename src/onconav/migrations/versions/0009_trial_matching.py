"""Trial matching: when each trial's status was last verified (ClinicalTrials.gov statusVerifiedDate), so a
status not verified for over a year earns no recruiting points and says so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trial") as batch:
        batch.add_column(sa.Column("status_verified", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trial") as batch:
        batch.drop_column("status_verified")
