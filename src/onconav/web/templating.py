"""Jinja2 rendering in the reader's language: one environment per locale, built once.

Templates use {% trans %} / _() for every user-facing string (extracted with Babel).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from onconav import __version__
from onconav.directory import service as directory
from onconav.i18n import SUPPORTED_LOCALES, country_name, format_number, get_translations, language_name
from onconav.knowledge import service as knowledge

# The header's sections, by the first segment of a page's path (a directory search counts as finding care).
NAV_SECTIONS = {
    "": "find",
    "search": "find",
    "procedures": "find",
    "specialties": "find",
    "organizations": "find",
    "practitioners": "find",
    "conditions": "conditions",
    "trials": "trials",
    "cases": "cases",
    "opinions": "cases",
    "documents": "cases",
    "account": "account",
    "sign-in": "account",
    "sign-up": "account",
    "password-reset": "account",
    "verify-email": "account",
}


def nav_section(path: str) -> str:
    """The header section a page belongs to ("" for none), so the header can mark it as current."""
    if path.startswith("/conditions/") and "/near/" in path:
        return "find"  # /conditions/<code>/near/<place> is a directory search, not a cancer-type page
    return NAV_SECTIONS.get(path.split("/")[1] if path.startswith("/") else "", "")


@cache
def environment(locale: str) -> Environment:
    """The template environment for one locale."""
    env = Environment(
        loader=PackageLoader("onconav", "web/templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = get_translations(locale)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        locale=locale,
        supported_locales=SUPPORTED_LOCALES,
        version=__version__,
        nav_section=nav_section,
        language_name=lambda code: language_name(code, locale),
        country_name=lambda code: country_name(code, locale),
        designation_label=lambda code: directory.designation_label(code, translations),
        describe_factor=lambda factor: directory.describe_factor(factor, translations, locale),
        number=lambda value: format_number(value, "#,##0.##", locale),
        signed=lambda value: format_number(value, "+#,##0.0;-#,##0.0", locale),
        service_name=lambda code: translations.gettext(knowledge.entry_name("service", code)),
        modality_label=lambda code: translations.gettext(knowledge.modality_label(code)),
        intent_label=lambda code: translations.gettext(knowledge.intent_label(code)),
        specialty_name=lambda code: translations.gettext(knowledge.entry_name("specialty", code)),
        services=knowledge.list_services(),
        # htmx is optional (installed from npm by `make install`); pages work without it.
        htmx_available=resources.files("onconav").joinpath("web", "static", "htmx.min.js").is_file(),
        specialties=knowledge.list_specialties(),
    )
    return env


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render `template` in the request's locale."""
    locale = getattr(request.state, "locale", "en")
    html = environment(locale).get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)
