"""Migration 0010 on both backends: consents granted while the patient had an integration token that could
write are marked for the patient's review, others are not; each consent keeps the address of its caregiver;
sessions from before it have no proof of identity yet (their first account-security change asks again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from onconav import migrate

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _user(connection: object, user_id: str, email: str, role: str) -> None:
    connection.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO user_account (id, email, display_name, role, locale, created_at) "
            "VALUES (:id, :email, '', :role, 'en', :at)"
        ),
        {"id": user_id, "email": email, "role": role, "at": NOW},
    )


def test_consents_a_writing_token_could_have_granted_are_marked_for_review(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0006")
    with empty_engine.begin() as connection:
        _user(connection, "p" * 32, "patient@example.org", "patient")
        _user(connection, "q" * 32, "careful@example.org", "patient")
        _user(connection, "c" * 32, "carer@example.org", "caregiver")
        tokens = [
            ("t1", "p" * 32, '["read", "write"]', NOW - timedelta(days=3), None),  # live, writes
            ("t2", "q" * 32, '["read"]', NOW - timedelta(days=3), None),  # live, reads only
        ]
        for token_id, user_id, scopes, created, revoked in tokens:
            connection.execute(
                text(
                    "INSERT INTO api_token "
                    "(id, token_hash, user_id, kind, name, scopes, created_at, revoked_at) "
                    "VALUES (:id, :hash, :user, 'integration', 'sync', :scopes, :created, :revoked)"
                ),
                {
                    "id": token_id.ljust(32, "0"),
                    "hash": token_id.ljust(64, "0"),
                    "user": user_id,
                    "scopes": scopes,
                    "created": created,
                    "revoked": revoked,
                },
            )
        grants = [
            ("g-while-token", "p" * 32, NOW - timedelta(days=1)),
            ("g-before-token", "p" * 32, NOW - timedelta(days=10)),
            ("g-read-token", "q" * 32, NOW - timedelta(days=1)),
        ]
        for grant_id, patient_id, created in grants:
            connection.execute(
                text(
                    "INSERT INTO caregiver_grant (id, patient_id, caregiver_id, scope, created_at) "
                    "VALUES (:id, :patient, :carer, 'write', :created)"
                ),
                {"id": grant_id.ljust(32, "0"), "patient": patient_id, "carer": "c" * 32, "created": created},
            )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT id, needs_review, invited_email FROM caregiver_grant")).all()
    marked = {row[0].rstrip("0"): (bool(row[1]), row[2]) for row in rows}
    assert marked == {
        "g-while-token": (True, "carer@example.org"),
        "g-before-token": (False, "carer@example.org"),
        "g-read-token": (False, "carer@example.org"),
    }
    migrate.downgrade(empty_engine, "0006")
    migrate.upgrade(empty_engine)
