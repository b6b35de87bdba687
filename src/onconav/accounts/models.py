"""Accounts tables: users and roles, caregiver consent, sessions, API tokens, one-time e-mail tokens,
sign-in throttle, wrapped data keys and the hash-chained audit log.

Every object exposed by id has a random 128-bit id (`new_id`), never a sequence number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from onconav.db import ID_LENGTH, Base, UtcDateTime, new_id, utcnow

MAX_SEQUENCE = 2**63 - 1  # audit sequence numbers are BIGINT


class User(Base):
    """An account. Specialists are linked to a directory Practitioner, center staff to an Organization."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    practitioner_id: Mapped[int | None] = mapped_column(Integer)
    organization_id: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The TOTP secret, encrypted with onconav.accounts.crypto (envelope encryption).
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CaregiverGrant(Base):
    """A patient's recorded, revocable consent that a caregiver acts for them within a scope."""

    __tablename__ = "caregiver_grant"
    __table_args__ = (Index("ix_caregiver_grant_caregiver", "caregiver_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    # None while the invited address has no caregiver account (see consent.attach_invitations).
    caregiver_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    # The address the patient typed: what the patient sees, whether or not it has an account.
    invited_email: Mapped[str | None] = mapped_column(String(320), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Granted before account-security changes needed a fresh sign-in, while an integration token of the
    # patient could write: it may not be the patient's own doing, so the patient is asked to review it.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A signed-in browser. The cookie holds a secret whose SHA-256 is stored, never the secret."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # When this browser last proved who it is (password, and the code where enrolled): at sign-in and at
    # each step-up (onconav.accounts.step_up); account-security changes need it recent.
    proved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiToken(Base):
    """A bearer token: short-lived from POST /api/v1/auth/token, or a named, scoped integration token."""

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "access" (sign-in) or "integration"
    name: Mapped[str] = mapped_column(String(100), default="")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EmailToken(Base):
    """A one-time link sent by e-mail (address verification, password reset); only its hash is kept."""

    __tablename__ = "email_token"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "verify" or "reset"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A failed sign-in, counted per account (hashed e-mail) and per address for throttling."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80))  # "account:<sha256>" or "address:<ip>"
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DataKey(Base):
    """A data-encryption key, stored only wrapped (AES-GCM) by a master key kept outside the database."""

    __tablename__ = "data_key"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    wrapped_key: Mapped[str] = mapped_column(Text)
    master_key_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """One audited event; `hash` chains it to the previous one (see onconav.accounts.audit)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_patient", "patient_id", "sequence"),)

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True, default=new_id)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    event_type: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(1))  # FHIR AuditEvent.action: C R U D E
    outcome: Mapped[str] = mapped_column(String(10))  # success, denied, failure
    actor_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The end of the audit chain: one row, locked by each writer so events are chained one at a time."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
