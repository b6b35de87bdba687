"""What the accounts faces do, written once: the JSON API (`routes`), the pages (`pages`,
`settings_pages`) each parse their input, call one action here and render what it returns.

An action authorizes, changes through the service, audits, queues the e-mails to send after the commit
and returns what the face shows. Actions take the request's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from onconav.accounts import audit, notify, policy, service, step_up
from onconav.accounts.models import ApiToken, AuditEvent, CaregiverGrant, User, WebSession
from onconav.accounts.principal import Principal
from onconav.accounts.roles import SECOND_FACTOR_ROLES, Role

CONSENTS_PER_WINDOW = 20  # consents a patient may give per throttle window (mails to typed addresses)


def _own_account(session: Session, principal: Principal, action: str) -> User:
    """The principal's account, once the policy lets them `action` it (the specific event is audited)."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    policy.authorize(session, principal, action, user, audit_success=False)
    return user


def read_account(session: Session, *, principal: Principal) -> User:
    """The signed-in account."""
    return _own_account(session, principal, "read")


# ---- Signing in and out -----------------------------------------------------------------------------


def sign_in_for_token(
    session: Session, *, email: str, password: str, totp_code: str | None, source_ip: str | None
) -> service.NewCredential:
    """A script signs in (with its TOTP code where the account has a second factor): an access token."""
    user, second = service.authenticate(
        session, email=email, password=password, totp_code=totp_code, source_ip=source_ip
    )
    return service.issue_access_token(session, user=user, second_factor_done=second)


def sign_out_token(session: Session, *, principal: Principal) -> None:
    """The bearer token of this request stops working."""
    service.end_token(session, principal=principal)


class NextStep(StrEnum):
    """Where a browser goes after the password."""

    done = "done"
    second_factor = "second_factor"  # the account has one: ask for the code
    set_up_second_factor = "set_up_second_factor"  # the role needs one and there is none yet


@dataclass(frozen=True)
class BrowserSignIn:
    """A new browser session (its cookie value shown once) and what the browser does next."""

    credential: service.NewCredential
    next_step: NextStep


def sign_in_browser(
    session: Session,
    *,
    email: str,
    password: str,
    old_secret: str | None,
    source_ip: str | None,
    user_agent: str | None,
) -> BrowserSignIn:
    """Check the password and start a new session (the browser's old one ends: no fixation); the
    session is complete only after the second factor where the account has or needs one."""
    user, _done = service.authenticate(
        session, email=email, password=password, source_ip=source_ip, require_second_factor_now=False
    )
    if old_secret:
        service.end_session(session, secret=old_secret)
    credential = service.start_session(
        session, user=user, second_factor_done=False, source_ip=source_ip, user_agent=user_agent
    )
    if user.totp_enabled_at is not None:
        return BrowserSignIn(credential, NextStep.second_factor)
    if Role(user.role) in SECOND_FACTOR_ROLES:
        return BrowserSignIn(credential, NextStep.set_up_second_factor)
    return BrowserSignIn(credential, NextStep.done)


def _restart_verified_session(
    session: Session, *, user: User, old_secret: str | None, source_ip: str | None, user_agent: str | None
) -> service.NewCredential:
    """After the second factor: the half-signed-in session ends and a full one starts (a new secret, so a
    session id seen before the second factor is worth nothing)."""
    service.end_session(session, secret=old_secret or "")
    return service.start_session(
        session, user=user, second_factor_done=True, source_ip=source_ip, user_agent=user_agent
    )


def complete_second_factor(
    session: Session,
    *,
    user: User,
    code: str,
    old_secret: str | None,
    source_ip: str | None,
    user_agent: str | None,
) -> service.NewCredential:
    """The code after the password: the browser gets a new, complete session."""
    service.complete_second_factor(session, user=user, code=code, source_ip=source_ip)
    return _restart_verified_session(
        session, user=user, old_secret=old_secret, source_ip=source_ip, user_agent=user_agent
    )


def sign_out_browser(session: Session, *, secret: str | None) -> None:
    """This browser's session ends."""
    if secret:
        service.end_session(session, secret=secret)


# ---- Sign-up, e-mail verification, password reset (public) -----------------------------------------


def sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    display_name: str,
    locale: str,
    source_ip: str | None,
) -> None:
    """Create a patient or caregiver account and mail the confirmation link (the same answer either
    way: its owner is told instead when the address already has an account)."""
    outcome = service.sign_up(
        session,
        email=email,
        password=password,
        role=role,
        display_name=display_name,
        locale=locale,
        source_ip=source_ip,
    )
    notify.queue(session, outcome.notifications)


def verify_email(session: Session, *, token: str, source_ip: str | None) -> User:
    """Confirm the address the link was sent to (a caregiver's invitations to it start to count)."""
    user = service.verify_email(session, token=token, source_ip=source_ip)
    service.attach_invitations(session, user=user)
    return user


def request_password_reset(session: Session, *, email: str, source_ip: str | None) -> None:
    """Mail a reset link when the address has an account (the same answer either way)."""
    outcome = service.request_password_reset(session, email=email, source_ip=source_ip)
    notify.queue(session, outcome.notifications)


