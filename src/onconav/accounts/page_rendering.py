"""How the account pages answer a browser: a page with role names and no caching, a form shown again with
its error, and the session cookie. Shared by `pages` and `settings_pages`, which never import each other.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from onconav.accounts import notify
from onconav.errors import OnconavError
from onconav.i18n import N_, get_translations
from onconav.web.csrf import cookie_is_secure
from onconav.web.dependencies import SESSION_COOKIE
from onconav.web.templating import render

ROLE_LABELS = {
    "patient": N_("Patient"),
    "caregiver": N_("Caregiver"),
    "coordinator": N_("Care coordinator"),
    "specialist": N_("Specialist"),
    "center_staff": N_("Center staff"),
    "admin": N_("Administrator"),
}

# Where each role starts after signing in (and what /account links to as "your work"); the others
# (center staff, administrators) start on the account page.
ROLE_HOMES = {
    "patient": "/cases",
    "caregiver": "/cases",
    "coordinator": "/cases/queue",
    "specialist": "/cases/workspace",
}
HOME_LABELS = {
    "patient": N_("Your second-opinion requests"),
    "caregiver": N_("Second-opinion requests you help with"),
    "coordinator": N_("The case queue"),
    "specialist": N_("Your review workspace"),
}
ACCOUNT_PAGE = "/account"
# After a sign-in without a `next`, the browser asks here and is sent on to its role's home.
ROLE_HOME_PAGE = "/account/home"


def role_home(role: str) -> str:
    """The page a user of `role` starts from."""
    return ROLE_HOMES.get(role, ACCOUNT_PAGE)


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """An account page in the reader's language, never cached (it shows personal details or secrets)."""
    gettext = get_translations(getattr(request.state, "locale", "en")).gettext
    context = {
        "role_label": lambda role: gettext(ROLE_LABELS.get(role) or role),
        "role_home": role_home,
        "home_label": lambda role: gettext(HOME_LABELS[role]) if role in HOME_LABELS else "",
        "mail_configured": notify.mail_is_configured(),
        **context,
    }
    response = render(request, template, context, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_message(request: Request, error: OnconavError) -> str:
    """The error's message in the reader's language."""
    return error.localized(get_translations(getattr(request.state, "locale", "en")).gettext)


def form_error(request: Request, template: str, context: dict[str, Any], error: OnconavError) -> HTMLResponse:
    """The form shown again with the error's message, status and headers (such as Retry-After)."""
    response = page(request, template, {**context, "error": error_message(request, error)}, error.status_code)
    response.headers.update(getattr(error, "headers", None) or {})
    return response


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
