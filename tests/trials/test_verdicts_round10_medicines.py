"""Round 10 (issue 13): what taking a medicine says. A medicine given (nearly) only for one condition
establishes it; one commonly given for several makes its usual condition possible, so a criterion asking
for that condition stays open. Every note and criterion here is our own phrasing."""

from __future__ import annotations

import pytest

from onconav.knowledge.schemas import ClinicalLexiconFile
from onconav.trials.verdicts import judge, read_note


def _note(*sentences: str) -> str:
    return "\n".join(f"{i}. {s}" for i, s in enumerate(sentences))


BACK_PAIN_AMITRIPTYLINE = _note(
    "A 45-year-old woman has had chronic low back pain for years.", "She takes amitriptyline 10 mg at night."
)
NEUROPATHY_DULOXETINE = _note(
    "A 61-year-old man with painful diabetic neuropathy.", "He takes duloxetine 60 mg daily and metformin."
)
ANXIETY_SERTRALINE = _note(
    "A 29-year-old woman with panic attacks.", "She has been on sertraline for a year."
)
LYMPHOMA_ALLOPURINOL = _note(
    "A 58-year-old man with diffuse large B-cell lymphoma has started R-CHOP.",
    "He takes allopurinol to prevent tumour lysis.",
)
GOUT_ALLOPURINOL = _note("A 66-year-old man with gout takes allopurinol 300 mg daily.")
CHEMO_OLANZAPINE = _note(
    "A 60-year-old woman with ovarian cancer receives carboplatin.", "She takes olanzapine for nausea."
)
CLOZAPINE = _note("A 35-year-old man has taken clozapine for many years.")
PREP_TENOFOVIR = _note(
    "A 28-year-old man takes tenofovir and emtricitabine daily as pre-exposure prophylaxis."
)
HIV_REGIMEN = _note("A 44-year-old man takes efavirenz, tenofovir and emtricitabine.")
BIPOLAR_LAMOTRIGINE = _note("A 40-year-old woman takes lamotrigine 200 mg daily.")
LEVETIRACETAM = _note("A 40-year-old woman takes levetiracetam 500 mg twice daily.")
VORTIOXETINE = _note("A 52-year-old man takes vortioxetine 10 mg daily.")
METFORMIN = _note("A 64-year-old man takes metformin 1 g twice daily.")


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # given for several conditions: the usual one is only possible
        (BACK_PAIN_AMITRIPTYLINE, "Major depression", "exclusion", "not enough information"),
        (
            BACK_PAIN_AMITRIPTYLINE,
            "Diagnosis of major depressive disorder",
            "inclusion",
            "not enough information",
        ),
        (NEUROPATHY_DULOXETINE, "Current depressive episode", "exclusion", "not enough information"),
        (ANXIETY_SERTRALINE, "Major depressive disorder", "inclusion", "not enough information"),
        (LYMPHOMA_ALLOPURINOL, "Gout", "exclusion", "not enough information"),
        (CHEMO_OLANZAPINE, "Psychotic disorder", "exclusion", "not enough information"),
        (PREP_TENOFOVIR, "HIV infection", "exclusion", "not enough information"),
        (BIPOLAR_LAMOTRIGINE, "Epilepsy", "exclusion", "not enough information"),
        # the medicine itself is still taken, whatever it is given for
        (BACK_PAIN_AMITRIPTYLINE, "Current use of tricyclic antidepressants", "exclusion", "excluded"),
        (ANXIETY_SERTRALINE, "Treatment with an SSRI", "exclusion", "excluded"),
        (LYMPHOMA_ALLOPURINOL, "Concomitant allopurinol", "exclusion", "excluded"),
        # given (nearly) only for one condition: established
        (GOUT_ALLOPURINOL, "Gout", "inclusion", "included"),
        (CLOZAPINE, "Psychosis", "exclusion", "excluded"),
        (HIV_REGIMEN, "HIV infection", "exclusion", "excluded"),
        (LEVETIRACETAM, "Epilepsy", "exclusion", "excluded"),
        (VORTIOXETINE, "Major depression", "exclusion", "excluded"),
        (METFORMIN, "Diabetes mellitus", "inclusion", "included"),
    ],
)
def test_what_a_medicine_says_about_the_patient(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected


def test_an_open_condition_points_at_the_medicine() -> None:
    verdict = judge(read_note(LYMPHOMA_ALLOPURINOL), "Gout", "exclusion")
    assert verdict.evidence == "He takes allopurinol to prevent tumour lysis."
    assert verdict.reason == "A medicine in the note is often given for gout, but not only for it."
    considered = judge(read_note(_note("A 50-year-old man; gout is suspected.")), "Gout", "exclusion")
    assert considered.reason == "The note only considers gout."


def test_a_suggestion_must_name_known_medicines_and_concepts() -> None:
    base = {"concepts": {"gout": {"phrases": ["gout"]}}, "severity_words": [], "implied_by_medication": {}}
    classes = {"urate-lowering": {"members": ["allopurinol"]}}
    ClinicalLexiconFile.model_validate(
        {**base, "medication_classes": classes, "suggested_by_medication": {"allopurinol": "gout"}}
    )
    with pytest.raises(ValueError, match="suggested_by_medication names unknown"):
        ClinicalLexiconFile.model_validate(
            {**base, "medication_classes": classes, "suggested_by_medication": {"allopurinol": "podagra"}}
        )
