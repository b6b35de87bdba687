"""The account life cycle: sign-up with e-mail verification, password reset and change, disabling and
deleting an account.

None of these tells whether an e-mail address has an account: sign-up and reset requests get the same
answer either way, and the mail goes to the address's owner. Requests are rate-limited per address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from onconav.accounts import audit
from onconav.accounts.consent import end_all_grants
from onconav.accounts.credentials import end_all_credentials, token_digest
from onconav.accounts.models import EmailToken, User
from onconav.accounts.notify import Notification, Outcome, link
from onconav.accounts.passwords import check_password_policy, hash_password, verify_password
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.accounts.sign_in import TooManyAttempts, rate_limit
from onconav.accounts.users import (
    create_user,
    get_user_by_email,
    get_user_or_raise,
    normalize_email,
    parse_role,
)
from onconav.db import utcnow
from onconav.errors import InvalidInput, NotFound

SELF_SERVICE_ROLES = (Role.patient, Role.caregiver)
VERIFY_HOURS = 48
RESET_MINUTES = 60
REQUESTS_PER_ADDRESS = 10
RESETS_PER_ACCOUNT = 3


def _new_email_token(session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    secret = secrets.token_urlsafe(32)
    session.execute(delete(EmailToken).where(EmailToken.user_id == user.id, EmailToken.purpose == purpose))
    session.add(
        EmailToken(
            token_hash=token_digest(secret),
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    return secret


def _use_email_token(session: Session, secret: str, purpose: str) -> User:
    invalid = InvalidInput("This link is not valid any more: it expired or was used. Ask for a new one.")
    row = session.scalars(
        select(EmailToken).where(EmailToken.token_hash == token_digest(secret.strip()))
    ).first()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= utcnow():
        raise invalid
    user = session.get(User, row.user_id)
    if user is None or user.deleted_at is not None or user.disabled_at is not None:
        raise invalid
    row.used_at = utcnow()
    return user


def sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    display_name: str = "",
    locale: str = "en",
    source_ip: str | None = None,
) -> Outcome:
    """Create an unverified patient or caregiver account and mail a confirmation link.

    When the address already has an account, nothing is created and its owner is told instead; the
    caller answers the same in both cases.
    """
    address = normalize_email(email)
    parsed = parse_role(role)
    if parsed not in SELF_SERVICE_ROLES:
        raise InvalidInput(
            "Sign up as a patient or a caregiver; other accounts are created by onconav staff."
        )
    check_password_policy(password, user_inputs=(address, display_name))
    rate_limit(session, key=f"signup:{source_ip or '-'}", limit=REQUESTS_PER_ADDRESS)
    existing = get_user_by_email(session, email=address)
    if existing is not None:
        hash_password(password)  # the same work as a real sign-up, so timing does not tell either
        return Outcome((Notification("already_registered", address, existing.locale, link("/sign-in")),))
    user = create_user(
        session,
        email=address,
        password=password,
        role=parsed,
        display_name=display_name,
        locale=locale,
        source_ip=source_ip,
    )
    secret = _new_email_token(session, user, "verify", timedelta(hours=VERIFY_HOURS))
    return Outcome((Notification("verify", address, locale, link(f"/verify-email?token={secret}")),))


def verify_email(session: Session, *, token: str, source_ip: str | None = None) -> User:
    """Confirm the address the link was sent to."""
    user = _use_email_token(session, token, "verify")
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record_own_account_change(
        session, user=user, event_type="account.verify_email", source_ip=source_ip
    )
    return user


def request_password_reset(session: Session, *, email: str, source_ip: str | None = None) -> Outcome:
    """Mail a reset link when the address has an active account; the caller answers the same anyway."""
    rate_limit(session, key=f"reset:{source_ip or '-'}", limit=REQUESTS_PER_ADDRESS)
    user = get_user_by_email(session, email=email)
    if user is None or user.deleted_at is not None or user.disabled_at is not None:
        return Outcome()
    account_key = "reset-account:" + hashlib.sha256(user.id.encode()).hexdigest()[:40]
    try:
        rate_limit(session, key=account_key, limit=RESETS_PER_ACCOUNT)
    except TooManyAttempts:
        return Outcome()  # quietly: a different answer would tell that the account exists
    secret = _new_email_token(session, user, "reset", timedelta(minutes=RESET_MINUTES))
    return Outcome(
        (Notification("reset", user.email, user.locale, link(f"/password-reset/confirm?token={secret}")),)
    )


def _set_password(session: Session, user: User, password: str, keep_session: str | None = None) -> Outcome:
    check_password_policy(password, user_inputs=(user.email, user.display_name))
    now = utcnow()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    end_all_credentials(session, user_id=user.id, now=now, keep_session=keep_session)
    return Outcome((Notification("password_changed", user.email, user.locale, link("/password-reset")),))


def reset_password(session: Session, *, token: str, password: str, source_ip: str | None = None) -> Outcome:
    """Set a new password from a reset link; every session and token of the account ends."""
    user = _use_email_token(session, token, "reset")
    outcome = _set_password(session, user, password)
    # Opening the link proves the address, as a verification link would.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record_own_account_change(
        session, user=user, event_type="account.password_reset", source_ip=source_ip
    )
    return outcome


def change_password(session: Session, *, principal: Principal, current: str, new: str) -> Outcome:
    """Change the password knowing the current one; other sessions and tokens end."""
    user = get_user_or_raise(session, user_id=principal.user_id)
    if not verify_password(user.password_hash, current):
        raise InvalidInput("The current password is not right.")
    outcome = _set_password(session, user, new, keep_session=principal.session_id)
    audit.record(
        session,
        event_type="account.password_change",
        action="U",
        principal=principal,
        entity_type="user",
        entity_id=user.id,
    )
    return outcome


def _existing_account(session: Session, email: str) -> User:
    """The account with this e-mail address, for an operator's command (NotFound when none, or deleted)."""
    user = get_user_by_email(session, email=email)
    if user is None or user.deleted_at is not None:
        raise NotFound("No account has the e-mail address %(email)s.", email=email)
    return user


