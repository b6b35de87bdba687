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
