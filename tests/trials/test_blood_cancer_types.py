"""Blood cancers read to their OncoTree type: a chronic lymphocytic leukaemia is lymphoid, not the myeloid
leukaemia the catalogue's broad "leukemia" maps to; a myeloma is a plasma cell myeloma. Our own notes."""

from __future__ import annotations

import pytest

from onconav.trials import oncotree
from onconav.trials.profile import understand
from onconav.trials.schemas import PatientProfile


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("A 70-year-old woman with CLL on ibrutinib.", "CLLSLL"),
        ("A 70-year-old woman with chronic lymphocytic leukemia, Rai stage II.", "CLLSLL"),
        ("A 66-year-old man with multiple myeloma relapsed after lenalidomide.", "PCM"),
        ("A 34-year-old man with newly diagnosed acute myeloid leukemia.", "AML"),
        ("A 51-year-old woman with chronic myeloid leukaemia on imatinib.", "CML"),
        ("A 6-year-old boy with acute lymphoblastic leukemia in remission.", "LNM"),
    ],
)
def test_a_blood_cancer_is_read_to_its_type(note: str, expected: str) -> None:
    assert understand(PatientProfile(note=note)).cancer_types == (expected,)


def test_a_lymphoid_leukaemia_is_another_cancer_than_a_myeloid_one() -> None:
    cll = understand(
        PatientProfile(note="A 70-year-old woman with chronic lymphocytic leukemia.")
    ).cancer_types
    assert oncotree.relation(cll[0], "AML") is None
    assert oncotree.relation(cll[0], "LYMPH") == "broader"
    myeloma = understand(PatientProfile(note="A 66-year-old man with multiple myeloma.")).cancer_types
    assert oncotree.relation(myeloma[0], "CLLSLL") is None


def test_a_phrase_inside_a_longer_one_names_nothing_else() -> None:
    assert oncotree.types_named("chronic lymphocytic leukemia") == ("CLLSLL",)
    # two cancers named apart are both kept
    assert set(oncotree.types_named("melanoma in 2010; now chronic lymphocytic leukemia")) == {
        "MEL",
        "CLLSLL",
    }
