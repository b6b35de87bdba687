"""The knowledge domain's public operations: the catalogue of services, specialties and conditions,
and `interpret_query`, which turns a patient's words into directory topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz, process

from onconav.errors import InvalidInput, NotFound
from onconav.knowledge.schemas import (
    Condition,
    ConditionsFile,
    QueryInterpretation,
    Service,
    ServicesFile,
    SourceRef,
    SpecialtiesFile,
    Specialty,
    TermKind,
    TermMatch,
)
from onconav.text import fold

FUZZY_CUTOFF = 86.0
MAX_NGRAM = 5


@dataclass(frozen=True)
class _Term:
    folded: str
    kind: TermKind
    code: str


@dataclass(frozen=True)
class Catalogue:
    """Every curated entry, validated, with lookup tables."""

    services: dict[str, Service]
    specialties: dict[str, Specialty]
    conditions: dict[str, Condition]
    service_sources: dict[str, SourceRef]
    condition_sources: dict[str, SourceRef]
    terms: tuple[_Term, ...]


def _read_yaml(name: str) -> object:
    text = resources.files("onconav.knowledge").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _check_references(
    services: ServicesFile, specialties: SpecialtiesFile, conditions: ConditionsFile
) -> None:
    known_specialties = {s.code for s in specialties.specialties}
    known_services = {s.code for s in services.services}
    for service in services.services:
        unknown = set(service.specialties) - known_specialties
        if unknown:
            raise ValueError(f"service {service.code!r} names unknown specialties {sorted(unknown)}")
    for condition in conditions.conditions:
        unknown = (set(condition.related_services) - known_services) | (
            set(condition.related_specialties) - known_specialties
        )
        if unknown:
            raise ValueError(f"condition {condition.code!r} names unknown entries {sorted(unknown)}")


def _build_terms(
    services: ServicesFile, specialties: SpecialtiesFile, conditions: ConditionsFile
) -> list[_Term]:
    terms: dict[str, _Term] = {}

    def add(words: str, kind: TermKind, code: str) -> None:
        key = fold(words)
        if not key:
            return
        existing = terms.get(key)
        if existing is not None and (existing.kind, existing.code) != (kind, code):
            raise ValueError(f"term {words!r} names both {existing.kind} {existing.code} and {kind} {code}")
        terms[key] = _Term(key, kind, code)

    for service in services.services:
        for words in (service.code.replace("-", " "), service.name, *service.synonyms):
            add(words, "service", service.code)
    for specialty in specialties.specialties:
        for words in (specialty.name, specialty.practitioner_title, *specialty.synonyms):
            add(words, "specialty", specialty.code)
    for condition in conditions.conditions:
        for words in (condition.name, *condition.synonyms):
            add(words, "condition", condition.code)
    return sorted(terms.values(), key=lambda t: (-len(t.folded), t.folded))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The validated catalogue (loaded once per process)."""
    services = ServicesFile.model_validate(_read_yaml("services.yaml"))
    specialties = SpecialtiesFile.model_validate(_read_yaml("specialties.yaml"))
    conditions = ConditionsFile.model_validate(_read_yaml("conditions.yaml"))
    _check_references(services, specialties, conditions)
    return Catalogue(
        services={s.code: s for s in services.services},
        specialties={s.code: s for s in specialties.specialties},
        conditions={c.code: c for c in conditions.conditions},
        service_sources=dict(services.sources),
        condition_sources=dict(conditions.sources),
        terms=tuple(_build_terms(services, specialties, conditions)),
    )


def list_services() -> list[Service]:
    """Every service, in catalogue order."""
    return list(catalogue().services.values())


def list_specialties() -> list[Specialty]:
    """Every specialty, in catalogue order."""
    return list(catalogue().specialties.values())


def get_service(code: str) -> Service | None:
    """The service with this code, or None."""
    return catalogue().services.get(code)


def get_service_or_raise(code: str) -> Service:
    """The service with this code; NotFound otherwise."""
    service = get_service(code)
    if service is None:
        raise NotFound('No procedure or service is called "%(code)s".', code=code)
    return service


