"""Round 10: what a note says of a treatment's course, and whose illness it tells, in notes and criteria
written for these tests.

1. A treatment the patient declined, refused, deferred or opted against, that was not offered, not given,
   withheld or contraindicated, was not received: a prior-treatment criterion is not met by it.
2. A treatment the patient is off, stopped, discontinued, came off or no longer takes was taken and is not
   current: a criterion about current use is not met, one about prior use is, and a window is judged by
   the date of the stop.
3. A relative named beside the illness ("whose wife had gestational diabetes", "breast cancer in her mother
   and sister", "a sister with lupus") owns it: the patient's own criteria are not met, a family history is.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

BREAST = "A 52-year-old woman with stage II hormone receptor-positive breast cancer after lumpectomy."
PROSTATE = "A 68-year-old man with localized prostate adenocarcinoma, Gleason 7."
RECTAL = "A 74-year-old man with a locally advanced rectal adenocarcinoma."
EPILEPSY = "A 40-year-old woman with juvenile myoclonic epilepsy, seizure-free since her twenties."
CARDIAC = "A 71-year-old man with atrial fibrillation and hypertension."


def _label(note_text: str, criterion: str, kind: str) -> str:
    return judge(read_note(note_text), criterion, kind).label  # type: ignore[arg-type]


# 1. Declined, refused, deferred, not given: not received

DECLINED = [
    (f"{BREAST} She declined adjuvant chemotherapy.", "Prior chemotherapy", "inclusion", "not included"),
    (
        f"{BREAST} She declined adjuvant chemotherapy.",
        "Prior chemotherapy for breast cancer",
        "exclusion",
        "not excluded",
    ),
    (f"{PROSTATE} He refused radiotherapy.", "Prior radiotherapy", "exclusion", "not excluded"),
    (f"{PROSTATE} He refused radiotherapy.", "Previous radiation therapy", "inclusion", "not included"),
    (f"{RECTAL} He declined surgery.", "Previous surgery", "inclusion", "not included"),
    (f"{RECTAL} He declined surgery.", "Prior surgery", "exclusion", "not excluded"),
    (
        f"{BREAST} Adjuvant chemotherapy was offered but she declined.",
        "Prior chemotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{BREAST} She was offered chemotherapy but declined.",
        "Prior systemic chemotherapy",
        "inclusion",
        "not included",
    ),
    (
        f"{RECTAL} Surgery was deferred because of his cardiac status.",
        "Prior surgery",
        "inclusion",
        "not included",
    ),
    (f"{PROSTATE} Radiotherapy was not given.", "Prior radiotherapy", "exclusion", "not excluded"),
    (
        f"{BREAST} She opted against chemotherapy after discussing the risks.",
        "Prior chemotherapy",
        "inclusion",
        "not included",
    ),
    (f"{PROSTATE} He decided against radiotherapy.", "Prior radiotherapy", "exclusion", "not excluded"),
    (
        f"{BREAST} Chemotherapy was not offered given her frailty.",
        "Prior chemotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} Anticoagulation was withheld after a gastrointestinal bleed.",
        "Current anticoagulant therapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} Anticoagulation is contraindicated because of recurrent falls.",
        "Current anticoagulant therapy",
        "exclusion",
        "not excluded",
    ),
    (
        "A 45-year-old Jehovah's Witness with menorrhagia and anaemia who refuses blood transfusion.",
        "Prior blood transfusion",
        "exclusion",
        "not excluded",
    ),
    (f"{RECTAL} He refused to undergo surgery.", "Previous surgery", "inclusion", "not included"),
    (
        f"{BREAST} The patient declined both chemotherapy and radiotherapy.",
        "Prior radiotherapy",
        "inclusion",
        "not included",
    ),
    (
        f"{BREAST} Chemotherapy was recommended; she refused.",
        "Prior chemotherapy",
        "inclusion",
        "not included",
    ),
    (
        f"{BREAST} She was offered radiotherapy, which she declined.",
        "Prior radiotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{RECTAL} Surgery was not feasible because of his comorbidities.",
        "Prior surgery",
        "inclusion",
        "not included",
    ),
    (f"{PROSTATE} Radiotherapy is not indicated.", "Prior radiotherapy", "exclusion", "not excluded"),
    (
        f"{PROSTATE} He underwent a prostatectomy instead of radiotherapy.",
        "Prior radiotherapy",
        "exclusion",
        "not excluded",
    ),
    # an operation named by its suffix, declined
    (
        "A 58-year-old woman with ductal carcinoma in situ who declined mastectomy.",
        "Prior breast surgery",
        "exclusion",
        "not excluded",
    ),
    # a criterion asking for the refusal itself
    (f"{RECTAL} He declined surgery.", "Patients who refuse surgery", "inclusion", "included"),
    (f"{RECTAL} He declined surgery.", "Patients who refuse surgery", "exclusion", "excluded"),
    (RECTAL, "Patients who refuse surgery", "inclusion", "not enough information"),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), DECLINED)
def test_a_declined_treatment_was_not_received(note: str, criterion: str, kind: str, label: str) -> None:
    assert _label(note, criterion, kind) == label


KEPT = [
    # declining *further* treatment says some was had
    (
        f"{RECTAL} He refused further chemotherapy after four cycles of FOLFOX.",
        "Prior chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{BREAST} She declined radiotherapy but received four cycles of chemotherapy.",
        "Prior chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{BREAST} She declined radiotherapy but received four cycles of chemotherapy.",
        "Prior radiotherapy",
        "inclusion",
        "not included",
    ),
    (
        f"{BREAST} She was offered chemotherapy but declined radiotherapy.",
        "Prior radiotherapy",
        "inclusion",
        "not included",
    ),
    (
        f"{BREAST} She completed six cycles of adjuvant chemotherapy.",
        "Prior chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{BREAST} She completed six cycles of adjuvant chemotherapy.",
        "Prior chemotherapy",
        "exclusion",
        "excluded",
    ),
    (f"{BREAST} No prior chemotherapy.", "Prior chemotherapy", "inclusion", "not included"),
    (
        f"{PROSTATE} He underwent a prostatectomy instead of radiotherapy.",
        "Prior surgery",
        "exclusion",
        "excluded",
    ),
    (
        f"{BREAST} Her appetite declined and chemotherapy was stopped.",
        "Prior chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{BREAST} She declined chemotherapy and started tamoxifen.",
        "Treatment with tamoxifen",
        "exclusion",
        "excluded",
    ),
    # a count that fell is not a treatment declined
    (
        f"{RECTAL} His platelet count declined to 90 during chemotherapy.",
        "Prior chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{RECTAL} His performance status declined after chemotherapy.",
        "Prior chemotherapy",
        "exclusion",
        "excluded",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), KEPT)
def test_treatments_received_still_count(note: str, criterion: str, kind: str, label: str) -> None:
    assert _label(note, criterion, kind) == label


def test_a_declined_test_leaves_its_result_open() -> None:
    note = "A 36-year-old man with weight loss and oral thrush who refused HIV testing."
    assert _label(note, "HIV infection", "exclusion") == "not enough information"
    later = "A 36-year-old man with weight loss and oral thrush. HIV testing was declined."
    assert _label(later, "HIV infection", "exclusion") == "not enough information"


def test_a_list_of_declined_tests_and_treatments() -> None:
    note = "A 70-year-old man with COPD who declined HIV screening and influenza vaccination this season."
    assert _label(note, "Prior influenza vaccination", "exclusion") == "not excluded"
    assert _label(note, "HIV infection", "exclusion") == "not enough information"


# 2. Off, stopped, discontinued: taken before, not now

STOPPED = [
    (
        f"{EPILEPSY} She has been off antiepileptic drugs for two years.",
        "Current use of antiepileptic drugs",
        "exclusion",
        "not excluded",
    ),
    (
        f"{EPILEPSY} She has been off antiepileptic drugs for two years.",
        "Currently taking an antiepileptic drug",
        "inclusion",
        "not included",
    ),
    (
        f"{EPILEPSY} She has been off antiepileptic drugs for two years.",
        "Prior use of antiepileptic drugs",
        "inclusion",
        "included",
    ),
    (
        f"{EPILEPSY} She came off valproate when planning a pregnancy.",
        "Current use of antiepileptic drugs",
        "exclusion",
        "not excluded",
    ),
    (
        f"{EPILEPSY} She was weaned off levetiracetam last year.",
        "Patients currently on levetiracetam",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} He stopped taking warfarin last year.",
        "Currently taking warfarin",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} Atorvastatin was discontinued because of myalgia.",
        "Current statin therapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} Atorvastatin was discontinued because of myalgia.",
        "Previous treatment with a statin",
        "inclusion",
        "included",
    ),
    (
        f"{CARDIAC} Previously on warfarin, now on apixaban.",
        "Current use of warfarin",
        "exclusion",
        "not excluded",
    ),
    (
        f"{CARDIAC} Previously on warfarin, now on apixaban.",
        "Current use of apixaban",
        "exclusion",
        "excluded",
    ),
    (
        f"{CARDIAC} Previously on warfarin, now on apixaban.",
        "Current use of anticoagulants",
        "exclusion",
        "excluded",
    ),
    (
        f"{CARDIAC} He was switched from warfarin to apixaban in 2021.",
        "Current use of warfarin",
        "exclusion",
        "not excluded",
    ),
    (
        "A 50-year-old woman with bipolar disorder who no longer takes lithium.",
        "Current lithium therapy",
        "exclusion",
        "not excluded",
    ),
    (
        "A 50-year-old woman with bipolar disorder who no longer takes lithium.",
        "History of lithium use",
        "inclusion",
        "included",
    ),
    (
        "A 58-year-old man with type 2 diabetes. Metformin was held before the contrast study.",
        "Current use of metformin",
        "exclusion",
        "not excluded",
    ),
    (
        "A 63-year-old woman with asthma. Prednisone was tapered off last month.",
        "Current systemic corticosteroid use",
        "exclusion",
        "not excluded",
    ),
    (
        "A 66-year-old man with rheumatoid arthritis. He discontinued methotrexate in the spring.",
        "Patients on methotrexate",
        "exclusion",
        "not excluded",
    ),
]


STOPPED += [
    (
        f"{BREAST} Her appetite declined and chemotherapy was stopped.",
        "Currently receiving chemotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        f"{BREAST} She completed six cycles of adjuvant chemotherapy in 2019.",
        "Currently receiving chemotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        "A 68-year-old man with lung adenocarcinoma who refused further chemotherapy after four cycles of "
        "carboplatin and pemetrexed.",
        "Currently receiving chemotherapy",
        "exclusion",
        "not excluded",
    ),
    (
        "A 68-year-old man with lung adenocarcinoma who refused further chemotherapy after four cycles of "
        "carboplatin and pemetrexed.",
        "Prior platinum-based chemotherapy",
        "inclusion",
        "included",
    ),
    (
        f"{EPILEPSY} She has been off antiepileptic drugs for two years.",
        "No current use of antiepileptic drugs",
        "inclusion",
        "included",
    ),
    (
        f"{CARDIAC} He is no longer on warfarin.",
        "Current use of warfarin",
        "exclusion",
        "not excluded",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), STOPPED)
def test_a_stopped_treatment_is_not_current(note: str, criterion: str, kind: str, label: str) -> None:
    assert _label(note, criterion, kind) == label


WINDOWS = [
    (
        "A 63-year-old woman with asthma. She has been off prednisone for 6 months.",
        "Systemic corticosteroids within 30 days before enrolment",
        "not excluded",
    ),
    (
        "A 63-year-old woman with asthma. She has been off prednisone for 10 days.",
        "Systemic corticosteroids within 30 days before enrolment",
        "excluded",
    ),
    (
        f"{CARDIAC} He was on warfarin, stopped 3 months ago.",
        "Warfarin within 4 weeks before randomization",
        "not excluded",
    ),
    (
        f"{CARDIAC} He was on warfarin, stopped 5 days ago.",
        "Warfarin within 4 weeks before randomization",
        "excluded",
    ),
]


ASTHMA = "A 63-year-old woman with asthma."
STEROIDS_30_DAYS = "Systemic corticosteroids within 30 days before enrolment"
WINDOWS += [
    (f"{ASTHMA} Prednisone was stopped last week.", STEROIDS_30_DAYS, "excluded"),
    (f"{ASTHMA} Prednisone was stopped last year.", STEROIDS_30_DAYS, "not excluded"),
    # between one month and two ago: the window of 30 days may or may not hold it
    (f"{ASTHMA} Prednisone was stopped last month.", STEROIDS_30_DAYS, "not enough information"),
    # stopped, the note does not say when
    (f"{ASTHMA} Prednisone was tapered off.", STEROIDS_30_DAYS, "not enough information"),
    # an earlier course stopped, another taken now
    (
        f"{ASTHMA} Prednisone was stopped last year. She now takes prednisolone 5 mg daily.",
        STEROIDS_30_DAYS,
        "excluded",
    ),
    (
        "A 62-year-old man with focal epilepsy. He stopped carbamazepine last month.",
        "Treatment with carbamazepine within 6 months",
        "excluded",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "label"), WINDOWS)
def test_a_stop_dated_before_the_window_is_outside_it(note: str, criterion: str, label: str) -> None:
    assert _label(note, criterion, "exclusion") == label


CURRENT = [
    ("A 33-year-old man with focal epilepsy on levetiracetam 500 mg twice daily.", "exclusion", "excluded"),
    ("A 33-year-old man with focal epilepsy who takes lamotrigine.", "exclusion", "excluded"),
    ("A 33-year-old man with focal epilepsy who takes lamotrigine.", "inclusion", "included"),
]


GOES_ON = [
    (f"{BREAST} She is receiving weekly paclitaxel.", "Currently receiving chemotherapy"),
    ("A 63-year-old woman with asthma. Prednisone is being tapered.", "Current systemic corticosteroid use"),
    (
        "A 58-year-old man with type 2 diabetes. Metformin was held and then restarted.",
        "Current use of metformin",
    ),
    ("A 60-year-old man with follicular lymphoma on off-label rituximab.", "Current rituximab use"),
    (f"{EPILEPSY} She takes lamotrigine.", "Current use of antiepileptic drugs"),
]


@pytest.mark.parametrize(("note", "criterion"), GOES_ON)
def test_a_treatment_that_goes_on_is_current(note: str, criterion: str) -> None:
    assert _label(note, criterion, "exclusion") == "excluded"
    assert _label(note, f"No {criterion[0].lower()}{criterion[1:]}", "inclusion") == "not included"


@pytest.mark.parametrize(("note", "kind", "label"), CURRENT)
def test_a_medicine_named_as_taken_is_current(note: str, kind: str, label: str) -> None:
    criterion = "Current use of antiepileptic drugs"
    assert _label(note, criterion, kind) == label


def test_stopping_one_medicine_leaves_the_next_current() -> None:
    note = "A 58-year-old man with type 2 diabetes who stopped metformin and started insulin glargine."
    assert _label(note, "Current use of insulin", "exclusion") == "excluded"
    assert _label(note, "Current use of metformin", "exclusion") == "not excluded"


# 3. A relative named beside the illness

PATIENT_CRITERIA = [
    (
        "A 32-year-old man whose wife had gestational diabetes presents with fatigue.",
        "Diabetes",
        "exclusion",
        "not excluded",
    ),
    (
        "A 32-year-old man whose wife had gestational diabetes presents with fatigue.",
        "Diabetes mellitus",
        "inclusion",
        "not enough information",
    ),
    (
        "A 32-year-old man presents with fatigue. There is gestational diabetes in his wife.",
        "Diabetes",
        "exclusion",
        "not excluded",
    ),
    (
        "A 45-year-old woman with a breast lump. There is breast cancer in her mother and sister.",
        "History of breast cancer",
        "exclusion",
        "not excluded",
    ),
    (
        "A 30-year-old woman with joint pain and a sister with lupus.",
        "Systemic lupus erythematosus",
        "exclusion",
        "not excluded",
    ),
    (
        "A 56-year-old man with chest pain. He has a brother who had a stroke at 50.",
        "History of stroke",
        "exclusion",
        "not excluded",
    ),
    (
        "A 48-year-old woman with rectal bleeding. Colon cancer in two maternal aunts.",
        "Colorectal cancer",
        "exclusion",
        "not excluded",
    ),
    (
        "A 61-year-old man with memory complaints. He lives with his wife, who has dementia.",
        "Dementia",
        "exclusion",
        "not excluded",
    ),
    (
        "A 27-year-old woman with palpitations whose mother has epilepsy.",
        "Epilepsy",
        "exclusion",
        "not excluded",
    ),
    (
        "A 3-week-old boy born to a mother with gestational diabetes presents with poor feeding.",
        "Diabetes",
        "exclusion",
        "not excluded",
    ),
    (
        "A 39-year-old woman with fatigue. Hypothyroidism runs in the family.",
        "Hypothyroidism",
        "exclusion",
        "not excluded",
    ),
    (
        "A 34-year-old woman with headaches. Migraine (mother and maternal aunt).",
        "Migraine",
        "exclusion",
        "not excluded",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), PATIENT_CRITERIA)
def test_a_relatives_illness_is_not_the_patients(note: str, criterion: str, kind: str, label: str) -> None:
    assert _label(note, criterion, kind) == label


FAMILY_CRITERIA = [
    (
        "A 45-year-old woman with a breast lump. There is breast cancer in her mother and sister.",
        "Family history of breast cancer",
        "included",
    ),
    ("A 30-year-old woman with joint pain and a sister with lupus.", "Family history of lupus", "included"),
    (
        "A 48-year-old woman with rectal bleeding. Colon cancer in two maternal aunts.",
        "Family history of colon cancer",
        "included",
    ),
    (
        "A 39-year-old woman with fatigue. Type 2 diabetes in her father.",
        "Family history of diabetes",
        "included",
    ),
    (
        "A 60-year-old woman with fatigue. Her mother died of ovarian cancer.",
        "Family history of ovarian cancer",
        "included",
    ),
    (
        "A 60-year-old woman with bloating. Family history is negative.",
        "Family history of ovarian cancer",
        "not included",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "label"), FAMILY_CRITERIA)
def test_a_relatives_illness_is_a_family_history(note: str, criterion: str, label: str) -> None:
    assert _label(note, criterion, "inclusion") == label


OWN = [
    # the patient's own illness beside a relative's
    ("A 55-year-old woman with type 2 diabetes; her mother also had diabetes.", "Diabetes", "excluded"),
    ("A 4-year-old boy is brought by his mother with fever and cough.", "Fever", "excluded"),
    ("A 4-year-old girl brought in by her mother with a rash and fever.", "Fever", "excluded"),
    (
        "A 50-year-old man with chest pain. His father's myocardial infarction at 52.",
        "Myocardial infarction",
        "not excluded",
    ),
    (
        "A 45-year-old woman whose mother had breast cancer presents with a lump; biopsy shows invasive "
        "ductal carcinoma.",
        "Breast cancer",
        "excluded",
    ),
    (
        "A 29-year-old woman with lupus nephritis; her sister has asthma.",
        "Systemic lupus erythematosus",
        "excluded",
    ),
]


@pytest.mark.parametrize(("note", "criterion", "label"), OWN)
def test_the_patients_own_illness_still_counts(note: str, criterion: str, label: str) -> None:
    assert _label(note, criterion, "exclusion") == label


def test_every_cue_passes_the_cheap_word_test() -> None:
    """The sentence-level word test before the walks lets through every sentence a cue could be in."""
    from onconav.trials.verdicts import refusals

    for cue in (*refusals.REFUSED_BEFORE, *refusals.STOPPED_BEFORE):
        assert set(cue) & refusals._CUE_WORDS, cue


def test_the_reasons_say_declined_and_stopped() -> None:
    note = read_note(f"{BREAST} She declined adjuvant chemotherapy.")
    declined = judge(note, "Prior chemotherapy", "inclusion")
    assert declined.reason == "The note says chemotherapy was declined or not given."
    assert declined.evidence == "She declined adjuvant chemotherapy."
    note = read_note(f"{CARDIAC} Previously on warfarin, now on apixaban.")
    stopped = judge(note, "Current use of warfarin", "exclusion")
    assert stopped.reason == "The note says warfarin was stopped; this criterion asks about current use."
    assert stopped.evidence == "Previously on warfarin, now on apixaban."
