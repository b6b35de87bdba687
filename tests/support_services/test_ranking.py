"""The support ranking's terms, alone: condition specificity, reach, distance, and a score that is the sum
of its reasons (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from onconav.support import ranking
from onconav.support.models import ALL_CANCERS

LINEAGE = ("pleural-mesothelioma", "mesothelioma")


def test_condition_specificity() -> None:
    assert ranking.condition_match(["pleural-mesothelioma"], LINEAGE) == "exact"
    assert ranking.condition_match(["mesothelioma"], LINEAGE) == "broader"
    assert ranking.condition_match([ALL_CANCERS], LINEAGE) == "all_cancers"
    assert ranking.condition_match(["lung-cancer"], LINEAGE) is None
    kinds = frozenset({"pleural-mesothelioma"})
    assert ranking.condition_match(["pleural-mesothelioma"], ("mesothelioma",), kinds) == "narrower"
    assert ranking.condition_match(["pleural-mesothelioma", ALL_CANCERS], LINEAGE) == "exact"


def test_reach() -> None:
    assert ranking.reach_of(["in_person", "online"], 10.0, 100.0, None) == "in_person"
    assert ranking.reach_of(["in_person", "online"], 500.0, 100.0, None) == "online"
    assert ranking.reach_of(["in_person"], 500.0, 100.0, None) is None
    assert ranking.reach_of(["in_person", "phone"], 500.0, 100.0, None) == "phone"
    assert ranking.reach_of(["in_person", "online"], 10.0, 100.0, "online") == "online"
    assert ranking.reach_of(["online"], None, 100.0, "in_person") is None
    assert ranking.reach_of(["online"], None, 100.0, "phone") is None
    assert ranking.reach_of(["in_person"], None, 100.0, None) == "in_person"  # no place asked


@given(st.floats(min_value=0, max_value=20_040), st.floats(min_value=0, max_value=20_040))
def test_distance_penalty_is_bounded_and_never_rewards_distance(a: float, b: float) -> None:
    near, far = sorted((a, b))
    assert -30 < ranking.distance_penalty(far) <= ranking.distance_penalty(near) <= 0


@given(
    match=st.sampled_from([None, "exact", "broader", "narrower", "all_cancers"]),
    reach=st.sampled_from(["in_person", "online", "phone"]),
    distance=st.floats(min_value=0, max_value=20_040),
    remote_asked=st.booleans(),
    language=st.sampled_from([None, "es", "en"]),
    age_days=st.integers(min_value=0, max_value=5000),
)
def test_the_score_is_the_sum_of_its_reasons(
    match: ranking.ConditionMatch | None,
    reach: ranking.Reach,
    distance: float,
    remote_asked: bool,
    language: str | None,
    age_days: int,
) -> None:
    today = date(2026, 12, 4)
    factors = ranking.score_listing(
        match=match,
        condition_name="Pleural mesothelioma",
        reach=reach,
        distance_km=distance if reach == "in_person" else None,
        place_name="Ukiah",
        remote_asked=remote_asked,
        language=language,
        source="a source",
        source_date=today - timedelta(days=age_days),
        today=today,
    )
    assert ranking.total(factors) == round(sum(f.points for f in factors), 2)
    kinds = {f.factor for f in factors}
    assert ("condition" in kinds) == (match is not None)
    assert ("distance" in kinds) == (reach == "in_person")
    assert ("remote" in kinds) == (reach != "in_person" and not remote_asked)
    assert all(f.source for f in factors if f.factor != "distance")
    assert -50 <= ranking.total(factors) <= 45
