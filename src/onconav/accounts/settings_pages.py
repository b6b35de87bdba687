"""Account settings pages for a signed-in user (no JavaScript needed): overview, password, second factor,
sessions, integration tokens, caregiver consent, the patient's access log, account deletion. Every form
posts a CSRF token, every object is checked by the policy (in `actions`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from onconav.accounts import actions, second_factor, service
from onconav.accounts.models import MAX_SEQUENCE
from onconav.accounts.page_rendering import ROLE_HOME_PAGE, form_error, page, role_home, set_session_cookie
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.accounts.step_up import CONFIRM_PAGE, StepUpRequired, is_fresh
from onconav.errors import OnconavError
from onconav.i18n import get_translations
from onconav.web.dependencies import SESSION_COOKIE, CurrentPrincipal, SessionDep, client_address

router = APIRouter(include_in_schema=False)
ACCESS_LOG_PAGE = 50


def _done(target: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"{target}?done={what}", status_code=303)


def _confirm_first(back_to: str) -> RedirectResponse:
    """To the page that asks for the password again, then back to `back_to` (step-up)."""
    return RedirectResponse(f"{CONFIRM_PAGE}?{urlencode({'next': back_to})}", status_code=303)


def _stale(principal: Principal) -> bool:
    """True when this browser must prove who it is again before an account-security change."""
    return not is_fresh(principal.proved_at)


def _safe_next(target: str) -> str:
    """Back to one of the account's own pages only (never an open redirect)."""
    return target if target.startswith("/account") and not target.startswith("//") else "/account"


