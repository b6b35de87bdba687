"""The condition search's cell read on PostgreSQL (cell_reads.py: arrays of (topic, cell) pairs) returns
exactly the rows of the portable union of a part per topic group and cell group, on the same database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory import condition_search, ranking, scoring, search_cells
from onconav.directory.scoring import SearchFilters, match_kind
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge


@pytest.mark.parametrize(
    ("query", "near", "filters"),
    [
        ("lung cancer", "New York, NY", SearchFilters()),
        ("breast cancer", "Boston, MA", SearchFilters(kind="practitioner")),
        ("pleural mesothelioma", "Houston, TX", SearchFilters(language="es")),
        ("prostate cancer", "Chicago, IL", SearchFilters(kind="hospital")),
    ],
)
@pytest.mark.parametrize("below", [0.0, 15.0])
def test_the_pairs_read_returns_the_rows_of_the_union(
    postgres_demo_engine: Engine, query: str, near: str, filters: SearchFilters, below: float
) -> None:
    topics = dict(knowledge.interpret_query(query).topics)
    place = geo.resolve_place(near).place
    radius_km = 300.0
    match = {topic: ranking.MATCH_POINTS[match_kind(topic, how)] for topic, how in topics.items()}
    by_condition = frozenset(topic for topic, how in topics.items() if how == "condition")
    scorer = condition_search._Scorer(place.lat, place.lon, radius_km, match, by_condition)
    cells = search_cells.area_cells(place.lat, place.lon, radius_km, condition_search.MAX_CELLS)
    assert cells
    with Session(postgres_demo_engine) as session:
        connection = session.connection()
        assert connection.dialect.name == "postgresql"
        full = scoring.ranked_rows(
            session,
            topics=topics,
            lat=place.lat,
            lon=place.lon,
            radius_km=radius_km,
            limit=10,
            filters=filters,
        )
        bound = full[-1].score - below  # the limit-th score, and far below it (many more rows)
        names = list(topics)
        by_pairs = condition_search._cell_rows(connection, scorer, names, cells, bound, filters, pairs=True)
        by_union = condition_search._cell_rows(connection, scorer, names, cells, bound, filters, pairs=False)
    assert by_pairs
    assert sorted(tuple(row) for row in by_pairs) == sorted(tuple(row) for row in by_union)
