"""Accounts pages (no JavaScript needed): sign-in, second factor, sign-out, sign-up, e-mail verification,
password reset and the privacy page.

Every POST form carries the CSRF token (`onconav.web.csrf`); the session cookie is Secure (outside local
development), HttpOnly and SameSite=Lax, and a new session is started at every sign-in.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onconav.accounts import actions, service
from onconav.accounts.actions import NextStep
from onconav.accounts.page_rendering import ROLE_HOME_PAGE, form_error, page, set_session_cookie
from onconav.errors import OnconavError
from onconav.web.csrf import cookie_is_secure
from onconav.web.dependencies import SESSION_COOKIE, SessionDep, client_address

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None, default: str = ROLE_HOME_PAGE) -> str:
    """Only a local path: an open redirect would send readers anywhere under our name."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


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
        signed_in = actions.sign_in_browser(
            session,
            email=email,
            password=password,
            old_secret=request.cookies.get(SESSION_COOKIE),
            source_ip=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except OnconavError as error:
        return form_error(request, "accounts/sign_in.html", {"next": target, "email": email}, error)
    destination = {
        NextStep.second_factor: "/sign-in/second-factor?" + urlencode({"next": target}),
        NextStep.set_up_second_factor: "/account/second-factor",
        NextStep.done: target,
    }[signed_in.next_step]
    redirect = RedirectResponse(destination, status_code=303)
    set_session_cookie(request, redirect, signed_in.credential.secret, signed_in.credential.expires_in)
    return redirect


@router.get("/sign-in/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, session: SessionDep, next: str | None = None) -> HTMLResponse:
    """The TOTP code form, after the password."""
    service.pending_user(session, secret=request.cookies.get(SESSION_COOKIE))
    return page(request, "accounts/second_factor.html", {"next": safe_next(next), "error": None})


@router.post("/sign-in/second-factor", response_model=None)
def second_factor(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the code; the session becomes a full one (a new cookie value, so the old one is useless)."""
    old_secret = request.cookies.get(SESSION_COOKIE)
    user = service.pending_user(session, secret=old_secret)
    target = safe_next(next)
    try:
        credential = actions.complete_second_factor(
            session,
            user=user,
            code=code,
            old_secret=old_secret,
            source_ip=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except OnconavError as error:
        return form_error(request, "accounts/second_factor.html", {"next": target}, error)
    redirect = RedirectResponse(target, status_code=303)
    set_session_cookie(request, redirect, credential.secret, credential.expires_in)
    return redirect


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, session: SessionDep) -> Response:
    """End this browser's session."""
    actions.sign_out_browser(session, secret=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=cookie_is_secure(request.scope), httponly=True)
    return response


# ---- Sign-up, e-mail verification, password reset (public) -----------------------------------------


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
        actions.sign_up(
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
    return _check_mail(request, purpose="sign_up")


def _check_mail(request: Request, *, purpose: str) -> HTMLResponse:
    """After sign-up or a reset request: "check your e-mail", or, where no mail server is configured, the
    truth (nothing was sent) with what the reader and the operator can do."""
    return page(request, "accounts/check_mail.html", {"purpose": purpose})


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
        actions.verify_email(session, token=token, source_ip=client_address(request))
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
        actions.request_password_reset(session, email=email, source_ip=client_address(request))
    except OnconavError as error:
        return form_error(request, "accounts/password_reset.html", {"email": email}, error)
    return _check_mail(request, purpose="reset")


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
        actions.reset_password(session, token=token, password=password, source_ip=client_address(request))
    except OnconavError as error:
        return form_error(request, "accounts/password_reset_confirm.html", {"token": token}, error)
    return RedirectResponse("/sign-in?done=password", status_code=303)


@router.get("/about/privacy", response_class=HTMLResponse)
def privacy_page(request: Request) -> HTMLResponse:
    """What onconav keeps, for how long, and why (also after an account is deleted)."""
    return page(request, "accounts/privacy.html", {})
