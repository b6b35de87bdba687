"""The account life cycle: sign-up with e-mail verification, password reset and change, account deletion.

None of these tells whether an e-mail address has an account: sign-up and reset requests get the same
answer either way, and the mail goes to the address's owner. Requests are rate-limited per address.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from onconav.accounts import audit, policy, service
from onconav.accounts.models import CaregiverGrant, EmailToken, LoginFailure, User
from onconav.accounts.notify import Notification, link
from onconav.accounts.passwords import check_password_policy, hash_password, verify_password
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.config import get_settings
from onconav.db import utcnow
from onconav.errors import InvalidInput, NotFound

SELF_SERVICE_ROLES = (Role.patient, Role.caregiver)
VERIFY_HOURS = 48
RESET_MINUTES = 60
REQUESTS_PER_ADDRESS = 10
RESETS_PER_ACCOUNT = 3


@dataclass(frozen=True)
class Outcome:
    """What a request did: the notifications to send once the transaction commits."""

    notifications: tuple[Notification, ...] = ()


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
        oldest_at = service.as_utc(oldest) if oldest is not None else now
        raise service.TooManyAttempts(max(1, int((oldest_at + window - now).total_seconds()) + 1))
    session.add(LoginFailure(key=key[:80], at=now))


def _new_email_token(session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    secret = secrets.token_urlsafe(32)
    session.execute(delete(EmailToken).where(EmailToken.user_id == user.id, EmailToken.purpose == purpose))
    session.add(
        EmailToken(
            token_hash=service.token_digest(secret),
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    return secret


def _use_email_token(session: Session, secret: str, purpose: str) -> User:
    invalid = InvalidInput("This link is not valid any more: it expired or was used. Ask for a new one.")
    row = session.scalars(
        select(EmailToken).where(EmailToken.token_hash == service.token_digest(secret.strip()))
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
    address = service.normalize_email(email)
    parsed = service.parse_role(role)
    if parsed not in SELF_SERVICE_ROLES:
        raise InvalidInput(
            "Sign up as a patient or a caregiver; other accounts are created by onconav staff."
        )
    check_password_policy(password, user_inputs=(address, display_name))
    rate_limit(session, key=f"signup:{source_ip or '-'}", limit=REQUESTS_PER_ADDRESS)
    existing = service.get_user_by_email(session, email=address)
    if existing is not None:
        hash_password(password)  # the same work as a real sign-up, so timing does not tell either
        return Outcome((Notification("already_registered", address, existing.locale, link("/sign-in")),))
    user = service.create_user(
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
    audit.record(
        session,
        event_type="account.verify_email",
        action="U",
        actor_id=user.id,
        actor_role=user.role,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
    )
    return user


def request_password_reset(session: Session, *, email: str, source_ip: str | None = None) -> Outcome:
    """Mail a reset link when the address has an active account; the caller answers the same anyway."""
    rate_limit(session, key=f"reset:{source_ip or '-'}", limit=REQUESTS_PER_ADDRESS)
    user = service.get_user_by_email(session, email=email)
    if user is None or user.deleted_at is not None or user.disabled_at is not None:
        return Outcome()
    account_key = "reset-account:" + hashlib.sha256(user.id.encode()).hexdigest()[:40]
    try:
        rate_limit(session, key=account_key, limit=RESETS_PER_ACCOUNT)
    except service.TooManyAttempts:
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
    service.end_all_credentials(session, user.id, now, keep_session=keep_session)
    return Outcome((Notification("password_changed", user.email, user.locale, link("/password-reset")),))


def reset_password(session: Session, *, token: str, password: str, source_ip: str | None = None) -> Outcome:
    """Set a new password from a reset link; every session and token of the account ends."""
    user = _use_email_token(session, token, "reset")
    outcome = _set_password(session, user, password)
    # Opening the link proves the address, as a verification link would.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record(
        session,
        event_type="account.password_reset",
        action="U",
        actor_id=user.id,
        actor_role=user.role,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
    )
    return outcome


def change_password(session: Session, *, principal: Principal, current: str, new: str) -> Outcome:
    """Change the password knowing the current one; other sessions and tokens end."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
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


def delete_account(session: Session, *, principal: Principal, password: str) -> Outcome:
    """Delete the account: personal details erased, credentials and consents ended.

    Kept, as the law requires: the audit log (who accessed which data, 6 years under HIPAA 164.316), and
    the account's id as a tombstone so that the log and any record of care still point somewhere.
    """
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    if not verify_password(user.password_hash, password):
        raise InvalidInput("The password is not right.")
    now = utcnow()
    address, locale = user.email, user.locale
    service.end_all_credentials(session, user.id, now)
    for grant in session.scalars(
        select(CaregiverGrant).where(
            (CaregiverGrant.patient_id == user.id) | (CaregiverGrant.caregiver_id == user.id),
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        grant.revoked_at = now
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


def consent_notifications(session: Session, *, patient_id: str, caregiver_id: str) -> Outcome:
    """Tell the patient and the caregiver that a consent between them changed (no details in the mail)."""
    people = [session.get(User, patient_id), session.get(User, caregiver_id)]
    kinds = ("consent_changed", "consent_received")
    return Outcome(
        tuple(
            Notification(kind, person.email, person.locale, link("/account/consents"))
            for kind, person in zip(kinds, people, strict=True)
            if person is not None and person.deleted_at is None
        )
    )


def give_consent(
    session: Session, *, principal: Principal, caregiver_email: str, scope: str, days: int | None = None
) -> tuple[CaregiverGrant, Outcome]:
    """The patient lets a caregiver act for them; both are told by e-mail."""
    policy.authorize(
        session, principal, "manage_consent", policy.PatientData(principal.user_id), audit_success=False
    )
    grant = service.grant_caregiver(
        session, principal=principal, caregiver_email=caregiver_email, scope=scope, days=days
    )
    return grant, consent_notifications(session, patient_id=grant.patient_id, caregiver_id=grant.caregiver_id)


def withdraw_consent(session: Session, *, principal: Principal, consent_id: str) -> Outcome:
    """End a consent at once (the patient, or the caregiver stepping back); both are told by e-mail."""
    grant = service.get_grant(session, grant_id=consent_id)
    if grant is None or grant.revoked_at is not None:
        raise NotFound("Not found.")
    policy.authorize(session, principal, "delete", grant)
    service.revoke_grant(session, principal=principal, grant=grant)
    return consent_notifications(session, patient_id=grant.patient_id, caregiver_id=grant.caregiver_id)
