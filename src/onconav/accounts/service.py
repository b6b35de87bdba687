"""Accounts operations: users, sign-in with throttling and second factor, sessions, API tokens, consent.

Functions take a session and never commit. A failure that must stay on record while the request fails
(failed sign-ins, throttling) goes through `audit.record_in_own_transaction`, then raises.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from onconav.accounts import audit, crypto, notify, totp
from onconav.accounts.models import ApiToken, CaregiverGrant, LoginFailure, User, WebSession
from onconav.accounts.passwords import check_password_policy, hash_password, needs_rehash, verify_password
from onconav.accounts.principal import Principal, freeze_grants
from onconav.accounts.roles import SECOND_FACTOR_ROLES, ConsentScope, Role
from onconav.config import get_settings
from onconav.db import utcnow
from onconav.errors import InvalidInput, NotFound, OnconavError
from onconav.i18n import N_

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "onc_"
ADDRESS_LIMIT_FACTOR = 4


class Unauthenticated(OnconavError):
    """No valid credentials: sign in (pages) or send `Authorization: Bearer <token>` (API)."""

    status_code = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="onconav"'}


TOO_MANY_ATTEMPTS = N_("Too many failed sign-ins. Try again in %(minutes)s minutes.")


class TooManyAttempts(OnconavError):
    """Too many failed sign-ins for this account or from this address; `retry_after` in seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(TOO_MANY_ATTEMPTS, minutes=max(1, -(-retry_after // 60)))
        self.headers = {"Retry-After": str(retry_after)}


class SecondFactorRequired(OnconavError):
    """The password was right; the account also needs a TOTP code."""

    status_code = 401


def as_utc(value: datetime | str) -> datetime:
    """A timestamp from an aggregate (SQLite returns text, PostgreSQL a datetime) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a session or token secret is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """The e-mail address as stored (trimmed, lower case), or InvalidInput."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.match(cleaned):
        raise InvalidInput("Enter a valid e-mail address, such as name@example.org.")
    return cleaned


def parse_role(role: str) -> Role:
    """The Role named `role`, or InvalidInput listing the roles."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            "Unknown role %(role)s; choose one of %(choices)s.",
            role=role,
            choices=", ".join(r.value for r in Role),
        ) from None


# ---- Users -----------------------------------------------------------------------------------------


def get_user_by_email(session: Session, *, email: str) -> User | None:
    """The account with this e-mail address, or None."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return None
    return session.scalars(select(User).where(User.email == address)).first()


def get_user_or_raise(session: Session, *, user_id: str) -> User:
    """The account with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("Not found.")
    return user


def _check_links(
    session: Session, role: Role, practitioner_id: int | None, organization_id: int | None
) -> None:
    from onconav.directory import service as directory

    if role is Role.specialist:
        if practitioner_id is None:
            raise InvalidInput("A specialist account needs the directory practitioner it belongs to.")
        directory.get_practitioner_or_raise(session, practitioner_id=practitioner_id)
    elif practitioner_id is not None:
        raise InvalidInput("Only specialist accounts are linked to a practitioner.")
    if role is Role.center_staff:
        if organization_id is None:
            raise InvalidInput("A center staff account needs the directory organization it belongs to.")
        directory.get_organization_or_raise(session, organization_id=organization_id)
    elif organization_id is not None:
        raise InvalidInput("Only center staff accounts are linked to an organization.")


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    practitioner_id: int | None = None,
    organization_id: int | None = None,
    verified: bool = False,
    locale: str = "en",
    created_by: Principal | None = None,
    source_ip: str | None = None,
) -> User:
    """A new account; the password must pass the policy. Raises InvalidInput when the e-mail is taken."""
    address = normalize_email(email)
    role = parse_role(role) if isinstance(role, str) else role
    if len(display_name) > 200:
        raise InvalidInput("Use a name of at most %(length)s characters.", length=200)
    check_password_policy(password, user_inputs=(address, display_name))
    _check_links(session, role, practitioner_id, organization_id)
    if get_user_by_email(session, email=address) is not None:
        raise InvalidInput("An account with this e-mail address already exists.")
    now = utcnow()
    user = User(
        email=address,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role.value,
        practitioner_id=practitioner_id,
        organization_id=organization_id,
        locale=locale,
        email_verified_at=now if verified else None,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        event_type="account.create",
        action="C",
        principal=created_by,
        actor_id=None if created_by else user.id,
        actor_role=None if created_by else user.role,
        patient_id=user.id if role is Role.patient else None,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
        detail=f"role={role.value}",
    )
    return user


def list_users(session: Session, *, limit: int = 1000) -> list[User]:
    """Accounts, oldest first (operators: `onconav users list`)."""
    return list(
        session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.created_at).limit(limit))
    )


def disable_user(
    session: Session, *, email: str, by: Principal | None = None, source_ip: str | None = None
) -> User:
    """Stop an account from signing in and end its sessions and tokens."""
    user = get_user_by_email(session, email=email)
    if user is None or user.deleted_at is not None:
        raise NotFound("No account has the e-mail address %(email)s.", email=email)
    now = utcnow()
    user.disabled_at = user.disabled_at or now
    end_all_credentials(session, user.id, now)
    audit.record(
        session,
        event_type="account.disable",
        action="U",
        principal=by,
        source_ip=source_ip,
        entity_type="user",
        entity_id=user.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return user


def end_all_credentials(
    session: Session, user_id: str, now: datetime, keep_session: str | None = None
) -> None:
    for web_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ):
        if web_session.id != keep_session:
            web_session.revoked_at = now
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now


# ---- Sign-in ---------------------------------------------------------------------------------------


def _throttle_keys(email: str, source_ip: str | None) -> tuple[str, str | None]:
    account = "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:64]
    return account, (f"address:{source_ip}"[:80] if source_ip else None)


def check_throttle(session: Session, *, email: str, source_ip: str | None) -> None:
    """Raise TooManyAttempts (with Retry-After) when this account or address failed too often lately."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    account_key, address_key = _throttle_keys(email, source_ip)
    for key, limit in (
        (account_key, settings.login_max_failures),
        (address_key, settings.login_max_failures * ADDRESS_LIMIT_FACTOR),
    ):
        if key is None:
            continue
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at >= since
            )
        ).one()
        if count >= limit:
            oldest_at = as_utc(oldest) if oldest is not None else utcnow()
            retry_after = max(1, int((oldest_at + window - utcnow()).total_seconds()) + 1)
            raise TooManyAttempts(retry_after)


def _fail_sign_in(
    session: Session, *, email: str, source_ip: str | None, user: User | None, reason: str
) -> None:
    """Forget the request's work; record the failure (throttle and audit) in a transaction of its own."""
    account_key, address_key = _throttle_keys(email, source_ip)
    now = utcnow()
    audit.record_in_own_transaction(
        session,
        extra_rows=[LoginFailure(key=key, at=now) for key in (account_key, address_key) if key],
        event_type="auth.login_failed",
        action="E",
        outcome="failure",
        actor_id=user.id if user else None,
        actor_role=user.role if user else None,
        source_ip=source_ip,
        detail=reason,
    )


def fail_second_factor(session: Session, *, user: User, source_ip: str | None) -> None:
    """Record a wrong TOTP code like a failed sign-in (it counts towards the throttle)."""
    _fail_sign_in(session, email=user.email, source_ip=source_ip, user=user, reason="second factor")


WRONG_CREDENTIALS = N_("The e-mail address or the password is not right, or the account cannot sign in.")


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    totp_code: str | None = None,
    source_ip: str | None = None,
    require_second_factor_now: bool = True,
) -> tuple[User, bool]:
    """The user whose credentials these are and whether the second factor was completed.

    Raises Unauthenticated with one message for every wrong e-mail, password or disabled account (no
    account enumeration), TooManyAttempts when throttled, SecondFactorRequired when a TOTP code is needed
    and `require_second_factor_now` (the API; pages ask for it on a second page).
    """
    check_throttle(session, email=email, source_ip=source_ip)
    user = get_user_by_email(session, email=email)
    password_ok = verify_password(user.password_hash if user else None, password)
    usable = user is not None and user.disabled_at is None and user.deleted_at is None
    if not password_ok or not usable or user is None:
        _fail_sign_in(
            session, email=email, source_ip=source_ip, user=user if usable else None, reason="password"
        )
        raise Unauthenticated(WRONG_CREDENTIALS)
    if user.email_verified_at is None:
        raise Unauthenticated("Confirm your e-mail address first: open the link we sent you.")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    second_factor_done = False
    pending = user.totp_enabled_at is not None or Role(user.role) in SECOND_FACTOR_ROLES
    if user.totp_enabled_at is not None:
        if totp_code:
            if not verify_totp(session, user=user, code=totp_code):
                _fail_sign_in(session, email=email, source_ip=source_ip, user=user, reason="second factor")
                raise Unauthenticated("The code from your authenticator app is not right.")
            second_factor_done = True
        elif require_second_factor_now:
            raise SecondFactorRequired("Enter the code from your authenticator app (field totp).")
    elif Role(user.role) in SECOND_FACTOR_ROLES and require_second_factor_now:
        raise Unauthenticated(
            "Your role requires a second factor: sign in on the web site and set up an authenticator app "
            "first."
        )
    audit.record(
        session,
        event_type="auth.login",
        action="E",
        actor_id=user.id,
        actor_role=user.role,
        source_ip=source_ip,
        detail="second factor" if second_factor_done else ("second factor pending" if pending else None),
    )
    return user, second_factor_done


