"""Step-up: account-security changes (consent, second factor, password, sessions, tokens) need a fresh,
interactive proof of identity, never an integration token.

A browser proves who it is at sign-in and again on the confirmation page (`/account/confirm`): the password,
and the code where a second factor is enrolled. A sign-in token (POST /api/v1/auth/token) is such a proof
when it is issued. The proof counts for `ONCONAV_STEP_UP_MINUTES` (10 by default).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from onconav.accounts import audit
from onconav.accounts.credentials import Unauthenticated
from onconav.accounts.models import User, WebSession
from onconav.accounts.passwords import verify_password
from onconav.accounts.principal import Principal
from onconav.accounts.second_factor import verify_totp
from onconav.accounts.sign_in import check_throttle, fail_sign_in
from onconav.accounts.users import get_user_or_raise
from onconav.config import get_settings
from onconav.db import utcnow
from onconav.errors import Forbidden
from onconav.i18n import N_

CONFIRM_PAGE = "/account/confirm"
NOT_WITH_AN_INTEGRATION_TOKEN = N_(
    "Integration tokens cannot change account security (consent, second factor, password, sessions, "
    "tokens) or delete the account. Sign in in a browser, or sign in again through the API "
    "(POST /api/v1/auth/token)."
)
CONFIRM_AGAIN = N_(
    "For your safety, confirm who you are before changing account security: enter your password again "
    "(and your authenticator code) at /account/confirm, or sign in again through the API "
    "(POST /api/v1/auth/token)."
)

STEP_UP_FAILED = N_("The password or the code from your authenticator app is not right.")


class IntegrationTokenRefused(Forbidden):
    """An integration token tried an account-security change: only a person signed in may."""


class StepUpRequired(Forbidden):
    """The credential's last proof of identity is too old (or misses the second factor) for this change."""


def is_fresh(proved_at: datetime | None, *, now: datetime | None = None) -> bool:
    """True when a proof of identity made at `proved_at` still counts."""
    if proved_at is None:
        return False
    window = timedelta(minutes=get_settings().step_up_minutes)
    return (now or utcnow()) - proved_at < window


def require_interactive(principal: Principal) -> None:
    """Refuse integration tokens (403): the request must come from a person signed in."""
    if principal.is_integration:
        raise IntegrationTokenRefused(NOT_WITH_AN_INTEGRATION_TOKEN)


def require_fresh_proof(session: Session, *, principal: Principal) -> None:
    """Refuse integration tokens and credentials whose proof of identity is not recent, or lacks the
    second factor the account has (403 with what to do)."""
    require_interactive(principal)
    user = get_user_or_raise(session, user_id=principal.user_id)
    missing_code = user.totp_enabled_at is not None and not principal.second_factor
    if missing_code or not is_fresh(principal.proved_at):
        raise StepUpRequired(CONFIRM_AGAIN)


def session_is_fresh(web_session: WebSession) -> bool:
    """True when this browser proved who it is recently (for pages before a principal exists)."""
    return is_fresh(web_session.proved_at)


def confirm_identity(
    session: Session,
    *,
    web_session: WebSession,
    user: User,
    password: str,
    code: str | None,
    source_ip: str | None,
) -> None:
    """The browser proves who it is again: the password and, where enrolled, a code. A wrong answer counts
    as a failed sign-in (throttled and on record); Unauthenticated then, with one message."""
    check_throttle(session, email=user.email, source_ip=source_ip)
    password_ok = verify_password(user.password_hash, password)
    needs_code = user.totp_enabled_at is not None
    if not password_ok or (needs_code and not (code and verify_totp(session, user=user, code=code.strip()))):
        fail_sign_in(session, email=user.email, source_ip=source_ip, user=user, reason="step-up")
        raise Unauthenticated(STEP_UP_FAILED)
    web_session.proved_at = utcnow()
    audit.record(
        session,
        event_type="auth.step_up",
        action="E",
        actor_id=user.id,
        actor_role=user.role,
        entity_type="session",
        entity_id=web_session.id,
        source_ip=source_ip,
        detail="second factor" if needs_code else None,
    )
