"""Accounts JSON API (/api/v1/auth, /api/v1/account/...): sign-in for scripts, the account, sessions,
integration tokens, caregiver consent and the patient's access log. Every object route asks the policy
(in `actions`, shared with the pages).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from onconav.accounts import actions, notify
from onconav.accounts.models import MAX_SEQUENCE, ApiToken, CaregiverGrant, User
from onconav.accounts.principal import Principal
from onconav.accounts.schemas import (
    Accepted,
    AccessLogEntry,
    AccountDeletion,
    AccountRead,
    ConsentCreate,
    ConsentRead,
    EmailTokenRequest,
    IntegrationTokenCreate,
    IntegrationTokenCreated,
    IntegrationTokenRead,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegistrationRequest,
    SecondFactorCode,
    SecondFactorEnrolment,
    SessionRead,
    TokenRequest,
    TokenResponse,
)
from onconav.i18n import N_, get_translations
from onconav.web.dependencies import CurrentPrincipal, SessionDep, client_address

api_router = APIRouter(prefix="/api/v1", tags=["accounts"])
UNAUTHENTICATED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or the token is not valid."}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such object, or not one the caller may know of."}
}
STEP_UP: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "An integration token, or a proof of identity older than the step-up window: sign in "
        "again (POST /api/v1/auth/token) or confirm the password in a browser (/account/confirm)."
    }
}


def _account(user: User) -> AccountRead:
    return AccountRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        practitioner_id=user.practitioner_id,
        organization_id=user.organization_id,
        second_factor_enabled=user.totp_enabled_at is not None,
        created_at=user.created_at,
    )


@api_router.post(
    "/auth/token",
    response_model=TokenResponse,
    summary="Sign in and get a bearer token",
    responses={
        401: {"description": "Wrong credentials, or a TOTP code is needed."},
        429: {"description": "Throttled."},
    },
)
def create_token(
    request: Request, session: SessionDep, body: TokenRequest, response: Response
) -> TokenResponse:
    """Exchange e-mail and password (plus `totp` where the account has a second factor) for a token."""
    credential = actions.sign_in_for_token(
        session,
        email=body.email,
        password=body.password,
        totp_code=body.totp,
        source_ip=client_address(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(access_token=credential.secret, expires_in=credential.expires_in)


@api_router.delete(
    "/auth/token", status_code=204, summary="Sign out: revoke the token used", responses=UNAUTHENTICATED
)
def revoke_current_token(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The bearer token sent with this request stops working at once."""
    actions.sign_out_token(session, principal=principal)
    return Response(status_code=204)


@api_router.get(
    "/account", response_model=AccountRead, summary="The signed-in account", responses=UNAUTHENTICATED
)
def read_account(session: SessionDep, principal: CurrentPrincipal) -> AccountRead:
    """Who the token or session belongs to."""
    return _account(actions.read_account(session, principal=principal))


@api_router.get(
    "/account/sessions",
    response_model=list[SessionRead],
    summary="Signed-in browsers",
    responses=UNAUTHENTICATED,
)
def list_sessions(session: SessionDep, principal: CurrentPrincipal) -> list[SessionRead]:
    """The account's live web sessions."""
    return [
        SessionRead(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            current=row.id == principal.session_id,
        )
        for row in actions.list_sessions(session, principal=principal)
    ]


