"""Condition searches (many topics) without scoring every candidate: the best rows by quality in the cells
nearest the place seed a bound on the limit-th score, then only rows that can still reach it are read, cell
by cell (each cell from its best quality down), and scored here.

Gives the answer of `scoring.ranked_rows` over every candidate (tests/directory/test_search.py checks it).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ARRAY, Float, String, bindparam, func, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from onconav.directory import cell_reads, ranking
from onconav.directory.models import SearchEntry
from onconav.directory.scoring import ScoredEntry, SearchFilters, match_kind, ranked_rows
from onconav.directory.search_cells import Cell, area_cells, distance_factors, penalty_groups
from onconav.directory.search_statements import (
    EARTH_RADIUS_KM,
    ENTRY,
    distance_sql_with_cosine,
    filter_clauses,
    filter_shape,
    filter_values,
    winners_statement,
)
from onconav.directory.statements import compiled, in_list, in_values, padded, without_parallel_workers

# Rows read per topic and cell to seed the bound: enough for `limit` distinct providers in all but sparse
# places (which then score every candidate, as cheap there).
SEED_ROWS_PER_PART = 24
SEED_CELLS = (2, 16)  # the cells nearest the place that seed the bound, in rounds until `limit` providers
SEED_EXACT_FACTOR = 4  # seed providers scored exactly, per result asked for (a higher bound, fewer rows read)
# Cells of the widest area read cell by cell (about 1,000 km around a place at 40° N); a wider area scores
# every candidate in SQL (scoring.ranked_rows).
MAX_CELLS = 2048
PENALTY_MAX = ranking.DISTANCE_PENALTY_MAX_POINTS
ENTITY_CHUNK = 512  # entities per breadth lookup (well below SQLite's bound on parameters)


@dataclass
class _Best:
    """A provider's best-scoring row seen so far and how many of its rows lie within the radius."""

    value: float  # match + quality - distance penalty of its best row (no breadth)
    topic: str
    row_id: int
    distance_km: float
    rows_within: int = 1


def _filter_shape(filters: SearchFilters) -> tuple[bool, ...]:
    return filter_shape(filters.kind, filters.language, filters.international, filters.designation)


def _filter_values(filters: SearchFilters) -> dict[str, Any]:
    return filter_values(filters.kind, filters.language, filters.designation)


def _seed_statement(topics: int, cells: int, filters: tuple[Any, ...]) -> Any:
    """Per topic and cell, the rows of best quality (cell index, read from the top)."""
    columns = (ENTRY.entity_kind, ENTRY.entity_id, ENTRY.topic, ENTRY.lat, ENTRY.lon,
               ENTRY.quality_points, ENTRY.condition_points)  # fmt: skip
    table = SearchEntry.__table__
    parts = []
    for topic in range(topics):
        for cell in range(cells):
            part = (
                select(*columns)
                .with_hint(table, "INDEXED BY ix_search_entry_cell", "sqlite")
                .where(
                    ENTRY.topic == bindparam(f"t{topic}"),
                    ENTRY.geo_cell == bindparam(f"s{cell}"),
                    *filter_clauses(filters),
                )
                .order_by(ENTRY.quality_points.desc())
                .limit(SEED_ROWS_PER_PART)
                .subquery()
            )
            parts.append(select(part))
    return union_all(*parts)


