"""The failure classes of issue 13, each on notes and criteria written for these tests (not taken from the
labelled data): cancer types through OncoTree, receptors versus mutations, unreported tests, situations the
patient is not in, lists governed by their parent, and reasons that name what decided them.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import Verdict, judge, read_note
from onconav.trials.verdicts.lists import judge_items

HER2_POSITIVE = read_note(
    "Mrs K., 51, was found to have an invasive ductal carcinoma in the right breast. Receptors: ER 90%, "
    "PR 40%, HER2 3+ by IHC (HER2 positive). CT shows two liver lesions consistent with metastases."
)
TRIPLE_NEGATIVE = read_note(
    "A 44-year-old woman with triple negative breast cancer, metastatic to the lungs, after two lines of "
    "chemotherapy."
)
THYROID = read_note(
    "A 63-year-old man treated for papillary thyroid carcinoma with thyroidectomy and radioactive iodine, "
    "now with lung metastases. He has no other illnesses."
)
LUNG_EGFR = read_note(
    "65-year-old man, never smoker, lung adenocarcinoma stage IV with an EGFR exon 19 deletion, on "
    "osimertinib."
)


def verdict(note: object, text: str, kind: str = "inclusion") -> Verdict:
    return judge(note, text, kind)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ cancer types (OncoTree)
@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        (HER2_POSITIVE, "Histologically or cytologically confirmed advanced solid tumour", "included"),
        (THYROID, "Patients with a solid malignancy that has progressed on standard therapy", "included"),
        (THYROID, "Well differentiated thyroid cancer, refractory to radioiodine", "included"),
        (THYROID, "Confirmed diagnosis of NSCLC", "not included"),
        (THYROID, "Anaplastic thyroid carcinoma", "not included"),
        (LUNG_EGFR, "Histologically confirmed non-small cell lung cancer", "included"),
        (LUNG_EGFR, "Small-cell lung carcinoma, extensive stage", "not included"),
        (HER2_POSITIVE, "Pathologically confirmed carcinoma of the breast", "included"),
    ],
)
def test_cancer_types_relate_through_the_oncotree_hierarchy(
    note: object, criterion: str, expected: str
) -> None:
    assert verdict(note, criterion).label == expected


def test_breast_cancer_criteria_with_receptors_exclude_the_other_subtype() -> None:
    tnbc_trial = "Documented triple-negative breast cancer (ER-negative, PR-negative and HER2-negative)"
    assert verdict(HER2_POSITIVE, tnbc_trial).label == "not included"
    assert verdict(TRIPLE_NEGATIVE, tnbc_trial).label == "included"
    her2_trial = "HER2-positive metastatic breast cancer"
    assert verdict(TRIPLE_NEGATIVE, her2_trial).label == "not included"
    assert verdict(HER2_POSITIVE, her2_trial).label == "included"
    assert verdict(HER2_POSITIVE, "Hormone receptor positive disease").label == "included"


# ------------------------------------------------------------------- receptor status versus mutation
def test_a_her2_positive_receptor_status_is_not_a_her2_mutation() -> None:
    found = verdict(HER2_POSITIVE, "Tumour harbouring an activating ERBB2 (HER2) mutation")
    assert found.label == "not enough information"
    assert "receptor status" in found.reason and "mutation" in found.reason
    # An HER2-negative tumour may still carry an HER2 mutation: the note does not settle it either.
    assert verdict(TRIPLE_NEGATIVE, "HER2 exon 20 insertion").label == "not enough information"
    # An amplification is read with the receptor status: negative means not amplified.
    assert (
        verdict(TRIPLE_NEGATIVE, "HER2 gene amplification by in situ hybridisation").label == "not included"
    )


# ---------------------------------------------------------------------- tests the note does not report
@pytest.mark.parametrize(
    "criterion",
    [
        "Hepatitis B core antibody negative",
        "Negative serology for hepatitis C",
        "HIV-1 antibody negative at screening",
        "Serum creatinine no more than 1.5 times the upper limit of normal",
        "QTcF below 470 ms on the screening ECG",
    ],
)
def test_a_test_the_note_does_not_report_is_never_met(criterion: str) -> None:
    for note in (HER2_POSITIVE, THYROID, LUNG_EGFR):
        assert verdict(note, criterion).label == "not enough information"


# ------------------------------------------------------------------ situations the patient is not in
def test_a_criterion_for_the_other_sex_does_not_apply() -> None:
    assert verdict(TRIPLE_NEGATIVE, "Men must use a condom during the study").label == "not applicable"
    assert verdict(THYROID, "Women of childbearing potential need a negative pregnancy test").label == (
        "not applicable"
    )


def test_a_criterion_for_another_cancer_arm_does_not_apply() -> None:
    found = verdict(THYROID, "For patients with NSCLC: documented EGFR mutation")
    assert found.label == "not applicable"
    assert verdict(LUNG_EGFR, "For patients with NSCLC: documented EGFR mutation").label != "not applicable"


def test_a_condition_on_a_treatment_never_received_does_not_apply() -> None:
    found = verdict(
        THYROID, "Patients who received an allogeneic stem cell transplant must be off immunosuppression"
    )
    assert found.label == "not applicable"


# ----------------------------------------------------------------------------- metastatic sites
def test_metastases_at_one_site_are_not_metastases_at_another() -> None:
    assert verdict(THYROID, "Known cardiac metastases", "exclusion").label == "not excluded"
    assert verdict(THYROID, "Lung metastases", "exclusion").label == "excluded"
    assert verdict(HER2_POSITIVE, "Bone metastases", "inclusion").label == "not enough information"


# ------------------------------------------------------------------------ lists governed by their parent
def test_a_must_not_have_parent_governs_its_children() -> None:
    items = [
        ("inclusion", "Age 18 or older", 0),
        ("inclusion", "Participants must not have any of the following:", 0),
        ("inclusion", "Cardiac metastases", 1),
        ("inclusion", "Lung metastases", 1),
    ]
    found = judge_items(THYROID, items, judge)  # type: ignore[arg-type]
    assert [v.label for v in found] == ["included", "not included", "included", "not included"]
    assert "Lung metastases" in found[1].reason


def test_any_of_and_all_of_lists_combine_their_children() -> None:
    any_of = [
        ("inclusion", "At least one of the following:", 0),
        ("inclusion", "Squamous cell carcinoma of the head and neck", 1),
        ("inclusion", "Papillary thyroid cancer", 1),
    ]
    assert judge_items(THYROID, any_of, judge)[0].label == "included"  # type: ignore[arg-type]
    all_of = [
        ("inclusion", "All of the following:", 0),
        ("inclusion", "Papillary thyroid cancer", 1),
        ("inclusion", "Female", 1),
    ]
    assert judge_items(THYROID, all_of, judge)[0].label == "not included"  # type: ignore[arg-type]
    exclusion_list = [
        ("exclusion", "Any of the following conditions:", 0),
        ("exclusion", "Brain metastases", 1),
        ("exclusion", "Lung metastases", 1),
    ]
    assert judge_items(THYROID, exclusion_list, judge)[0].label == "excluded"  # type: ignore[arg-type]


# ---------------------------------------------------------------------- reasons name what decided them
def test_reasons_name_what_in_the_note_decided() -> None:
    found = verdict(THYROID, "Confirmed diagnosis of NSCLC")
    assert "Papillary Thyroid Cancer" in found.reason and "Non-Small Cell Lung Cancer" in found.reason
    assert found.evidence is not None and "papillary thyroid" in found.evidence
    found = verdict(HER2_POSITIVE, "Triple-negative breast cancer")
    assert "HER2" in found.reason or "ER" in found.reason
    assert found.label == "not included"


# ------------------------------------------------------------- populations the patient is not part of
ADULT_MAN = read_note(
    "A 52-year-old man with community-acquired pneumonia. He has no other illnesses and takes no medicines."
)
OLDER_WOMAN = read_note("A 66-year-old woman is seen for tiredness and low mood over three weeks.")
YOUNG_WOMAN = read_note("A 31-year-old woman is seen for recurrent headaches.")


def test_requirements_for_children_or_a_treatment_not_taken_do_not_apply() -> None:
    assert verdict(ADULT_MAN, "Children must be accompanied by a legal guardian").label == "not applicable"
    assert verdict(ADULT_MAN, "In minors: history of febrile convulsions", "exclusion").label == (
        "not applicable"
    )
    assert verdict(ADULT_MAN, "Patients taking warfarin must have a stable INR").label == "not applicable"
    assert verdict(ADULT_MAN, "For asthmatic patients, FEV1 above 60% predicted").label == "not applicable"


def test_menopausal_status_comes_from_the_note_or_an_age_that_settles_it() -> None:
    assert verdict(OLDER_WOMAN, "Post-menopausal women").label == "included"
    assert verdict(OLDER_WOMAN, "Premenopausal women").label == "not included"
    assert verdict(YOUNG_WOMAN, "Premenopausal women").label == "included"
    assert verdict(YOUNG_WOMAN, "Postmenopausal women").label == "not included"
    middle = read_note("A 48-year-old woman with joint pain.")
    assert verdict(middle, "Postmenopausal women").label == "not enough information"


def test_taking_medicine_by_mouth_is_ruled_out_only_by_the_note() -> None:
    assert verdict(ADULT_MAN, "Able to swallow oral medication").label == "not enough information"
    vomiting = read_note("A 70-year-old woman admitted with persistent vomiting after chemotherapy.")
    assert verdict(vomiting, "Ability to take and retain oral tablets").label == "not enough information"
    ventilated = read_note("A 58-year-old man, intubated in the ICU after cardiac arrest.")
    assert verdict(ventilated, "Able to swallow oral medication").label == "not included"


def test_a_chronic_disease_getting_worse_is_an_acute_exacerbation() -> None:
    worse = read_note(
        "A 70-year-old woman with known COPD on tiotropium was admitted with three days of worsening "
        "breathlessness and green sputum."
    )
    stable = read_note(
        "A 70-year-old woman with known COPD, stable on tiotropium, seen for a routine review."
    )
    criterion = "Inpatients with an acute exacerbation of chronic obstructive pulmonary disease"
    assert verdict(worse, criterion).label == "included"
    assert verdict(stable, criterion).label == "not enough information"


def test_a_pain_score_criterion_reads_the_score_or_the_words_for_the_pain() -> None:
    criterion = "Pain of at least 4/10 on a numeric rating scale"
    assert verdict(read_note("A 40-year-old man with acute low back pain rated 7/10."), criterion).label == (
        "included"
    )
    assert verdict(read_note("A 40-year-old man with back pain, 2 out of 10."), criterion).label == (
        "not included"
    )
    assert verdict(
        read_note("A 35-year-old woman with severe abdominal pain since noon."), criterion
    ).label == ("included")
    assert verdict(read_note("A 35-year-old woman with a cough; no severe pain."), criterion).label == (
        "not enough information"
    )


# ------------------------------------------------------------------ prognosis, scores, dates, procedures
NEW_SYMPTOMS = read_note(
    "A 52-year-old man comes to clinic with three weeks of a dry cough and night sweats. He has no known "
    "illnesses. The patient will provide informed consent, and will comply with the trial protocol."
)


@pytest.mark.parametrize(
    "criterion",
    ["Patient judged to be in a moribund state", "Any comorbidity expected to shorten overall survival"],
)
def test_a_prognosis_exclusion_is_not_known_from_a_note(criterion: str) -> None:
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"


def test_a_clinical_score_the_note_does_not_report_is_not_known() -> None:
    criterion = "Charlson comorbidity score greater than 5"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"
    scored = read_note("A 52-year-old man with a cough. His Charlson comorbidity score is 2.")
    assert verdict(scored, criterion, "exclusion").label != "not enough information"


def test_time_since_diagnosis_needs_a_dated_diagnosis() -> None:
    criterion = "Disease diagnosed within the past 6 months"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"
    dated = read_note("A 52-year-old man with asthma, diagnosed 10 years ago, now with a cough.")
    assert verdict(dated, criterion, "exclusion").label != "not enough information"


def test_failing_to_give_a_study_sample_is_a_step_not_yet_reached() -> None:
    criterion = "Refusal to provide a saliva sample for the study"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not applicable"


def test_a_situation_after_a_procedure_the_patient_never_had_does_not_apply() -> None:
    criterion = "Restenosis within 3 months after coronary stenting"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not applicable"
    stented = read_note("A 66-year-old man who had coronary stenting in March now has chest pain on effort.")
    assert verdict(stented, criterion, "exclusion").label != "not applicable"


def test_a_past_treatment_asked_of_a_patient_never_treated_is_not_met() -> None:
    criterion = "Patients who have previously received bisphosphonates"
    assert verdict(NEW_SYMPTOMS, criterion).label == "not included"
    treated = read_note("A 70-year-old woman with osteoporosis takes calcium and vitamin D daily.")
    assert verdict(treated, criterion).label == "not enough information"


def test_ties_to_the_study_staff_are_not_in_a_note() -> None:
    criterion = "Spouses or dependants of employees of the sponsor"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"


def test_a_finding_on_an_examination_the_note_does_not_report_is_not_known() -> None:
    criterion = "Abdominal ultrasound showing gallstones or a dilated bile duct"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"
    examined = read_note("A 45-year-old woman; abdominal ultrasound was normal. No other findings.")
    assert verdict(examined, criterion, "exclusion").label == "not excluded"


def test_an_examination_reported_under_another_name_is_not_unknown() -> None:
    criterion = "Chest radiograph showing a lobar consolidation"
    clear = read_note("A 30-year-old man with a sore throat; his chest x-ray was clear.")
    assert verdict(clear, criterion, "exclusion").label == "not excluded"
    assert verdict(NEW_SYMPTOMS, criterion, "exclusion").label == "not enough information"


def test_a_score_reported_without_the_word_score_is_reported() -> None:
    criterion = "Mini-mental MMSE score below 20"
    unreported = read_note("A 74-year-old woman with memory complaints for a year.")
    assert verdict(unreported, criterion, "exclusion").label == "not enough information"
    reported = read_note("A 74-year-old woman with memory complaints; MMSE 27/30.")
    assert verdict(reported, criterion, "exclusion").label == "not excluded"
