"""Free text people write about a patient (the diagnosis in their words, questions and answers) is
encrypted at rest with the accounts keyring, each value bound to its table, column and row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from onconav.accounts import crypto


def _context(table: str, column: str, row_id: str) -> str:
    return f"{table}.{column}:{row_id}"


def seal(session: Session, text: str, *, table: str, column: str, row_id: str) -> str:
    """The ciphertext of `text` for that table, column and row."""
    return crypto.encrypt_field(session, text, context=_context(table, column, row_id))


def unseal(session: Session, token: str, *, table: str, column: str, row_id: str) -> str:
    """The plaintext of a value `seal` made for that table, column and row."""
    return crypto.decrypt_field(session, token, context=_context(table, column, row_id)).decode("utf-8")
