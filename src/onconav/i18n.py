"""Translations: gettext catalogues (Babel .po files in onconav/locale) and locale negotiation.

Catalogues are compiled in memory at first use, so a fresh checkout needs no build step.
The messages come from `pybabel extract -F babel.cfg` (see the comment at the top of babel.cfg),
which also reads the user-facing names in the knowledge YAML files through `extract_knowledge_yaml`.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Collection, Iterator, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import IO, Any

import yaml
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations, Translations

from onconav.config import get_settings

SUPPORTED_LOCALES = ("en", "es")
LOCALE_COOKIE = "onconav_lang"  # the language a reader chose with the switcher
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
DOMAIN = "messages"

# Which fields of the knowledge files readers see, per list: these names are translated when shown.
KNOWLEDGE_MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "services": ("name",),
    "specialties": ("name", "practitioner_title"),
    "conditions": ("name",),
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here: it is translated where it is shown."""
    return message


@cache
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
        return _parsed_locale(locale).languages.get(code, code)
    except (ValueError, TypeError):
        return code


def country_name(code: str, locale: str) -> str:
    """A country's name in the reader's language."""
    try:
        return _parsed_locale(locale).territories.get(code.upper(), code)
    except (ValueError, TypeError):
        return code


def extract_python_literals(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str | tuple[str | None, ...] | None, list[str]]]:
    """Babel extraction method for Python (babel.cfg names it `onconav.i18n:extract_python_literals`).

    Like Babel's own "python" method, but it reads the syntax tree instead of the token stream, so only
    string literals passed directly to a gettext function are messages: Babel's method also takes the
    key in `_(params["name"])` (a run-time lookup) for a message. Comments starting with one of
    `comment_tags` on the lines just above a call reach translators, as with Babel's method.
    """
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    # Domain exceptions take a message template first (onconav.errors): babel.cfg names them.
    error_keywords = set(str(options.get("error_keywords", "")).split())
    tree = ast.parse(source)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    calls: list[tuple[int, str, list[str | None]]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            name = func.attr  # translations.gettext(...)
        else:
            continue
        if name not in keywords and name not in error_keywords:
            continue
        arguments: list[str | None] = [
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            for arg in node.args
        ]
        if name in error_keywords:
            # The template is the first argument; Babel reads it as it reads gettext's.
            name, arguments = "gettext", arguments[:1]
        if any(argument is not None for argument in arguments):
            calls.append((node.lineno, name, arguments))
    for lineno, name, arguments in sorted(calls, key=lambda call: call[0]):
        block: list[str] = []
        line = lineno - 1
        while line in comments:
            block.insert(0, comments[line])
            line -= 1
        # Only the tagged comment and the lines after it, as Babel does.
        tagged = [i for i, text in enumerate(block) if any(text.startswith(tag) for tag in comment_tags)]
        start = tagged[0] if tagged else None
        translator_comments = block[start:] if start is not None else []
        message = tuple(arguments) if len(arguments) > 1 else arguments[0]
        yield lineno, name, message, translator_comments


def extract_knowledge_yaml(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method for the knowledge YAML files (babel.cfg names it
    `onconav.i18n:extract_knowledge_yaml`): yields the names readers see, with their line numbers.

    Only the fields in KNOWLEDGE_MESSAGE_FIELDS are messages; codes, synonyms (search terms in English)
    and sources are not. Each message carries a comment naming the entry, for translators.
    """
    del keywords, comment_tags, options  # the format has no calls, tags or options to look at
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    top = {key.value: value for key, value in root.value}
    if isinstance(top.get("code"), yaml.ScalarNode) and isinstance(top.get("name"), yaml.ScalarNode):
        # One condition per file: its name and the names of its stages.
        code = top["code"].value
        yield top["name"].start_mark.line + 1, None, str(top["name"].value), [f"conditions {code}: name"]
        stages = top.get("stages")
        if isinstance(stages, yaml.SequenceNode):
            for stage in stages.value:
                values = {k.value: v for k, v in stage.value if isinstance(v, yaml.ScalarNode)}
                if "name" in values:
                    comment = f"conditions {code}: stage name"
                    yield values["name"].start_mark.line + 1, None, str(values["name"].value), [comment]
        return
    for list_key, list_node in root.value:
        fields = KNOWLEDGE_MESSAGE_FIELDS.get(list_key.value)
        if fields is None or not isinstance(list_node, yaml.SequenceNode):
            continue
        for entry in list_node.value:
            if not isinstance(entry, yaml.MappingNode):
                continue
            values = {key.value: value for key, value in entry.value if isinstance(value, yaml.ScalarNode)}
            code = values["code"].value if "code" in values else "?"
            for field in fields:
                node = values.get(field)
                if node is not None and str(node.value).strip():
                    comment = f"{list_key.value} {code}: {field.replace('_', ' ')}"
                    yield node.start_mark.line + 1, None, str(node.value), [comment]


@lru_cache(maxsize=64)
def _parsed_locale(locale: str) -> Locale:
    """Babel's locale, built once (`Locale(...)` looks for its data file, `format_decimal` parses its
    locale string, on every call: thousands of times on a results page)."""
    return Locale(locale) if "_" not in locale and "-" not in locale else Locale.parse(locale)


@lru_cache(maxsize=32)
def _parsed_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


_FORMATTED: dict[tuple[type, str, str, str], str] = {}
FORMATTED_LIMIT = 50_000  # numbers remembered (points and distances repeat from page to page)


def format_number(value: float, pattern: str, locale: str) -> str:
    """`babel.numbers.format_decimal(value, format=pattern, locale=locale)`, with the locale and the
    pattern parsed once and each number's text remembered (by its exact repr: 0.0 and -0.0 differ)."""
    key = (type(value), repr(value), pattern, locale)
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= FORMATTED_LIMIT:
            _FORMATTED.clear()
        text = _FORMATTED[key] = _parsed_pattern(pattern).apply(value, _parsed_locale(locale))
    return text
