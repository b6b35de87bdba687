"""Symptom scores a note states in words: a pain score criterion ("pain of 3/10 or more") against the
note's score, or its words for the pain ("severe" is 7 or more, "moderate" 4 to 6, "mild" 1 to 3).
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.measures import compare
from onconav.trials.verdicts.note import NoteFacts

_CRITERION_PAIN = re.compile(
    r"\bpain\b[^.;]{0,40}?"
    r"(?P<op>≥|>=|>|greater than or equal to|greater than|at least|of at least|more than)\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10|on a (?:0-10|10-point) scale|cm)",
    re.I,
)
_NOTE_SCORE = re.compile(r"\bpain\b[^.]{0,60}?\b(?P<value>\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10)", re.I)
# The lowest score each word for pain stands for (on a 0-10 numeric rating scale).
_PAIN_WORDS = {
    "excruciating": 8.0,
    "unbearable": 8.0,
    "severe": 7.0,
    "intense": 7.0,
    "extreme": 8.0,
    "moderate": 4.0,
    "mild": 1.0,
}
_NOTE_WORDS = re.compile(r"\b(?P<word>" + "|".join(_PAIN_WORDS) + r")(?:ly)?\b(?:\s+\w+){0,3}\s+pain\b", re.I)
_DENIED = re.compile(r"\b(?:no|denies|denied|without|not)\b[^.,;]{0,20}$", re.I)
_OPS = {"≥": ">=", ">=": ">=", ">": ">", "greater than": ">", "more than": ">"}


def pain_score(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A minimum pain score against the score (or the words) the note gives."""
    m = _CRITERION_PAIN.search(criterion.text)
    if m is None:
        return None
    op = _OPS.get(m.group("op").lower(), ">=")
    wanted = float(m.group("value"))
    for i, sentence in enumerate(note.sentences):
        given = _NOTE_SCORE.search(sentence)
        if given is not None:
            met = compare(float(given.group("value")), op, wanted)  # type: ignore[arg-type]
            label = positive_label(kind) if met else negative_label(kind)
            return label, i, N_("The note gives the pain score.")
    for i, sentence in enumerate(note.sentences):
        word = _NOTE_WORDS.search(sentence)
        if word is not None and _DENIED.search(sentence[: word.start()]):
            continue
        if word is not None and compare(_PAIN_WORDS[word.group("word").lower()], op, wanted):  # type: ignore[arg-type]
            return positive_label(kind), i, N_("The note describes the pain as at least that strong.")
    return None
