"""Accounts pages (no JavaScript needed): sign-in, second factor, sign-out and the account page.

Every POST form carries the CSRF token (`onconav.accounts.csrf`); the session cookie is Secure (outside
local development), HttpOnly and SameSite=Lax, and a new session is started at every sign-in.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onconav.accounts import audit, notify, registration, service
from onconav.accounts.models import User
from onconav.accounts.roles import SECOND_FACTOR_ROLES, Role
from onconav.errors import OnconavError
from onconav.i18n import N_, get_translations
from onconav.web.csrf import cookie_is_secure
from onconav.web.dependencies import SESSION_COOKIE, SessionDep, client_address
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only a local path: an open redirect would send readers anywhere under our name."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def start_verified_session(session: Session, request: Request, response: Response, user: User) -> None:
    """After the second factor: the half-signed-in browser session ends and a full one starts (a new
    secret, so a session id seen before the second factor is worth nothing)."""
    service.end_session(session, secret=request.cookies.get(SESSION_COOKIE, ""))
    credential = service.start_session(
        session,
        user=user,
        second_factor_done=True,
        source_ip=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookie(request, response, credential.secret, credential.expires_in)


def set_session_cookie(request: Request, response: Response, secret: str, max_age: int) -> None:
    """The session cookie: Secure, HttpOnly, SameSite=Lax, whole site."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request.scope),
        path="/",
    )


def _message(request: Request, error: OnconavError) -> str:
    return error.localized(get_translations(getattr(request.state, "locale", "en")).gettext)


ROLE_LABELS = {
    "patient": N_("Patient"),
    "caregiver": N_("Caregiver"),
    "coordinator": N_("Care coordinator"),
    "specialist": N_("Specialist"),
    "center_staff": N_("Center staff"),
    "admin": N_("Administrator"),
}


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    gettext = get_translations(getattr(request.state, "locale", "en")).gettext
    context = {"role_label": lambda role: gettext(ROLE_LABELS.get(role) or role), **context}
    response = render(request, template, context, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None, done: str | None = None) -> HTMLResponse:
    """The sign-in form (with a note after a confirmation or a password reset)."""
    context = {"next": safe_next(next), "email": "", "error": None, "done": done}
    return page(request, "accounts/sign_in.html", context)


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password, start a session; the second factor comes next where the account has one."""
    target = safe_next(next)
    try:
        user, _done = service.authenticate(
            session,
            email=email,
            password=password,
            source_ip=client_address(request),
            require_second_factor_now=False,
        )
    except OnconavError as error:
        response = page(
            request,
            "accounts/sign_in.html",
            {"next": target, "email": email, "error": _message(request, error)},
            error.status_code,
        )
        response.headers.update(getattr(error, "headers", None) or {})
        return response
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(session, secret=old)
    credential = service.start_session(
        session,
        user=user,
        second_factor_done=False,
        source_ip=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    if user.totp_enabled_at is not None:
        destination = "/sign-in/second-factor?next=" + target
    elif Role(user.role) in SECOND_FACTOR_ROLES:
        destination = "/account/second-factor"
    else:
        destination = target
    redirect = RedirectResponse(destination, status_code=303)
    set_session_cookie(request, redirect, credential.secret, credential.expires_in)
    return redirect


def pending_user(request: Request, session: Session) -> User:
    secret = request.cookies.get(SESSION_COOKIE)
    row = service.web_session_for(session, secret=secret) if secret else None
    if row is None:
        raise service.Unauthenticated("Sign in to continue.")
    return service.get_user_or_raise(session, user_id=row.user_id)


@router.get("/sign-in/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, session: SessionDep, next: str | None = None) -> HTMLResponse:
    """The TOTP code form, after the password."""
    pending_user(request, session)
    return page(request, "accounts/second_factor.html", {"next": safe_next(next), "error": None})


@router.post("/sign-in/second-factor", response_model=None)
def second_factor(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the code; the session becomes a full one (a new cookie value, so the old one is useless)."""
    user = pending_user(request, session)
    target = safe_next(next)
    try:
        service.check_throttle(session, email=user.email, source_ip=client_address(request))
        if not service.verify_totp(session, user=user, code=code):
            service.fail_second_factor(session, user=user, source_ip=client_address(request))
            raise service.Unauthenticated("The code from your authenticator app is not right.") from None
    except OnconavError as error:
        response = page(
            request,
            "accounts/second_factor.html",
            {"next": target, "error": _message(request, error)},
            error.status_code,
        )
        response.headers.update(getattr(error, "headers", None) or {})
        return response
    audit.record(
        session,
        event_type="auth.second_factor",
        action="E",
        actor_id=user.id,
        actor_role=user.role,
        source_ip=client_address(request),
    )
    redirect = RedirectResponse(target, status_code=303)
    start_verified_session(session, request, redirect, user)
    return redirect


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, session: SessionDep) -> Response:
    """End this browser's session."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.end_session(session, secret=secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=cookie_is_secure(request.scope), httponly=True)
    return response


# ---- Sign-up, e-mail verification, password reset (public) -----------------------------------------


def form_error(request: Request, template: str, context: dict[str, Any], error: OnconavError) -> HTMLResponse:
    response = page(request, template, {**context, "error": _message(request, error)}, error.status_code)
    response.headers.update(getattr(error, "headers", None) or {})
    return response


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_page(request: Request) -> HTMLResponse:
    """The sign-up form (patients and caregivers)."""
    return page(request, "accounts/sign_up.html", {"form": {"role": "patient"}, "error": None})


@router.post("/sign-up", response_model=None)
def sign_up(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "patient",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Create the account and mail the confirmation link; the same answer when the address is taken."""
    form = {"email": email, "display_name": display_name, "role": role}
    try:
        outcome = registration.sign_up(
            session,
            email=email,
            password=password,
            role=role,
            display_name=display_name,
            locale=getattr(request.state, "locale", "en"),
            source_ip=client_address(request),
        )
    except OnconavError as error:
        return form_error(request, "accounts/sign_up.html", {"form": form}, error)
    notify.queue(session, outcome.notifications)
    return page(request, "accounts/check_mail.html", {})