def get_specialty(code: str) -> Specialty | None:
    """The specialty with this code, or None."""
    return catalogue().specialties.get(code)


def get_condition(code: str) -> Condition | None:
    """The condition with this code, or None."""
    return catalogue().conditions.get(code)


def service_source(code: str) -> SourceRef:
    """The reference a service's summary is drawn from."""
    cat = catalogue()
    return cat.service_sources[cat.services[code].source]


def entry_name(kind: TermKind, code: str) -> str:
    """Display name of a catalogue entry."""
    cat = catalogue()
    if kind == "service":
        return cat.services[code].name
    if kind == "specialty":
        return cat.specialties[code].name
    return cat.conditions[code].name


def _exact_matches(words: str) -> list[TermMatch]:
    """Longest-first, non-overlapping whole-word matches of catalogue terms inside the query."""
    found: list[TermMatch] = []
    remaining = f" {words} "
    for term in catalogue().terms:
        needle = f" {term.folded} "
        if needle in remaining:
            remaining = remaining.replace(needle, " | ")
            found.append(
                TermMatch(
                    kind=term.kind,
                    code=term.code,
                    name=entry_name(term.kind, term.code),
                    matched_text=term.folded,
                    exact=True,
                    score=100.0,
                )
            )
    return found


def _fuzzy_match(words: str) -> TermMatch | None:
    """The best catalogue term close to any run of up to MAX_NGRAM words of the query."""
    tokens = words.split()
    choices = {t.folded: t for t in catalogue().terms if len(t.folded) >= 4}
    best: tuple[float, _Term, str] | None = None
    for size in range(min(MAX_NGRAM, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            gram = " ".join(tokens[start : start + size])
            if len(gram) < 4:
                continue
            hit = process.extractOne(gram, choices.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit is not None and (best is None or hit[1] > best[0]):
                best = (hit[1], choices[hit[0]], gram)
    if best is None:
        return None
    score, term, gram = best
    return TermMatch(
        kind=term.kind,
        code=term.code,
        name=entry_name(term.kind, term.code),
        matched_text=gram,
        exact=False,
        score=round(score, 1),
    )


def _topics_for(matches: list[TermMatch]) -> dict[str, TermKind]:
    topics: dict[str, TermKind] = {}
    cat = catalogue()
    for match in matches:
        if match.kind == "service":
            topics[f"service:{match.code}"] = "service"
        elif match.kind == "specialty":
            topics.setdefault(f"specialty:{match.code}", "specialty")
        else:
            condition = cat.conditions[match.code]
            for code in condition.related_services:
                topics.setdefault(f"service:{code}", "condition")
            for code in condition.related_specialties:
                topics.setdefault(f"specialty:{code}", "condition")
    return topics


def suggest_terms(text: str, *, limit: int = 5) -> list[str]:
    """Catalogue names closest to `text`, for "did you mean" messages."""
    cat = catalogue()
    names = [s.name for s in cat.services.values()] + [s.name for s in cat.specialties.values()]
    names += [c.name for c in cat.conditions.values()]
    hits = process.extract(fold(text), {n: fold(n) for n in names}, scorer=fuzz.WRatio, limit=limit)
    return [name for _folded, _score, name in hits]


@lru_cache(maxsize=4096)
def interpret_query(text: str) -> QueryInterpretation:
    """What `text` names (procedures, specialties, conditions) and the directory topics to search.

    Raises InvalidInput when nothing in the text is recognised.
    """
    words = fold(text)
    if not words:
        raise InvalidInput('Type a procedure, a condition or a specialty, for example "metastasectomy".')
    matches = _exact_matches(words)
    if not matches:
        fuzzy = _fuzzy_match(words)
        matches = [fuzzy] if fuzzy else []
    if not matches:
        raise InvalidInput(
            'We do not recognise "%(query)s" as a procedure, condition or specialty.',
            query=text,
            suggestions=suggest_terms(text),
        )
    return QueryInterpretation(text=text, matches=matches, topics=_topics_for(matches))
