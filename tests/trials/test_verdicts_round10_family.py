"""Family histories of cancer as hereditary-risk and screening trials ask them (round 10), in notes and
criteria written for these tests (hereditary breast and ovarian cancer, Lynch syndrome, familial pancreatic
and prostate cancer, melanoma screening):

1. which cancer: a relative's colon cancer answers "colorectal cancer", ovarian cancer "breast or ovarian
   cancer" (OncoTree); a relative's prostate cancer is no family history of breast cancer; a spouse is no
   relative; the patient's own cancer is no family history;
2. which relatives: first-, second- and third-degree (NCI dictionary), how many, the side of the family;
3. the age at the relative's diagnosis ("before age 50"; open when the note gives none);
4. a hereditary mutation or syndrome in the family, never the patient's own carrier status;
5. a family history said negative ("noncontributory", "denies any family history of cancer"), or unknown
   (an adopted patient): open.
Criteria that only mention a relative or a carrier status beside something else are negative controls.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note

INC, EXC = "inclusion", "exclusion"
NEI = "not enough information"

HBOC1 = (
    "A 42-year-old woman presents for high-risk breast screening. Her mother was diagnosed with breast "
    "cancer at 38 and her maternal aunt with ovarian cancer at 51. Her sister tested positive for a BRCA2 "
    "pathogenic variant; the patient has not yet been tested."
)
HBOC2 = (
    "A 35-year-old woman referred to genetics. Family history: father with prostate cancer at 72; paternal "
    "grandmother with breast cancer at 67. She herself carries a BRCA1 mutation."
)
LYNCH = (
    "A 29-year-old man with rectal bleeding. His father had colon cancer at 44 and his paternal aunt had "
    "endometrial cancer at 50. Lynch syndrome (MSH2) has been confirmed in his father."
)
AUNTS = (
    "A 48-year-old woman for screening colonoscopy. Colon cancer in two maternal aunts, both in their 60s. "
    "No other family history."
)
COUSIN = "A 50-year-old man for colonoscopy. His first cousin had colorectal cancer at 39."
PANC = (
    "A 58-year-old man in a pancreatic surveillance program. His brother died of pancreatic cancer at 61 and "
    "his mother had pancreatic adenocarcinoma at 70."
)
PANC_ONE = "A 60-year-old woman with new diabetes. Her father had cancer of the pancreas."
PROSTATE = (
    "A 46-year-old man with a PSA of 2.1 ng/mL. Two brothers were diagnosed with prostate cancer, at 52 "
    "and 58."
)
MEL = (
    "A 39-year-old woman with many atypical nevi. Her mother had melanoma at 35 and a maternal cousin "
    "also had melanoma."
)
NONCONTRIB = "A 55-year-old woman for routine mammography. Family history is noncontributory."
NO_CRC = "A 61-year-old man for screening colonoscopy. No family history of colorectal cancer or polyps."
DENIES = "A 47-year-old woman with a breast lump. She denies any family history of cancer."
ADOPTED = (
    "A 40-year-old woman for breast screening. She was adopted and her biological family history is unknown."
)
SPOUSE = (
    "A 52-year-old woman for screening colonoscopy. Her husband was recently diagnosed with colon cancer."
)
GENERIC = "A 45-year-old man for a check-up. His father had cancer, type unknown."
OWN_BRCA = "A 38-year-old woman with triple-negative breast cancer; germline testing showed a BRCA1 mutation."
OWN_NEG = (
    "A 44-year-old woman with breast cancer. Germline testing was negative for BRCA1 and BRCA2. "
    "Her mother had breast cancer at 48."
)
MOTHERS_SISTER = "A 41-year-old woman for screening. Her mother's sister had ovarian cancer."
HALF = "A 37-year-old woman for screening. Her half-sister had breast cancer at 40."
FAMILY_LIST = (
    "A 55-year-old woman. Family history: mother - breast cancer (age 45); father - colon cancer (age 70)."
)
OWN_CRC = "A 66-year-old man with stage III colon cancer after resection. His sister had breast cancer."


# Each failed before this round's family-history reading.
CASES: list[tuple[str, str, str, str]] = [
    # 1 which cancer
    (AUNTS, "Family history of colorectal cancer", INC, "included"),
    (AUNTS, "Family history of breast cancer", INC, "not included"),
    (OWN_CRC, "Family history of colorectal cancer", INC, NEI),
    (OWN_CRC, "Family history of breast cancer", INC, "included"),
    (LYNCH, "Family history of uterine cancer", INC, "included"),
    # 2 which relatives
    (AUNTS, "Colorectal cancer in a first- or second-degree relative", INC, "included"),
    (AUNTS, "Colorectal cancer in a relative on the paternal side", INC, "not included"),
    (AUNTS, "Colorectal cancer in a relative on the maternal side", INC, "included"),
    (COUSIN, "First-degree relative with colorectal cancer", INC, "not included"),
    (HBOC1, "Two or more first-degree relatives with breast cancer", INC, "not included"),
    (HBOC1, "A first-degree relative with ovarian cancer", INC, "not included"),
    (MOTHERS_SISTER, "Ovarian cancer in a second-degree relative on the maternal side", INC, "included"),
    (HALF, "Breast cancer in a first-degree relative", INC, "not included"),
    (MEL, "Melanoma in at least two relatives", INC, "included"),
    # 3 age at the relative's diagnosis
    (LYNCH, "A first-degree relative diagnosed with colorectal cancer before age 50", INC, "included"),
    (PROSTATE, "A first-degree relative with prostate cancer diagnosed before age 55", INC, "included"),
    # 4 hereditary syndromes and carriers
    (HBOC1, "Known BRCA1 or BRCA2 mutation carrier", EXC, NEI),
    (HBOC1, "Known deleterious BRCA mutation in a family member", INC, "included"),
    (HBOC1, "A family member with a known BRCA1 mutation", INC, "not included"),
    (HBOC2, "Known germline BRCA1/2 mutation", EXC, "excluded"),
    (OWN_BRCA, "Germline BRCA1 or BRCA2 mutation", INC, "included"),
    (LYNCH, "A known Lynch syndrome mutation in the family", INC, "included"),
    (LYNCH, "Family history of Lynch syndrome", INC, "included"),
    (LYNCH, "Known Lynch syndrome", EXC, NEI),
    (LYNCH, "Family history of familial adenomatous polyposis", INC, "not included"),
    (AUNTS, "Known familial mutation in a cancer susceptibility gene", INC, "not included"),
    (NONCONTRIB, "A known pathogenic mutation in a family member", INC, "not included"),
    # 5 negative or unknown family history
    (NO_CRC, "Family history of colorectal cancer", INC, "not included"),
    (NO_CRC, "A first-degree relative with colon cancer", INC, "not included"),
    (DENIES, "Family history of breast or ovarian cancer", INC, "not included"),
    (ADOPTED, "Family history of breast cancer", EXC, NEI),
    # sentence shapes
    (
        "A 45-year-old woman. Family history significant for breast cancer in her mother (age 39) and "
        "sister (age 56).",
        "Two or more first-degree relatives with breast cancer diagnosed before age 50",
        INC,
        "not included",
    ),
    (
        "A 45-year-old woman. Family history: colon cancer (father, diagnosed at 48).",
        "A first-degree relative with colorectal cancer diagnosed before age 50",
        INC,
        "included",
    ),
    (
        "A 51-year-old man. His paternal grandfather and two uncles had prostate cancer.",
        "Three or more relatives with prostate cancer on the same side of the family",
        INC,
        "included",
    ),
    (
        "A 51-year-old man. His paternal grandfather and two uncles had prostate cancer.",
        "A first-degree relative with prostate cancer",
        INC,
        "not included",
    ),
    (
        "A 33-year-old woman whose mother died of ovarian cancer in her early 40s.",
        "A first-degree relative with ovarian cancer diagnosed before age 50",
        INC,
        "included",
    ),
    # the patient's own cancer with a relative's
    (
        "A 50-year-old woman with ovarian cancer diagnosed at 48. Her maternal aunt had breast cancer.",
        "A first-degree relative with ovarian cancer",
        INC,
        NEI,
    ),
    # negative controls: not a family history of cancer
    (HBOC1, "Family history of breast cancer or a known BRCA mutation in the family", INC, "included"),
    (
        "A 40-year-old man with Lynch syndrome (MLH1) diagnosed after his colectomy.",
        "Known Lynch syndrome",
        INC,
        "included",
    ),
    # more phrasings; an age at death, the patient's own cancer beside a relative's
    (
        "A 44-year-old woman. Family history is significant for a mother with breast cancer diagnosed at 41.",
        "First-degree relative with breast cancer diagnosed before age 50",
        INC,
        "included",
    ),
    (
        "A 44-year-old woman. Her mother died of metastatic breast cancer at age 52.",
        "First-degree relative with breast cancer diagnosed before age 50",
        INC,
        NEI,
    ),
    (
        "A 62-year-old man. There is no family history of malignancy.",
        "Family history of prostate cancer",
        INC,
        "not included",
    ),
    (
        "A 62-year-old man. His family history is negative for colon cancer.",
        "Family history of colorectal cancer",
        INC,
        NEI,
    ),
    (
        FAMILY_LIST,
        "First-degree relative with colorectal cancer diagnosed before age 60",
        INC,
        "not included",
    ),
    (
        "A 70-year-old man with metastatic pancreatic cancer. His sister had pancreatic cancer.",
        "Familial pancreatic cancer (two or more first-degree relatives with pancreatic cancer)",
        INC,
        "not included",
    ),
    (
        "A 48-year-old woman. Her maternal grandmother had breast cancer in her 70s and her maternal aunt "
        "had ovarian cancer.",
        "Two or more relatives on the same side of the family with breast or ovarian cancer",
        INC,
        "included",
    ),
    (
        "A 30-year-old woman. Her father tested positive for a BRCA2 mutation; she has not been tested.",
        "Untested first-degree relative of a known BRCA1/2 mutation carrier",
        INC,
        "included",
    ),
    (
        "A 52-year-old man. Both parents had colon cancer.",
        "Two first-degree relatives with colorectal cancer",
        INC,
        "included",
    ),
    (
        "A 52-year-old man. Family history of colon cancer in his mother.",
        "Family history of colorectal cancer in a first-degree relative",
        INC,
        "included",
    ),
    (
        "A 64-year-old man with prostate cancer. No family history of prostate cancer.",
        "Family history of prostate cancer",
        EXC,
        "not excluded",
    ),
    # a criterion written negatively; an adopted patient against a family history of another disease
    (AUNTS, "No family history of colorectal cancer", INC, "not included"),
    (HBOC1, "No known BRCA mutation in the family", INC, "not included"),
    (ADOPTED, "Family history of premature coronary artery disease", EXC, NEI),
    (
        "A 57-year-old man. His father had colon cancer.",
        "Family history of colorectal cancer",
        EXC,
        "excluded",
    ),
    (
        "A 57-year-old man with colon cancer. His father had colon polyps.",
        "Family history of colorectal cancer",
        INC,
        NEI,
    ),
    (
        "A 45-year-old woman with breast cancer. Her mother is healthy.",
        "First-degree relative with breast cancer",
        INC,
        NEI,
    ),
    # as clinicians write them (abbreviations, ages in decades); the patient named before a relative
    (
        "A 46-year-old woman. Family history: Mother-breast ca at 50.",
        "First-degree relative with breast cancer",
        INC,
        "included",
    ),
    (
        "A 60-year-old man. FHx: father CRC at 55.",
        "First-degree relative with colorectal cancer diagnosed before age 60",
        INC,
        "included",
    ),
    (
        "A 42-year-old woman with a strong family history of breast cancer.",
        "First-degree relative with breast cancer",
        INC,
        NEI,
    ),
    (
        "A 66-year-old man. His father and paternal uncle both died of prostate cancer.",
        "Two or more relatives with prostate cancer",
        INC,
        "included",
    ),
    (
        "A 45-year-old woman. She has two children and was diagnosed with breast cancer at 40.",
        "Two or more first-degree relatives with breast cancer",
        INC,
        NEI,
    ),
    (
        "A 45-year-old woman. Her mother had breast cancer when she was 45.",
        "A first-degree relative with breast cancer diagnosed before age 50",
        INC,
        "included",
    ),
    (
        "A 59-year-old man. His sister was treated for colon cancer in her 40s.",
        "A first-degree relative with colorectal cancer before age 50",
        INC,
        "included",
    ),
    (
        "A 51-year-old woman. Her brother has a known MLH1 mutation.",
        "Known Lynch syndrome in a first-degree relative",
        INC,
        "included",
    ),
    (
        "A 51-year-old woman. Her cousin has Lynch syndrome.",
        "Lynch syndrome in a first-degree relative",
        INC,
        "not included",
    ),
    # an age given to another relative of the same sentence; an age after 'who had'
    (
        "A 50-year-old woman. Family history: father with MI at 50; mother with breast cancer.",
        "First-degree relative with breast cancer diagnosed before age 50",
        INC,
        NEI,
    ),
    (
        "A 50-year-old woman. Her mother, who had breast cancer at 60, is alive and well.",
        "First-degree relative with breast cancer diagnosed before age 50",
        INC,
        "not included",
    ),
    # the same side of the family (a brother, sister or child shares both sides)
    (
        "A 48-year-old woman. Her maternal grandmother had breast cancer in her 70s and her paternal aunt "
        "had ovarian cancer.",
        "Two or more relatives on the same side of the family with breast or ovarian cancer",
        INC,
        "not included",
    ),
    (
        "A 48-year-old woman. Her sister had breast cancer and her paternal aunt had ovarian cancer.",
        "Two or more relatives on the same side of the family with breast or ovarian cancer",
        INC,
        "included",
    ),
]

# Right before and kept: what the family-history reading must not change.
GUARDS: list[tuple[str, str, str, str]] = [
    # 1 which cancer
    (HBOC1, "Family history of breast or ovarian cancer", INC, "included"),
    (PROSTATE, "Family history of breast cancer", INC, NEI),
    (PANC_ONE, "Family history of pancreatic cancer", INC, "included"),
    (GENERIC, "Family history of colorectal cancer", INC, NEI),
    (GENERIC, "Family history of cancer", INC, "included"),
    (SPOUSE, "Family history of colorectal cancer", INC, NEI),
    (OWN_CRC, "Personal or family history of colorectal cancer", INC, "included"),
    # 2 which relatives
    (HBOC1, "Ovarian cancer in a first- or second-degree relative", INC, "included"),
    (PROSTATE, "At least two first-degree relatives with prostate cancer", INC, "included"),
    # 3 age at the relative's diagnosis
    (OWN_NEG, "First-degree relative with breast cancer diagnosed at age ≤ 50", INC, "included"),
    (AUNTS, "Colorectal cancer diagnosed before age 65 in a second-degree relative", INC, NEI),
    (PANC_ONE, "A first-degree relative diagnosed with pancreatic cancer before age 50", INC, NEI),
    # 4 hereditary syndromes and carriers
    (HBOC1, "Known BRCA1 or BRCA2 mutation carrier", INC, NEI),
    (HBOC2, "Known BRCA1 or BRCA2 mutation carrier", INC, "included"),
    (OWN_NEG, "Known BRCA1 or BRCA2 mutation carrier", INC, "not included"),
    (LYNCH, "Personal diagnosis of Lynch syndrome", INC, NEI),
    # 5 negative or unknown family history
    (NONCONTRIB, "Family history of breast cancer", INC, "not included"),
    (NONCONTRIB, "First-degree relative with breast cancer diagnosed before age 50", INC, "not included"),
    (DENIES, "Known BRCA1 or BRCA2 mutation carrier", INC, NEI),
    (ADOPTED, "Known BRCA mutation in a family member", INC, NEI),
    # sentence shapes
    (
        "A 45-year-old woman. Family history significant for breast cancer in her mother (age 39) and "
        "sister (age 44).",
        "Two or more first-degree relatives with breast cancer diagnosed before age 50",
        INC,
        "included",
    ),
    (
        "A 57-year-old man. Melanoma in his father and brother.",
        "Two or more first-degree relatives with melanoma",
        INC,
        "included",
    ),
    # the patient's own cancer with a relative's
    (
        "A 50-year-old woman with ovarian cancer diagnosed at 48. Her maternal aunt had breast cancer.",
        "Personal history of ovarian cancer or a family history of ovarian cancer",
        INC,
        "included",
    ),
    # negative controls: not a family history of cancer
    (HBOC1, "Family history of long QT syndrome", EXC, "not excluded"),
    (OWN_BRCA, "Prior treatment with a PARP inhibitor for BRCA-mutated breast cancer", EXC, "not excluded"),
    (OWN_CRC, "Diagnosis of familial adenomatous polyposis", EXC, "not excluded"),
    (LYNCH, "Relatives of the investigators or study staff", EXC, NEI),
    (
        NONCONTRIB,
        "Family history of breast cancer or a known BRCA mutation in the family",
        INC,
        "not included",
    ),
    (
        "A 36-year-old woman. She carries a familial BRCA2 mutation identified in her aunt.",
        "Known BRCA1 or BRCA2 mutation carrier",
        INC,
        "included",
    ),
    # an age at death bounds the age at diagnosis from above only
    (PANC, "A first-degree relative diagnosed with pancreatic cancer before age 50", INC, NEI),
    (
        "A 33-year-old woman whose mother died of ovarian cancer in her late 50s.",
        "A first-degree relative with ovarian cancer diagnosed before age 50",
        INC,
        NEI,
    ),
    # more phrasings
    (
        "A 62-year-old man. His family history is negative for colorectal cancer.",
        "Family history of colon cancer",
        INC,
        "not included",
    ),
    (
        "A 50-year-old man whose brother was diagnosed with colorectal cancer at age 47 presents for "
        "colonoscopy.",
        "A first-degree relative with colorectal cancer diagnosed before age 60",
        INC,
        "included",
    ),
    (
        "A 39-year-old woman. Her daughter had a Wilms tumor as a child.",
        "Family history of breast cancer",
        INC,
        NEI,
    ),
    (
        "A 70-year-old man with metastatic pancreatic cancer. His sister had pancreatic cancer.",
        "Patients with pancreatic cancer",
        INC,
        "included",
    ),
    (
        "A 48-year-old woman with melanoma on her back. Her father also had melanoma.",
        "History of melanoma in a first-degree relative",
        INC,
        "included",
    ),
    (
        "A 52-year-old man. Family history of colon cancer.",
        "Family history of colorectal cancer in a first-degree relative",
        INC,
        NEI,
    ),
    (
        "A 52-year-old man. Family history of colon cancer.",
        "Family history of colorectal cancer",
        INC,
        "included",
    ),
    (
        "A 64-year-old man with prostate cancer. No family history of prostate cancer.",
        "Prostate adenocarcinoma",
        INC,
        "included",
    ),
    # negative and generic family histories
    (NONCONTRIB, "No family history of breast cancer", INC, "included"),
    (ADOPTED, "Family history of schizophrenia", INC, NEI),
    (
        "A 30-year-old man. He denies any family history of heart disease.",
        "Family history of sudden cardiac death",
        EXC,
        "not excluded",
    ),
    ("A 57-year-old man. His father had colon polyps.", "Family history of colorectal cancer", INC, NEI),
    (
        "A 44-year-old woman with a left breast mass. Her mother had a mastectomy for breast cancer.",
        "Family history of breast cancer",
        INC,
        "included",
    ),
    # phrasings already right
    (
        "A 45-year-old woman. She lives with her daughter and was diagnosed with breast cancer at 40.",
        "A first-degree relative with breast cancer",
        INC,
        NEI,
    ),
    (
        "A 45-year-old woman. She reports her mother had breast cancer.",
        "A first-degree relative with breast cancer",
        INC,
        "included",
    ),
    # a test pending, under way or of uncertain significance is no known mutation
    (
        "A 41-year-old woman with breast cancer. BRCA testing is pending.",
        "Known BRCA1 or BRCA2 mutation carrier",
        INC,
        NEI,
    ),
    (
        "A 41-year-old woman with breast cancer. Her sister is undergoing BRCA testing.",
        "Known BRCA mutation in a family member",
        INC,
        NEI,
    ),
    (
        "A 41-year-old woman. Her sister carries a BRCA2 variant of uncertain significance.",
        "Known pathogenic BRCA2 mutation in a family member",
        INC,
        NEI,
    ),
    # a family history weighed by a risk model or a set of criteria is not settled by relatives
    (
        HBOC1,
        "Lifetime risk of breast cancer of 20% or more based on family history (Tyrer-Cuzick model)",
        INC,
        NEI,
    ),
    (LYNCH, "Family meeting Amsterdam II criteria for hereditary colorectal cancer", INC, NEI),
]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), CASES)
def test_family_history_of_cancer(note: str, criterion: str, kind: str, label: str) -> None:
    assert judge(read_note(note), criterion, kind).label == label  # type: ignore[arg-type]


@pytest.mark.parametrize(("note", "criterion", "kind", "label"), GUARDS)
def test_family_history_guards(note: str, criterion: str, kind: str, label: str) -> None:
    assert judge(read_note(note), criterion, kind).label == label  # type: ignore[arg-type]
