"""Jinja2 rendering in the reader's language: one environment per locale, built once.

Templates use {% trans %} / _() for every user-facing string (extracted with Babel). Each locale's
environment translates the literal messages of its templates once, when it compiles them
(`TranslatedEnvironment`), instead of on every render; templates are never reloaded from disk.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, Template, nodes, select_autoescape
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

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


GETTEXT_NAMES = frozenset({"_", "gettext"})


class _TranslateLiterals(NodeTransformer):
    """Replaces `_("literal", name=value, ...)` with the literal's translation, marked safe and formatted
    with its values as jinja2.ext's newstyle gettext does at render time (`Markup(translation) % values`).
    A message without values becomes constant text of the compiled template."""

    def __init__(self, gettext: Any) -> None:
        self.gettext = gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # type: ignore[assignment]
        message = node.args[0] if len(node.args) == 1 else None
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT_NAMES
            and isinstance(message, nodes.Const)
            and isinstance(message.value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        translation = self.gettext(message.value)
        if node.kwargs:
            values = [nodes.Pair(nodes.Const(k.key), k.value, lineno=k.lineno) for k in node.kwargs]
            marked = nodes.MarkSafe(nodes.Const(translation), lineno=node.lineno)
            return nodes.Mod(marked, nodes.Dict(values, lineno=node.lineno), lineno=node.lineno)
        try:
            return nodes.MarkSafe(nodes.Const(str(Markup(translation) % {})), lineno=node.lineno)
        except (KeyError, TypeError, ValueError):
            return node  # not a valid message without values: it fails at render time, as before


class _AcyclicTemplate(Template):
    """A template whose render leaves no reference cycle behind.

    A template's macros are closures over its render context, and the context holds them: every render left
    the context, and all that the page was given (a results page: the search response, its results and
    reasons, the contacts, the map), for the cycle collector, which a results page then ran about once per
    request. Emptying the context's variables when the render ends lets reference counting free them."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = self.new_context(dict(*args, **kwargs))
        try:
            return self.environment.concat(self.root_render_func(context))
        except Exception:
            self.environment.handle_exception()
        finally:
            context.vars.clear()


class TranslatedEnvironment(Environment):
    """An environment for one locale whose templates carry their literal messages already translated.

    Only where the result is the same as at render time: autoescaped templates (the newstyle gettext marks
    translations safe there) that never change autoescaping and never rebind `_` or `gettext`."""

    template_class = _AcyclicTemplate

    def __init__(self, gettext: Any, **options: Any) -> None:
        super().__init__(**options)
        self.literal_gettext = gettext

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        autoescape = self.autoescape(name) if callable(self.autoescape) else self.autoescape
        rebinds = any(
            target.name in GETTEXT_NAMES and target.ctx != "load" for target in source.find_all(nodes.Name)
        )
        modifies = any(True for _ in source.find_all((nodes.EvalContextModifier,)))
        if autoescape and not rebinds and not modifies:
            source = _TranslateLiterals(self.literal_gettext).visit(source)
        return super()._generate(source, name, filename, defer_init)


@cache
def environment(locale: str) -> Environment:
    """The template environment for one locale."""
    translations = get_translations(locale)
    env = TranslatedEnvironment(
        translations.gettext,
        loader=PackageLoader("onconav", "web/templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship inside the package: a new version is a new process
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def number(value: Any) -> str:
        return format_number(value, "#,##0.##", locale)

    def signed(value: Any) -> str:
        return format_number(value, "+#,##0.0;-#,##0.0", locale)

    # Also filters (`{{ x | number }}`): a filter is called directly, a global through Context.call, which
    # counts on a results page (a number and a signed score per reason of every result).
    env.filters.update(number=number, signed=signed)
    env.globals.update(
        locale=locale,
        supported_locales=SUPPORTED_LOCALES,
        version=__version__,
        nav_section=nav_section,
        # Names from Babel's locale data, remembered: a results page names a language or country per result.
        language_name=lru_cache(maxsize=1024)(lambda code: language_name(code, locale)),
        country_name=lru_cache(maxsize=1024)(lambda code: country_name(code, locale)),
        designation_label=lambda code: directory.designation_label(code, translations),
        describe_factor=lambda factor: directory.describe_factor(factor, translations, locale),
        number=number,
        signed=signed,
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
