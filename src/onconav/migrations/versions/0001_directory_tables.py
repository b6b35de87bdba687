"""Directory tables: organizations, locations, services, practitioners, roles and search entries.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:00:49.343554
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("designations", sa.JSON(), nullable=False),
        sa.Column("tumor_board", sa.Boolean(), nullable=False),
        sa.Column("clinical_trials", sa.Boolean(), nullable=False),
        sa.Column("accepts_international", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("npi", name=op.f("uq_organization_npi")),
    )
    op.create_table(
        "practitioner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=True),
        sa.Column("given_name", sa.String(length=120), nullable=False),
        sa.Column("family_name", sa.String(length=120), nullable=False),
        sa.Column("credentials", sa.String(length=60), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner")),
        sa.UniqueConstraint("npi", name=op.f("uq_practitioner_npi")),
    )
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("entity_kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("org_kind", sa.String(length=30), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat_band", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("annual_volume", sa.Integer(), nullable=True),
        sa.Column("designations", sa.Integer(), nullable=False),
        sa.Column("tumor_board", sa.Boolean(), nullable=False),
        sa.Column("clinical_trials", sa.Boolean(), nullable=False),
        sa.Column("accepts_international", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.String(length=120), nullable=False),
        sa.Column("quality_points", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
    )
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index("ix_search_entry_entity", ["entity_kind", "entity_id"], unique=False)
        batch_op.create_index(
            "ix_search_entry_scan",
            ["topic", "lat_band", "lon", "lat", "quality_points", "entity_kind", "entity_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_search_entry_quality",
            ["topic", "lat_band", "quality_points", "lon", "lat", "entity_kind", "entity_id"],
            unique=False,
        )

    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("line", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("region_code", sa.String(length=10), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("country", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_location_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "healthcare_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("service_code", sa.String(length=60), nullable=False),
        sa.Column("annual_volume", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_healthcare_service_location_id_location"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_healthcare_service_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthcare_service")),
    )
    with op.batch_alter_table("healthcare_service", schema=None) as batch_op:
        batch_op.create_index(
            "ix_healthcare_service_org_code", ["organization_id", "service_code"], unique=True
        )

    op.create_table(
        "practitioner_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("specialty", sa.String(length=60), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_practitioner_role_location_id_location"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_practitioner_role_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_practitioner_role_practitioner_id_practitioner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner_role")),
    )
    with op.batch_alter_table("practitioner_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practitioner_role_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_practitioner_role_practitioner_id"), ["practitioner_id"], unique=False
        )

    op.create_table(
        "practitioner_role_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=60), nullable=False),
        sa.Column("annual_volume", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["practitioner_role.id"],
            name=op.f("fk_practitioner_role_service_role_id_practitioner_role"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner_role_service")),
    )
    with op.batch_alter_table("practitioner_role_service", schema=None) as batch_op:
        batch_op.create_index(
            "ix_practitioner_role_service_role_code", ["role_id", "service_code"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("practitioner_role_service", schema=None) as batch_op:
        batch_op.drop_index("ix_practitioner_role_service_role_code")

    op.drop_table("practitioner_role_service")
    with op.batch_alter_table("practitioner_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practitioner_role_practitioner_id"))
        batch_op.drop_index(batch_op.f("ix_practitioner_role_organization_id"))

    op.drop_table("practitioner_role")
    with op.batch_alter_table("healthcare_service", schema=None) as batch_op:
        batch_op.drop_index("ix_healthcare_service_org_code")

    op.drop_table("healthcare_service")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_organization_id"))

    op.drop_table("location")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_scan")
        batch_op.drop_index("ix_search_entry_quality")
        batch_op.drop_index("ix_search_entry_entity")

    op.drop_table("search_entry")
    op.drop_table("practitioner")
    op.drop_table("organization")
