"""Matching patients to the real sample trials on SQLite and PostgreSQL: retrieval by condition words
and synonyms, screening by status, age and sex, distances to the nearest site, eligibility points from
an injected judge, and reasons whose points add up to the score.
"""

from __future__ import annotations

from typing import Literal

import pytest
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.errors import InvalidInput
from onconav.geo.service import PlaceNotFound
from onconav.i18n import get_translations
from onconav.trials import service
from onconav.trials.matching import match_trials
from onconav.trials.profile import understand
from onconav.trials.schemas import PatientProfile
from onconav.trials.verdicts import NoteFacts, Verdict

NSCLC_NOTE = (
    "A 62-year-old woman with stage IV non-small cell lung cancer. ECOG 1. She has no brain metastases."
)


def _undecided(note: NoteFacts, text: str, kind: Literal["inclusion", "exclusion"]) -> Verdict:
    return Verdict(label="not enough information", evidence=None, reason="test")


def _ids(outcome: object) -> list[str]:
    return [m.trial.nct_id for m in outcome.matches]  # type: ignore[attr-defined]


def test_lung_cancer_finds_the_open_lung_trials(trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        outcome = service.match(
            session, patient=PatientProfile(note=NSCLC_NOTE), near=None, limit=5, judge=_undecided
        )
    ids = _ids(outcome)
    # Both recruiting NSCLC trials first; NCT00023673 (lung cancer) is completed, so screened out.
    assert set(ids[:2]) == {"NCT02679963", "NCT03599518"}
    assert "NCT00023673" not in ids
    assert outcome.profile.condition_code == "non-small-cell-lung-cancer"
    for found in outcome.matches:
        assert found.trial.status in ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
        assert found.score == pytest.approx(sum(r.points for r in found.reasons), abs=0.15)
        assert found.reasons[0].factor == "condition"


def test_age_and_sex_screen_trials_out(trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        child = service.match(
            session,
            patient=PatientProfile(condition="non-small cell lung cancer", age=12),
            near=None,
            limit=10,
            judge=_undecided,
        )
        adult = service.match(
            session,
            patient=PatientProfile(condition="non-small cell lung cancer", age=40),
            near=None,
            limit=10,
            judge=_undecided,
        )
        man = service.match(
            session,
            patient=PatientProfile(condition="breast cancer", sex="male", age=50),
            near=None,
            limit=10,
            judge=_undecided,
        )
    assert "NCT02679963" in _ids(adult) and "NCT02679963" not in _ids(child)  # 18 and over only
    assert child.screened < adult.screened
    for found in man.matches:
        assert found.trial.sex in ("ALL", "MALE")


def test_distance_to_the_nearest_recruiting_site(trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        near_paris = service.match(
            session, patient=PatientProfile(note=NSCLC_NOTE), near="Paris, France", limit=3, judge=_undecided
        )
        near_boston = service.match(
            session,
            patient=PatientProfile(note=NSCLC_NOTE, max_travel_km=500),
            near="Boston, MA",
            limit=3,
            judge=_undecided,
        )
    olaparib = next(m for m in near_paris.matches if m.trial.nct_id == "NCT02679963")
    assert olaparib.nearest is not None and olaparib.nearest.site.city == "Villejuif"
    assert olaparib.nearest.distance_km < 15
    assert any(r.factor == "distance" and r.points > 19 for r in olaparib.reasons)
    far = next(m for m in near_boston.matches if m.trial.nct_id == "NCT02679963")
    assert any(r.factor == "beyond_travel" and r.points < 0 for r in far.reasons)
    assert near_paris.matches[0].trial.nct_id == "NCT02679963"


def test_a_trial_whose_criteria_exclude_the_patient_sinks_with_the_criterion_crossed(
    trials_engine: Engine,
) -> None:
    """A judge that finds the patient excluded by one trial's criteria sinks that trial."""

    def judge(note: NoteFacts, text: str, kind: Literal["inclusion", "exclusion"]) -> Verdict:
        if kind == "exclusion" and "olaparib" in text.lower():
            return Verdict(label="excluded", evidence="She is allergic to olaparib.", reason="allergy")
        if kind == "inclusion" and "egfr" in text.lower():
            return Verdict(label="included", evidence="EGFR exon 19 deletion.", reason="EGFR")
        return Verdict(label="not enough information", evidence=None, reason="test")

    with unit_of_work(make_session_factory(trials_engine)) as session:
        plain = service.match(
            session, patient=PatientProfile(note=NSCLC_NOTE), near=None, limit=5, judge=_undecided
        )
        judged = service.match(
            session, patient=PatientProfile(note=NSCLC_NOTE), near=None, limit=5, judge=judge
        )
        response = service.to_response(judged, translations=get_translations("en"), locale="en")
    assert _ids(plain)[0] == "NCT02679963"
    assert _ids(judged)[0] == "NCT03599518"
    olaparib = next(r for r in response.results if r.nct_id == "NCT02679963")
    assert olaparib.counts["unmet"] >= 1
    crossed = next(c for c in olaparib.criteria if c.mark == "unmet")
    assert crossed.kind == "exclusion" and crossed.evidence == "She is allergic to olaparib."
    assert any("exclude the patient" in w.detail and w.points < 0 for w in olaparib.why)
    assert sum(w.points for w in olaparib.why) == pytest.approx(olaparib.score, abs=0.15)


def test_a_structured_profile_or_a_note_gives_condition_age_sex_and_search_terms() -> None:
    profile = PatientProfile(
        condition="pleural mesothelioma",
        stage="IV",
        age=70,
        sex="male",
        ecog=1,
        biomarkers=["BAP1 loss"],
        prior_therapies=["cisplatin", "pemetrexed"],
    )
    understood = understand(profile)
    assert understood.condition_code == "pleural-mesothelioma"
    assert understood.stage == "IV"
    assert "mesothelioma" in understood.terms and understood.terms["mesothelioma"] >= 0.7
    assert "70-year-old man with stage IV pleural mesothelioma" in understood.note
    assert "ECOG performance status is 1" in understood.note
    assert "cisplatin, pemetrexed" in understood.note
    from_note = understand(PatientProfile(note="Mrs Lee, 58 yo, has EGFR-positive lung adenocarcinoma."))
    assert (from_note.age, from_note.sex, from_note.condition_code) == (58, "female", "lung-adenocarcinoma")
    assert from_note.terms.get("egfr") and from_note.terms["lung"] > 0


def test_a_zero_limit_an_unknown_place_or_a_profile_without_condition_or_note_is_refused(
    trials_engine: Engine,
) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        with pytest.raises(InvalidInput):
            service.match(session, patient=PatientProfile(note="x"), near=None, limit=0)
        with pytest.raises(PlaceNotFound):
            service.match(session, patient=PatientProfile(note=NSCLC_NOTE), near="Qwxzy Plkm", limit=3)
    with pytest.raises(ValueError, match="condition or a note"):
        PatientProfile(age=40)


def test_indexed_retrieval_finds_the_same_best_trials_as_reading_every_posting(trials_engine: Engine) -> None:
    """With every term and posting read (the baseline), the best trials are the same; the indexed path
    only drops trials that match nothing but a common word ("cancer").
    """
    understood = understand(PatientProfile(note=NSCLC_NOTE))
    with unit_of_work(make_session_factory(trials_engine)) as session:
        fast = match_trials(session, understood, place=None, max_travel_km=None, limit=10, judge=_undecided)
        exact = match_trials(
            session, understood, place=None, max_travel_km=None, limit=10, judge=_undecided, per_term=None
        )
    assert _ids(fast)[:3] == _ids(exact)[:3]
    assert set(_ids(fast)) <= set(_ids(exact))


def test_the_real_judge_decides_clear_cut_age_sex_and_ecog_criteria() -> None:
    """Clear-cut cases of the verdicts matching relies on."""
    from onconav.trials import verdicts

    note = verdicts.read_note("A 62-year-old woman with stage IV non-small cell lung cancer. ECOG 1.")
    assert verdicts.judge(note, "Age 18 years or older", "inclusion").label == "included"
    assert verdicts.judge(note, "Male patients only", "inclusion").label == "not included"
    assert verdicts.judge(note, "ECOG performance status 3 or 4", "exclusion").label == "not excluded"
