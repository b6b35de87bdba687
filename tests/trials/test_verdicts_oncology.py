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


PROSTATE = read_note(
    "0. A 68-year-old man has metastatic prostate adenocarcinoma.\n"
    "1. On leuprolide for two years, his PSA rose from 1.2 to 9.8 ng/mL despite androgen deprivation.\n"
    "2. His testosterone is 15 ng/dL. CT shows liver metastases."
)
COLON = read_note(
    "0. A 59-year-old man has rectal adenocarcinoma with lung metastases.\n"
    "1. Molecular testing: MSS, NRAS Q61K mutant, BRAF wild-type."
)
WILD = read_note("0. A 61-year-old woman has metastatic colon cancer, RAS wild-type and MSI-high.")


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "label"),
    [
        (PROSTATE, "Metastatic castration-resistant prostate cancer (mCRPC)", "inclusion", "included"),
        (PROSTATE, "Metastatic hormone-sensitive prostate cancer", "inclusion", "not included"),
        (PROSTATE, "Serum testosterone below 50 ng/dL", "inclusion", "included"),
        (PROSTATE, "Visceral metastases", "exclusion", "excluded"),
        (COLON, "MSI-H or dMMR colorectal cancer", "inclusion", "not included"),
        (COLON, "RAS wild-type metastatic colorectal cancer", "inclusion", "not included"),
        (COLON, "Visceral metastases", "exclusion", "excluded"),
        (WILD, "KRAS mutation", "inclusion", "not included"),
        (WILD, "RAS wild-type colorectal cancer", "inclusion", "included"),
        (WILD, "MSI-H colorectal cancer", "inclusion", "included"),
    ],
)
def test_markers_groups_sites_and_castration(note: object, criterion: str, kind: str, label: str) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]


def test_a_status_the_name_carries_is_not_taken_by_the_next_marker() -> None:
    assert COLON.biomarkers["MSI-H"] == "negative"
    assert COLON.biomarkers["NRAS"] == "positive"
    bone_only = read_note(
        "0. A 75-year-old man with prostate cancer has bone metastases only; no visceral metastases."
    )
    assert judge(bone_only, "Visceral metastases", "exclusion").label == "not excluded"


MELANOMA = read_note(
    "0. A 52-year-old woman has stage IIIB cutaneous melanoma, completely excised 5 weeks ago.\n"
    "1. She has ulcerative colitis."
)
SCLC = read_note(
    "0. A 63-year-old man has extensive-stage small cell lung cancer.\n"
    "1. MRI shows three brain metastases that have not been treated."
)


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "label"),
    [
        (MELANOMA, "Completely resected stage III melanoma", "inclusion", "included"),
        (MELANOMA, "History of autoimmune disease", "exclusion", "excluded"),
        (SCLC, "Limited-stage small cell lung cancer", "inclusion", "not included"),
        (SCLC, "Extensive-stage SCLC", "inclusion", "included"),
        (SCLC, "Untreated brain metastases", "exclusion", "excluded"),
    ],
)
def test_resection_stage_words_untreated_metastases_and_bowel_disease(
    note: object, criterion: str, kind: str, label: str
) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]


def test_a_regimen_names_its_medicines() -> None:
    lymphoma = read_note("0. A 60-year-old man with DLBCL relapsed after six cycles of R-CHOP.")
    assert judge(lymphoma, "Prior anthracycline", "exclusion").label == "excluded"
    assert judge(lymphoma, "Prior anti-CD20 monoclonal antibody", "inclusion").label == "included"
    assert judge(lymphoma, "Known immunodeficiency", "exclusion").label != "excluded"
    colon = read_note("0. A 57-year-old woman with metastatic colon cancer progressed on FOLFIRI.")
    assert judge(colon, "Prior irinotecan", "exclusion").label == "excluded"
    assert judge(colon, "Prior oxaliplatin", "exclusion").label == "not excluded"