@api_router.delete(
    "/account/sessions/{session_id}",
    status_code=204,
    summary="Sign a browser out",
    responses={**STEP_UP, **UNAUTHENTICATED, **NOT_FOUND},
)
def revoke_session(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """End one of the account's sessions."""
    actions.revoke_session(session, principal=principal, session_id=session_id)
    return Response(status_code=204)


def _token_read(row: ApiToken) -> IntegrationTokenRead:
    return IntegrationTokenRead(
        id=row.id,
        name=row.name,
        scopes=[scope for scope in row.scopes if scope != "second_factor"],
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


@api_router.get(
    "/account/tokens",
    response_model=list[IntegrationTokenRead],
    summary="Integration tokens",
    responses=UNAUTHENTICATED,
)
def list_tokens(session: SessionDep, principal: CurrentPrincipal) -> list[IntegrationTokenRead]:
    """The account's live integration tokens (never their secrets)."""
    return [_token_read(row) for row in actions.list_tokens(session, principal=principal)]


@api_router.post(
    "/account/tokens",
    response_model=IntegrationTokenCreated,
    status_code=201,
    summary="Create a scoped integration token",
    responses={**UNAUTHENTICATED, **STEP_UP},
)
def create_integration_token(
    session: SessionDep, principal: CurrentPrincipal, body: IntegrationTokenCreate
) -> IntegrationTokenCreated:
    """A named token limited to `read` and/or `write`; its secret is shown only in this response."""
    issued = actions.create_token(
        session, principal=principal, name=body.name, scopes=list(body.scopes), days=body.days
    )
    return IntegrationTokenCreated(**_token_read(issued.token).model_dump(), token=issued.secret)


@api_router.delete(
    "/account/tokens/{token_id}",
    status_code=204,
    summary="Revoke an integration token",
    responses={**STEP_UP, **UNAUTHENTICATED, **NOT_FOUND},
)
def revoke_integration_token(token_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The token stops working at once."""
    actions.revoke_token(session, principal=principal, token_id=token_id)
    return Response(status_code=204)


def _consent_read(grant: CaregiverGrant, principal: Principal) -> ConsentRead:
    patients_view = principal.is_self(grant.patient_id)
    return ConsentRead(
        id=grant.id,
        patient_id=grant.patient_id,
        caregiver_id=None if patients_view else grant.caregiver_id,
        caregiver_email=grant.invited_email if patients_view else None,
        scope=grant.scope,
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        needs_review=grant.needs_review,
    )


@api_router.get(
    "/account/consents",
    response_model=list[ConsentRead],
    summary="Caregiver consents",
    responses=UNAUTHENTICATED,
)
def list_consents(session: SessionDep, principal: CurrentPrincipal) -> list[ConsentRead]:
    """Consents the patient gave, or the caregiver received."""
    return [_consent_read(grant, principal) for grant in actions.list_consents(session, principal=principal)]


@api_router.post(
    "/account/consents",
    response_model=ConsentRead,
    status_code=201,
    summary="Let a caregiver act for me",
    responses={**UNAUTHENTICATED, **STEP_UP},
)
def create_consent(session: SessionDep, principal: CurrentPrincipal, body: ConsentCreate) -> ConsentRead:
    """The patient's consent that a caregiver reads (`read`) or also acts on (`write`) their data.

    The answer is the same whether or not the address has a caregiver account: one without is invited to
    sign up, and the consent counts once it confirms its address. Needs a recent proof of identity (a
    sign-in token from the last minutes, or a browser that confirmed its password), never an integration
    token (403)."""
    grant = actions.give_consent(
        session, principal=principal, caregiver_email=body.caregiver_email, scope=body.scope, days=body.days
    )
    return _consent_read(grant, principal)


@api_router.delete(
    "/account/consents/{consent_id}",
    status_code=204,
    summary="Revoke a caregiver consent",
    responses={**STEP_UP, **UNAUTHENTICATED, **NOT_FOUND},
)
def revoke_consent(consent_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The caregiver stops acting for the patient at once."""
    actions.withdraw_consent(session, principal=principal, consent_id=consent_id)
    return Response(status_code=204)


@api_router.post(
    "/account/consents/{consent_id}/keep",
    response_model=ConsentRead,
    summary="Keep a consent marked for review",
    responses={**UNAUTHENTICATED, **NOT_FOUND, **STEP_UP},
)
def keep_consent(consent_id: str, session: SessionDep, principal: CurrentPrincipal) -> ConsentRead:
    """The patient reviewed a consent granted while integration tokens could grant consent, and keeps it."""
    return _consent_read(actions.keep_consent(session, principal=principal, consent_id=consent_id), principal)


@api_router.get(
    "/account/access-log",
    response_model=list[AccessLogEntry],
    summary="Who accessed my data",
    responses=UNAUTHENTICATED,
)
def access_log(
    session: SessionDep,
    principal: CurrentPrincipal,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_SEQUENCE, description="Only events before this sequence number.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AccessLogEntry]:
    """Every recorded access to the signed-in patient's data, newest first."""
    return [
        AccessLogEntry(
            id=event.id,
            recorded_at=event.recorded_at,
            event_type=event.event_type,
            action=event.action,
            outcome=event.outcome,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            source_ip=event.source_ip,
        )
        for event in actions.access_log(session, principal=principal, limit=limit, before=before)
    ]


def _gettext(request: Request) -> Any:
    return get_translations(getattr(request.state, "locale", "en")).gettext


CHECK_MAIL = N_("If this address can be used, we sent a message to it. Follow the link in it.")
NO_MAIL = N_(
    "This onconav cannot send e-mail (no mail server is configured), so no message was sent. The people "
    "who run it must set ONCONAV_SMTP_HOST, or create confirmed accounts with `onconav users create`."
)


def _mail_answer(request: Request) -> Accepted:
    """What a sign-up or reset request is told: never that a message was sent when none could be."""
    return Accepted(message=_gettext(request)(CHECK_MAIL if notify.mail_is_configured() else NO_MAIL))


THROTTLED: dict[int | str, dict[str, Any]] = {429: {"description": "Too many requests; see Retry-After."}}


@api_router.post(
    "/auth/register", response_model=Accepted, status_code=202, summary="Sign up", responses=THROTTLED
)
def register(request: Request, session: SessionDep, body: RegistrationRequest) -> Accepted:
    """Create a patient or caregiver account; it works once the e-mail address is confirmed.

    The answer is the same whether or not the address already has an account.
    """
    actions.sign_up(
        session,
        email=body.email,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        locale=getattr(request.state, "locale", "en"),
        source_ip=client_address(request),
    )
    # Translators: the answer to a sign-up or password-reset request, whatever the address.
    return _mail_answer(request)


@api_router.post("/auth/verify-email", response_model=AccountRead, summary="Confirm an e-mail address")
def verify_email(request: Request, session: SessionDep, body: EmailTokenRequest) -> AccountRead:
    """The token from the confirmation link."""
    user = actions.verify_email(session, token=body.token, source_ip=client_address(request))
    return _account(user)


@api_router.post(
    "/auth/password-reset",
    response_model=Accepted,
    status_code=202,
    summary="Ask for a password-reset link",
    responses=THROTTLED,
)
def password_reset(request: Request, session: SessionDep, body: PasswordResetRequest) -> Accepted:
    """Mails a link when the address has an account; the answer is the same either way."""
    actions.request_password_reset(session, email=body.email, source_ip=client_address(request))
    return _mail_answer(request)


@api_router.post(
    "/auth/password-reset/confirm", status_code=204, summary="Set a new password from a reset link"
)
def password_reset_confirm(request: Request, session: SessionDep, body: PasswordResetConfirm) -> Response:
    """Every session and token of the account ends."""
    actions.reset_password(
        session, token=body.token, password=body.password, source_ip=client_address(request)
    )
    return Response(status_code=204)


@api_router.put(
    "/account/password",
    status_code=204,
    summary="Change my password",
    responses={**UNAUTHENTICATED, **STEP_UP},
)
def change_password(session: SessionDep, principal: CurrentPrincipal, body: PasswordChange) -> Response:
    """Other sessions and tokens end."""
    actions.change_password(
        session, principal=principal, current=body.current_password, new=body.new_password
    )
    return Response(status_code=204)


@api_router.post(
    "/account/delete", status_code=204, summary="Delete my account", responses={**UNAUTHENTICATED, **STEP_UP}
)
def delete_account(session: SessionDep, principal: CurrentPrincipal, body: AccountDeletion) -> Response:
    """Personal details are erased; what the law requires is kept (see docs/security.md)."""
    actions.delete_account(session, principal=principal, password=body.password)
    return Response(status_code=204)


@api_router.post(
    "/account/second-factor",
    response_model=SecondFactorEnrolment,
    summary="Start setting up an authenticator app",
    responses={**UNAUTHENTICATED, **STEP_UP},
)
def begin_second_factor(
    session: SessionDep, principal: CurrentPrincipal, response: Response
) -> SecondFactorEnrolment:
    """A new TOTP secret; it becomes active when a code is confirmed."""
    setup = actions.begin_second_factor(session, principal=principal)
    response.headers["Cache-Control"] = "no-store"
    return SecondFactorEnrolment(secret=setup.secret, otpauth_uri=setup.uri)


@api_router.post(
    "/account/second-factor/confirm",
    status_code=204,
    summary="Turn the authenticator app on",
    responses={**UNAUTHENTICATED, **STEP_UP},
)
def confirm_second_factor(
    session: SessionDep, principal: CurrentPrincipal, body: SecondFactorCode
) -> Response:
    """Confirm with a code from the app; from then on signing in needs a code."""
    actions.confirm_second_factor(session, principal=principal, code=body.code)
    return Response(status_code=204)
