"""Typed names match directory names despite typos, abbreviations, initials, hyphens and spacing; source
spellings in capitals read well on the page."""

from __future__ import annotations

import pytest

from onconav.directory.names import display_name, match_score, name_words, read_typed_name

DANA_FARBER = "DANA - FARBER CANCER INSTITUTE"  # as HIFLD spells it
MGH = "MASSACHUSETTS GENERAL HOSPITAL"
MD_ANDERSON = "UNIVERSITY OF TEXAS M.D. ANDERSON CANCER CENTER"
BIDMC = "BETH ISRAEL DEACONESS MEDICAL CENTER"
BRIGHAM = "BRIGHAM AND WOMEN'S HOSPITAL"
NAMES = [DANA_FARBER, MGH, MD_ANDERSON, BIDMC, BRIGHAM, "BRIGHAM AND WOMEN'S FAULKNER HOSPITAL"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Dana-Farber", DANA_FARBER),
        ("dana farber", DANA_FARBER),
        ("danafarber", DANA_FARBER),  # spacing
        ("Dana Farbre", DANA_FARBER),  # a typo
        ("dfci", DANA_FARBER),  # initials
        ("mass general", MGH),  # an abbreviation people use
        ("Mass. Gen. Hosp.", MGH),
        ("MGH", MGH),
        ("md anderson", MD_ANDERSON),
        ("M.D. Anderson", MD_ANDERSON),
        ("anderson cancer ctr", MD_ANDERSON),
        ("bidmc", BIDMC),
        ("Beth Israel", BIDMC),
        ("brigham", BRIGHAM),  # the shorter name wins over the Faulkner campus
        ("Brigham & Women's", BRIGHAM),
    ],
)
def test_a_typed_name_finds_the_place_meant_first(typed: str, meant: str) -> None:
    query = read_typed_name(typed)
    scores = {name: match_score(query, name) for name in NAMES}
    best = max(scores, key=lambda name: scores[name])
    assert best == meant and scores[meant] >= 75
    assert sorted(scores.values())[-2] < scores[meant]


def test_every_typed_word_must_match_a_word_of_the_name() -> None:
    assert match_score(read_typed_name("dana farber"), MGH) == 0
    assert match_score(read_typed_name("general farber"), MGH) == 0
    assert match_score(read_typed_name("ge"), MGH) == 0  # too short to be a prefix
    assert match_score(read_typed_name("the"), MGH) == 0  # nothing left to match


def test_doctor_words_say_a_person_is_meant() -> None:
    typed = read_typed_name("Dr. Lee")
    assert typed.doctor and typed.words == ("lee",)
    assert match_score(typed, "Ana Lee") > match_score(typed, "Leeanne Park") > 0
    assert not read_typed_name("Lee Memorial Hospital").doctor
    assert name_words("St. Mary's Med. Ctr, LLC") == ["saint", "marys", "medical", "center"]


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (DANA_FARBER, "Dana-Farber Cancer Institute"),
        (MD_ANDERSON, "University of Texas M.D. Anderson Cancer Center"),
        ("UT MD ANDERSON CANCER CENTER", "UT M.D. Anderson Cancer Center"),
        ("CSP ANESTHESIA LLC", "CSP Anesthesia LLC"),
        ("ACME HEALTH, LLC", "Acme Health, LLC"),
        (BRIGHAM, "Brigham and Women's Hospital"),
        ("ST. MARY'S VA MEDICAL CENTER", "St. Mary's VA Medical Center"),
        ("MCLEAN HOSPITAL", "McLean Hospital"),
        ("UCSF MEDICAL CENTER (MOUNT ZION)", "UCSF Medical Center (Mount Zion)"),
        ("Massachusetts General Hospital", "Massachusetts General Hospital"),  # mixed case: kept
        ("Beth Israel Deaconess Med Ctr - West", "Beth Israel Deaconess Med Ctr-West"),
    ],
)
def test_source_spellings_are_shown_readably(source: str, shown: str) -> None:
    assert display_name(source) == shown
