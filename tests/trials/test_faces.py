"""The trials faces: POST /api/v1/trials/match, the trials page (form, results, Spanish, no PHI in
URLs), links from condition pages and search results, and `onconav trials match`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from onconav.i18n import get_translations
from onconav.trials.profile import ecog_from_note, place_from_note, prior_treatments_from_note
from onconav.trials.reasons import count_text, distance_text, evidence_phrase, site_place_text

NOTE = "A 62-year-old woman with stage IV non-small cell lung cancer, ECOG 1."


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """`client` reads the shared demo directory (condition pages and search results link to trials)."""
    return demo_engine


def test_api_match_ranks_the_nearest_open_trial_first_with_criteria_and_reasons(
    trials_client: TestClient,
) -> None:
    response = trials_client.post(
        "/api/v1/trials/match", json={"patient": {"note": NOTE}, "near": "Paris, France", "limit": 3}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["patient"]["condition_code"] == "non-small-cell-lung-cancer"
    assert body["patient"]["age"] == 62 and body["patient"]["sex"] == "female"
    first = body["results"][0]
    assert first["nct_id"] == "NCT02679963"
    assert first["url"] == "https://clinicaltrials.gov/study/NCT02679963"
    assert first["nearest_site"]["city"] == "Villejuif" and first["nearest_site"]["distance_km"] < 15
    assert first["nearest_site"]["contacts"][0]["email"] == "Valerie.mairot@gustaveroussy.fr"
    assert len(first["criteria"]) == 48
    assert {c["kind"] for c in first["criteria"]} == {"inclusion", "exclusion"}
    assert sum(w["points"] for w in first["why"]) == pytest.approx(first["score"], abs=0.15)
    assert "care team" in body["notice"]


def test_api_match_refuses_an_empty_patient_an_unknown_place_and_a_huge_limit(
    trials_client: TestClient,
) -> None:
    empty = trials_client.post("/api/v1/trials/match", json={"patient": {"age": 40}})
    assert empty.status_code == 422
    place = trials_client.post("/api/v1/trials/match", json={"patient": {"note": NOTE}, "near": "Qwxzy Plkm"})
    assert place.status_code == 422
    assert "No place matches" in place.json()["error"]["message"]
    limit = trials_client.post("/api/v1/trials/match", json={"patient": {"note": NOTE}, "limit": 500})
    assert limit.status_code == 422


def test_the_trials_form_lists_trials_with_their_site_criteria_and_contacts(
    trials_client: TestClient,
) -> None:
    form = trials_client.get("/trials")
    assert form.status_code == 200
    assert 'method="post"' in form.text and "Clinical note" in form.text
    page = trials_client.post(
        "/trials",
        data={"note": NOTE, "near": "Paris, France", "max_travel_km": "100", "csrf_token": _csrf(form.text)},
    )
    assert page.status_code == 200
    assert "NCT02679963" in page.text
    assert "Villejuif" in page.text
    assert "Haemoglobin ≥ 10.0 g/dL" in page.text  # criteria listed one by one
    assert "Valerie.mairot@gustaveroussy.fr" in page.text
    assert "Why ranked here" in page.text
    # The nearest sites on a map, numbered like the list, with the searched place marked apart.
    assert 'id="sites-map-title"' in page.text
    assert "Map of the nearest site of each trial, near Paris" in page.text
    assert page.text.count('class="map-marker"') >= 1
    assert 'class="map-origin"' in page.text
    api = trials_client.post(
        "/api/v1/trials/match", json={"patient": {"note": NOTE}, "near": "Paris, France"}
    ).json()
    site = next(r["nearest_site"] for r in api["results"] if r["nct_id"] == "NCT02679963")
    assert site["city"] == "Villejuif" and 48 < site["lat"] < 49 and 2 < site["lon"] < 3


def test_a_trials_link_answers_in_spanish_and_never_takes_a_note_from_the_url(
    trials_client: TestClient,
) -> None:
    page = trials_client.get(
        "/trials", params={"condition": "Non-small cell lung cancer", "near": "Paris, France", "lang": "es"}
    )
    assert page.status_code == 200
    assert "Ensayos clínicos para un paciente" in page.text
    assert "NCT02679963" in page.text
    # A note never comes from the URL: it is patient data.
    note_in_url = trials_client.get("/trials", params={"note": NOTE})
    assert NOTE not in note_in_url.text and "NCT02679963" not in note_in_url.text


def test_page_errors_are_shown_in_the_form(trials_client: TestClient) -> None:
    token = _csrf(trials_client.get("/trials").text)
    refused = trials_client.post("/trials", data={"note": NOTE})
    assert refused.status_code == 403  # a form posted from elsewhere
    missing = trials_client.post("/trials", data={"age": "40", "csrf_token": token})
    assert missing.status_code == 422 and 'role="alert"' in missing.text
    place = trials_client.post("/trials", data={"note": NOTE, "near": "Qwxzy Plkm", "csrf_token": token})
    assert place.status_code == 422 and "No place matches" in place.text


def test_condition_pages_and_search_results_link_to_their_trials(client: TestClient) -> None:
    condition = client.get("/conditions/pleural-mesothelioma")
    assert "/trials?condition=Pleural%20mesothelioma" in condition.text
    results = client.get("/search", params={"q": "mesothelioma", "near": "Boston, MA"})
    assert results.status_code == 200
    assert "/trials?condition=" in results.text and "Clinical trials for" in results.text


def test_trials_match_prints_json_or_a_table_and_needs_a_patient(
    sqlite_trials_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", sqlite_trials_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    patient = tmp_path / "patient.json"
    patient.write_text(json.dumps({"condition": "non-small cell lung cancer", "age": 62, "sex": "female"}))
    try:
        runner = CliRunner()
        as_json = runner.invoke(
            app, ["trials", "match", "--patient", str(patient), "--near", "Paris, France", "--json"]
        )
        assert as_json.exit_code == 0, as_json.output
        body = json.loads(as_json.stdout)
        assert body["results"][0]["nct_id"] == "NCT02679963"
        table = runner.invoke(app, ["trials", "match", "--note", NOTE, "--limit", "2"])
        assert table.exit_code == 0 and "NCT02679963" in table.output
        both = runner.invoke(app, ["trials", "match"])
        assert both.exit_code == 2
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("note", "place"),
    [
        ("A 70-year-old man with stage IV lung cancer who lives in Ukiah CA with his wife.", "Ukiah CA"),
        ("She is from Salem, Oregon. Stage IV lung cancer.", "Salem, Oregon"),
        ("Stage IV lung cancer. Lives in Madrid, Spain; ECOG 1.", "Madrid, Spain"),
        ("The patient resides in 95482 and has lung cancer.", "95482"),
        ("Originally from Portland Oregon, now retired.", "Portland Oregon"),
    ],
)
def test_a_place_of_residence_in_a_note_is_read(note: str, place: str) -> None:
    assert place_from_note(note) == place


@pytest.mark.parametrize(
    "note",
    [
        "Referred from Salem Hospital for stage IV lung cancer.",  # where the referral came from
        "Recovering from surgery in Boston.",  # treated there, not living there
        "Metastasis from the lung to Bone.",
        "He lives alone. Stage IV lung cancer.",
        "She lives in a nursing home.",
        "Transferred from Portland Oregon after a fall.",
        "Lives in Qwxzy Plkm.",  # no such place
        "",
    ],
)
def test_places_that_are_not_where_the_patient_lives_are_not_read(note: str) -> None:
    assert place_from_note(note) is None


def test_ecog_and_prior_treatments_are_read_from_a_note() -> None:
    note = "ECOG performance status of 2. She received carboplatin and pemetrexed, then pembrolizumab."
    assert ecog_from_note(note) == 2
    assert prior_treatments_from_note(note) == ["carboplatin", "pemetrexed", "pembrolizumab"]
    assert prior_treatments_from_note("No prior treatment. ECOG 1.") == []
    assert prior_treatments_from_note("Stage IV lung cancer.") is None
    assert ecog_from_note("Stage IV lung cancer.") is None


def test_evidence_is_the_deciding_sentence_never_the_whole_note() -> None:
    note = (
        "A 62-year-old woman with stage IV lung cancer. Her haemoglobin is 11 g/dL. "
        "She has no brain metastases. ECOG 1."
    )
    assert evidence_phrase(note, "Haemoglobin ≥ 10.0 g/dL") == "Her haemoglobin is 11 g/dL."
    assert evidence_phrase("A 62-year-old woman", "Age 18 or older") == "A 62-year-old woman"
    long_sentence = "The patient reports " + "very " * 80 + "tired."
    cut = evidence_phrase(long_sentence, "fatigue")
    assert cut is not None and cut.endswith("…") and len(cut) <= 221 and "very very" in cut
    assert evidence_phrase(None, "x") is None and evidence_phrase("  ", "x") is None


def test_sites_show_state_country_km_and_miles_and_counts_use_plural_forms() -> None:
    english = get_translations("en")
    assert site_place_text("Salem", "OR", "United States") == "Salem, Oregon, United States"
    assert site_place_text("Villejuif", None, "France") == "Villejuif, France"
    assert distance_text(644.3, english, "en") == "644 km (400 mi)"
    assert distance_text(3.24, english, "en") == "3.2 km (2 mi)"
    assert count_text("inclusion", "not included", 1, english) == "1 inclusion criterion not met"
    assert count_text("inclusion", "not included", 3, english) == "3 inclusion criteria not met"


def test_the_place_in_the_note_is_used_when_near_is_empty_and_shown_as_understood(
    trials_client: TestClient,
) -> None:
    note = "A 62-year-old woman with stage IV non-small cell lung cancer who lives in Paris, France. ECOG 1."
    api = trials_client.post("/api/v1/trials/match", json={"patient": {"note": note}, "limit": 3})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["place_from_note"] is True and body["place"]["name"] == "Paris, France"
    assert body["patient"]["ecog"] == 1
    assert body["results"][0]["nearest_site"]["distance_km"] < 15
    given = trials_client.post(
        "/api/v1/trials/match", json={"patient": {"note": note}, "near": "Boston, MA", "limit": 1}
    ).json()
    assert given["place_from_note"] is False and given["place"]["name"].startswith("Boston")

    token = _csrf(trials_client.get("/trials").text)
    page = trials_client.post("/trials", data={"note": note, "csrf_token": token})
    assert page.status_code == 200
    understood = page.text[page.text.index("Understood as") : page.text.index('class="notice"')]
    assert "Paris, France" in understood and "where the note says the patient lives" in understood
    assert "ECOG performance status" in understood
    assert re.search(r"\d+(\.\d)? km \(\d+ mi\)", page.text)  # km and miles
    assert note not in page.text.split("</textarea>", 1)[1]  # the note is never shown whole again


def test_a_field_too_long_gets_a_message_on_the_page_not_a_json_error(trials_client: TestClient) -> None:
    token = _csrf(trials_client.get("/trials").text)
    page = trials_client.post(
        "/trials", data={"note": NOTE, "near": "x" * 201, "csrf_token": token}, follow_redirects=False
    )
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "The place is too long: 201 characters, at most 200." in page.text
    assert 'id="near-problem"' in page.text and 'aria-invalid="true"' in page.text


def _csrf(page_text: str) -> str:
    """The form's anti-forgery token (every state-changing form carries one)."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page_text)
    assert match, "the trials form carries no CSRF token"
    return match.group(1)
