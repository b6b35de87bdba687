"""The support services front door: search with reasons, one listing, the CSV import, the demo.

Other domains and faces call only this module (and `schemas`). Functions take a session and never commit.
"""

from __future__ import annotations

import functools
import math
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from onconav.db import utcnow
from onconav.directory import service as directory
from onconav.errors import InvalidInput, NotFound
from onconav.geo import service as geo
from onconav.geo.schemas import Place
from onconav.i18n import get_translations, language_name
from onconav.knowledge import service as knowledge
from onconav.support import demo, ranking
from onconav.support.importer import ListingRow, RowProblem, read_listings
from onconav.support.models import CATEGORIES, DELIVERY_MODES, SOURCE_DEMO, SupportService
from onconav.support.reasons import CATEGORY_LABELS, DELIVERY_LABELS, describe_factor, label
from onconav.support.schemas import (
    ConditionServedRead,
    ImportSummary,
    PlaceSearchedRead,
    SupportHit,
    SupportHitRead,
    SupportReasonRead,
    SupportSearchResponse,
    SupportServiceRead,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_LIMIT",
    "DEFAULT_RADIUS_KM",
    "DELIVERY_MODES",
    "MAX_RADIUS_KM",
    "category_options",
    "condition_options",
    "get_listing_or_raise",
    "import_listings",
    "language_options",
    "load_demo",
    "search_support",
]

DEFAULT_RADIUS_KM = 100.0
MAX_RADIUS_KM = 20_040.0  # half the Earth's circumference, as the directory
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**31 - 1


@functools.cache
def _condition_names() -> dict[str, str]:
    """Every condition's name by code (the catalogue is read once per process)."""
    return {condition.code: condition.name for condition in knowledge.list_conditions()}


def category_options(*, locale: str) -> list[tuple[str, str]]:
    """(code, label) of every category, in the reader's language."""
    translations = get_translations(locale)
    return [(code, label(CATEGORY_LABELS, code, translations)) for code in CATEGORIES]


def condition_options(*, locale: str) -> list[tuple[str, str]]:
    """(code, name) of every condition of the knowledge catalogue, in the reader's language."""
    _ = get_translations(locale).gettext
    return sorted(((code, _(name)) for code, name in _condition_names().items()), key=lambda pair: pair[1])


def language_options(session: Session, *, locale: str) -> list[tuple[str, str]]:
    """(code, name) of every language some listing is offered in, by name in the reader's language."""
    codes = {code for languages in session.scalars(select(SupportService.languages)) for code in languages}
    return sorted(((code, language_name(code, locale)) for code in codes), key=lambda pair: pair[1])