def reset_password(session: Session, *, token: str, password: str, source_ip: str | None) -> None:
    """Set a new password from a reset link; every session and token of the account ends."""
    outcome = service.reset_password(session, token=token, password=password, source_ip=source_ip)
    notify.queue(session, outcome.notifications)


# ---- The account: password, second factor, deletion ------------------------------------------------


def change_password(session: Session, *, principal: Principal, current: str, new: str) -> None:
    """Change the password knowing the current one; other sessions and tokens end, this one stays."""
    step_up.require_fresh_proof(session, principal=principal)
    _own_account(session, principal, "update")
    outcome = service.change_password(session, principal=principal, current=current, new=new)
    notify.queue(session, outcome.notifications)


def delete_account(session: Session, *, principal: Principal, password: str) -> None:
    """Delete the account (personal details erased, what the law requires kept; see docs/security.md)."""
    step_up.require_interactive(principal)  # the password it asks for is the proof of identity
    _own_account(session, principal, "delete")
    outcome = service.delete_account(session, principal=principal, password=password)
    notify.queue(session, outcome.notifications)


@dataclass(frozen=True)
class SecondFactorSetup:
    """What an authenticator app needs: the secret as text and as an otpauth:// link."""

    secret: str
    uri: str


def _setup(user: User, secret: str) -> SecondFactorSetup:
    return SecondFactorSetup(secret, service.provisioning_uri(secret, user=user))


def begin_second_factor(session: Session, *, principal: Principal) -> SecondFactorSetup:
    """A new TOTP secret for the signed-in account; it becomes active when a code is confirmed."""
    step_up.require_fresh_proof(session, principal=principal)
    user = _own_account(session, principal, "update")
    return _setup(user, service.begin_totp_enrolment(session, user=user))


def second_factor_setup(session: Session, *, user: User) -> SecondFactorSetup | None:
    """The secret being enrolled, or a new one; None when the second factor is on already."""
    if user.totp_enabled_at is not None:
        return None
    secret = service.pending_totp_secret(session, user=user) or service.begin_totp_enrolment(
        session, user=user
    )
    return _setup(user, secret)


def pending_second_factor_setup(session: Session, *, user: User) -> SecondFactorSetup:
    """The secret being enrolled (empty when there is none), to show the form again after a wrong code."""
    return _setup(user, service.pending_totp_secret(session, user=user) or "")


def _turn_on_second_factor(session: Session, *, user: User, code: str, source_ip: str | None) -> None:
    service.confirm_totp_enrolment(session, user=user, code=code, source_ip=source_ip)
    reset_link = notify.link("/password-reset")  # in case it was not them
    notify.queue(session, [notify.Notification("second_factor_enabled", user.email, user.locale, reset_link)])


def confirm_second_factor(session: Session, *, principal: Principal, code: str) -> None:
    """Turn the second factor on with a first right code (API); signing in needs a code from then on."""
    step_up.require_fresh_proof(session, principal=principal)
    user = _own_account(session, principal, "update")
    _turn_on_second_factor(session, user=user, code=code, source_ip=principal.source_ip)


def confirm_second_factor_in_browser(
    session: Session,
    *,
    web_session: WebSession,
    code: str,
    old_secret: str | None,
    source_ip: str | None,
    user_agent: str | None,
) -> service.NewCredential:
    """Turn the second factor on from the set-up page (the browser proved who it is recently); the browser
    gets a new, complete session."""
    if not step_up.session_is_fresh(web_session):
        raise step_up.StepUpRequired(step_up.CONFIRM_AGAIN)
    user = service.get_user_or_raise(session, user_id=web_session.user_id)
    _turn_on_second_factor(session, user=user, code=code, source_ip=source_ip)
    return _restart_verified_session(
        session, user=user, old_secret=old_secret, source_ip=source_ip, user_agent=user_agent
    )


def confirm_identity(
    session: Session, *, secret: str | None, password: str, code: str | None, source_ip: str | None
) -> None:
    """The browser proves who it is again (step-up): account-security changes are open for a while."""
    web_session = service.pending_session(session, secret=secret)
    user = service.get_user_or_raise(session, user_id=web_session.user_id)
    service.confirm_identity(
        session, web_session=web_session, user=user, password=password, code=code, source_ip=source_ip
    )


def reset_second_factor(session: Session, *, email: str) -> None:
    """An administrator turns off a locked-out owner's second factor (CLI); every session and token ends,
    the owner is told by e-mail, the reset is audited."""
    outcome = service.reset_second_factor(session, email=email, source_ip="cli")
    notify.queue(session, outcome.notifications)


# ---- Sessions and integration tokens ----------------------------------------------------------------


def list_sessions(session: Session, *, principal: Principal) -> list[WebSession]:
    """The account's live browser sessions, newest first."""
    rows = service.list_sessions(session, principal=principal)
    return [row for row in rows if policy.permits(session, principal, "read", row)]


