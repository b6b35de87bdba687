"""Four correctness defects of the verdict engine (round 9), in notes and criteria written for these tests:
an explicit "or" between two lab limits, alkaline phosphatase as a measure, a febrile seizure that is not
epilepsy, and a negation that must stop at the end of its sentence inside one numbered line.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.measures import thresholds


def _note(*lines: str) -> object:
    return read_note("\n".join(f"{i}. {line}" for i, line in enumerate(lines)))


def _label(note: object, criterion: str, kind: str) -> str:
    return judge(note, criterion, kind).label  # type: ignore[arg-type]


# 1. "or" between two limits on different measures


KIDNEY_OR = "Serum creatinine ≤ 1.5 mg/dL or measured creatinine clearance ≥ 50 mL/min"
COUNTS_OR = "Haemoglobin of at least 9 g/dL or a platelet count of at least 100,000/mm3"


@pytest.mark.parametrize(
    ("lines", "criterion", "label"),
    [
        # one limit met is enough
        (("Labs: creatinine 1.9 mg/dL, creatinine clearance 72 mL/min.",), KIDNEY_OR, "included"),
        (("Labs: creatinine 1.1 mg/dL, creatinine clearance 41 mL/min.",), KIDNEY_OR, "included"),
        (("Labs: creatinine 1.1 mg/dL, creatinine clearance 72 mL/min.",), KIDNEY_OR, "included"),
        # both failed
        (("Labs: creatinine 2.4 mg/dL, creatinine clearance 31 mL/min.",), KIDNEY_OR, "not included"),
        # one known and met, the other unknown: met
        (("Her creatinine clearance is 68 mL/min.",), KIDNEY_OR, "included"),
        # one known and failed, the other unknown: open
        (("Her creatinine clearance is 35 mL/min.",), KIDNEY_OR, "not enough information"),
        (("Hemoglobin 8.2 g/dL and platelets 240,000/uL on admission.",), COUNTS_OR, "included"),
        (("Hemoglobin 8.2 g/dL and platelets 61,000/uL on admission.",), COUNTS_OR, "not included"),
    ],
)
def test_or_between_two_limits_is_met_by_either(lines: tuple[str, ...], criterion: str, label: str) -> None:
    note = _note("A 63-year-old woman with metastatic pancreatic adenocarcinoma.", *lines)
    assert _label(note, criterion, "inclusion") == label


EXCLUDE_KIDNEY = "Creatinine > 1.5 mg/dL or creatinine clearance < 50 mL/min"


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Creatinine 2.2 mg/dL; creatinine clearance 64 mL/min.", "excluded"),
        ("Creatinine 0.9 mg/dL; creatinine clearance 38 mL/min.", "excluded"),
        ("Creatinine 0.9 mg/dL; creatinine clearance 88 mL/min.", "not excluded"),
        # guard: one part known and not reached, the other not given: open
        ("Creatinine 0.9 mg/dL.", "not enough information"),
    ],
)
def test_or_between_two_limits_excludes_when_either_fails(line: str, label: str) -> None:
    note = _note("A 70-year-old man with bladder cancer.", line)
    assert _label(note, EXCLUDE_KIDNEY, "exclusion") == label


def test_or_then_and_binds_the_or_first() -> None:
    """(creatinine or clearance) and bilirubin: a met kidney limit does not excuse a failed bilirubin."""
    criterion = "Creatinine ≤ 1.5 x ULN or creatinine clearance ≥ 60 mL/min, and total bilirubin ≤ 1.5 x ULN"
    good = _note("A 55-year-old man with colon cancer.", "Creatinine 0.9 mg/dL, total bilirubin 0.6 mg/dL.")
    jaundiced = _note(
        "A 55-year-old man with colon cancer.", "Creatinine 0.9 mg/dL, total bilirubin 4.8 mg/dL."
    )
    assert _label(good, criterion, "inclusion") == "included"
    assert _label(jaundiced, criterion, "inclusion") == "not included"


@pytest.mark.parametrize(
    ("line", "label"),
    [
        # guards: "and" and commas still need every limit
        ("AST 30 U/L, ALT 190 U/L.", "not included"),
        ("AST 30 U/L, ALT 28 U/L.", "included"),
    ],
)
def test_and_between_limits_still_needs_both(line: str, label: str) -> None:
    note = _note("A 49-year-old woman with ovarian cancer.", line)
    assert _label(note, "AST and ALT ≤ 2.5 x ULN", "inclusion") == label


def test_commas_between_limits_still_need_all() -> None:
    note = _note("A 49-year-old woman with ovarian cancer.", "Hemoglobin 11.2 g/dL, platelets 52,000/uL.")
    criterion = "Hemoglobin ≥ 9 g/dL, platelets ≥ 100,000/mm3"
    assert _label(note, criterion, "inclusion") == "not included"


def test_or_between_names_of_one_measure_is_one_limit() -> None:
    """ "AST or ALT" names one measure; the "or" joins nothing for a following limit."""
    note = _note(
        "A 49-year-old woman with ovarian cancer.", "Total bilirubin 3.9 mg/dL, AST 30 U/L, ALT 25 U/L."
    )
    criterion = "Total bilirubin ≤ 1.5 x ULN, AST or ALT ≤ 2.5 x ULN"
    assert _label(note, criterion, "inclusion") == "not included"


def test_or_more_after_a_value_is_no_alternative() -> None:
    note = _note("A 66-year-old man with prostate cancer.", "Hemoglobin 8.0 g/dL; platelets 300,000/uL.")
    criterion = "Hemoglobin 9 g/dL or more and platelets 100,000/mm3 or more"
    assert _label(note, criterion, "inclusion") == "not included"


def test_thresholds_keep_their_equality_with_alternatives() -> None:
    found = thresholds("Creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 50 mL/min")
    assert {t.measure for t in found} == {"creatinine", "creatinine-clearance"}
    assert len({t.either for t in found}) == 1
    apart = thresholds("Creatinine ≤ 1.5 mg/dL and creatinine clearance ≥ 50 mL/min")
    assert len({t.either for t in apart}) == 2


# 2. Alkaline phosphatase


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Alkaline phosphatase 95 U/L, AST 22 U/L.", "included"),
        ("Alkaline phosphatase 900 U/L from bone metastases.", "not included"),
        ("Alk phos of 102 U/L.", "included"),
        ("ALP 1,150 U/L.", "not included"),
        ("AST 22 U/L, ALT 19 U/L.", "not enough information"),
    ],
)
def test_alkaline_phosphatase_is_a_measure(line: str, label: str) -> None:
    note = _note("A 68-year-old man with castration-resistant prostate cancer.", line)
    assert _label(note, "Alkaline phosphatase ≤ 2.5 x ULN", "inclusion") == label


def test_alkaline_phosphatase_is_read_from_criteria() -> None:
    found = thresholds("ALP ≤ 5 x ULN in patients with liver or bone metastases")
    assert [(t.measure, t.op, t.value, t.times_uln) for t in found] == [
        ("alkaline-phosphatase", "<=", 5.0, True)
    ]


def test_alkaline_phosphatase_exclusion() -> None:
    high = _note("A 72-year-old woman with breast cancer.", "Alkaline phosphatase was 1,020 U/L.")
    normal = _note("A 72-year-old woman with breast cancer.", "Alkaline phosphatase was 88 U/L.")
    assert _label(high, "Alkaline phosphatase > 3 x ULN", "exclusion") == "excluded"
    assert _label(normal, "Alkaline phosphatase > 3 x ULN", "exclusion") == "not excluded"


# 3. A febrile seizure is not epilepsy

TODDLER_SEIZURE = (
    "A 34-year-old woman with stage II melanoma of the back.",
    "She had a history of febrile seizures as a toddler and has had none since.",
)


@pytest.mark.parametrize(
    ("criterion", "kind", "label"),
    [
        ("History of epilepsy", "exclusion", "not excluded"),
        ("Seizure disorder", "exclusion", "not excluded"),
        ("Seizure disorder requiring antiepileptic medication", "exclusion", "not excluded"),
        ("Epilepsy", "inclusion", "not enough information"),
        ("Fever", "exclusion", "not excluded"),
        ("Fever above 38.5 °C within 72 hours", "exclusion", "not excluded"),
        ("History of febrile seizures", "exclusion", "excluded"),
        ("History of febrile convulsions", "exclusion", "excluded"),
    ],
)
def test_a_febrile_seizure_is_not_epilepsy(criterion: str, kind: str, label: str) -> None:
    assert _label(_note(*TODDLER_SEIZURE), criterion, kind) == label


def test_a_seizure_still_reads_as_epilepsy() -> None:
    note = _note("A 52-year-old man with glioblastoma.", "He had a generalized seizure last week.")
    assert _label(note, "History of seizures", "exclusion") == "excluded"


# 4. Negation stops at the end of its sentence within a numbered line


@pytest.mark.parametrize(
    ("line", "criterion", "label"),
    [
        ("He denies chest pain. He has type 2 diabetes.", "Diabetes mellitus", "excluded"),
        ("No fever. Hypertension has been treated for ten years.", "History of hypertension", "excluded"),
        ("She reports no nausea. Asthma since childhood.", "History of asthma", "excluded"),
        (
            "Without recent weight loss. Chronic kidney disease stage 3 is known.",
            "Chronic kidney disease",
            "excluded",
        ),
        # guards: negation within the sentence still negates
        ("He denies chest pain or diabetes. He walks daily.", "Diabetes mellitus", "not excluded"),
        ("He is seen by Dr. Novak; no history of asthma.", "History of asthma", "not excluded"),
        ("Creatinine 1.5 mg/dL. No diabetes.", "Diabetes mellitus", "not excluded"),
    ],
)
def test_negation_stops_at_the_sentence_end(line: str, criterion: str, label: str) -> None:
    note = _note("A 58-year-old man with rectal cancer.", line)
    assert _label(note, criterion, "exclusion") == label


def test_abbreviation_is_no_sentence_end() -> None:
    """ "Dr. Smith" or "vs. asthma" does not end the sentence; a negation cue before it still reaches on."""
    note = _note("A 40-year-old woman with lymphoma.", "No asthma, per Dr. Lee, and no COPD.")
    assert _label(note, "History of asthma", "exclusion") == "not excluded"
    assert _label(note, "COPD", "exclusion") == "not excluded"


def test_a_list_of_measures_shares_its_limit() -> None:
    """Naming alkaline phosphatase after AST and ALT keeps their limit too."""
    found = thresholds("AST, ALT and alkaline phosphatase ≤ 2.5 x ULN")
    assert {t.measure for t in found} == {"transaminases", "alkaline-phosphatase"}
    note = _note(
        "A 61-year-old man with liver metastases.", "AST 310 U/L, ALT 280 U/L, alkaline phosphatase 130 U/L."
    )
    assert _label(note, "AST, ALT and alkaline phosphatase ≤ 2.5 x ULN", "inclusion") == "not included"
    assert {t.measure for t in thresholds("Creatinine or creatinine clearance ≥ 60 mL/min")} == {
        "creatinine-clearance"
    }
