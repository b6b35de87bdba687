"""Directory search: the scored candidates (scoring.py) around the resolved place, expanded beyond the
radius when too few lie inside it, then hydrated into result cards with their reasons.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, Boolean, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from onconav.directory import ranking
from onconav.directory.condition_search import condition_rows
from onconav.directory.models import (
    EVIDENCE_UNKNOWN,
    HOSPITAL_TOPIC,
    PRACTICE_KIND,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
    display_name,
)
from onconav.directory.scoring import (
    ScoredEntry,
    SearchFilters,
    anyone_offers,
    match_kind,
    ranked_rows,
)
from onconav.directory.signals import SignalRow, designation_source, signals_of
from onconav.directory.statements import compiled, in_list, in_values, padded
from onconav.geo.schemas import PlaceResolution
from onconav.knowledge import service as knowledge
from onconav.knowledge.schemas import QueryInterpretation

MAX_RADIUS_KM = 20_040.0  # half the Earth's circumference: the largest radius a search may ask for
MIN_RESULTS_WITHIN = 5  # fewer than this (or than the limit) inside the radius: look beyond it
# Looking beyond the radius stops here (docs/ranking.md): farther than this, a list of "nearest" providers
# is no longer an answer about the place searched.
MAX_EXPANSION_KM = 500.0
# Where a provider's listing comes from, as `why` names it (organization.source / practitioner.source).
SOURCE_LABELS = {
    "demo": "onconav demo data (fictional)",
    "nppes": "NPPES NPI Registry",
    "cms-hospitals": "CMS Hospital General Information",
    "hifld-hospitals": "HIFLD Hospitals",
    "fhir": "FHIR directory import",
    "cms-volumes": "CMS Medicare Physician & Other Practitioners",
}
STAR_RATING_SOURCE = "CMS Hospital General Information (overall hospital rating)"


@dataclass
class ProviderHit:
    """One ranked organization or practitioner, with everything a result card shows."""

    kind: str
    id: int
    name: str
    score: float
    distance_km: float
    within_radius: bool
    factors: list[ranking.RankingFactor]
    topic: str
    city: str
    region: str | None
    country: str
    country_code: str
    lat: float
    lon: float
    organization_id: int | None  # None: a practitioner practising on their own
    organization_name: str | None
    organization_kind: str  # an organization kind, or "practice"
    specialty: str | None = None
    designations: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    accepts_international: bool = False
    tumor_board: bool = False
    clinical_trials: bool = False
    is_demo: bool = False
    evidence: str = "known"  # known | likely | unknown (models.EVIDENCE_*)


@dataclass(frozen=True)
class Coverage:
    """How much of the answer rests on what sources list (docs/ranking.md, "Coverage")."""

    known: int
    likely: int
    unknown: int
    asked_for: str  # the name of what the query named ("Metastasectomy", "Lung cancer")
    as_condition: bool  # the query named a condition
    expansion_cap_km: float
    hospitals_shown: bool  # nearest general hospitals were added as "services unknown"
    by_name: bool = False  # the query named a provider: the answer says who they are, not what they treat


@dataclass
class SearchOutcome:
    """The answer to one search: what was understood, where, and the ranked providers."""

    interpretation: QueryInterpretation
    place: PlaceResolution
    radius_km: float
    limit: int
    filters: SearchFilters
    hits: list[ProviderHit]
    within_radius_count: int
    expanded_radius_km: float | None
    found_by: str = "topic"  # topic | name (directory/name_search.py: the query named a provider)
    # Set by run_search; an outcome built elsewhere (a search by name) counts its hits' evidence.
    measured_coverage: Coverage | None = None

    @property
    def coverage(self) -> Coverage:
        """How many results are known, likely, or general hospitals of unknown services."""
        if self.measured_coverage is not None:
            return self.measured_coverage
        return _coverage(
            self.hits, self.interpretation, hospitals_shown=False, by_name=self.found_by == "name"
        )

    @property
    def too_few_within_radius(self) -> bool:
        """True when the radius held fewer results than asked for and the search looked further."""
        return self.expanded_radius_km is not None


def _hydrate(
    session: Session,
    rows: list[ScoredEntry],
    *,
    topics: dict[str, str],
    interpretation: QueryInterpretation,
    place: PlaceResolution,
    radius_km: float,
) -> list[ProviderHit]:
    """Turn scored rows into result cards with names, places and reasons."""
    org_ids = {row.entry.organization_id for row in rows if row.entry.organization_id is not None}
    practitioner_ids = [row.entry.entity_id for row in rows if row.entry.entity_kind == "practitioner"]
    location_ids = {row.entry.location_id for row in rows}
    # Plain column rows, not ORM objects, by statements compiled once: hydration runs on every search.
    connection = session.connection()
    orgs = _rows_by_id(connection, ORGANIZATION_COLUMNS, org_ids)
    locations = _rows_by_id(connection, LOCATION_COLUMNS, location_ids)
    practitioners = _rows_by_id(connection, PRACTITIONER_COLUMNS, practitioner_ids)
    specialties = _specialties(connection, practitioner_ids)
    volume_sources = _volume_sources(connection, rows)
    signals = signals_of(
        connection, {row.entry.entity_id for row in rows if row.entry.entity_kind == "organization"}
    )
    condition_name = next((m.name for m in interpretation.matches if m.kind == "condition"), None)
    condition_search = any(how == "condition" for how in topics.values())
    hits = []
    for row in rows:
        entry = row.entry
        org = orgs[entry.organization_id] if entry.organization_id is not None else None
        location = locations[entry.location_id]
        topic_kind, topic_code = entry.topic.split(":", 1)
        requested_as = topics[entry.topic]
        topic_name = _topic_name(topic_kind, topic_code, interpretation)
        within = row.distance_km <= radius_km
        person = practitioners.get(entry.entity_id) if entry.entity_kind == "practitioner" else None
        own = signals.get(entry.entity_id, []) if entry.entity_kind == "organization" else []
        factors = ranking.explain(
            match_kind=match_kind(entry.topic, requested_as),
            topic_name=topic_name,
            condition_name=condition_name
            if requested_as == "condition" or topic_kind == "condition"
            else None,
            condition_stage=interpretation.stage if requested_as == "condition" else None,
            topics_matched=row.topics_matched,
            topics_total=len(topics),
            service_topic=topic_kind == "service",
            annual_volume=entry.annual_volume,
            designations=entry.designations,
            tumor_board=entry.tumor_board,
            clinical_trials=entry.clinical_trials,
            distance_km=row.distance_km,
            place_name=place.place.name,
            within_radius=within,
            radius_km=radius_km,
            sources=_reason_sources(
                listing=person.source if person else org.source if org else "demo",
                volume=volume_sources.get((entry.entity_id, topic_code))
                if entry.entity_kind == "practitioner"
                else None,
                signals=own,
            ),
            evidence=entry.evidence,
            signals=tuple(
                ranking.SignalFact(s.kind, s.count, s.detail, s.source) for s in own if s.topic == entry.topic
            ),
            condition_search=condition_search,
            star_rating=org.cms_star_rating
            if org is not None and entry.entity_kind == "organization"
            else None,
        )
        hits.append(
            ProviderHit(
                kind=entry.entity_kind,
                id=entry.entity_id,
                name=display_name(person.prefix, person.given_name, person.family_name, person.credentials)
                if person
                else org.name
                if org
                else "",
                score=round(row.score, 2),
                distance_km=round(row.distance_km, 1),
                within_radius=within,
                factors=factors,
                topic=entry.topic,
                city=location.city,
                region=location.region,
                country=location.country,
                country_code=location.country_code,
                lat=location.lat,
                lon=location.lon,
                organization_id=org.id if org else None,
                organization_name=org.name if org else None,
                organization_kind=org.kind if org else PRACTICE_KIND,
                specialty=specialties.get((person.id, org.id if org else None)) if person else None,
                designations=ranking.designation_codes(entry.designations),
                languages=list(person.languages if person else org.languages if org else []),
                accepts_international=bool(org and org.accepts_international),
                tumor_board=bool(org and org.tumor_board),
                clinical_trials=bool(org and org.clinical_trials),
                is_demo=person.is_demo if person else bool(org and org.is_demo),
                evidence=entry.evidence,
            )
        )
    return hits


_O, _L, _P = Organization.__table__.c, Location.__table__.c, Practitioner.__table__.c
ORGANIZATION_COLUMNS = (
    _O.id, _O.name, _O.kind, _O.languages, _O.accepts_international, _O.tumor_board, _O.clinical_trials,
    _O.is_demo, _O.cms_star_rating, _O.source,
)  # fmt: skip
LOCATION_COLUMNS = (_L.id, _L.city, _L.region, _L.country, _L.country_code, _L.lat, _L.lon)
PRACTITIONER_COLUMNS = (
    _P.id, _P.prefix, _P.given_name, _P.family_name, _P.credentials, _P.languages, _P.is_demo, _P.source,
)  # fmt: skip


def _rows_by_id(connection: Connection, columns: tuple[Any, ...], ids: Iterable[int]) -> dict[int, Any]:
    """Rows of `columns` (the first is the id) for these ids, by id, with the types the ORM would give
    (the driver returns SQLite's booleans as integers and JSON as text)."""
    wanted = padded(sorted(set(ids)))
    if not wanted:
        return {}
    statement = compiled(
        connection,
        ("search-by-id", columns[0].table.name, len(wanted)),
        lambda: select(*columns).where(columns[0].in_(in_list("i", len(wanted)))),
    )
    keys = [column.key for column in columns]
    booleans = [column.key for column in columns if isinstance(column.type, Boolean)]
    documents = [column.key for column in columns if isinstance(column.type, JSON)]
    found = {}
    for row in statement.execute(connection, in_values("i", wanted)):
        values = dict(zip(keys, row, strict=True))
        for key in booleans:
            if values[key] is not None:
                values[key] = bool(values[key])
        for key in documents:
            if isinstance(values[key], str):
                values[key] = json.loads(values[key])
        found[values["id"]] = SimpleNamespace(**values)
    return found


def _topic_name(topic_kind: str, topic_code: str, interpretation: QueryInterpretation) -> str:
    if topic_kind == "condition":
        return knowledge.entry_name("condition", topic_code)
    if topic_kind == "facility":
        return next((m.name for m in interpretation.matches), topic_code)
    return knowledge.entry_name("service" if topic_kind == "service" else "specialty", topic_code)


def _reason_sources(*, listing: str, volume: str | None, signals: list[SignalRow]) -> ranking.ReasonSources:
    """Where each fact of a result comes from: its listing, and the signals on record for it."""
    listed = SOURCE_LABELS.get(listing, listing)
    trials = next((s.source for s in signals if s.kind == "trials" and s.topic is None), None)
    designations = {"nci": designation_source()} if any(s.kind == "designation" for s in signals) else {}
    return ranking.ReasonSources(
        listing=listed,
        designations=designations,
        volume=volume,
        star_rating=STAR_RATING_SOURCE,
        tumor_board=listed,
        clinical_trials=trials or listed,
    )


def _specialties(connection: Connection, practitioner_ids: list[int]) -> dict[tuple[int, int | None], str]:
    """(practitioner id, organization id) -> the specialty of that role."""
    wanted = padded(sorted(set(practitioner_ids)))
    if not wanted:
        return {}
    r = PractitionerRole.__table__.c
    statement = compiled(
        connection,
        ("search-specialties", len(wanted)),
        lambda: select(r.practitioner_id, r.organization_id, r.specialty).where(
            r.practitioner_id.in_(in_list("p", len(wanted)))
        ),
    )
    return {
        (person, organization): specialty
        for person, organization, specialty in statement.execute(connection, in_values("p", wanted))
    }


def _volume_sources(connection: Connection, rows: list[ScoredEntry]) -> dict[tuple[int, str], str]:
    """(practitioner id, service code) -> where the volume a winner shows comes from ("CMS Medicare 2023")."""
    wanted = {
        (row.entry.entity_id, row.entry.topic.split(":", 1)[1])
        for row in rows
        if row.entry.entity_kind == "practitioner"
        and row.entry.topic.startswith("service:")
        and row.entry.annual_volume
    }
    if not wanted:
        return {}
    r, rs = PractitionerRole.__table__.c, PractitionerRoleService.__table__.c
    people = padded(sorted({person for person, _code in wanted}))
    codes = padded(sorted({code for _person, code in wanted}))
    statement = compiled(
        connection,
        ("search-volume-sources", len(people), len(codes)),
        lambda: (
            select(r.practitioner_id, rs.service_code, rs.volume_source)
            .join_from(PractitionerRole.__table__, PractitionerRoleService.__table__, rs.role_id == r.id)
            .where(
                r.practitioner_id.in_(in_list("p", len(people))),
                rs.service_code.in_(in_list("c", len(codes))),
                rs.volume_source.is_not(None),
            )
        ),
    )
    return {
        (person, code): source
        for person, code, source in statement.execute(
            connection, {**in_values("p", people), **in_values("c", codes)}
        )
        if source and (person, code) in wanted
    }


def run_search(
    session: Session,
    *,
    interpretation: QueryInterpretation,
    place: PlaceResolution,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> SearchOutcome:
    """Rank providers for an understood query around a resolved place (inputs already validated).

    Too few inside the radius: the best beyond it, doubling the reach up to MAX_EXPANSION_KM. Fewer than
    that known or likely to do it: the nearest general hospitals, marked "services unknown" (coverage).
    """
    topics: dict[str, str] = dict(interpretation.topics)
    for match in interpretation.matches:
        if match.kind == "condition":  # hospitals a public source ties to the condition itself
            topics[f"condition:{match.code}"] = "condition"
    lat, lon = place.place.lat, place.place.lon
    first_pass = condition_rows if len(topics) > 1 else ranked_rows
    rows = first_pass(
        session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
    )
    within_count = len(rows)
    expanded: float | None = None
    wanted = min(limit, MIN_RESULTS_WITHIN)
    if within_count < wanted and radius_km < MAX_EXPANSION_KM and anyone_offers(session, topics):
        reach = radius_km
        beyond: list[ScoredEntry] = []
        while reach < MAX_EXPANSION_KM:
            reach = min(reach * 2, MAX_EXPANSION_KM)
            beyond = ranked_rows(
                session,
                topics=topics,
                lat=lat,
                lon=lon,
                radius_km=reach,
                limit=limit - within_count,
                filters=filters,
                min_distance_km=radius_km,
            )
            if within_count + len(beyond) >= wanted:
                break
        if beyond:
            expanded = reach
            rows = _by_score([*rows, *beyond])
    topics_shown = dict(topics)
    hospitals_shown = False
    if len(rows) < wanted and filters.kind in (None, "organization", "hospital"):
        nearest = _nearest_hospitals(
            session, rows, place=place, radius_km=radius_km, wanted=wanted, filters=filters
        )
        if nearest:
            hospitals_shown = True
            topics_shown[HOSPITAL_TOPIC] = "hospital"
            if any(row.distance_km > radius_km for row in nearest):
                expanded = max(expanded or 0.0, max(row.distance_km for row in nearest))
            rows = _by_score([*rows, *nearest])
    hits = _hydrate(
        session, rows, topics=topics_shown, interpretation=interpretation, place=place, radius_km=radius_km
    )
    return SearchOutcome(
        interpretation=interpretation,
        place=place,
        radius_km=radius_km,
        limit=limit,
        filters=filters,
        hits=hits,
        within_radius_count=within_count,
        expanded_radius_km=expanded,
        measured_coverage=_coverage(hits, interpretation, hospitals_shown=hospitals_shown),
    )


def _by_score(rows: list[ScoredEntry]) -> list[ScoredEntry]:
    return sorted(rows, key=lambda r: (-r.score, r.entry.entity_kind, r.entry.entity_id))


def _nearest_hospitals(
    session: Session,
    rows: list[ScoredEntry],
    *,
    place: PlaceResolution,
    radius_km: float,
    wanted: int,
    filters: SearchFilters,
) -> list[ScoredEntry]:
    """The nearest general hospitals not already listed, within the radius or else up to the cap."""
    listed = {(row.entry.entity_kind, row.entry.entity_id) for row in rows}
    lat, lon = place.place.lat, place.place.lon
    needed = wanted - len(rows)
    cap = max(radius_km, MAX_EXPANSION_KM)
    reach = radius_km
    while True:
        found = ranked_rows(
            session,
            topics={HOSPITAL_TOPIC: "hospital"},
            lat=lat,
            lon=lon,
            radius_km=reach,
            limit=needed + len(listed),
            filters=filters,
        )
        fresh = [row for row in found if (row.entry.entity_kind, row.entry.entity_id) not in listed]
        if len(fresh) >= needed or reach >= cap:
            return fresh[: max(0, needed)]
        reach = min(reach * 2, cap)


def _coverage(
    hits: list[ProviderHit],
    interpretation: QueryInterpretation,
    *,
    hospitals_shown: bool,
    by_name: bool = False,
) -> Coverage:
    counts = {"known": 0, "likely": 0, EVIDENCE_UNKNOWN: 0}
    for hit in hits:
        counts[hit.evidence] = counts.get(hit.evidence, 0) + 1
    first = interpretation.matches[0] if interpretation.matches else None
    return Coverage(
        known=counts["known"],
        likely=counts["likely"],
        unknown=counts[EVIDENCE_UNKNOWN],
        asked_for=first.name if first else interpretation.text,
        as_condition=bool(first and first.kind == "condition"),
        expansion_cap_km=MAX_EXPANSION_KM,
        hospitals_shown=hospitals_shown,
        by_name=by_name,
    )