@router.get("/account/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, session: SessionDep, next: str = "/account") -> HTMLResponse:
    """Ask for the password (and the code where enrolled) again before an account-security change."""
    user = service.pending_user(session, secret=request.cookies.get(SESSION_COOKIE))
    context = {"next": _safe_next(next), "needs_code": user.totp_enabled_at is not None, "error": None}
    return page(request, "accounts/confirm.html", context)


@router.post("/account/confirm", response_model=None)
def confirm(
    request: Request,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
) -> Response:
    """Check the password (and code); then back to the page the change was asked from."""
    secret = request.cookies.get(SESSION_COOKIE)
    target = _safe_next(next)
    try:
        actions.confirm_identity(
            session, secret=secret, password=password, code=code or None, source_ip=client_address(request)
        )
    except OnconavError as error:
        user = service.pending_user(session, secret=secret)
        context = {"next": target, "needs_code": user.totp_enabled_at is not None}
        return form_error(request, "accounts/confirm.html", context, error)
    return RedirectResponse(target, status_code=303)


@router.get(ROLE_HOME_PAGE)
def role_home_page(principal: CurrentPrincipal) -> RedirectResponse:
    """Where a sign-in without a `next` lands: the signed-in user's role home (cases, queue, workspace)."""
    return RedirectResponse(role_home(principal.role), status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> HTMLResponse:
    """The signed-in account and links to its settings."""
    user = actions.read_account(session, principal=principal)
    to_review = actions.consents_to_review(session, principal=principal) if principal.is_patient else []
    context = {"user": user, "principal": principal, "done": done, "to_review": to_review}
    return page(request, "accounts/account.html", context)


@router.get("/account/password", response_model=None)
def password_page(request: Request, principal: CurrentPrincipal) -> Response:
    """Change the password (after confirming the current one recently)."""
    if _stale(principal):
        return _confirm_first("/account/password")
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
    try:
        actions.change_password(session, principal=principal, current=current_password, new=new_password)
    except StepUpRequired:
        return _confirm_first("/account/password")
    except OnconavError as error:
        return form_error(request, "accounts/password.html", {}, error)
    return _done("/account", "password")


@router.get("/account/second-factor", response_model=None)
def second_factor_page(request: Request, session: SessionDep) -> Response:
    """Set up an authenticator app: the secret as text and as an otpauth:// link, then a code (after
    confirming the password recently: a fresh sign-in does)."""
    web_session = service.pending_session(session, secret=request.cookies.get(SESSION_COOKIE))
    user = service.get_user_or_raise(session, user_id=web_session.user_id)
    if user.totp_enabled_at is None and not service.session_is_fresh(web_session):
        return _confirm_first("/account/second-factor")
    setup = actions.second_factor_setup(session, user=user)
    if setup is None:
        return page(request, "accounts/second_factor_setup.html", {"enabled": True, "error": None})
    context = {**_setup_context(request, setup), "error": None}
    return page(request, "accounts/second_factor_setup.html", context)


def _setup_context(request: Request, setup: actions.SecondFactorSetup) -> dict[str, Any]:
    """The key in groups of four and the QR code of its otpauth:// link, for the enrolment page."""
    gettext = get_translations(getattr(request.state, "locale", "en")).gettext
    title = gettext("QR code for your authenticator app: the same key and account as the text beside it")
    return {
        "enabled": False,
        "secret": setup.secret,
        "key_groups": second_factor.key_groups(setup.secret),
        "uri": setup.uri,
        "qr_svg": Markup(second_factor.provisioning_qr_svg(setup.uri, title=title)) if setup.secret else None,
    }


@router.post("/account/second-factor", response_model=None)
def confirm_second_factor(
    request: Request, session: SessionDep, code: Annotated[str, Form(max_length=12)] = ""
) -> Response:
    """Turn the second factor on; the browser gets a new, complete session."""
    old_secret = request.cookies.get(SESSION_COOKIE)
    web_session = service.pending_session(session, secret=old_secret)
    user = service.get_user_or_raise(session, user_id=web_session.user_id)
    try:
        credential = actions.confirm_second_factor_in_browser(
            session,
            web_session=web_session,
            code=code,
            old_secret=old_secret,
            source_ip=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except StepUpRequired:
        return _confirm_first("/account/second-factor")
    except OnconavError as error:
        setup = actions.pending_second_factor_setup(session, user=user)
        context = _setup_context(request, setup)
        return form_error(request, "accounts/second_factor_setup.html", context, error)
    redirect = _done("/account", "second_factor")
    set_session_cookie(request, redirect, credential.secret, credential.expires_in)
    return redirect


@router.get("/account/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """Where the account is signed in."""
    rows = actions.list_sessions(session, principal=principal)
    return page(request, "accounts/sessions.html", {"sessions": rows, "current": principal.session_id})


@router.post("/account/sessions/{session_id}/revoke", response_model=None)
def revoke_session(session_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Sign that browser out."""
    if _stale(principal):
        return _confirm_first("/account/sessions")
    actions.revoke_session(session, principal=principal, session_id=session_id)
    return _done("/account/sessions", "revoked")


@router.post("/account/sessions/revoke-others", response_model=None)
def revoke_other_sessions(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Sign out every other browser of the account."""
    if _stale(principal):
        return _confirm_first("/account/sessions")
    actions.revoke_other_sessions(session, principal=principal)
    return _done("/account/sessions", "revoked")


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """Integration tokens: the live ones, and a form for a new one."""
    rows = actions.list_tokens(session, principal=principal)
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
    if _stale(principal):
        return _confirm_first("/account/tokens")
    scopes = ["read", "write"] if scope == "write" else ["read"]
    try:
        issued = actions.create_token(session, principal=principal, name=name, scopes=scopes, days=days)
    except OnconavError as error:
        rows = actions.list_tokens(session, principal=principal)
        return form_error(request, "accounts/tokens.html", {"tokens": rows, "created": None}, error)
    rows = actions.list_tokens(session, principal=principal)
    return page(request, "accounts/tokens.html", {"tokens": rows, "created": issued.secret, "error": None})


@router.post("/account/tokens/{token_id}/revoke", response_model=None)
def revoke_token(token_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The token stops working at once."""
    if _stale(principal):
        return _confirm_first("/account/tokens")
    actions.revoke_token(session, principal=principal, token_id=token_id)
    return _done("/account/tokens", "revoked")


def _consents_context(session: Session, principal: Principal) -> dict[str, Any]:
    grants = actions.list_consents(session, principal=principal)
    people = service.users_by_id(session, user_ids={g.patient_id for g in grants})
    return {"grants": grants, "people": people, "principal": principal}


@router.get("/account/consents", response_class=HTMLResponse)
def consents_page(
    request: Request, session: SessionDep, principal: CurrentPrincipal, done: str | None = None
) -> HTMLResponse:
    """Patients: the caregivers who may act for them, and a form to add one. Caregivers: whom they help."""
    context = {**_consents_context(session, principal), "done": done, "error": None, "form": {}}
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
    if _stale(principal):
        return _confirm_first("/account/consents")
    try:
        actions.give_consent(session, principal=principal, caregiver_email=caregiver_email, scope=scope)
    except OnconavError as error:
        context = {
            **_consents_context(session, principal),
            "done": None,
            "form": {"caregiver_email": caregiver_email},
        }
        return form_error(request, "accounts/consents.html", context, error)
    return _done("/account/consents", "granted")


@router.post("/account/consents/{consent_id}/revoke", response_model=None)
def revoke_consent(consent_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """End a consent (the patient, or the caregiver stepping back)."""
    if _stale(principal):
        return _confirm_first("/account/consents")
    actions.withdraw_consent(session, principal=principal, consent_id=consent_id)
    return _done("/account/consents", "revoked")


@router.post("/account/consents/{consent_id}/keep", response_model=None)
def keep_consent(consent_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The patient reviewed a consent marked for review and keeps it."""
    if _stale(principal):
        return _confirm_first("/account/consents")
    actions.keep_consent(session, principal=principal, consent_id=consent_id)
    return _done("/account/consents", "kept")


@router.get("/account/access-log", response_class=HTMLResponse)
def access_log_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQUENCE)] = None,
) -> HTMLResponse:
    """Who accessed the patient's data, when, from where, and whether it was allowed."""
    events = actions.access_log(session, principal=principal, limit=ACCESS_LOG_PAGE, before=before)
    actors = service.users_by_id(session, user_ids={event.actor_id for event in events if event.actor_id})
    context = {
        "events": events,
        "actors": actors,
        "principal": principal,
        "older": events[-1].sequence if len(events) == ACCESS_LOG_PAGE else None,
    }
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
    try:
        actions.delete_account(session, principal=principal, password=password)
    except OnconavError as error:
        return form_error(request, "accounts/delete.html", {"patient": principal.role is Role.patient}, error)
    redirect = RedirectResponse("/about/privacy?done=deleted", status_code=303)
    redirect.delete_cookie(SESSION_COOKIE, path="/")
    return redirect
