"""Credentials and who they stand for: browser sessions, API access and integration tokens, and the
Principal a request gets from its cookie or bearer token. Secrets are shown once, stored as SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import audit
from onconav.accounts.consent import scopes_by_patient
from onconav.accounts.models import ApiToken, User, WebSession
from onconav.accounts.principal import Principal, freeze_grants
from onconav.accounts.roles import SECOND_FACTOR_ROLES, Role
from onconav.accounts.users import get_active_user, get_user_or_raise
from onconav.config import get_settings
from onconav.db import utcnow
from onconav.errors import InvalidInput, OnconavError

TOKEN_PREFIX = "onc_"
INTEGRATION_SCOPES = ("read", "write")


class Unauthenticated(OnconavError):
    """No valid credentials: sign in (pages) or send `Authorization: Bearer <token>` (API)."""

    status_code = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="onconav"'}


@dataclass(frozen=True)
class NewCredential:
    """A secret shown once (cookie value or bearer token) and the row that stands for it."""

    secret: str
    id: str
    expires_in: int


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a session or token secret is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for(
    session: Session,
    user: User,
    *,
    second_factor: bool,
    token_scopes: frozenset[str] | None = None,
    session_id: str | None = None,
    token_id: str | None = None,
    source_ip: str | None = None,
    proved_at: datetime | None = None,
) -> Principal:
    """The Principal of `user` with its current caregiver consents."""
    role = Role(user.role)
    acting_for = scopes_by_patient(session, caregiver_id=user.id) if role is Role.caregiver else {}
    return Principal(
        user_id=user.id,
        role=role,
        practitioner_id=user.practitioner_id,
        organization_id=user.organization_id,
        acting_for=freeze_grants(acting_for),
        token_scopes=token_scopes,
        second_factor=second_factor,
        session_id=session_id,
        token_id=token_id,
        source_ip=source_ip,
        proved_at=proved_at,
    )


# ---- Browser sessions -------------------------------------------------------------------------------


def start_session(
    session: Session,
    *,
    user: User,
    second_factor_done: bool,
    source_ip: str | None = None,
    user_agent: str | None = None,
) -> NewCredential:
    """A new web session for `user` (the cookie value is returned once, only its hash is stored)."""
    settings = get_settings()
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        token_hash=token_digest(secret),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        second_factor_done=second_factor_done,
        proved_at=now,  # signing in is a proof of identity
        ip_address=source_ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(row)
    session.flush()
    return NewCredential(secret, row.id, settings.session_absolute_hours * 3600)


def web_session_for(session: Session, *, secret: str) -> WebSession | None:
    """The live session with this cookie value (idle and absolute timeouts applied), or None."""
    row = session.scalars(select(WebSession).where(WebSession.token_hash == token_digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    if get_active_user(session, user_id=row.user_id) is None:
        return None
    # Touch at most once a minute: one write per request would be a needless lock.
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now
    return row


def pending_session(session: Session, *, secret: str | None) -> WebSession:
    """The live browser session, signed in or still owing the second factor; Unauthenticated."""
    row = web_session_for(session, secret=secret) if secret else None
    if row is None:
        raise Unauthenticated("Sign in to continue.")
    return row


def pending_user(session: Session, *, secret: str | None) -> User:
    """The user of a live browser session, signed in or still owing the second factor; Unauthenticated."""
    return get_user_or_raise(session, user_id=pending_session(session, secret=secret).user_id)


def session_principal(session: Session, *, secret: str, source_ip: str | None = None) -> Principal | None:
    """The Principal of a browser session, or None when the session is unknown, ended or unfinished."""
    row = web_session_for(session, secret=secret)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    assert user is not None
    if not row.second_factor_done and (
        user.totp_enabled_at is not None or Role(user.role) in SECOND_FACTOR_ROLES
    ):
        return None
    return principal_for(
        session,
        user,
        second_factor=row.second_factor_done,
        session_id=row.id,
        source_ip=source_ip,
        proved_at=row.proved_at,
    )


def end_session(session: Session, *, secret: str) -> None:
    """Sign out: the session's cookie value stops working."""
    row = session.scalars(select(WebSession).where(WebSession.token_hash == token_digest(secret))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            session,
            event_type="auth.logout",
            action="E",
            actor_id=row.user_id,
            entity_type="session",
            entity_id=row.id,
        )


def get_web_session(session: Session, *, session_id: str) -> WebSession | None:
    """The web session with this id, or None."""
    return session.get(WebSession, session_id)


