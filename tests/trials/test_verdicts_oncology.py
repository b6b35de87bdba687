"""An oncology note of our own against criteria as cancer trials write them: the performance status said
in words, targeted and endocrine drugs as systemic therapy, a drug's generation, radiosurgery as
radiotherapy, and events dated in the note against a criterion's time window.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

NOTE = read_note(
    "0. A 58-year-old man has stage IV lung adenocarcinoma with an EGFR L858R mutation.\n"
    "1. He was treated with osimertinib for 14 months; CT now shows progression in the adrenal glands.\n"
    "2. A single brain metastasis was treated with stereotactic radiosurgery 5 weeks ago.\n"
    "3. His ECOG performance status is 2.\n"
    "4. He had a myocardial infarction two years ago."
)
NAIVE = read_note("0. A 70-year-old woman has newly diagnosed metastatic breast cancer, untreated so far.")


@pytest.mark.parametrize(
    ("criterion", "kind", "label"),
    [
        ("ECOG performance status of 0 or 1", "inclusion", "not included"),
        ("ECOG 0-2", "inclusion", "included"),
        ("Treatment-naive metastatic NSCLC", "inclusion", "not included"),
        ("Prior systemic anticancer therapy for advanced disease", "exclusion", "excluded"),
        ("Previous treatment with a third-generation EGFR TKI", "exclusion", "excluded"),
        ("Prior EGFR inhibitor therapy", "exclusion", "excluded"),
        ("Radiotherapy within 4 weeks before the first dose", "exclusion", "not excluded"),
        ("Radiation therapy within the last 3 months", "exclusion", "excluded"),
        ("Myocardial infarction within the past 6 months", "exclusion", "not excluded"),
        ("Myocardial infarction within the last 5 years", "exclusion", "excluded"),
    ],
)
def test_cancer_trial_criteria(criterion: str, kind: str, label: str) -> None:
    assert judge(NOTE, criterion, kind).label == label  # type: ignore[arg-type]


def test_an_untreated_patient_is_treatment_naive_and_a_second_generation_drug_is_not_the_third() -> None:
    assert judge(NAIVE, "No prior systemic therapy for metastatic disease", "inclusion").label == "included"
    gefitinib = read_note("0. A 66-year-old woman with lung adenocarcinoma progressed on gefitinib.")
    assert judge(gefitinib, "Prior third-generation EGFR TKI", "exclusion").label == "not excluded"
    assert judge(gefitinib, "Prior EGFR TKI", "exclusion").label == "excluded"


def test_a_note_that_says_premenopausal_settles_menopause() -> None:
    note = read_note("0. A 48-year-old premenopausal woman with ER-positive breast cancer.")
    assert judge(note, "Postmenopausal women", "inclusion").label == "not included"
    assert judge(note, "Premenopausal or perimenopausal women", "inclusion").label != "not included"
