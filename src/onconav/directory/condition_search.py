"""Condition searches (many topics) without scoring every candidate: the best rows by quality seed a bound
on the limit-th score, then only rows that can still reach it are read and scored here.

Gives the answer of `scoring.ranked_rows` over every candidate (tests/directory/test_search.py checks it).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import bindparam, case, func, or_, select, true, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from onconav.directory import ranking, scoring
from onconav.directory.models import DESIGNATION_BITS, SearchEntry
from onconav.directory.scoring import ORG_KINDS, ScoredEntry, SearchFilters, match_kind, ranked_rows
from onconav.directory.statements import compiled, in_list, in_values, padded
from onconav.geo import service as geo

ENTRY = SearchEntry.__table__.c
# Rows read per topic and latitude band to seed the bound: enough for `limit` distinct providers in all
# but sparse places (which then score every candidate, as cheap there).
SEED_ROWS_PER_PART = 24
WINNER_COLUMNS = (
    "id",
    "topic",
    "entity_kind",
    "entity_id",
    "organization_id",
    "location_id",
    "annual_volume",
    "designations",
    "tumor_board",
    "clinical_trials",
    "lat",
    "lon",
    "evidence",
)
SEED_EXACT_FACTOR = 2  # seed providers scored exactly, per result asked for
MAX_SEED_BANDS = 12  # latitude bands (half a degree each) of the widest area seeded here: about 300 km
ENTITY_CHUNK = 512  # entities per breadth lookup (well below SQLite's bound on parameters)


@dataclass
class _Best:
    """A provider's best-scoring row seen so far and how many of its rows lie within the radius."""

    value: float  # match + quality - distance penalty of its best row (no breadth)
    topic: str
    row_id: int
    distance_km: float
    rows_within: int = 1


def _filter_shape(filters: SearchFilters) -> tuple[Any, ...]:
    kind = filters.kind if filters.kind in ("organization", "practitioner") else None
    org_kind = filters.kind if filters.kind in ORG_KINDS else None
    return (
        kind is not None,
        org_kind is not None,
        bool(filters.language),
        bool(filters.international),
        bool(filters.designation),
    )


def _filter_values(filters: SearchFilters) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if filters.kind in ("organization", "practitioner"):
        values["f_kind"] = filters.kind
    elif filters.kind in ORG_KINDS:
        values["f_org_kind"] = filters.kind
    if filters.language:
        values["f_language"] = f"%,{filters.language},%"
    if filters.designation:
        values["f_designation"] = DESIGNATION_BITS[filters.designation]
    return values


def _filter_clauses(shape: tuple[Any, ...]) -> list[Any]:
    """The filters of `scoring._filter_clauses`, with bind parameters for their values."""
    by_kind, by_org_kind, language, international, designation = shape
    clauses: list[Any] = []
    if by_kind:
        clauses.append(ENTRY.entity_kind == bindparam("f_kind"))
    if by_org_kind:
        clauses += [ENTRY.entity_kind == "organization", ENTRY.org_kind == bindparam("f_org_kind")]
    if language:
        clauses.append(ENTRY.languages.like(bindparam("f_language")))
    if international:
        clauses.append(ENTRY.accepts_international.is_(True))
    if designation:
        clauses.append(ENTRY.designations.op("&")(bindparam("f_designation")) != 0)
    return clauses


def _lon_clause(ranges: int) -> Any:
    return or_(*(ENTRY.lon.between(bindparam(f"lo{i}"), bindparam(f"hi{i}")) for i in range(ranges)))


def _area_values(lat: float, lon: float, radius_km: float) -> tuple[list[int], list[tuple[float, float]]]:
    box = geo.bounding_box(lat, lon, radius_km)
    bands = list(range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1))
    return bands, list(box.lon_ranges)


def _seed_statement(topics: int, bands: int, ranges: int, filters: tuple[Any, ...]) -> Any:
    """Per topic and band, the rows of best quality inside the box (quality index, read from the top)."""
    columns = (ENTRY.entity_kind, ENTRY.entity_id, ENTRY.topic, ENTRY.lat, ENTRY.lon,
               ENTRY.quality_points, ENTRY.condition_points)  # fmt: skip
    table = SearchEntry.__table__
    parts = []
    for topic in range(topics):
        for band in range(bands):
            part = (
                select(*columns)
                .with_hint(table, "INDEXED BY ix_search_entry_quality", "sqlite")
                .where(
                    ENTRY.topic == bindparam(f"t{topic}"),
                    ENTRY.lat_band == bindparam(f"b{band}"),
                    _lon_clause(ranges),
                    *_filter_clauses(filters),
                )
                .order_by(ENTRY.quality_points.desc())
                .limit(SEED_ROWS_PER_PART)
                .subquery()
            )
            parts.append(select(part))
    return union_all(*parts)


