"""A test's result: a criterion asking a positive (or negative) result of a test the note reports with
the other result ("positive rapid strep test" against "a rapid strep test is negative") is not met. The
note's clause must name the test in the criterion's own words; a result the note does not report stays
open (a rule never reads "negative HBcAb" into a note that gives no such test).
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems

_POSITIVE = re.compile(
    r"\bpositive\b|(?<!not )(?<!been )\bdetected\b|(?<!non-)(?<!non)\breactive\b|\bisolated\b|\bgrew\b", re.I
)
_NEGATIVE = re.compile(
    r"\bnegative\b|\bnot (?:been )?detected\b|\bundetectable\b|\bnon-?reactive\b|\bno growth\b|"
    r"\bunremarkable\b",
    re.I,
)
_CLAUSES = re.compile(r"[;,]|\bbut\b|\bwhile\b|\bwhereas\b", re.I)
# Words of the result, not of the test: they never name the test.
_RESULT_WORDS = frozenset({"posit", "negat", "detec", "react", "resul", "findi", "level", "value"})
# At least this share of the test's words, and this many, must stand in the note's clause.
SHARE = 0.6
MIN_WORDS = 1


def _polarity(text: str) -> str | None:
    negative, positive = bool(_NEGATIVE.search(text)), bool(_POSITIVE.search(text))
    if negative == positive:
        return None
    return "negative" if negative else "positive"


def reported_result(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A test result the criterion asks, against the same test's result in the note."""
    if criterion.negated_subject or len(criterion.words) > 12 or re.search(r"\bor\b|/", criterion.text):
        return None
    asked = _polarity(criterion.text)
    if asked is None:
        return None
    wanted = stems(criterion.words) - _RESULT_WORDS
    if len(wanted) < MIN_WORDS:
        return None
    for i, sentence in enumerate(note.sentences):
        for clause in _CLAUSES.split(sentence):
            said = _polarity(clause)
            if said is None:
                continue
            shared = wanted & stems(tuple(re.findall(r"[a-z0-9]+", clause.lower())))
            if len(shared) < MIN_WORDS or len(shared) / len(wanted) < SHARE:
                continue
            if said != asked:
                return negative_label(kind), i, N_("The note reports this test with the other result.")
            if shared == wanted:
                return positive_label(kind), i, N_("The note reports this test with this result.")
    return None
