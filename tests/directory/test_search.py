"""Directory search on both backends: the Ukiah journey, exact top-k against a brute-force scan,
filters, conditions, and what happens when too little lies within the radius.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory import ranking, search_cells
from onconav.directory import service as directory
from onconav.directory.models import SearchEntry
from onconav.directory.scoring import ScoredEntry, SearchFilters, match_kind
from onconav.errors import InvalidInput
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

UKIAH = (39.1502, -123.2078)


def _search(engine: Engine, **kwargs: object) -> directory.SearchOutcome:
    with Session(engine) as session:
        return directory.search_providers(session, **kwargs)  # type: ignore[arg-type]


def _brute_force(
    engine: Engine, query: str, lat: float, lon: float, radius_km: float
) -> dict[tuple[str, int], float]:
    """Best score per provider within the radius, computed in Python over every entry of the topics (a
    condition counts each entry's condition points: a procedure's volume is not experience with it)."""
    topics = knowledge.interpret_query(query).topics
    best: dict[tuple[str, int], float] = {}
    matched: dict[tuple[str, int], int] = {}
    with Session(engine) as session:
        for entry in session.scalars(select(SearchEntry).where(SearchEntry.topic.in_(list(topics)))):
            distance = geo.haversine_km(lat, lon, entry.lat, entry.lon)
            if distance > radius_km:
                continue
            value = ranking.score(
                match_kind=match_kind(entry.topic, topics[entry.topic]),
                quality=entry.condition_points
                if topics[entry.topic] == "condition"
                else entry.quality_points,
                distance_km=distance,
            )
            key = (entry.entity_kind, entry.entity_id)
            best[key] = max(best.get(key, -math.inf), value)
            matched[key] = matched.get(key, 0) + 1
    return {key: value + ranking.breadth_points(matched[key]) for key, value in best.items()}


def test_metastasectomy_near_ukia_ca_reads_ukiah_and_looks_past_100_km_for_enough_providers(
    demo_engine: Engine,
) -> None:
    outcome = _search(demo_engine, query="metastasectomy", near="Ukia, CA")
    place = outcome.place.place
    assert place.city == "Ukiah" and place.region_code == "CA" and not outcome.place.exact
    assert geo.haversine_km(place.lat, place.lon, *UKIAH) < 5
    assert len(outcome.hits) >= 5
    scores = [hit.score for hit in outcome.hits]
    assert scores == sorted(scores, reverse=True)
    # Ukiah is a small town: fewer than five providers lie within 100 km, so the search looked further.
    assert outcome.within_radius_count < 5
    assert outcome.expanded_radius_km is not None and outcome.expanded_radius_km > 100
    beyond = [hit for hit in outcome.hits if not hit.within_radius]
    assert beyond and all(hit.distance_km > 100 for hit in beyond)
    assert any(hit.city == "San Francisco" for hit in outcome.hits)
    for hit in outcome.hits:
        assert math.isclose(sum(f.points for f in hit.factors), hit.score, abs_tol=0.06)
        assert hit.factors[0].factor == "match" and hit.factors[0].params["name"] == "Metastasectomy"
        expected_km = geo.haversine_km(place.lat, place.lon, hit.lat, hit.lon)
        assert hit.distance_km == pytest.approx(expected_km, abs=0.06)
        assert ("beyond_radius" in {f.factor for f in hit.factors}) == (not hit.within_radius)


def test_every_result_really_offers_the_procedure(demo_engine: Engine) -> None:
    outcome = _search(demo_engine, query="pleurectomy decortication", near="Houston, TX", limit=15)
    assert outcome.hits
    with Session(demo_engine) as session:
        for hit in outcome.hits:
            if hit.kind == "organization":
                profile = directory.get_organization_or_raise(session, organization_id=hit.id)
                codes = {s.code for s in profile.services}
            else:
                person = directory.get_practitioner_or_raise(session, practitioner_id=hit.id)
                codes = {s.code for role in person.roles for s in role.services}
            assert "pleurectomy-decortication" in codes


@pytest.mark.parametrize(
    ("query", "near", "radius"),
    [
        ("lobectomy", "New York, NY", 100.0),
        ("sbrt", "Chicago, IL", 300.0),
        ("mesothelioma", "Houston, TX", 250.0),
        ("thoracic surgeon", "Istanbul, Turkey", 500.0),
    ],
)
def test_top_results_equal_a_brute_force_scan(
    demo_engine: Engine, query: str, near: str, radius: float
) -> None:
    outcome = _search(demo_engine, query=query, near=near, radius_km=radius, limit=10)
    place = outcome.place.place
    expected = _brute_force(demo_engine, query, place.lat, place.lon, radius)
    best_scores = sorted(expected.values(), reverse=True)[: len(outcome.hits)]
    assert len(outcome.hits) == min(10, len(expected))
    for hit, best in zip(outcome.hits, best_scores, strict=True):
        assert hit.score == pytest.approx(best, abs=0.011)
        assert expected[(hit.kind, hit.id)] == pytest.approx(hit.score, abs=0.011)
    assert len({(hit.kind, hit.id) for hit in outcome.hits}) == len(outcome.hits)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (SearchFilters(language="es"), lambda hit: "es" in hit.languages),
        (SearchFilters(international=True), lambda hit: hit.accepts_international),
        (SearchFilters(designation="nci"), lambda hit: "nci" in hit.designations),
        (SearchFilters(kind="practitioner"), lambda hit: hit.kind == "practitioner"),
        (
            SearchFilters(kind="cancer_center"),
            lambda hit: hit.kind == "organization" and hit.organization_kind == "cancer_center",
        ),
    ],
)
def test_filters_hold_for_every_result(demo_engine: Engine, filters: SearchFilters, check: object) -> None:
    outcome = _search(
        demo_engine, query="systemic therapy", near="Los Angeles, CA", radius_km=2000, filters=filters
    )
    assert outcome.hits
    assert all(check(hit) for hit in outcome.hits)  # type: ignore[operator]


def test_a_condition_search_lists_each_provider_once(demo_engine: Engine) -> None:
    outcome = _search(demo_engine, query="pleural mesothelioma", near="Houston, TX", radius_km=400, limit=30)
    keys = [(hit.kind, hit.id) for hit in outcome.hits]
    assert len(keys) == len(set(keys)) == 30
    assert {hit.factors[0].params["match_kind"] for hit in outcome.hits} <= {
        "condition-procedure",
        "condition-service",
        "condition-specialty",
    }
    assert all(hit.factors[0].params["condition"] == "Pleural mesothelioma" for hit in outcome.hits)


def test_destinations_abroad_are_searchable(demo_engine: Engine) -> None:
    outcome = _search(demo_engine, query="chemotherapy", near="Istanbul, Türkiye", radius_km=50)
    assert outcome.hits and outcome.expanded_radius_km is None
    assert all(hit.country_code == "TR" and hit.city == "Istanbul" for hit in outcome.hits)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"radius_km": 0},
        {"radius_km": -5},
        {"radius_km": float("nan")},
        {"radius_km": 1e9},
        {"limit": 0},
        {"limit": 101},
        {"filters": SearchFilters(kind="spaceship")},
        {"filters": SearchFilters(designation="x")},
        {"filters": SearchFilters(language="english")},
        {"near": "Xyzzyqq, ZZ"},
        {"query": "zzzzqqq"},
    ],
)
def test_bad_input_is_refused_clearly(demo_engine: Engine, kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"query": "lobectomy", "near": "Ukiah, CA", **kwargs}
    with pytest.raises(InvalidInput) as raised:
        _search(demo_engine, **arguments)
    assert len(raised.value.message) > 10


def test_stage_4_mesothelioma_near_boston_finds_thoracic_surgeons_and_programs(demo_engine: Engine) -> None:
    outcome = _search(demo_engine, query="stage 4 mesothelioma", near="Boston, MA", limit=10)
    practitioners = [hit for hit in outcome.hits if hit.kind == "practitioner"]
    organizations = [hit for hit in outcome.hits if hit.kind == "organization"]
    assert any(hit.specialty == "thoracic-surgery" for hit in practitioners)
    assert organizations
    with Session(demo_engine) as session:
        program = directory.get_organization_or_raise(session, organization_id=organizations[0].id)
    offered = {s.code for s in program.services}
    assert {"pleurectomy-decortication", "systemic-therapy"} <= offered
    assert "breadth" in {f.factor for f in organizations[0].factors}


def test_a_service_nobody_offers_gives_an_empty_answer_without_looking_further(demo_engine: Engine) -> None:
    # Pericardiocentesis was the example until cardiologists joined the demo (issue 14).
    outcome = _search(demo_engine, query="emergency department", near="Ukiah, CA")
    assert outcome.hits == [] and outcome.expanded_radius_km is None


@pytest.mark.parametrize(
    ("query", "near", "radius_km"),
    [
        ("breast cancer", "New York, NY", 600.0),
        ("lung cancer", "Los Angeles, CA", 600.0),
        ("pleural mesothelioma", "Houston, TX", 600.0),
        ("prostate cancer", "Chicago, IL", 600.0),
    ],
)
def test_condition_search_over_a_wide_area_equals_the_full_scan(
    demo_engine: Engine, query: str, near: str, radius_km: float
) -> None:
    """Over an area of hundreds of cells (one path for every radius: it used to be a probe of 2 km past
    300 km), the cell-by-cell read returns exactly what scoring every candidate returns."""
    from onconav.directory import condition_search, scoring

    topics = dict(knowledge.interpret_query(query).topics)
    place = geo.resolve_place(near).place
    cells = search_cells.area_cells(place.lat, place.lon, radius_km, condition_search.MAX_CELLS)
    assert cells is not None and len(cells) > 300
    arguments = {
        "topics": topics,
        "lat": place.lat,
        "lon": place.lon,
        "radius_km": radius_km,
        "limit": 8,
        "filters": SearchFilters(),
    }
    with Session(demo_engine) as session:
        pruned = condition_search.condition_rows(session, **arguments)  # type: ignore[arg-type]
        full = scoring.ranked_rows(session, **arguments)  # type: ignore[arg-type]
    _same_answer(pruned, full)


@pytest.mark.parametrize("filters", [SearchFilters(), SearchFilters(kind="practitioner")])
def test_condition_search_reads_every_cell_of_the_area(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch, filters: SearchFilters
) -> None:
    """Over an area spanning many bands and cells (seeded from the 16 nearest cells at once), with or
    without a filter, the cell-by-cell read keeps exactly the full scan's answer, breadth included; an
    area over MAX_CELLS scores every candidate in SQL."""
    from onconav.directory import condition_search, scoring

    monkeypatch.setattr(condition_search, "SEED_CELLS", (16,))
    topics = dict(knowledge.interpret_query("lung cancer").topics)
    place = geo.resolve_place("Boston, MA").place
    radius_km = 900.0
    cells = search_cells.area_cells(place.lat, place.lon, radius_km, condition_search.MAX_CELLS)
    assert cells is not None and len({cell.key // 1000 for cell in cells}) > 10
    arguments = {
        "topics": topics,
        "lat": place.lat,
        "lon": place.lon,
        "radius_km": radius_km,
        "limit": 6,
        "filters": filters,
    }
    with Session(demo_engine) as session:
        pruned = condition_search.condition_rows(session, **arguments)  # type: ignore[arg-type]
        full = scoring.ranked_rows(session, **arguments)  # type: ignore[arg-type]
        monkeypatch.setattr(condition_search, "MAX_CELLS", 100)
        too_wide = condition_search.condition_rows(session, **arguments)  # type: ignore[arg-type]
    _same_answer(pruned, full)
    _same_answer(too_wide, full)


def test_a_cells_least_distance_is_never_more_than_any_of_its_points() -> None:
    """The distance bound of each cell (what lets far cells be read from a higher quality) is at most the
    distance of any point in it: checked on a grid of points of every cell around three places."""

    for lat, lon in ((40.71, -74.0), (64.8, -147.7), (-33.9, 151.2)):
        cells = search_cells.area_cells(lat, lon, 400.0, 4096)
        assert cells
        for cell in cells:
            band, lon_cell = divmod(cell.key, ranking.CELLS_PER_BAND)
            for i in range(6):
                for j in range(6):
                    point_lat = band * 0.5 + i * 0.1
                    point_lon = lon_cell * 0.5 - 180.0 + j * 0.1
                    assert cell.nearest_km <= geo.haversine_km(lat, lon, point_lat, point_lon) + 1e-9


def test_the_distance_bounds_before_the_distance_never_exceed_it() -> None:
    """The arithmetic bounds the cell read applies before computing a distance (km per degree of latitude
    and of longitude difference) are at most the great-circle distance of any point of the area."""

    for lat, lon, radius_km in ((40.71, -74.0, 100.0), (64.8, -147.7, 600.0), (-33.9, 151.2, 900.0)):
        factors = search_cells.distance_factors(lat, lon, radius_km)
        box = geo.bounding_box(lat, lon, radius_km)
        (low, high), steps = box.lon_ranges[0], 24
        for i in range(steps + 1):
            for j in range(steps + 1):
                point_lat = box.min_lat + (box.max_lat - box.min_lat) * i / steps
                point_lon = low + (high - low) * j / steps
                distance = geo.haversine_km(lat, lon, point_lat, point_lon)
                assert factors["klat"] * abs(point_lat - lat) <= distance + 1e-9
                assert factors["klon"] * abs(point_lon - lon) <= distance + 1e-9


def test_every_search_entry_is_in_its_cell(demo_engine: Engine) -> None:
    """Writers give each entry its cell (ranking.geo_cell), which the condition read relies on."""
    with Session(demo_engine) as session:
        rows = session.execute(select(SearchEntry.lat, SearchEntry.lon, SearchEntry.geo_cell)).all()
    assert rows
    assert all(cell == ranking.geo_cell(lat, lon) for lat, lon, cell in rows)
    assert ranking.geo_cell(40.71, -74.0) == 81 * 1000 + 212
    assert ranking.geo_cell(-33.9, 151.2) == -68 * 1000 + 662


def test_looking_beyond_the_radius_stops_at_the_documented_cap(demo_engine: Engine) -> None:
    from onconav.directory.search import MAX_EXPANSION_KM

    outcome = _search(demo_engine, query="metastasectomy", near="Anchorage, AK", radius_km=50)
    assert outcome.expanded_radius_km is None or outcome.expanded_radius_km <= MAX_EXPANSION_KM
    assert all(hit.distance_km <= MAX_EXPANSION_KM for hit in outcome.hits)
    coverage = outcome.coverage
    assert coverage.known == len([hit for hit in outcome.hits if hit.evidence == "known"])


@pytest.mark.parametrize(
    ("counts", "says", "never"),
    [
        ((3, 2, 0), "3 results are listed by a source as offering Lobectomy. 2 more are likely", "radius"),
        ((1, 1, 0), "1 result is listed by a source as offering Lobectomy. 1 more is likely", "radius"),
        ((0, 4, 0), "No provider in this directory is listed as offering Lobectomy", "radius"),
        ((0, 0, 5), "These are the nearest general hospitals, whose services no source lists", "radius"),
        ((0, 0, 0), "no general hospital lies within 500 km. A larger radius would not help.", "Try"),
    ],
)
def test_the_coverage_note_says_what_the_directory_knows_and_never_suggests_a_useless_radius(
    counts: tuple[int, int, int], says: str, never: str
) -> None:
    from babel.support import NullTranslations

    from onconav.directory.reasons import describe_coverage
    from onconav.directory.search import Coverage

    known, likely, unknown = counts
    note = describe_coverage(
        Coverage(known, likely, unknown, "Lobectomy", False, 500.0, hospitals_shown=bool(unknown)),
        NullTranslations(),
    )
    assert says in note and never not in note


def _condition_topics(query: str) -> dict[str, str]:
    """The topics a search for `query` scores, as run_search builds them (with the condition's own)."""
    interpretation = knowledge.interpret_query(query)
    topics = dict(interpretation.topics)
    for match in interpretation.matches:
        if match.kind == "condition":
            topics[f"condition:{match.code}"] = "condition"
    return topics


def _same_answer(pruned: list[ScoredEntry], full: list[ScoredEntry]) -> None:
    """Same providers in the same order, with the same scores, breadth and entries."""
    assert [(r.entry.entity_kind, r.entry.entity_id, r.topics_matched) for r in pruned] == [
        (r.entry.entity_kind, r.entry.entity_id, r.topics_matched) for r in full
    ]
    assert [r.score for r in pruned] == pytest.approx([r.score for r in full], abs=1e-6)
    assert [r.distance_km for r in pruned] == pytest.approx([r.distance_km for r in full], abs=1e-6)
    assert [r.entry.topic for r in pruned] == [r.entry.topic for r in full]


@pytest.mark.parametrize(
    ("query", "near", "radius_km", "limit", "filters", "seeded"),
    [
        ("breast cancer", "New York, NY", 100.0, 20, SearchFilters(), True),
        ("lung cancer", "Los Angeles, CA", 250.0, 8, SearchFilters(), True),
        ("pleural mesothelioma", "Houston, TX", 150.0, 10, SearchFilters(), True),
        ("prostate cancer", "Chicago, IL", 100.0, 5, SearchFilters(kind="practitioner"), True),
        ("lung cancer", "New York, NY", 100.0, 20, SearchFilters(designation="nci"), True),
        # Too few providers in the small demo: the seed does not fill the limit, every candidate is scored.
        ("lung cancer", "Boston, MA", 300.0, 10, SearchFilters(kind="hospital"), False),
        ("breast cancer", "Miami, FL", 200.0, 12, SearchFilters(language="es"), False),
        ("stage 4 mesothelioma", "Ukiah, CA", 100.0, 20, SearchFilters(), False),
    ],
)
def test_seeded_condition_search_equals_scoring_every_candidate(
    demo_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    near: str,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
    seeded: bool,
) -> None:
    """The seeded path (best rows by quality bound the rest) returns exactly what scoring every candidate
    in SQL returns: providers, order, scores, breadth and the entry shown."""
    from onconav.directory import condition_search, scoring

    fallbacks: list[float] = []

    def scoring_every_candidate(session: Session, **kwargs: object) -> list[ScoredEntry]:
        fallbacks.append(1.0)
        return scoring.ranked_rows(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(condition_search, "ranked_rows", scoring_every_candidate)
    topics = _condition_topics(query)
    place = geo.resolve_place(near).place
    arguments = {"topics": topics, "lat": place.lat, "lon": place.lon, "radius_km": radius_km}
    with Session(demo_engine) as session:
        pruned = condition_search.condition_rows(session, **arguments, limit=limit, filters=filters)  # type: ignore[arg-type]
        assert bool(fallbacks) is not seeded
        full = scoring.ranked_rows(session, **arguments, limit=limit, filters=filters)  # type: ignore[arg-type]
    _same_answer(pruned, full)


CONDITIONS = ["breast cancer", "lung cancer", "prostate cancer", "pleural mesothelioma", "colorectal cancer"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.sampled_from(CONDITIONS),
    city=st.sampled_from(range(60)),
    radius_km=st.floats(min_value=3.0, max_value=320.0),
    limit=st.integers(min_value=1, max_value=40),
    kind=st.sampled_from([None, "practitioner", "organization", "cancer_center"]),
)
def test_seeded_condition_search_equals_the_full_scan_anywhere(
    demo_engine: Engine, query: str, city: int, radius_km: float, limit: int, kind: str | None
) -> None:
    from onconav.directory import condition_search, scoring

    place = directory.demo_cities("small")[city % len(directory.demo_cities("small"))]
    topics = _condition_topics(query)
    arguments = {"topics": topics, "lat": place.lat, "lon": place.lon, "radius_km": radius_km}
    filters = SearchFilters(kind=kind)
    with Session(demo_engine) as session:
        pruned = condition_search.condition_rows(session, **arguments, limit=limit, filters=filters)  # type: ignore[arg-type]
        full = scoring.ranked_rows(session, **arguments, limit=limit, filters=filters)  # type: ignore[arg-type]
    _same_answer(pruned, full)
