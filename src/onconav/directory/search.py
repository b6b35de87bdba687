"""Directory search: candidates from the search entries near a point, scored in SQL by the ranking
function, expanded beyond the radius when too few lie inside it, then hydrated for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from onconav.directory import ranking
from onconav.directory.models import (
    DESIGNATION_BITS,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    SearchEntry,
    display_name,
)
from onconav.geo import service as geo
from onconav.geo.schemas import PlaceResolution
from onconav.knowledge import service as knowledge
from onconav.knowledge.schemas import QueryInterpretation

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 20_040.0  # half the Earth's circumference: everywhere
MIN_RESULTS_WITHIN = 5  # fewer than this (or than the limit) inside the radius: look beyond it
ORG_KINDS = ("hospital", "cancer_center", "clinic")
RESULT_KINDS = ("organization", "practitioner", *ORG_KINDS)


@dataclass(frozen=True)
class SearchFilters:
    """Optional narrowing of a search; None means "any"."""

    kind: str | None = None  # organization | practitioner | hospital | cancer_center | clinic
    language: str | None = None  # ISO 639-1
    international: bool | None = None  # only providers that accept international patients
    designation: str | None = None  # nci | coc | jci


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
    organization_id: int
    organization_name: str
    organization_kind: str
    specialty: str | None = None
    designations: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    accepts_international: bool = False
    tumor_board: bool = False
    clinical_trials: bool = False
    is_demo: bool = False


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

    @property
    def too_few_within_radius(self) -> bool:
        """True when the radius held fewer results than asked for and the search looked further."""
        return self.expanded_radius_km is not None


@dataclass(frozen=True)
class _ScoredEntry:
    """A search entry with its distance from the searched place and its score."""

    entry: Any  # a row of search_entry columns
    distance_km: float
    score: float
    topics_matched: int = 1


def _match_kind(topic: str, requested_as: str) -> ranking.MatchKind:
    kind, code = topic.split(":", 1)
    if requested_as == "condition":
        if kind == "specialty":
            return "condition-specialty"
        service = knowledge.get_service(code)
        return "condition-procedure" if service and service.category == "procedure" else "condition-service"
    return "service" if kind == "service" else "specialty"


def _distance_sql(lat: float, lon: float) -> Any:
    """Great-circle distance in km from (lat, lon) to each entry, in portable SQL (SQLite and PostgreSQL)."""
    e = SearchEntry
    half_dlat = func.sin(func.radians(e.lat - lat) / 2)
    half_dlon = func.sin(func.radians(e.lon - lon) / 2)
    h = (
        half_dlat * half_dlat
        + func.cos(func.radians(literal(lat, Float))) * func.cos(func.radians(e.lat)) * half_dlon * half_dlon
    )
    clamped = case((h > 1.0, 1.0), else_=h)
    return cast(2 * EARTH_RADIUS_KM, Float) * func.asin(func.sqrt(clamped))


def _filter_clauses(filters: SearchFilters) -> list[Any]:
    e = SearchEntry
    clauses: list[Any] = []
    if filters.kind in ("organization", "practitioner"):
        clauses.append(e.entity_kind == filters.kind)
    elif filters.kind in ORG_KINDS:
        clauses += [e.entity_kind == "organization", e.org_kind == filters.kind]
    if filters.language:
        clauses.append(e.languages.like(f"%,{filters.language},%"))
    if filters.international:
        clauses.append(e.accepts_international.is_(True))
    if filters.designation:
        clauses.append(e.designations.op("&")(DESIGNATION_BITS[filters.designation]) != 0)
    return clauses


def _ranked_rows(
    session: Session,
    *,
    topics: dict[str, str],
    lat: float,
    lon: float,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
    min_distance_km: float = 0.0,
) -> list[_ScoredEntry]:
    """Top `limit` distinct providers within `radius_km` (and beyond `min_distance_km`), best first.

    Scoring reads only the covering index (topic, lat_band, lon, lat, quality_points, entity); the full
    entries of the winners are fetched afterwards by id.
    """
    e = SearchEntry
    box = geo.bounding_box(lat, lon, radius_km)
    bands = list(range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1))
    lon_clause = or_(*(e.lon.between(low, high) for low, high in box.lon_ranges))
    distance = _distance_sql(lat, lon).label("distance_km")
    match_points = case(
        *((e.topic == topic, ranking.MATCH_POINTS[_match_kind(topic, how)]) for topic, how in topics.items()),
        else_=0.0,
    )
    inner = (
        select(
            e.id,
            e.entity_kind,
            e.entity_id,
            e.topic,
            distance,
            (match_points + e.quality_points).label("expertise"),
        )
        .where(e.topic.in_(list(topics)), e.lat_band.in_(bands), lon_clause, *_filter_clauses(filters))
        .subquery()
    )
    penalty = (
        ranking.DISTANCE_PENALTY_MAX_POINTS
        * inner.c.distance_km
        / (inner.c.distance_km + ranking.DISTANCE_HALF_KM)
    )
    score = (inner.c.expertise - penalty).label("score")
    conditions = [inner.c.distance_km <= radius_km]
    if min_distance_km > 0:
        conditions.append(inner.c.distance_km > min_distance_km)
    if len(topics) == 1:
        query = (
            select(inner.c.id, inner.c.distance_km, score, literal(1).label("topics_matched"))
            .where(*conditions)
            .order_by(score.desc(), inner.c.entity_kind, inner.c.entity_id)
            .limit(limit)
        )
    else:
        # Several topics (a condition): each provider once, under its best-scoring topic, with points
        # for every further topic it matches (ranking.breadth_points).
        scored = select(inner, score).where(*conditions).subquery()
        entity = (scored.c.entity_kind, scored.c.entity_id)
        best = func.row_number().over(partition_by=entity, order_by=(scored.c.score.desc(), scored.c.topic))
        matched = func.count().over(partition_by=entity)
        ranked = select(scored, best.label("rank_in_entity"), matched.label("topics_matched")).subquery()
        extra = ranking.BREADTH_POINTS_PER_TOPIC * (ranked.c.topics_matched - 1)
        breadth = case((extra > ranking.BREADTH_POINTS_MAX, ranking.BREADTH_POINTS_MAX), else_=extra)
        total = (ranked.c.score + breadth).label("score")
        query = (
            select(ranked.c.id, ranked.c.distance_km, total, ranked.c.topics_matched)
            .where(ranked.c.rank_in_entity == 1)
            .order_by(total.desc(), ranked.c.entity_kind, ranked.c.entity_id)
            .limit(limit)
        )
    winners = session.execute(query).all()
    if not winners:
        return []
    columns = (
        e.id,
        e.topic,
        e.entity_kind,
        e.entity_id,
        e.organization_id,
        e.location_id,
        e.annual_volume,
        e.designations,
        e.tumor_board,
        e.clinical_trials,
    )
    entries = _by_id(session, columns, [w.id for w in winners])
    return [
        _ScoredEntry(
            entry=entries[w.id], distance_km=w.distance_km, score=w.score, topics_matched=w.topics_matched
        )
        for w in winners
    ]


def _by_id(session: Session, columns: tuple[Any, ...], ids: Iterable[int]) -> dict[int, Any]:
    """Rows of `columns` (the first is the id) for these ids, by id."""
    return {row[0]: row for row in session.execute(select(*columns).where(columns[0].in_(list(ids))))}


def _hydrate(
    session: Session,
    rows: list[_ScoredEntry],
    *,
    topics: dict[str, str],
    interpretation: QueryInterpretation,
    place: PlaceResolution,
    radius_km: float,
) -> list[ProviderHit]:
    """Turn scored rows into result cards with names, places and reasons."""
    org_ids = {row.entry.organization_id for row in rows}
    practitioner_ids = [row.entry.entity_id for row in rows if row.entry.entity_kind == "practitioner"]
    location_ids = {row.entry.location_id for row in rows}
    # Plain column rows, not ORM objects: hydration runs on every search.
    o, loc, p, r = Organization, Location, Practitioner, PractitionerRole
    orgs = _by_id(
        session,
        (
            o.id,
            o.name,
            o.kind,
            o.languages,
            o.accepts_international,
            o.tumor_board,
            o.clinical_trials,
            o.is_demo,
        ),
        org_ids,
    )
    locations = _by_id(
        session, (loc.id, loc.city, loc.region, loc.country, loc.country_code, loc.lat, loc.lon), location_ids
    )
    practitioners = _by_id(
        session,
        (p.id, p.prefix, p.given_name, p.family_name, p.credentials, p.languages, p.is_demo),
        practitioner_ids,
    )
    specialties = {
        (row.practitioner_id, row.organization_id): row.specialty
        for row in session.execute(
            select(r.practitioner_id, r.organization_id, r.specialty).where(
                r.practitioner_id.in_(practitioner_ids)
            )
        )
    }
    condition_name = next((m.name for m in interpretation.matches if m.kind == "condition"), None)
    hits = []
    for row in rows:
        entry = row.entry
        org = orgs[entry.organization_id]
        location = locations[entry.location_id]
        topic_kind, topic_code = entry.topic.split(":", 1)
        requested_as = topics[entry.topic]
        topic_name = knowledge.entry_name("service" if topic_kind == "service" else "specialty", topic_code)
        within = row.distance_km <= radius_km
        factors = ranking.explain(
            match_kind=_match_kind(entry.topic, requested_as),
            topic_name=topic_name,
            condition_name=condition_name if requested_as == "condition" else None,
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
        )
        person = practitioners.get(entry.entity_id) if entry.entity_kind == "practitioner" else None
        hits.append(
            ProviderHit(
                kind=entry.entity_kind,
                id=entry.entity_id,
                name=display_name(person.prefix, person.given_name, person.family_name, person.credentials)
                if person
                else org.name,
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
                organization_id=org.id,
                organization_name=org.name,
                organization_kind=org.kind,
                specialty=specialties.get((person.id, org.id)) if person else None,
                designations=ranking.designation_codes(entry.designations),
                languages=list(person.languages if person else org.languages),
                accepts_international=org.accepts_international,
                tumor_board=org.tumor_board,
                clinical_trials=org.clinical_trials,
                is_demo=person.is_demo if person else org.is_demo,
            )
        )
    return hits


PROBE_RADIUS_KM = 2.0  # condition searches first rank the providers this close, to bound the rest


def _condition_rows(
    session: Session,
    *,
    topics: dict[str, str],
    lat: float,
    lon: float,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> list[_ScoredEntry]:
    """The same answer as `_ranked_rows` for several topics, without scoring every candidate.

    The providers within PROBE_RADIUS_KM give a lower bound L on the limit-th best score. A row can only
    reach L when match + quality + the largest breadth bonus reaches it (distance only takes points
    away), so only rows with quality_points >= L - match - breadth max are read, through an index that
    orders each topic and band by quality; distances, best topics and breadth are then computed here.
    """
    if radius_km <= PROBE_RADIUS_KM:
        return _ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    probe = _ranked_rows(
        session, topics=topics, lat=lat, lon=lon, radius_km=PROBE_RADIUS_KM, limit=limit, filters=filters
    )
    if len(probe) < limit:
        return _ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    bound = probe[-1].score
    e = SearchEntry
    box = geo.bounding_box(lat, lon, radius_km)
    bands = list(range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1))
    lon_clause = or_(*(e.lon.between(low, high) for low, high in box.lon_ranges))
    match = {topic: ranking.MATCH_POINTS[_match_kind(topic, how)] for topic, how in topics.items()}
    parts = [
        select(e.id, e.entity_kind, e.entity_id, e.topic, e.lat, e.lon, e.quality_points)
        .with_hint(e, "INDEXED BY ix_search_entry_quality", "sqlite")
        .where(
            e.topic == topic,
            e.lat_band.in_(bands),
            e.quality_points >= bound - points - ranking.BREADTH_POINTS_MAX,
            lon_clause,
            *_filter_clauses(filters),
        )
        for topic, points in match.items()
    ]
    best: dict[tuple[str, int], tuple[float, str, int, float]] = {}
    for row in session.execute(union_all(*parts)):
        distance = geo.haversine_km(lat, lon, row.lat, row.lon)
        if distance > radius_km:
            continue
        value = match[row.topic] + row.quality_points - ranking.distance_penalty(distance)
        key = (row.entity_kind, row.entity_id)
        held = best.get(key)
        if held is None or (value, held[1]) > (held[0], row.topic):
            best[key] = (value, row.topic, row.id, distance)
    matched = _topics_within(session, topics=topics, keys=list(best), lat=lat, lon=lon, radius_km=radius_km)
    scored = sorted(
        (
            (value + ranking.breadth_points(matched.get(key, 1)), key, row_id, distance)
            for key, (value, _topic, row_id, distance) in best.items()
        ),
        key=lambda item: (-item[0], item[1]),
    )[:limit]
    columns = (
        e.id,
        e.topic,
        e.entity_kind,
        e.entity_id,
        e.organization_id,
        e.location_id,
        e.annual_volume,
        e.designations,
        e.tumor_board,
        e.clinical_trials,
    )
    entries = _by_id(session, columns, [row_id for _s, _k, row_id, _d in scored])
    return [
        _ScoredEntry(
            entry=entries[row_id], distance_km=distance, score=total, topics_matched=matched.get(key, 1)
        )
        for total, key, row_id, distance in scored
    ]


def _topics_within(
    session: Session,
    *,
    topics: dict[str, str],
    keys: list[tuple[str, int]],
    lat: float,
    lon: float,
    radius_km: float,
) -> dict[tuple[str, int], int]:
    """How many of the topics each provider matches within the radius (for the breadth points)."""
    e = SearchEntry
    counts: dict[tuple[str, int], int] = {}
    for kind in ("organization", "practitioner"):
        ids = [entity_id for entity_kind, entity_id in keys if entity_kind == kind]
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(e.entity_id, e.lat, e.lon).where(
                    e.entity_kind == kind,
                    e.entity_id.in_(ids[start : start + 500]),
                    e.topic.in_(list(topics)),
                )
            )
            for entity_id, row_lat, row_lon in rows:
                if geo.haversine_km(lat, lon, row_lat, row_lon) <= radius_km:
                    counts[(kind, entity_id)] = counts.get((kind, entity_id), 0) + 1
    return counts


def _anyone_offers(session: Session, topics: dict[str, str]) -> bool:
    """Whether any provider anywhere has one of the topics (else looking further is pointless)."""
    query = select(SearchEntry.id).where(SearchEntry.topic.in_(list(topics))).limit(1)
    return session.execute(query).first() is not None


def run_search(
    session: Session,
    *,
    interpretation: QueryInterpretation,
    place: PlaceResolution,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> SearchOutcome:
    """Rank providers for an understood query around a resolved place (inputs already validated)."""
    topics: dict[str, str] = dict(interpretation.topics)
    lat, lon = place.place.lat, place.place.lon
    first_pass = _condition_rows if len(topics) > 1 else _ranked_rows
    rows = first_pass(
        session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
    )
    within_count = len(rows)
    expanded: float | None = None
    wanted = min(limit, MIN_RESULTS_WITHIN)
    if within_count < wanted and radius_km < MAX_RADIUS_KM and _anyone_offers(session, topics):
        reach = radius_km
        while reach < MAX_RADIUS_KM:
            reach = min(reach * 2, MAX_RADIUS_KM)
            beyond = _ranked_rows(
                session,
                topics=topics,
                lat=lat,
                lon=lon,
                radius_km=reach,
                limit=limit - within_count,
                filters=filters,
                min_distance_km=radius_km,
            )
            if within_count + len(beyond) >= wanted or reach >= MAX_RADIUS_KM:
                break
        expanded = reach
        rows = sorted([*rows, *beyond], key=lambda r: (-r.score, r.entry.entity_kind, r.entry.entity_id))
    hits = _hydrate(
        session, rows, topics=topics, interpretation=interpretation, place=place, radius_km=radius_km
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
    )
