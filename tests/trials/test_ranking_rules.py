"""The ranking rules of issue 13 on their own: a stale status earns no recruiting points and says when it
was last verified; trials ruled out sink below every possible one; a trial with no known site sinks below
those with a site within reach; criteria met add at most a fixed number of points.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from onconav.i18n import get_translations
from onconav.trials.eligibility import summarise
from onconav.trials.matching import (
    CRITERIA_MET_MAX,
    JudgedCriterion,
    NearestSite,
    TrialMatch,
    is_stale,
    rank_key,
    score_reasons,
)
from onconav.trials.reasons import describe
from onconav.trials.verdicts import Verdict

PARIS: Any = SimpleNamespace(name="Paris, France", lat=48.85, lon=2.35)
TODAY = date(2026, 12, 4)


def _criterion(kind: str, label: str, text: str = "criterion") -> JudgedCriterion:
    verdict = Verdict(label=label, evidence=None, reason="r")
    return JudgedCriterion(kind=kind, text=text, level=0, verdict=verdict)  # type: ignore[arg-type]


def _match(nct_id: str, criteria: list[JudgedCriterion], *, km: float | None, last_update: str) -> TrialMatch:
    trial: Any = SimpleNamespace(
        nct_id=nct_id, status="RECRUITING", last_update=last_update, status_verified=None
    )
    nearest = NearestSite(site=SimpleNamespace(), distance_km=km) if km is not None else None  # type: ignore[arg-type]
    found = TrialMatch(
        trial=trial,
        relevance=1.0,
        matched_terms=[],
        criteria=criteria,
        nearest=nearest,
        reasons=[],
        summary=summarise(criteria),
        site_unknown=km is None,
        stale=is_stale(last_update, TODAY),
    )
    found.reasons = score_reasons(found, 1.0, PARIS, 100.0)
    return found


def test_a_status_not_verified_for_a_year_earns_no_recruiting_points_and_says_so() -> None:
    assert is_stale("2017-03-01", TODAY) and is_stale(None, TODAY) and is_stale("2025-11", TODAY)
    assert not is_stale("2026-06-30", TODAY)
    old = _match("NCT1", [], km=10.0, last_update="2017-03-01")
    fresh = _match("NCT2", [], km=10.0, last_update="2026-06-30")
    assert not any(r.factor == "recruiting" for r in old.reasons)
    assert any(r.factor == "recruiting" and r.points > 0 for r in fresh.reasons)
    stale = next(r for r in old.reasons if r.factor == "status_stale")
    assert "Status last verified 2017-03-01" in describe(stale, get_translations("en"), "en")


def test_ruled_out_trials_sink_below_every_possible_one_and_no_site_below_a_reachable_site() -> None:
    ruled_out = _match(
        "NCT1",
        [_criterion("inclusion", "included")] * 30 + [_criterion("exclusion", "excluded", "HIV")],
        km=1.0,
        last_update="2026-06-30",
    )
    met = [_criterion("inclusion", "included")] * 30
    far_unknown = _match("NCT2", met, km=None, last_update="2026-06-30")
    unknown = [_criterion("inclusion", "not enough information")]
    near_poor = _match("NCT3", unknown, km=90.0, last_update="2017-01-01")
    ranked = sorted([ruled_out, far_unknown, near_poor], key=lambda m: rank_key(m, PARIS, 100.0))
    assert [m.trial.nct_id for m in ranked] == ["NCT3", "NCT2", "NCT1"]
    assert ruled_out.eligibility == "likely not eligible"
    assert ruled_out.summary is not None and ruled_out.summary.deciding is not None
    assert ruled_out.summary.deciding.text == "HIV"
    assert near_poor.eligibility == "possibly eligible" and far_unknown.eligibility == "likely eligible"
    assert any(r.factor == "site_unknown" and r.points < 0 for r in far_unknown.reasons)


def test_criteria_met_add_at_most_a_fixed_number_of_points() -> None:
    many = _match("NCT1", [_criterion("inclusion", "included")] * 60, km=1.0, last_update="2026-06-30")
    met = sum(r.points for r in many.reasons if r.factor == "criteria")
    assert met == CRITERIA_MET_MAX