def _distance_sql() -> Any:
    """Great-circle distance in km from (:lat, :lon) to each entry, as `scoring` computes it in SQL."""
    half_dlat = func.sin(func.radians(ENTRY.lat - bindparam("lat")) / 2)
    half_dlon = func.sin(func.radians(ENTRY.lon - bindparam("lon")) / 2)
    h = (
        half_dlat * half_dlat
        + bindparam("cos_lat") * func.cos(func.radians(ENTRY.lat)) * half_dlon * half_dlon
    )
    return (2 * scoring.EARTH_RADIUS_KM) * func.asin(func.sqrt(case((h > 1.0, 1.0), else_=h)))


def _pruned_statement(
    by_condition: tuple[bool, ...], bands: int, ranges: int, filters: tuple[Any, ...], per_band: bool
) -> Any:
    """Every row of the box whose quality reaches its topic's floor (quality index, one range per topic and
    band on PostgreSQL, where `lat_band IN` may be left as a filter after the index), kept when within the
    radius and its score plus the largest breadth bonus reaches the bound (computed in SQL, so that the
    many rows that cannot are never fetched)."""
    columns = (ENTRY.id, ENTRY.entity_kind, ENTRY.entity_id, ENTRY.topic, ENTRY.lat, ENTRY.lon,
               ENTRY.quality_points, ENTRY.condition_points)  # fmt: skip
    table = SearchEntry.__table__
    band_groups = [[band] for band in range(bands)] if per_band else [list(range(bands))]
    parts = []
    for topic, condition in enumerate(by_condition):
        for group in band_groups:
            inner = (
                select(*columns, _distance_sql().label("distance_km"))
                .with_hint(table, "INDEXED BY ix_search_entry_quality", "sqlite")
                .where(
                    ENTRY.topic == bindparam(f"t{topic}"),
                    ENTRY.lat_band == bindparam(f"b{group[0]}")
                    if len(group) == 1
                    else ENTRY.lat_band.in_([bindparam(f"b{band}") for band in group]),
                    ENTRY.quality_points >= bindparam(f"floor{topic}"),
                    _lon_clause(ranges),
                    *_filter_clauses(filters),
                )
                .subquery()
            )
            points = inner.c.condition_points if condition else inner.c.quality_points
            penalty = (
                ranking.DISTANCE_PENALTY_MAX_POINTS
                * inner.c.distance_km
                / (inner.c.distance_km + ranking.DISTANCE_HALF_KM)
            )
            parts.append(
                select(*(inner.c[column.key] for column in columns)).where(
                    inner.c.distance_km <= bindparam("radius_km"),
                    bindparam(f"m{topic}") + points - penalty >= bindparam("min_value"),
                )
            )
    return union_all(*parts)


def _winners_statement(count: int) -> Any:
    return select(*(ENTRY[name] for name in WINNER_COLUMNS)).where(ENTRY.id.in_(in_list("w", count)))


def _entity_rows_statement(count: int, topics: int | None, filters: tuple[Any, ...]) -> Any:
    """Every entry of `count` entities of one kind (entity index) that passes the search's filters; of the
    search's topics on SQLite (on PostgreSQL the topics are checked in Python: with `topic IN (...)` it may
    prefer scanning every entry of the topics in the quality index to the few entries of each entity)."""
    topic_clause = ENTRY.topic.in_(in_list("t", topics)) if topics else true()
    return select(
        ENTRY.id,
        ENTRY.entity_kind,
        ENTRY.entity_id,
        ENTRY.topic,
        ENTRY.lat,
        ENTRY.lon,
        ENTRY.quality_points,
        ENTRY.condition_points,
    ).where(
        ENTRY.entity_kind == bindparam("kind"),
        ENTRY.entity_id.in_(in_list("e", count)),
        topic_clause,
        *_filter_clauses(filters),
    )


