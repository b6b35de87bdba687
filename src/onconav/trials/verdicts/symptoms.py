"""Symptom scores a note states in words: a pain score criterion ("pain of 3/10 or more", "moderate to severe
pain") against the note's score ("rated 8/10", "9/10 chest pain"), or its words for the pain, each a range
on the 0-10 numeric rating scale: "mild" is 1 to 3, "moderate" 4 to 6, "severe" 7 to 10, "excruciating"
8 to 10, "the worst pain of her life" 10. A word meets the criterion when its whole range does ("severe" for
4 or more), fails it when none of its range does ("mild" for 4 or more), and leaves it open otherwise
("mild" for 2 or more). A denied pain says nothing.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.measures import Comparator, compare
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems

_CRITERION_PAIN = re.compile(
    r"\b(?:pain|nrs|vas|numeric(?:al)? rating scale|visual analog(?:ue)? scale)\b[^.;]{0,40}?"
    r"(?P<op>≥|>=|>|greater than or equal to|greater than|at least|of at least|more than)\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10|on (?:a|the) (?:0-10|10-point|numeric)\b|cm)",
    re.I,
)
# "Moderate to severe pain", "moderate or severe pain", "at least moderate pain": 4 or more; "severe pain": 7.
_CRITERION_WORDS = re.compile(
    r"\b(?:(?P<moderate>moderate(?:\s*(?:-|to|or|/|and/or)\s*|-to-)severe|at least moderate)|"
    r"(?P<severe>severe))\s+(?:\w+\s+){0,2}?pain\b",
    re.I,
)
_NOTE_SCORE = re.compile(
    r"\bpain\b[^.]{0,60}?\b(?P<value>\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10)|"
    r"\b(?P<before>\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10)\b(?:\s+[\w-]+){0,3}?\s+(?:pain|headache)\b",
    re.I,
)
# The range of scores each word for pain stands for (on a 0-10 numeric rating scale).
_PAIN_WORDS = {
    "excruciating": (8.0, 10.0),
    "unbearable": (8.0, 10.0),
    "extreme": (8.0, 10.0),
    "severe": (7.0, 10.0),
    "intense": (7.0, 10.0),
    "moderate": (4.0, 6.0),
    "mild": (1.0, 3.0),
}
_WORST = (10.0, 10.0)
_NOTE_WORDS = re.compile(
    r"\b(?P<word>" + "|".join(_PAIN_WORDS) + r")(?:ly)?\b(?:\s+[\w-]+){0,3}?\s+(?:pain|headache)s?\b|"
    r"\b(?P<worst>worst)\s+(?:\w+\s+){0,2}?(?:pain|headache)s?\s+(?:of|in)\s+(?:his|her|my|their|the)"
    r"\s+life\b",
    re.I,
)
_DENIED = re.compile(r"\b(?:no|denies|denied|without|not)\b[^.,;]{0,20}$", re.I)
_OPS: dict[str, Comparator] = {"≥": ">=", ">=": ">=", ">": ">", "greater than": ">", "more than": ">"}
# Words of a pain criterion itself; any other word (a cause, a place) must be in the note's pain sentence.
_PAIN_CRITERION_WORDS_TEXT = """
moderate severe at least to or and pain pains intensity intense score scale rating numeric nrs vas
patients patient with having reported report
"""
_PAIN_CRITERION_WORDS = frozenset(_PAIN_CRITERION_WORDS_TEXT.split())


def _asked(criterion: CriterionFacts) -> tuple[Comparator, float, bool] | None:
    """The comparator and score the criterion asks, and whether it asks them in words."""
    m = _CRITERION_PAIN.search(criterion.text)
    if m is not None:
        return _OPS.get(m.group("op").lower(), ">="), float(m.group("value")), False
    words = _CRITERION_WORDS.search(criterion.text)
    if words is None:
        return None
    return ">=", (4.0 if words.group("moderate") else 7.0), True


def _note_pain_words(note: NoteFacts) -> list[tuple[tuple[float, float], int]]:
    """The ranges the note's (not denied) words for pain stand for, with their sentences."""
    found = []
    for i, sentence in enumerate(note.sentences):
        for word in _NOTE_WORDS.finditer(sentence):
            if _DENIED.search(sentence[: word.start()]):
                continue
            rng = _WORST if word.group("worst") else _PAIN_WORDS[word.group("word").lower()]
            found.append((rng, i))
    return found


def pain_score(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A minimum pain score against the score (or the words) the note gives."""
    asked = _asked(criterion)
    if asked is None:
        return None
    op, wanted, in_words = asked
    for i, sentence in enumerate(note.sentences):
        given = _NOTE_SCORE.search(sentence)
        if given is not None:
            value = float(given.group("value") or given.group("before"))
            met = compare(value, op, wanted)
            if met and in_words and not _rest_said(note, criterion, i):
                return None
            label = positive_label(kind) if met else negative_label(kind)
            return label, i, N_("The note gives the pain score.")
    said = _note_pain_words(note)
    for (low, _high), i in said:
        if compare(low, op, wanted) and (not in_words or _rest_said(note, criterion, i)):
            return positive_label(kind), i, N_("The note describes the pain as at least that strong.")
    if said and all(not compare(high, op, wanted) for (_low, high), _ in said):
        if re.search(r"\bor\b", criterion.text.replace("moderate or severe", ""), re.I):
            return None  # another alternative may hold
        return negative_label(kind), said[0][1], N_("The note describes the pain as milder than that.")
    return None


def _rest_said(note: NoteFacts, criterion: CriterionFacts, sentence: int) -> bool:
    """Whether the note's pain sentence holds the criterion's words besides those of the pain score
    ("moderate to severe abdominal pain"; not "... after knee surgery" for a kidney stone)."""
    rest = stems(tuple(w for w in criterion.words if w not in _PAIN_CRITERION_WORDS))
    return rest <= stems(note.words[sentence])
