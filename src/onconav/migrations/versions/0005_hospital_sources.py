"""Where a practitioner's yearly procedure volume comes from ("CMS Medicare 2023"), shown in `why`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practitioner_role_service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("volume_source", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("practitioner_role_service", schema=None) as batch_op:
        batch_op.drop_column("volume_source")