def disable_user(
    session: Session, *, email: str, by: Principal | None = None, source_ip: str | None = None
) -> User:
    """Stop an account from signing in and end its sessions and tokens (operators: `onconav users
    disable`)."""
    user = _existing_account(session, email)
    now = utcnow()
    user.disabled_at = user.disabled_at or now
    end_all_credentials(session, user_id=user.id, now=now)
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


def reset_second_factor(
    session: Session, *, email: str, by: Principal | None = None, source_ip: str | None = None
) -> Outcome:
    """Turn off an account's second factor for its owner, locked out by a lost or changed authenticator
    (operators: `onconav users reset-second-factor`): every session and token ends, the owner is told and
    must set up an app again at the next sign-in where the role needs one."""
    user = _existing_account(session, email)
    if user.totp_secret is None and user.totp_enabled_at is None:
        raise InvalidInput("The account %(email)s has no second factor to reset.", email=user.email)
    now = utcnow()
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    end_all_credentials(session, user_id=user.id, now=now)
    audit.record(
        session,
        event_type="account.second_factor_reset",
        action="U",
        principal=by,
        source_ip=source_ip,
        entity_type="user",
        entity_id=user.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return Outcome((Notification("second_factor_reset", user.email, user.locale, link("/sign-in")),))


def delete_account(session: Session, *, principal: Principal, password: str) -> Outcome:
    """Delete the account: personal details erased, credentials and consents ended.

    Kept, as the law requires: the audit log (who accessed which data, 6 years under HIPAA 164.316), and
    the account's id as a tombstone so that the log and any record of care still point somewhere.
    """
    user = get_user_or_raise(session, user_id=principal.user_id)
    if not verify_password(user.password_hash, password):
        raise InvalidInput("The password is not right.")
    now = utcnow()
    address, locale = user.email, user.locale
    end_all_credentials(session, user_id=user.id, now=now)
    end_all_grants(session, user_id=user.id, now=now)
    session.execute(delete(EmailToken).where(EmailToken.user_id == user.id))
    user.email = f"deleted-{user.id}@invalid"
    user.display_name = ""
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.deleted_at = now
    audit.record(
        session,
        event_type="account.delete",
        action="D",
        principal=principal,
        patient_id=user.id if user.role == Role.patient else None,
        entity_type="user",
        entity_id=user.id,
    )
    return Outcome((Notification("account_deleted", address, locale, link("/about/privacy")),))
