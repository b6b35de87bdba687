"""Scoring in SQL: the candidates of a search near a point, ranked by the ranking function, with the
pruned path for searches that span many topics (conditions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from onconav.directory import ranking
from onconav.directory.models import DESIGNATION_BITS, SearchEntry
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

EARTH_RADIUS_KM = 6371.0088
ORG_KINDS = ("hospital", "cancer_center", "clinic")
RESULT_KINDS = ("organization", "practitioner", *ORG_KINDS)


@dataclass(frozen=True)
class SearchFilters:
    """Optional narrowing of a search; None means "any"."""

    kind: str | None = None  # organization | practitioner | hospital | cancer_center | clinic
    language: str | None = None  # ISO 639-1
    international: bool | None = None  # only providers that accept international patients
    designation: str | None = None  # nci | coc | jci


@dataclass(frozen=True)
class ScoredEntry:
    """A search entry with its distance from the searched place and its score."""

    entry: Any  # a row of search_entry columns
    distance_km: float
    score: float
    topics_matched: int = 1


def match_kind(topic: str, requested_as: str) -> ranking.MatchKind:
    kind, code = topic.split(":", 1)
    if kind == "condition":
        return "condition"
    if kind == "facility":
        return "hospital"
    if requested_as == "condition":
        if kind == "specialty":
            return "condition-specialty"
        service = knowledge.get_service(code)
        return "condition-procedure" if service and service.category == "procedure" else "condition-service"
    return "service" if kind == "service" else "specialty"


def _expertise_sql(topics: dict[str, str]) -> Any:
    """Match points plus the entry's quality: its condition points for topics a condition asked for
    (volume counts for the condition searched, not for a procedure: ranking.entry_points)."""
    e = SearchEntry
    match_points = case(
        *((e.topic == topic, ranking.MATCH_POINTS[match_kind(topic, how)]) for topic, how in topics.items()),
        else_=0.0,
    )
    by_condition = [topic for topic, how in topics.items() if how == "condition"]
    if not by_condition:
        return match_points + e.quality_points
    if len(by_condition) == len(topics):
        return match_points + e.condition_points
    return match_points + case((e.topic.in_(by_condition), e.condition_points), else_=e.quality_points)


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


def _area(lat: float, lon: float, radius_km: float) -> tuple[list[int], Any]:
    """The latitude bands and the longitude condition that cover the disc around (lat, lon)."""
    box = geo.bounding_box(lat, lon, radius_km)
    bands = list(range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1))
    return bands, or_(*(SearchEntry.lon.between(low, high) for low, high in box.lon_ranges))


_WINNER_COLUMNS = (
    SearchEntry.id,
    SearchEntry.topic,
    SearchEntry.entity_kind,
    SearchEntry.entity_id,
    SearchEntry.organization_id,
    SearchEntry.location_id,
    SearchEntry.annual_volume,
    SearchEntry.designations,
    SearchEntry.tumor_board,
    SearchEntry.clinical_trials,
    SearchEntry.lat,
    SearchEntry.lon,
    SearchEntry.evidence,
)


def _winner_entries(session: Session, ids: list[int]) -> dict[int, Any]:
    """What result cards need of the winning search entries, by id."""
    return by_id(session, _WINNER_COLUMNS, ids)


def ranked_rows(
    session: Session,
    *,
    topics: dict[str, str],
    lat: float,
    lon: float,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
    min_distance_km: float = 0.0,
) -> list[ScoredEntry]:
    """Top `limit` distinct providers within `radius_km` (and beyond `min_distance_km`), best first.

    Scoring reads only the covering index (topic, lat_band, lon, lat, quality_points, entity); the full
    entries of the winners are fetched afterwards by id.
    """
    e = SearchEntry
    bands, lon_clause = _area(lat, lon, radius_km)
    distance = _distance_sql(lat, lon).label("distance_km")
    # On PostgreSQL an index does not hold the row id, so reading it would visit the table for every
    # candidate: there the scan keeps to the index columns and the winners are found by what identifies
    # them in it (entity, topic, place). SQLite indexes carry the rowid.
    by_place = session.get_bind().dialect.name == "postgresql"
    identity = (e.lat, e.lon) if by_place else (e.id,)
    inner = (
        select(
            *identity,
            e.entity_kind,
            e.entity_id,
            e.topic,
            distance,
            _expertise_sql(topics).label("expertise"),
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
            select(
                *(inner.c[column.key] for column in identity),
                inner.c.entity_kind,
                inner.c.entity_id,
                inner.c.topic,
                inner.c.distance_km,
                score,
                literal(1).label("topics_matched"),
            )
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
            select(
                *(ranked.c[column.key] for column in identity),
                ranked.c.entity_kind,
                ranked.c.entity_id,
                ranked.c.topic,
                ranked.c.distance_km,
                total,
                ranked.c.topics_matched,
            )
            .where(ranked.c.rank_in_entity == 1)
            .order_by(total.desc(), ranked.c.entity_kind, ranked.c.entity_id)
            .limit(limit)
        )
    winners = session.execute(query).all()
    if not winners:
        return []
    if by_place:
        entries = _entries_by_place(session, winners, filters)
    else:
        by_row_id = _winner_entries(session, [w.id for w in winners])
        entries = [by_row_id[w.id] for w in winners]
    return [
        ScoredEntry(entry=entry, distance_km=w.distance_km, score=w.score, topics_matched=w.topics_matched)
        for entry, w in zip(entries, winners, strict=True)
    ]


def _entries_by_place(session: Session, winners: Sequence[Any], filters: SearchFilters) -> list[Any]:
    """The entries of winning rows given as (entity_kind, entity_id, topic, lat, lon), in order, in one
    query through the entity index (with the search's filters). Rows alike in all of these (one provider
    listed twice at one place under one topic) score alike and are given out in id order."""
    e = SearchEntry
    columns = _WINNER_COLUMNS
    kinds = sorted({w.entity_kind for w in winners})
    found: dict[tuple[str, int, str, float, float], list[Any]] = {}
    query = (
        select(*columns)
        .where(
            or_(
                *(
                    and_(
                        e.entity_kind == kind,
                        e.entity_id.in_(sorted({w.entity_id for w in winners if w.entity_kind == kind})),
                    )
                    for kind in kinds
                )
            ),
            *_filter_clauses(filters),
        )
        .order_by(e.id)
    )
    for row in session.execute(query):
        found.setdefault((row.entity_kind, row.entity_id, row.topic, row.lat, row.lon), []).append(row)
    taken: dict[tuple[str, int, str, float, float], int] = {}
    entries = []
    for w in winners:
        key = (w.entity_kind, w.entity_id, w.topic, w.lat, w.lon)
        entries.append(found[key][taken.get(key, 0)])
        taken[key] = taken.get(key, 0) + 1
    return entries


def by_id(session: Session, columns: tuple[Any, ...], ids: Iterable[int]) -> dict[int, Any]:
    """Rows of `columns` (the first is the id) for these ids, by id."""
    return {row[0]: row for row in session.execute(select(*columns).where(columns[0].in_(list(ids))))}


PROBE_RADIUS_KM = 2.0  # condition searches first rank the providers this close, to bound the rest


def condition_rows(
    session: Session,
    *,
    topics: dict[str, str],
    lat: float,
    lon: float,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> list[ScoredEntry]:
    """The same answer as `_ranked_rows` for several topics, without scoring every candidate.

    The providers within PROBE_RADIUS_KM give a lower bound L on the limit-th best score. A row can only
    reach L when match + quality + the largest breadth bonus reaches it (distance only takes points
    away), so only rows with quality_points >= L - match - breadth max are read, through an index that
    orders each topic and band by quality; distances, best topics and breadth are then computed here.
    """
    if radius_km <= PROBE_RADIUS_KM:
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    probe = ranked_rows(
        session, topics=topics, lat=lat, lon=lon, radius_km=PROBE_RADIUS_KM, limit=limit, filters=filters
    )
    if len(probe) < limit:
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    bound = probe[-1].score
    e = SearchEntry
    bands, lon_clause = _area(lat, lon, radius_km)
    match = {topic: ranking.MATCH_POINTS[match_kind(topic, how)] for topic, how in topics.items()}
    by_condition = {topic for topic, how in topics.items() if how == "condition"}
    # One part per topic (SQLite: its IN over the bands is a seek per band) or, on PostgreSQL, per topic
    # and band: there `lat_band = ANY(...)` may be left as a filter after the index, which then reads the
    # topic's rows above the quality floor across the whole country; an equality keeps each part one range.
    per_band = session.get_bind().dialect.name == "postgresql"
    parts = [
        select(e.id, e.entity_kind, e.entity_id, e.topic, e.lat, e.lon, e.quality_points, e.condition_points)
        .with_hint(e, "INDEXED BY ix_search_entry_quality", "sqlite")
        .where(
            e.topic == topic,
            e.lat_band == band_group[0] if per_band else e.lat_band.in_(band_group),
            e.quality_points >= bound - points - ranking.BREADTH_POINTS_MAX,
            lon_clause,
            *_filter_clauses(filters),
        )
        for topic, points in match.items()
        for band_group in ([[band] for band in bands] if per_band else [bands])
    ]
    best: dict[tuple[str, int], tuple[float, str, int, float]] = {}
    for row in session.execute(union_all(*parts)):
        distance = geo.haversine_km(lat, lon, row.lat, row.lon)
        if distance > radius_km:
            continue
        quality = row.condition_points if row.topic in by_condition else row.quality_points
        value = match[row.topic] + quality - ranking.distance_penalty(distance)
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
    entries = _winner_entries(session, [row_id for _s, _k, row_id, _d in scored])
    return [
        ScoredEntry(
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
    # On PostgreSQL the topics are checked here rather than in SQL: with `topic IN (...)` in the query it
    # may prefer scanning every entry of the topics in the quality index to the few entries of each entity.
    wanted = set(topics)
    in_sql = [] if session.get_bind().dialect.name == "postgresql" else [e.topic.in_(list(topics))]
    for kind in ("organization", "practitioner"):
        ids = [entity_id for entity_kind, entity_id in keys if entity_kind == kind]
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(e.entity_id, e.topic, e.lat, e.lon).where(
                    e.entity_kind == kind, e.entity_id.in_(ids[start : start + 500]), *in_sql
                )
            )
            for entity_id, topic, row_lat, row_lon in rows:
                if topic in wanted and geo.haversine_km(lat, lon, row_lat, row_lon) <= radius_km:
                    counts[(kind, entity_id)] = counts.get((kind, entity_id), 0) + 1
    return counts


def anyone_offers(session: Session, topics: dict[str, str]) -> bool:
    """Whether any provider anywhere has one of the topics (else looking further is pointless)."""
    query = select(SearchEntry.id).where(SearchEntry.topic.in_(list(topics))).limit(1)
    return session.execute(query).first() is not None
