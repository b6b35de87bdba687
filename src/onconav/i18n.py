"""Translations: gettext catalogues (Babel .po files in onconav/locale) and locale negotiation.

Catalogues are compiled in memory at first use, so a fresh checkout needs no build step.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from onconav.config import get_settings

SUPPORTED_LOCALES = ("en", "es")
DOMAIN = "messages"


@lru_cache(maxsize=None)
def get_translations(locale: str) -> NullTranslations:
    """The translations for `locale` (English, the source language, needs none)."""
    if locale not in SUPPORTED_LOCALES or locale == "en":
        return NullTranslations()
    po_file = resources.files("onconav").joinpath("locale", locale, "LC_MESSAGES", f"{DOMAIN}.po")
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def negotiate_locale(accept_language: str | None, requested: str | None = None) -> str:
    """The locale to answer in: an explicit choice if supported, else the best Accept-Language match."""
    if requested and requested in SUPPORTED_LOCALES:
        return requested
    if accept_language:
        weighted: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            pieces = part.strip().split(";")
            tag = pieces[0].strip()
            quality = 1.0
            for parameter in pieces[1:]:
                name, _, value = parameter.strip().partition("=")
                if name == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            if tag:
                weighted.append((quality, tag))
        for _quality, tag in sorted(weighted, key=lambda item: -item[0]):
            language = tag.split("-")[0].lower()
            if language in SUPPORTED_LOCALES:
                return language
    default = get_settings().default_locale
    return default if default in SUPPORTED_LOCALES else "en"


def language_name(code: str, locale: str) -> str:
    """A language's name in the reader's language ("es" -> "Spanish" / "español")."""
    try:
        return Locale(locale).languages.get(code, code)
    except (ValueError, TypeError):
        return code


def country_name(code: str, locale: str) -> str:
    """A country's name in the reader's language."""
    try:
        return Locale(locale).territories.get(code.upper(), code)
    except (ValueError, TypeError):
        return code
