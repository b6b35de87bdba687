"""Failure classes of issue 13 (round 6), each stated in general terms and tested on notes and criteria
written for these tests: inclusions clearly not met (spread, stage, histology, measurable disease, a
required part ruled out, ages named by a word, illness durations), criteria about situations the patient
is not in (organs of the other sex, conditions on a treatment not received, cohorts for another cancer),
and what stays open.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.answers import Kind

EARLY_BREAST = read_note(
    "Ms K. is a 52-year-old woman with a stage I invasive ductal carcinoma of the left breast, "
    "node-negative, non-metastatic on staging CT. She had a lumpectomy; there is no residual disease. "
    "She has not received chemotherapy."
)
LOCAL_LUNG = read_note(
    "A 61-year-old man has a lung adenocarcinoma confined to the right upper lobe, stage II, with no "
    "distant metastases on PET. He is a former smoker."
)
SPREAD_COLON = read_note(
    "Mr P., 66, has colon adenocarcinoma with multiple liver metastases, stage IV. He progressed after "
    "FOLFOX. A CT scan shows measurable hepatic lesions."
)
STAGE_THREE_LUNG = read_note(
    "A 58-year-old woman has stage IIIA lung adenocarcinoma with mediastinal nodes and no distant metastases."
)
SQUAMOUS_LUNG = read_note(
    "A 70-year-old woman with squamous cell carcinoma of the lung, stage IV, with bone metastases."
)
OLD_WOMAN = read_note(
    "An 81-year-old woman is seen for a fall at home. She lives alone and takes amlodipine for "
    "hypertension. She denies diabetes."
)
YOUNG_MAN = read_note(
    "A 27-year-old man presents with 4 days of sore throat and fever to 38.6 C. He takes no medications "
    "and has never smoked. He denies diabetes."
)
GIRL = read_note("A 7-year-old girl is brought in with 5 days of ear pain and a temperature of 38.2 C.")


@pytest.mark.parametrize(
    ("note", "criterion"),
    [
        (EARLY_BREAST, "Metastatic breast cancer"),
        (EARLY_BREAST, "Locally advanced or metastatic breast carcinoma"),
        (EARLY_BREAST, "Advanced HER2-negative breast cancer"),
        (LOCAL_LUNG, "Metastatic NSCLC"),
        (LOCAL_LUNG, "Stage IV non-small cell lung cancer"),
        (EARLY_BREAST, "At least one measurable lesion by RECIST"),
    ],
)
def test_spread_or_stage_the_note_contradicts_fails_the_inclusion(note, criterion) -> None:
    assert judge(note, criterion, "inclusion").label == "not included"


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        # The spread the note reports meets the requirement.
        (SPREAD_COLON, "Metastatic colorectal cancer", "included"),
        # Measurable lesions reported: the measurable-disease rule has nothing against it.
        (SPREAD_COLON, "Measurable disease per RECIST 1.1", "not enough information"),
        # Stage III without distant spread is locally advanced: no early-stage words, no contradiction.
        (STAGE_THREE_LUNG, "Locally advanced or metastatic NSCLC", "included"),
        # A criterion asking for non-metastatic disease is not the metastatic requirement mirrored.
        (LOCAL_LUNG, "Non-metastatic lung adenocarcinoma", "included"),
    ],
)
def test_spread_rules_do_not_overreach(note, criterion, expected) -> None:
    assert judge(note, criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (LOCAL_LUNG, "Squamous NSCLC", "not included"),
        (LOCAL_LUNG, "Non-squamous non-small cell lung cancer", "included"),
        (SQUAMOUS_LUNG, "Non-squamous NSCLC", "not included"),
        (SQUAMOUS_LUNG, "Adenocarcinoma or squamous cell carcinoma of the lung", "included"),
    ],
)
def test_histologic_complements_exclude_each_other(note, criterion, expected) -> None:
    assert judge(note, criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        (OLD_WOMAN, "Benign prostatic hyperplasia", "exclusion", "not applicable"),
        (OLD_WOMAN, "History of testicular cancer", "exclusion", "not applicable"),
        (YOUNG_MAN, "Endometriosis or uterine fibroids", "exclusion", "not applicable"),
        (YOUNG_MAN, "Abnormal vaginal bleeding", "exclusion", "not applicable"),
        (OLD_WOMAN, "Prostate cancer", "inclusion", "not included"),
        # The breast is not one sex's organ; a relative's prostate cancer is a relative's.
        (OLD_WOMAN, "Prostate or breast cancer", "exclusion", "not excluded"),
        (OLD_WOMAN, "Family history of prostate cancer", "exclusion", "not excluded"),
        # The cervical spine is not the cervix.
        (YOUNG_MAN, "Cervical spine surgery", "exclusion", "not excluded"),
    ],
)
def test_organs_of_the_other_sex(note, criterion, kind: Kind, expected) -> None:
    assert judge(note, criterion, kind).label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (
            YOUNG_MAN,
            "In patients treated with corticosteroids, the dose must have been stable for 2 weeks",
            "not applicable",
        ),
        (
            YOUNG_MAN,
            "In subjects on anticoagulants, INR must be within the therapeutic range",
            "not applicable",
        ),
        (LOCAL_LUNG, "Cohort C: patients with ovarian cancer", "not applicable"),
        (SPREAD_COLON, "Arm 2: colorectal cancer", None),
    ],
)
def test_conditions_and_cohorts_the_patient_is_not_in(note, criterion, expected) -> None:
    label = judge(note, criterion, "inclusion").label
    if expected is None:
        assert label != "not applicable"
    else:
        assert label == expected


def test_a_requirement_for_men_does_not_apply_to_a_woman() -> None:
    assert judge(OLD_WOMAN, "Men who intend to father children during the study", "exclusion").label == (
        "not applicable"
    )
    assert judge(YOUNG_MAN, "Men who intend to father children during the study", "exclusion").label == (
        "not enough information"
    )


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        # Both are required; the note rules one out.
        (YOUNG_MAN, "Type 2 diabetes treated with insulin", "not included"),
        # Alternatives: ruling out one leaves the other open.
        (YOUNG_MAN, "Type 2 diabetes or asthma", "not enough information"),
        (YOUNG_MAN, "Diabetes, hypertension, or obesity", "not enough information"),
    ],
)
def test_a_required_part_the_note_rules_out(note, criterion, expected) -> None:
    assert judge(note, criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (YOUNG_MAN, "Infants with RSV bronchiolitis", "not included"),
        (GIRL, "Neonates admitted to the intensive care unit", "not included"),
        (YOUNG_MAN, "Elderly patients with delirium", "not included"),
        (OLD_WOMAN, "Elderly patients", "included"),
        # "10 pack-years" is a smoking history, not an age.
        (YOUNG_MAN, "Smokers with at least 20 pack-years", "not included"),
    ],
)
def test_ages_named_by_a_word(note, criterion, expected) -> None:
    assert judge(note, criterion, "inclusion").label == expected


def test_pack_years_are_not_an_age() -> None:
    smoker = read_note("A 45-year-old man who smokes one pack a day presents with a cough.")
    assert judge(smoker, "Smokers of 30 pack-years or more", "inclusion").label != "included"


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (YOUNG_MAN, "Onset of symptoms within the past 48 hours", "not included"),
        (YOUNG_MAN, "Enrolled within 72 hours of symptom onset", "not included"),
        (GIRL, "Randomised within 7 days of symptom onset", None),
    ],
)
def test_illness_durations_with_the_limit_first_or_a_last_window(note, criterion, expected) -> None:
    label = judge(note, criterion, "inclusion").label
    if expected is None:
        assert label != "not included"
    else:
        assert label == expected


def test_a_fever_threshold_against_the_measured_temperature() -> None:
    assert judge(GIRL, "Fever of at least 39 C", "inclusion").label == "not included"
    assert judge(YOUNG_MAN, "Fever of at least 38.5 C", "inclusion").label != "not included"


EXPECTING = read_note(
    "A 29-year-old woman, G2P1, at 31 weeks of gestation comes in with a severe headache. Her blood "
    "pressure is 168/110 mmHg and her urine shows 2+ protein."
)
NEWBORN_GIRL = read_note("A 2-day-old girl born at 35 weeks gestation has jaundice.")
NOT_EXPECTING = read_note(
    "A 31-year-old woman; an ultrasound shows no intrauterine pregnancy. She has pelvic pain."
)


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        # The weeks of gestation say the patient is pregnant.
        (EXPECTING, "Pregnancy", "exclusion", "excluded"),
        (EXPECTING, "Pregnant women with hypertension", "inclusion", "included"),
        # Pregnant does not say breast-feeding.
        (EXPECTING, "Breast-feeding women", "exclusion", "not enough information"),
        # A birth is the baby's history; a negated pregnancy is none.
        (NEWBORN_GIRL, "Pregnancy", "exclusion", "not applicable"),
        (NOT_EXPECTING, "Current pregnancy", "exclusion", "not excluded"),
    ],
)
def test_a_gestational_age_is_a_pregnancy_now(note, criterion, kind: Kind, expected) -> None:
    assert judge(note, criterion, kind).label == expected


@pytest.mark.parametrize(
    ("criterion", "kind", "expected"),
    [
        ("Gestational age from 28 to 34 weeks", "inclusion", "included"),
        ("Between 20 and 26 weeks of gestation", "inclusion", "not included"),
        ("At least 34 completed weeks of gestation", "inclusion", "not included"),
        ("Gestational age below 24 weeks", "exclusion", "not excluded"),
        ("Gestation beyond 30 weeks", "exclusion", "excluded"),
        # The weeks are the pregnancy's age, never the woman's (29 is inside 20-34 years too).
        ("Gestational age 36 to 40 weeks", "inclusion", "not included"),
    ],
)
def test_gestational_age_limits(criterion, kind: Kind, expected) -> None:
    assert judge(EXPECTING, criterion, kind).label == expected


def test_a_gestational_limit_with_other_requirements_is_not_met_by_the_weeks_alone() -> None:
    verdict = judge(EXPECTING, "Twin pregnancy with fetal anaemia before 34 weeks of gestation", "inclusion")
    assert verdict.reason != "The note gives the weeks of pregnancy."


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("Systolic blood pressure of 160 mmHg or more", "included"),
        ("Diastolic blood pressure 90 mmHg or less", "not included"),
    ],
)
def test_a_comparator_after_the_value(criterion, expected) -> None:
    assert judge(EXPECTING, criterion, "inclusion").label == expected


HEART_ATTACK = read_note(
    "A 61-year-old man arrives 2 hours after the onset of severe chest pain radiating to the left arm. "
    "The ECG shows ST elevation in the anterior leads."
)
FORGETFUL = read_note(
    "A 74-year-old man has had trouble remembering appointments for a year. His MMSE is 21/30. "
    "Haemoglobin 13.1 g/dL."
)
RASH = read_note("A 4-year-old girl has had fever for 6 days with red eyes and cracked lips.")


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        # Only the time is asked, and the note's duration is inside it.
        (HEART_ATTACK, "Onset of symptoms within 6 hours", "included"),
        (HEART_ATTACK, "Enrolment within 12 hours of chest pain onset", "included"),
        (RASH, "Fever for at least 5 days", "included"),
        (RASH, "Fever for at least 7 days", "not included"),
        # More than the time is asked: the duration alone does not include.
        (RASH, "Fever for at least 5 days with cervical lymphadenopathy", "not enough information"),
    ],
)
def test_a_duration_inside_the_limit_includes_when_only_the_time_is_asked(note, criterion, expected) -> None:
    assert judge(note, criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("MMSE score between 12 and 24", "included"),
        ("Mini-Mental State Examination of 24 or more", "not included"),
        ("Haemoglobin 9 to 12 g/dL", "not included"),
        ("Haemoglobin between 10 and 15 g/dL", "included"),
    ],
)
def test_a_range_of_values_is_both_limits(criterion, expected) -> None:
    assert judge(FORGETFUL, criterion, "inclusion").label == expected


ON_THE_PILL = read_note(
    "A 24-year-old woman has had shortness of breath since yesterday. She takes an oral contraceptive "
    "pill and does not smoke."
)
WITH_COPPER_IUD = read_note("A 33-year-old woman with a copper intrauterine device has lower back pain.")
STOPPED_PILL = read_note("A 27-year-old woman stopped her birth control pills last year; she has acne.")


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        (ON_THE_PILL, "Current use of estrogen-containing hormonal contraception", "exclusion", "excluded"),
        (
            ON_THE_PILL,
            "Sexually active women must use a reliable method of contraception",
            "inclusion",
            "included",
        ),
        (
            ON_THE_PILL,
            "Women of childbearing potential without effective contraception",
            "exclusion",
            "not excluded",
        ),
        # A copper device is contraception, not hormonal contraception.
        (WITH_COPPER_IUD, "Use of hormonal contraception", "exclusion", "not excluded"),
        # A method stopped is not used: the pregnancy rule keeps it open.
        (STOPPED_PILL, "Use of hormonal contraception", "exclusion", "not enough information"),
    ],
)
def test_contraception_the_note_names(note, criterion, kind: Kind, expected) -> None:
    assert judge(note, criterion, kind).label == expected


RHEUMATOID = read_note(
    "A 46-year-old woman with rheumatoid arthritis diagnosed three years ago takes methotrexate weekly."
)


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("Meets the 2010 ACR/EULAR classification criteria for rheumatoid arthritis", "included"),
        ("Fulfils at least 6 of the classification criteria for rheumatoid arthritis", "included"),
        # Criteria for another disease are not met by this one.
        ("Meets the revised criteria for ankylosing spondylitis", "not enough information"),
        # The criteria words are forgiven, not the other requirements.
        ("Rheumatoid arthritis with at least 6 swollen joints", "not enough information"),
    ],
)
def test_a_diagnosis_by_its_classification_criteria_is_the_diagnosis(criterion, expected) -> None:
    assert judge(RHEUMATOID, criterion, "inclusion").label == expected


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (YOUNG_MAN, "Postmenopausal women receiving hormone therapy", "not applicable"),
        (YOUNG_MAN, "Female patients with a history of eclampsia", "not applicable"),
        (YOUNG_MAN, "Abnormal Pap smear in the last year", "not applicable"),
        (OLD_WOMAN, "Men with a PSA above 10 ng/mL", "not applicable"),
        (OLD_WOMAN, "PSA above 10 ng/mL", "not applicable"),
        # Both sexes named: the rest of the criterion decides.
        (OLD_WOMAN, "Men or women with uncontrolled hypertension", "not excluded"),
    ],
)
def test_an_exclusion_about_the_other_sex_does_not_apply(note, criterion, expected) -> None:
    assert judge(note, criterion, "exclusion").label == expected
