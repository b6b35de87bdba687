"""Round 9 (issue 13): diagnoses a note establishes by their findings without naming them, and three
readings that answered from part of a criterion. Every note and criterion here is our own phrasing."""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

PNEUMONIA = (
    "0. A 45-year-old man presents with three days of fever, productive cough and right-sided pleuritic "
    "chest pain.\n"
    "1. Temperature is 39.1 C and oxygen saturation 91% on room air.\n"
    "2. Chest X-ray shows right lower lobe consolidation.\n"
    "3. He is admitted to the medical ward."
)
CLEAR_FILM = (
    "0. A 45-year-old man presents with three days of fever and dry cough.\n"
    "1. Chest X-ray shows no consolidation or effusion."
)
STEMI = (
    "0. A 60-year-old man presents with crushing substernal chest pain for two hours.\n"
    "1. ECG shows ST elevation in leads II, III and aVF."
)
STRESS_CARDIOMYOPATHY = (
    "0. A 70-year-old woman has sudden chest pain after hearing bad news.\n"
    "1. ECG shows ST-segment elevation in V2 to V4.\n"
    "2. Coronary angiography shows no significant stenosis."
)
TROPONIN = (
    "0. A 66-year-old woman has had chest pressure since this morning.\n"
    "1. Her ECG is nonspecific and troponin I is elevated at 1.2 ng/mL."
)
NEGATIVE_TROPONIN = (
    "0. A 66-year-old woman has had chest pressure since this morning.\n1. Troponin was negative twice."
)
KETOACIDOSIS = (
    "0. A 19-year-old woman with type 1 diabetes presents with vomiting and abdominal pain.\n"
    "1. Glucose is 540 mg/dL and bicarbonate 8 mEq/L.\n"
    "2. Urine ketones are strongly positive."
)
HIGH_SUGAR_ONLY = (
    "0. A 58-year-old man with type 2 diabetes reports thirst.\n"
    "1. Glucose is 320 mg/dL, bicarbonate 25 mEq/L, and urine ketones are negative."
)
PREECLAMPSIA = (
    "0. A 30-year-old woman at 32 weeks of gestation presents with headache.\n"
    "1. Blood pressure is 158/104 mmHg and urine protein is 3+."
)
PREGNANT_NORMAL_PRESSURE = (
    "0. A 30-year-old woman at 32 weeks of gestation presents with headache.\n"
    "1. Blood pressure is 118/72 mmHg and urine protein is 3+."
)
EAR = (
    "0. A 3-year-old girl has had ear pain and fever for two days.\n"
    "1. Otoscopy shows a red, bulging left tympanic membrane."
)
APPENDIX = (
    "0. A 12-year-old boy has periumbilical pain that moved to the right lower quadrant.\n"
    "1. Ultrasound shows a non-compressible appendix measuring 9 mm."
)
NORMAL_APPENDIX = (
    "0. A 12-year-old boy has right lower quadrant pain.\n1. On ultrasound the appendix was normal."
)
URINE = (
    "0. A 26-year-old woman reports burning with urination and urinary frequency for two days.\n"
    "1. Urinalysis is positive for leukocyte esterase and nitrites."
)
PANCREAS = (
    "0. A 47-year-old man drinks heavily and has epigastric pain radiating to his back.\n"
    "1. Lipase is elevated at 1,450 U/L."
)
NAMED_OTHERWISE = (
    "0. A 45-year-old man has fever and cough.\n"
    "1. A chest film shows a right lower lobe consolidation that proved to be a mass, not pneumonia."
)


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # Pneumonia from a consolidation with fever or cough; a film without one implies nothing.
        (PNEUMONIA, "Radiographically confirmed pneumonia", "inclusion", "included"),
        (PNEUMONIA, "Pneumonia", "exclusion", "excluded"),
        (CLEAR_FILM, "Radiographically confirmed pneumonia", "inclusion", "not enough information"),
        (CLEAR_FILM, "Pneumonia", "exclusion", "not excluded"),
        # A pneumonia of unknown origin is not a hospital-acquired one.
        (PNEUMONIA, "Hospital-acquired pneumonia", "exclusion", "not excluded"),
        # The note naming the diagnosis in another sense is left to that mention.
        (NAMED_OTHERWISE, "Pneumonia", "exclusion", "not excluded"),
        # ST elevation with chest pain; normal coronary arteries take it back.
        (STEMI, "Acute ST-elevation myocardial infarction", "inclusion", "included"),
        (STEMI, "Myocardial infarction", "inclusion", "included"),
        (STRESS_CARDIOMYOPATHY, "Myocardial infarction", "inclusion", "not enough information"),
        (TROPONIN, "Acute myocardial infarction", "inclusion", "included"),
        (NEGATIVE_TROPONIN, "Acute myocardial infarction", "inclusion", "not enough information"),
        # Ketoacidosis needs the diabetes, the glucose and ketones or a low bicarbonate.
        (KETOACIDOSIS, "Diabetic ketoacidosis", "inclusion", "included"),
        (HIGH_SUGAR_ONLY, "Diabetic ketoacidosis", "exclusion", "not excluded"),
        # Preeclampsia needs the pregnancy, the pressure and the protein.
        (PREECLAMPSIA, "Preeclampsia", "inclusion", "included"),
        (PREGNANT_NORMAL_PRESSURE, "Preeclampsia", "inclusion", "not enough information"),
        (EAR, "Acute otitis media", "inclusion", "included"),
        (APPENDIX, "Acute appendicitis", "inclusion", "included"),
        (NORMAL_APPENDIX, "Acute appendicitis", "inclusion", "not enough information"),
        (URINE, "Urinary tract infection", "inclusion", "included"),
        (PANCREAS, "Acute pancreatitis", "inclusion", "included"),
    ],
)
def test_diagnoses_established_by_findings(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected  # type: ignore[arg-type]


def test_an_implied_diagnosis_points_at_its_key_finding() -> None:
    verdict = judge(read_note(PNEUMONIA), "Community-acquired or other pneumonia", "inclusion")
    assert verdict.label == "included"
    assert verdict.evidence is not None and "consolidation" in verdict.evidence


CHILD_WITH_FEVER = (
    "0. A 4-year-old boy has had a fever of 39.5 C and ear pain for two days.\n1. He is otherwise healthy."
)
CHEST_PAIN_STEMI = STEMI


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # The age of "afebrile children" is not all it asks: the temperature decides.
        (CHILD_WITH_FEVER, "Afebrile children", "inclusion", "not included"),
        (CHILD_WITH_FEVER, "Children aged 2 to 6 years", "inclusion", "included"),
        # "Stable angina without an acute coronary syndrome" asks for the angina too: silence on both is
        # not a pass.
        (
            "0. A 50-year-old man has a rash on his forearm.",
            "Stable angina without acute coronary syndrome",
            "inclusion",
            "not enough information",
        ),
        (CHEST_PAIN_STEMI, "No diabetes", "inclusion", "included"),
    ],
)
def test_criteria_asking_more_than_one_thing(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected  # type: ignore[arg-type]


SMOKER_ON_WARFARIN = (
    "0. A 67-year-old man with COPD presents with a week of worse breathlessness.\n"
    "1. He is allergic to amoxicillin, which gave him hives.\n"
    "2. He takes warfarin for atrial fibrillation.\n"
    "3. He has a 45 pack-year smoking history and still smokes."
)
LIVER = (
    "0. A 41-year-old woman living with HIV takes antiretroviral therapy.\n"
    "1. She has cirrhosis from chronic hepatitis C."
)
HEPARIN_ONLY = "0. A 70-year-old woman after hip replacement receives enoxaparin injections for prophylaxis."


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # An allergy to a member of the class the criterion names.
        (SMOKER_ON_WARFARIN, "Known allergy to penicillin or other beta-lactams", "exclusion", "excluded"),
        (SMOKER_ON_WARFARIN, "Allergy to macrolides", "exclusion", "not excluded"),
        (LIVER, "Known allergy to penicillin", "exclusion", "not excluded"),
        # Warfarin is an oral anticoagulant; enoxaparin is an anticoagulant, not an oral one.
        (SMOKER_ON_WARFARIN, "Use of oral anticoagulants", "exclusion", "excluded"),
        (SMOKER_ON_WARFARIN, "Current anticoagulation", "exclusion", "excluded"),
        (HEPARIN_ONLY, "Current anticoagulation", "exclusion", "excluded"),
        (HEPARIN_ONLY, "Use of oral anticoagulants", "exclusion", "not excluded"),
        # Cirrhosis is a chronic liver disease; a patient with HIV is HIV-positive.
        (LIVER, "Chronic liver disease", "exclusion", "excluded"),
        (LIVER, "HIV-positive patients", "exclusion", "excluded"),
        (LIVER, "Hepatitis B or C infection", "exclusion", "excluded"),
        (LIVER, "No hepatitis B/C", "inclusion", "not included"),
        (SMOKER_ON_WARFARIN, "Hepatitis B or C infection", "exclusion", "not excluded"),
        # Pack-years against a floor or a ceiling.
        (SMOKER_ON_WARFARIN, "At least 20 pack-years of smoking", "inclusion", "included"),
        (SMOKER_ON_WARFARIN, "Smoking history of 50 pack-years or more", "inclusion", "not included"),
        (SMOKER_ON_WARFARIN, "Smokers with less than 10 pack-years", "inclusion", "not included"),
        (LIVER, "At least 20 pack-years of smoking", "inclusion", "not enough information"),
        # Wheeze after a cold in an infant is bronchiolitis; in a school child it is not implied.
        (
            "0. A 7-month-old boy has had a runny nose for 3 days and is now wheezing.",
            "Infants with bronchiolitis",
            "inclusion",
            "included",
        ),
        (
            "0. A 9-year-old boy has had a runny nose for 3 days and is now wheezing.",
            "Bronchiolitis",
            "inclusion",
            "not enough information",
        ),
    ],
)
def test_medicines_infections_and_exposures(note: str, criterion: str, kind: str, expected: str) -> None:
    assert judge(read_note(note), criterion, kind).label == expected  # type: ignore[arg-type]


