"""Ages: the ages a criterion admits (numbers, ranges, and words such as "adults", "minors", "infants",
"elderly") and the patient's age as a note states it (numbers, words, months, newborns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.trials.verdicts.measures import _COMPARISON, comparator_of, parse_number

# Ages: oldest plausible, and where adulthood begins ("adults", "minors"); the words of age this many
# characters around a comparison make it an age.
OLDEST_AGE = 120
ADULT_AGE = 18
AGE_WORDS_REACH = 25

AGE_CONTEXT = re.compile(
    r"\b(ages?d?|years?|yrs?|y/?o|old|adults?|minors?|child(?:ren)?|pediatric|months? of age|months? old|"
    r"infants?|newborns?|neonat\w*|elderly)\b",
    re.IGNORECASE,
)
_UNIT = r"(hours?|days?|weeks?|months?|years?|yrs?)"
_AGE_RANGE = re.compile(
    r"(\d{1,3}(?:\.\d)?)\s*" + _UNIT + r"?\s*(?:-|–|to|and|through)\s*(?:less than\s*|<\s*)?"
    r"(\d{1,3})\s*" + _UNIT + "?",
    re.IGNORECASE,
)
_AGE_OR_OLDER = re.compile(
    r"(\d{1,3})\s*(?:years?|yrs?)?\s*(?:of age\s*)?(?:or|and)\s*(older|over|above|more|greater)",
    re.IGNORECASE,
)
_AGE_OR_YOUNGER = re.compile(
    r"(\d{1,3})\s*(?:years?|yrs?)?\s*(?:of age\s*)?(?:or|and)\s*(younger|under|less|below)", re.IGNORECASE
)

# "Women older than 50 years", "younger than 16": the comparison is the age's own word.
_OLDER_OR_YOUNGER_THAN = re.compile(r"\b(older|younger) than (\d{1,3})\b\s*" + _UNIT + "?", re.I)
# A unit of age right after a compared number ("less than 7 days old", "≥ 12 months").
_UNIT_AFTER = re.compile(r"\s*" + _UNIT + r"\b", re.I)


@dataclass(frozen=True)
class AgeRange:
    """Ages in years a criterion admits; None bounds are open."""

    minimum: float | None
    maximum: float | None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def admits(self, age: float) -> bool:
        """Whether the criterion admits a patient of this age."""
        if self.minimum is not None and (
            age < self.minimum or (age == self.minimum and not self.min_inclusive)
        ):
            return False
        return not (
            self.maximum is not None
            and (age > self.maximum or (age == self.maximum and not self.max_inclusive))
        )


_PER_YEAR = {"hour": 24 * 365.0, "day": 365.0, "week": 52.0, "month": 12.0}


def _years(value: str | float, unit: str | None) -> float:
    number = float(value)
    return number / _PER_YEAR.get((unit or "").lower().rstrip("s"), 1.0)


# Ages named by a word, narrowest first: a neonate is up to 28 days old; an infant is under 2 years (some
# trials say 1, so only older children fall outside); the elderly are 65 or older.
NEONATE_YEARS = 28 / 365
INFANT_YEARS = 2.0
ELDERLY_AGE = 65.0
_AGE_WORDS = (
    (r"\bneonat\w*|\bnewborns?\b", AgeRange(None, NEONATE_YEARS)),
    (r"\binfants?\b(?!\s+or\s+child)", AgeRange(None, INFANT_YEARS, max_inclusive=False)),
    (r"\belderly\b", AgeRange(ELDERLY_AGE, None)),
)


_GESTATIONAL = re.compile(r"\bgestation|\bweeks? pregnant\b", re.I)


def age_range(text: str) -> AgeRange | None:
    """The ages a criterion admits, if it speaks of age."""
    if not AGE_CONTEXT.search(text) or _GESTATIONAL.search(text):
        return None  # "gestational age 24 to 34 weeks" is the pregnancy's age, not the patient's
    lowered = text.lower()
    if m := _AGE_RANGE.search(text):
        low, high = _years(m.group(1), m.group(2) or m.group(4)), _years(m.group(3), m.group(4))
        if 0 <= low < high <= OLDEST_AGE and (re.search(r"\bages?d?\b|years|yrs|old", lowered)):
            upper_strict = bool(
                re.search(r"(?:less than|<)\s*" + re.escape(m.group(3)), text[m.start() : m.end()])
            )
            return AgeRange(low, high, max_inclusive=not upper_strict)
    if m := _OLDER_OR_YOUNGER_THAN.search(text):
        limit = _years(m.group(2), m.group(3))
        if m.group(1).lower() == "older":
            return AgeRange(limit, None, min_inclusive=False)
        return AgeRange(None, limit, max_inclusive=False)
    if m := _AGE_OR_OLDER.search(text):
        return AgeRange(float(m.group(1)), None)
    if m := _AGE_OR_YOUNGER.search(text):
        return AgeRange(None, float(m.group(1)))
    for m in _COMPARISON.finditer(text):
        if m.group(3) or m.group(4):  # "2.5 x ULN", "100 x 10^3": not an age
            continue
        value = parse_number(m.group(2))
        context = text[max(0, m.start() - AGE_WORDS_REACH) : m.end() + AGE_WORDS_REACH].lower()
        if re.match(r"\s*(?:%|mg|g/|ml|mm|kg|cm|/|-?\s*packs?\b|pack[- ]?years?)", text[m.end() :]):
            continue
        if not re.search(r"\bages?d?\b|year|yrs|\bold\b", context) or value > OLDEST_AGE:
            continue
        if unit := _UNIT_AFTER.match(text[m.end() :]):
            value = _years(value, unit.group(1))
        op = comparator_of(m.group(1))
        if op in (">", ">="):
            return AgeRange(value, None, min_inclusive=op == ">=")
        if op in ("<", "<="):
            return AgeRange(None, value, max_inclusive=op == "<=")
    for words, ages in _AGE_WORDS:
        if re.search(words, lowered):
            return ages
    if re.search(r"\bminors?\b|\bchild(?:ren)?\b|\bpediatric\b", lowered):
        return AgeRange(None, ADULT_AGE, max_inclusive=False)
    if re.search(r"\badults?\b", lowered):
        return AgeRange(ADULT_AGE, None)
    return None


_NOTE_AGE = re.compile(
    r"(\d{1,3})[- ]?(?:(year|yr|month|week|day|hour)s?[- ]?old|(yo|y/o|y\.o\.?|years? of age|year|yr)(?!\w))",
    re.IGNORECASE,
)
# "Woman aged 45", "Age: 45" (not "diagnosed at age 30", which dates an event).
_NOTE_AGE_LABEL = re.compile(r"\baged\s+(\d{1,3})\b|\bage\s*:\s*(\d{1,3})\b", re.I)
_NEWBORN = re.compile(r"\b(?:newborn|neonate)\b", re.I)
NEWBORN_AGE = 1 / 365


# "an 8 mo boy": months written short, only before who the patient is (not "3 mo of cough").
_NOTE_AGE_MONTHS = re.compile(
    r"\b(\d{1,2})[- ]?(?:mo|mos|m/o|months?)\b(?=[- ](?:old|boy|girl|male|female|infant|baby|child|"
    r"toddler|man|woman)\b)",
    re.I,
)
_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
_UNITS += "seventeen eighteen nineteen"
_UNIT_VALUES = {w: i + 1 for i, w in enumerate(_UNITS.split())}
_TENS_VALUES = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
}
# "A forty-two-year-old woman": ages written in words.
_NOTE_AGE_WORDS = re.compile(
    r"\b(?:(?P<tens>"
    + "|".join(_TENS_VALUES)
    + r")(?:[- ](?P<unit>"
    + "|".join(list(_UNIT_VALUES)[:9])
    + r"))?|"
    r"(?P<small>" + "|".join(sorted(_UNIT_VALUES, key=len, reverse=True)) + r"))"
    r"[- ](?P<measure>year|month|week|day)s?[- ]old\b",
    re.I,
)


def _age_in_words(text: str) -> tuple[float, str] | None:
    """An age written in words ("seventy-two-year-old") as a number and its unit."""
    m = _NOTE_AGE_WORDS.search(text)
    if m is None:
        return None
    if m.group("tens"):
        value = _TENS_VALUES[m.group("tens").lower()] + _UNIT_VALUES.get((m.group("unit") or "").lower(), 0)
    else:
        value = _UNIT_VALUES[m.group("small").lower()]
    return float(value), m.group("measure").lower()


def note_age(text: str) -> float | None:
    """The patient's age in years from the first age phrase of a note."""
    m = _NOTE_AGE.search(text)
    if m is None:
        if months := _NOTE_AGE_MONTHS.search(text):
            return float(months.group(1)) / 12
        if labelled := _NOTE_AGE_LABEL.search(text):
            return float(labelled.group(1) or labelled.group(2))
        if _NEWBORN.search(text) and _age_in_words(text) is None:
            return NEWBORN_AGE
        in_words = _age_in_words(text)
        if in_words is None:
            return None
        value, unit = in_words
    else:
        unit = (m.group(2) or "year").lower()
        value = float(m.group(1))
    return (
        value / 12
        if unit == "month"
        else value / 52
        if unit == "week"
        else value / 365
        if unit == "day"
        else value / (24 * 365)
        if unit == "hour"
        else value
    )
