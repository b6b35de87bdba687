"""Directory sources: provenance, data-quality flags, practitioners without an organization, hospital facts,
cross-source duplicate links, and the import bookkeeping tables (docs/decisions/0003-real-directory-data.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:54:23.271785
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_committed", sa.BigInteger(), nullable=False),
        sa.Column("offset_committed", sa.BigInteger(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("report_path", sa.String(length=1000), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index("ix_import_run_source_fingerprint", ["source", "fingerprint"], unique=False)

    op.create_table(
        "source_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_id", sa.String(length=60), nullable=False),
        sa.Column("entity_kind", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_record")),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index("ix_source_record_source_id", ["source", "source_id"], unique=True)

    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("geocode_precision", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("quality_flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("lat", existing_type=sa.FLOAT(), nullable=True)
        batch_op.alter_column("lon", existing_type=sa.FLOAT(), nullable=True)

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=30), nullable=False, server_default="demo"))
        batch_op.add_column(sa.Column("source_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("quality_flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(
            sa.Column("taxonomy_codes", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("cms_ccn", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("hospital_type", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("ownership", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("emergency_services", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("cms_star_rating", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hifld_id", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("beds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_rule", sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f("ix_organization_cms_ccn"), ["cms_ccn"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organization_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organization_hifld_id"), ["hifld_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_organization_duplicate_of_id_organization"),
            "organization",
            ["duplicate_of_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("practitioner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=30), nullable=False, server_default="demo"))
        batch_op.add_column(sa.Column("source_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("quality_flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(
            sa.Column("taxonomy_codes", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )

    with op.batch_alter_table("practitioner_role", schema=None) as batch_op:
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("accepting_new_patients", existing_type=sa.Boolean(), nullable=True)
        batch_op.create_index(batch_op.f("ix_practitioner_role_location_id"), ["location_id"], unique=False)

    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("practitioner_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practitioner_role_location_id"))
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column("accepting_new_patients", existing_type=sa.Boolean(), nullable=False)

    with op.batch_alter_table("practitioner", schema=None) as batch_op:
        batch_op.drop_column("taxonomy_codes")
        batch_op.drop_column("active")
        batch_op.drop_column("quality_flags")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source")

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organization_duplicate_of_id_organization"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_organization_hifld_id"))
        batch_op.drop_index(batch_op.f("ix_organization_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_organization_cms_ccn"))
        batch_op.drop_column("duplicate_rule")
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("beds")
        batch_op.drop_column("hifld_id")
        batch_op.drop_column("cms_star_rating")
        batch_op.drop_column("emergency_services")
        batch_op.drop_column("ownership")
        batch_op.drop_column("hospital_type")
        batch_op.drop_column("cms_ccn")
        batch_op.drop_column("taxonomy_codes")
        batch_op.drop_column("active")
        batch_op.drop_column("quality_flags")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source")

    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.alter_column("lon", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("lat", existing_type=sa.FLOAT(), nullable=False)
        batch_op.alter_column("organization_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("quality_flags")
        batch_op.drop_column("geocode_precision")
        batch_op.drop_column("phone")

    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_source_id")

    op.drop_table("source_record")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index("ix_import_run_source_fingerprint")

    op.drop_table("import_run")
