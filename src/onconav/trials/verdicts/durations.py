"""How long the illness has lasted: an inclusion asking for symptoms of less (or more) than a given time
is not met when the note states a duration clearly on the other side ("symptoms for less than 48 hours"
against "a 5-day history of cough"). Only durations of the illness count, not events ("two weeks ago"),
except when the note says the illness began then ("the cough started 3 days ago"). Words for a time of day
bound it: "since this morning" is less than a day, "since yesterday" less than two.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems

HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 24.0 * 7, "month": 24.0 * 30, "year": 24.0 * 365}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14,
}  # fmt: skip
AMOUNT = r"(\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
UNIT = r"(minute|min|hour|hr|h|day|week|wk|month|mo|year|yr)s?\b"
_UNITS = {"min": "minute", "hr": "hour", "h": "hour", "wk": "week", "mo": "month", "yr": "year"}
# The note: "for 3 days", "over the past two weeks", "a 5-day history of", "3 days of fever".
_NOTE_DURATION = re.compile(
    r"\b(?:for|over|past|last|x)\s+(?:the\s+)?(?:past\s+|last\s+)?"
    + AMOUNT
    + r"\s*-?\s*"
    + UNIT
    + r"(?!\s+ago)|\b"
    + AMOUNT
    + r"[- ]"
    + UNIT
    + r"\s+(?:history|duration)\b|\b"
    + AMOUNT
    + r"\s+"
    + UNIT
    + r"\s+of\s+(?!age\b)|\b"
    + AMOUNT
    + r"\s+"
    + UNIT
    + r"\s+after (?:the\s+)?(?:onset|start|beginning)\b",
    re.I,
)
# "Since this morning", "started yesterday": the least and the most the illness can have lasted (hours).
_SINCE_DAY = r"(?:this|today'?s?) (?:morning|afternoon|evening)|today|last night|waking(?: up)?|tonight"
_SINCE_YESTERDAY = r"yesterday(?: (?:morning|afternoon|evening))?|the (?:day|night|evening) before"
_NOTE_SINCE = re.compile(
    r"\b(?:since\s+|(?:began|begun|started|developed|came on)\s+(?:\w+\s+)?)(?:(?P<day>"
    + _SINCE_DAY
    + r")|(?P<yesterday>"
    + _SINCE_YESTERDAY
    + r"))\b",
    re.I,
)
_NOTE_BEGAN_AGO = re.compile(
    r"\b(?:began|begun|started|developed|onset(?: was)?)\s+(?:about\s+|approximately\s+|some\s+)?"
    + AMOUNT
    + r"\s*-?\s*"
    + UNIT
    + r"\s+ago\b",
    re.I,
)
DAY_HOURS = 24.0
_LESS = r"(?:less than|fewer than|shorter than|no more than|not more than|up to|within|under|<|≤|<=)"
_MORE = r"(?:more than|longer than|at least|greater than|over|>|≥|>=)"
# The criterion: "symptom onset within 72 hours", "duration of symptoms < 7 days", "cough for at least
# 3 weeks", "within the last 24 hours"; or the limit first: "within 48 hours of symptom onset".
_LIMIT = (
    r"(?:(?P<less>" + _LESS + r")|(?P<more>" + _MORE + r"))\s*(?:the\s+)?(?:last\s+|past\s+|first\s+)?"
    r"(?P<amount>" + AMOUNT[1:-1] + r")\s*(?P<unit>" + UNIT[1:]
)
_ASKED = re.compile(
    r"\b(?:symptoms?|onset|duration|illness|complaints?|lasting|for|of)\b[^.;]{0,40}?\b" + _LIMIT, re.I
)
_ASKED_LIMIT_FIRST = re.compile(
    r"\b" + _LIMIT + r"\s+(?:of|from|after|since)\s+(?:the\s+)?(?:first\s+)?(?:[a-z]+\s+){0,2}?"
    r"(?:symptoms?|onset)\b",
    re.I,
)
# A condition the note gives as known before the presentation has its own duration, not the presentation's.
_KNOWN_BEFORE = re.compile(
    r"\b(?:history|known|chronic|long[- ]?standing|previous(?:ly)?|prior|since|years?|months?|ago|"
    r"diagnosed|takes|taking|treated|on)\b",
    re.I,
)
_ABOUT_THE_ILLNESS = re.compile(r"\b(?:symptoms?|onset|illness|complaints?)\b", re.I)


def hours(amount: str, unit: str) -> float:
    value = float(_NUMBER_WORDS.get(amount.lower(), 0) or amount)
    unit = unit.lower()
    return value * HOURS[_UNITS.get(unit, unit)]


def _note_durations(note: NoteFacts, sentence: int | None) -> list[tuple[float, float, int]]:
    """The illness durations the note states (the least and the most, in hours), in one sentence or in the
    whole note, in the order the note gives them."""
    found: list[tuple[float, float, int]] = []
    for i, text in enumerate(note.sentences):
        if sentence is not None and i != sentence:
            continue
        here: list[tuple[int, float, float]] = []
        for m in (*_NOTE_DURATION.finditer(text), *_NOTE_BEGAN_AGO.finditer(text)):
            groups = [g for g in m.groups() if g]
            lasted = hours(groups[0], groups[1])
            here.append((m.start(), lasted, lasted))
        for m in _NOTE_SINCE.finditer(text):
            here.append((m.start(), 0.0, DAY_HOURS if m.group("day") else 2 * DAY_HOURS))
        found.extend((low, high, i) for _, low, high in sorted(here))
    return found


def _sentence_naming(note: NoteFacts, criterion: CriterionFacts) -> int | None:
    """The first note sentence holding every content word of the criterion besides those of time."""
    wanted = stems(tuple(w for w in criterion.words if w not in _TIME_WORDS and w not in _NUMBER_WORDS))
    if not wanted:
        return None
    return next((i for i, words in enumerate(note.words) if wanted <= stems(words)), None)


def illness_duration(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion asking for an illness shorter or longer than a given time, against the note's duration."""
    if kind != "inclusion":
        return None
    asked = _ASKED.search(criterion.text) or _ASKED_LIMIT_FIRST.search(criterion.text)
    if asked is None:
        return None
    limit = hours(asked.group("amount"), asked.group("unit"))
    if asked.re is _ASKED_LIMIT_FIRST or _ABOUT_THE_ILLNESS.search(
        criterion.text[: asked.start("less") if asked.group("less") else asked.start("more")]
    ):
        durations = _note_durations(note, None)[:1]  # the presenting illness comes first
    else:
        named = [m.concept for m in criterion.mentions]
        state = concept_state(note, tuple(named)) if named else None
        sentence = state[1] if state is not None and state[0] == "affirmed" else None
        if sentence is None and not named:
            sentence = _sentence_naming(note, criterion)  # "sore throat for less than 3 days"
        if sentence is None:
            return None
        durations = _note_durations(note, sentence)
        if not durations and sentence > 0 and not _KNOWN_BEFORE.search(note.sentences[sentence]):
            # found on the work-up of the presenting illness: it has lasted as long as that illness
            durations = _note_durations(note, None)[:1]
    if not durations:
        return None
    least, most, sentence = durations[0]
    too_long = asked.group("less") is not None and least > limit
    too_short = asked.group("more") is not None and most < limit
    if too_long or too_short:
        return (
            "not included",
            sentence,
            N_("The note states how long the illness has lasted, outside this limit."),
        )
    unsure = most > limit if asked.group("less") is not None else least < limit
    if _asks_only_the_time(criterion) and not unsure:
        return "included", sentence, N_("The note states how long the illness has lasted, within this limit.")
    return None


# Words of the time limit itself ("onset of symptoms within the last 12 hours"); a criterion with other
# words ("productive cough for at least 3 weeks with ...") asks more than the duration.
_TIME_WORDS_TEXT = """
symptom symptoms onset duration illness complaint complaints lasting for of at least less more than within
the last past first hour hours hr hrs h day days week weeks wk month months mo year years yr a an and
presenting presentation from since after before under over up to no not longer shorter greater fewer with
enrolment enrollment enrolled randomisation randomization randomised randomized inclusion admission arrival
"""
_TIME_WORDS = frozenset(_TIME_WORDS_TEXT.split())


def _asks_only_the_time(criterion: CriterionFacts) -> bool:
    named = {i for m in criterion.mentions for i in range(m.first, m.last)}
    return all(
        i in named or w in _TIME_WORDS or w[0].isdigit() or w in _NUMBER_WORDS
        for i, w in enumerate(criterion.words)
    )