def _check_search(
    category: str | None, radius_km: float, limit: int, language: str | None, delivery: str | None
) -> None:
    if category is not None and category not in CATEGORIES:
        raise InvalidInput(
            "Unknown category %(value)s; use one of %(choices)s.",
            value=category,
            choices=", ".join(CATEGORIES),
        )
    if not math.isfinite(radius_km) or radius_km <= 0 or radius_km > MAX_RADIUS_KM:
        raise InvalidInput(
            "The radius must be more than 0 and at most %(max)s km.",
            value=radius_km,
            max=f"{MAX_RADIUS_KM:,.0f}",
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("The number of results must be between 1 and %(max)s.", value=limit, max=MAX_LIMIT)
    if language is not None and not (len(language) == 2 and language.isalpha() and language.isascii()):
        raise InvalidInput(
            "The language must be an ISO 639-1 code of two letters, such as es.", value=language
        )
    if delivery is not None and delivery not in DELIVERY_MODES:
        raise InvalidInput(
            "Unknown way of taking part %(value)s; use one of %(choices)s.",
            value=delivery,
            choices=", ".join(DELIVERY_MODES),
        )


def _lineage(condition: str | None) -> tuple[str, ...]:
    """The condition's code and its ancestors'; a name or diagnosis in words is read by the knowledge
    service ("pleural mesothelioma", "mesotelioma"); InvalidInput when it names no condition."""
    if condition is None:
        return ()
    lineage = knowledge.condition_lineage(code=condition)
    if lineage:
        return lineage
    try:
        interpretation = knowledge.interpret_query(condition)
    except InvalidInput:
        interpretation = None
    named = (
        next((m.code for m in interpretation.matches if m.kind == "condition"), None)
        if interpretation
        else None
    )
    if named is None:
        raise InvalidInput(
            "Unknown condition %(value)s: name a cancer (pleural mesothelioma) or give its catalogue code.",
            value=condition,
            suggestions=knowledge.suggest_terms(condition),
        )
    return knowledge.condition_lineage(code=named)


def _match(
    row: SupportService,
    *,
    lineage: tuple[str, ...],
    kinds: frozenset[str],
    condition_name: str | None,
    place: Place | None,
    radius_km: float,
    language: str | None,
    delivery: str | None,
    today: date,
) -> SupportHit | None:
    match = ranking.condition_match(row.conditions, lineage, kinds) if lineage else None
    if lineage and match is None:
        return None
    if language is not None and language not in row.languages:
        return None
    distance = None
    if place is not None and row.lat is not None and row.lon is not None:
        distance = geo.haversine_km(place.lat, place.lon, row.lat, row.lon)
    elif place is not None and "in_person" in row.delivery:
        distance = math.inf  # an in-person service without coordinates cannot be near anywhere
    reach = ranking.reach_of(row.delivery, distance, radius_km, delivery)
    if reach is None:
        return None
    factors = ranking.score_listing(
        match=match,
        condition_name=condition_name,
        served_name=_served_name(row.conditions, kinds),
        reach=reach,
        distance_km=distance if reach == "in_person" else None,
        place_name=place.name if place else None,
        remote_asked=delivery in ("online", "phone"),
        language=language,
        source=ranking_source(row),
        source_date=row.source_date,
        today=today,
    )
    shown_distance = (
        distance if reach == "in_person" and distance is not None and math.isfinite(distance) else None
    )
    return SupportHit(row, reach, shown_distance, factors, ranking.total(factors))


def _kinds_of(code: str) -> frozenset[str]:
    """The codes of the catalogue's conditions that are a kind of `code` (at any depth)."""
    return frozenset(
        condition.code
        for condition in knowledge.list_conditions()
        if code in knowledge.condition_lineage(code=condition.code)[1:]
    )


def _served_name(conditions: list[str], kinds: frozenset[str]) -> str | None:
    """The name of the first of a listing's conditions that is a kind of the one searched."""
    served = next((code for code in conditions if code in kinds), None)
    return _condition_names().get(served) if served else None


def ranking_source(row: SupportService) -> str:
    """The source a listing's reasons name: the demo's, or the importing operator's."""
    return SOURCE_DEMO if row.is_demo else f"{row.source} ({row.source_date.isoformat()})"


def search_support(
    session: Session,
    *,
    category: str | None = None,
    condition: str | None = None,
    near: str | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    language: str | None = None,
    delivery: str | None = None,
    limit: int = DEFAULT_LIMIT,
    locale: str = "en",
    today: date | None = None,
) -> SupportSearchResponse:
    """Support services matching the search, best first, each with its reasons; InvalidInput for bad input."""
    category, condition, language, delivery = (
        (value.strip().lower() or None) if value else None
        for value in (category, condition, language, delivery)
    )
    _check_search(category, radius_km, limit, language, delivery)
    lineage = _lineage(condition)
    names = _condition_names()
    kinds = _kinds_of(lineage[0]) if lineage else frozenset()
    condition_name = names.get(lineage[0]) if lineage else None
    place = geo.resolve_place(near).place if near and near.strip() else None
    statement = select(SupportService).order_by(SupportService.id)
    if category is not None:
        statement = statement.where(SupportService.category == category)
    today = today or utcnow().date()
    hits = [
        hit
        for row in session.scalars(statement)
        if (
            hit := _match(
                row,
                lineage=lineage,
                kinds=kinds,
                condition_name=condition_name,
                place=place,
                radius_km=radius_km,
                language=language,
                delivery=delivery,
                today=today,
            )
        )
        is not None
    ]
    hits.sort(
        key=lambda hit: (
            -hit.score,
            hit.distance_km if hit.distance_km is not None else math.inf,
            hit.row.name,
        )
    )
    translations = get_translations(locale)
    results = [
        SupportHitRead(
            service=SupportServiceRead.from_row(
                hit.row, condition_names=names, translations=translations, locale=locale
            ),
            reach=hit.reach,
            reach_label=label(DELIVERY_LABELS, hit.reach, translations),
            distance_km=round(hit.distance_km, 1) if hit.distance_km is not None else None,
            score=hit.score,
            why=[
                SupportReasonRead(
                    factor=factor.factor,
                    points=factor.points,
                    detail=describe_factor(factor, translations, locale),
                    source=factor.source,
                )
                for factor in hit.factors
                if factor.points != 0
            ],
        )
        for hit in hits[:limit]
    ]
    return SupportSearchResponse(
        category=category,
        condition=ConditionServedRead(code=lineage[0], name=translations.gettext(condition_name or ""))
        if lineage
        else None,
        place=PlaceSearchedRead(name=place.name, slug=place.slug, lat=place.lat, lon=place.lon)
        if place
        else None,
        radius_km=radius_km,
        language=language,
        delivery=delivery,
        total=len(hits),
        includes_demo=any(hit.service.is_demo for hit in results),
        results=results,
    )


def get_listing_or_raise(session: Session, *, listing_id: int, locale: str = "en") -> SupportServiceRead:
    """One support service listing; NotFound when there is none with this id."""
    row = session.get(SupportService, listing_id) if 0 < listing_id <= MAX_ID else None
    if row is None:
        raise NotFound("There is no support service %(id)s.", id=listing_id)
    return SupportServiceRead.from_row(
        row, condition_names=_condition_names(), translations=get_translations(locale), locale=locale
    )


def _natural_key(row: ListingRow) -> str:
    return "|".join((row.name.casefold(), (row.city or "").casefold(), (row.postal_code or "").casefold()))


def _write(session: Session, rows: list[ListingRow], *, is_demo: bool) -> ImportSummary:
    """Insert or update every row (same source and natural key: the same listing)."""
    now = utcnow()
    existing = {
        (listing.source, listing.natural_key): listing
        for listing in session.scalars(select(SupportService).where(SupportService.is_demo.is_(is_demo)))
    }
    inserted = updated = 0
    for row in rows:
        values = {name: getattr(row, name) for name in row.__dataclass_fields__ if name != "line"}
        key = (row.source, _natural_key(row))
        listing = existing.get(key)
        if listing is None:
            listing = SupportService(natural_key=key[1], is_demo=is_demo, imported_at=now, **values)
            session.add(listing)
            existing[key] = listing
            inserted += 1
        else:
            for name, value in values.items():
                setattr(listing, name, value)
            listing.imported_at = now
            updated += 1
    session.flush()
    return ImportSummary(inserted=inserted, updated=updated)


def import_listings(session: Session, *, text: str) -> ImportSummary:
    """Import a support services CSV (docs/support-services.md): every row, or nothing.

    Raises InvalidInput listing each malformed row's line and reason (`details["problems"]`).
    """
    rows, problems = read_listings(text)
    for row in rows:
        if row.source.casefold() == SOURCE_DEMO.casefold():
            problems.append(
                RowProblem(row.line, f"source '{row.source}' is reserved for the shipped demo listings")
            )
        if row.organization_id is not None:
            try:
                directory.get_organization_or_raise(session, organization_id=row.organization_id)
            except NotFound:
                problems.append(
                    RowProblem(row.line, f"organization_id {row.organization_id} is not in the directory")
                )
    if not problems and not rows:
        problems.append(RowProblem(1, "the file has no rows"))
    if problems:
        problems.sort(key=lambda problem: problem.line)
        raise InvalidInput(
            "The file has %(count)s malformed row(s); nothing was imported.",
            count=len(problems),
            problems=[{"line": problem.line, "reason": problem.reason} for problem in problems],
        )
    return _write(session, rows, is_demo=False)


def load_demo(session: Session) -> ImportSummary:
    """Replace the demo support listings (fictional, marked as demo) with the shipped set."""
    session.execute(delete(SupportService).where(SupportService.is_demo.is_(True)))
    rows, problems = read_listings(demo.demo_csv_text())
    if problems:  # the shipped file is checked by the tests; a broken copy must not load half
        raise InvalidInput("The demo support listings are malformed: %(problems)s", problems=str(problems))
    return _write(session, rows, is_demo=True)