# ---- Second factor ---------------------------------------------------------------------------------


def _totp_context(user: User) -> str:
    return f"user.totp_secret:{user.id}"


def begin_totp_enrolment(session: Session, *, user: User) -> str:
    """A new TOTP secret stored encrypted (not yet active); returns it for the authenticator app."""
    if user.totp_enabled_at is not None:
        raise InvalidInput("A second factor is already set up for this account.")
    secret = totp.new_secret()
    user.totp_secret = crypto.encrypt_field(session, secret, context=_totp_context(user))
    return secret


def pending_totp_secret(session: Session, *, user: User) -> str | None:
    """The secret being enrolled (to show it again), or None."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        return None
    return crypto.decrypt_field(session, user.totp_secret, context=_totp_context(user)).decode()


def verify_totp(session: Session, *, user: User, code: str) -> bool:
    """True when `code` is the user's current code; a code is accepted once."""
    if user.totp_secret is None:
        return False
    secret = crypto.decrypt_field(session, user.totp_secret, context=_totp_context(user)).decode()
    step = totp.matching_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def confirm_totp_enrolment(session: Session, *, user: User, code: str, source_ip: str | None = None) -> None:
    """Activate the second factor once the user proves the app shows the right code."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        raise InvalidInput("Start setting up the second factor first.")
    if not verify_totp(session, user=user, code=code):
        raise InvalidInput("The code from your authenticator app is not right; try the next one.")
    user.totp_enabled_at = utcnow()
    audit.record(
        session,
        event_type="account.second_factor",
        action="U",
        actor_id=user.id,
        actor_role=user.role,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
    )


# ---- Sessions and tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCredential:
    """A secret shown once (cookie value or bearer token) and the row that stands for it."""

    secret: str
    id: str
    expires_in: int


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
        ip_address=source_ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(row)
    session.flush()
    return NewCredential(secret, row.id, settings.session_absolute_hours * 3600)


def _grants_of(session: Session, caregiver_id: str) -> dict[str, set[str]]:
    now = utcnow()
    grants: dict[str, set[str]] = {}
    rows = session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.caregiver_id == caregiver_id, CaregiverGrant.revoked_at.is_(None)
        )
    )
    for grant in rows:
        if grant.expires_at is not None and grant.expires_at <= now:
            continue
        patient = session.get(User, grant.patient_id)
        if patient is None or patient.deleted_at is not None or patient.disabled_at is not None:
            continue
        grants.setdefault(grant.patient_id, set()).add(grant.scope)
    return grants


def principal_for(
    session: Session,
    user: User,
    *,
    second_factor: bool,
    token_scopes: frozenset[str] | None = None,
    session_id: str | None = None,
    token_id: str | None = None,
    source_ip: str | None = None,
) -> Principal:
    """The Principal of `user` with its current caregiver consents."""
    role = Role(user.role)
    acting_for = _grants_of(session, user.id) if role is Role.caregiver else {}
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
    )


def _active_user(session: Session, user_id: str) -> User | None:
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None or user.deleted_at is not None:
        return None
    return user


def web_session_for(session: Session, *, secret: str) -> WebSession | None:
    """The live session with this cookie value (idle and absolute timeouts applied), or None."""
    row = session.scalars(select(WebSession).where(WebSession.token_hash == token_digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    if _active_user(session, row.user_id) is None:
        return None
    # Touch at most once a minute: one write per request would be a needless lock.
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now
    return row


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
        session, user, second_factor=row.second_factor_done, session_id=row.id, source_ip=source_ip
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


INTEGRATION_SCOPES = ("read", "write")


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
    user = _active_user(session, row.user_id)
    if user is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(seconds=60):
        row.last_used_at = now
    second = "second_factor" in row.scopes
    scopes = None if row.kind == "access" else frozenset(s for s in row.scopes if s != "second_factor")
    return principal_for(
        session, user, second_factor=second, token_scopes=scopes, token_id=row.id, source_ip=source_ip
    )


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


def prune_login_failures(session: Session) -> int:
    """Delete throttle records older than the window (they no longer count)."""
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    result = session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---- Caregiver consent -----------------------------------------------------------------------------


def grant_caregiver(
    session: Session, *, principal: Principal, caregiver_email: str, scope: str, days: int | None = None
) -> CaregiverGrant:
    """The patient's consent that the caregiver with this e-mail acts for them within `scope`."""
    if not principal.is_patient:
        raise InvalidInput("Only patients give consent to caregivers.")
    try:
        scope_value = ConsentScope(scope)
    except ValueError:
        raise InvalidInput("Choose the scope read or write.") from None
    if days is not None and not 1 <= days <= 3660:
        raise InvalidInput("Consent lasts from 1 to 3,660 days, or until you revoke it.")
    caregiver = get_user_by_email(session, email=caregiver_email)
    if caregiver is None or caregiver.role != Role.caregiver or caregiver.deleted_at is not None:
        raise InvalidInput(
            "No caregiver account has this e-mail address; ask them to sign up as a caregiver first."
        )
    now = utcnow()
    for existing in session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.patient_id == principal.user_id,
            CaregiverGrant.caregiver_id == caregiver.id,
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        existing.revoked_at = now  # one live consent per caregiver: the new one replaces it
    grant = CaregiverGrant(
        patient_id=principal.user_id,
        caregiver_id=caregiver.id,
        scope=scope_value.value,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        event_type="consent.create",
        action="C",
        principal=principal,
        patient_id=principal.user_id,
        entity_type="consent",
        entity_id=grant.id,
        detail=f"scope={scope_value.value}",
    )
    return grant


