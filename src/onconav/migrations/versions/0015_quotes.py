"""Treatment requests, offers and exchange rates (the quotes domain, docs/quotes.md).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "treatment_request",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("diagnosis_text", sa.Text(), nullable=False),
        sa.Column("condition", sa.String(length=80), nullable=True),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("wishes", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_request")),
    )
    with op.batch_alter_table("treatment_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_request_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_treatment_request_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_treatment_request_state"), ["state"], unique=False)

    op.create_table(
        "request_recipient",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["treatment_request.id"],
            name=op.f("fk_request_recipient_request_id_treatment_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_recipient")),
        sa.UniqueConstraint(
            "request_id", "organization_id", name=op.f("uq_request_recipient_request_id_organization_id")
        ),
    )
    with op.batch_alter_table("request_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_recipient_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_request_recipient_request_id"), ["request_id"], unique=False)

    op.create_table(
        "request_message",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("from_center", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["treatment_request.id"],
            name=op.f("fk_request_message_request_id_treatment_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_message")),
    )
    with op.batch_alter_table("request_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_message_request_id"), ["request_id"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("stay_nights", sa.Integer(), nullable=False),
        sa.Column("treatment_weeks", sa.Integer(), nullable=False),
        sa.Column("home_follow_up", sa.Text(), nullable=False),
        sa.Column("if_plan_changes", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["treatment_request.id"],
            name=op.f("fk_offer_request_id_treatment_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
        sa.UniqueConstraint(
            "request_id",
            "organization_id",
            "version",
            name=op.f("uq_offer_request_id_organization_id_version"),
        ),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_request_id"), ["request_id"], unique=False)

    op.create_table(
        "offer_item",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("offer_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("includes", sa.Text(), nullable=False),
        sa.Column("excludes", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_offer_item_offer_id_offer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_item")),
    )
    with op.batch_alter_table("offer_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_item_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("per_eur", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
        sa.UniqueConstraint("rate_date", "currency", name=op.f("uq_exchange_rate_rate_date_currency")),
    )
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_rate_rate_date"), ["rate_date"], unique=False)


def downgrade() -> None:
    for table in ("exchange_rate", "offer_item", "offer", "request_message", "request_recipient"):
        op.drop_table(table)
    op.drop_table("treatment_request")
