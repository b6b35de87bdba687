"""Lab and body-measure limits (round 10), in notes and criteria written for these tests: an exclusion that
asks two limits together ("creatinine > 2 mg/dL and haemoglobin < 9 g/dL", Hy's law), the patient's body
weight and height (kg, g, lb, cm, feet and inches; BMI computed from them), a note's own upper limit of
normal or multiple of it ("ALT 150 U/L (ULN 40)", "ALT 5 x ULN"), and unit sizes (neutrophils per µL
under 1000, albumin in g/L, a range asked by an exclusion).
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.body import body_heights, body_mass_index, body_weights
from onconav.trials.verdicts.measures import thresholds


def _label(
    lines: tuple[str, ...] | str, criterion: str, kind: str, opening: str = "A 58-year-old man."
) -> str:
    body = (lines,) if isinstance(lines, str) else lines
    note = read_note("\n".join(f"{i}. {line}" for i, line in enumerate((opening, *body))))
    return judge(note, criterion, kind).label


# 1. An exclusion that asks two limits together

KIDNEY_AND_ANAEMIA = "Creatinine > 2 mg/dL and hemoglobin < 9 g/dL"
HYS_LAW = "ALT > 3 x ULN and total bilirubin > 2 x ULN"
HYS_LAW_WITH = "AST or ALT > 3 x ULN with total bilirubin > 2 x ULN"
COUNTS_AND = "Hemoglobin < 9 g/dL and platelet count < 100,000/mm3"


@pytest.mark.parametrize(
    ("lines", "criterion", "label"),
    [
        # every limit exceeded
        ("Creatinine 2.1 mg/dL. Hemoglobin 8 g/dL.", KIDNEY_AND_ANAEMIA, "excluded"),
        ("ALT 200 U/L, total bilirubin 4.0 mg/dL.", HYS_LAW, "excluded"),
        ("AST 250 U/L, ALT 300 U/L, total bilirubin 3.6 mg/dL.", HYS_LAW_WITH, "excluded"),
        ("Hemoglobin 8.1 g/dL, platelets 61,000/uL.", COUNTS_AND, "excluded"),
        # one limit clearly not exceeded
        ("Creatinine 2.1 mg/dL. Hemoglobin 13 g/dL.", KIDNEY_AND_ANAEMIA, "not excluded"),
        ("ALT 200 U/L, total bilirubin 1.0 mg/dL.", HYS_LAW, "not excluded"),
        ("AST 250 U/L, ALT 300 U/L, total bilirubin 0.7 mg/dL.", HYS_LAW_WITH, "not excluded"),
        ("Hemoglobin 8.1 g/dL, platelets 210,000/uL.", COUNTS_AND, "not excluded"),
        ("Platelets 210,000/uL.", COUNTS_AND, "not excluded"),
        (
            "Creatinine 1.0 mg/dL.",
            "Serum creatinine > 1.5 x ULN and creatinine clearance < 60 mL/min",
            "not excluded",
        ),
        # one exceeded, the other unknown
        ("Creatinine 2.1 mg/dL.", KIDNEY_AND_ANAEMIA, "not enough information"),
        ("Hemoglobin 8.1 g/dL.", COUNTS_AND, "not enough information"),
    ],
)
def test_an_exclusion_asking_limits_together_needs_every_one(lines: str, criterion: str, label: str) -> None:
    assert _label(lines, criterion, "exclusion") == label


@pytest.mark.parametrize(
    ("lines", "criterion", "label"),
    [
        # separate limits, each enough: semicolons, commas, lines, "or", "and/or"
        (
            "Creatinine 2.5 mg/dL, bilirubin 0.8 mg/dL.",
            "Creatinine > 2 mg/dL; bilirubin > 3 mg/dL",
            "excluded",
        ),
        (
            "Creatinine 2.5 mg/dL, bilirubin 0.8 mg/dL.",
            "Creatinine > 2 mg/dL, bilirubin > 3 mg/dL",
            "excluded",
        ),
        (
            "Creatinine 2.5 mg/dL, bilirubin 0.8 mg/dL.",
            "Creatinine > 2 mg/dL or bilirubin > 3 mg/dL",
            "excluded",
        ),
        (
            "Creatinine 2.5 mg/dL, bilirubin 0.8 mg/dL.",
            "Creatinine > 2 mg/dL\nBilirubin > 3 mg/dL",
            "excluded",
        ),
        (
            "Creatinine 2.5 mg/dL, hemoglobin 13 g/dL.",
            "Creatinine > 2 mg/dL and/or hemoglobin < 9 g/dL",
            "excluded",
        ),
        # a comma list closed by "and" lists separate limits
        (
            "Creatinine 2.5 mg/dL, bilirubin 0.8 mg/dL, AST 30 U/L.",
            "Creatinine > 2 mg/dL, bilirubin > 3 mg/dL and AST > 100 U/L",
            "excluded",
        ),
        (
            "AST 250 U/L, ALT 300 U/L, total bilirubin 0.7 mg/dL.",
            "AST or ALT > 3 x ULN, or total bilirubin > 2 x ULN",
            "excluded",
        ),
        # systolic and diastolic limits are one blood-pressure limit: either number beyond it
        (
            "Systolic 150 mmHg, diastolic 85 mmHg.",
            "Systolic blood pressure > 140 mmHg and diastolic blood pressure > 90 mmHg",
            "excluded",
        ),
        ("Blood pressure 150/85 mmHg.", "Blood pressure > 140/90 mmHg", "excluded"),
        # a failed function defined by its limits: one limit failed is enough (the negation of adequacy)
        (
            "ANC 1000/mm3, platelets 200,000/mm3.",
            "Inadequate bone marrow function: ANC < 1500/mm3 and platelets < 100,000/mm3",
            "excluded",
        ),
    ],
)
def test_separate_exclusion_limits_each_exclude(lines: str, criterion: str, label: str) -> None:
    assert _label(lines, criterion, "exclusion") == label


@pytest.mark.parametrize(
    ("lines", "criterion", "label"),
    [
        # inclusions with "and" keep asking every limit
        ("ANC 2.0, platelets 150000.", "ANC >= 1.5 x 10^9/L and platelets >= 100 x 10^9/L", "included"),
        ("ANC 1.0, platelets 150000.", "ANC >= 1.5 x 10^9/L and platelets >= 100 x 10^9/L", "not included"),
        (
            "ANC 2.0, platelets 150000, creatinine 2.0 mg/dL.",
            "Adequate organ function: ANC >= 1.5, platelets >= 100 and creatinine <= 1.5",
            "not included",
        ),
    ],
)
def test_inclusion_limits_joined_by_and_are_all_asked(lines: str, criterion: str, label: str) -> None:
    assert _label(lines, criterion, "inclusion") == label


def test_limits_joined_by_and_share_a_group_only_without_a_list() -> None:
    joined = thresholds(HYS_LAW)
    assert [t.measure for t in joined] == ["transaminases", "bilirubin"]
    assert joined[0].together == joined[1].together
    listed = thresholds("Creatinine > 2 mg/dL, bilirubin > 3 mg/dL and AST > 100 U/L")
    assert len({t.together for t in listed}) == 3


# 2. Body weight, height and BMI


@pytest.mark.parametrize(
    ("sentence", "kilograms"),
    [
        ("A 4-year-old boy weighing 15 kg presents with fever.", [15.0]),
        ("He weighs 70 kg.", [70.0]),
        ("Weight: 82 kg.", [82.0]),
        ("A 15-kg boy with cough.", [15.0]),
        ("Weight 154 lb.", [154 * 0.45359237]),
        ("Body weight of 60 kilograms.", [60.0]),
        ("A 2-month-old infant weighing 4800 g.", [4.8]),
        ("Vitals: BP 120/80, HR 72, Wt 81.5 kg.", [81.5]),
        ("She weighs 70 kilos.", [70.0]),
        ("KRAS WT 12 months after diagnosis.", []),
        # not the patient's body weight now
        ("He lost 5 kg over 3 months.", []),
        ("He gained 10 lb over 3 months.", []),
        ("He reports a weight loss of 6 kg.", []),
        ("Enoxaparin 1 mg/kg twice daily.", []),
        ("Birth weight 3200 g.", []),
        ("She weighed 3.1 kg at birth.", []),
        ("His mother weighs 90 kg.", []),
        ("Her usual weight is 70 kg.", []),
        ("Weight is at the 5th percentile for age.", []),
        ("Weight at 5th percentile.", []),
        ("Weight 3 months ago was 80 kg.", []),
        ("She reports a 5-kg weight loss.", []),
        ("Splenectomy specimen weighing 1200 g.", []),
        ("The resected tumor weighed 350 g.", []),
        ("She delivered a baby boy weighing 3.4 kg.", []),
        ("A 3-month-old infant weighing 5.6 kg.", [5.6]),
    ],
)
def test_body_weight_is_read_in_kilograms(sentence: str, kilograms: list[float]) -> None:
    assert body_weights(sentence) == pytest.approx(kilograms)


@pytest.mark.parametrize(
    ("sentence", "centimetres"),
    [
        ("Height 175 cm.", [175.0]),
        ("Height: 1.62 m.", [162.0]),
        ("She is 5 feet 4 inches tall.", [162.56]),
        ("Height 5 ft 10 in, weight 200 lb.", [177.8]),
        ("Fundal height 32 cm.", []),
    ],
)
def test_height_is_read_in_centimetres(sentence: str, centimetres: list[float]) -> None:
    assert body_heights(sentence) == pytest.approx(centimetres)


def test_body_mass_index_is_kilograms_over_metres_squared() -> None:
    assert body_mass_index(88.0, 160.0) == pytest.approx(34.375)


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        (
            "A 4-year-old boy weighing 15 kg presents with fever.",
            "Body weight at least 10 kg",
            "inclusion",
            "included",
        ),
        (
            "A 4-year-old boy weighing 15 kg presents with fever.",
            "Weight < 12 kg",
            "exclusion",
            "not excluded",
        ),
        ("He weighs 70 kg.", "Body weight > 100 kg", "exclusion", "not excluded"),
        ("A 15-kg boy with cough.", "Weight < 12 kg", "exclusion", "not excluded"),
        ("Weight 154 lb.", "Body weight >= 80 kg", "inclusion", "not included"),
        ("She weighs 132 pounds.", "Body weight of at least 50 kg", "inclusion", "included"),
        ("A 90-kg man with chest pain.", "Body weight > 100 kg", "exclusion", "not excluded"),
        ("A 2-month-old infant weighing 4800 g.", "Body weight >= 4 kg", "inclusion", "included"),
        ("Weight 62 kg, down from 70 kg six months ago.", "Body weight < 65 kg", "exclusion", "excluded"),
        # never a change of weight, a dose, a birth weight, a relative's or a usual weight
        ("He lost 5 kg over 3 months.", "Body weight >= 50 kg", "inclusion", "not enough information"),
        ("He gained 10 lb over 3 months.", "Weight > 100 kg", "exclusion", "not enough information"),
        ("He receives enoxaparin 1 mg/kg.", "Body weight >= 50 kg", "inclusion", "not enough information"),
        ("Birth weight 3200 g.", "Body weight >= 10 kg", "inclusion", "not enough information"),
        ("His mother weighs 90 kg.", "Weight > 80 kg", "exclusion", "not enough information"),
        (
            "Her usual weight is 70 kg but she has lost 8 kg.",
            "Weight > 65 kg",
            "exclusion",
            "not enough information",
        ),
        # BMI computed from weight and height when the note gives no BMI
        ("Weight 95 kg, height 170 cm.", "BMI > 30 kg/m2", "exclusion", "excluded"),
        ("Weight 60 kg, height 1.75 m.", "BMI >= 18.5", "inclusion", "included"),
        ("Weight 200 lb, height 5 ft 10 in.", "BMI > 30", "exclusion", "not excluded"),
        ("Height 160 cm, weight 88 kg.", "BMI >= 30 kg/m2", "inclusion", "included"),
        (
            "She is 5 feet 4 inches tall and weighs 180 lb.",
            "BMI between 18.5 and 30",
            "inclusion",
            "not included",
        ),
        # the note's own BMI comes first; a fundal height is no height
        ("BMI 24. Weight 95 kg, height 170 cm.", "BMI > 30 kg/m2", "exclusion", "not excluded"),
        ("Fundal height 32 cm. Weight 70 kg.", "BMI > 30", "exclusion", "not enough information"),
        ("He is 6 feet tall and weighs 250 pounds.", "BMI >= 30", "inclusion", "included"),
        (
            "Weight 70 kg. Height 175 cm.",
            "Body mass index between 18.5 and 30 kg/m2",
            "inclusion",
            "included",
        ),
        ("Weight 48 kg (BMI 17.6).", "BMI < 18.5 kg/m2", "exclusion", "excluded"),
    ],
)
def test_body_weight_and_bmi_against_limits(lines: str, criterion: str, kind: str, label: str) -> None:
    assert _label(lines, criterion, kind) == label


# 3. The note's own upper limit of normal, or a multiple of it


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        ("ALT 150 U/L (ULN 40).", "ALT > 3 x ULN", "exclusion", "excluded"),
        ("ALT 150 U/L (ULN 40).", "AST and ALT <= 2.5 x ULN", "inclusion", "not included"),
        ("ALT 110 U/L (upper limit of normal 33).", "ALT > 3 x ULN", "exclusion", "excluded"),
        ("ALT 150 U/L (normal 7-56 U/L).", "ALT > 3 x ULN", "exclusion", "not excluded"),
        ("ALT 150 U/L (reference range 7-40).", "ALT > 3 x ULN", "exclusion", "excluded"),
        ("Total bilirubin 2.0 mg/dL (ULN 1.2).", "Total bilirubin <= 1.5 x ULN", "inclusion", "not included"),
        ("ALT 5 x ULN.", "ALT > 3 x ULN", "exclusion", "excluded"),
        ("ALT 2 x ULN.", "AST and ALT <= 2.5 x ULN", "inclusion", "included"),
        (
            "Transaminases are elevated to 4 times the upper limit of normal.",
            "AST or ALT <= 2.5 x ULN",
            "inclusion",
            "not included",
        ),
        # a multiple against a limit in U/L: decided when every usual upper limit agrees
        ("ALT 5 x ULN.", "ALT > 100 U/L", "exclusion", "excluded"),
        ("ALT 2 x ULN.", "ALT > 100 U/L", "exclusion", "not enough information"),
        ("ALT 3x normal.", "ALT <= 2.5 x ULN", "inclusion", "not included"),
        ("AST 140 U/L and ALT 160 U/L (ULN 40 for both).", "AST or ALT > 3 x ULN", "exclusion", "excluded"),
        ("Serum bilirubin 25 µmol/L (ULN 21).", "Bilirubin <= 1.5 x ULN", "inclusion", "included"),
        (
            "Alkaline phosphatase 450 U/L (ULN 130).",
            "Alkaline phosphatase <= 5 x ULN",
            "inclusion",
            "included",
        ),
        ("Creatinine 1.8 mg/dL (ULN 1.1).", "Creatinine > 1.5 x ULN", "exclusion", "excluded"),
        # controls: without the note's own limit, the usual limits decide
        ("Alkaline phosphatase 450 U/L.", "Alkaline phosphatase <= 2.5 x ULN", "inclusion", "not included"),
        ("ALT 45 U/L.", "ALT <= 2.5 x ULN", "inclusion", "included"),
        ("ALT 150 U/L.", "ALT > 3 x ULN", "exclusion", "not enough information"),
    ],
)
def test_the_notes_own_upper_limit(lines: str, criterion: str, kind: str, label: str) -> None:
    assert _label(lines, criterion, kind) == label


# 4. Unit sizes and ranges


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        ("Absolute neutrophil count 900/uL.", "ANC >= 1.5 x 10^9/L", "inclusion", "not included"),
        ("ANC 2.1 x 10^9/L.", "ANC < 500/mm3", "exclusion", "not excluded"),
        ("ANC 0.3 x 10^9/L.", "ANC < 500/mm3", "exclusion", "excluded"),
        ("Albumin 28 g/L.", "Albumin >= 3 g/dL", "inclusion", "not included"),
        ("Albumin 35 g/L.", "Albumin >= 3 g/dL", "inclusion", "included"),
        ("Hemoglobin 12.5 g/dL.", "Hemoglobin 9-11 g/dL", "exclusion", "not excluded"),
        ("Hemoglobin 10.2 g/dL.", "Hemoglobin 9-11 g/dL", "exclusion", "excluded"),
        # controls that must keep working
        ("Platelets 85,000.", "Platelet count >= 100 x 10^9/L", "inclusion", "not included"),
        ("Hb 8.9.", "Hemoglobin >= 9 g/dL", "inclusion", "not included"),
        (
            "Hgb 8.9 g/dL, plt 85.",
            "Hemoglobin >= 9 g/dL and platelets >= 100 x 10^9/L",
            "inclusion",
            "not included",
        ),
        ("Platelet count of 85 x 10^3/uL.", "Platelets >= 100,000/mm3", "inclusion", "not included"),
        ("Hemoglobin 89 g/L.", "Hemoglobin >= 9 g/dL", "inclusion", "not included"),
        ("Creatinine 177 umol/L.", "Creatinine <= 1.5 mg/dL", "inclusion", "not included"),
        ("WBC 3.2 x 10^9/L, ANC 1.2 x 10^9/L.", "ANC >= 1500/mm3", "inclusion", "not included"),
        ("Weight 45 kg.", "Weight between 50 and 120 kg", "inclusion", "not included"),
    ],
)
def test_unit_sizes_and_ranges(lines: str, criterion: str, kind: str, label: str) -> None:
    assert _label(lines, criterion, kind) == label


# 5. Values reached by a change, QTcF, and a clearance computed by Cockcroft-Gault


@pytest.mark.parametrize(
    ("lines", "criterion", "kind", "label"),
    [
        ("Creatinine was elevated at 2.4 mg/dL.", "Creatinine <= 1.5 mg/dL", "inclusion", "not included"),
        ("Hemoglobin dropped to 7.2 g/dL.", "Hemoglobin >= 9 g/dL", "inclusion", "not included"),
        ("Hemoglobin decreased from 12 to 7.2 g/dL.", "Hemoglobin >= 9 g/dL", "inclusion", "not included"),
        ("Platelet count fell to 40,000.", "Platelets >= 100,000", "inclusion", "not included"),
        (
            "Platelets rose from 40,000 to 160,000 after transfusion.",
            "Platelets >= 100,000",
            "inclusion",
            "included",
        ),
        # a change by some amount is no value
        (
            "Hemoglobin dropped by 2 g/dL overnight.",
            "Hemoglobin >= 9 g/dL",
            "inclusion",
            "not enough information",
        ),
        # a time after the measure is not its value
        (
            "Creatinine at 6 months was 1.2 mg/dL.",
            "Creatinine <= 1.5 mg/dL",
            "inclusion",
            "not enough information",
        ),
        (
            "Hemoglobin increased at 3 months to 10.5 g/dL.",
            "Hemoglobin >= 9 g/dL",
            "inclusion",
            "not enough information",
        ),
        ("QTc interval of 490 msec.", "QTcF > 480 ms", "exclusion", "excluded"),
        ("QTc interval of 430 msec.", "QTcF > 480 ms", "exclusion", "not excluded"),
    ],
)
def test_values_reached_by_a_change(lines: str, criterion: str, kind: str, label: str) -> None:
    assert _label(lines, criterion, kind) == label


@pytest.mark.parametrize(
    ("opening", "line", "criterion", "kind", "label"),
    [
        # (140 - 70) x 55 / (72 x 1.4) x 0.85 = 32 mL/min
        (
            "A 70-year-old woman weighing 55 kg.",
            "Creatinine 1.4 mg/dL.",
            "Creatinine clearance >= 60 mL/min (Cockcroft-Gault)",
            "inclusion",
            "not included",
        ),
        # (140 - 40) x 80 / (72 x 0.9) = 123 mL/min
        (
            "A 40-year-old man weighing 80 kg.",
            "Creatinine 0.9 mg/dL.",
            "Calculated creatinine clearance >= 50 mL/min",
            "inclusion",
            "included",
        ),
        (
            "A 40-year-old man weighing 80 kg.",
            "Creatinine 80 umol/L.",
            "Creatinine clearance < 30 mL/min",
            "exclusion",
            "not excluded",
        ),
        (
            "A 82-year-old woman, weight 48 kg.",
            "Creatinine 1.6 mg/dL.",
            "CrCl < 30 mL/min",
            "exclusion",
            "excluded",
        ),
        # not computed: a filtration rate per 1.73 m², no weight, a child, a clearance the note gives
        (
            "A 40-year-old man weighing 80 kg.",
            "Creatinine 0.9 mg/dL.",
            "eGFR >= 60 mL/min/1.73 m2",
            "inclusion",
            "not enough information",
        ),
        (
            "A 40-year-old man.",
            "Creatinine 0.9 mg/dL.",
            "Creatinine clearance >= 60 mL/min",
            "inclusion",
            "not enough information",
        ),
        (
            "A 12-year-old boy weighing 40 kg.",
            "Creatinine 0.5 mg/dL.",
            "Creatinine clearance >= 60 mL/min",
            "inclusion",
            "not enough information",
        ),
        (
            "A 60-year-old man weighing 70 kg.",
            "Creatinine 1.9 mg/dL. Creatinine clearance 75 mL/min.",
            "Creatinine clearance >= 60 mL/min",
            "inclusion",
            "included",
        ),
        # too close to the limit to tell: (140 - 60) x 75 / (72 x 1.4) = 60 mL/min
        (
            "A 60-year-old man weighing 75 kg.",
            "Creatinine 1.4 mg/dL.",
            "Creatinine clearance >= 60 mL/min",
            "inclusion",
            "not enough information",
        ),
    ],
)
def test_creatinine_clearance_by_cockcroft_gault(
    opening: str, line: str, criterion: str, kind: str, label: str
) -> None:
    assert _label(line, criterion, kind, opening=opening) == label


@pytest.mark.parametrize(
    ("opening", "criterion", "kind", "label"),
    [
        # weight limits in pounds or grams are compared in kilograms (350 lb = 158.8 kg)
        ("A 30-year-old man weighing 70 kg.", "Weight > 350 lbs", "exclusion", "not excluded"),
        ("A 30-year-old man weighing 170 kg.", "Weight > 350 lbs", "exclusion", "excluded"),
        (
            "A 30-year-old woman who weighs 45 kg.",
            "Weight of at least 110 pounds",
            "inclusion",
            "not included",
        ),
        ("A 6-week-old infant weighing 3.1 kg.", "Body weight >= 2000 g", "inclusion", "included"),
        # a birth weight is not today's body weight
        (
            "A 4-year-old boy weighing 15 kg presents with fever.",
            "Birth weight < 1500 g",
            "inclusion",
            "not enough information",
        ),
        (
            "A 4-year-old boy weighing 15 kg presents with fever.",
            "Birth weight less than 2500 grams",
            "exclusion",
            "not enough information",
        ),
        (
            "A 4-year-old boy weighing 15 kg presents with fever.",
            "Birthweight >= 2000 g",
            "inclusion",
            "not enough information",
        ),
    ],
)
def test_weight_limits_in_other_units(opening: str, criterion: str, kind: str, label: str) -> None:
    assert _label((), criterion, kind, opening=opening) == label
