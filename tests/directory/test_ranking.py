"""The ranking function: its terms, their bounds, and reasons that add up to the score."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onconav.directory import ranking


def test_distance_penalty_is_10_at_50_km_15_at_100_km_and_capped() -> None:
    assert ranking.distance_penalty(0) == 0
    assert ranking.distance_penalty(50) == pytest.approx(10.0)
    assert ranking.distance_penalty(100) == pytest.approx(15.0)
    assert ranking.distance_penalty(20_000) < ranking.DISTANCE_PENALTY_MAX_POINTS


@given(st.floats(0, 20_000), st.floats(0, 20_000))
def test_distance_penalty_grows_with_distance(a: float, b: float) -> None:
    near, far = sorted((a, b))
    assert ranking.distance_penalty(near) <= ranking.distance_penalty(far)


def test_volume_points_are_logarithmic_and_capped() -> None:
    assert ranking.volume_points(None) == 0
    assert ranking.volume_points(0) == 0
    assert ranking.volume_points(9) == pytest.approx(10.0)
    assert ranking.volume_points(99) == pytest.approx(20.0)
    assert ranking.volume_points(10_000) == ranking.VOLUME_POINTS_MAX


def test_designations_round_trip_through_bits_without_unknown_ones() -> None:
    bits = ranking.designation_bits(["nci", "jci", "unknown"])
    assert ranking.designation_codes(bits) == ["nci", "jci"]
    assert ranking.designation_points(bits) == 12.0  # JCI is shown, not scored (docs/ranking.md)


def test_lat_band_is_half_degrees() -> None:
    assert ranking.lat_band(39.15) == 78
    assert ranking.lat_band(-0.1) == -1


@given(
    match_kind=st.sampled_from(list(ranking.MATCH_POINTS)),
    volume=st.one_of(st.none(), st.integers(0, 5000)),
    designations=st.integers(0, 7),
    tumor_board=st.booleans(),
    trials=st.booleans(),
    distance=st.floats(0, 20_000),
    service_topic=st.booleans(),
    likely=st.booleans(),
    condition_trials=st.integers(0, 9),
)
def test_reasons_add_up_to_the_score_and_name_their_sources(
    match_kind: ranking.MatchKind,
    volume: int | None,
    designations: int,
    tumor_board: bool,
    trials: bool,
    distance: float,
    service_topic: bool,
    likely: bool,
    condition_trials: int,
) -> None:
    condition_topic = match_kind == "condition"
    if not service_topic and not condition_topic:
        volume = None
    topic = (
        "condition:lung-cancer"
        if condition_topic
        else "service:lobectomy"
        if service_topic
        else "specialty:x"
    )
    evidence = "likely" if likely else "known"
    quality, condition_points = ranking.entry_points(
        topic=topic,
        annual_volume=volume,
        designations=designations,
        tumor_board=tumor_board,
        clinical_trials=trials,
        evidence=evidence,
        condition_trials=condition_trials if condition_topic else 0,
    )
    condition_search = match_kind.startswith("condition")
    score = ranking.score(
        match_kind=match_kind, quality=condition_points if condition_search else quality, distance_km=distance
    )
    signals = (
        (
            ranking.SignalFact(
                "trials", condition_trials, ("NCT01642004",), "ClinicalTrials.gov NCT01642004"
            ),
            ranking.SignalFact("inpatient", volume, ("180",), "CMS Medicare Inpatient 2022"),
        )
        if condition_topic
        else ()
    )
    factors = ranking.explain(
        match_kind=match_kind,
        topic_name="Lobectomy",
        condition_name="Lung cancer",
        service_topic=service_topic and not condition_topic,
        annual_volume=volume,
        designations=designations,
        tumor_board=tumor_board,
        clinical_trials=trials,
        distance_km=distance,
        place_name="Ukiah",
        within_radius=True,
        radius_km=100,
        sources=ranking.ReasonSources(listing="CMS Hospital General Information"),
        evidence=evidence,
        signals=signals,
        condition_search=condition_search,
    )
    assert math.isclose(sum(f.points for f in factors), score, abs_tol=0.05)
    assert all(f.params.get("source") for f in factors if f.factor != "distance")
    assert ("evidence" in {f.factor for f in factors}) == likely
    assert {f.factor for f in factors} >= {"match", "distance"}


# --- the order rule (docs/ranking.md, "Order") --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Result:
    kind: str
    id: int
    score: float
    distance_km: float
    within_radius: bool


def test_a_center_beyond_the_radius_never_ranks_above_one_inside_it() -> None:
    far_but_strong = _Result("organization", 1, score=70.0, distance_km=167.0, within_radius=False)
    inside = _Result("organization", 2, score=40.0, distance_km=90.0, within_radius=True)
    near = _Result("practitioner", 3, score=30.0, distance_km=10.0, within_radius=True)
    assert ranking.order_results([far_but_strong, near, inside]) == [inside, near, far_but_strong]
    assert ranking.order_results([far_but_strong, near, inside], "nearest") == [near, inside, far_but_strong]


results = st.builds(
    _Result,
    kind=st.sampled_from(["organization", "practitioner"]),
    id=st.integers(1, 50),
    score=st.floats(-30, 120, allow_nan=False),
    distance_km=st.floats(0, 500, allow_nan=False),
    within_radius=st.booleans(),
)


@given(st.lists(results, max_size=20))
def test_best_order_puts_every_result_inside_before_any_beyond_each_part_by_score(
    found: list[_Result],
) -> None:
    ordered = ranking.order_results(found)
    assert sorted(ordered, key=repr) == sorted(found, key=repr)
    flags = [r.within_radius for r in ordered]
    assert flags == sorted(flags, reverse=True)
    for part in (True, False):
        scores = [r.score for r in ordered if r.within_radius is part]
        assert scores == sorted(scores, reverse=True)


@given(st.lists(results, max_size=20))
def test_nearest_order_is_by_distance(found: list[_Result]) -> None:
    distances = [r.distance_km for r in ranking.order_results(found, "nearest")]
    assert distances == sorted(distances)