IN_FIBRILLATION = (
    "0. A 72-year-old woman with atrial fibrillation and type 2 diabetes is admitted with breathlessness."
)
WITH_TWINS = "0. A 28-year-old woman, G3P2, at 30 weeks with a twin pregnancy presents with contractions."
WITH_HIV = "0. A 35-year-old man with HIV on antiretrovirals and chronic hepatitis B presents with cough."
SILENT_MAN = "0. A 35-year-old man presents with cough."


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # A state the criterion requires, ruled out by a condition the note affirms; silence decides nothing.
        (IN_FIBRILLATION, "Patients in sinus rhythm", "inclusion", "not included"),
        (SILENT_MAN, "Patients in sinus rhythm", "inclusion", "not enough information"),
        (WITH_TWINS, "Singleton pregnancy", "inclusion", "not included"),
        (WITH_TWINS, "Multiple gestation", "exclusion", "excluded"),
        (WITH_HIV, "HIV-negative men aged 18-45", "inclusion", "not included"),
        (WITH_HIV, "Negative HIV test", "inclusion", "not included"),
        (WITH_HIV, "Hepatitis B surface antigen negative", "inclusion", "not included"),
        (WITH_HIV, "Immunocompetent adults", "inclusion", "not included"),
        (SILENT_MAN, "Negative HIV test", "inclusion", "not enough information"),
        (SILENT_MAN, "HIV-negative men aged 18-45", "inclusion", "included"),
        # "At 30 weeks" in a pregnancy is the weeks of gestation.
        (WITH_TWINS, "Gestational age between 24 and 34 weeks", "inclusion", "included"),
        (WITH_TWINS, "Gestational age of less than 28 weeks", "inclusion", "not included"),
        # Cystic fibrosis is a chronic lung disease.
        (
            "0. A 6-year-old boy with cystic fibrosis is admitted with fever and productive cough.",
            "Chronic lung disease",
            "exclusion",
            "excluded",
        ),
    ],
)
def test_states_ruled_out_by_what_the_note_affirms(
    note: str, criterion: str, kind: str, expected: str
) -> None:
    assert judge(read_note(note), criterion, kind).label == expected  # type: ignore[arg-type]


