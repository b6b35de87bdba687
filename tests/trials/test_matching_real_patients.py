"""Real TREC 2021 patient descriptions against the real ClinicalTrials.gov samples, on SQLite and PostgreSQL:
no trial for another cancer, and no trial the criteria rule out, ranks above a plausible one; a note that
names no cancer gets no cancer trials; every result carries its last update and eligibility.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.i18n import get_translations
from onconav.trials import oncotree, service
from onconav.trials.relevance import condition_types
from onconav.trials.schemas import MatchResponse, PatientProfile

TOPICS = Path("trec_2021/official/topics2021.xml")
ELIGIBILITY = ("likely eligible", "possibly eligible", "likely not eligible")


def _topic(shared_data: Path, words: str) -> str:
    """The first TREC 2021 topic whose text contains all of `words` (found by content, not number)."""
    text = (shared_data / TOPICS).read_text(encoding="utf-8")
    for body in re.findall(r"<topic number=\"\d+\">(.*?)</topic>", text, re.S):
        if all(w.lower() in body.lower() for w in words.split("|")):
            return body.strip()
    raise AssertionError(f"no TREC 2021 topic mentions {words}")


def _match(engine: Engine, note: str, near: str | None = "Boston, MA") -> MatchResponse:
    with unit_of_work(make_session_factory(engine)) as session:
        outcome = service.match(session, patient=PatientProfile(note=note), near=near, limit=10)
        return service.to_response(outcome, translations=get_translations("en"), locale="en")


def _assert_possible_trials_first(response: MatchResponse) -> None:
    tiers = [r.eligibility == "likely not eligible" for r in response.results]
    assert tiers == sorted(tiers), [(r.nct_id, r.eligibility) for r in response.results]
    for result in response.results:
        assert result.eligibility in ELIGIBILITY
        assert result.condition_match is not None
        if result.eligibility == "likely not eligible":
            assert result.deciding_criterion
            first = result.criteria[0]
            assert first.text == result.deciding_criterion and first.mark == "unmet"


def test_her2_positive_breast_cancer_is_not_offered_a_triple_negative_trial_first(
    trials_engine: Engine, shared_data: Path
) -> None:
    note = _topic(shared_data, "HER2-positive|ER/PR negative|invasive ductal")
    response = _match(trials_engine, note)
    assert response.patient.condition_code == "breast-cancer"
    _assert_possible_trials_first(response)
    # "Breast cancer" does not include triple-negative breast cancer when the receptors are positive.
    assert not [r for r in response.results if any("triple negative" in c.lower() for c in r.conditions)]
    assert response.results, "the basket trial that lists breast carcinoma should remain"
    # A patient whose tumour is triple-negative does get that trial, and its TNBC criterion is met.
    tnbc_note = (
        "A 50-year-old woman with metastatic triple negative breast cancer after one line of chemotherapy."
    )
    tnbc = _match(trials_engine, tnbc_note)
    trial = next(r for r in tnbc.results if any("triple negative" in c.lower() for c in r.conditions))
    tnbc_criterion = next(c for c in trial.criteria if "TNBC" in c.text)
    assert tnbc_criterion.mark == "met" and trial.eligibility != "likely not eligible"
    # Nothing for another cancer: every result is for breast cancer or a group that holds it.
    for result in response.results:
        assert result.condition_match is not None
        assert result.condition_match.relation in ("same", "broader", "narrower", "basket", "any")


def test_papillary_thyroid_cancer_gets_no_lung_cancer_trial_and_the_basket_trial_first(
    trials_engine: Engine, shared_data: Path
) -> None:
    response = _match(trials_engine, _topic(shared_data, "papillary thyroid cancer"))
    assert response.results, "the basket trial that admits thyroid cancer should be listed"
    _assert_possible_trials_first(response)
    for result in response.results:
        # Each result is there for a condition (or, in a basket trial, a criterion) that holds thyroid
        # cancer: the lung-cancer-only trials of the samples are not listed.
        assert result.condition_match is not None
        matched = condition_types(result.condition_match.trial_condition)
        assert oncotree.best_relation("THPA", matched) is not None, result.condition_match
        assert any(oncotree.best_relation("THPA", condition_types(c)) for c in result.conditions) or (
            result.condition_match.relation == "basket"
        )
    first = response.results[0]
    assert any("thyroid" in c.lower() for c in first.conditions)
    for reason in first.why:
        assert "cell" not in reason.detail.split(": ")[-1].split(", ")  # generic words never score


def test_a_note_about_a_bone_disease_that_is_not_cancer_gets_no_cancer_trials(
    trials_engine: Engine, shared_data: Path
) -> None:
    response = _match(trials_engine, _topic(shared_data, "Paget's Disease of Bone"))
    assert response.no_cancer and response.results == []
    assert response.message is not None and "names no cancer" in response.message


@pytest.mark.parametrize(
    "words",
    [
        "husband was recently diagnosed with colon cancer",  # a relative's cancer
        "negative for hepatocellular carcinoma|HCV",  # a cancer the biopsy ruled out
        "Acromegaly|pituitary adenoma",  # a benign tumour
    ],
)
def test_a_note_whose_cancer_is_ruled_out_a_relatives_or_benign_gets_no_cancer_trials(
    sqlite_trials_engine: Engine, shared_data: Path, words: str
) -> None:
    response = _match(sqlite_trials_engine, _topic(shared_data, words))
    assert response.no_cancer and response.results == []


def test_every_result_carries_its_last_update_eligibility_and_questions(
    trials_client: TestClient, shared_data: Path
) -> None:
    note = _topic(shared_data, "HER2-positive|ER/PR negative|invasive ductal")
    answer = trials_client.post(
        "/api/v1/trials/match", json={"patient": {"note": note}, "near": "Boston, MA", "limit": 5}
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert results
    for result in results:
        assert date.fromisoformat(result["last_update"])
        assert result["eligibility"] in ELIGIBILITY
        if result["eligibility"] == "possibly eligible":
            assert result["questions"] and all(q["settled_by"] for q in result["questions"])
            assert f"{len(result['questions'])} question" in result["eligibility_summary"]
        # Records in the samples were last updated before 2024: their status is shown as not verified.
        assert result["status_note"].startswith("Status last verified")
        assert not any(w["factor"] == "recruiting" for w in result["why"])
    no_cancer = trials_client.post(
        "/api/v1/trials/match", json={"patient": {"note": _topic(shared_data, "Paget's Disease of Bone")}}
    )
    assert no_cancer.status_code == 200 and no_cancer.json()["no_cancer"] is True


def test_the_trials_page_shows_eligibility_questions_and_last_update(
    trials_client: TestClient, shared_data: Path
) -> None:
    form = trials_client.get("/trials")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token
    note = _topic(shared_data, "papillary thyroid cancer")
    page = trials_client.post(
        "/trials", data={"note": note, "near": "Boston, MA", "csrf_token": token.group(1)}
    )
    assert page.status_code == 200
    assert "possibly eligible:" in page.text or "likely eligible" in page.text
    assert "Questions for your care team" in page.text and "Settled by:" in page.text
    assert "Record last updated" in page.text and "Status last verified" in page.text
    assert "Trial for a group that includes the patient&#39;s cancer" in page.text
    bone = trials_client.post(
        "/trials",
        data={"note": _topic(shared_data, "Paget's Disease of Bone"), "csrf_token": token.group(1)},
    )
    assert bone.status_code == 200 and "names no cancer" in bone.text


def test_trials_match_json_carries_last_update_and_eligibility(
    sqlite_trials_engine: Engine, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", sqlite_trials_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        note = _topic(shared_data, "papillary thyroid cancer")
        result = CliRunner().invoke(app, ["trials", "match", "--note", note, "--json"])
        assert result.exit_code == 0, result.output
        for item in json.loads(result.stdout)["results"]:
            assert date.fromisoformat(item["last_update"]) and item["eligibility"] in ELIGIBILITY
    finally:
        get_settings.cache_clear()


def test_a_trial_without_a_known_site_ranks_below_trials_with_a_site_within_reach(
    trials_engine: Engine,
) -> None:
    note = (
        "A 62-year-old woman with stage IV non-small cell lung cancer. ECOG 1. She has no brain metastases."
    )
    with unit_of_work(make_session_factory(trials_engine)) as session:
        outcome = service.match(
            session, patient=PatientProfile(note=note, max_travel_km=100), near="Paris, France", limit=10
        )
        response = service.to_response(outcome, translations=get_translations("en"), locale="en")
    unknown = [r for r in response.results if r.site_unknown]
    reachable = [r for r in response.results if r.nearest_site and (r.nearest_site.distance_km or 0) <= 100]
    assert unknown and reachable, [(r.nct_id, r.site_unknown, r.nearest_site) for r in response.results]
    position = {r.nct_id: i for i, r in enumerate(response.results)}
    for trial in unknown:
        assert trial.nearest_site is None
        assert any(w.factor == "site_unknown" and w.points < 0 for w in trial.why)
        if trial.eligibility != "likely not eligible":
            assert all(
                position[r.nct_id] < position[trial.nct_id]
                for r in reachable
                if r.eligibility != "likely not eligible"
            )


def test_the_status_verified_date_is_imported_from_both_formats_and_shown(trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        legacy = service.get_trial_or_raise(session, nct_id="NCT02679963")  # <verification_date>July 2017
        api_v2 = service.get_trial_or_raise(session, nct_id="NCT06171568")  # statusVerifiedDate 2023-12
        assert (legacy.status_verified, api_v2.status_verified) == ("2017-07", "2023-12")
        note = "A 62-year-old woman with stage IV non-small cell lung cancer."
        outcome = service.match(session, patient=PatientProfile(note=note), near=None, limit=5)
        response = service.to_response(outcome, translations=get_translations("en"), locale="en")
    olaparib = next(r for r in response.results if r.nct_id == "NCT02679963")
    assert olaparib.status_note == "Status last verified 2017-07"
    assert olaparib.last_update is not None and olaparib.last_update.isoformat() == legacy.last_update