def _pruned_statement(
    topic_groups: tuple[tuple[int, bool], ...], cell_groups: tuple[int, ...], filters: tuple[Any, ...]
) -> Any:
    """Every row of the area's cells whose quality reaches the floor of its topic group
    (topics alike in match points) and cell group (cells alike in least distance penalty), one index range
    per topic and cell, when the row lies within the radius and its value plus the largest breadth bonus
    reaches the bound (computed in SQL, so that the rows that cannot are never fetched). Only columns of the
    cell index (no id: these rows only bound scores), so that PostgreSQL reads the index alone."""
    columns = (ENTRY.entity_kind, ENTRY.entity_id, ENTRY.topic, ENTRY.lat, ENTRY.lon,
               ENTRY.quality_points, ENTRY.condition_points)  # fmt: skip
    table = SearchEntry.__table__
    parts = []
    for group, (topics, by_condition) in enumerate(topic_groups):
        # Before the distance (a dozen functions a row), a bound of it from plain arithmetic: the points a
        # row has to spare, s = match + quality - the least value, must cover its penalty, 30 d / (d + 100)
        # <= s, that is d (30 - s) <= 100 s, with d at least :klat x |lat difference| and at least
        # :klon x |lon difference| (_distance_factors).
        spare = (
            bindparam(f"m{group}", type_=Float)
            + (ENTRY.condition_points if by_condition else ENTRY.quality_points)
            - bindparam("min_value", type_=Float)
        )
        short = ranking.DISTANCE_PENALTY_MAX_POINTS - spare
        lat, lon = bindparam("lat", type_=Float), bindparam("lon", type_=Float)
        for cell_group, cells in enumerate(cell_groups):
            inner = (
                select(*columns, distance_sql_with_cosine().label("distance_km"))
                .with_hint(table, "INDEXED BY ix_search_entry_cell", "sqlite")
                .where(
                    ENTRY.topic.in_(in_list(f"t{group}_", topics)),
                    ENTRY.geo_cell.in_(in_list(f"c{cell_group}_", cells)),
                    ENTRY.quality_points >= bindparam(f"floor{group}_{cell_group}"),
                    *filter_clauses(filters),
                    func.abs(ENTRY.lat - lat) * bindparam("klat", type_=Float) * short
                    <= ranking.DISTANCE_HALF_KM * spare,
                    func.abs(ENTRY.lon - lon) * bindparam("klon", type_=Float) * short
                    <= ranking.DISTANCE_HALF_KM * spare,
                )
                .subquery()
            )
            points = inner.c.condition_points if by_condition else inner.c.quality_points
            penalty = (
                ranking.DISTANCE_PENALTY_MAX_POINTS
                * inner.c.distance_km
                / (inner.c.distance_km + ranking.DISTANCE_HALF_KM)
            )
            parts.append(
                select(*(inner.c[column.key] for column in columns)).where(
                    inner.c.distance_km <= bindparam("radius_km"),
                    bindparam(f"m{group}") + points - penalty >= bindparam("min_value"),
                )
            )
    return union_all(*parts)


