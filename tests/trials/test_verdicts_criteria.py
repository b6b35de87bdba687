"""Structural extraction from one criterion: age, sex, performance status, thresholds, cancer, lines."""

from __future__ import annotations

import pytest

from onconav.trials.verdicts.ages import AgeRange, note_age
from onconav.trials.verdicts.criterion import read_criterion
from onconav.trials.verdicts.measures import Threshold, readings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Age 25 to 65 years", AgeRange(25, 65)),
        ("Age > 18 years at the time of signing the informed consent form", AgeRange(18, None, False)),
        ("Age≥ 40years old", AgeRange(40, None)),
        ("age 18 or older", AgeRange(18, None)),
        ("Ages 18-24 years (inclusive).", AgeRange(18, 24)),
        ("Age 6 months to less than 13 years of age (<13)", AgeRange(0.5, 13, True, False)),
        ("minors, prisoners", AgeRange(None, 18, True, False)),
        ("Adults with asthma", AgeRange(18, None)),
        ("5 or more drinks in 2 hours in the past month", None),
        ("FEV1 > 80 % of predicted for age and height", None),
    ],
)
def test_age_criteria_read_as_ranges_with_their_bounds_and_inclusivity(
    text: str, expected: AgeRange | None
) -> None:
    assert read_criterion(text).age == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Male and female", {"female", "male"}),
        ("Patients of both sexes", {"female", "male"}),
        ("Postmenopausal women", {"female"}),
        ("Men aged 50 or older", {"male"}),
        ("Histologically confirmed mesothelioma", None),
    ],
)
def test_sex_criteria_read_as_the_sexes_they_admit(text: str, expected: set[str] | None) -> None:
    sexes = read_criterion(text).sexes
    assert (set(sexes) if sexes is not None else None) == expected


@pytest.mark.parametrize(
    ("text", "scale", "allowed"),
    [
        ("ECOG performance status of 0-1", "ecog", {0, 1}),
        ("ECOG PS ≤ 2", "ecog", {0, 1, 2}),
        ("WHO performance status 0 or 1", "ecog", {0, 1}),
        ("Zubrod performance status < 2", "ecog", {0, 1}),
        ("Karnofsky performance status ≥ 70%", "karnofsky", {70, 80, 90, 100}),
    ],
)
def test_performance_status_criteria_read_as_the_allowed_ecog_or_karnofsky_scores(
    text: str, scale: str, allowed: set[int]
) -> None:
    performance = read_criterion(text).performance
    assert performance is not None
    assert performance.scale == scale and set(performance.allowed) == allowed


def test_organ_function_thresholds_are_read_with_units_and_uln_multiples() -> None:
    found = read_criterion(
        "Standard parameters: Neutrophils ≥ 1500/mm3, Platelets ≥ 100,000, Total bilirubin ≤ 1.5 x ULN, "
        "AST/ALT ≤ 2.5 x upper limit of normal, creatinine ≤ 1.5 mg/dl"
    ).thresholds
    assert Threshold("neutrophils", ">=", 1500.0, False, "/mm3") in found
    assert Threshold("platelets", ">=", 100000.0) in found
    assert Threshold("bilirubin", "<=", 1.5, True) in found
    assert Threshold("transaminases", "<=", 2.5, True) in found
    assert Threshold("creatinine", "<=", 1.5, False, "mg/dl") in found
    assert read_criterion("Hb ≥ 100 g/L").thresholds == (Threshold("hemoglobin", ">=", 100.0, False, "g/l"),)


def test_cancer_stage_biomarkers_and_brain_metastases_are_read_from_a_criterion() -> None:
    facts = read_criterion("Stage IV non-small cell lung cancer with an EGFR mutation")
    assert facts.cancer == "non-small-cell-lung-cancer"
    assert facts.stage == "IV"
    assert ("EGFR", "positive") in facts.biomarkers
    brain = read_criterion("Patients with untreated brain metastases")
    assert "brain" in brain.metastatic_sites and "brain-metastases" in brain.concepts


@pytest.mark.parametrize(
    ("text", "op", "count"),
    [
        ("At least one prior line of systemic therapy", ">=", 1),
        ("No more than 2 prior regimens", "<=", 2),
        ("2 or more prior lines of chemotherapy", ">=", 2),
    ],
)
def test_prior_line_criteria_read_as_a_comparison_and_a_count(text: str, op: str, count: int) -> None:
    lines = read_criterion(text).prior_lines
    assert lines is not None and (lines.op, lines.count) == (op, count)


def test_treatment_naive_and_negated_subjects_are_recognised() -> None:
    assert read_criterion("Previously untreated advanced melanoma").treatment_naive
    assert read_criterion("Patients without systemic lupus erythematosus").negated_subject
    assert not read_criterion("No more than 2 prior regimens").negated_subject


def test_consent_pregnancy_contraception_and_investigator_topics_are_recognised() -> None:
    assert "consent" in read_criterion("Signed informed consent").topics
    assert "pregnancy" in read_criterion("Breast-feeding women").topics
    assert "contraception" in read_criterion("Unwilling to use birth control").topics
    assert (
        "investigator-judgement"
        in read_criterion("Any condition that in the opinion of the investigator").topics
    )


def test_ages_and_vital_and_lab_readings_are_read_from_notes() -> None:
    assert note_age("A 5-year-old boy") == 5
    assert note_age("A 20 yo female") == 20
    assert note_age("A 6-month-old male infant") == pytest.approx(0.5)
    assert note_age("No age here") is None
    values = {
        (r.measure, r.value) for r in readings("BP: 90/60 HR: 120/min, a hemoglobin (Hb) of 9.0 g/dL", 0)
    }
    assert {
        ("systolic-bp", 90.0),
        ("diastolic-bp", 60.0),
        ("heart-rate", 120.0),
        ("hemoglobin", 9.0),
    } <= values


def test_histology_words_read_as_histology_codes() -> None:
    assert read_criterion("Non-small cell lung cancer, squamous or non-squamous").histologies == {
        "non-small-cell",
        "squamous",
        "non-squamous",
    }
    assert read_criterion("Non-squamous NSCLC").histologies == {"non-small-cell", "non-squamous"}
    assert read_criterion("Small cell lung cancer").histologies == {"small-cell"}
    assert read_criterion("Epithelioid or biphasic pleural mesothelioma").histologies == {
        "epithelioid",
        "biphasic",
    }


def test_stage_criteria_read_as_stage_groups() -> None:
    assert read_criterion("Stage IIIB or IV NSCLC").stages == {"III", "IV"}
    assert read_criterion("AJCC stage I-III breast cancer").stages == {"I", "II", "III"}
    assert read_criterion("Stage IIIA/IIIB").stages == {"III"}
    assert read_criterion("Metastatic disease").stages == frozenset()
