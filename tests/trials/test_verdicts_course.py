"""Failure classes of an inclusion the note contradicts, found with criteria and notes written for these
tests: a new illness asked of a long-standing or returning one, a test result the note reports the other
way, weeks at birth and twins, kinds that rule each other out, the other side, how long a named symptom
has lasted, a trial for inpatients and a clinic visit, and "never treated with" a class the note's
medicine belongs to.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

ASTHMA_CLINIC = read_note(
    "0. A 27-year-old man comes to his primary care clinic with wheezing and a dry cough for 10 days.\n"
    "1. He has had asthma since childhood and had two similar attacks last winter.\n"
    "2. A throat swab PCR for influenza was negative; his RSV antigen test was positive.\n"
    "3. He has hypothyroidism treated with levothyroxine."
)
FIRST_SEIZURE = read_note(
    "0. A 19-year-old woman was admitted after a generalized tonic-clonic seizure for the first time.\n"
    "1. MRI shows a unilateral hippocampal sclerosis on the left."
)
TWIN_BABY = read_note(
    "0. A 3-day-old girl, the second of twins, born at 35 weeks, has jaundice.\n1. She is breastfed."
)
TERM_BABY = read_note("0. A full-term newborn boy, 2 days old, feeds poorly. He was a singleton delivery.")


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (ASTHMA_CLINIC, "Newly diagnosed asthma", "not included"),
        (ASTHMA_CLINIC, "First-ever asthma attack", "not included"),
        (FIRST_SEIZURE, "Recurrent seizures", "not included"),
        (FIRST_SEIZURE, "New-onset seizures", "included"),
    ],
)
def test_how_new_the_illness_is(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]


def test_a_long_standing_illness_is_not_read_into_another_disease() -> None:
    # the long-standing asthma says nothing of how new the hypothyroidism is
    assert judge(ASTHMA_CLINIC, "Newly diagnosed hypothyroidism", "inclusion").label != "not included"


@pytest.mark.parametrize(
    ("criterion", "kind", "label"),
    [
        ("Positive influenza PCR", "inclusion", "not included"),
        ("Influenza confirmed by a positive PCR", "inclusion", "not included"),
        ("Positive RSV antigen test", "inclusion", "included"),
        ("Negative RSV antigen", "inclusion", "not included"),
        ("Positive RSV antigen test", "exclusion", "excluded"),
        ("Negative hepatitis B surface antigen", "inclusion", "not enough information"),
    ],
)
def test_a_result_the_note_reports(criterion: str, kind: str, label: str) -> None:
    assert judge(ASTHMA_CLINIC, criterion, kind).label == label  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (TWIN_BABY, "Late preterm infants born between 34 and 36 weeks", "not enough information"),
        (TWIN_BABY, "Infants born before 37 weeks", "included"),
        (TWIN_BABY, "Born at 37 weeks or later", "not included"),
        (TWIN_BABY, "Singleton newborns", "not included"),
        (TWIN_BABY, "Preterm infants with jaundice requiring phototherapy", "not enough information"),
        (TERM_BABY, "Term newborns", "included"),
        (TERM_BABY, "Premature infants", "not included"),
        (TERM_BABY, "Twin pregnancies", "not included"),
    ],
)
def test_weeks_at_birth_and_twins(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "label"),
    [
        (ASTHMA_CLINIC, "Hyperthyroidism", "inclusion", "not included"),
        (ASTHMA_CLINIC, "Hyperthyroidism", "exclusion", "not excluded"),
        (FIRST_SEIZURE, "Bilateral hippocampal sclerosis", "inclusion", "not included"),
        (FIRST_SEIZURE, "Unilateral hippocampal sclerosis", "inclusion", "included"),
    ],
)
def test_kinds_and_sides_that_rule_each_other_out(
    note: object, criterion: str, kind: str, label: str
) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]


def test_how_long_a_symptom_the_lexicon_does_not_know_has_lasted() -> None:
    assert judge(ASTHMA_CLINIC, "Dry cough for less than 7 days", "inclusion").label == "not included"
    assert judge(ASTHMA_CLINIC, "Dry cough for at least 1 week", "inclusion").label != "not included"


def test_a_trial_for_inpatients_and_a_clinic_visit() -> None:
    assert judge(ASTHMA_CLINIC, "Patients hospitalized for an asthma exacerbation", "inclusion").label == (
        "not included"
    )
    assert judge(FIRST_SEIZURE, "Hospitalized patients", "inclusion").label != "not included"


def test_never_treated_with_a_class_the_note_s_medicine_belongs_to_is_not_met_by_silence() -> None:
    note = read_note("0. A 60-year-old man with COPD uses inhaled tiotropium daily.")
    assert judge(note, "Never treated with long-acting bronchodilators", "inclusion").label != "included"


KIDNEY_NOTE = read_note(
    "0. A 64-year-old man with cirrhosis from hepatitis C has confusion.\n"
    "1. His creatinine is 2.6 mg/dL and his blood pressure 84/50 mmHg despite fluids.\n"
    "2. Norepinephrine is started."
)
WELL_NOTE = read_note("0. A 41-year-old woman with a sprained ankle. Creatinine 0.8 mg/dL, BP 122/76.")


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (KIDNEY_NOTE, "Adequate renal function", "not included"),
        (KIDNEY_NOTE, "Preserved hepatic function", "not included"),
        (KIDNEY_NOTE, "Haemodynamically stable at enrolment", "not included"),
        (KIDNEY_NOTE, "Normotensive adults", "not included"),
        (KIDNEY_NOTE, "Immunocompetent host", "not enough information"),
        # a creatinine inside the normal range is normal renal function (round 8; it was left open)
        (WELL_NOTE, "Normal renal function", "included"),
        (WELL_NOTE, "Adequate hepatic function", "not enough information"),
        (WELL_NOTE, "Hemodynamically stable", "not enough information"),
    ],
)
def test_soundness_asked_in_words(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]
