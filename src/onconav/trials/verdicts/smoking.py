"""Smoking as a criterion asks it: now ("current smokers"), ever ("history of smoking", "pack-years"),
before but no longer ("former smokers") or never ("never smokers"), against what the note says of the
patient's smoking. A former smoker is not a current one, and "denies smoking" is read as never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import other_words

_ABOUT_SMOKING = re.compile(r"\bsmok\w*|\btobacco\b|\bcigar\w*", re.I)
_ASKS_NEVER = re.compile(
    r"\bnever[- ]smok\w*|\bnever (?:have |having )?smoked\b|\bnon-?smok\w*|\blifelong non", re.I
)
_ASKS_FORMER = re.compile(r"\bformer\b|\bex-?smok\w*|\bquit\w*|\bstopped smoking|\bquitters?\b", re.I)
_ASKS_EVER = re.compile(
    r"\bhistory of (?:\w+ )?(?:smoking|tobacco|cigarette)|\bsmoking history\b|\bever smok\w*|"
    r"\bpack[- ]?years?\b|\bcurrent or former\b|\bformer or current\b",
    re.I,
)
_ASKS_CURRENT = re.compile(r"\bcurrent\w*|\bactive\b|\bsmokers?\b|\bsmokes\b|\bdaily smok", re.I)
# Words of a smoking criterion itself; more than this many others and it asks something else too.
OTHER_WORDS = 3
_OWN_WORDS_TEXT = """
current currently active smoker smokers smoking smoke smokes smoked tobacco cigarette cigarettes use user
users of history former ex never non nonsmoker nonsmokers or and patients patient subjects who are is a an
the with status ever pack packs year years
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())

_NOTE_NEVER = re.compile(
    r"\bnever (?:a )?smok\w*|\bnon-?smoker\b|\bdenies (?:any )?(?:tobacco|smoking|cigarette)|"
    r"\bdoes(?: not|n't) smoke\b|\bno (?:history of )?(?:tobacco|smoking)\b|\bdenies (?:[\w,]+ ){0,4}smoking",
    re.I,
)
_NOTE_FORMER = re.compile(
    r"\bquit\w*|\bformer smoker\b|\bex-?smoker\b|\bstopped smoking\b|\bpreviously smoked\b|"
    r"\bsmoked\b[^.]*\buntil\b",
    re.I,
)
_NOTE_CURRENT = re.compile(
    r"\bsmokes\b|\bcurrent(?:ly)? smok\w*|\bactive smoker\b|\bis a smoker\b|\bcontinues to smoke\b|"
    r"\bpacks? (?:per|a) day\b|\bcigarettes? (?:per|a) day\b",
    re.I,
)
_NOTE_EVER = re.compile(
    r"\bsmoked\b|\bpack[- ]?years?\b|\bhistory of (?:\w+ )?(?:smoking|tobacco)\b|\bsmoker\b", re.I
)


@dataclass(frozen=True)
class SmokingStatus:
    """What the note says of smoking: now and ever (None: not said), and the sentence that says it."""

    current: bool | None
    ever: bool | None
    sentence: int


def smoking_status(note: NoteFacts) -> SmokingStatus | None:
    """The patient's smoking as the note states it; None when the note is silent."""
    for i, sentence in enumerate(note.sentences):
        if not _ABOUT_SMOKING.search(sentence) and not _NOTE_FORMER.search(sentence):
            continue
        if _NOTE_NEVER.search(sentence):
            return SmokingStatus(current=False, ever=False, sentence=i)
        if _NOTE_FORMER.search(sentence) and _ABOUT_SMOKING.search(sentence):
            return SmokingStatus(current=False, ever=True, sentence=i)
        if _NOTE_CURRENT.search(sentence):
            return SmokingStatus(current=True, ever=True, sentence=i)
        if _NOTE_EVER.search(sentence):
            return SmokingStatus(current=None, ever=True, sentence=i)
    return None


def _asked(text: str) -> str | None:
    if _ASKS_NEVER.search(text):
        return "never"
    if _ASKS_EVER.search(text):
        return "ever"
    if _ASKS_FORMER.search(text):
        return "former"
    if _ASKS_CURRENT.search(text):
        return "current"
    return None


def _holds(asked: str, status: SmokingStatus) -> bool | None:
    if asked == "current":
        return status.current
    if asked == "ever":
        return status.ever
    if asked == "never":
        return None if status.ever is None else not status.ever
    if status.current or status.ever is False:  # asked "former"
        return False
    return True if status.ever and status.current is False else None


# "At least 10 pack-years", "≥ 20 pack years", "30 pack-years or more", "less than 5 pack-years".
_CRITERION_PACKS = re.compile(
    r"(?P<op>at least|more than|greater than|over|less than|fewer than|under|≥|>=|>|≤|<=|<)?\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<plus>\+|or more|or greater)?\s*(?:-\s*)?packs?[- ]?years?"
    r"(?:\s*(?P<after>\+|or more|or greater))?",
    re.I,
)
_NOTE_PACKS = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)[- ]?packs?[- ]?years?|packs?[- ]?years?\D{0,12}(?P<m>\d+)", re.I
)
_AT_LEAST = frozenset({"at least", "more than", "greater than", "over", "≥", ">=", ">"})
_PACK_WORDS = frozenset({"at", "least", "more", "than", "greater", "over", "less", "fewer", "under"})


def _pack_years(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A pack-year floor or ceiling against the pack-years the note gives."""
    asked = _CRITERION_PACKS.search(criterion.text)
    if asked is None or other_words(criterion.text, _OWN_WORDS | _PACK_WORDS) > OTHER_WORDS:
        return None
    for i, sentence in enumerate(note.sentences):
        said = _NOTE_PACKS.search(sentence)
        if said is None:
            continue
        value = float(said.group("n") or said.group("m"))
        limit = float(asked.group("n"))
        op = (asked.group("op") or "").lower()
        if op in _AT_LEAST or asked.group("plus") or asked.group("after"):
            holds = value > limit if op in {"more than", "greater than", "over", ">"} else value >= limit
        elif op:
            holds = value < limit if op in {"less than", "fewer than", "under", "<"} else value <= limit
        else:
            return None
        label = positive_label(kind) if holds else negative_label(kind)
        return label, i, (N_("The note gives %(value)s pack-years."), {"value": f"{value:g}"})
    return None


def smoking(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Smoking criteria against the note's smoking status."""
    if "pack" in criterion.text.lower() and (packs := _pack_years(note, criterion, kind)):
        return packs
    if not _ABOUT_SMOKING.search(criterion.text) or criterion.thresholds:
        return None
    asked = _asked(criterion.text)
    status = smoking_status(note)
    if asked is None or status is None:
        return None
    holds = _holds(asked, status)
    if holds is None:
        return None
    if not holds:
        return negative_label(kind), status.sentence, N_("The note says how the patient smokes or smoked.")
    if other_words(criterion.text, _OWN_WORDS) > OTHER_WORDS or re.search(r"\d", criterion.text):
        return None  # "smokers with chronic bronchitis", "30 pack-years or more" ask more
    return positive_label(kind), status.sentence, N_("The note says how the patient smokes or smoked.")
