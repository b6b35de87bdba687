"""Round 9: what a note implies but never names, on notes and criteria written for these tests (none taken
from the labelled data): an acute exacerbation of a chronic disease, pain intensity from words, trauma
from the injury described, the onset window from the note's own durations, and healthy volunteers.
Each class has guard cases that must not change.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

NEI = "not enough information"

# ------------------------------------------------------------------------------------------- notes
COPD_FLARE_ADMITTED = (
    "A 71-year-old retired welder with COPD on tiotropium comes to the emergency department with five days "
    "of increasing breathlessness and more sputum than usual, now yellow-green. He is admitted to the "
    "respiratory ward."
)
COPD_FLARE_CLINIC = (
    "A 66-year-old woman with chronic obstructive pulmonary disease is seen by her family doctor. For the "
    "past four days she has been more short of breath and her cough has become worse."
)
COPD_TWO_SENTENCES = (
    "Mr T. is 59 and has emphysema diagnosed eight years ago. Over the last three days his dyspnea has "
    "worsened markedly and he now wheezes at rest."
)
COPD_STABLE = (
    "A 68-year-old man with COPD attends his yearly review. His breathing is unchanged, he walks his dog "
    "daily and has had no flare since last winter."
)
COPD_SLOW_DECLINE = (
    "A 74-year-old woman with COPD reports progressively worsening exertional dyspnea over the past two "
    "years."
)
COPD_DENIES = (
    "A 63-year-old man with COPD presents for a medication refill. He denies worsening cough or increased "
    "sputum."
)
COPD_OTHER_WORSENING = (
    "A 70-year-old man with COPD presents with three days of worsening right lower quadrant abdominal pain."
)
COPD_NEW_SYMPTOMS = (
    "A 69-year-old man with emphysema on home oxygen. Five days before admission he developed a productive "
    "cough with purulent sputum and difficulty breathing."
)
COPD_CHRONIC_COUGH = (
    "A 72-year-old woman with COPD has had a cough every morning for the past 10 years and breathlessness "
    "that is worse on exertion."
)
ASTHMA_COLD = "A 22-year-old man with mild asthma has had a fever and a cough for 2 days."
ASTHMA_FLARE = (
    "A 19-year-old student with asthma since childhood has had increasing wheeze and chest tightness for "
    "two days despite using her salbutamol inhaler every few hours."
)
HEART_FAILURE_FLARE = (
    "A 77-year-old man with known congestive heart failure presents with a week of progressively worse "
    "shortness of breath, needing three pillows to sleep, and swollen ankles. He is hospitalised."
)
HEART_FAILURE_STABLE = (
    "An 80-year-old woman with heart failure is seen in clinic for follow-up. She is euvolemic and her "
    "symptoms are stable on her current regimen."
)

PAIN_EXCRUCIATING = "A 38-year-old man presents with excruciating left flank pain radiating to the groin."
PAIN_WORST = "A 52-year-old woman describes the worst headache of her life, which began an hour ago."
PAIN_TEN = "A 29-year-old woman reports lower abdominal pain that she rates 10/10."
PAIN_TEN_BEFORE = "A 45-year-old man reports 9/10 crushing chest pain."
PAIN_MILD = "A 33-year-old man has mild knee pain after a long hike."
PAIN_MODERATE = "A 60-year-old woman has moderate low back pain."
PAIN_DENIED = "A 41-year-old woman with a cough denies severe pain anywhere."

TRAUMA_MVC = (
    "A 24-year-old man is brought to the emergency department after a high-speed motor vehicle collision. "
    "He is tachycardic and has a distended abdomen. He is admitted to the trauma ICU."
)
TRAUMA_BICYCLE = (
    "A 16-year-old boy was riding his bicycle when he was hit by a car. He arrives by ambulance with a "
    "deformed left thigh."
)
TRAUMA_FALL = "A 47-year-old roofer fell from a height of about 6 metres onto concrete and is brought in."
TRAUMA_GUNSHOT = "A 31-year-old man presents with a gunshot wound to the left chest."
TRAUMA_OLD = (
    "A 55-year-old man with type 2 diabetes presents with a foot ulcer. He had a motor vehicle accident "
    "20 years ago."
)
TRAUMA_RELATIVE = (
    "A 44-year-old woman presents with insomnia and low mood since her husband died in a car crash."
)
FLU_SHOT = "A 66-year-old woman with hypertension got a flu shot in the clinic and now has a sore arm."
TRAUMA_DENIED = "A 35-year-old woman with neck pain. She denies any fall or motor vehicle accident."

ONSET_TWO_WEEKS = "A 34-year-old man has had fever and a sore throat for 2 weeks."
ONSET_THIS_MORNING = "A 34-year-old man has had fever and a sore throat since this morning."
ONSET_SIX_HOURS = "A 34-year-old man has had fever and a sore throat for 6 hours."
ONSET_YESTERDAY = "A 34-year-old man has had fever and a sore throat since yesterday."
ONSET_BEGAN_AGO = "A 27-year-old woman comes in because her cough and fever started 4 days ago."
ONSET_OLD_DIAGNOSIS = "A 61-year-old man diagnosed with diabetes 10 years ago presents with a red, hot knee."

SICK = (
    "A 57-year-old man presents to the emergency department with crushing chest pain. An ECG shows an "
    "acute anterior myocardial infarction."
)
WELL_VISIT = "A 26-year-old woman comes in for a routine pre-employment physical examination."
CANCER_FOLLOW_UP = (
    "A 58-year-old woman had a lumpectomy for stage II ductal carcinoma of the breast last year."
)
PRENATAL_VISIT = (
    "A 30-year-old woman at 20 weeks' gestation comes for a routine prenatal visit with her partner."
)


def label(note: str, criterion: str, kind: str = "inclusion") -> str:
    return judge(read_note(note), criterion, kind).label  # type: ignore[arg-type]


# ------------------------------------------------------------------------ 1. acute exacerbation
@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (COPD_FLARE_ADMITTED, "Patients hospitalized with an acute exacerbation of COPD", "included"),
        (COPD_FLARE_ADMITTED, "Acute exacerbation of chronic obstructive pulmonary disease", "included"),
        (COPD_FLARE_CLINIC, "Acute exacerbation of COPD", "included"),
        (COPD_FLARE_CLINIC, "Patients hospitalized with an acute exacerbation of COPD", NEI),
        (COPD_TWO_SENTENCES, "Current COPD exacerbation", "included"),
        (COPD_NEW_SYMPTOMS, "Hospitalised patients with an acute exacerbation of COPD", "included"),
        (ASTHMA_FLARE, "Acute asthma exacerbation", "included"),
        (HEART_FAILURE_FLARE, "Acute decompensated heart failure", "included"),
        (HEART_FAILURE_FLARE, "Hospitalized for acute decompensated heart failure", "included"),
        # guards: no exacerbation without the worsening of that disease's symptoms, now
        (COPD_STABLE, "Acute exacerbation of COPD", NEI),
        (COPD_SLOW_DECLINE, "Acute exacerbation of COPD", NEI),
        (COPD_DENIES, "Acute exacerbation of COPD", NEI),
        (COPD_CHRONIC_COUGH, "Acute exacerbation of COPD", NEI),
        (COPD_OTHER_WORSENING, "Acute exacerbation of COPD", NEI),
        (HEART_FAILURE_STABLE, "Acute decompensated heart failure", NEI),
        (ASTHMA_COLD, "Acute asthma exacerbation", NEI),
        # the chronic disease itself is still named
        (COPD_STABLE, "Diagnosis of COPD", "included"),
        (COPD_FLARE_CLINIC, "Diagnosis of COPD", "included"),
    ],
)
def test_acute_exacerbation_of_a_chronic_disease(note: str, criterion: str, expected: str) -> None:
    assert label(note, criterion) == expected


def test_an_exacerbation_excludes_and_a_stable_disease_does_not() -> None:
    assert label(COPD_FLARE_CLINIC, "COPD exacerbation", "exclusion") == "excluded"
    assert label(COPD_STABLE, "COPD exacerbation", "exclusion") == "not excluded"


def test_the_exacerbation_stands_in_the_sentence_that_describes_it() -> None:
    verdict = judge(read_note(COPD_TWO_SENTENCES), "Acute exacerbation of COPD", "inclusion")
    assert verdict.evidence is not None and "worsened" in verdict.evidence


# ------------------------------------------------------------------------ 2. pain intensity from words
@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (PAIN_EXCRUCIATING, "Pain score of at least 4/10", "included"),
        (PAIN_EXCRUCIATING, "Moderate to severe pain", "included"),
        (PAIN_WORST, "Pain intensity ≥ 4 on a 0-10 numeric rating scale", "included"),
        (PAIN_WORST, "Moderate or severe pain", "included"),
        (PAIN_TEN, "Moderate to severe pain", "included"),
        (PAIN_TEN_BEFORE, "Pain score ≥ 5/10", "included"),
        (PAIN_MODERATE, "Moderate to severe pain", "included"),
        # guards: mild pain is under 4, moderate under 7; denied pain says nothing
        (PAIN_MILD, "Pain score of at least 4/10", "not included"),
        (PAIN_MILD, "Moderate to severe pain", "not included"),
        (PAIN_MILD, "Pain score ≥ 2/10", NEI),
        (PAIN_MODERATE, "Severe pain (NRS ≥ 7/10)", "not included"),
        (PAIN_DENIED, "Moderate to severe pain", NEI),
        (SICK, "Pain score of at least 4/10", NEI),
    ],
)
def test_pain_intensity_from_words(note: str, criterion: str, expected: str) -> None:
    assert label(note, criterion) == expected


def test_pain_words_beside_another_requirement_do_not_settle_it() -> None:
    # the knee surgery is not in the note: the pain words alone do not include
    assert label(PAIN_EXCRUCIATING, "Moderate to severe pain after knee replacement surgery") != "included"


# ------------------------------------------------------------------------ 3. trauma
@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (TRAUMA_MVC, "Trauma patients", "included"),
        (TRAUMA_MVC, "Injured patients admitted to hospital", "included"),
        (TRAUMA_BICYCLE, "Trauma patients", "included"),
        (TRAUMA_FALL, "Adult trauma patients", "included"),
        (TRAUMA_GUNSHOT, "Patients with traumatic injuries", "included"),
        # guards: an injury score is never inferred; an old, a relative's or a denied accident is no trauma
        (TRAUMA_GUNSHOT, "Injury Severity Score (ISS) > 15", NEI),
        (TRAUMA_MVC, "Injury Severity Score of 16 or more", NEI),
        (TRAUMA_OLD, "Trauma patients", NEI),
        (TRAUMA_RELATIVE, "Trauma patients", NEI),
        (TRAUMA_DENIED, "Trauma patients", NEI),
        (SICK, "Trauma patients", NEI),
        (FLU_SHOT, "Trauma patients", NEI),
    ],
)
def test_trauma_from_the_injury_described(note: str, criterion: str, expected: str) -> None:
    assert label(note, criterion) == expected


def test_trauma_is_not_a_head_injury() -> None:
    # a collision is trauma, not a traumatic brain injury the note does not report
    assert label(TRAUMA_MVC, "History of traumatic brain injury", "exclusion") == "not excluded"
    assert label(TRAUMA_MVC, "Major trauma", "exclusion") == "excluded"


# ------------------------------------------------------------------------ 4. onset windows
@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (ONSET_TWO_WEEKS, "Symptom onset within 48 hours", "not included"),
        (ONSET_TWO_WEEKS, "Less than 72 hours of symptoms", "not included"),
        (ONSET_THIS_MORNING, "Symptom onset within 48 hours", "included"),
        (ONSET_THIS_MORNING, "Less than 72 hours of symptoms", "included"),
        (ONSET_SIX_HOURS, "Symptom onset within 48 hours", "included"),
        (ONSET_YESTERDAY, "Less than 72 hours of symptoms", "included"),
        # guard: "since yesterday" may be more or less than 12 hours
        (ONSET_YESTERDAY, "Symptom onset within the last 12 hours", NEI),
        (ONSET_THIS_MORNING, "Symptoms for at least 3 days", "not included"),
        (ONSET_BEGAN_AGO, "Symptom onset within 48 hours", "not included"),
        (ONSET_BEGAN_AGO, "Symptoms for less than 7 days", "included"),
        # guard: the date of a diagnosis is not the onset of the presenting illness
        (ONSET_OLD_DIAGNOSIS, "Symptom onset within 48 hours", NEI),
    ],
)
def test_onset_windows_from_note_durations(note: str, criterion: str, expected: str) -> None:
    assert label(note, criterion) == expected


# ------------------------------------------------------------------------ 5. healthy volunteers
@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        (SICK, "Healthy volunteers", "inclusion", "not included"),
        (SICK, "Healthy subjects aged 18 to 65 years", "inclusion", "not included"),
        (TRAUMA_GUNSHOT, "Healthy adult volunteers", "inclusion", "not included"),
        (SICK, "Healthy volunteers", "exclusion", "not excluded"),
        # guards: a well person stays open; "otherwise healthy" and mixed populations are not this
        (CANCER_FOLLOW_UP, "Healthy volunteers", "inclusion", "not included"),
        (WELL_VISIT, "Healthy volunteers", "inclusion", NEI),
        (PRENATAL_VISIT, "Healthy volunteers", "inclusion", NEI),
        (SICK, "Healthy volunteers or patients with coronary artery disease", "inclusion", "included"),
        (COPD_FLARE_CLINIC, "Otherwise healthy adults with COPD", "inclusion", "included"),
    ],
)
def test_healthy_volunteers(note: str, criterion: str, kind: str, expected: str) -> None:
    assert label(note, criterion, kind) == expected
