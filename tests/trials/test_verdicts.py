"""Each rule family of the criterion verdicts, on notes and criteria written to make the rule matter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onconav.trials.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS, NoteFacts, judge, read_note

CONSENT = "The patient will provide informed consent, and will comply with the trial protocol."


def note(*sentences: str) -> NoteFacts:
    return read_note("\n".join(f"{i}. {s}" for i, s in enumerate([*sentences, CONSENT])))


WOMAN_58 = note(
    "A 58-year-old woman presents with chest pain.",
    "She is known to have hypertension and obesity.",
    "She denies smoking, diabetes, or a family history of heart disease.",
    "She currently takes no medications.",
)


def label(facts: NoteFacts, criterion: str, kind: str = "inclusion") -> str:
    assert kind in ("inclusion", "exclusion")
    return judge(facts, criterion, kind).label  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- age and sex
@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("Age 25 to 65 years", "included"),
        ("Age 60 to 75 years", "not included"),
        ("Patients of both sexes aged ≥ 18 years.", "included"),
        ("Age 8-18 years", "not included"),
        ("Male and female", "included"),
        ("Men aged 40 or older", "not included"),
        ("Women aged 40 or older with chest pain", "included"),
    ],
)
def test_age_and_sex_criteria_include_only_a_patient_who_fits_them(criterion: str, expected: str) -> None:
    assert label(WOMAN_58, criterion) == expected


def test_ages_in_months_and_age_exclusions_are_judged_and_a_percentage_is_no_age() -> None:
    infant = note("A 6-month-old male infant is admitted after surgery.")
    assert infant.age == pytest.approx(0.5)
    assert label(infant, "Age 6 months to less than 13 years of age (<13)") == "included"
    assert label(infant, "Less than 18 years of age", "exclusion") == "excluded"
    assert label(WOMAN_58, "Less than 18 years of age", "exclusion") == "not excluded"
    # A percentage near the word "age" is not an age limit.
    assert label(note("A 4 year old boy."), "FVC of > 80 % of that predicted for gender, age and height") != (
        "not included"
    )


# ----------------------------------------------------------------------------------------------- consent
def test_consent_is_settled_by_the_note_statement() -> None:
    criterion = "Patient must be able to give voluntary written informed consent."
    assert judge(WOMAN_58, criterion, "inclusion").label == "included"
    assert judge(WOMAN_58, criterion, "inclusion").evidence == CONSENT
    silent = read_note("0. A 58-year-old woman presents with chest pain.")
    assert label(silent, criterion) == "not enough information"
    assert label(WOMAN_58, "Refusal to consent.", "exclusion") == "not excluded"


# --------------------------------------------------------------------------------------------- pregnancy
def test_pregnancy_criteria_do_not_apply_to_men_children_or_after_menopause() -> None:
    man = note("A 63-year-old man presents with cough.")
    boy = note("A 5-year-old boy presents with fever.")
    girl = note("A 5-year-old girl presents with fever.")
    older = note("A 72-year-old woman presents with fatigue.")
    for facts in (man, boy, girl, older):
        assert label(facts, "Pregnant or lactating women", "exclusion") == "not applicable"
        assert label(facts, "Females of childbearing potential must use contraception") == "not applicable"


def test_pregnancy_in_women_of_childbearing_age() -> None:
    unknown = note("A 30-year-old woman presents with joint pain.")
    assert label(unknown, "Pregnant or lactating women", "exclusion") == "not enough information"
    tested = note("A 36-year-old woman presents with spotting.", "A urine pregnancy test is negative.")
    assert label(tested, "Current or planned pregnancy", "exclusion") == "not excluded"
    pregnant = note("A 27-year-old woman at 11 weeks gestation in her second pregnancy has anemia.")
    assert label(pregnant, "Currently pregnant", "exclusion") == "excluded"
    assert label(pregnant, "Pregnant, with gestational age <23 weeks") == "included"
    # Pregnancy names who is excluded here, not what: the thalassemia decides.
    assert label(pregnant, "Pregnant women affected by beta thalassemia", "exclusion") == "not excluded"


# --------------------------------------------------------------------------------- negation and concepts
def test_negated_conditions_are_not_the_patients() -> None:
    verdict = judge(WOMAN_58, "IDDM (Type-1 diabetes mellitus)", "exclusion")
    assert verdict.label == "not excluded"
    assert verdict.evidence is not None and "denies" in verdict.evidence
    assert label(WOMAN_58, "Diabetes mellitus") == "not included"
    # The family history belongs to relatives.
    assert label(WOMAN_58, "Coronary heart disease") == "not enough information"


def test_affirmed_conditions_include_and_exclude() -> None:
    assert label(WOMAN_58, "Clinical diagnosis of hypertension") == "included"
    assert label(WOMAN_58, "Obesity", "exclusion") == "excluded"
    # Severity or a threshold the note does not give: not excluded on the diagnosis alone.
    assert label(WOMAN_58, "Severe uncontrolled hypertension", "exclusion") == "not excluded"
    assert label(WOMAN_58, "Hypertension of > 170/100 mm of Hg", "exclusion") == "not excluded"
    cvid = note("A 48-year-old man with history of common variable immunodeficiency (CVID) and fever.")
    assert label(cvid, "Common Variable Immunodeficiency (CVID)") == "included"


def test_an_abbreviation_counts_only_when_written_in_capitals() -> None:
    mi = note("A 70-year-old man had an MI two years ago.")
    assert label(mi, "History of myocardial infarction", "exclusion") == "excluded"
    lower = note("A 70-year-old man says mi casa es su casa.")
    assert label(lower, "History of myocardial infarction", "exclusion") == "not excluded"


def test_uncertain_mentions_leave_the_question_open() -> None:
    facts = note(
        "A 36-year-old woman has an enlarged uterus.", "The differential diagnosis includes fibroid."
    )
    assert label(facts, "Five or more fibroids", "exclusion") == "not enough information"


def test_no_x_inclusion_mirrors_the_exclusion() -> None:
    assert label(WOMAN_58, "No history of myocardial infarction") == "included"
    mi = note("A 70-year-old man had a myocardial infarction in 2019.")
    assert label(mi, "No history of myocardial infarction") == "not included"


def test_adult_life_criteria_do_not_apply_to_children() -> None:
    boy = note("A 5-year-old boy presents with drooling and fever.")
    assert label(boy, "alcoholism (drunk at least once a week)", "exclusion") == "not applicable"
    assert label(boy, "army recruit", "exclusion") == "not applicable"
    assert label(WOMAN_58, "alcoholism (drunk at least once a week)", "exclusion") == "not excluded"


def test_investigator_judgement_and_spoken_languages_stay_open() -> None:
    criterion = "Any illness which in the investigator's judgment will interfere with the protocol"
    assert label(WOMAN_58, criterion, "exclusion") == "not enough information"
    assert label(WOMAN_58, "Patient speaks and understands Finnish or Swedish") == "not enough information"


# ------------------------------------------------------------------------------ organ function and vitals
def test_lab_thresholds_compare_values_with_units() -> None:
    labs = note("A 60-year-old man with creatinine of 2.1 mg/dL and a hemoglobin (Hb) of 9.5 g/dL.")
    assert label(labs, "Serum creatinine ≤ 1.5 mg/dL") == "not included"
    assert label(labs, "Serum creatinine ≤ 2.5 mg/dL") == "included"
    assert label(labs, "Haemoglobin < 90 g/L", "exclusion") == "not excluded"
    assert label(labs, "Haemoglobin < 100 g/L", "exclusion") == "excluded"
    wbc = note("A 10 year old child with cough.", "Lab results include WBC 25,000, with 25% eosinophils.")
    assert label(wbc, "WBC > 15000.", "exclusion") == "excluded"


def test_a_missing_value_leaves_the_question_open_unless_labs_are_normal_or_a_disease_is_named() -> None:
    # Inclusion needs the value; a bare lab exclusion too; a named organ disease is judged as a disease.
    assert label(WOMAN_58, "Absolute neutrophil count ≥ 1500/mm3") == "not enough information"
    assert label(WOMAN_58, "WBC < 4000.", "exclusion") == "not enough information"
    assert label(WOMAN_58, "Severe renal impairment (serum creatinine > 3.0 mg/dl)", "exclusion") == (
        "not excluded"
    )
    ckd = note("A 70-year-old man with chronic renal insufficiency.")
    assert label(ckd, "Creatinine clearance < 30 ml/min", "exclusion") == "not enough information"
    # Weight and BMI are never assumed.
    assert label(WOMAN_58, "BMI > 40 kg/m2.", "exclusion") == "not enough information"
    normal = note("A 20 yo woman with fatigue.", "Her laboratory tests are within normal limits.")
    assert label(normal, "Hematocrit < 25", "exclusion") == "not excluded"


def test_vital_sign_criteria_read_values_and_words_like_tachycardic() -> None:
    facts = note("A 40-year-old woman presents with arm pain.", "She is tachypneic and tachycardic.")
    assert label(facts, "Heart rate of at least 90/min;") == "included"
    assert label(facts, "A respiratory rate of at least 20/min") == "included"
    vitals = note("A 10 year old child.", "Vital signs: T: 39.5 C, BP: 90/60 HR: 120/min RR: 40/min.")
    assert label(vitals, "Heart rate below 100/min") == "not included"
    assert label(vitals, "Systolic blood pressure < 100 mm Hg", "exclusion") == "excluded"


# ------------------------------------------------------------------------------- performance and cancer
def test_performance_status_criteria_compare_the_notes_ecog_or_karnofsky_score() -> None:
    ecog1 = note("A 64-year-old man with stage IV lung adenocarcinoma, ECOG 1.")
    assert label(ecog1, "ECOG performance status 0-1") == "included"
    assert label(ecog1, "ECOG performance status of 0") == "not included"
    assert label(ecog1, "ECOG performance status ≥ 2", "exclusion") == "not excluded"
    kps = note("A 64-year-old man with mesothelioma; Karnofsky performance status 60%.")
    assert label(kps, "ECOG 0-1") == "not included"
    assert label(kps, "Karnofsky performance status ≥ 70%") == "not included"
    assert label(WOMAN_58, "ECOG 0-2") == "not enough information"


def test_cancer_type_and_brain_metastases_include_or_exclude_as_the_note_says() -> None:
    luad = note("A 64-year-old man with stage IV lung adenocarcinoma with metastases to the brain and liver.")
    assert label(luad, "Histologically confirmed non-small cell lung cancer") == "included"
    assert label(luad, "Histologically confirmed breast cancer") == "not included"
    assert label(luad, "Known untreated brain metastases", "exclusion") == "excluded"
    no_brain = note("A 60-year-old woman with stage IV breast cancer.", "MRI shows no brain metastases.")
    assert label(no_brain, "Known brain metastases", "exclusion") == "not excluded"
    silent = note("A 60-year-old woman with stage IV breast cancer.")
    assert label(silent, "Known brain metastases", "exclusion") == "not enough information"


# ----------------------------------------------------------------------------------------- robustness
@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), kind=st.sampled_from(["inclusion", "exclusion"]))
def test_any_criterion_text_gets_a_valid_label(text: str, kind: str) -> None:
    verdict = judge(WOMAN_58, text, kind)  # type: ignore[arg-type]
    assert verdict.label in (INCLUSION_LABELS if kind == "inclusion" else EXCLUSION_LABELS)
    assert verdict.evidence is None or verdict.evidence in WOMAN_58.sentences
    assert verdict.reason


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=500))
def test_any_note_can_be_read(text: str) -> None:
    facts = read_note(text)
    assert judge(facts, "Age 18 or older", "inclusion").label in INCLUSION_LABELS


def test_conditional_criteria_apply_only_when_their_condition_holds() -> None:
    transplant = (
        "Recipients who have had a stem cell transplant must be at least 21 days after stem cell infusion"
    )
    assert label(WOMAN_58, transplant) == "not applicable"
    recipient = note("A 50-year-old man who had a stem cell transplant 3 weeks ago has fever.")
    assert label(recipient, transplant) == "not enough information"
    assert label(WOMAN_58, "If male, must agree to use condoms") == "not applicable"
    depression = "If receiving treatment for depression, has not been on a stable dose for at least 4 weeks"
    assert label(WOMAN_58, depression, "exclusion") == "not applicable"


def test_histology_criteria_follow_the_histology_of_the_note() -> None:
    luad = note("A 64-year-old man with stage IV lung adenocarcinoma.")
    assert luad.histologies == {"adenocarcinoma", "non-small-cell", "non-squamous"}
    assert label(luad, "Squamous cell carcinoma of the lung") == "not included"
    assert label(luad, "Non-squamous non-small cell lung cancer") == "included"
    meso = note("A 70-year-old man with sarcomatoid pleural mesothelioma.")
    assert label(meso, "Epithelioid or biphasic pleural mesothelioma") == "not included"


MESO = note(
    "A 67-year-old man with stage IV pleural mesothelioma, epithelioid type.",
    "He progressed after first-line carboplatin and pemetrexed.",
    "ECOG performance status 1. PD-L1 negative. He never smoked.",
)


@pytest.mark.parametrize(
    ("criterion", "kind", "expected"),
    [
        ("Epithelioid histology", "inclusion", "included"),
        ("Sarcomatoid mesothelioma", "inclusion", "not included"),
        ("Stage III or IV disease", "inclusion", "included"),
        ("Stage I-II disease", "inclusion", "not included"),
        ("Unresectable stage I-III pleural mesothelioma", "inclusion", "not included"),
        ("At least one prior line of systemic therapy", "inclusion", "included"),
        ("At least 2 prior lines of therapy", "inclusion", "not included"),
        ("Treatment-naive patients", "inclusion", "not included"),
        ("PD-L1 positive tumor", "inclusion", "not included"),
        ("Current smoker", "exclusion", "not excluded"),
    ],
)
def test_a_mesothelioma_note_is_judged_on_histology_stage_prior_lines_pd_l1_and_smoking(
    criterion: str, kind: str, expected: str
) -> None:
    assert label(MESO, criterion, kind) == expected


def test_lines_of_therapy_read_from_notes() -> None:
    from onconav.trials.verdicts.note import note_prior_lines

    assert note_prior_lines("Newly diagnosed, treatment-naive lung adenocarcinoma.") == 0
    assert note_prior_lines("Progressed on second-line docetaxel.") == 2
    assert note_prior_lines("Now starting second-line therapy.") == 1
    assert note_prior_lines("She received two prior regimens.") == 2
    assert note_prior_lines("Stage IV lung cancer.") is None


def test_plans_and_prognosis_are_not_in_notes() -> None:
    criterion = "Woman planning to deliver outside the research clinic"
    assert label(WOMAN_58, criterion, "exclusion") == "not enough information"
    surgeon = "Patients that according to the surgeon estimates will not survive 24 hours."
    assert label(WOMAN_58, surgeon, "exclusion") == "not enough information"


def test_a_test_done_by_protocol_is_not_consent() -> None:
    criterion = "Negative allergy skin test as performed in the screening protocol."
    assert label(WOMAN_58, criterion) == "not enough information"


def test_reasons_are_translated() -> None:
    from onconav.i18n import get_translations

    spanish = get_translations("es").gettext
    verdict = judge(WOMAN_58, "Clinical diagnosis of hypertension", "inclusion")
    assert verdict.reason == "The note names hypertension."
    assert verdict.localized_reason(spanish) == "La nota nombra hypertension."
    age = judge(WOMAN_58, "Age 25 to 65 years", "inclusion")
    assert age.localized_reason(spanish) == "La edad del paciente está dentro del rango."
    assert age.localized_reason(lambda text: text) == age.reason


def test_a_verdict_from_what_the_note_rules_out_cites_that_sentence() -> None:
    verdict = judge(WOMAN_58, "On calcium channel blockers treatment", "exclusion")
    assert verdict.label == "not excluded"
    assert verdict.evidence == "She currently takes no medications."
    healthy = note("A 31-year-old woman with no previous medical problems has joint pain.")
    assert judge(healthy, "Congenital heart disease", "exclusion").evidence == healthy.sentences[0]


def test_a_refusal_is_not_consent() -> None:
    refusing = read_note("0. A 70-year-old man with dementia.\n1. He is unable to give informed consent.")
    assert refusing.consent_sentence is None
    assert label(refusing, "Signed informed consent") == "not enough information"


# ------------------------------------------------------------------------------ "one or more of" lists
def test_one_alternative_of_an_any_of_list_is_enough() -> None:
    criterion = (
        "Clinical diagnosis of one or more risk factors, such as diabetes, smoking habit, obesity (BMI>25), "
        "chronic heart failure (NYHA II-III)"
    )
    assert label(WOMAN_58, criterion) == "included"  # obesity
    # Without "one or more", the same list is a conjunction with a threshold the note does not give.
    assert label(WOMAN_58, "Diabetes, smoking habit, obesity (BMI>25)") == "not enough information"
    lean = note("A 58-year-old woman with chest pain.", "She denies smoking or diabetes.")
    assert label(lean, criterion) != "included"


# ------------------------------------------------------------------------------------------ onset age
def test_what_begins_after_an_age_not_reached_has_not_happened() -> None:
    child = note("A 4 year old boy presents with wheezing.")
    criterion = "History of episodic wheezing after age of 6 years consistent with asthma"
    assert label(child, criterion) == "not included"
    assert label(child, "Asthma diagnosed after the age of 6", "exclusion") == "not excluded"
    teen = note("A 15 year old boy presents with wheezing.")
    assert label(teen, criterion) != "not included"


# ----------------------------------------------------------------------- what a note cannot tell
def test_screening_results_birth_history_and_complications_of_procedures_not_had() -> None:
    adult = note("A 21-year-old woman with arthralgia.", "Her lab shows anemia.")
    screening = "Positive result on screening for hepatitis B surface antigen or HIV antibodies."
    assert label(adult, screening, "exclusion") == "not enough information"
    assert label(adult, "Failure to pass MRI metal screening", "exclusion") == "not enough information"
    # A time anchored to screening is not a screening test.
    assert (
        label(adult, "Myocardial infarction within 3 months prior to screening", "exclusion")
        == "not excluded"
    )
    known = note("A 40-year-old man with HIV presents with fever.")
    assert label(known, screening, "exclusion") == "excluded"
    infant = note("A 6-month-old male infant has low urine output after surgery.")
    assert label(infant, "Premature birth (<36 weeks gestation)", "exclusion") == "not enough information"
    term = note("A 6-month-old male infant born at term has low urine output after surgery.")
    assert label(term, "Premature birth (<36 weeks gestation)", "exclusion") != "not enough information"
    assert label(adult, "Active acute GVHD grades II-IV", "exclusion") == "not applicable"
    grafted = note("A 40-year-old man had a stem cell transplant in May.")
    assert label(grafted, "Active acute GVHD grades II-IV", "exclusion") == "not excluded"


# ------------------------------------------------------------------- exclusion slack like inclusion
def test_exclusion_forgives_one_word_as_inclusion_does_but_not_beside_a_test_result() -> None:
    lesions = note("A 43-year-old woman visits her dermatologist for lesions on her neck.")
    criterion = "Subjects with visible skin disease, tattoos, skin condition, or abnormal skin color"
    assert label(lesions, criterion) == "included"
    assert label(lesions, criterion, "exclusion") == "excluded"
    # Two words the note does not support are a different thing.
    assert label(lesions, "Ulcerating fungal skin disease", "exclusion") == "not excluded"
    cmv = note("A 62-year-old man has cytomegalovirus pneumonia.")
    assert label(cmv, "CMV seronegative", "exclusion") == "not excluded"
