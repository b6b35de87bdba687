"""A daily dose a criterion sets on a medicine ("prednisone > 10 mg/day or equivalent", "metformin at least
1500 mg/day") against the dose the note says the patient takes now ("prednisone 40 mg daily", "metformin
1000 mg twice daily": 2000 mg a day). Corticosteroids compare as prednisone equivalents (standard
glucocorticoid equivalence: prednisone 5 mg = prednisolone 5 = methylprednisolone 4 = triamcinolone 4 =
hydrocortisone 20 = cortisone 25 = dexamethasone 0.75); weekly doses count a seventh a day. A dose
without how often it is taken, a past one, or a dose per kilogram or square metre settles nothing here.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import is_medication
from onconav.trials.verdicts.measures import comparator_of, compare
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors, tokenize

_COMPARATOR = (
    r"≥|>=|≤|<=|>|<|at least|more than|greater than|less than|above|below|exceeding|over|up to|"
    r"no more than|not more than|higher than|lower than|in excess of"
)
# "prednisone > 10 mg/day", "a dose of at least 1500 mg per day"; not "2 mg/kg", "75 mg/m2"
_CRITERION_DOSE = re.compile(r"(" + _COMPARATOR + r")\s*(\d+(?:\.\d+)?)\s*mg\b(?!\s*/\s*(?:kg|m2|m²))", re.I)
_PER_WEEK = re.compile(r"mg\s*(?:/\s*(?:week|wk)|per week|weekly|a week)", re.I)
# How many times a day: the words after the dose in the note.
_TIMES_A_DAY = (
    (r"twice (?:a |per )?week|twice weekly", 2 / 7),
    (r"once (?:a |per )?week|\bweekly\b|every week|(?:a|per|/)\s*week", 1 / 7),
    (r"four times (?:a |per )?day|four times daily|\bqid\b|q\.i\.d|every 6 hours|q6h", 4.0),
    (r"three times (?:a |per )?day|three times daily|\btid\b|t\.i\.d|every 8 hours|q8h", 3.0),
    (r"twice (?:a |per )?day|twice daily|\bbid\b|b\.i\.d|every 12 hours|q12h", 2.0),
    (
        r"once (?:a |per )?day|once daily|\bdaily\b|a day|per day|/\s*day|\bqd\b|\bod\b|every morning|"
        r"at night|nightly|at bedtime|\bqhs\b|\bqam\b",
        1.0,
    ),
)
_NOTE_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b(?!\s*/\s*(?:kg|m2|m²))", re.I)
_DOSE_REACH = 40  # characters from the medicine's name to its dose
_FREQUENCY_REACH = 40  # and from the dose to how often
_PAST = re.compile(
    r"\b(?:stopped|discontinued|previously|formerly|ago|until|tapered off|used to|was on)\b", re.I
)
_STABLE = re.compile(r"\bstable\b|\bfor at least\b|\bfor (?:the )?(?:past|last)?\s*\d", re.I)
# Milligrams of prednisone one milligram of each corticosteroid equals.
PREDNISONE_EQUIVALENT = {
    "prednisone": 1.0,
    "prednisolone": 1.0,
    "methylprednisolone": 1.25,
    "triamcinolone": 1.25,
    "hydrocortisone": 0.25,
    "cortisone": 0.2,
    "dexamethasone": 20 / 3,
}
_STEROID_NAME = re.compile(r"\b(" + "|".join(PREDNISONE_EQUIVALENT) + r")\b", re.I)


def _dosed(concept: str) -> bool:
    return "corticosteroids" in ancestors(concept) or any(is_medication(c) for c in ancestors(concept))


def _steroid(text: str) -> str | None:
    hit = _STEROID_NAME.search(text)
    return hit.group(1).lower() if hit else None


def daily_dose(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """The note's current daily dose of the medicine a criterion sets a daily dose on."""
    if "mg" not in criterion.text.lower():
        return None  # no dose in milligrams: nothing to compare (a cheap test before the pattern)
    limit = _CRITERION_DOSE.search(criterion.text)
    if limit is None or criterion.negated_subject:
        return None
    asked = {m.concept for m in criterion.mentions if m.polarity == "affirmed" and _dosed(m.concept)}
    if len(asked) != 1:
        return None
    concept = asked.pop()
    op, bound = comparator_of(limit.group(1)), float(limit.group(2))
    if _PER_WEEK.search(criterion.text):
        bound /= 7  # "methotrexate <= 25 mg/week": compared a day at a time
    # "corticosteroids > 10 mg/day of prednisone or equivalent": doses as prednisone unless another is named
    reference = _steroid(criterion.text) or "prednisone"
    for said in note.mentions:
        if said.polarity != "affirmed" or concept not in ancestors(said.concept):
            continue
        sentence = note.sentences[said.sentence]
        dose = _dose_of(sentence, said.last)
        if dose is None or _PAST.search(sentence):
            continue
        taken = _steroid(" ".join(t.raw for t in tokenize(sentence)[said.first : said.last]))
        if taken is not None:
            dose = dose * PREDNISONE_EQUIVALENT[taken] / PREDNISONE_EQUIVALENT[reference]
        met = compare(dose, op, bound)
        if met and kind == "inclusion" and _STABLE.search(criterion.text):
            return None  # the dose is right; how long it has been taken is not said here
        return (
            positive_label(kind) if met else negative_label(kind),
            said.sentence,
            N_("The note gives the daily dose this criterion sets a limit on."),
        )
    return None


def _dose_of(sentence: str, last_word: int) -> float | None:
    """The daily dose written just after the medicine's name (its last word is `last_word`)."""
    tokens = tokenize(sentence)
    start = (
        tokens[last_word - 1].start + len(tokens[last_word - 1].raw) if 0 < last_word <= len(tokens) else 0
    )
    hit = _NOTE_DOSE.search(sentence, start, start + _DOSE_REACH)
    if hit is None:
        return None
    after = sentence[hit.end() : hit.end() + _FREQUENCY_REACH]
    for rx, times in _TIMES_A_DAY:
        if re.match(r"\s*(?:\w+\s+){0,2}?(?:" + rx + ")", after, re.I):
            return float(hit.group(1)) * times
    return None