def revoke_session(session: Session, *, principal: Principal, session_id: str) -> None:
    """Sign one browser of the account out."""
    step_up.require_fresh_proof(session, principal=principal)
    row = service.get_web_session(session, session_id=session_id)
    if row is None:
        raise policy.missing(session, principal, entity_type="session", entity_id=session_id)
    policy.authorize(session, principal, "delete", row)
    service.revoke_session(session, principal=principal, web_session=row)


def revoke_other_sessions(session: Session, *, principal: Principal) -> None:
    """Sign every other browser of the account out."""
    step_up.require_fresh_proof(session, principal=principal)
    for row in service.list_sessions(session, principal=principal):
        if row.id != principal.session_id:
            policy.authorize(session, principal, "delete", row)
            service.revoke_session(session, principal=principal, web_session=row)


def list_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    """The account's live integration tokens (never their secrets)."""
    rows = service.list_tokens(session, principal=principal)
    return [row for row in rows if policy.permits(session, principal, "read", row)]


@dataclass(frozen=True)
class IssuedToken:
    """A new integration token: its secret, shown only this once, and its row."""

    secret: str
    token: ApiToken


def create_token(
    session: Session, *, principal: Principal, name: str, scopes: list[str], days: int | None
) -> IssuedToken:
    """A named token limited to `read` and/or `write` for a script or an app."""
    step_up.require_fresh_proof(session, principal=principal)
    credential = service.create_integration_token(
        session, principal=principal, name=name, scopes=scopes, days=days
    )
    row = service.get_token(session, token_id=credential.id)
    assert row is not None
    return IssuedToken(credential.secret, row)


def revoke_token(session: Session, *, principal: Principal, token_id: str) -> None:
    """The integration token stops working at once."""
    step_up.require_fresh_proof(session, principal=principal)
    row = service.get_token(session, token_id=token_id)
    if row is None:
        raise policy.missing(session, principal, entity_type="api_token", entity_id=token_id)
    policy.authorize(session, principal, "delete", row)
    service.revoke_token(session, principal=principal, token=row)


# ---- Caregiver consent and the access log -----------------------------------------------------------


def list_consents(session: Session, *, principal: Principal) -> list[CaregiverGrant]:
    """The consents the patient gave, or the caregiver received."""
    grants = service.list_grants(session, principal=principal)
    return [grant for grant in grants if policy.permits(session, principal, "read", grant)]


def give_consent(
    session: Session, *, principal: Principal, caregiver_email: str, scope: str, days: int | None = None
) -> CaregiverGrant:
    """The patient lets a caregiver act for them; both are told by e-mail (an address without a caregiver
    account is invited instead: the answer is the same, so it tells nothing about the address)."""
    step_up.require_fresh_proof(session, principal=principal)
    policy.authorize(
        session, principal, "manage_consent", policy.PatientData(principal.user_id), audit_success=False
    )
    # Each consent mails an address the patient typed: a bound, the same for every address.
    service.rate_limit(session, key=f"consent:{principal.user_id}", limit=CONSENTS_PER_WINDOW)
    grant = service.grant_caregiver(
        session, principal=principal, caregiver_email=caregiver_email, scope=scope, days=days
    )
    _tell_about_consent(session, grant)
    return grant


def withdraw_consent(session: Session, *, principal: Principal, consent_id: str) -> None:
    """End a consent at once (the patient, or the caregiver stepping back); both are told by e-mail."""
    step_up.require_fresh_proof(session, principal=principal)
    grant = service.get_grant(session, grant_id=consent_id)
    if grant is None or grant.revoked_at is not None:
        raise policy.missing(session, principal, entity_type="consent", entity_id=consent_id)
    policy.authorize(session, principal, "delete", grant)
    service.revoke_grant(session, principal=principal, grant=grant)
    _tell_about_consent(session, grant)


def keep_consent(session: Session, *, principal: Principal, consent_id: str) -> CaregiverGrant:
    """The patient reviewed a consent marked for review (granted while integration tokens could) and
    keeps it."""
    step_up.require_fresh_proof(session, principal=principal)
    grant = service.get_grant(session, grant_id=consent_id)
    if grant is None or grant.revoked_at is not None:
        raise policy.missing(session, principal, entity_type="consent", entity_id=consent_id)
    policy.authorize(session, principal, "update", grant)
    service.keep_grant(session, principal=principal, grant=grant)
    return grant


def consents_to_review(session: Session, *, principal: Principal) -> list[CaregiverGrant]:
    """The live consents the patient should review (granted while integration tokens could)."""
    return [grant for grant in list_consents(session, principal=principal) if grant.needs_review]


def _tell_about_consent(session: Session, grant: CaregiverGrant) -> None:
    notify.queue(session, service.consent_notifications(session, grant=grant).notifications)


def access_log(
    session: Session, *, principal: Principal, limit: int, before: int | None = None
) -> list[AuditEvent]:
    """Every recorded access to the signed-in patient's data, newest first."""
    policy.authorize(session, principal, "read_access_log", policy.PatientData(principal.user_id))
    events = audit.events_for_patient(
        session, patient_id=principal.user_id, limit=limit, before_sequence=before
    )
    return [event for event in events if policy.permits(session, principal, "read", event)]
