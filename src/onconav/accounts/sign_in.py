"""Signing in: the password check, the second factor after it, and the throttle that counts failed
sign-ins and rate-limited requests per account and per address (with `Retry-After`).

A failure must stay on record while the request fails, so it goes through
`audit.record_in_own_transaction`, then raises.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from onconav.accounts import audit, notify
from onconav.accounts.credentials import Unauthenticated
from onconav.accounts.models import LoginFailure, User
from onconav.accounts.passwords import hash_password, needs_rehash, verify_password
from onconav.accounts.roles import SECOND_FACTOR_ROLES, Role
from onconav.accounts.second_factor import verify_totp
from onconav.accounts.users import get_user_by_email
from onconav.config import get_settings
from onconav.db import utcnow
from onconav.errors import OnconavError
from onconav.i18n import N_

ADDRESS_LIMIT_FACTOR = 4
TOO_MANY_ATTEMPTS = N_("Too many failed sign-ins. Try again in %(minutes)s minutes.")
WRONG_CREDENTIALS = N_("The e-mail address or the password is not right, or the account cannot sign in.")


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


# ---- The throttle -----------------------------------------------------------------------------------


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


def rate_limit(session: Session, *, key: str, limit: int) -> None:
    """Count one request under `key`; TooManyAttempts (with Retry-After) past `limit` in the window."""
    window = timedelta(minutes=get_settings().login_window_minutes)
    now = utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.key == key[:80], LoginFailure.at >= now - window
        )
    ).one()
    if count >= limit:
        oldest_at = as_utc(oldest) if oldest is not None else now
        raise TooManyAttempts(max(1, int((oldest_at + window - now).total_seconds()) + 1))
    session.add(LoginFailure(key=key[:80], at=now))


def prune_login_failures(session: Session) -> int:
    """Delete throttle records older than the window (they no longer count)."""
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    result = session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def fail_sign_in(
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


# ---- Signing in -------------------------------------------------------------------------------------


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
        fail_sign_in(
            session, email=email, source_ip=source_ip, user=user if usable else None, reason="password"
        )
        raise Unauthenticated(WRONG_CREDENTIALS)
    if user.email_verified_at is None:
        if notify.mail_is_configured():
            raise Unauthenticated("Confirm your e-mail address first: open the link we sent you.")
        raise Unauthenticated(
            "This address is not confirmed yet, and this onconav cannot send e-mail: ask the people who "
            "run it to confirm your account."
        )
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    second_factor_done = False
    pending = user.totp_enabled_at is not None or Role(user.role) in SECOND_FACTOR_ROLES
    if user.totp_enabled_at is not None:
        if totp_code:
            if not verify_totp(session, user=user, code=totp_code):
                fail_sign_in(session, email=email, source_ip=source_ip, user=user, reason="second factor")
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


def complete_second_factor(session: Session, *, user: User, code: str, source_ip: str | None) -> None:
    """The code asked for after the password (pages): throttled and recorded like a sign-in, so a wrong
    code counts as a failed sign-in; Unauthenticated when it is not right."""
    check_throttle(session, email=user.email, source_ip=source_ip)
    if not verify_totp(session, user=user, code=code):
        fail_sign_in(session, email=user.email, source_ip=source_ip, user=user, reason="second factor")
        raise Unauthenticated("The code from your authenticator app is not right.")
    audit.record(
        session,
        event_type="auth.second_factor",
        action="E",
        actor_id=user.id,
        actor_role=user.role,
        source_ip=source_ip,
    )
