"""Step-up for account security: when a browser last proved who it is, consents to review, invitations.

`web_session.proved_at` is when the browser last gave the password (and the code where enrolled); sessions
older than this revision have none, so their first account-security change asks again.
`caregiver_grant.needs_review` marks the consents granted before this revision while the patient had an
integration token that could write: such a token could grant consent until now, so the patient is asked to
keep or revoke each of them (consents granted when no such token was live are left as they are).
`caregiver_grant.invited_email` is the address the patient typed; `caregiver_id` is empty until an account
of a caregiver confirms that address, so granting consent tells nothing about who has an account.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_session") as batch:
        batch.add_column(sa.Column("proved_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("caregiver_grant") as batch:
        batch.add_column(sa.Column("needs_review", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("invited_email", sa.String(length=320), nullable=True))
        batch.alter_column("caregiver_id", existing_type=sa.String(length=32), nullable=True)
        batch.create_index("ix_caregiver_grant_invited_email", ["invited_email"], unique=False)
    op.execute(
        "UPDATE caregiver_grant SET invited_email = "
        "(SELECT email FROM user_account WHERE user_account.id = caregiver_grant.caregiver_id)"
    )
    _mark_consents_a_token_could_have_granted()


def downgrade() -> None:
    op.execute("DELETE FROM caregiver_grant WHERE caregiver_id IS NULL")  # invitations not yet accepted
    with op.batch_alter_table("caregiver_grant") as batch:
        batch.drop_index("ix_caregiver_grant_invited_email")
        batch.alter_column("caregiver_id", existing_type=sa.String(length=32), nullable=False)
        batch.drop_column("invited_email")
        batch.drop_column("needs_review")
    with op.batch_alter_table("web_session") as batch:
        batch.drop_column("proved_at")


def _aware(value: Any) -> datetime | None:
    """A timestamp as aware UTC (SQLite hands back text or naive datetimes)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _mark_consents_a_token_could_have_granted() -> None:
    connection = op.get_bind()
    tokens = connection.execute(
        sa.text(
            "SELECT user_id, scopes, created_at, expires_at, revoked_at FROM api_token "
            "WHERE kind = 'integration'"
        )
    ).all()
    writers: dict[str, list[tuple[datetime | None, datetime | None, datetime | None]]] = {}
    for user_id, scopes, created_at, expires_at, revoked_at in tokens:
        values = json.loads(scopes) if isinstance(scopes, str) else scopes
        if "write" in (values or []):
            writers.setdefault(user_id, []).append(
                (_aware(created_at), _aware(expires_at), _aware(revoked_at))
            )
    grants = connection.execute(sa.text("SELECT id, patient_id, created_at FROM caregiver_grant")).all()
    for grant_id, patient_id, created_value in grants:
        created = _aware(created_value)
        if created is None:
            continue
        live = any(
            (start is None or start <= created)
            and (end is None or end >= created)
            and (revoked is None or revoked >= created)
            for start, end, revoked in writers.get(patient_id, [])
        )
        if live:
            connection.execute(
                sa.text("UPDATE caregiver_grant SET needs_review = :yes WHERE id = :id"),
                {"yes": True, "id": grant_id},
            )