def _entity_rows_statement(count: int, topics: int | None, filters: tuple[Any, ...]) -> Any:
    """Every entry of `count` entities of one kind (entity index) of the search's topics that passes the
    search's filters. SQLite: `topic IN (...)`. PostgreSQL (`topics` None): the topics as one array
    (:topic_array) that filters the index's rows of each entity (ix_search_entry_entity_rows covers the
    read); as `topic IN (...)` or `= ANY` it would descend the index once per entity and topic (18 ms
    where the filter takes 1), or prefer scanning every entry of the topics in the cell index."""
    if topics:
        topic_clause = ENTRY.topic.in_(in_list("t", topics))
    else:
        topic_array = bindparam("topic_array", type_=ARRAY(String))
        topic_clause = func.array_position(topic_array, ENTRY.topic).is_not(None)
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
        *filter_clauses(filters),
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
        # geo.haversine_km and ranking.distance_penalty inlined (the same operations in the same order, so
        # the same floating point): thousands of rows per search.
        # math.radians(x) is x * (pi / 180) and the clamp of `a` to [0, 1] two comparisons: the same floats.
        sin, cos, asin, sqrt, degree = math.sin, math.cos, math.asin, math.sqrt, math.pi / 180.0
        twice_radius, most, half = 2 * EARTH_RADIUS_KM, PENALTY_MAX, ranking.DISTANCE_HALF_KM
        lat, lon, radius_km, match, by_condition = (
            self.lat, self.lon, self.radius_km, self.match, self.by_condition
        )  # fmt: skip
        phi = math.radians(lat)
        cos_phi = cos(phi)
        for row_id, kind, entity_id, topic, row_lat, row_lon, quality, condition_points in rows:
            if topic not in match:
                continue
            row_phi = row_lat * degree
            half_lon = (row_lon - lon) * degree / 2
            a = sin((row_phi - phi) / 2) ** 2 + cos_phi * cos(row_phi) * sin(half_lon) ** 2
            if a > 1.0:
                a = 1.0
            elif a < 0.0:
                a = 0.0
            distance = twice_radius * asin(sqrt(a))
            if distance > radius_km:
                continue
            value = (
                match[topic]
                + (condition_points if topic in by_condition else quality)
                - most * distance / (distance + half)
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

    Seed: the best rows by quality of each topic in the cells nearest the place; the exact scores of the
    best providers among them (every entry of theirs read) bound the limit-th score from below. A row can
    only reach that bound when match + quality + the largest breadth bonus - the least distance penalty of
    its cell does, so only those rows are read; the providers they name that can still reach the bound
    are scored exactly in turn.
    """
    cells = area_cells(lat, lon, radius_km, MAX_CELLS)
    if not cells:  # an area of more than MAX_CELLS cells: scoring every candidate in SQL
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    connection = session.connection()
    names = list(topics)
    match = {topic: ranking.MATCH_POINTS[match_kind(topic, how)] for topic, how in topics.items()}
    by_condition = frozenset(topic for topic, how in topics.items() if how == "condition")
    scorer = _Scorer(lat, lon, radius_km, match, by_condition)
    with without_parallel_workers(connection):  # once for the seed, the first exact read and the cells
        bounded = _bounded_read(connection, scorer, names, cells, limit, filters)
    if bounded is None:  # few providers at all: scoring every candidate is as cheap
        return ranked_rows(
            session, topics=topics, lat=lat, lon=lon, radius_km=radius_km, limit=limit, filters=filters
        )
    exact, pruned = bounded
    # Only providers with a row whose value plus the largest breadth bonus reaches the bound can be in the
    # answer: the read returns their rows that do (within a hair). Each provider's best of those rows is its
    # best row, and the rows counted bound its breadth from below, so these partial scores raise the bound
    # (the limit-th of lower bounds of distinct providers); only providers that can still reach the raised
    # bound are scored exactly.
    partial = scorer.best_rows((0, *row) for row in pruned)
    for key in exact.keys() & partial.keys():
        del partial[key]
    raised = _limit_th([*exact.values(), *partial.values()], limit)
    most_breadth = ranking.BREADTH_POINTS_MAX
    more = sorted(key for key, held in partial.items() if held.value + most_breadth >= raised)
    exact |= _exact(connection, scorer, names, more, filters)
    ranked = heapq.nsmallest(limit, ((-_lower_bound(held), key) for key, held in exact.items()))
    if not ranked:
        return []
    ids = padded([exact[key].row_id for _score, key in ranked])
    entries = {
        row.id: row
        for row in compiled(
            connection, ("condition-winners", len(ids)), lambda: winners_statement(len(ids))
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


def _bounded_read(
    connection: Connection,
    scorer: _Scorer,
    topics: list[str],
    cells: list[Cell],
    limit: int,
    filters: SearchFilters,
) -> tuple[dict[tuple[str, int], _Best], Sequence[Any]] | None:
    """The exact scores of the seed's most promising providers and the cell rows that can reach the bound
    they set (None when the seed names fewer than `limit` providers, or they set no bound)."""
    seen = _seed(connection, scorer, topics, cells, limit, filters)
    if len(seen) < limit:
        return None
    promising = heapq.nlargest(SEED_EXACT_FACTOR * limit, seen, key=lambda key: _lower_bound(seen[key]))
    exact = _exact(connection, scorer, topics, promising, filters)
    bound = _limit_th(exact.values(), limit)
    if bound == float("-inf"):
        return None
    return exact, _cell_rows(connection, scorer, topics, cells, bound, filters)


def _cell_rows(
    connection: Connection,
    scorer: _Scorer,
    topics: list[str],
    cells: list[Cell],
    bound: float,
    filters: SearchFilters,
    pairs: bool | None = None,
) -> Sequence[Any]:
    """The rows of the area's cells that can still reach `bound` (READ_COLUMNS): topics grouped by
    their match points, cells by their least distance penalty, each group's quality floor from both.
    `pairs`: read as arrays of (topic, cell) pairs (cell_reads.py; default on PostgreSQL) or as a union
    of a part per topic group and cell group (portable SQL)."""
    groups: dict[tuple[float, bool], list[str]] = {}
    for topic in topics:
        groups.setdefault((scorer.match[topic], topic in scorer.by_condition), []).append(topic)
    topic_groups = sorted(groups.items())
    cell_groups = penalty_groups(cells)
    # A hair below the bound: SQL's floating point may differ from Python's in the last digits.
    values: dict[str, Any] = {
        **distance_factors(scorer.lat, scorer.lon, scorer.radius_km),
        "lat": scorer.lat,
        "lon": scorer.lon,
        "cos_lat": math.cos(math.radians(scorer.lat)),
        "radius_km": scorer.radius_km + 1e-6,
        "min_value": bound - ranking.BREADTH_POINTS_MAX - 1e-6,
        **_filter_values(filters),
    }
    floors = [
        [bound - points - ranking.BREADTH_POINTS_MAX + step - 1e-6 for step, _keys in cell_groups]
        for (points, _by_condition), _topics in topic_groups
    ]
    if pairs is None:
        pairs = connection.dialect.name == "postgresql"
    if pairs:  # one (topic, cell) pair an element of the arrays
        for prefix, scored_by_condition in (("q_", False), ("c_", True)):
            read = [
                (topic, key, points, floors[group][cell_group])
                for group, ((points, by_condition), group_topics) in enumerate(topic_groups)
                if by_condition == scored_by_condition
                for topic in group_topics
                for cell_group, (_step, keys) in enumerate(cell_groups)
                for key in keys
            ]
            for index, name in enumerate(("topics", "cells", "points", "floors")):
                values[prefix + name] = [pair[index] for pair in read]
        shape: tuple[Any, ...] = ("condition-cell-pairs", _filter_shape(filters))
        statement = compiled(connection, shape, partial(cell_reads.cell_statement, shape[1]))
    else:
        padded_groups = [padded(keys) for _step, keys in cell_groups]
        for group, ((points, _by_condition), group_topics) in enumerate(topic_groups):
            values[f"m{group}"] = points
            values |= in_values(f"t{group}_", group_topics)
            for cell_group in range(len(cell_groups)):
                values[f"floor{group}_{cell_group}"] = floors[group][cell_group]
        for cell_group, keys in enumerate(padded_groups):
            values |= in_values(f"c{cell_group}_", keys)
        pruned_shape = (
            tuple((len(group_topics), key[1]) for key, group_topics in topic_groups),
            tuple(len(keys) for keys in padded_groups),
            _filter_shape(filters),
        )
        shape = ("condition-cells", *pruned_shape)
        statement = compiled(connection, shape, partial(_pruned_statement, *pruned_shape))
    return statement.execute(connection, values)


def _seed(
    connection: Connection,
    scorer: _Scorer,
    topics: list[str],
    cells: list[Cell],
    limit: int,
    filters: SearchFilters,
) -> dict[tuple[str, int], _Best]:
    """The providers of the best rows by quality of each topic in the cells nearest the place: the 2
    nearest cells, then the 16 nearest when those hold fewer than `limit` providers."""
    nearest = sorted(cells, key=lambda cell: (cell.nearest_km, cell.key))
    seen: dict[tuple[str, int], _Best] = {}
    for count in SEED_CELLS:
        chosen = [cell.key for cell in nearest[:count]]
        values = _filter_values(filters)
        if connection.dialect.name == "postgresql":  # one (topic, cell) pair an element of the arrays
            values |= {
                "topics": [topic for topic in topics for _key in chosen],
                "cells": [key for _topic in topics for key in chosen],
            }
            pair_shape = (SEED_ROWS_PER_PART, _filter_shape(filters))
            build = partial(cell_reads.seed_statement, *pair_shape)
            statement = compiled(connection, ("condition-seed-pairs", *pair_shape), build)
        else:
            shape = (len(topics), len(chosen), _filter_shape(filters))
            values |= {**in_values("t", topics), **in_values("s", chosen)}
            statement = compiled(connection, ("condition-seed", *shape), partial(_seed_statement, *shape))
        rows = statement.execute(connection, values)
        seen = scorer.best_rows((0, *row) for row in rows)
        if len(seen) >= limit or count >= len(nearest):
            break
    return seen


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
            values |= in_values("t", topics) if topics_in_sql else {"topic_array": topics}
            found |= scorer.best_rows(statement.execute(connection, values))
    return found
