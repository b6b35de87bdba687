"""Situations a criterion addresses that the patient may not be in, and what the note settles about them:
brain metastases asked absent, present, or as a requirement for those who have them; requirements for
patients with a condition the note does not report. Notes and criteria are written for these tests.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.answers import Kind

BRAIN_CLEAR = read_note(
    "Mr D., 59, has stage IV adenocarcinoma of the lung with adrenal and bone metastases. "
    "A contrast MRI of the head found no brain metastases. He walks without help."
)
BRAIN_SPREAD = read_note(
    "A 48-year-old woman with metastatic melanoma; MRI shows three brain metastases, treated with "
    "stereotactic radiosurgery last month. Liver function is normal."
)
NO_CANCER = read_note("A 35-year-old man with asthma since childhood uses an albuterol inhaler as needed.")


@pytest.mark.parametrize(
    ("criterion", "kind", "clear", "spread"),
    [
        ("No evidence of brain metastases", "inclusion", "included", "not included"),
        ("Subjects who do not have CNS metastases", "inclusion", "included", "not included"),
        (
            "Patients with brain metastases are eligible if they have been stable for 4 weeks",
            "inclusion",
            "not applicable",
            "not enough information",
        ),
        (
            "Participants with CNS metastases must have completed local therapy",
            "inclusion",
            "not applicable",
            "not enough information",
        ),
        ("Known brain metastases", "exclusion", "not excluded", "excluded"),
        (
            "Progressive or symptomatic brain metastases",
            "exclusion",
            "not excluded",
            "not enough information",
        ),
    ],
)
def test_brain_metastases_are_judged_by_what_the_criterion_asks_of_them(
    criterion: str, kind: Kind, clear: str, spread: str
) -> None:
    assert judge(BRAIN_CLEAR, criterion, kind).label == clear
    assert judge(BRAIN_SPREAD, criterion, kind).label == spread


def test_the_reason_names_the_brain_finding_that_decided_it() -> None:
    ruled_out = judge(BRAIN_CLEAR, "No evidence of brain metastases", "inclusion")
    assert ruled_out.evidence is not None and "no brain metastases" in ruled_out.evidence
    reported = judge(BRAIN_SPREAD, "No evidence of brain metastases", "inclusion")
    assert reported.evidence is not None and "brain metastases" in reported.evidence


@pytest.mark.parametrize(
    "criterion",
    [
        "Patients with diabetes must have a haemoglobin A1c below 8%",
        "Participants with chronic hepatitis B should have an undetectable viral load",
        "Individuals with epilepsy must be seizure-free for 6 months",
    ],
)
def test_a_requirement_for_patients_with_a_condition_does_not_apply_without_it(criterion: str) -> None:
    assert judge(NO_CANCER, criterion, "inclusion").label == "not applicable"
    # As an exclusion too: a patient outside the situation is not who it is about (round 6; the experts
    # label exclusions about a situation the patient is not in "not applicable": pregnancy for men, adult
    # life for children, complications of a procedure never had).
    assert judge(NO_CANCER, criterion, "exclusion").label == "not applicable"


@pytest.mark.parametrize(
    "text",
    [
        "A 52-year-old woman with low mood for a month. Her husband was recently diagnosed with lung cancer.",
        "A 60-year-old man with cirrhosis. The liver biopsy was negative for hepatocellular carcinoma.",
        "A 39-year-old man with back pain. No evidence of malignancy on the MRI.",
    ],
)
def test_a_cancer_that_is_ruled_out_or_a_relatives_is_not_the_patients(text: str) -> None:
    facts = read_note(text)
    assert facts.cancer is None and facts.cancer_types == ()
    assert judge(facts, "Histologically confirmed solid tumour", "inclusion").label != "included"


def test_a_cancer_the_note_affirms_beside_a_relatives_is_the_patients() -> None:
    facts = read_note(
        "A 47-year-old woman with invasive ductal carcinoma of the breast. Her mother had ovarian cancer."
    )
    assert facts.cancer is not None and facts.cancer_types
    assert judge(facts, "Histologically confirmed breast cancer", "inclusion").label == "included"


NOTHING_TAKEN = read_note(
    "A 26-year-old woman with two days of burning on urination. She takes no medications and has no past "
    "medical history."
)
ON_INSULIN = read_note("A 61-year-old man with type 1 diabetes on insulin, admitted with a foot ulcer.")


@pytest.mark.parametrize(
    ("criterion", "nothing_taken", "on_insulin"),
    [
        ("Patients currently receiving insulin", "not included", "included"),
        ("On a stable dose of an antihypertensive for 3 months", "not included", "not enough information"),
        ("Known history of diabetes mellitus", "not included", "included"),
        ("Type 1 diabetes", "not enough information", "included"),
    ],
)
def test_a_notes_blanket_statements_rule_out_medicines_and_past_diseases(
    criterion: str, nothing_taken: str, on_insulin: str
) -> None:
    assert judge(NOTHING_TAKEN, criterion, "inclusion").label == nothing_taken
    assert judge(ON_INSULIN, criterion, "inclusion").label == on_insulin
