"""Who the note describes, written the ways notes write it: ages in words or short months, sex after the
age ("54 y/o F") or from an obstetric history, and a temperature threshold named as a fever. Phrasings are
written for these tests.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("A thirty-eight-year-old man with knee pain.", 38.0),
        ("Eighty-one-year-old woman found on the floor at home.", 81.0),
        ("A nine-month-old boy with a barking cough.", 0.75),
        ("An 18 mo girl with a rash on her cheeks.", 1.5),
        ("Man aged 52, smoker, with haemoptysis.", 52.0),
        ("Age: 29. Presents with wrist pain after a fall.", 29.0),
        ("63 y.o. man with a swollen calf.", 63.0),
    ],
)
def test_ages_in_words_and_short_months_are_read(text: str, age: float) -> None:
    facts = read_note(text)
    assert facts.age == pytest.approx(age)
    expected = "included" if age >= 18 else "not included"
    assert judge(facts, "Adults aged 18 years or older", "inclusion").label == expected


def test_months_written_short_are_not_an_age_when_they_measure_something_else() -> None:
    assert read_note("He has had 3 mo of intermittent cough.").age is None


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("67 y/o F presenting with palpitations.", "female"),
        ("29 yo M, brought in after a fall from a ladder.", "male"),
        ("A 31-year-old G3P2 at 34 weeks with headache.", "female"),
        ("Sex: F. Age: 70. Chief complaint: dizziness.", "female"),
        ("Gender: male; 44 years; chest tightness on exertion.", "male"),
    ],
)
def test_sex_written_short_or_implied_by_an_obstetric_history_is_read(text: str, sex: str) -> None:
    facts = read_note(text)
    assert facts.sex == sex
    other = "Men aged 18 to 80" if sex == "female" else "Women aged 18 to 80"
    assert judge(facts, other, "inclusion").label == "not included"


def test_a_temperature_in_fahrenheit_is_not_a_sex() -> None:
    assert read_note("Temp 101F on arrival; the 45 yo was shivering.").sex is None


@pytest.mark.parametrize(
    ("criterion", "kind", "afebrile", "febrile"),
    [
        ("Fever > 38.3 °C at enrolment", "inclusion", "not included", "included"),
        ("Fever above 38.5 C", "exclusion", "not excluded", "excluded"),
        ("Fever for at least 5 days", "inclusion", "not enough information", "not enough information"),
    ],
)
def test_a_fever_threshold_is_a_temperature_threshold(
    criterion: str, kind: str, afebrile: str, febrile: str
) -> None:
    cool = read_note("A 40-year-old woman with a sore throat; she is afebrile.")
    hot = read_note("A 40-year-old woman with a sore throat. Temperature 39.4 °C.")
    assert judge(cool, criterion, kind).label == afebrile  # type: ignore[arg-type]
    assert judge(hot, criterion, kind).label == febrile  # type: ignore[arg-type]


ADMITTED = read_note(
    "A 71-year-old woman was admitted to the ward with 5 days of cough and fever. She had a total "
    "abdominal hysterectomy at 45. She has type 2 diabetes on metformin."
)
CLINIC = read_note("A 33-year-old woman seen in clinic with 10 days of sinus pain. She is premenopausal.")


@pytest.mark.parametrize(
    ("criterion", "admitted", "clinic"),
    [
        ("Outpatients with acute bronchitis", "not included", "not enough information"),
        ("Non-diabetic adults", "not included", "included"),
        ("Symptoms for less than 7 days", "included_or_open", "not included"),
        ("Cough lasting at least 14 days", "not included", "not enough information"),
    ],
)
def test_inclusions_the_note_clearly_does_not_meet(criterion: str, admitted: str, clinic: str) -> None:
    found = judge(ADMITTED, criterion, "inclusion").label
    assert found == admitted or (admitted == "included_or_open" and found != "not included")
    assert judge(CLINIC, criterion, "inclusion").label == clinic


def test_pregnancy_does_not_apply_after_a_hysterectomy_and_premenopausal_is_not_menopausal() -> None:
    assert judge(ADMITTED, "Pregnant or breast-feeding women", "exclusion").label == "not applicable"
    assert CLINIC.postmenopausal is False
    assert judge(CLINIC, "Pregnant or breast-feeding women", "exclusion").label == "not enough information"


def test_a_newborn_is_a_child_and_an_onset_age_is_not_the_patients_age() -> None:
    newborn = read_note("A newborn girl with jaundice on her second day of life.")
    assert newborn.age is not None and newborn.age < 1
    assert judge(newborn, "Pregnant women", "exclusion").label == "not applicable"
    assert read_note("Eczema since he was diagnosed at age 4; he now has a cough.").age is None


ADULT = read_note("A 36-year-old man with a sprained ankle. He will consent and comply with the protocol.")
CHILD = read_note(
    "A 9-year-old boy with asthma. His parents will consent and he will comply with the protocol."
)


@pytest.mark.parametrize(
    "criterion",
    ["Written informed consent from a parent or guardian", "Assent of the child where appropriate"],
)
def test_consent_by_parents_or_a_childs_assent_does_not_apply_to_an_adult(criterion: str) -> None:
    assert judge(ADULT, criterion, "inclusion").label == "not applicable"
    assert judge(CHILD, criterion, "inclusion").label != "not applicable"
    assert (
        judge(ADULT, "Patient or legal guardian able to give informed consent", "inclusion").label
        == "included"
    )