def list_grants(session: Session, *, principal: Principal) -> list[CaregiverGrant]:
    """The live consents the principal gave (patient) or received (caregiver)."""
    column = CaregiverGrant.patient_id if principal.is_patient else CaregiverGrant.caregiver_id
    now = utcnow()
    live = (CaregiverGrant.expires_at.is_(None)) | (CaregiverGrant.expires_at > now)
    return list(
        session.scalars(
            select(CaregiverGrant)
            .where(column == principal.user_id, CaregiverGrant.revoked_at.is_(None), live)
            .order_by(CaregiverGrant.created_at)
        )
    )


def get_grant(session: Session, *, grant_id: str) -> CaregiverGrant | None:
    """The consent with this id, or None."""
    return session.get(CaregiverGrant, grant_id)


def revoke_grant(session: Session, *, principal: Principal, grant: CaregiverGrant) -> None:
    """End a consent (the caller has been authorized to delete it)."""
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()


def revoke_session(session: Session, *, principal: Principal, web_session: WebSession) -> None:
    """End one of the principal's sessions (authorized by the caller)."""
    if web_session.revoked_at is None:
        web_session.revoked_at = utcnow()


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


# ---- E-mail to users, for other domains --------------------------------------------------------------


def add_mail_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Register e-mail kinds of another domain: kind -> (subject, body with %(link)s), English msgids."""
    notify.MESSAGES.update(messages)


def mail_users(session: Session, *, user_ids: Iterable[str], kind: str, path: str) -> None:
    """E-mail each active user of `user_ids` the message `kind`, in their language, linking to `path` on
    onconav; sent once the request's transaction commits, never when it rolls back."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    users = session.scalars(
        select(User).where(User.id.in_(wanted), User.disabled_at.is_(None), User.deleted_at.is_(None))
    )
    link = notify.link(path)
    notify.queue(
        session,
        [notify.Notification(kind=kind, to=user.email, locale=user.locale, link=link) for user in users],
    )
