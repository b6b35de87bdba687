"""Numbers in criteria and notes: ages, comparisons, and the measures that organ-function and performance
criteria set thresholds on (with their units), read the same way from both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Comparator = Literal["<", "<=", ">", ">=", "="]

# Notes write values in different units; the size of a value tells which. Haemoglobin of 30 or more is in
# g/L (else g/dL), platelets of 1000 or more and neutrophils of 100 or more are per µL (else thousands or
# billions per litre), a temperature of 50 or more is in °F.
HEMOGLOBIN_G_PER_L_FROM = 30
PLATELETS_PER_UL_FROM = 1000
NEUTROPHILS_PER_UL_FROM = 100
FAHRENHEIT_FROM = 50
# How far, in characters, a criterion's measure may stand before its comparison ("creatinine clearance of
# at least 60") and a note's number after its measure ("ECOG performance status of 1").
MEASURE_LOOK_BACK = 60
READING_REACH = 45
# Ages: oldest plausible, and where adulthood begins ("adults", "minors"); the words of age this many
# characters around a comparison make it an age.
OLDEST_AGE = 120
ADULT_AGE = 18
AGE_WORDS_REACH = 25

# Measure name: regex of its names. Order matters: longer names first ("creatinine clearance" before
# "creatinine").
MEASURES: dict[str, str] = {
    "creatinine-clearance": r"creatinine clearance|cr ?cl|crcl|clcr|e?gfr|glomerular filtration rate",
    "creatinine": r"(?:serum )?creatinine|\bcr\b",
    "hemoglobin": r"ha?emoglobin|\bhgb\b|\bhb\b",
    "hematocrit": r"ha?ematocrit|\bhct\b",
    "neutrophils": r"absolute neutrophil count|\banc\b|neutrophils?(?: count)?|\bagc\b|granulocytes",
    "platelets": r"platelets?(?: count)?|\bplt\b",
    "leukocytes": r"leukocytes?|white blood cells?(?: count)?|\bwbc\b",
    "bilirubin": r"(?:total |serum )?bilirubin",
    "transaminases": r"\bast\b|\balt\b|sgot|sgpt|transaminases?|aminotransferase",
    "albumin": r"(?:serum )?albumin",
    "inr": r"\binr\b",
    "qtc": r"\bqtc?\b(?: interval)?",
    "lvef": r"\blvef\b|(?:left ventricular )?ejection fraction|\bef\b",
    "bmi": r"\bbmi\b|body mass index",
    "weight": r"(?:body )?weight",
    "systolic-bp": r"systolic(?: blood pressure| bp)?",
    "diastolic-bp": r"diastolic(?: blood pressure| bp)?",
    "hba1c": r"hba1c|a1c|glycated ha?emoglobin",
    "potassium": r"potassium|\bk\+",
    "ecog": r"ecog|zubrod|who performance status|who ps",
    "heart-rate": r"heart rate|\bhr\b|pulse(?: rate)?",
    "respiratory-rate": r"respiratory rate|\brr\b|respirations?(?: rate)?|breathing rate",
    # "fever > 38.5 °C" is a temperature threshold; "fever for 1 week" is not (a comparator must follow)
    "temperature": r"(?:body )?temperature|\btemp\b|\bt\b(?=\s*:)|"
    r"\bfever\b(?=\s*(?:of\s+)?(?:[≥>]|greater than|above|over|higher than|at least|\Z))",
    "oxygen-saturation": r"oxygen saturation|o2 sats?|spo2|sao2|saturation",
    "karnofsky": r"karnofsky|\bkps\b",
}
_MEASURE_RES = {name: re.compile(rf"(?:{rx})", re.IGNORECASE) for name, rx in MEASURES.items()}

_COMPARATORS: list[tuple[str, Comparator]] = [
    (
        r"≥|>=|=>|greater than or equal to|more than or equal to|at least|not less than|no less than|"
        r"minimum of",
        ">=",
    ),
    (
        r"≤|<=|=<|less than or equal to|up to|not more than|no more than|not greater than|maximum of|at most",
        "<=",
    ),
    (r">|greater than|more than|higher than|above|over|exceeding|exceeds|in excess of", ">"),
    (r"<|less than|lower than|below|under|fewer than", "<"),
]
_NUMBER = r"(\d+(?:[.,]\d+)*)"
_COMPARISON = re.compile(
    "("
    + "|".join(rx for rx, _ in _COMPARATORS)
    + r")\s*(?:of\s+)?"
    + _NUMBER
    + r"\s*(x|×|times)?\s*(uln|upper limit)?",
    re.IGNORECASE,
)


def parse_number(text: str) -> float:
    """'100,000' -> 100000.0; '1,5' -> 1.5 (a decimal comma)."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def comparator_of(words: str) -> Comparator:
    """The comparator a comparison phrase says."""
    for rx, op in _COMPARATORS:
        if re.fullmatch(rx, words.strip(), re.IGNORECASE):
            return op
    return "="


