"""Cancer signals of real hospitals: organization_signal, inpatient_volume (CMS Medicare inpatient), and
the evidence and condition points of search entries (covered by both scoring indexes).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCAN = ["topic", "lat_band", "lon", "lat", "quality_points", "entity_kind", "entity_id"]
QUALITY = ["topic", "lat_band", "quality_points", "lon", "lat", "entity_kind", "entity_id"]


def upgrade() -> None:
    op.create_table(
        "organization_signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("evidence", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("as_of", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_signal_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_signal")),
    )
    with op.batch_alter_table("organization_signal", schema=None) as batch_op:
        batch_op.create_index("ix_organization_signal_org_kind", ["organization_id", "kind"], unique=False)

    op.create_table(
        "inpatient_volume",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cms_ccn", sa.String(length=10), nullable=False),
        sa.Column("drg_code", sa.String(length=3), nullable=False),
        sa.Column("drg_description", sa.String(length=200), nullable=False),
        sa.Column("data_year", sa.Integer(), nullable=False),
        sa.Column("discharges", sa.Integer(), nullable=False),
        sa.Column("avg_submitted_charge", sa.Float(), nullable=True),
        sa.Column("avg_total_payment", sa.Float(), nullable=True),
        sa.Column("avg_medicare_payment", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inpatient_volume")),
    )
    with op.batch_alter_table("inpatient_volume", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inpatient_volume_ccn_drg_year", ["cms_ccn", "drg_code", "data_year"], unique=True
        )

    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("condition_points", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("evidence", sa.String(length=10), nullable=False, server_default="known")
        )
    # Existing entries: the condition points are their quality (re-derived by the next reindex).
    op.execute("UPDATE search_entry SET condition_points = quality_points")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.alter_column("condition_points", server_default=None)
        batch_op.alter_column("evidence", server_default=None)
        batch_op.drop_index("ix_search_entry_scan")
        batch_op.drop_index("ix_search_entry_quality")
        batch_op.create_index("ix_search_entry_scan", [*SCAN, "condition_points"], unique=False)
        batch_op.create_index("ix_search_entry_quality", [*QUALITY, "condition_points"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_scan")
        batch_op.drop_index("ix_search_entry_quality")
        batch_op.create_index("ix_search_entry_scan", SCAN, unique=False)
        batch_op.create_index("ix_search_entry_quality", QUALITY, unique=False)
        batch_op.drop_column("evidence")
        batch_op.drop_column("condition_points")
    with op.batch_alter_table("inpatient_volume", schema=None) as batch_op:
        batch_op.drop_index("ix_inpatient_volume_ccn_drg_year")
    op.drop_table("inpatient_volume")
    with op.batch_alter_table("organization_signal", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_signal_org_kind")
    op.drop_table("organization_signal")
