"""Insurance accepted (Da Vinci PDex Plan-Net): payers and provider networks, insurance plans, which
organization takes part in which network, and organizations' technical endpoints.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onconav.db import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _provenance(with_id: bool = True) -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [sa.Column("source", sa.String(length=60), nullable=False)]
    if with_id:
        columns.append(sa.Column("source_id", sa.String(length=120), nullable=False))
    return columns


def upgrade() -> None:
    op.create_table(
        "insurance_organization",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "part_of_id",
            sa.Integer(),
            sa.ForeignKey("insurance_organization.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("coverage_states", sa.JSON(), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        *_provenance(),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("as_of", sa.String(length=20), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_insurance_organization_part_of_id", "insurance_organization", ["part_of_id"])
    op.create_index(
        "ix_insurance_organization_source_id", "insurance_organization", ["source", "source_id"], unique=True
    )
    op.create_table(
        "insurance_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("plan_type", sa.String(length=30), nullable=False),
        sa.Column(
            "owned_by_id",
            sa.Integer(),
            sa.ForeignKey("insurance_organization.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "network_id",
            sa.Integer(),
            sa.ForeignKey("insurance_organization.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("coverage_states", sa.JSON(), nullable=False),
        *_provenance(),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("as_of", sa.String(length=20), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_insurance_plan_owned_by_id", "insurance_plan", ["owned_by_id"])
    op.create_index("ix_insurance_plan_network_id", "insurance_plan", ["network_id"])
    op.create_index("ix_insurance_plan_source_id", "insurance_plan", ["source", "source_id"], unique=True)
    op.create_table(
        "network_participation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id",
            sa.Integer(),
            sa.ForeignKey("organization.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "network_id",
            sa.Integer(),
            sa.ForeignKey("insurance_organization.id", ondelete="CASCADE"),
            nullable=False,
        ),
        *_provenance(with_id=False),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("as_of", sa.String(length=20), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_network_participation_org_network",
        "network_participation",
        ["organization_id", "network_id"],
        unique=True,
    )
    op.create_index("ix_network_participation_network_id", "network_participation", ["network_id"])
    op.create_table(
        "directory_endpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id",
            sa.Integer(),
            sa.ForeignKey("organization.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("connection_type", sa.String(length=40), nullable=False),
        sa.Column("payload_type", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        *_provenance(),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_directory_endpoint_organization_id", "directory_endpoint", ["organization_id"])
    op.create_index(
        "ix_directory_endpoint_source_id", "directory_endpoint", ["source", "source_id"], unique=True
    )


def downgrade() -> None:
    op.drop_table("directory_endpoint")
    op.drop_table("network_participation")
    op.drop_table("insurance_plan")
    op.drop_table("insurance_organization")