def compare(value: float, op: Comparator, bound: float) -> bool:
    """Whether `value op bound` holds."""
    return {
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
        "=": value == bound,
    }[op]


@dataclass(frozen=True)
class Threshold:
    """One numeric condition of a criterion: `measure op value`, possibly in multiples of the upper limit."""

    measure: str
    op: Comparator
    value: float
    times_uln: bool = False
    unit: str | None = None


@dataclass(frozen=True)
class Reading:
    """A measured value in a note."""

    measure: str
    value: float
    sentence: int
    unit: str | None = None


_UNIT = re.compile(
    r"\s*(mg/dl|mg / dl|µmol/l|umol/l|mmol/l|g/dl|g/l|ml/min|%|kg/m2|kg|/mm3|/µl|/ul|x ?10\^?9/l|"
    r"mmhg|mm hg|ms|msec)",
    re.IGNORECASE,
)


def thresholds(text: str) -> list[Threshold]:
    """Every `measure comparator number [unit]` in a criterion, the measure within a few words before."""
    found = []
    for m in _COMPARISON.finditer(text):
        before = text[max(0, m.start() - MEASURE_LOOK_BACK) : m.start()]
        measure = _last_measure(before)
        if measure is None:
            continue
        unit_match = _UNIT.match(text, m.end())
        found.append(
            Threshold(
                measure=measure,
                op=comparator_of(m.group(1)),
                value=parse_number(m.group(2)),
                times_uln=bool(m.group(3) or m.group(4)),
                unit=unit_match.group(1).lower().replace(" ", "") if unit_match else None,
            )
        )
    return found


