"""Round 10 (issue 13): what a urine test establishes. Red cell casts are glomerulonephritis, a urine
test positive for protein is proteinuria; either is a kidney disease, which leaves a limit on kidney
function open when the note gives no value. Every note and criterion here is our own phrasing."""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

CASTS = (
    "0. A 24-year-old woman has had painful wrists and a malar rash for a month.\n"
    "1. Urine microscopy shows red blood cell casts.\n"
    "2. Her complement levels are low."
)
RBC_CASTS = (
    "0. A 12-year-old boy has cola-coloured urine two weeks after a sore throat.\n1. He has RBC casts."
)
NO_CASTS = "0. A 24-year-old woman has painful wrists.\n1. Urine microscopy shows no red cell casts."
DIPSTICK_PROTEIN = "0. A 58-year-old man has swollen ankles.\n1. A urine dipstick shows 3+ protein."
URINE_POSITIVE = (
    "0. A 33-year-old woman has puffy eyes in the morning.\n1. Her urine is positive for protein."
)
URINE_NEGATIVE = (
    "0. A 33-year-old woman has a headache.\n1. Her urinalysis is negative for protein and blood."
)
# "positive for protein" outside a urine test says nothing about the kidney
SERUM_ONLY = (
    "0. A 61-year-old man has back pain.\n1. Serum electrophoresis is positive for a monoclonal protein."
)
PLAIN = "0. A 50-year-old man has knee pain after a fall.\n1. His urine is unremarkable."

RENAL_LIMIT = "Severe renal impairment (eGFR below 30 mL/min)"


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        (CASTS, "Glomerulonephritis", "exclusion", "excluded"),
        (CASTS, "Known kidney disease", "inclusion", "included"),
        (RBC_CASTS, "Nephritis", "exclusion", "excluded"),
        (NO_CASTS, "Glomerulonephritis", "exclusion", "not excluded"),
        (DIPSTICK_PROTEIN, "Proteinuria", "exclusion", "excluded"),
        (URINE_POSITIVE, "Proteinuria", "exclusion", "excluded"),
        (URINE_POSITIVE, "Renal disease", "exclusion", "excluded"),
        (URINE_NEGATIVE, "Proteinuria", "exclusion", "not excluded"),
        (SERUM_ONLY, "Proteinuria", "exclusion", "not excluded"),
        # a kidney disease without a value leaves a kidney-function limit open, either way
        (CASTS, RENAL_LIMIT, "exclusion", "not enough information"),
        (URINE_POSITIVE, RENAL_LIMIT, "exclusion", "not enough information"),
        (URINE_POSITIVE, "eGFR of 60 mL/min or more", "inclusion", "not enough information"),
        (PLAIN, RENAL_LIMIT, "exclusion", "not excluded"),
    ],
)
def test_what_a_urine_test_establishes(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected


def test_the_open_limit_points_at_the_urine_finding() -> None:
    verdict = judge(read_note(URINE_POSITIVE), RENAL_LIMIT, "exclusion")
    assert verdict.evidence == "Her urine is positive for protein."
    assert verdict.reason == "The note names a disease of this organ but not the value."


def test_a_broad_kidney_concept_is_named_as_kidney_disease() -> None:
    verdict = judge(read_note(CASTS), "Known kidney disease", "inclusion")
    assert verdict.reason == "The note names kidney disease."
    assert verdict.evidence == "Urine microscopy shows red blood cell casts."
