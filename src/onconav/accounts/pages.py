"""Accounts pages (no JavaScript needed): sign-in, second factor, sign-out and the account page.

Every POST form carries the CSRF token (`onconav.accounts.csrf`); the session cookie is Secure (outside
local development), HttpOnly and SameSite=Lax, and a new session is started at every sign-in.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onconav.accounts import service
from onconav.accounts.csrf import cookie_is_secure
from onconav.accounts.deps import SESSION_COOKIE, CurrentPrincipal, client_address
from onconav.accounts.models import SECOND_FACTOR_ROLES, Role, User
from onconav.app import get_session
from onconav.errors import OnconavError
from onconav.i18n import N_, get_translations
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)
SessionDep = Annotated[Session, Depends(get_session)]


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only a local path: an open redirect would send readers anywhere under our name."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


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


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    gettext = get_translations(getattr(request.state, "locale", "en")).gettext
    context = {"role_label": lambda role: gettext(ROLE_LABELS.get(role) or role), **context}
    response = render(request, template, context, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return _page(request, "accounts/sign_in.html", {"next": safe_next(next), "email": "", "error": None})


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
        response = _page(
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


def _pending_user(request: Request, session: Session) -> User:
    secret = request.cookies.get(SESSION_COOKIE)
    row = service.web_session_for(session, secret=secret) if secret else None
    if row is None:
        raise service.Unauthenticated("Sign in to continue.")
    return service.get_user_or_raise(session, user_id=row.user_id)


@router.get("/sign-in/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, session: SessionDep, next: str | None = None) -> HTMLResponse:
    """The TOTP code form, after the password."""
    _pending_user(request, session)
    return _page(request, "accounts/second_factor.html", {"next": safe_next(next), "error": None})


@router.post("/sign-in/second-factor", response_model=None)
def second_factor(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the code; the session becomes a full one (a new cookie value, so the old one is useless)."""
    user = _pending_user(request, session)
    target = safe_next(next)
    try:
        service.check_throttle(session, email=user.email, source_ip=client_address(request))
        if not service.verify_totp(session, user=user, code=code):
            service.fail_second_factor(session, user=user, source_ip=client_address(request))
            raise service.Unauthenticated("The code from your authenticator app is not right.") from None
    except OnconavError as error:
        response = _page(
            request,
            "accounts/second_factor.html",
            {"next": target, "error": _message(request, error)},
            error.status_code,
        )
        response.headers.update(getattr(error, "headers", None) or {})
        return response
    old = request.cookies.get(SESSION_COOKIE, "")
    service.end_session(session, secret=old)
    credential = service.start_session(
        session,
        user=user,
        second_factor_done=True,
        source_ip=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    redirect = RedirectResponse(target, status_code=303)
    set_session_cookie(request, redirect, credential.secret, credential.expires_in)
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


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """The signed-in account."""
    user = service.get_user_or_raise(session, user_id=principal.user_id)
    return _page(request, "accounts/account.html", {"user": user, "principal": principal})
