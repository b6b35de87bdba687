"""The seed and cell reads of a condition search (condition_search.py) as PostgreSQL runs them: one small
statement over arrays of (topic, cell) pairs, each pair read by one index range in a LATERAL subquery,
instead of a UNION ALL of a part per topic (or topic group) and cell (or cell group).

The union's SQL text grows with the topics and cells (a lung cancer search near New York: 21 parts, each
repeating the distance a few times), and PostgreSQL spent longer planning it (7 ms) than running it (5 ms);
this statement has one text for every search of a filter shape, small enough to plan in a fraction of a
millisecond, and its index ranges are the union's. The rows and the arithmetic that selects them are the
union's too (the same operations in the same order), so the answers are the same.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Float, Integer, String, bindparam, func, select, true, union_all
from sqlalchemy.sql import Select

from onconav.directory import ranking
from onconav.directory.search_statements import ENTRY, distance_sql_with_cosine, filter_clauses

# What both reads return, in this order (condition_search._Scorer.best_rows after a leading row id).
CONDITION_FLOOR_HAIR = 1e-6  # rounding room of the condition points' floor (its bound is exact arithmetic)
READ_COLUMNS = ("entity_kind", "entity_id", "topic", "lat", "lon", "quality_points", "condition_points")


def _columns() -> list[Any]:
    return [ENTRY[name] for name in READ_COLUMNS]


def seed_statement(rows_per_pair: int, filters: tuple[Any, ...]) -> Select[Any]:
    """Per (:topics[i], :cells[i]) pair, its `rows_per_pair` rows of best quality (cell index, read from
    the top), as condition_search._seed_statement."""
    pairs = (
        func.unnest(bindparam("topics", type_=ARRAY(String)), bindparam("cells", type_=ARRAY(Integer)))
        .table_valued("topic", "cell")
        .render_derived(name="pair")
    )
    best = (
        select(*_columns())
        .where(ENTRY.topic == pairs.c.topic, ENTRY.geo_cell == pairs.c.cell, *filter_clauses(filters))
        .order_by(ENTRY.quality_points.desc())
        .limit(rows_per_pair)
        .lateral("best")
    )
    return select(*(best.c[name] for name in READ_COLUMNS)).select_from(pairs.join(best, true()))


def cell_statement(filters: tuple[Any, ...]) -> Any:
    """The rows of condition_search._pruned_statement, selected by the same arithmetic: every row of the
    (topic, cell) pairs whose quality reaches the pair's floor, that lies within the radius and whose value
    (the pair's match points + quality, or condition points for topics scored by them, - the distance
    penalty) reaches :min_value. Pairs of topics scored by quality are :q_topics[i], :q_cells[i],
    :q_points[i], :q_floors[i]; those of topics scored by condition points the same with c_."""
    return union_all(_cell_part(False, filters), _cell_part(True, filters))


def _cell_part(by_condition: bool, filters: tuple[Any, ...]) -> Select[Any]:
    prefix = "c_" if by_condition else "q_"
    pairs = (
        func.unnest(
            bindparam(f"{prefix}topics", type_=ARRAY(String)),
            bindparam(f"{prefix}cells", type_=ARRAY(Integer)),
            bindparam(f"{prefix}points", type_=ARRAY(Float)),
            bindparam(f"{prefix}floors", type_=ARRAY(Float)),
        )
        .table_valued("topic", "cell", "points", "floor")
        .render_derived(name=f"{prefix}pair")
    )
    # As in _pruned_statement: the points a row has to spare must cover its distance penalty, bounded from
    # below by plain arithmetic before the distance itself is computed.
    own = ENTRY.condition_points if by_condition else ENTRY.quality_points
    spare = pairs.c.points + own - bindparam("min_value", type_=Float)
    short = ranking.DISTANCE_PENALTY_MAX_POINTS - spare
    lat, lon = bindparam("lat", type_=Float), bindparam("lon", type_=Float)
    floors = [ENTRY.quality_points >= pairs.c.floor]
    if by_condition:
        # A row's value is at most its condition points + the pair's match points - its cell's least
        # penalty: below the floor (less a hair), it cannot reach :min_value, which the last condition
        # below asks. A range of the condition index (ix_search_entry_cell_condition), where the quality
        # floor alone reads every row of better quality and poor condition points.
        floors.append(ENTRY.condition_points >= pairs.c.floor - CONDITION_FLOOR_HAIR)
    inner = (
        select(*_columns(), distance_sql_with_cosine().label("distance_km"))
        .where(
            ENTRY.topic == pairs.c.topic,
            ENTRY.geo_cell == pairs.c.cell,
            *floors,
            *filter_clauses(filters),
            func.abs(ENTRY.lat - lat) * bindparam("klat", type_=Float) * short
            <= ranking.DISTANCE_HALF_KM * spare,
            func.abs(ENTRY.lon - lon) * bindparam("klon", type_=Float) * short
            <= ranking.DISTANCE_HALF_KM * spare,
        )
        .lateral(f"{prefix}inner")
    )
    penalty = (
        ranking.DISTANCE_PENALTY_MAX_POINTS
        * inner.c.distance_km
        / (inner.c.distance_km + ranking.DISTANCE_HALF_KM)
    )
    points = inner.c.condition_points if by_condition else inner.c.quality_points
    return (
        select(*(inner.c[name] for name in READ_COLUMNS))
        .select_from(pairs.join(inner, true()))
        .where(
            inner.c.distance_km <= bindparam("radius_km"),
            pairs.c.points + points - penalty >= bindparam("min_value"),
        )
    )
