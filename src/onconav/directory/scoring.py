"""Scoring in SQL: the candidates of a search near a point, ranked by the ranking function (searches that
span many topics, conditions, first try the bounded path of condition_search.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from onconav.directory import ranking
from onconav.directory.models import SearchEntry
from onconav.directory.search_statements import (
    ENTRY,
    ORG_KINDS,
    WINNER_COLUMNS,
    distance_sql,
    filter_clauses,
    filter_shape,
    filter_values,
    winners_statement,
)
from onconav.directory.statements import compiled, in_list, in_values, padded
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

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


def _expertise_sql(uses_condition: tuple[bool, ...]) -> Any:
    """Match points (:m0, :m1, ... of topics :t0, :t1, ...) plus the entry's quality: its condition points
    for topics a condition asked for (volume counts for the condition searched, not for a procedure:
    ranking.entry_points)."""

    def points(index: int) -> Any:
        column = ENTRY.condition_points if uses_condition[index] else ENTRY.quality_points
        return bindparam(f"m{index}", type_=Float) + column

    if len(uses_condition) == 1:
        return points(0)
    return case(
        *((ENTRY.topic == bindparam(f"t{index}"), points(index)) for index in range(len(uses_condition))),
        else_=0.0,
    )


@dataclass(frozen=True)
class _RankedShape:
    """Everything the SQL of `ranked_rows` depends on (the values are bind parameters)."""

    uses_condition: tuple[bool, ...]  # per topic: scored by its condition points
    bands: int
    lon_ranges: int
    filters: tuple[bool, ...]
    beyond: bool  # a min_distance_km is given
    by_place: bool  # PostgreSQL: winners identified by place, not row id


def _ranked_statement(shape: _RankedShape) -> Any:
    """Top `:limit` distinct providers within `:radius_km` (and beyond `:min_distance_km`), best first;
    reads only the covering index (topic, lat_band, lon, lat, quality_points, entity)."""
    topics = len(shape.uses_condition)
    # On PostgreSQL an index does not hold the row id, so reading it would visit the table for every
    # candidate: there the scan keeps to the index columns and the winners are found by what identifies
    # them in it (entity, topic, place). SQLite indexes carry the rowid.
    identity = ("lat", "lon") if shape.by_place else ("id",)
    inner = (
        select(
            *(ENTRY[name] for name in identity),
            ENTRY.entity_kind,
            ENTRY.entity_id,
            ENTRY.topic,
            distance_sql().label("distance_km"),
            _expertise_sql(shape.uses_condition).label("expertise"),
        )
        .where(
            ENTRY.topic.in_(in_list("t", topics)),
            ENTRY.lat_band.in_(in_list("b", shape.bands)),
            or_(
                *(
                    ENTRY.lon.between(bindparam(f"lo{i}"), bindparam(f"hi{i}"))
                    for i in range(shape.lon_ranges)
                )
            ),
            *filter_clauses(shape.filters),
        )
        .subquery()
    )
    penalty = (
        ranking.DISTANCE_PENALTY_MAX_POINTS
        * inner.c.distance_km
        / (inner.c.distance_km + ranking.DISTANCE_HALF_KM)
    )
    score = (inner.c.expertise - penalty).label("score")
    conditions = [inner.c.distance_km <= bindparam("radius_km", type_=Float)]
    if shape.beyond:
        conditions.append(inner.c.distance_km > bindparam("min_distance_km", type_=Float))
    if topics == 1:
        return (
            select(
                *(inner.c[name] for name in identity),
                inner.c.entity_kind,
                inner.c.entity_id,
                inner.c.topic,
                inner.c.distance_km,
                score,
                literal(1).label("topics_matched"),
            )
            .where(*conditions)
            .order_by(score.desc(), inner.c.entity_kind, inner.c.entity_id)
            .limit(bindparam("limit"))
        )
    # Several topics (a condition): each provider once, under its best-scoring topic, with points for
    # every further topic it matches (ranking.breadth_points).
    scored = select(inner, score).where(*conditions).subquery()
    entity = (scored.c.entity_kind, scored.c.entity_id)
    best = func.row_number().over(partition_by=entity, order_by=(scored.c.score.desc(), scored.c.topic))
    matched = func.count().over(partition_by=entity)
    ranked = select(scored, best.label("rank_in_entity"), matched.label("topics_matched")).subquery()
    extra = ranking.BREADTH_POINTS_PER_TOPIC * (ranked.c.topics_matched - 1)
    breadth = case((extra > ranking.BREADTH_POINTS_MAX, ranking.BREADTH_POINTS_MAX), else_=extra)
    total = (ranked.c.score + breadth).label("score")
    return (
        select(
            *(ranked.c[name] for name in identity),
            ranked.c.entity_kind,
            ranked.c.entity_id,
            ranked.c.topic,
            ranked.c.distance_km,
            total,
            ranked.c.topics_matched,
        )
        .where(ranked.c.rank_in_entity == 1)
        .order_by(total.desc(), ranked.c.entity_kind, ranked.c.entity_id)
        .limit(bindparam("limit"))
    )


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
    entries of the winners are fetched afterwards by id. The statement is built and compiled once per
    shape (statements.py).
    """
    connection = session.connection()
    box = geo.bounding_box(lat, lon, radius_km)
    bands = list(range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1))
    names = list(topics)
    shape = _RankedShape(
        uses_condition=tuple(how == "condition" for how in topics.values()),
        bands=len(bands),
        lon_ranges=len(box.lon_ranges),
        filters=_filter_shape(filters),
        beyond=min_distance_km > 0,
        by_place=connection.dialect.name == "postgresql",
    )
    values: dict[str, Any] = {
        "lat": lat,
        "lon": lon,
        "radius_km": radius_km,
        "min_distance_km": min_distance_km,
        "limit": limit,
        **in_values("t", names),
        **in_values("b", bands),
        **filter_values(filters.kind, filters.language, filters.designation),
    }
    for index, topic in enumerate(names):
        values[f"m{index}"] = ranking.MATCH_POINTS[match_kind(topic, topics[topic])]
    for index, (low, high) in enumerate(box.lon_ranges):
        values[f"lo{index}"], values[f"hi{index}"] = low, high
    winners = compiled(connection, ("ranked", shape), partial(_ranked_statement, shape)).execute(
        connection, values
    )
    if not winners:
        return []
    if shape.by_place:
        entries = _entries_by_place(connection, winners, filters)
    else:
        by_row_id = winner_entries(connection, [w.id for w in winners])
        entries = [by_row_id[w.id] for w in winners]
    return [
        ScoredEntry(entry=entry, distance_km=w.distance_km, score=w.score, topics_matched=w.topics_matched)
        for entry, w in zip(entries, winners, strict=True)
    ]


