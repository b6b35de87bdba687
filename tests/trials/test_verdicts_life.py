"""Failure classes found by writing criteria against notes of our own: readings a note writes in common
forms ("platelets are 98,000/mm3", "white cell count", "fever of 38.9 C"), ages said "older than", a
woman's state that is more than her sex (menopause, births, trimester), smoking now or before, a single
term the note denies, and "afebrile". Every phrasing here was written for these tests.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.measures import on_scale_of

MAN = read_note(
    "0. A 61-year-old man has had a wet cough and fevers for four days.\n"
    "1. He smoked a pack a day for 25 years but quit when he retired.\n"
    "2. On arrival he had a fever of 39.2 C and his white cell count was 17,400/mm3.\n"
    "3. Platelets were 212,000/mm3.\n"
    "4. No wheezing was heard."
)
EXPECTANT = read_note(
    "0. A 29-year-old woman, G3P2, at 31 weeks of gestation, comes in with swollen ankles.\n"
    "1. Her platelets are 87,000/mm3 and her blood pressure is 158/104 mmHg."
)
OLDER_WOMAN = read_note("0. A 67-year-old woman is seen for hip pain after a fall on ice.")
YOUNG_WOMAN = read_note(
    "0. A 24-year-old woman has had pelvic pain for a month.\n1. She has never been pregnant."
)
SMOKER = read_note("0. A 50-year-old man who currently smokes 20 cigarettes a day presents with hoarseness.")
NEVER = read_note("0. A 44-year-old man with back pain. He has never smoked.")


@pytest.mark.parametrize(
    ("criterion", "kind", "label"),
    [
        ("Leukocytosis: white cell count above 12,000/mm3", "inclusion", "included"),
        ("WBC under 11,000/mm3", "inclusion", "not included"),
        ("Platelets under 150,000/mm3", "exclusion", "not excluded"),
        ("Temperature of 38.5 °C or higher", "inclusion", "included"),
        ("Temperature above 101.5 F", "inclusion", "included"),
        ("Afebrile for at least 24 hours", "inclusion", "not included"),
    ],
)
def test_readings_in_common_forms_are_compared(criterion: str, kind: str, label: str) -> None:
    assert judge(MAN, criterion, kind).label == label  # type: ignore[arg-type]


def test_platelets_after_are_are_read_and_compared_across_units() -> None:
    verdict = judge(EXPECTANT, "Thrombocytopenia with platelets below 100 x 10^3/uL", "inclusion")
    assert verdict.label == "included"
    assert verdict.evidence is not None and "87,000" in verdict.evidence


def test_cell_counts_and_temperatures_are_put_on_the_bound_s_scale() -> None:
    assert on_scale_of("platelets", 87.0, 100_000) == 87_000
    assert on_scale_of("leukocytes", 17_400, 11.0) == pytest.approx(17.4)
    assert on_scale_of("temperature", 102.2, 38.5) == pytest.approx(39.0)
    assert on_scale_of("temperature", 39.0, 101.0) == pytest.approx(102.2)


def test_a_number_after_fever_that_no_body_can_have_is_not_a_temperature() -> None:
    note = read_note("0. A 30-year-old man has had fever for 3 days and a rash.")
    assert not [r for r in note.readings if r.measure == "temperature"]


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (OLDER_WOMAN, "Women older than 70 years", "not included"),
        (OLDER_WOMAN, "Females younger than 75", "included"),
        (YOUNG_WOMAN, "Women older than 30 years", "not included"),
    ],
)
def test_older_than_and_younger_than_are_ages(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "label"),
    [
        (OLDER_WOMAN, "Postmenopausal women", "inclusion", "included"),
        (OLDER_WOMAN, "Premenopausal women", "exclusion", "not excluded"),
        (YOUNG_WOMAN, "Postmenopausal status", "inclusion", "not included"),
        (YOUNG_WOMAN, "Premenopausal women", "exclusion", "excluded"),
        (YOUNG_WOMAN, "Nulliparous women", "inclusion", "included"),
        (YOUNG_WOMAN, "Parous women", "inclusion", "not included"),
        (EXPECTANT, "Multiparous women", "inclusion", "included"),
        (EXPECTANT, "Nulliparous women", "exclusion", "not excluded"),
        (EXPECTANT, "Pregnant women in their second trimester", "inclusion", "not included"),
        (EXPECTANT, "Third trimester of pregnancy", "inclusion", "included"),
    ],
)
def test_a_woman_s_state_is_more_than_her_sex(note: object, criterion: str, kind: str, label: str) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]


def test_menopause_at_an_age_that_settles_nothing_is_unknown() -> None:
    note = read_note("0. A 47-year-old woman with headaches.")
    assert judge(note, "Postmenopausal women", "inclusion").label == "not enough information"


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "label"),
    [
        (MAN, "Active smokers", "exclusion", "not excluded"),
        (MAN, "Current smoker", "inclusion", "not included"),
        (MAN, "Former smokers", "inclusion", "included"),
        (MAN, "History of tobacco smoking", "inclusion", "included"),
        (MAN, "Never smokers", "inclusion", "not included"),
        (SMOKER, "Current smokers", "inclusion", "included"),
        (SMOKER, "Ex-smokers who quit at least a year ago", "inclusion", "not included"),
        (NEVER, "Smoking history of 10 pack-years or more", "inclusion", "not included"),
        (NEVER, "Lifelong non-smokers", "inclusion", "included"),
    ],
)
def test_smoking_now_ever_before_and_never(note: object, criterion: str, kind: str, label: str) -> None:
    assert judge(note, criterion, kind).label == label  # type: ignore[arg-type]


def test_a_single_term_the_note_denies_is_not_met() -> None:
    verdict = judge(MAN, "Presence of wheezing", "inclusion")
    assert verdict.label == "not included"
    assert verdict.evidence == "No wheezing was heard."


SURVIVOR = read_note(
    "0. A 52-year-old woman had a lumpectomy for left breast cancer four years ago.\n"
    "1. She comes for a routine visit and feels well."
)
PROGRESSING = read_note(
    "0. A 66-year-old man received four cycles of carboplatin and pemetrexed for lung adenocarcinoma.\n"
    "1. Restaging CT now shows new liver metastases."
)


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (SURVIVOR, "Breast cancer patients who completed adjuvant chemotherapy", "not enough information"),
        (SURVIVOR, "Women with breast cancer after surgery", "included"),
        (SURVIVOR, "Breast cancer refractory to endocrine treatment", "not enough information"),
        (PROGRESSING, "Non-small cell lung cancer progressing after platinum-based chemotherapy", "included"),
        (PROGRESSING, "Lung adenocarcinoma that relapsed after immunotherapy", "not enough information"),
    ],
)
def test_the_right_cancer_is_not_enough_when_the_criterion_asks_its_course(
    note: object, criterion: str, label: str
) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]


def test_a_heart_rate_threshold_named_as_tachycardia_is_compared() -> None:
    note = read_note("0. A 70-year-old man with palpitations; his pulse is 128/min and irregular.")
    assert judge(note, "Tachycardia over 110 beats/min", "inclusion").label == "included"
    assert judge(note, "Tachycardia over 140 beats/min", "inclusion").label == "not included"


def test_a_woman_who_still_has_periods_is_premenopausal_whatever_her_age() -> None:
    note = read_note("0. A 56-year-old woman with heavy bleeding; her last menstrual period was 3 weeks ago.")
    assert judge(note, "Postmenopausal women", "inclusion").label == "not included"
