"""Condition and stage pages: readable content with options by intent, sources, review dates, a way to
find specialists, and clear 404s.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from onconav.knowledge import service as knowledge


def test_conditions_index_links_every_top_level_condition(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions")
    assert page.status_code == 200
    for condition in knowledge.list_conditions():
        assert f'href="/conditions/{condition.code}"' in page.text


def test_condition_page_shows_options_sources_and_review_state(sqlite_client: TestClient) -> None:
    condition = knowledge.get_condition("pleural-mesothelioma")
    assert condition is not None
    page = sqlite_client.get("/conditions/pleural-mesothelioma")
    assert page.status_code == 200
    text = page.text
    assert condition.name in text
    assert condition.written.date.isoformat() in text
    assert condition.reviewed is None and "Not yet reviewed by a clinician." in text
    assert "last reviewed" not in text
    for ref in knowledge.sources_of(condition).values():
        assert str(ref.url) in text
    assert "Find specialists near you" in text and 'action="/search"' in text
    assert "talk with them about your options" in text
    for stage in knowledge.stages_of(condition):
        assert f'href="/conditions/pleural-mesothelioma/stages/{stage.code}"' in text


def test_stage_page_lists_only_that_stages_options(sqlite_client: TestClient) -> None:
    condition = knowledge.get_condition("non-small-cell-lung-cancer")
    assert condition is not None
    stages = knowledge.stages_of(condition)
    first, last = stages[0], stages[-1]
    for stage in (first, last):
        page = sqlite_client.get(f"/conditions/non-small-cell-lung-cancer/stages/{stage.code}")
        assert page.status_code == 200
        for option in knowledge.options_of(condition, stage.code):
            assert str(escape(option.summary)) in page.text
    only_last = {o.summary for o in knowledge.options_of(condition, last.code)} - {
        o.summary for o in knowledge.options_of(condition, first.code)
    }
    first_page = sqlite_client.get(f"/conditions/non-small-cell-lung-cancer/stages/{first.code}").text
    assert not any(str(escape(summary)) in first_page for summary in only_last)


def test_subtype_page_inherits_its_parents_stages(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions/lung-adenocarcinoma")
    assert page.status_code == 200
    assert "/conditions/lung-adenocarcinoma/stages/" in page.text


def test_unknown_condition_or_stage_is_404(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/conditions/not-a-cancer").status_code == 404
    assert sqlite_client.get("/conditions/pleural-mesothelioma/stages/ix").status_code == 404


def test_spanish_page_says_the_medical_content_is_in_english(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions/melanoma", headers={"Accept-Language": "es"})
    assert page.status_code == 200 and '<html lang="es">' in page.text
    assert 'lang="en"' in page.text


def test_pages_say_no_clinician_has_reviewed_the_content_yet(sqlite_client: TestClient) -> None:
    for condition in knowledge.list_conditions():
        page = sqlite_client.get(f"/conditions/{condition.code}").text
        assert "Not yet reviewed by a clinician." in page, condition.code
        assert "last reviewed" not in page


def test_stage_4_page_marks_local_treatment_of_metastases_with_its_criteria(
    sqlite_client: TestClient,
) -> None:
    page = sqlite_client.get("/conditions/non-small-cell-lung-cancer/stages/iv").text
    assert "Only for cancer that has spread to one or a few places." in page
    assert "Who it may suit:" in page and "The tumor in the lung is controlled, or can be." in page
    assert "Aims to cure" not in page


def test_nsclc_page_names_the_9th_edition_and_how_8th_edition_stages_read(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions/lung-adenocarcinoma").text
    assert "AJCC TNM staging for lung cancer, 9th edition" in page
    assert "N2a" in page and "M1c2" in page


def test_umbrella_page_says_surgery_is_only_for_cancer_that_has_not_spread(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions/mesothelioma").text
    assert "Only when the cancer has not spread to distant parts of the body." in page
    assert "Aims to remove all visible cancer" in page


def test_an_option_for_some_sub_stages_says_which(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/conditions/head-and-neck-cancer/stages/iv").text
    assert "Only for stage IVA, IVB." in page


# Words that make a question about an operation (a content check over every condition file).
SURGERY_WORDS = re.compile(
    r"\bsurg|\boperation|\bremoved\b|\bresect|ectomy\b|liver transplant", re.IGNORECASE
)


def test_the_stage_iv_page_asks_no_surgery_questions_where_surgery_is_no_option(
    sqlite_client: TestClient,
) -> None:
    stage_iv = sqlite_client.get("/conditions/pleural-mesothelioma/stages/iv").text
    questions = stage_iv[stage_iv.index('id="questions-title"') : stage_iv.index('id="about-title"')]
    assert "surgery" not in questions.lower() and "operations" not in questions.lower()
    assert "clinical trial for my stage" in questions  # the questions that fit stay
    stage_i = sqlite_client.get("/conditions/pleural-mesothelioma/stages/i").text
    assert "Is surgery an option for me at all" in stage_i
    whole = sqlite_client.get("/conditions/pleural-mesothelioma").text
    assert "Is surgery an option for me at all" in whole


def test_no_stage_shows_a_surgery_question_without_a_surgery_option() -> None:
    misplaced = []
    for condition in knowledge.list_conditions():
        for stage in knowledge.stages_of(condition):
            offered = {o.modality for o in knowledge.options_of(condition, stage.code)}
            if offered & {"surgery", "ablation"}:
                continue
            misplaced += [
                (condition.code, stage.code, question)
                for question in knowledge.questions_of(condition, stage.code)
                if SURGERY_WORDS.search(question)
            ]
    assert misplaced == []


def test_condition_and_stage_pages_link_to_trials_and_a_second_opinion_with_their_context(
    sqlite_client: TestClient,
) -> None:
    stage = sqlite_client.get("/conditions/pleural-mesothelioma/stages/iv").text
    assert 'href="/trials?condition=Pleural%20mesothelioma&amp;stage=IV"' in stage
    assert 'href="/cases?condition=pleural-mesothelioma&amp;stage=iv#new-case"' in stage
    assert "Ask for a second opinion on Pleural mesothelioma, Stage IV" in stage
    condition = sqlite_client.get("/conditions/lung-cancer").text
    assert 'href="/trials?condition=Lung%20cancer"' in condition
    assert 'href="/cases?condition=lung-cancer#new-case"' in condition
