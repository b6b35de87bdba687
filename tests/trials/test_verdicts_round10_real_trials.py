"""Round 10 audit on real trials: criteria quoted verbatim from public ClinicalTrials.gov records
(NCT00023673, NCT01642004, NCT02465060, NCT02679963, NCT03424005), judged against notes written for
these tests. Each class is a verdict a trial coordinator would call wrong:

1. an interval since an event read as the patient's age ("At least 5 years since prior chemotherapy");
2. a negated stage ("No stage IV or recurrent disease") judged as if it asked for that stage;
3. measurable disease (RECIST) met by naming a solid tumour, the RECIST name read as a cancer;
4. progression after a prior treatment met by the cancer's spread alone;
5. a bare heading ("Chemotherapy:") and a permission ("... are allowed") judged as requirements;
6. pregnancy plans left open for a man or a woman past menopause;
7. lists: "NOTE:" items deciding their parent, and a list under a requirement that is not the patient's.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.criterion import read_criterion
from onconav.trials.verdicts.judging import Verdict
from onconav.trials.verdicts.lists import judge_items


def _note(*lines: str) -> object:
    return read_note("\n".join(f"{i}. {line}" for i, line in enumerate(lines)))


def _label(note: object, criterion: str, kind: str) -> str:
    return judge(note, criterion, kind).label  # type: ignore[arg-type]


BREAST_METASTATIC = (
    "A 49-year-old woman, postmenopausal for six years, has invasive ductal carcinoma of the left breast.",
    "The tumour is HER2-positive and ER/PR negative.",
    "A staging CT showed several liver metastases.",
    "She has had no treatment yet; chemotherapy is planned after the biopsy review.",
)
BREAST_EARLY = (
    "A 58-year-old woman has stage II invasive ductal carcinoma of the right breast.",
    "She had a lumpectomy last month and is recovering well.",
)
LUNG_PROGRESSING = (
    "A 63-year-old man has stage IV adenocarcinoma of the lung.",
    "He received four cycles of carboplatin and pemetrexed last year.",
    "The latest CT shows progression with new liver lesions.",
)
LUNG_MEASURED = (
    "A 61-year-old man has metastatic squamous cell carcinoma of the lung.",
    "CT shows measurable disease: a 32 mm right upper lobe mass and a 15 mm adrenal lesion.",
)
LUNG_NOT_MEASURABLE = (
    "A 59-year-old woman has metastatic lung adenocarcinoma.",
    "Her disease is non-measurable, limited to a small pleural effusion and sclerotic bone lesions.",
)
THYROID_MAN = (
    "A 72-year-old man has papillary thyroid cancer with spread to the neck nodes and lungs.",
    "He was treated with thyroidectomy and radioactive iodine.",
)
YOUNG_WOMAN = (
    "A 31-year-old woman has stage IV colon adenocarcinoma with liver metastases.",
    "She has regular periods.",
)


# 1. An interval since an event is not an age (NCT00023673).

INTERVAL = "At least 5 years since prior chemotherapy"


@pytest.mark.parametrize(
    ("text", "has_age"),
    [
        (INTERVAL, False),
        ("At least 3 months since prior radiotherapy", False),
        ("More than 2 years after the transplant", False),
        # controls: ages
        ("Age 18 years or older", True),
        ("Patients aged 18 years or older, at least 4 weeks since surgery", True),
        ("Men and women ≥18 years of age", True),
    ],
)
def test_interval_is_not_an_age(text: str, has_age: bool) -> None:
    assert (read_criterion(text).age is not None) is has_age


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, BREAST_EARLY, THYROID_MAN])
def test_interval_since_chemotherapy_is_not_met_by_age(lines: tuple[str, ...]) -> None:
    verdict = judge(_note(*lines), INTERVAL, "inclusion")  # type: ignore[arg-type]
    assert verdict.label != "included"
    assert "age" not in verdict.reason


# 2. A negated stage (NCT00023673).

NO_STAGE_IV = "No stage IV or recurrent disease"


@pytest.mark.parametrize(
    ("lines", "label"),
    [
        (LUNG_PROGRESSING, "not included"),
        (("A 66-year-old man has stage IV non-small cell lung cancer.",), "not included"),
        # control: an earlier stage meets it
        (BREAST_EARLY, "included"),
    ],
)
def test_negated_stage(lines: tuple[str, ...], label: str) -> None:
    assert _label(_note(*lines), NO_STAGE_IV, "inclusion") == label


def test_stage_asked_positively_is_unchanged() -> None:
    assert _label(_note(*LUNG_PROGRESSING), "Stage IV disease", "inclusion") == "included"
    assert _label(_note(*BREAST_EARLY), "Stage IV disease", "inclusion") == "not included"


# 3. Measurable disease (NCT01642004, NCT02679963, NCT03424005, NCT02465060).

MEASURABLE_RECIST = (
    "Measurable disease by computed tomography (CT)/Magnetic resonance imaging (MRI) per Response "
    "Evaluation Criteria in Solid Tumors (RECIST) 1.1 criteria"
)
MEASURABLE_LESIONS = (
    "At the start of the platinium based induction chemotherapy measurable lesions by RECIST v1.1 criteria, "
    "i.e. at least one lesion, not previously irradiated, that can be accurately measured at baseline as "
    "≥ 10mm in the longest diameter"
)
MEASURABLE_TARGET = "Measurable disease (at least one target lesion)"
MEASURABLE_SHORT = "Patients must have measurable disease"


@pytest.mark.parametrize("criterion", [MEASURABLE_RECIST, MEASURABLE_LESIONS, MEASURABLE_TARGET])
@pytest.mark.parametrize("lines", [BREAST_METASTATIC, LUNG_PROGRESSING, THYROID_MAN])
def test_measurable_disease_is_not_met_by_the_cancer(lines: tuple[str, ...], criterion: str) -> None:
    verdict = judge(_note(*lines), criterion, "inclusion")  # type: ignore[arg-type]
    assert verdict.label == "not enough information"
    assert "measurable" in verdict.reason


@pytest.mark.parametrize(
    ("criterion"), [MEASURABLE_RECIST, MEASURABLE_TARGET, MEASURABLE_SHORT, MEASURABLE_LESIONS]
)
def test_measurable_disease_stated(criterion: str) -> None:
    # lesions the note names stay open, as the experts leave them (tests/trials/test_verdicts_classes.py)
    assert _label(_note(*LUNG_MEASURED), criterion, "inclusion") == "not enough information"
    assert _label(_note(*LUNG_NOT_MEASURABLE), criterion, "inclusion") == "not included"


def test_recist_name_is_not_a_cancer() -> None:
    assert "SOLID" not in read_criterion(MEASURABLE_RECIST).cancer_types
    # control: a criterion asking a solid tumour still names it
    assert "SOLID" in read_criterion("Histologically documented solid tumors").cancer_types


# 4. Progression after a prior treatment (NCT01642004, NCT03424005).

PROGRESSED_PLATINUM = (
    "Disease recurrence or progression during/after one prior platinum doublet-based chemotherapy regimen "
    "for advanced or metastatic disease"
)
PROGRESSED_ONE_LINE = (
    "Radiologic/objective evidence of recurrence or disease progression after chemotherapy for a total of "
    "one line of therapy for inoperable locally advanced or metastatic breast cancer"
)


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, THYROID_MAN, YOUNG_WOMAN])
def test_spread_is_not_progression_after_treatment(lines: tuple[str, ...]) -> None:
    verdict = judge(_note(*lines), PROGRESSED_PLATINUM, "inclusion")  # type: ignore[arg-type]
    assert verdict.label == "not enough information"
    assert "progressed" in verdict.reason


def test_progression_of_the_right_cancer_not_stated() -> None:
    # control: the cancer rule already leaves the course open for the right cancer
    assert _label(_note(*BREAST_METASTATIC), PROGRESSED_ONE_LINE, "inclusion") == "not enough information"


def test_progression_stated_is_left_to_the_other_rules() -> None:
    verdict = judge(_note(*LUNG_PROGRESSING), PROGRESSED_PLATINUM, "inclusion")  # type: ignore[arg-type]
    assert "progressed or came back" not in verdict.reason
    # control: another cancer is still another cancer
    assert _label(_note(*THYROID_MAN), PROGRESSED_ONE_LINE, "inclusion") == "not included"


# 5. Headings and permissions (NCT00023673, NCT02679963).

ALLOWED = (
    "Previous surgery (in the adjuvant setting) for NSCLC, radiotherapy (with a curative intent for local or "
    "locally-advanced disease) or immunotherapy by anti- PD-1 or anti-PD-L1 agent in the metastatic setting "
    "are allowed"
)


@pytest.mark.parametrize("criterion", ["Chemotherapy:", "Biologic therapy:", "Endocrine therapy:"])
@pytest.mark.parametrize("lines", [BREAST_METASTATIC, LUNG_PROGRESSING])
def test_heading_asks_nothing(lines: tuple[str, ...], criterion: str) -> None:
    assert _label(_note(*lines), criterion, "inclusion") == "not applicable"


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, LUNG_PROGRESSING, THYROID_MAN])
def test_permission_asks_nothing(lines: tuple[str, ...]) -> None:
    assert _label(_note(*lines), ALLOWED, "inclusion") == "not applicable"


@pytest.mark.parametrize(
    ("criterion", "label"),
    [
        # controls: a requirement with content, and a permission with a condition
        ("Renal: creatinine clearance/GFR ≥ 60 ml/minute/1.73m2", "not enough information"),
        ("Prior chemotherapy is allowed only if completed more than 4 weeks before", "not applicable"),
    ],
)
def test_heading_and_permission_controls(criterion: str, label: str) -> None:
    verdict = judge(_note(*BREAST_METASTATIC), criterion, "inclusion")  # type: ignore[arg-type]
    assert (verdict.label == label) is (label != "not applicable")
    assert "heading" not in verdict.reason and "only says what is allowed" not in verdict.reason


# 6. Pregnancy plans (NCT03424005).

PREGNANCY_PLANS = "Pregnancy or breastfeeding, or intention of becoming pregnant during the study"


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, THYROID_MAN])
def test_pregnancy_plans_do_not_apply(lines: tuple[str, ...]) -> None:
    assert _label(_note(*lines), PREGNANCY_PLANS, "exclusion") == "not applicable"


def test_pregnancy_plans_stay_open_for_a_young_woman() -> None:
    assert _label(_note(*YOUNG_WOMAN), PREGNANCY_PLANS, "exclusion") == "not enough information"


# 7. Lists (NCT02465060).

PREGNANCY_PARENT = (
    "Women of childbearing potential must have a negative serum pregnancy test within 2 weeks prior to "
    "registration; patients that are pregnant or breast feeding are excluded; a female of childbearing "
    "potential is any woman, regardless of sexual orientation or whether they have undergone tubal ligation, "
    "who meets the following criteria:"
)
PREGNANCY_CHILDREN = (
    "Has achieved menarche at some point",
    "Has not undergone a hysterectomy or bilateral oophorectomy; or",
    "Has not been naturally postmenopausal for at least 24 consecutive months (i.e., has had menses at any "
    "time in the preceding 24 consecutive months)",
)
SOLID_PARENT = (
    "Patients must have histologically documented solid tumors or histologically confirmed diagnosis of "
    "lymphoma or multiple myeloma requiring therapy and meet one of the following criteria:"
)
NOTE_CHILD = (
    "NOTE: No other prior malignancy is allowed except for the following: adequately treated basal cell or "
    "squamous cell skin cancer; in situ cervical cancer; adequately treated stage I or II cancer from which "
    "the patient is currently in complete remission"
)
PROGRESSED_CHILD = (
    "Patients must have progressed following at least one line of standard systemic therapy and there must "
    "not be other approval/standard therapy available that has been shown to prolong overall survival"
)


def _items(note: object, items: list[tuple[str, str, int]]) -> list[Verdict]:
    return judge_items(note, items, judge)  # type: ignore[arg-type]


@pytest.mark.parametrize("lines", [THYROID_MAN, BREAST_METASTATIC])
def test_list_under_a_requirement_not_for_the_patient(lines: tuple[str, ...]) -> None:
    items = [("inclusion", PREGNANCY_PARENT, 0)] + [("inclusion", c, 1) for c in PREGNANCY_CHILDREN]
    assert _items(_note(*lines), items)[0].label == "not applicable"  # type: ignore[arg-type]


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, THYROID_MAN])
def test_note_item_does_not_decide_its_list(lines: tuple[str, ...]) -> None:
    items = [("inclusion", SOLID_PARENT, 0), ("inclusion", NOTE_CHILD, 1), ("inclusion", PROGRESSED_CHILD, 1)]
    parent = _items(_note(*lines), items)[0]  # type: ignore[arg-type]
    assert parent.label == "not enough information"
    assert "NOTE" not in parent.reason


def test_note_item_alone_leaves_the_parent_its_own_verdict() -> None:
    items = [("inclusion", SOLID_PARENT, 0), ("inclusion", NOTE_CHILD, 1)]
    parent = _items(_note(*BREAST_METASTATIC), items)[0]  # type: ignore[arg-type]
    assert not parent.reason.startswith("Decided by its list")


def test_list_controls() -> None:
    # a young woman: the list still decides (she meets the definition); a man is not applicable
    items = [("exclusion", "Any of the following:", 0), ("exclusion", "Known cardiac metastases", 1)]
    assert _items(_note(*LUNG_PROGRESSING), items)[0].label == "not excluded"  # type: ignore[arg-type]


def test_descendants_of_a_requirement_not_for_the_patient_do_not_apply() -> None:
    parent = (
        "Evidence of non-childbearing status for women of childbearing potential: negative serum pregnancy "
        "test within 14 days of study treatment. Postmenopausal is defined as:"
    )
    children = (
        "Radiation-induced oophorectomy with last menses >1 year ago,",
        "Chemotherapy-induced menopause with >1 year interval since last menses,",
        "Or surgical sterilisation (bilateral oophorectomy or hysterectomy).",
    )
    items = [("inclusion", parent, 0)] + [("inclusion", c, 1) for c in children]
    found = _items(_note(*THYROID_MAN), items)  # type: ignore[arg-type]
    assert [v.label for v in found] == ["not applicable"] * 4


# 8. Histologic types (NCT00023673, NCT03599518).

ADENO = "Adenocarcinoma"
SQUAMOUS = "Squamous cell carcinoma"
NO_SMALL_CELL = "No undifferentiated small cell (oat cell or high-grade neuroendocrine) carcinoma"
ADENO_NSCLC = "Has histologically or cytologically documented adenocarcinoma NSCLC"

ASTROCYTOMA = ("A 47-year-old man has an anaplastic astrocytoma of the thoracic spinal cord.",)
CLL = ("A 59-year-old man has chronic lymphocytic leukemia treated with rituximab.",)
LUNG_UNTYPED = ("A 64-year-old woman has lung cancer found on a CT for cough; the biopsy is pending.",)
NSCLC_UNTYPED = ("A 67-year-old man has non-small cell lung cancer, stage IIIB.",)
SQUAMOUS_LUNG = ("A 70-year-old man has squamous cell carcinoma of the lung, stage IIIB.",)
SMALL_CELL = ("A 62-year-old woman has small cell lung cancer, extensive stage.",)
DUCTAL = ("A 55-year-old woman has invasive ductal carcinoma of the breast.",)


@pytest.mark.parametrize(
    ("lines", "criterion", "label"),
    [
        # a glioma or a leukaemia is not a carcinoma of any type
        (ASTROCYTOMA, ADENO, "not included"),
        (ASTROCYTOMA, SQUAMOUS, "not included"),
        (ASTROCYTOMA, NO_SMALL_CELL, "included"),
        (CLL, ADENO, "not included"),
        # a lung cancer whose type the note does not give: open
        (LUNG_UNTYPED, ADENO, "not enough information"),
        (LUNG_UNTYPED, SQUAMOUS, "not enough information"),
        (NSCLC_UNTYPED, ADENO, "not enough information"),
        (NSCLC_UNTYPED, SQUAMOUS, "not enough information"),
        # a ductal carcinoma is an adenocarcinoma
        (DUCTAL, "Histologically confirmed adenocarcinoma or squamous cell carcinoma", "included"),
        # a type the tumour must not be
        (SQUAMOUS_LUNG, NO_SMALL_CELL, "included"),
        (DUCTAL, "No small cell carcinoma", "included"),
        (SMALL_CELL, "No small cell carcinoma", "not included"),
        # controls
        (SQUAMOUS_LUNG, ADENO, "not included"),
        (SQUAMOUS_LUNG, SQUAMOUS, "included"),
        (SMALL_CELL, ADENO_NSCLC, "not included"),
    ],
)
def test_histologic_types(lines: tuple[str, ...], criterion: str, label: str) -> None:
    assert _label(_note(*lines), criterion, "inclusion") == label


def test_histology_reason_names_the_cancer() -> None:
    verdict = judge(_note(*ASTROCYTOMA), ADENO, "inclusion")  # type: ignore[arg-type]
    assert "not a carcinoma" in verdict.reason


# 9. Limited and extensive disease stage are small cell lung cancer's (NCT02481830).

LIMITED_OR_EXTENSIVE = "Subjects with either limited or extensive disease stage at the initial diagnosis"


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, THYROID_MAN])
def test_small_cell_staging_is_not_another_cancers_stage(lines: tuple[str, ...]) -> None:
    assert _label(_note(*lines), LIMITED_OR_EXTENSIVE, "inclusion") != "included"


def test_small_cell_staging_control() -> None:
    assert _label(_note(*SMALL_CELL), LIMITED_OR_EXTENSIVE, "inclusion") == "included"


# 10. Progression words that are not the disease's (NCT01642004).


@pytest.mark.parametrize(
    "line",
    [
        "The right recurrent laryngeal nerve lies close to the thyroid tumour.",
        "He has progressive weakness of both legs.",
    ],
)
def test_words_that_are_not_progression(line: str) -> None:
    lines = ("A 73-year-old man has metastatic papillary thyroid cancer.", line)
    verdict = judge(_note(*lines), PROGRESSED_PLATINUM, "inclusion")  # type: ignore[arg-type]
    assert verdict.label == "not enough information"


def test_permission_inside_an_exclusion_is_not_the_criterion() -> None:
    text = (
        "History of idiopathic pulmonary fibrosis, organizing pneumonia (e.g., bronchiolitis obliterans), "
        "drug-induced pneumonitis, or idiopathic pneumonitis, or evidence of active pneumonitis on screening "
        "chest computed tomography (CT) scan History of radiation pneumonitis in the radiation field "
        "(fibrosis) is permitted."
    )
    for kind in ("inclusion", "exclusion"):
        verdict = judge(_note(*BREAST_METASTATIC), text, kind)  # type: ignore[arg-type]
        assert "only says what is allowed" not in verdict.reason


# 11. A cancer asked of a patient whose note describes no cancer (NCT01642004, NCT03424005).

SQUAMOUS_NSCLC = (
    "Subjects with histologically or cytologically-documented squamous cell NSCLC who present with Stage "
    "IIIB/IV disease or with recurrent or progressive disease following multimodal therapy (radiation "
    "therapy, surgical resection, or definitive chemoradiation therapy for locally advanced disease)"
)
TNBC = (
    "Metastatic or inoperable locally advanced, histologically documented TNBC (absence of HER2, ER, and PR "
    "expression)"
)
VASCULITIS = (
    "A 58-year-old man has granulomatosis with polyangiitis diagnosed on a lung biopsy showing necrotizing "
    "granulomas.",
    "He takes prednisone and azathioprine. Creatinine 1.1 mg/dL.",
)
OBESITY = ("A 36-year-old woman comes for weight loss advice; her BMI is 41.", "She has hypertension.")
LUNG_MASS = ("A 69-year-old smoker has a 4 cm right lung mass on CT; a biopsy is planned.",)


@pytest.mark.parametrize("criterion", [SQUAMOUS_NSCLC, TNBC])
@pytest.mark.parametrize("lines", [VASCULITIS, OBESITY])
def test_cancer_asked_of_a_patient_without_cancer(lines: tuple[str, ...], criterion: str) -> None:
    verdict = judge(_note(*lines), criterion, "inclusion")  # type: ignore[arg-type]
    assert verdict.label == "not included"
    assert verdict.reason == "The note describes no cancer."


@pytest.mark.parametrize(
    ("lines", "criterion"),
    [
        # a mass not yet diagnosed: open
        (LUNG_MASS, SQUAMOUS_NSCLC),
        # a criterion naming a cancer without asking the diagnosis
        (OBESITY, "Women eligible for breast cancer screening"),
        (OBESITY, "Family history of breast cancer"),
    ],
)
def test_no_cancer_controls(lines: tuple[str, ...], criterion: str) -> None:
    verdict = judge(_note(*lines), criterion, "inclusion")  # type: ignore[arg-type]
    assert verdict.reason != "The note describes no cancer."


# 12. "Patients who are X are eligible if:" asks only the patients with X (NCT02465060).

HIV_PARENT = "Patients who are human immunodeficiency virus (HIV)-positive are eligible if:"
HIV_CHILDREN = (
    "CD4+ cell count greater or equal to 250 cells/mm^3",
    "If on antiretroviral therapy, must not be on any strong CYP3A4 inhibitors",
    "Probable long-term survival with HIV if cancer were not present",
)
COLON_HIV = (
    "A 50-year-old man has metastatic colon adenocarcinoma.",
    "He has HIV infection treated with antiretroviral therapy.",
)


@pytest.mark.parametrize("lines", [BREAST_METASTATIC, THYROID_MAN])
def test_eligible_if_for_patients_without_the_condition(lines: tuple[str, ...]) -> None:
    items = [("inclusion", HIV_PARENT, 0)] + [("inclusion", c, 1) for c in HIV_CHILDREN]
    found = _items(_note(*lines), items)  # type: ignore[arg-type]
    assert [v.label for v in found] == ["not applicable"] * 4


def test_eligible_if_for_patients_with_the_condition() -> None:
    items = [("inclusion", HIV_PARENT, 0)] + [("inclusion", c, 1) for c in HIV_CHILDREN]
    found = _items(_note(*COLON_HIV), items)  # type: ignore[arg-type]
    assert found[0].label != "not applicable"


# 13. A cancer named only in a clause about other patients is not the cancer asked (NCT02465060).

STEROIDS = (
    "Patients must have discontinued steroids >= 1 week prior to registration to Step 0 and remain off "
    "steroids thereafter, except as permitted (see below); patients with glioblastoma (GBM) must have been "
    "on stable dose of steroids, or be off steroids, for one week prior to registration to treatment "
    "(Step 1, 3, 5, 7)"
)
GLIOMA_ON_STEROIDS = (
    "A 46-year-old man has an anaplastic astrocytoma of the brain.",
    "He takes dexamethasone 4 mg twice daily.",
)


def test_cancer_in_a_clause_about_other_patients() -> None:
    assert read_criterion(STEROIDS).cancer is None
    verdict = judge(_note(*GLIOMA_ON_STEROIDS), STEROIDS, "inclusion")  # type: ignore[arg-type]
    assert verdict.label != "included"


def test_cancer_asked_before_a_clause_about_other_patients() -> None:
    text = "Histologically confirmed glioblastoma; patients with prior bevacizumab must wait 4 weeks"
    assert read_criterion(text).cancer is not None


# 14. Metastatic disease with an alternative for the adjuvant setting (NCT00002475).

METASTATIC_OR_HIGH_RISK = "Metastatic disease or subclinical disease at high risk of recurrence"
CERVIX_EARLY = ("A 39-year-old woman has stage IB squamous cell carcinoma of the cervix.",)


def test_metastatic_or_high_risk_is_not_failed_by_an_early_stage() -> None:
    assert _label(_note(*CERVIX_EARLY), METASTATIC_OR_HIGH_RISK, "inclusion") != "not included"


def test_metastatic_alone_is_failed_by_an_early_stage() -> None:
    assert _label(_note(*CERVIX_EARLY), "Metastatic disease", "inclusion") == "not included"
