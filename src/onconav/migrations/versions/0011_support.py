"""Support services: public listings (counseling, support groups, nutrition, palliative and hospice care,
financial and legal help, patient navigators), from the demo or an operator's CSV import.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("geocode_precision", sa.String(length=20), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("cost", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("natural_key", sa.String(length=600), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_support_service_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_service")),
    )
    op.create_index("ix_support_service_category", "support_service", ["category"], unique=False)
    op.create_index("ix_support_service_is_demo", "support_service", ["is_demo"], unique=False)
    op.create_index(
        "ix_support_service_organization_id", "support_service", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_support_service_source_key", "support_service", ["source", "natural_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_support_service_source_key", table_name="support_service")
    op.drop_index("ix_support_service_organization_id", table_name="support_service")
    op.drop_index("ix_support_service_is_demo", table_name="support_service")
    op.drop_index("ix_support_service_category", table_name="support_service")
    op.drop_table("support_service")
