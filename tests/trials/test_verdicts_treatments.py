"""Inclusions clearly not met, in phrasings written for these tests: cancer medicines and regimens read as
the treatment classes criteria name, a wild-type gene that has none of its variants, and a Karnofsky range
against an ECOG grade.
"""

from __future__ import annotations

import pytest

from onconav.trials.verdicts import judge, read_note
from onconav.trials.verdicts.answers import Kind

PRETREATED_COLON = read_note(
    "Mr R. is 67. His sigmoid adenocarcinoma spread to the liver; he had six months of FOLFOX with "
    "bevacizumab, then progressed. Tumour testing: RAS wild-type, BRAF negative, MSS. He has never "
    "received irinotecan. He is in bed most of the day (ECOG 3)."
)
FIT_LUNG = read_note(
    "A 58-year-old woman with lung adenocarcinoma, on pembrolizumab since March, remains fully active "
    "apart from heavy work (ECOG 1)."
)


@pytest.mark.parametrize(
    ("note", "criterion", "kind", "expected"),
    [
        (PRETREATED_COLON, "Chemotherapy-naive patients: no prior chemotherapy", "inclusion", "not included"),
        (
            PRETREATED_COLON,
            "Previous platinum-based chemotherapy for metastatic disease",
            "inclusion",
            "included",
        ),
        (PRETREATED_COLON, "Prior therapy with an anti-VEGF agent", "exclusion", "excluded"),
        (PRETREATED_COLON, "Must have progressed on irinotecan", "inclusion", "not included"),
        (FIT_LUNG, "Prior treatment with an anti-PD-1 or anti-PD-L1 antibody", "exclusion", "excluded"),
        (FIT_LUNG, "Patients previously treated with immunotherapy", "inclusion", "included"),
    ],
)
def test_cancer_medicines_count_as_the_treatment_class_named(
    note: object, criterion: str, kind: Kind, expected: str
) -> None:
    assert judge(note, criterion, kind).label == expected  # type: ignore[arg-type]


def test_a_wild_type_gene_has_none_of_its_variants() -> None:
    verdict = judge(PRETREATED_COLON, "Tumour harbouring a BRAF V600E mutation", "inclusion")
    assert verdict.label == "not included"
    assert verdict.evidence is not None and "BRAF negative" in verdict.evidence
    assert judge(FIT_LUNG, "Tumour harbouring a BRAF V600E mutation", "inclusion").label == (
        "not enough information"
    )


@pytest.mark.parametrize(
    ("criterion", "colon", "lung"),
    [
        ("Karnofsky performance status >= 70", "not included", "included"),
        ("Karnofsky performance status of at least 80", "not included", "not enough information"),
        ("Karnofsky performance status >= 30", "included", "included"),
    ],
)
def test_a_karnofsky_range_is_judged_from_the_ecog_grade(criterion: str, colon: str, lung: str) -> None:
    assert judge(PRETREATED_COLON, criterion, "inclusion").label == colon
    assert judge(FIT_LUNG, criterion, "inclusion").label == lung


GIVEN_CHEMOTHERAPY = read_note(
    "A 61-year-old man with stage IV lung squamous cell carcinoma. He completed four cycles of cisplatin "
    "and gemcitabine last spring. Performance status ECOG 1."
)
UNTREATED = read_note("A 61-year-old man, just diagnosed with stage IV lung squamous cell carcinoma. ECOG 1.")


@pytest.mark.parametrize(
    ("note", "criterion", "expected"),
    [
        # The medicines given are chemotherapies; the note neither says "chemotherapy" nor counts lines.
        (GIVEN_CHEMOTHERAPY, "Chemonaive squamous NSCLC", "not included"),
        (GIVEN_CHEMOTHERAPY, "Chemotherapy-naive for advanced or metastatic disease", "not included"),
        (UNTREATED, "Chemonaive squamous NSCLC", "included"),
    ],
)
def test_treatment_naive_inclusions_read_the_medicines_given(
    note: object, criterion: str, expected: str
) -> None:
    verdict = judge(note, criterion, "inclusion")  # type: ignore[arg-type]
    assert verdict.label == expected, verdict.reason
