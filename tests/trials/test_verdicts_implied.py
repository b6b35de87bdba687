"""Diagnoses a note implies without naming them: medicines taken, pathognomonic signs, DSM-5 symptoms."""

from __future__ import annotations

from onconav.trials.verdicts import NoteFacts, judge, read_note

CONSENT = "The patient will provide informed consent, and will comply with the trial protocol."


def note(*sentences: str) -> NoteFacts:
    return read_note("\n".join(f"{i}. {s}" for i, s in enumerate([*sentences, CONSENT])))


def label(facts: NoteFacts, criterion: str, kind: str = "inclusion") -> str:
    assert kind in ("inclusion", "exclusion")
    return judge(facts, criterion, kind).label  # type: ignore[arg-type]


def test_a_medicine_taken_implies_the_condition_it_treats() -> None:
    on_metformin = note(
        "A 64-year-old man presents with a foot ulcer.", "He takes metformin 500 mg twice daily."
    )
    assert label(on_metformin, "Diabetes mellitus") == "included"
    assert label(on_metformin, "Diabetes mellitus", "exclusion") == "excluded"
    evidence = judge(on_metformin, "Diabetes mellitus", "inclusion").evidence
    assert evidence is not None and "metformin" in evidence
    on_levothyroxine = note("A 50-year-old woman with fatigue.", "Her medications include levothyroxine.")
    assert label(on_levothyroxine, "Hypothyroidism", "exclusion") == "excluded"
    assert label(on_levothyroxine, "Diabetes mellitus", "exclusion") == "not excluded"
    on_vortioxetine = note("A 30-year-old woman with headaches.", "She is on vortioxetine.")
    assert label(on_vortioxetine, "Major depressive disorder") == "included"
    # sertraline treats anxiety disorders too: depression is possible, not established
    on_sertraline = note("A 30-year-old woman with headaches.", "She is on sertraline.")
    assert label(on_sertraline, "Major depressive disorder") == "not enough information"


def test_a_medicine_names_its_class_but_not_the_reverse() -> None:
    facts = note("A 72-year-old man with calf pain.", "He is currently taking propranolol and aspirin.")
    assert label(facts, "Current use of beta blockers", "exclusion") == "excluded"
    assert label(facts, "Patients on calcium channel blockers", "exclusion") == "not excluded"
    # A beta blocker does not imply hypertension: it is given for angina and arrhythmia as well.
    assert label(facts, "Hypertension", "exclusion") == "not excluded"
    generic = note("A 60-year-old man.", "He takes a beta blocker.")
    assert label(generic, "Treatment with metoprolol", "exclusion") == "not excluded"


def test_an_allergy_or_a_denial_is_not_taking_the_medicine() -> None:
    allergic = note("A 40-year-old woman with sore throat.", "She is allergic to penicillin.")
    assert label(allergic, "Treatment with antibiotics within 14 days", "exclusion") == "not excluded"
    denies = note("A 40-year-old woman.", "She is not on insulin.")
    assert label(denies, "Diabetes mellitus", "exclusion") == "not excluded"


def test_pathognomonic_signs_imply_their_diagnosis() -> None:
    smoker = note("A 63-year-old man with cough.", "On examination he has a barrel shaped chest.")
    assert label(smoker, "COPD") == "included"
    walker = note("A 72-year-old man complains of increasing calf pain when walking uphill.")
    assert label(walker, "Claudication") == "included"
    assert label(note("A 72-year-old man with calf pain after a fall."), "Claudication") == (
        "not enough information"
    )
    lupus = note("A 21-year-old woman with arthralgia.", "Her lab shows a positive ANA and anti-dsDNA.")
    assert label(lupus, "Patients with systemic lupus erythematosus") == "included"
    cmv = note("A 62-year-old man with cough.", "Lavage shows owl's eye inclusion bodies.")
    assert label(cmv, "CMV infection") == "included"


def test_depression_needs_five_dsm_symptoms_with_mood_or_interest() -> None:
    depressed = note(
        "A 20-year-old woman presents with fatigue.",
        "She reports increased sleep and appetite and difficulty concentrating.",
        "She no longer enjoys time with friends and feels guilty.",
    )
    assert label(depressed, "Major depressive disorder") == "included"
    tired = note(
        "A 20-year-old woman presents with fatigue.",
        "She reports increased sleep and appetite and difficulty concentrating.",
        "She feels guilty about missing work.",
    )
    assert label(tired, "Major depressive disorder") == "not enough information"
    denies = note(
        "A 20-year-old woman presents with fatigue and poor appetite.",
        "She denies loss of interest, guilt or suicidal thoughts.",
        "She reports difficulty concentrating.",
    )
    assert label(denies, "Major depressive disorder") == "not enough information"