def list_sessions(session: Session, *, principal: Principal) -> list[WebSession]:
    """The principal's live web sessions, newest first."""
    now = utcnow()
    rows = session.scalars(
        select(WebSession)
        .where(
            WebSession.user_id == principal.user_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
        )
        .order_by(WebSession.created_at.desc())
    )
    return list(rows)


def revoke_session(session: Session, *, principal: Principal, web_session: WebSession) -> None:
    """End one of the principal's sessions (authorized by the caller)."""
    if web_session.revoked_at is None:
        web_session.revoked_at = utcnow()


# ---- Bearer tokens ----------------------------------------------------------------------------------


def _new_token(
    session: Session,
    *,
    user: User,
    kind: str,
    name: str,
    scopes: list[str],
    minutes: int | None,
    second: bool,
) -> NewCredential:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        token_hash=token_digest(secret),
        user_id=user.id,
        kind=kind,
        name=name,
        scopes=sorted(set(scopes) | ({"second_factor"} if second else set())),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes) if minutes else None,
    )
    session.add(row)
    session.flush()
    return NewCredential(secret, row.id, minutes * 60 if minutes else 0)


def issue_access_token(session: Session, *, user: User, second_factor_done: bool) -> NewCredential:
    """A short-lived bearer token after a sign-in through the API."""
    minutes = get_settings().access_token_minutes
    return _new_token(
        session,
        user=user,
        kind="access",
        name="sign-in",
        scopes=[],
        minutes=minutes,
        second=second_factor_done,
    )


def create_integration_token(
    session: Session, *, principal: Principal, name: str, scopes: list[str], days: int | None
) -> NewCredential:
    """A named, scoped, revocable token for a script or integration (shown once)."""
    if principal.token_scopes is not None:
        raise InvalidInput("Integration tokens cannot create other tokens; sign in instead.")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.")
    unknown = sorted(set(scopes) - set(INTEGRATION_SCOPES))
    if unknown or not scopes:
        raise InvalidInput(
            "Choose the token's scopes among %(choices)s.", choices=", ".join(INTEGRATION_SCOPES)
        )
    if days is not None and not 1 <= days <= 366:
        raise InvalidInput("A token lasts from 1 to 366 days.")
    user = get_user_or_raise(session, user_id=principal.user_id)
    credential = _new_token(
        session,
        user=user,
        kind="integration",
        name=name,
        scopes=scopes,
        minutes=days * 24 * 60 if days else None,
        second=principal.second_factor,
    )
    audit.record(
        session,
        event_type="account.token_create",
        action="C",
        principal=principal,
        entity_type="api_token",
        entity_id=credential.id,
    )
    return credential


def token_principal(session: Session, *, secret: str, source_ip: str | None = None) -> Principal | None:
    """The Principal of a bearer token, or None when it is unknown, expired or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = get_active_user(session, user_id=row.user_id)
    if user is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(seconds=60):
        row.last_used_at = now
    second = "second_factor" in row.scopes
    scopes = None if row.kind == "access" else frozenset(s for s in row.scopes if s != "second_factor")
    return principal_for(
        session,
        user,
        second_factor=second,
        token_scopes=scopes,
        token_id=row.id,
        source_ip=source_ip,
        # A sign-in token was issued for the password (and code) just given; an integration token proves
        # nothing about who holds it now.
        proved_at=row.created_at if row.kind == "access" else None,
    )


def get_token(session: Session, *, token_id: str) -> ApiToken | None:
    """The API token with this id, or None."""
    return session.get(ApiToken, token_id)


def list_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    """The principal's live integration tokens."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == principal.user_id,
                ApiToken.kind == "integration",
                ApiToken.revoked_at.is_(None),
            )
            .order_by(ApiToken.created_at)
        )
    )


def revoke_token(session: Session, *, principal: Principal, token: ApiToken) -> None:
    """Revoke one of the principal's tokens (authorized by the caller)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def end_token(session: Session, *, principal: Principal) -> None:
    """Sign out a script: the bearer token used for this request stops working."""
    token = session.get(ApiToken, principal.token_id) if principal.token_id else None
    if token is None:
        raise InvalidInput("Send the token to revoke as Authorization: Bearer <token>.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            event_type="auth.logout",
            action="E",
            principal=principal,
            entity_type="api_token",
            entity_id=token.id,
        )


def end_all_credentials(
    session: Session, *, user_id: str, now: datetime, keep_session: str | None = None
) -> None:
    """End every session (but `keep_session`) and every token of the user: password change, disabling."""
    for web_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ):
        if web_session.id != keep_session:
            web_session.revoked_at = now
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