@router.get("/verify-email", response_class=HTMLResponse)
def verify_email_page(request: Request, token: str = "") -> HTMLResponse:
    """A button that confirms the address (a GET never changes anything: link checkers open links)."""
    return page(request, "accounts/verify_email.html", {"token": token[:200], "error": None})


@router.post("/verify-email", response_model=None)
def verify_email(
    request: Request, session: SessionDep, token: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Confirm the address, then sign in."""
    try:
        registration.verify_email(session, token=token, source_ip=client_address(request))
    except OnconavError as error:
        return form_error(request, "accounts/verify_email.html", {"token": token}, error)
    return RedirectResponse("/sign-in?done=verified", status_code=303)


@router.get("/password-reset", response_class=HTMLResponse)
def password_reset_page(request: Request) -> HTMLResponse:
    """Ask for a reset link."""
    return page(request, "accounts/password_reset.html", {"email": "", "error": None})


@router.post("/password-reset", response_model=None)
def password_reset(
    request: Request, session: SessionDep, email: Annotated[str, Form(max_length=320)] = ""
) -> Response:
    """Mail a link when the address has an account; the same answer either way."""
    try:
        outcome = registration.request_password_reset(session, email=email, source_ip=client_address(request))
    except OnconavError as error:
        return form_error(request, "accounts/password_reset.html", {"email": email}, error)
    notify.queue(session, outcome.notifications)
    return page(request, "accounts/check_mail.html", {})


@router.get("/password-reset/confirm", response_class=HTMLResponse)
def password_reset_confirm_page(request: Request, token: str = "") -> HTMLResponse:
    """The new-password form of a reset link."""
    return page(request, "accounts/password_reset_confirm.html", {"token": token[:200], "error": None})


@router.post("/password-reset/confirm", response_model=None)
def password_reset_confirm(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Set the new password; every session ends; sign in again."""
    try:
        outcome = registration.reset_password(
            session, token=token, password=password, source_ip=client_address(request)
        )
    except OnconavError as error:
        return form_error(request, "accounts/password_reset_confirm.html", {"token": token}, error)
    notify.queue(session, outcome.notifications)
    return RedirectResponse("/sign-in?done=password", status_code=303)


@router.get("/about/privacy", response_class=HTMLResponse)
def privacy_page(request: Request) -> HTMLResponse:
    """What onconav keeps, for how long, and why (also after an account is deleted)."""
    return page(request, "accounts/privacy.html", {})
