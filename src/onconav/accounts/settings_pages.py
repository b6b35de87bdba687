"""Account settings pages for a signed-in user (no JavaScript needed): overview, password, second factor,
sessions, caregiver consent, the patient's access log, account deletion. Every form posts a CSRF token,
every object is checked by the policy.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onconav.accounts import audit, notify, policy, registration, service, totp
from onconav.accounts.models import MAX_SEQUENCE, ApiToken, User, WebSession
from onconav.accounts.pages import form_error, page, pending_user, start_verified_session
from onconav.accounts.roles import Role
from onconav.errors import NotFound, OnconavError
from onconav.web.dependencies import SESSION_COOKIE, CurrentPrincipal, SessionDep, client_address

router = APIRouter(include_in_schema=False)


def _done(target: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"{target}?done={what}", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> HTMLResponse:
    """The signed-in account and links to its settings."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    policy.authorize(session, principal, "read", user, audit_success=False)
    return page(request, "accounts/account.html", {"user": user, "principal": principal, "done": done})


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, principal: CurrentPrincipal) -> HTMLResponse:
    """Change the password."""
    return page(request, "accounts/password.html", {"error": None})


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Other sessions end; this one stays."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    policy.authorize(session, principal, "update", user, audit_success=False)
    try:
        outcome = registration.change_password(
            session, principal=principal, current=current_password, new=new_password
        )
    except OnconavError as error:
        return form_error(request, "accounts/password.html", {}, error)
    notify.queue(session, outcome.notifications)
    return _done("/account", "password")