def _last_measure(before: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, rx in _MEASURE_RES.items():
        for m in rx.finditer(before):
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


_READING = re.compile(
    _NUMBER + r"\s*(%|mg/dl|g/dl|g/l|ml/min|kg/m2|kg|mmhg|mm hg|ng/ml|u/l|ms)?", re.IGNORECASE
)


def readings(sentence: str, index: int) -> list[Reading]:
    """Measured values in one note sentence: a measure name followed within a few words by a number."""
    found = []
    for name, rx in _MEASURE_RES.items():
        for m in rx.finditer(sentence):
            after = re.sub(r"^\s*\([^)]{1,12}\)", "", sentence[m.end() : m.end() + READING_REACH])
            num = re.match(
                r"\s*(?:of|was|is|=|:|at|score|status|performance status|ps)?\s*(?:of\s+)?" + _NUMBER,
                after,
                re.IGNORECASE,
            )
            if num is None:
                continue
            unit = _READING.match(after, num.start(1))
            found.append(
                Reading(
                    measure=name,
                    value=parse_number(num.group(1)),
                    sentence=index,
                    unit=(unit.group(2) or "").lower() or None if unit else None,
                )
            )
    found.extend(_qualitative(sentence, index))
    bp = re.search(r"(?:blood pressure|\bbp\b)\D{0,12}(\d{2,3})\s*/\s*(\d{2,3})", sentence, re.IGNORECASE)
    if bp:
        found.append(Reading("systolic-bp", float(bp.group(1)), index, "mmhg"))
        found.append(Reading("diastolic-bp", float(bp.group(2)), index, "mmhg"))
    return found


# Words that state a vital sign's range without its number: tachycardia is a heart rate over 100/min.
_QUALITATIVE = {
    r"tachycardi\w*": ("heart-rate", 101.0),
    r"bradycardi\w*": ("heart-rate", 59.0),
    r"tachypne\w*": ("respiratory-rate", 21.0),
    r"febrile|pyrexi\w*": ("temperature", 38.1),
    r"afebrile": ("temperature", 37.0),
}


def _qualitative(sentence: str, index: int) -> list[Reading]:
    found = []
    for rx, (measure, value) in _QUALITATIVE.items():
        if re.search(rf"\b(?:{rx})", sentence, re.I) and not re.search(
            rf"\b(?:no|not|denies)\s+(?:{rx})", sentence, re.I
        ):
            found.append(Reading(measure, value, index, "implied"))
    return found


# ------------------------------------------------------------------------------------------------ ages
AGE_CONTEXT = re.compile(
    r"\b(ages?d?|years?|yrs?|y/?o|old|adults?|minors?|child(?:ren)?|pediatric|months? of age|months? old|"
    r"infants?|newborns?|neonat\w*|elderly)\b",
    re.IGNORECASE,
)
_AGE_RANGE = re.compile(
    r"(\d{1,3}(?:\.\d)?)\s*(months?|years?|yrs?)?\s*(?:-|–|to|and|through)\s*(?:less than\s*|<\s*)?"
    r"(\d{1,3})\s*(months?|years?|yrs?)?",
    re.IGNORECASE,
)
_AGE_OR_OLDER = re.compile(
    r"(\d{1,3})\s*(?:years?|yrs?)?\s*(?:of age\s*)?(?:or|and)\s*(older|over|above|more|greater)",
    re.IGNORECASE,
)
_AGE_OR_YOUNGER = re.compile(
    r"(\d{1,3})\s*(?:years?|yrs?)?\s*(?:of age\s*)?(?:or|and)\s*(younger|under|less|below)", re.IGNORECASE
)


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


def _years(value: str, unit: str | None) -> float:
    number = float(value)
    return number / 12 if unit and unit.lower().startswith("month") else number


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
def age_range(text: str) -> AgeRange | None:
    """The ages a criterion admits, if it speaks of age."""
    if not AGE_CONTEXT.search(text):
        return None
    lowered = text.lower()
    if m := _AGE_RANGE.search(text):
        low, high = _years(m.group(1), m.group(2) or m.group(4)), _years(m.group(3), m.group(4))
        if 0 <= low < high <= OLDEST_AGE and (re.search(r"\bages?d?\b|years|yrs|old", lowered)):
            upper_strict = bool(
                re.search(r"(?:less than|<)\s*" + re.escape(m.group(3)), text[m.start() : m.end()])
            )
            return AgeRange(low, high, max_inclusive=not upper_strict)
    if m := _AGE_OR_OLDER.search(text):
        return AgeRange(float(m.group(1)), None)
    if m := _AGE_OR_YOUNGER.search(text):
        return AgeRange(None, float(m.group(1)))
    for m in _COMPARISON.finditer(text):
        if m.group(3) or m.group(4):
            continue
        value = parse_number(m.group(2))
        context = text[max(0, m.start() - AGE_WORDS_REACH) : m.end() + AGE_WORDS_REACH].lower()
        if re.match(r"\s*(?:%|mg|g/|ml|mm|kg|cm|/|-?\s*packs?\b|pack[- ]?years?)", text[m.end() :]):
            continue
        if not re.search(r"\bages?d?\b|year|yrs|\bold\b", context) or value > OLDEST_AGE:
            continue
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
    r"(\d{1,3})[- ]?(?:(year|yr|month|week|day)s?[- ]?old|(yo|y/o|y\.o\.?|years? of age|year|yr)(?!\w))",
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
        else value
    )
