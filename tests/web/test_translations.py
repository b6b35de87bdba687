"""Translations: the Spanish catalogue is complete and in step with the sources, its placeholders match,
every template string is marked for translation, and readers get Spanish by header, by ?lang= and by the
language switch (which never redirects off the site).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from onconav.directory.reasons import DESIGNATION_LABELS
from onconav.i18n import LOCALE_COOKIE, extract_knowledge_yaml, extract_python_literals, get_translations
from onconav.knowledge import service as knowledge

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src" / "onconav" / "locale"
SPANISH_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
TEMPLATE_DIR = ROOT / "src" / "onconav" / "web" / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")

MessageId = str | tuple[str, ...]


@lru_cache(maxsize=1)
def extracted() -> dict[str, MessageId]:
    """What `pybabel extract -F babel.cfg` finds, keyed by singular msgid (as in a catalogue)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    messages: dict[str, MessageId] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        messages[key] = message
    return messages


def _key(msgid: MessageId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


@lru_cache(maxsize=1)
def spanish() -> Catalog:
    return _read_catalog(SPANISH_PO)


def _entries() -> Iterator[tuple[MessageId, str | tuple[str, ...]]]:
    for message in spanish():
        if message.id:
            yield message.id, message.string


# --- the catalogue against the sources ---------------------------------------------------------------


def test_extraction_finds_code_templates_and_knowledge_names() -> None:
    messages = extracted()
    assert "Find the specialists and centers that treat your condition" in messages  # a template
    assert "Type what you are looking for and a place." in messages  # Python (directory/routes.py)
    assert messages["%(num)s professional"] == ("%(num)s professional", "%(num)s professionals")  # ngettext
    # Run-time lookups such as _(p["name"]) in directory/reasons.py are not messages.
    assert "name" not in messages and "condition" not in messages


def test_every_name_readers_see_is_extracted() -> None:
    """Knowledge names are translated with gettext(name) at run time, designations with gettext(label)."""
    messages = extracted()
    shown = {s.name for s in knowledge.list_services()}
    shown |= {s.name for s in knowledge.list_specialties()}
    shown |= {s.practitioner_title for s in knowledge.list_specialties()}
    shown |= {c.name for c in knowledge.catalogue().conditions.values()}
    shown |= set(DESIGNATION_LABELS.values())
    missing = sorted(shown - set(messages))
    assert not missing, f"shown to readers but not extracted (see babel.cfg / onconav.i18n): {missing}"


def test_every_message_has_a_spanish_translation() -> None:
    catalog = spanish()
    problems = []
    for key, message in extracted().items():
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"missing: {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if isinstance(message, tuple) != entry.pluralizable:
            problems.append(f"plural forms differ from the source: {key!r}")
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected_forms = catalog.num_plurals if entry.pluralizable else 1
        if len(forms) != expected_forms or not all(form and form.strip() for form in forms):
            problems.append(f"untranslated: {key!r}")
    advice = "Run the pybabel commands at the top of babel.cfg, then translate:\n"
    assert not problems, advice + "\n".join(problems)


def test_catalogue_has_no_unused_or_obsolete_entries() -> None:
    catalog = spanish()
    unused = sorted(_key(m.id) for m in catalog if m.id and _key(m.id) not in extracted())
    assert not unused, f"in messages.po but no longer in the sources: {unused}"
    assert not catalog.obsolete, f"obsolete entries left in messages.po: {list(catalog.obsolete)}"
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_template_pot_is_current() -> None:
    """messages.pot is what the last extraction wrote: it lists exactly what the sources hold now."""
    template = _read_catalog(LOCALE_DIR / "messages.pot")
    assert {_key(m.id) for m in template if m.id} == set(extracted())


def test_no_compiled_catalogue_is_committed() -> None:
    compiled = list(LOCALE_DIR.rglob("*.mo"))
    assert not compiled, f"onconav compiles the .po files in memory: delete {compiled}"


# --- placeholders --------------------------------------------------------------------------------------


@pytest.mark.parametrize("msgid", [m.id for m in _read_catalog(SPANISH_PO) if m.id], ids=repr)
def test_spanish_placeholders_match_the_source_and_format(msgid: MessageId) -> None:
    entry = spanish()[_key(msgid)]
    sources = (msgid,) if isinstance(msgid, str) else tuple(msgid)
    forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    for index, form in enumerate(forms):
        source = sources[min(index, len(sources) - 1)]
        assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(source)), (source, form)
        # Templates use newstyle gettext, which always %-formats: a stray "%" would break the page.
        values = {name: "x" for name in PLACEHOLDER.findall(source)} | {"num": 1}
        form % values


