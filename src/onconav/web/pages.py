"""Site pages that belong to no domain: home, how ranking works, language choice."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onconav.directory import service as directory
from onconav.errors import InvalidInput
from onconav.i18n import LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, SUPPORTED_LOCALES
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)


def remember_locale(response: Response, code: str) -> None:
    """Keep the reader's language choice (the switcher or a `?lang=` link) for the pages that follow."""
    response.set_cookie(LOCALE_COOKIE, code, max_age=LOCALE_COOKIE_MAX_AGE, samesite="lax", httponly=True)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Search form and examples."""
    return render(request, "home.html", {"form": {}})


@router.get("/about/ranking", response_class=HTMLResponse)
def about_ranking(request: Request) -> HTMLResponse:
    """The ranking function, with every weight, in plain words."""
    return render(request, "about_ranking.html", {"weights": directory.ranking_weights()})


@router.get("/language/{code}")
def choose_language(code: str, next: str = "/") -> RedirectResponse:
    """Remember the chosen language in a cookie and go back to the page the reader was on."""
    if code not in SUPPORTED_LOCALES:
        raise InvalidInput(
            "Unsupported language %(code)s; choose one of %(choices)s.",
            code=code,
            choices=", ".join(SUPPORTED_LOCALES),
        )
    target = urlparse(next)
    # Only local paths: an open redirect would let others send readers anywhere under our name.
    safe_next = next if not target.scheme and not target.netloc and next.startswith("/") else "/"
    response = RedirectResponse(safe_next, status_code=303)
    remember_locale(response, code)
    return response