@dataclass
class _Scorer:
    """What scores a row of this search: the place, the radius, each topic's match points."""

    lat: float
    lon: float
    radius_km: float
    match: dict[str, float]
    by_condition: frozenset[str]

    def best_rows(self, rows: Iterable[Sequence[Any]]) -> dict[tuple[str, int], _Best]:
        """Each provider's best row within the radius (ties: the smaller topic, as `ranked_rows` breaks
        them) and how many of the rows given lie within it."""
        best: dict[tuple[str, int], _Best] = {}
        haversine, penalty = geo.haversine_km, ranking.distance_penalty
        lat, lon, radius_km, match, by_condition = (
            self.lat, self.lon, self.radius_km, self.match, self.by_condition
        )  # fmt: skip
        for row_id, kind, entity_id, topic, row_lat, row_lon, quality, condition_points in rows:
            if topic not in match:
                continue
            distance = haversine(lat, lon, row_lat, row_lon)
            if distance > radius_km:
                continue
            value = (
                match[topic] + (condition_points if topic in by_condition else quality) - penalty(distance)
            )
            key = (kind, entity_id)
            held = best.get(key)
            if held is None:
                best[key] = _Best(value, topic, row_id, distance)
                continue
            held.rows_within += 1
            if (value, held.topic) > (held.value, topic):
                held.value, held.topic, held.row_id, held.distance_km = value, topic, row_id, distance
        return best


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
    """The top `limit` providers for several topics within the radius, as `ranked_rows` ranks them.

    Seed: the best rows by quality of each topic and band; the exact scores of the best providers among
    them (every entry of theirs read) bound the limit-th score from below. A row can only reach that bound
    when match + quality + the largest breadth bonus does (distance only takes points away), so only those
    rows are read; the providers they name that can still reach the bound are scored exactly in turn.
    """
    bands, lon_ranges = _area_values(lat, lon, radius_km)
    if len(bands) > MAX_SEED_BANDS:  # a radius of many hundred km: one seed part per band would not pay
        return scoring.condition_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    connection = session.connection()
    names = list(topics)
    match = {topic: ranking.MATCH_POINTS[match_kind(topic, how)] for topic, how in topics.items()}
    by_condition = frozenset(topic for topic, how in topics.items() if how == "condition")
    scorer = _Scorer(lat, lon, radius_km, match, by_condition)
    filter_shape = _filter_shape(filters)
    values: dict[str, Any] = {**in_values("t", names), **in_values("b", bands), **_filter_values(filters)}
    for index, (low, high) in enumerate(lon_ranges):
        values[f"lo{index}"], values[f"hi{index}"] = low, high
    shape = (len(names), len(bands), len(lon_ranges), filter_shape)
    seed = compiled(connection, ("condition-seed", *shape), lambda: _seed_statement(*shape)).execute(
        connection, values
    )
    seen = scorer.best_rows((0, *row) for row in seed)
    if len(seen) < limit:  # few providers at all: scoring every candidate is as cheap
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    promising = heapq.nlargest(SEED_EXACT_FACTOR * limit, seen, key=lambda key: _lower_bound(seen[key]))
    exact = _exact(connection, scorer, names, promising, filters)
    bound = _limit_th(exact.values(), limit)
    if bound == float("-inf"):
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    for index, topic in enumerate(names):
        values[f"floor{index}"] = bound - match[topic] - ranking.BREADTH_POINTS_MAX
        values[f"m{index}"] = match[topic]
    # A hair below the bound: SQL's floating point may differ from Python's in the last digits.
    values |= {"lat": lat, "lon": lon, "cos_lat": math.cos(math.radians(lat)), "radius_km": radius_km + 1e-6}
    values["min_value"] = bound - ranking.BREADTH_POINTS_MAX - 1e-6
    per_band = connection.dialect.name == "postgresql"
    uses_condition = tuple(topic in by_condition for topic in names)
    pruned_shape = (uses_condition, *shape[1:], per_band)
    pruned = compiled(
        connection, ("condition-pruned", *pruned_shape), lambda: _pruned_statement(*pruned_shape)
    ).execute(connection, values)
    candidates = scorer.best_rows(pruned)
    # Only providers whose best row plus the largest breadth bonus reaches the bound can be in the answer.
    more = [
        key
        for key, held in candidates.items()
        if key not in exact and held.value + ranking.BREADTH_POINTS_MAX >= bound
    ]
    exact |= _exact(connection, scorer, names, more, filters)
    ranked = heapq.nsmallest(limit, ((-_lower_bound(held), key) for key, held in exact.items()))
    if not ranked:
        return []
    ids = padded([exact[key].row_id for _score, key in ranked])
    entries = {
        row.id: row
        for row in compiled(
            connection, ("condition-winners", len(ids)), lambda: _winners_statement(len(ids))
        ).execute(connection, in_values("w", ids))
    }
    return [
        ScoredEntry(
            entry=entries[exact[key].row_id],
            distance_km=exact[key].distance_km,
            score=-negative,
            topics_matched=exact[key].rows_within,
        )
        for negative, key in ranked
    ]


def _lower_bound(held: _Best) -> float:
    """The total score of a provider from the rows seen of it (exact once every row was seen)."""
    return held.value + ranking.breadth_points(held.rows_within)


def _limit_th(held: Iterable[_Best], limit: int) -> float:
    """The limit-th best of these providers' totals (minus infinity when there are fewer)."""
    totals = heapq.nlargest(limit, (_lower_bound(b) for b in held))
    return totals[-1] if len(totals) == limit else float("-inf")


def _exact(
    connection: Connection,
    scorer: _Scorer,
    topics: list[str],
    keys: Iterable[tuple[str, int]],
    filters: SearchFilters,
) -> dict[tuple[str, int], _Best]:
    """The exact best row and breadth of these providers: every entry of theirs read (entity index)."""
    topics_in_sql = None if connection.dialect.name == "postgresql" else len(topics)
    filter_shape = _filter_shape(filters)
    found: dict[tuple[str, int], _Best] = {}
    for kind in ("organization", "practitioner"):
        ids = sorted(entity_id for entity_kind, entity_id in keys if entity_kind == kind)
        for start in range(0, len(ids), ENTITY_CHUNK):
            chunk = padded(ids[start : start + ENTITY_CHUNK])
            shape = (len(chunk), topics_in_sql, filter_shape)
            statement = compiled(
                connection, ("condition-entities", *shape), partial(_entity_rows_statement, *shape)
            )
            values = {"kind": kind, **in_values("e", chunk), **_filter_values(filters)}
            if topics_in_sql:
                values |= in_values("t", topics)
            found |= scorer.best_rows(statement.execute(connection, values))
    return found