# --- every template string is marked ---------------------------------------------------------------------

# Words that stay as they are in every language: the product name, units, and the autonyms of the
# language switch (each language is named in its own language).
UNTRANSLATED_WORDS = {"onconav", "km", "mi"}
TRANSLATED_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "aria-description"}


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value for name, value in attrs if name in TRANSLATED_ATTRIBUTES and value)

    def handle_data(self, data: str) -> None:
        self.found.append(data)


def _unmarked_words(source: str) -> set[str]:
    """Words of a template that readers would see as they are: text outside Jinja expressions and tags
    (what Jinja prints is either marked with _() / ngettext / {% trans %}, or data)."""
    literal = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", source, flags=re.DOTALL)
    finder = _TextFinder()
    finder.feed(literal)
    return {w for text in finder.found for w in re.findall(r"[^\W\d_]{2,}", text)} - UNTRANSLATED_WORDS


def test_the_template_check_finds_unmarked_text_and_attributes() -> None:
    sample = '<p>Hello {{ _("Marked") }}</p><input placeholder="Type here" value="{{ v }}"> onconav · 5 km'
    assert _unmarked_words(sample) == {"Hello", "Type", "here"}


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATE_DIR)) for p in TEMPLATE_DIR.rglob("*.html"))
)
def test_template_text_is_marked_for_translation(template: str) -> None:
    words = _unmarked_words((TEMPLATE_DIR / template).read_text(encoding="utf-8"))
    assert not words, f"{template}: text not wrapped in _() / {{% trans %}}: {sorted(words)}"


# --- readers get their language -----------------------------------------------------------------------

SPANISH_HOME = "Encuentre los especialistas y centros que tratan su enfermedad"
ENGLISH_HOME = "Find the specialists and centers that treat your condition"
ENGLISH = {"Accept-Language": "en-US,en;q=0.8"}