@router.get("/account/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Set up an authenticator app: the secret as text and as an otpauth:// link, then a code."""
    user = pending_user(request, session)
    if user.totp_enabled_at is not None:
        return page(request, "accounts/second_factor_setup.html", {"enabled": True, "error": None})
    secret = service.pending_totp_secret(session, user=user) or service.begin_totp_enrolment(
        session, user=user
    )
    context = {
        "enabled": False,
        "secret": secret,
        "uri": totp.provisioning_uri(secret, user.email),
        "error": None,
    }
    return page(request, "accounts/second_factor_setup.html", context)


@router.post("/account/second-factor", response_model=None)
def confirm_second_factor(
    request: Request, session: SessionDep, code: Annotated[str, Form(max_length=12)] = ""
) -> Response:
    """Turn the second factor on; the browser gets a new, complete session."""
    user = pending_user(request, session)
    try:
        service.confirm_totp_enrolment(session, user=user, code=code, source_ip=client_address(request))
    except OnconavError as error:
        secret = service.pending_totp_secret(session, user=user) or ""
        context = {"enabled": False, "secret": secret, "uri": totp.provisioning_uri(secret, user.email)}
        return form_error(request, "accounts/second_factor_setup.html", context, error)
    notify.queue(
        session,
        [
            notify.Notification(
                "second_factor_enabled", user.email, user.locale, notify.link("/password-reset")
            )
        ],
    )
    redirect = _done("/account", "second_factor")
    start_verified_session(session, request, redirect, user)
    return redirect


@router.get("/account/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """Where the account is signed in."""
    rows = [
        r
        for r in service.list_sessions(session, principal=principal)
        if policy.permits(session, principal, "read", r)
    ]
    return page(request, "accounts/sessions.html", {"sessions": rows, "current": principal.session_id})


@router.post("/account/sessions/{session_id}/revoke", response_model=None)
def revoke_session(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Sign that browser out."""
    row = session.get(WebSession, session_id)
    if row is None:
        raise NotFound("Not found.")
    policy.authorize(session, principal, "delete", row)
    service.revoke_session(session, principal=principal, web_session=row)
    return _done("/account/sessions", "revoked")


@router.post("/account/sessions/revoke-others", response_model=None)
def revoke_other_sessions(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Sign out every other browser of the account."""
    for row in service.list_sessions(session, principal=principal):
        if row.id != principal.session_id:
            policy.authorize(session, principal, "delete", row)
            service.revoke_session(session, principal=principal, web_session=row)
    return _done("/account/sessions", "revoked")


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """Integration tokens: the live ones, and a form for a new one."""
    rows = [
        r
        for r in service.list_tokens(session, principal=principal)
        if policy.permits(session, principal, "read", r)
    ]
    return page(request, "accounts/tokens.html", {"tokens": rows, "created": None, "error": None})


@router.post("/account/tokens", response_model=None)
def create_token(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    name: Annotated[str, Form(max_length=100)] = "",
    scope: Annotated[str, Form(max_length=10)] = "read",
    days: Annotated[int, Form(ge=1, le=366)] = 90,
) -> Response:
    """Create a token and show its secret, once."""
    scopes = ["read", "write"] if scope == "write" else ["read"]
    try:
        credential = service.create_integration_token(
            session, principal=principal, name=name, scopes=scopes, days=days
        )
    except OnconavError as error:
        rows = service.list_tokens(session, principal=principal)
        return form_error(request, "accounts/tokens.html", {"tokens": rows, "created": None}, error)
    rows = service.list_tokens(session, principal=principal)
    return page(
        request, "accounts/tokens.html", {"tokens": rows, "created": credential.secret, "error": None}
    )


@router.post("/account/tokens/{token_id}/revoke", response_model=None)
def revoke_token(token_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The token stops working at once."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("Not found.")
    policy.authorize(session, principal, "delete", row)
    service.revoke_token(session, principal=principal, token=row)
    return _done("/account/tokens", "revoked")


def _names(session: Session, user_ids: set[str]) -> dict[str, User]:
    return {user_id: user for user_id in user_ids if (user := session.get(User, user_id)) is not None}


@router.get("/account/consents", response_class=HTMLResponse)
def consents_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> HTMLResponse:
    """Patients: the caregivers who may act for them, and a form to add one. Caregivers: whom they help."""
    grants = [
        g
        for g in service.list_grants(session, principal=principal)
        if policy.permits(session, principal, "read", g)
    ]
    people = _names(session, {g.caregiver_id for g in grants} | {g.patient_id for g in grants})
    context = {
        "grants": grants,
        "people": people,
        "principal": principal,
        "done": done,
        "error": None,
        "form": {},
    }
    return page(request, "accounts/consents.html", context)


@router.post("/account/consents", response_model=None)
def grant_consent(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    caregiver_email: Annotated[str, Form(max_length=320)] = "",
    scope: Annotated[str, Form(max_length=10)] = "read",
) -> Response:
    """Record the patient's consent."""
    try:
        _grant, outcome = registration.give_consent(
            session, principal=principal, caregiver_email=caregiver_email, scope=scope
        )
    except OnconavError as error:
        grants = service.list_grants(session, principal=principal)
        people = _names(session, {g.caregiver_id for g in grants})
        context = {"grants": grants, "people": people, "principal": principal, "done": None}
        return form_error(
            request,
            "accounts/consents.html",
            {**context, "form": {"caregiver_email": caregiver_email}},
            error,
        )
    notify.queue(session, outcome.notifications)
    return _done("/account/consents", "granted")


@router.post("/account/consents/{consent_id}/revoke", response_model=None)
def revoke_consent(consent_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """End a consent (the patient, or the caregiver stepping back)."""
    outcome = registration.withdraw_consent(session, principal=principal, consent_id=consent_id)
    notify.queue(session, outcome.notifications)
    return _done("/account/consents", "revoked")


@router.get("/account/access-log", response_class=HTMLResponse)
def access_log_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQUENCE)] = None,
) -> HTMLResponse:
    """Who accessed the patient's data, when, from where, and whether it was allowed."""
    policy.authorize(session, principal, "read_access_log", policy.PatientData(principal.user_id))
    events = audit.events_for_patient(session, patient_id=principal.user_id, limit=50, before_sequence=before)
    events = [event for event in events if policy.permits(session, principal, "read", event)]
    actors = _names(session, {event.actor_id for event in events if event.actor_id})
    context = {"events": events, "actors": actors, "principal": principal}
    context["older"] = events[-1].sequence if len(events) == 50 else None
    return page(request, "accounts/access_log.html", context)


@router.get("/account/delete", response_class=HTMLResponse)
def delete_page(request: Request, principal: CurrentPrincipal) -> HTMLResponse:
    """What deleting the account erases and what it keeps, and the confirmation form."""
    return page(request, "accounts/delete.html", {"error": None, "patient": principal.role is Role.patient})


@router.post("/account/delete", response_model=None)
def delete_account(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Delete the account, sign out, and go to the privacy page."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    policy.authorize(session, principal, "delete", user, audit_success=False)
    try:
        outcome = registration.delete_account(session, principal=principal, password=password)
    except OnconavError as error:
        return form_error(request, "accounts/delete.html", {"patient": principal.role is Role.patient}, error)
    notify.queue(session, outcome.notifications)
    redirect = RedirectResponse("/about/privacy?done=deleted", status_code=303)
    redirect.delete_cookie(SESSION_COOKIE, path="/")
    return redirect
