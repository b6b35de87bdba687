"""Criteria as real cancer trials write them, against notes of our own (round 8): childbearing potential
in inclusion criteria, and hysterectomy and oophorectomy as operations a note names.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

MAN = read_note("0. A 64-year-old man has metastatic colorectal cancer.\n1. ECOG 1.")
YOUNG_WOMAN = read_note("0. A 38-year-old woman has triple-negative breast cancer.\n1. ECOG 0.")
POSTMENOPAUSAL = read_note("0. A 49-year-old postmenopausal woman has ER-positive breast cancer.")
HYSTERECTOMY = read_note(
    "0. A 45-year-old woman has endometrial cancer.\n1. She underwent a total abdominal hysterectomy."
)
OOPHORECTOMY = read_note(
    "0. A 47-year-old woman carries a BRCA1 mutation.\n"
    "1. She had a bilateral salpingo-oophorectomy three years ago and now has breast cancer."
)
WOCBP = "Women of childbearing potential must have a negative pregnancy test and agree to use contraception"


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (MAN, WOCBP, "not applicable"),
        (
            MAN,
            "Female patients of childbearing potential must have a negative serum pregnancy test",
            "not applicable",
        ),
        (MAN, "WOCBP must agree to use two forms of contraception", "not applicable"),
        (POSTMENOPAUSAL, WOCBP, "not applicable"),
        (HYSTERECTOMY, WOCBP, "not applicable"),
        (OOPHORECTOMY, WOCBP, "not applicable"),
        (YOUNG_WOMAN, WOCBP, "not enough information"),
        (
            YOUNG_WOMAN,
            "Patients of childbearing potential must agree to use contraception",
            "not enough information",
        ),
        # men must meet these too: open for a man whose note says nothing of it
        (
            MAN,
            "Men and women of reproductive potential must agree to use effective contraception",
            "not enough information",
        ),
        (MAN, "Sexually active patients must agree to use adequate contraception", "not enough information"),
        (
            MAN,
            "Male patients with partners of childbearing potential must use condoms",
            "not enough information",
        ),
    ],
)
def test_childbearing_potential_in_inclusion_criteria(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "inclusion").label == label  # type: ignore[arg-type]


def test_a_contraception_exclusion_stays_not_applicable_for_a_man() -> None:
    assert judge(MAN, "Unwilling to use contraception", "exclusion").label == "not applicable"


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        (HYSTERECTOMY, "Prior hysterectomy", "excluded"),
        (OOPHORECTOMY, "History of bilateral oophorectomy", "excluded"),
        (OOPHORECTOMY, "Prior hysterectomy", "not excluded"),
        (YOUNG_WOMAN, "Prior hysterectomy", "not excluded"),
    ],
)
def test_hysterectomy_and_oophorectomy_are_operations_a_note_names(
    note: object, criterion: str, label: str
) -> None:
    assert judge(note, criterion, "exclusion").label == label  # type: ignore[arg-type]


def _labs(values: str, sex: str = "man") -> object:
    return read_note(f"0. A 61-year-old {sex} has metastatic pancreatic adenocarcinoma.\n1. {values}")


@pytest.mark.parametrize(
    ("values", "criterion", "kind", "label"),
    [
        ("AST 28 U/L and ALT 33 U/L.", "AST/ALT ≤ 2.5 × ULN", "inclusion", "included"),
        ("AST 210 U/L, ALT 190 U/L.", "AST/ALT ≤ 2.5 × ULN", "inclusion", "not included"),
        # 2.5 x 40 U/L is 100: 95 is too close to call, whatever the laboratory
        ("AST 95 U/L, ALT 40 U/L.", "AST and ALT ≤ 2.5 times the upper limit of normal", "inclusion", "NEI"),
        ("ALT 30 U/L, AST 260 U/L.", "AST or ALT > 3 x ULN", "exclusion", "excluded"),
        ("ALT 30 U/L, AST 26 U/L.", "AST or ALT > 3 x ULN", "exclusion", "not excluded"),
        (
            "Total bilirubin 0.6 mg/dL.",
            "Total bilirubin ≤ 1.5 × upper limit of normal",
            "inclusion",
            "included",
        ),
        (
            "Total bilirubin 4.2 mg/dL.",
            "Total bilirubin ≤ 1.5 × upper limit of normal",
            "inclusion",
            "not included",
        ),
        ("Total bilirubin 1.9 mg/dL.", "Total bilirubin ≤ 1.5 × ULN", "inclusion", "NEI"),
        ("Total bilirubin 12 µmol/L.", "Total bilirubin ≤ 1.5 × ULN", "inclusion", "included"),
        ("Total bilirubin 60 umol/L.", "Total bilirubin ≤ 1.5 × ULN", "inclusion", "not included"),
        # a number without its unit that could be either mg/dL or µmol/L settles nothing
        ("Total bilirubin 12.", "Total bilirubin ≤ 1.5 × ULN", "inclusion", "NEI"),
        ("Creatinine 0.8 mg/dL.", "Serum creatinine ≤ 1.5 × ULN", "inclusion", "included"),
        ("Creatinine 3.1 mg/dL.", "Serum creatinine ≤ 1.5 × ULN", "inclusion", "not included"),
        ("Bilirubin 3.5 mg/dL.", "Total bilirubin > 1.5 x ULN", "exclusion", "excluded"),
        ("Bilirubin 1.9 mg/dL.", "Total bilirubin > 1.5 x ULN", "exclusion", "NEI"),
        ("Hemoglobin 12.8 g/dL.", "Total bilirubin ≤ 1.5 × ULN", "inclusion", "NEI"),
    ],
)
def test_limits_in_multiples_of_the_upper_limit_of_normal(
    values: str, criterion: str, kind: str, label: str
) -> None:
    expected = "not enough information" if label == "NEI" else label
    assert judge(_labs(values), criterion, kind).label == expected  # type: ignore[arg-type]


def test_alternative_limits_on_one_measure_are_not_each_required() -> None:
    criterion = "AST and ALT ≤ 2.5 × ULN (≤ 5 × ULN for patients with liver metastases)"
    assert judge(_labs("AST 150 U/L, ALT 120 U/L.", "woman"), criterion, "inclusion").label != "not included"
    assert judge(_labs("AST 350 U/L, ALT 330 U/L.", "woman"), criterion, "inclusion").label == "not included"


def test_creatinine_limit_follows_the_patients_sex() -> None:
    # 1.5 x 1.3 mg/dL (men) is 1.95, 1.5 x 1.1 (women) 1.65: 1.35 is clearly under both
    assert judge(_labs("Creatinine 1.35 mg/dL."), "Creatinine ≤ 1.5 × ULN", "inclusion").label == "included"
    assert judge(_labs("Creatinine 2.5 mg/dL.", "woman"), "Creatinine ≤ 1.5 × ULN", "inclusion").label == (
        "not included"
    )


def _lung(labs: str) -> object:
    return read_note(f"0. A 57-year-old woman has stage IV lung adenocarcinoma.\n1. {labs}\n2. ECOG 1.")


ALL_ORGANS = "Adequate bone marrow, liver and renal function"


@pytest.mark.parametrize(
    ("labs", "criterion", "label"),
    [
        ("Labs are within normal limits.", "Adequate organ function", "included"),
        ("Laboratory studies were unremarkable.", ALL_ORGANS, "included"),
        ("Normal CBC and CMP.", "Adequate hematologic, hepatic and renal function", "included"),
        ("CBC and CMP are normal.", ALL_ORGANS, "included"),
        ("LFTs are within normal limits.", "Adequate liver function", "included"),
        (
            "Hemoglobin 13.2 g/dL, platelets 240,000/µL, ANC 3.1; bilirubin 0.5 mg/dL, AST 22 U/L, "
            "ALT 19 U/L; creatinine 0.8 mg/dL.",
            ALL_ORGANS,
            "included",
        ),
        ("Creatinine 0.9 mg/dL.", "Adequate renal function", "included"),
        # a panel covers its organs only
        ("CBC is normal.", "Adequate organ function", "not enough information"),
        ("LFTs are within normal limits.", "Adequate renal function", "not enough information"),
        ("Hemoglobin 13 g/dL, platelets 210,000.", "Adequate bone marrow function", "not enough information"),
        # normal with exceptions is not normal
        (
            "Laboratory tests were within normal limits except for a mild anemia.",
            ALL_ORGANS,
            "not enough information",
        ),
        (
            "Labs notable for creatinine 1.6 mg/dL, otherwise normal.",
            "Adequate organ function",
            "not enough information",
        ),
        (
            "Hemoglobin 10.5 g/dL, platelets 210,000, ANC 2.1.",
            "Adequate bone marrow function",
            "not enough information",
        ),
        (
            "CBC showed leukocytosis; the chest X-ray was normal.",
            "Adequate bone marrow function",
            "not enough information",
        ),
        # clearly abnormal values, or the organ's disease
        ("Total bilirubin 4.2 mg/dL, AST 310 U/L.", ALL_ORGANS, "not included"),
        ("Platelets 40,000/µL.", "Adequate organ function", "not included"),
        ("She has chronic kidney disease.\n2. Labs are normal.", "Adequate organ function", "not included"),
        (
            "Blood counts are normal; labs are otherwise normal.",
            "Adequate organ function",
            "not enough information",
        ),
        ("No labs are reported.", "Adequate organ function", "not enough information"),
    ],
)
def test_adequate_organ_function_from_the_notes_labs(labs: str, criterion: str, label: str) -> None:
    assert judge(_lung(labs), criterion, "inclusion").label == label


@pytest.mark.parametrize(
    ("labs", "criterion", "label"),
    [
        (
            "Labs are within normal limits.",
            "ANC ≥ 1,500/µL, platelets ≥ 100,000/µL and hemoglobin ≥ 9 g/dL",
            "included",
        ),
        ("Labs are within normal limits.", "Total bilirubin ≤ 1.5 × ULN and AST/ALT ≤ 2.5 × ULN", "included"),
        ("CBC and CMP are normal.", "Creatinine clearance ≥ 50 mL/min", "included"),
        ("Normal CBC.", "Platelets ≥ 100 × 10^9/L", "included"),
        # a normal CBC says nothing of the liver; a normal value need not reach a limit above the normal range
        ("Normal CBC.", "Total bilirubin ≤ 1.5 × ULN", "not enough information"),
        ("Labs are within normal limits.", "Hemoglobin ≥ 14 g/dL", "not enough information"),
        ("Labs are within normal limits.", "Total bilirubin ≤ 0.8 × ULN", "not enough information"),
        (
            "Labs are within normal limits except a mild anemia.",
            "Hemoglobin ≥ 9 g/dL",
            "not enough information",
        ),
    ],
)
def test_labs_stated_normal_meet_limits_every_normal_value_meets(
    labs: str, criterion: str, label: str
) -> None:
    assert judge(_lung(labs), criterion, "inclusion").label == label


def _history(line: str) -> object:
    return read_note(f"0. A 66-year-old man has metastatic lung adenocarcinoma.\n1. {line}\n2. ECOG 1.")


@pytest.mark.parametrize(
    ("line", "criterion", "label"),
    [
        ("PMH: HTN, DM2, CKD stage 3, COPD.", "Type 2 diabetes mellitus", "excluded"),
        ("PMH: HTN, DM2, CKD stage 3, COPD.", "History of hypertension", "excluded"),
        ("PMH: HTN, DM2, CKD stage 3, COPD.", "Chronic kidney disease", "excluded"),
        ("PMH: HTN, DM2, CKD stage 3, COPD.", "Chronic obstructive pulmonary disease", "excluded"),
        ("History of DM type 2 on metformin.", "Type 2 diabetes", "excluded"),
        ("He had a PE last year, treated with apixaban.", "History of pulmonary embolism", "excluded"),
        ("He has paroxysmal AFib on apixaban.", "Atrial fibrillation", "excluded"),
        ("He has AF, rate controlled.", "Atrial fibrillation", "excluded"),
        ("Left leg DVT last year.", "History of deep vein thrombosis", "excluded"),
        ("CVA in 2019 with residual weakness.", "History of stroke", "excluded"),
        ("Prior MI; CHF with an EF of 35%.", "Congestive heart failure", "excluded"),
        ("Prior MI; CHF with an EF of 35%.", "Myocardial infarction", "excluded"),
        ("He has had two seizures since the brain metastasis was found.", "Seizure disorder", "excluded"),
        # a transient ischemic attack is not a stroke, but is named beside it
        ("TIA in 2019, no residual deficit.", "History of stroke", "not excluded"),
        ("TIA in 2019, no residual deficit.", "Stroke or transient ischemic attack", "excluded"),
        # "PE" is also the physical examination
        ("PE: lungs clear, no edema.", "History of pulmonary embolism", "not excluded"),
        ("On PE, he is comfortable and afebrile.", "History of pulmonary embolism", "not excluded"),
        ("PE was unremarkable.", "Pulmonary embolism", "not excluded"),
        ("Physical exam (PE) was normal.", "History of pulmonary embolism", "not excluded"),
        ("The PE was treated with enoxaparin.", "Pulmonary embolism", "excluded"),
    ],
)
def test_abbreviations_notes_use(line: str, criterion: str, label: str) -> None:
    assert judge(_history(line), criterion, "exclusion").label == label


def _course(line: str, cancer: str = "metastatic lung adenocarcinoma", sex: str = "woman") -> object:
    return read_note(f"0. A 63-year-old {sex} has {cancer}.\n1. {line}")


AFTER_TWO = "Progressive disease after at least two prior lines of systemic therapy"


@pytest.mark.parametrize(
    ("line", "criterion", "label"),
    [
        ("She progressed on carboplatin/pemetrexed and then on docetaxel.", AFTER_TWO, "included"),
        (
            "She progressed on carboplatin/pemetrexed and then on docetaxel.",
            "No more than 1 prior line of therapy",
            "not included",
        ),
        (
            "She progressed on carboplatin/pemetrexed and then on docetaxel.",
            "More than 2 prior lines of therapy",
            "not excluded",
        ),
        ("She progressed on carboplatin, pemetrexed and pembrolizumab.", AFTER_TWO, "not included"),
        # maintenance with a medicine already given is the same line
        (
            "She received carboplatin/pemetrexed followed by pemetrexed maintenance, and progressed.",
            AFTER_TWO,
            "not included",
        ),
        # a line started now is not a prior line
        (
            "She progressed on carboplatin/pemetrexed; she was then started on docetaxel.",
            AFTER_TWO,
            "not included",
        ),
        # two lines given, but no progression said
        (
            "She received carboplatin/pemetrexed followed by docetaxel, with stable disease.",
            AFTER_TWO,
            "not enough information",
        ),
        (
            "She received carboplatin/pemetrexed followed by docetaxel, with stable disease.",
            "At least two prior lines of chemotherapy",
            "included",
        ),
        # a treatment named is not a count
        ("She was treated with chemotherapy and has progressed.", AFTER_TWO, "not enough information"),
    ],
)
def test_lines_of_therapy_the_note_lists(line: str, criterion: str, label: str) -> None:
    kind = "exclusion" if criterion.startswith("More than") else "inclusion"
    assert judge(_course(line), criterion, kind).label == label  # type: ignore[arg-type]


def test_adjuvant_treatment_is_not_a_line_for_advanced_disease() -> None:
    note = read_note(
        "0. A 55-year-old woman has metastatic breast cancer.\n"
        "1. She received adjuvant doxorubicin and paclitaxel in 2015.\n"
        "2. Metastatic recurrence was treated with letrozole and palbociclib, then fulvestrant.\n"
        "3. She has progressed."
    )
    assert note.prior_lines == 2
    assert judge(note, "At least 3 prior lines of therapy", "inclusion").label == "not included"


PROSTATE = "metastatic castration-resistant prostate cancer"


@pytest.mark.parametrize(
    ("line", "criterion", "label"),
    [
        (
            "His PSA rose from 2.1 to 6.4 ng/mL over three months on leuprolide.",
            "PSA progression",
            "included",
        ),
        (
            "His PSA rose from 2.1 to 6.4 ng/mL over three months on leuprolide.",
            "Rising PSA despite castrate testosterone",
            "included",
        ),
        # PCWG3: at least 25 % and 2 ng/mL above the lowest value
        ("His PSA rose from 4.0 to 5.1 ng/mL.", "PSA progression", "not enough information"),
        ("His PSA rose from 0.4 to 1.9 ng/mL.", "PSA progression", "not enough information"),
        ("His PSA fell from 12 to 0.8 ng/mL on enzalutamide.", "PSA progression", "not included"),
        (
            "His PSA rose on abiraterone, then on enzalutamide, and he progressed after docetaxel.",
            "At least 3 prior lines of therapy",
            "included",
        ),
    ],
)
def test_psa_progression_and_prostate_lines(line: str, criterion: str, label: str) -> None:
    assert judge(_course(line, PROSTATE, "man"), criterion, "inclusion").label == label


COLON_TREATED = read_note(
    "0. A 64-year-old man has metastatic colorectal cancer.\n"
    "1. He progressed on FOLFOX.\n"
    "2. He has plaque psoriasis treated with topical steroid creams."
)
UNTREATED = read_note(
    "0. A 70-year-old woman has newly diagnosed metastatic breast cancer, untreated so far.\n"
    "1. She has rheumatoid arthritis."
)
ASTHMA = read_note(
    "0. A 59-year-old woman has stage IV lung adenocarcinoma, untreated.\n"
    "1. Her asthma is controlled with inhaled fluticasone."
)


@pytest.mark.parametrize(
    ("note", "criterion", "label"),
    [
        # systemic treatment of another condition is not anticancer therapy
        (COLON_TREATED, "Prior systemic treatment for psoriasis", "not excluded"),
        (COLON_TREATED, "Requires systemic treatment for an active infection", "not excluded"),
        (
            COLON_TREATED,
            "Active autoimmune disease that has required systemic treatment in the past 2 years",
            "not excluded",
        ),
        (COLON_TREATED, "Systemic corticosteroids within 14 days", "not excluded"),
        (ASTHMA, "Systemic corticosteroids within 14 days", "not excluded"),
        # and anticancer therapy is still what "systemic therapy" means otherwise
        (COLON_TREATED, "Prior systemic therapy for metastatic disease", "excluded"),
        (COLON_TREATED, "Prior systemic anticancer therapy", "excluded"),
        (UNTREATED, "Prior systemic therapy for metastatic disease", "not excluded"),
    ],
)
def test_systemic_treatment_of_other_conditions(note: object, criterion: str, label: str) -> None:
    assert judge(note, criterion, "exclusion").label == label  # type: ignore[arg-type]


def test_a_treatment_naive_inclusion_still_reads_systemic_therapy_as_anticancer() -> None:
    assert judge(UNTREATED, "No prior systemic therapy", "inclusion").label == "included"
    assert judge(COLON_TREATED, "No prior systemic therapy", "inclusion").label == "not included"


@pytest.mark.parametrize(
    ("criterion", "label"),
    [
        ("PE within 6 months before enrolment", "excluded"),
        ("History of PE or DVT", "excluded"),
    ],
)
def test_pe_in_a_criterion_is_a_pulmonary_embolism(criterion: str, label: str) -> None:
    note = _history("He had a pulmonary embolism 2 months ago and takes apixaban.")
    assert judge(note, criterion, "exclusion").label == label


def test_alternative_limits_in_an_exclusion_are_not_each_decisive() -> None:
    criterion = "AST or ALT > 3 × ULN (> 5 × ULN if liver metastases)"
    assert judge(_labs("AST 160 U/L, ALT 150 U/L."), criterion, "exclusion").label == "not enough information"
    assert judge(_labs("AST 400 U/L, ALT 380 U/L."), criterion, "exclusion").label == "excluded"
    assert judge(_labs("AST 30 U/L, ALT 28 U/L."), criterion, "exclusion").label == "not excluded"


@pytest.mark.parametrize(
    ("labs", "criterion", "label"),
    [
        ("Normal renal and hepatic function.", "Adequate renal function", "included"),
        ("Normal renal and hepatic function.", "Adequate hepatic function", "included"),
        ("Normal renal and hepatic function.", "Adequate organ function", "not enough information"),
        ("Renal function is normal.", "Creatinine ≤ 1.5 × ULN", "included"),
        ("Hepatic function is impaired.", "Adequate hepatic function", "not included"),
        ("She has impaired renal function.", "Adequate organ function", "not included"),
        ("Pancytopenia after chemotherapy.", "Adequate organ function", "not included"),
        ("No renal impairment.", "Adequate hepatic function", "not enough information"),
    ],
)
def test_organ_function_said_in_words(labs: str, criterion: str, label: str) -> None:
    assert judge(_lung(labs), criterion, "inclusion").label == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        # 2.5 x ULN is 87.5 to 137.5 U/L across the usual upper limits (35 to 55 U/L)
        ("ALT 60 U/L.", "included"),
        ("ALT 120 U/L.", "not enough information"),  # within the laboratories' spread
        ("ALT 200 U/L.", "not included"),
    ],
)
def test_a_limit_in_multiples_of_uln_spans_the_laboratories_limits(value: str, label: str) -> None:
    assert judge(_labs(value), "ALT ≤ 2.5 × ULN", "inclusion").label == label


@pytest.mark.parametrize(
    ("value", "criterion", "label"),
    [
        ("Hemoglobin 85 g/L.", "Hemoglobin ≥ 9 g/dL", "not included"),  # g/L against g/dL
        ("Hemoglobin 10.5 g/dL.", "Hemoglobin ≥ 90 g/L", "included"),  # g/dL against g/L
    ],
)
def test_haemoglobin_is_compared_on_the_criterions_scale(value: str, criterion: str, label: str) -> None:
    assert judge(_labs(value), criterion, "inclusion").label == label