def test_accept_language_picks_spanish(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    assert SPANISH_HOME in response.text
    assert ENGLISH_HOME not in response.text
    assert response.headers["content-language"] == "es"


def test_english_by_default(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/", headers=ENGLISH)
    assert '<html lang="en">' in response.text
    assert ENGLISH_HOME in response.text


def test_the_lang_parameter_picks_spanish_over_the_header(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/?lang=es", headers=ENGLISH)
    assert '<html lang="es">' in response.text
    assert SPANISH_HOME in response.text


def test_language_switch_sets_a_cookie_and_switches_back(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/language/es?next=/", headers=ENGLISH, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert sqlite_client.cookies.get(LOCALE_COOKIE) == "es"

    later = sqlite_client.get("/about/ranking", headers=ENGLISH)
    assert '<html lang="es">' in later.text
    assert "Cómo se ordenan los resultados" in later.text

    back = sqlite_client.get("/language/en?next=/about/ranking", headers=ENGLISH, follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/about/ranking"
    page = sqlite_client.get("/", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in page.text  # the choice beats the browser's header
    assert ENGLISH_HOME in page.text


def test_unknown_language_is_refused(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/language/xx?next=/", follow_redirects=False)
    assert response.status_code == 422
    assert LOCALE_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http:/evil.example", "evil.example"]
)
def test_language_switch_never_leaves_the_site(sqlite_client: TestClient, target: str) -> None:
    response = sqlite_client.get("/language/es", params={"next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_language_switch_backslash_stays_a_local_path(sqlite_client: TestClient) -> None:
    """Browsers read "/\\host" as "//host": the backslash must not reach the Location header as is."""
    response = sqlite_client.get("/language/es", params={"next": "/\\evil.example/"}, follow_redirects=False)
    location = response.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert not urlsplit(location).netloc


def test_language_switch_keeps_the_search(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/procedures/metastasectomy/near/ukiah-ca?radius_km=150", headers=ENGLISH)
    link = re.search(r'href="(/language/es\?next=[^"]+)"', page.text)
    assert link, "the page links to its Spanish version"
    response = sqlite_client.get(link.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert response.headers["location"] == "/procedures/metastasectomy/near/ukiah-ca?radius_km=150"


def test_the_spanish_results_page_names_the_procedure_and_reasons_in_spanish(
    sqlite_client: TestClient,
) -> None:
    page = sqlite_client.get("/procedures/metastasectomy/near/ukiah-ca?lang=es").text
    assert "Metastasectomía cerca de Ukiah" in page  # the catalogue name, in Spanish
    assert "Por qué aparece en este lugar" in page
    assert "Ofrece: Metastasectomía" in page
    assert "Why ranked here" not in page


def test_typed_query_is_shown_as_typed(sqlite_client: TestClient) -> None:
    """Text the reader typed is never looked up in the catalogue (and a "%" in it breaks nothing)."""
    page = sqlite_client.get("/search?q=metastasectomy+and+lobectomy+100%25&near=Ukiah,+CA&lang=es")
    assert page.status_code == 200
    assert "metastasectomy and lobectomy 100% cerca de Ukiah" in page.text


# --- ranking reasons in the API ------------------------------------------------------------------------


def _reasons(client: TestClient, headers: dict[str, str]) -> list[list[tuple[str, str]]]:
    response = client.get("/api/v1/search?q=metastasectomy&near=Ukiah,%20CA", headers=headers)
    assert response.status_code == 200
    return [[(w["factor"], w["detail"]) for w in result["why"]] for result in response.json()["results"]]


def test_ranking_reasons_follow_the_reader_language(sqlite_client: TestClient) -> None:
    english = _reasons(sqlite_client, {})
    spanish_reasons = _reasons(sqlite_client, {"Accept-Language": "es"})
    assert english and len(english) == len(spanish_reasons)
    english_details = [d for result in english for _f, d in result]
    spanish_details = [d for result in spanish_reasons for _f, d in result]
    assert "Offers Metastasectomy" in english_details
    assert "Ofrece: Metastasectomía" in spanish_details
    assert any(d.startswith("A ") and " de Ukiah" in d for d in spanish_details)
    assert any(d.endswith("from Ukiah, California, United States") for d in english_details)
    for en_result, es_result in zip(english, spanish_reasons, strict=True):
        assert [f for f, _d in en_result] == [f for f, _d in es_result]
        for (factor, en_detail), (_factor, es_detail) in zip(en_result, es_result, strict=True):
            assert en_detail != es_detail, f"{factor} reason is not translated: {es_detail!r}"


def test_compiled_spanish_catalogue_translates_a_knowledge_name() -> None:
    assert get_translations("es").gettext("Indwelling pleural catheter") == "Catéter pleural permanente"
    assert get_translations("es").ngettext("%(num)s professional", "%(num)s professionals", 2) == (
        "%(num)s profesionales"
    )


# --- the extraction methods themselves ------------------------------------------------------------------


def test_python_extractor_takes_only_literal_messages() -> None:
    source = (
        b"# TRANSLATORS: a greeting\n"
        b"greeting = _('Hello')\n"
        b"name = _(params['name'])\n"
        b"count = ngettext('%(num)s file', '%(num)s files', n)\n"
        b"label = translations.gettext('Label')\n"
    )
    found = list(extract_python_literals(io.BytesIO(source), DEFAULT_KEYWORDS.keys(), ["TRANSLATORS:"], {}))
    # _(params["name"]) is a run-time lookup: nothing to extract (Babel's own method would take "name").
    assert [(line, func, message) for line, func, message, _c in found] == [
        (2, "_", "Hello"),
        (4, "ngettext", ("%(num)s file", "%(num)s files", None)),
        (5, "gettext", "Label"),
    ]
    assert found[0][3] == ["TRANSLATORS: a greeting"]


def test_knowledge_extractor_takes_names_not_synonyms() -> None:
    source = (
        b"services:\n"
        b"  - code: lobectomy\n"
        b"    name: Lobectomy\n"
        b"    synonyms: [lung lobectomy]\n"
        b"specialties:\n"
        b"  - code: thoracic-surgery\n"
        b"    name: Thoracic surgery\n"
        b"    practitioner_title: Thoracic surgeon\n"
    )
    found = list(extract_knowledge_yaml(io.BytesIO(source), (), (), {}))
    assert [(line, message) for line, _func, message, _c in found] == [
        (3, "Lobectomy"),
        (7, "Thoracic surgery"),
        (8, "Thoracic surgeon"),
    ]
    assert found[2][3] == ["specialties thoracic-surgery: practitioner title"]


def test_domain_errors_are_answered_in_the_readers_language(sqlite_client: TestClient) -> None:
    params = {"q": "lobectomy", "near": "Xyzzyqq"}
    spanish = sqlite_client.get("/api/v1/search", params=params, headers={"Accept-Language": "es"})
    english = sqlite_client.get("/api/v1/search", params=params)
    assert spanish.status_code == english.status_code == 422
    assert spanish.json()["error"]["message"].startswith("Ningún lugar coincide con «Xyzzyqq»")
    assert english.json()["error"]["message"].startswith('No place matches "Xyzzyqq"')
    page = sqlite_client.get("/search", params={**params, "lang": "es"})
    assert page.status_code == 422 and "Ningún lugar coincide" in page.text