def winner_entries(connection: Connection, ids: Sequence[int]) -> dict[int, Any]:
    """What result cards need of the winning search entries (WINNER_COLUMNS), by id."""
    wanted = padded(ids)
    statement = compiled(connection, ("winners", len(wanted)), partial(winners_statement, len(wanted)))
    return {row.id: row for row in statement.execute(connection, in_values("w", wanted))}


def _by_entities_statement(counts: tuple[int, ...], filters: tuple[bool, ...]) -> Any:
    """WINNER_COLUMNS of every entry of some entities of each kind (:k0 with :e0_0, ...), in id order."""
    return (
        select(*(ENTRY[name] for name in WINNER_COLUMNS))
        .where(
            or_(
                *(
                    and_(ENTRY.entity_kind == bindparam(f"k{k}"), ENTRY.entity_id.in_(in_list(f"e{k}_", n)))
                    for k, n in enumerate(counts)
                )
            ),
            *filter_clauses(filters),
        )
        .order_by(ENTRY.id)
    )


def _entries_by_place(connection: Connection, winners: Sequence[Any], filters: SearchFilters) -> list[Any]:
    """The entries of winning rows given as (entity_kind, entity_id, topic, lat, lon), in order, in one
    query through the entity index (with the search's filters). Rows alike in all of these (one provider
    listed twice at one place under one topic) score alike and are given out in id order."""
    kinds = sorted({w.entity_kind for w in winners})
    values: dict[str, Any] = filter_values(filters.kind, filters.language, filters.designation)
    counts = []
    for k, kind in enumerate(kinds):
        ids = padded(sorted({w.entity_id for w in winners if w.entity_kind == kind}))
        values[f"k{k}"] = kind
        values |= in_values(f"e{k}_", ids)
        counts.append(len(ids))
    shape = (tuple(counts), _filter_shape(filters))
    statement = compiled(connection, ("entries-by-place", shape), partial(_by_entities_statement, *shape))
    found: dict[tuple[str, int, str, float, float], list[Any]] = {}
    for row in statement.execute(connection, values):
        found.setdefault((row.entity_kind, row.entity_id, row.topic, row.lat, row.lon), []).append(row)
    taken: dict[tuple[str, int, str, float, float], int] = {}
    entries = []
    for w in winners:
        key = (w.entity_kind, w.entity_id, w.topic, w.lat, w.lon)
        entries.append(found[key][taken.get(key, 0)])
        taken[key] = taken.get(key, 0) + 1
    return entries


def _filter_shape(filters: SearchFilters) -> tuple[bool, ...]:
    return filter_shape(filters.kind, filters.language, filters.international, filters.designation)


def anyone_offers(session: Session, topics: dict[str, str]) -> bool:
    """Whether any provider anywhere has one of the topics (else looking further is pointless)."""
    connection = session.connection()
    names = padded(list(topics))
    statement = compiled(
        connection,
        ("anyone-offers", len(names)),
        lambda: select(SearchEntry.id).where(SearchEntry.topic.in_(in_list("t", len(names)))).limit(1),
    )
    return bool(statement.execute(connection, in_values("t", names)))