def test_measurements_past_their_limits_are_diagnoses_like_anemia_and_fever() -> None:
    pregnant = note("A 27-year-old woman at 11 weeks gestation is pregnant.", "Her Hb is 10.5 g/dL.")
    assert label(pregnant, "Anemia", "exclusion") == "excluded"
    woman = note("A 27-year-old woman.", "Her Hb is 11.5 g/dL and platelets 108 x 10^9/L.")
    assert label(woman, "Anemia", "exclusion") == "excluded"
    assert label(woman, "Thrombocytopenia", "exclusion") == "excluded"
    pregnant_115 = note("A 27-year-old pregnant woman.", "Her Hb is 11.5 g/dL.")
    assert label(pregnant_115, "Anemia", "exclusion") == "not excluded"  # WHO limit in pregnancy is 11
    man = note("A 50-year-old man.", "Hemoglobin 12.5 g/dL, platelets 250,000, ANC 800.")
    assert label(man, "Anemia", "exclusion") == "excluded"
    assert label(man, "Neutropenia", "exclusion") == "excluded"
    assert label(man, "Thrombocytopenia", "exclusion") == "not excluded"
    febrile = note("A 5-year-old boy.", "His temperature is 101.5 F.")
    assert label(febrile, "Fever") == "included"
    assert label(note("A 5-year-old boy.", "His temperature is 37.2 C."), "Fever") == "not enough information"


def test_a_systolic_pressure_under_90_is_hypotension() -> None:
    shocked = note("A 40-year-old woman presents with arm pain.", "Her blood pressure is 80/60.")
    assert label(shocked, "Patients were included if they were diagnosed with shock") == "included"
    steady = note("A 40-year-old woman presents with arm pain.", "Her blood pressure is 120/80.")
    assert (
        label(steady, "Patients were included if they were diagnosed with shock") == "not enough information"
    )
    assert label(steady, "Hypotension", "exclusion") == "not excluded"


def test_adult_heart_rate_over_100_is_tachycardia_but_not_a_child_s() -> None:
    adult = note("A 40-year-old woman presents with arm pain.", "HR 120/min, BP 130/80.")
    assert label(adult, "Tachycardia", "exclusion") == "excluded"
    child = note("A 4 year old boy presents with wheezing.", "HR 120/min.")
    assert label(child, "Tachycardia", "exclusion") == "not excluded"


def test_general_medicine_conditions_are_recognised() -> None:
    facts = note(
        "A 33-year-old man presented after blunt trauma to the abdomen.",
        "He has hypokalemia and acute kidney injury.",
    )
    assert label(facts, "Hypokalemia", "exclusion") == "excluded"
    assert label(facts, "Electrolyte imbalance", "exclusion") == "excluded"
    assert label(facts, "Renal failure", "exclusion") == "excluded"
    assert label(facts, "Patients admitted after trauma") == "included"
    assert label(facts, "Hyponatremia", "exclusion") == "not excluded"


def test_a_current_treatment_falls_within_any_time_window() -> None:
    on_prednisone = note(
        "A 62-year-old man with cough.", "He is on immunosuppressive medications, including prednisone."
    )
    window = "Systemic corticosteroids within 30 days prior to the first dose of study medication"
    assert label(on_prednisone, window, "exclusion") == "excluded"
    # A dose limit is a requirement the note does not settle.
    assert label(on_prednisone, "Corticosteroids > 15 mg/day within 30 days", "exclusion") == "not excluded"
    past = note("A 62-year-old man with cough.", "He was treated with prednisone for asthma in 2010.")
    assert label(past, window, "exclusion") == "not excluded"
    on_metformin = note("A 62-year-old man.", "He takes metformin.")
    assert label(on_metformin, "Treatment with antidiabetic drugs within the past 3 months", "exclusion") == (
        "excluded"
    )
    assert label(on_metformin, "Treatment with beta blockers within the past 3 months", "exclusion") == (
        "not excluded"
    )