def test_a_ruled_out_state_names_what_rules_it_out() -> None:
    verdict = judge(read_note(IN_FIBRILLATION), "Patients in sinus rhythm", "inclusion")
    assert verdict.reason == "The note names atrial fibrillation, which rules this out."
    assert verdict.evidence is not None and "atrial fibrillation" in verdict.evidence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Pneumonia was ruled out.", "negated"),
        ("A pleural effusion is not seen.", "negated"),
        ("Pneumonia is unlikely.", "uncertain"),
        ("A pulmonary embolism was suspected.", "uncertain"),
        ("The pneumonia was not treated.", "affirmed"),
        ("Pneumonia was diagnosed.", "affirmed"),
    ],
)
def test_a_verdict_closing_the_clause_sets_the_context(sentence: str, expected: str) -> None:
    note = read_note(f"0. A 45-year-old man has a cough.\n1. {sentence}")
    assert [m.polarity for m in note.mentions if m.sentence == 1 and m.concept != "ct-scan"] == [expected]


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        # A range with its unit after both ends.
        (
            "0. A 60-year-old man with diabetes has an HbA1c of 6.1%.",
            "HbA1c between 7% and 10%",
            "not included",
        ),
        ("0. A 60-year-old man with diabetes has an HbA1c of 8.4%.", "HbA1c between 7% and 10%", "included"),
        # The CD4 count; a CD4 percentage is another measure.
        ("0. A man with HIV has a CD4 count of 150.", "CD4 count below 200 cells/mm3", "included"),
        (
            "0. A man with HIV has a CD4 count of 480 cells/mm3.",
            "CD4 count below 200 cells/mm3",
            "not included",
        ),
        ("0. A man with HIV. CD4 is 12%.", "CD4 count below 200 cells/mm3", "not enough information"),
    ],
)
def test_ranges_and_counts(note: str, criterion: str, expected: str) -> None:
    assert judge(read_note(note), criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (
            "0. A 30-year-old hiker has a bull's-eye rash on his thigh after a tick bite.",
            "Lyme disease",
            "included",
        ),
        ("0. A 30-year-old hiker has no rash after a tick bite.", "Lyme disease", "not enough information"),
        ("0. A 3-year-old unvaccinated girl has fever, cough and Koplik spots.", "Measles", "included"),
        (
            "0. A 35-year-old woman has hilar lymphadenopathy; biopsy shows noncaseating granulomas.",
            "Pulmonary sarcoidosis",
            "included",
        ),
    ],
)
def test_signs_that_name_a_disease(note: str, criterion: str, expected: str) -> None:
    assert judge(read_note(note), criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("labs", "hypo", "hyper"),
    [
        ("TSH is elevated and free T4 low.", "included", "not included"),
        ("TSH of 24 with a low free T4.", "included", "not included"),
        ("TSH is suppressed and free T4 is elevated.", "not included", "included"),
        ("TSH is elevated; free T4 is normal.", "not enough information", "not enough information"),
    ],
)
def test_thyroid_function_that_names_the_disease(labs: str, hypo: str, hyper: str) -> None:
    note = read_note(f"0. A 45-year-old woman has fatigue.\n1. {labs}")
    assert judge(note, "Hypothyroidism", "inclusion").label == hypo
    assert judge(note, "Hyperthyroidism", "inclusion").label == hyper


@pytest.mark.parametrize(
    ("value", "criterion", "expected"),
    [
        # Creatinine in µmol/L against a limit in mg/dL, and the other way round.
        ("Creatinine is 110 umol/L.", "Serum creatinine ≤ 1.5 mg/dL", "included"),
        ("Creatinine is 250 µmol/L.", "Serum creatinine ≤ 1.5 mg/dL", "not included"),
        ("Creatinine is 3.1 mg/dL.", "Creatinine ≤ 133 µmol/L", "not included"),
        ("Creatinine is 1.2 mg/dL.", "Creatinine ≤ 133 µmol/L", "included"),
    ],
)
def test_creatinine_in_either_unit(value: str, criterion: str, expected: str) -> None:
    assert judge(read_note(f"0. A 60-year-old man.\n1. {value}"), criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "short", "long"),
    [
        (
            "0. A 52-year-old man presents with a two-week history of productive cough.",
            "not included",
            "included",
        ),
        ("0. A 52-year-old man has had a productive cough for 3 days.", "included", "not included"),
    ],
)
def test_how_long_symptoms_have_lasted_is_in_the_note(note: str, short: str, long: str) -> None:
    """A symptom's duration is not the time since a diagnosis: notes give it."""
    assert judge(read_note(note), "Duration of symptoms less than 7 days", "inclusion").label == short
    assert judge(read_note(note), "Symptom duration of at least 10 days", "inclusion").label == long


@pytest.mark.parametrize(
    "film",
    [
        "Chest X-ray: a right lower lobe consolidation is not seen.",
        "The film shows no consolidation or effusion.",
        "His brother had a lobar consolidation last winter.",
    ],
)
def test_a_finding_is_read_in_the_notes_shared_context(film: str) -> None:
    """A finding denied after it, or a relative's, establishes nothing (findings use `text.polarity`)."""
    note = read_note(f"0. A 45-year-old man has fever and a productive cough.\n1. {film}")
    assert judge(note, "Pneumonia", "inclusion").label != "included"
