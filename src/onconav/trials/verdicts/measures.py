"""Numbers in criteria and notes: comparisons and the measures that organ-function and performance
criteria set thresholds on (with their units), read the same way from both sides. Ages are in `ages.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from onconav.trials.verdicts.body import KG_PER_LB, body_heights, body_weights
from onconav.trials.verdicts.uln import TIMES_ULN, is_multiple, own_upper_limit, raised_multiple

Comparator = Literal["<", "<=", ">", ">=", "="]

# Notes write values in different units; the size of a value tells which. Haemoglobin of 30 or more is in
# g/L (else g/dL), platelets of 1000 or more and neutrophils of 100 or more are per µL (else thousands or
# billions per litre), a temperature of 50 or more is in °F.
HEMOGLOBIN_G_PER_L_FROM = 30
# Albumin of 10 or more is in g/L (serum albumin never reaches 10 g/dL).
ALBUMIN_G_PER_L_FROM = 10
# Creatinine of 20 or more is in µmol/L (20 mg/dL is beyond any living patient's); 1 mg/dL = 88.4 µmol/L.
CREATININE_UMOL_FROM = 20
CREATININE_UMOL_PER_MG_DL = 88.4
# HbA1c of 20 or more is in mmol/mol (IFCC; a percentage that high is never seen): % = mmol/mol / 10.929 +
# 2.15. Glucose of 35 or more is in mg/dL (else mmol/L; 1 mmol/L = 18 mg/dL), LDL cholesterol of 20 or more
# in mg/dL (1 mmol/L = 38.67 mg/dL).
HBA1C_MMOL_MOL_FROM = 20
GLUCOSE_MG_DL_FROM = 35
LDL_MG_DL_FROM = 20
PLATELETS_PER_UL_FROM = 1000
NEUTROPHILS_PER_UL_FROM = 100
FAHRENHEIT_FROM = 50
# A height under 3 is in metres (else centimetres).
HEIGHT_CM_FROM = 3
# How far, in characters, a criterion's measure may stand before its comparison ("creatinine clearance of
# at least 60") and a note's number after its measure ("ECOG performance status of 1").
MEASURE_LOOK_BACK = 60
READING_REACH = 45

# Measure name: regex of its names. Order matters: longer names first ("creatinine clearance" before
# "creatinine").
MEASURES: dict[str, str] = {
    "creatinine-clearance": r"creatinine clearance|cr ?cl|crcl|clcr|e?gfr|glomerular filtration rate",
    "creatinine": r"(?:serum )?creatinine|\bcr\b",
    "hemoglobin": r"ha?emoglobin|\bhgb\b|\bhb\b",
    "hematocrit": r"ha?ematocrit|\bhct\b",
    "neutrophils": r"absolute neutrophil count|\banc\b|neutrophils?(?: count)?|\bagc\b|granulocytes",
    "platelets": r"platelets?(?: count)?|\bplt\b",
    "leukocytes": r"leu[ck]ocytes?(?: count)?|white (?:blood )?cells?(?: count)?|white count|\bwbc\b",
    "bilirubin": r"(?:total |serum )?bilirubin",
    "transaminases": r"\bast\b|\balt\b|sgot|sgpt|transaminases?|aminotransferase",
    "alkaline-phosphatase": r"alkaline phosphatase|\balk\.? ?phos\b|\balp\b",
    "albumin": r"(?:serum )?albumin",
    "inr": r"\binr\b",
    "qtc": r"\bqt(?:c[fb]?)?\b(?: interval)?",
    "lvef": r"\blvef\b|(?:left ventricular )?ejection fraction|\bef\b",
    "bmi": r"\bbmi\b|body mass index",
    # not a birth weight (the births rule's)
    "weight": r"(?<!birth )(?<!birth-)\b(?:body )?weight",
    "height": r"(?<!fundal )(?<!uterine )\b(?:body )?height\b",
    "systolic-bp": r"systolic(?: blood pressure| bp)?",
    "diastolic-bp": r"diastolic(?: blood pressure| bp)?",
    "hba1c": r"hba1c|a1c|glycated ha?emoglobin|glycosylated ha?emoglobin",
    # not "glucose-6-phosphate dehydrogenase"
    "glucose": r"(?:fasting )?(?:plasma |blood |serum )?glucose(?![- ]6)|\bfpg\b|blood sugar",
    "ldl": r"\bldl(?:[- ]c)?\b(?: cholesterol)?|low[- ]density lipoprotein(?: cholesterol)?",
    "potassium": r"potassium|\bk\+",
    "sodium": r"(?:serum |plasma )?sodium",
    "tsh": r"\btsh\b|thyroid[- ]stimulating hormone|thyrotropin",
    "ecog": r"ecog|zubrod|who performance status|who ps",
    "heart-rate": r"heart rate|\bhr\b|pulse(?: rate)?|tachycardi\w*|bradycardi\w*",
    "respiratory-rate": r"respiratory rate|\brr\b|respirations?(?: rate)?|breathing rate",
    # "fever > 38.5 °C" is a temperature threshold; "fever for 1 week" is not (a comparator must follow)
    "temperature": r"(?:body )?temperature|\btemp\b|\bt\b(?=\s*:)|"
    r"\bfever\b(?=\s*(?:of\s+)?(?:[≥>]|greater than|above|over|higher than|at least|\Z))|"
    r"\bfever\b(?=\s+(?:of|to|up to)\s+\d)",
    "oxygen-saturation": r"oxygen saturation|o2 sats?|spo2|sao2|saturation",
    "karnofsky": r"karnofsky|\bkps\b",
    "testosterone": r"(?:serum )?testosterone",
    "psa": r"\bpsa\b|prostate[- ]specific antigen",
    "mmse": r"\bmmse\b|mini[- ]mental state(?: examination| exam)?",
    # scores named with a number of their own: the name takes it ("PHQ-9 score of 18" reads 18)
    "phq9": r"\bphq[- ]?9\b|patient health questionnaire(?:[- ]9)?",
    "gad7": r"\bgad[- ]?7\b|generali[sz]ed anxiety disorder[- ]7",
    "das28": r"\bdas[- ]?28(?:[- ](?:crp|esr))?|disease activity score(?: in| of)?(?: 28 joints)?(?:[- ]28)?",
    "hamd": r"\bham[- ]?d(?:[- ]?17)?\b|\bhdrs\b|"
    r"hamilton (?:depression rating scale|rating scale for depression)(?:[- ]17)?",
    "madrs": r"\bmadrs\b|montgomery[- ]asberg depression rating scale",
    "moca": r"\bmoca\b|montreal cognitive assessment",
    "edss": r"\bedss\b|expanded disability status scale",
    "mayo": r"(?:total |full |partial |modified )?mayo(?: clinic)?(?: endoscopic)? score|"
    r"\bmayo\b(?=\s*(?:of|:|=|\d))",
    "uric-acid": r"(?:serum |plasma )?uric acid|serum urate",
    "cd4": r"\bcd4\+?(?: t[- ]?(?:cell|lymphocyte)s?| cells?| lymphocytes?)?(?: count)?",
}
_MEASURE_RES = {name: re.compile(rf"(?:{rx})", re.IGNORECASE) for name, rx in MEASURES.items()}


def names_measure(measure: str, text: str) -> bool:
    """Whether a text names a measure ("TSH within the normal range" names "tsh")."""
    return bool(_MEASURE_RES[measure].search(text))


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


_ULN_AFTER_TIMES = re.compile(r"\s*(?:the\s+)?(?:institutional\s+|local\s+)?(?:uln\b|upper|normal)", re.I)


def _times_uln(text: str, m: re.Match[str]) -> bool:
    """Whether a comparison's number counts multiples of the upper limit of normal ("2.5 x ULN"), not a
    power of ten ("100 x 10^3/uL")."""
    return bool(m.group(4)) or bool(m.group(3) and _ULN_AFTER_TIMES.match(text, m.end(3)))


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
    # Limits on different measures joined by an explicit "or" share this number ("creatinine <= 1.5 mg/dL
    # or creatinine clearance >= 50 mL/min": either will do); "and" and commas give each its own.
    either: int = field(default=0, compare=False)
    # Limits on different measures that an exclusion asks together ("ALT > 3 x ULN and total bilirubin > 2 x
    # ULN", Hy's law) share this number; every other limit has its own (any one exceeded excludes).
    together: int = field(default=0, compare=False)
    # Both ends of one range ("haemoglobin between 9 and 11 g/dL"): inside it only when both hold.
    span: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Reading:
    """A measured value in a note."""

    measure: str
    value: float
    sentence: int
    unit: str | None = None
    # The upper limit of normal the note gives beside the value ("ALT 150 U/L (ULN 40)"), in its units.
    upper_limit: float | None = None


_UNIT = re.compile(
    r"\s*(mg/dl|mg / dl|µmol/l|umol/l|mmol/l|g/dl|g/l|ml/min|%|kg/m2|kg|/mm3|/µl|/ul|x ?10\^?9/l|"
    r"mmhg|mm hg|ms|msec)",
    re.IGNORECASE,
)


def thresholds(text: str) -> list[Threshold]:
    """Every `measure comparator number [unit]` in a criterion, the measure within a few words before, with
    the limits an explicit "or" joins numbered alike (`either`)."""
    found: list[Threshold] = []
    places: list[tuple[int, int, int]] = []  # each limit's (measure name start, comparison start, end)
    pairs = [range(m.start(1), m.end()) for m in _BP_PAIR.finditer(text)]
    for m in _COMPARISON.finditer(text):
        if any(m.start() in span for span in pairs):
            continue  # "blood pressure < 140/90": both numbers read below
        unit_match = _UNIT.match(text, m.end())
        # "AST, ALT and alkaline phosphatase <= 2.5 x ULN": one limit for every measure the list names
        for name, start in _listed_measures(text, m.start()):
            if any(t.measure == name and p[1] == m.start() for t, p in zip(found, places, strict=True)):
                continue
            places.append((start, m.start(), unit_match.end() if unit_match else m.end()))
            found.append(
                Threshold(
                    measure=name,
                    op=comparator_of(m.group(1)),
                    value=parse_number(m.group(2)),
                    times_uln=_times_uln(text, m),
                    unit=unit_match.group(1).lower().replace(" ", "") if unit_match else None,
                )
            )
    for m in _POSTFIX_COMPARISON.finditer(text):
        # "systolic pressure of 160 mmHg or more": the comparator after the value
        before = text[max(0, m.start() - MEASURE_LOOK_BACK) : m.start()]
        measure = _last_measure(before)
        value = parse_number(m.group(1))
        if measure is None or any(t.measure == measure and t.value == value for t in found):
            continue  # no measure, or already read with its comparator before the value
        op: Comparator = ">=" if m.group(3).lower() in _MORE_WORDS else "<="
        unit = m.group(2)
        places.append((_measure_start(text, m.start()), m.start(), m.end()))
        found.append(Threshold(measure, op, value, unit=unit.lower().replace(" ", "") if unit else None))
    for m in _RANGE.finditer(text):
        # "MMSE score between 10 and 26", "haemoglobin 8-11 g/dL": both ends, when no comparator said them
        before = text[max(0, m.start() - MEASURE_LOOK_BACK) : m.start()]
        measure = _last_measure(before)
        # "systolic between 150 - 90": a range written high end first is the same range
        low, high = sorted((parse_number(m.group(1)), parse_number(m.group(2))))
        if measure is None or measure in _SCALES_WITH_OWN_RULE or low == high:
            continue
        if any(t.measure == measure and t.value in (low, high) for t in found):
            continue
        unit = m.group(3).lower().replace(" ", "") if m.group(3) else None
        places += [(_measure_start(text, m.start()), m.start(), m.end())] * 2
        found += [
            Threshold(measure, ">=", low, unit=unit, span=True),
            Threshold(measure, "<=", high, unit=unit, span=True),
        ]
    found = [
        _in_kilograms(text, t, p) for t, p in zip(_alternatives(text, found, places), places, strict=True)
    ]
    for m in _BP_PAIR.finditer(text):
        # "blood pressure < 140/90 mmHg": both below; "BP > 160/100": either above
        op = comparator_of(m.group(1))
        group = max((t.either for t in found), default=-1) + 1
        n = len(found)
        found += [
            Threshold("systolic-bp", op, float(m.group(2)), unit="mmhg", either=group, together=n),
            Threshold(
                "diastolic-bp",
                op,
                float(m.group(3)),
                unit="mmhg",
                either=group + op.startswith("<"),
                together=n + 1,
            ),
        ]
    if _AFEBRILE.search(text) and not any(t.measure == "temperature" for t in found):
        # "afebrile": no fever
        found.append(Threshold("temperature", "<", FEVER_CELSIUS, either=len(found), together=len(found)))
    return found


_BP_PAIR = re.compile(
    r"(?:blood pressure|\bbp\b)[^\d<>≤≥;]{0,20}?("
    + "|".join(rx for rx, _ in _COMPARATORS)
    + r")\s*(\d{2,3})\s*/\s*(\d{2,3})",
    re.I,
)


# An "or" that offers another limit: after the first limit's value (and unit, a closing bracket or a comma),
# and a few words at most before the next measure's name ("or a measured creatinine clearance").
_OR_BETWEEN = re.compile(r"[^;()]{0,30}\bor\s+(?:[a-z]+\s+){0,3}", re.I)
# Names of one measure joined by "or" just before its limit ("AST or ALT <= 2.5 x ULN") offer no other limit.
_NAMES_BEFORE = re.compile(
    "(?:" + "|".join(f"(?:{rx})" for rx in MEASURES.values()) + r")\s*(?:/|,|\band/or\b|\bor\b)\s*$", re.I
)


def _measure_start(text: str, comparison: int) -> int:
    """Where the name of the measure a comparison at `comparison` is about begins in `text`."""
    offset = max(0, comparison - MEASURE_LOOK_BACK)
    return offset + _last_measure_at(text[offset:comparison])[1]


# Links of a list of measures sharing one limit; not "or" ("creatinine or creatinine clearance >= 60" would
# give creatinine a clearance's limit; "AST or ALT" is one measure anyway).
_LIST_LINK = re.compile(r"\s*(?:,\s*(?:and\s+)?|/|&|\band\b)\s*", re.I)


def _listed_measures(text: str, comparison: int) -> list[tuple[str, int]]:
    """The measures a comparison is about, with where each name begins: the last one named before it, and
    those listed just before that one ("AST, ALT and alkaline phosphatase", "bilirubin/creatinine")."""
    listed: list[tuple[str, int]] = []
    end = comparison
    while True:
        offset = max(0, end - MEASURE_LOOK_BACK)
        name, start, stop = _last_measure_at(text[offset:end])
        if name is None or (listed and not _LIST_LINK.fullmatch(text, offset + stop, end)):
            return listed
        listed.append((name, offset + start))
        end = offset + start


# A weight limit in pounds or grams ("weight > 350 lbs", "body weight >= 2000 g"), compared in kilograms as
# notes' weights are read (`body.py`): 1 lb = 0.45359237 kg.
_WEIGHT_UNIT_AFTER = re.compile(r"\s*(lbs?|pounds?|g|grams?)\b", re.I)


def _in_kilograms(text: str, threshold: Threshold, place: tuple[int, int, int]) -> Threshold:
    if threshold.measure != "weight" or threshold.unit is not None:
        return threshold
    unit = _WEIGHT_UNIT_AFTER.match(text, place[2])
    if unit is None:
        return threshold
    factor = KG_PER_LB if unit.group(1).lower().startswith(("lb", "pound")) else 0.001
    return replace(threshold, value=threshold.value * factor, unit="kg")


# An "and" (or "with", "plus") that asks a second limit together with the first: alone between the first
# limit (its unit, a closing bracket) and the next measure's name, with a few words at most ("and a total").
_AND_BETWEEN = re.compile(
    r"\s*(?:\([^();]{0,30}\)\s*)?"
    r"(?:and|with|plus|together with|along with|accompanied by|in combination with)"
    r"\s+(?:(?:a|an|the|concurrent|concomitant|simultaneous|serum|total|direct)\s+){0,3}",
    re.I,
)
# A failed function defined by its limits ("inadequate marrow function: ANC < 1500 and platelets < 100,000")
# is the negation of adequate function, where every limit is asked: one limit failed is enough.
_FAILED_FUNCTION = re.compile(r"\b(?:inadequate|insufficient|impaired|abnormal|poor|unacceptable)\b", re.I)
# What separates limits asked each on its own: a list's comma or semicolon, a new line, "or".
_LIST_BETWEEN = re.compile(r"[,;\n]|\bor\b", re.I)


# Systolic and diastolic limits are one blood-pressure limit, either number beyond it (hypertension is a
# systolic or a diastolic pressure at or above its limit; ACC/AHA 2017): "and" between them asks no both.
_PRESSURES = {"systolic-bp", "diastolic-bp"}


def _alternatives(text: str, found: list[Threshold], places: list[tuple[int, int, int]]) -> list[Threshold]:
    """The limits numbered by their alternatives: in text order, a limit on the measure of the one before
    it ("<= 1.5 x ULN (<= 3 x ULN with Gilbert's)") or joined to it by "or" shares its number (`either`).
    Limits on different measures joined only by "and" ("creatinine > 2 mg/dL and haemoglobin < 9 g/dL")
    share another (`together`), unless the criterion lists its limits with commas, semicolons, lines or "or"
    ("creatinine > 2, bilirubin > 3 and AST > 100": each on its own)."""
    order = sorted(range(len(found)), key=lambda i: places[i][:2][::-1])
    either = [0] * len(found)
    together = list(range(len(found)))
    listed = False
    for k, i in enumerate(order):
        if k == 0:
            continue
        before = order[k - 1]
        gap = text[places[before][2] : places[i][0]]
        while (names := _NAMES_BEFORE.search(gap)) is not None:
            gap = gap[: names.start()]
        same = found[before].measure == found[i].measure
        joined = same or bool(_OR_BETWEEN.fullmatch(gap))
        either[i] = either[before] if joined else k
        pressure = {found[before].measure, found[i].measure} == _PRESSURES
        if same or ("and/or" not in gap.lower() and not pressure and _AND_BETWEEN.fullmatch(gap)):
            together[i] = together[before]
        elif places[before][2] <= places[i][0] and _LIST_BETWEEN.search(gap):
            listed = True
    if listed or _FAILED_FUNCTION.search(text):
        together = list(range(len(found)))
    return [
        Threshold(t.measure, t.op, t.value, t.times_uln, t.unit, either[i], together[i], t.span)
        for i, t in enumerate(found)
    ]


# Fever begins at 38.0 °C; "afebrile" asks a temperature below it.
FEVER_CELSIUS = 38.0
_AFEBRILE = re.compile(r"\bafebrile\b", re.I)


_SCALES_WITH_OWN_RULE = frozenset({"ecog", "karnofsky"})  # performance status has its own ranges
_RANGE = re.compile(
    r"(?:between\s+|from\s+|of\s+)?"
    + _NUMBER
    + r"(?:\s*(?:%|mg/dl|g/dl|g/l|mmhg|kg/m2))?"  # "between 7% and 10%": the unit may follow both ends
    + r"\s*(?:-|–|to|and)\s*"
    + _NUMBER
    + r"(?:\s*(mg/dl|g/dl|g/l|ml/min|%|kg/m2|kg|mmhg|mm hg|ms))?(?![\d/])",
    re.IGNORECASE,
)


_MORE_WORDS = frozenset({"more", "greater", "higher", "above", "over"})
_POSTFIX_COMPARISON = re.compile(
    _NUMBER + r"(?:\s*(mg/dl|g/dl|g/l|ml/min|%|kg/m2|kg|mmhg|mm hg|ms|/mm3|/µl|°\s?[cf]|[cf]\b))?\s*"
    r"or (more|greater|higher|above|over|less|lower|below|fewer|under)\b",
    re.IGNORECASE,
)


def _last_measure(before: str) -> str | None:
    return _last_measure_at(before)[0]


def _last_measure_at(before: str) -> tuple[str | None, int, int]:
    """The measure named last in `before`, and where its name begins and ends (the end of `before` when
    none)."""
    best: tuple[int, str, int] | None = None
    for name, rx in _MEASURE_RES.items():
        for m in rx.finditer(before):
            if best is None or m.end() > best[0]:
                best = (m.end(), name, m.start())
    return (best[1], best[2], best[0]) if best else (None, len(before), len(before))


_READING = re.compile(
    _NUMBER + r"\s*(%|mg/dl|g/dl|g/l|ml/min|kg/m2|kg|mmhg|mm hg|ng/ml|iu/l|u/l|µmol/l|umol/l|ms)?",
    re.IGNORECASE,
)


# Temperatures a body can have, in °C and in °F: any other number after "fever" is something else.
_BODY_TEMPERATURES = ((30.0, 45.0), (86.0, 113.0))
# Cell counts written in thousands per µL (or billions per litre) are below this; per µL, above it.
COUNT_PER_UL_FROM = 1000
_COUNTS = frozenset({"platelets", "leukocytes", "neutrophils"})


def plausible(measure: str, value: float) -> bool:
    """Whether a number read after a measure's name can be that measure (a temperature of 3 is not)."""
    if measure == "temperature":
        return any(low <= value <= high for low, high in _BODY_TEMPERATURES)
    return True


# Measures whose two units differ by a factor, told apart by size: (measure, the size from which a value is
# in the larger unit, the factor).
_SIZE_UNITS = (("glucose", GLUCOSE_MG_DL_FROM, 18.0), ("ldl", LDL_MG_DL_FROM, 38.67))


def on_scale_of(measure: str, value: float, bound: float) -> float:
    """A note's value on the scale of a criterion's bound: cell counts per µL or in thousands,
    temperatures in °C or °F, haemoglobin in g/dL or g/L, and creatinine in mg/dL or µmol/L, are told apart
    by their size."""
    if measure == "hemoglobin":
        if bound >= HEMOGLOBIN_G_PER_L_FROM > value:
            return value * 10
        if value >= HEMOGLOBIN_G_PER_L_FROM > bound:
            return value / 10
    if measure == "creatinine":
        if bound >= CREATININE_UMOL_FROM > value:
            return value * CREATININE_UMOL_PER_MG_DL
        if value >= CREATININE_UMOL_FROM > bound:
            return value / CREATININE_UMOL_PER_MG_DL
    for name, split, factor in _SIZE_UNITS:
        if measure == name and bound >= split > value:
            return value * factor
        if measure == name and value >= split > bound:
            return value / factor
    if measure == "hba1c":
        if bound >= HBA1C_MMOL_MOL_FROM > value:
            return (value - 2.15) * 10.929
        if value >= HBA1C_MMOL_MOL_FROM > bound:
            return value / 10.929 + 2.15
    if measure in _COUNTS:
        # neutrophils per µL from 100 (an ANC of 100 x 10^9/L is never seen; 500/µL is severe neutropenia)
        split = NEUTROPHILS_PER_UL_FROM if measure == "neutrophils" else COUNT_PER_UL_FROM
        if bound >= split > value:
            return value * 1000
        if value >= split > bound:
            return value / 1000
    if measure == "albumin":
        if bound >= ALBUMIN_G_PER_L_FROM > value:
            return value * 10
        if value >= ALBUMIN_G_PER_L_FROM > bound:
            return value / 10
    if measure == "height" and bound < HEIGHT_CM_FROM <= value:
        return value / 100  # "height of at least 1.5 m"; notes' heights are read in centimetres
    if measure == "temperature":
        if bound >= FAHRENHEIT_FROM > value:
            return value * 9 / 5 + 32
        if value >= FAHRENHEIT_FROM > bound:
            return (value - 32) * 5 / 9
    return value


# The words between a measure and its value, any number of them: "ECOG performance status is 1".
_READING_LINKS = (
    r"(?:\s*(?:(?:of|was|were|is|are|at|to|up to|score|status|performance status|ps|grade)\b|[=:]))*\s*"
)


# A value reached by a change: "creatinine was elevated at 2.4", "haemoglobin dropped to 7.2", "platelets fell
# from 180,000 to 40,000" (the value now, not the one before, nor a change "by" some amount).
_CHANGED_TO = (
    r"(?:(?:elevated|raised|increased|decreased|reduced|dropped|fallen|fell|rose|risen|declined|improved|"
    r"worsened|down|up)\s+(?:from\s+\d+(?:[.,]\d+)*\s*(?:[a-zµ/%^0-9]+\s+)?)?(?:to|at)\s+)?"
)
_A_TIME = re.compile(r"\s*(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?)\b", re.I)
_COUNTS_NOT_SHARES = frozenset({"cd4"})
# Read in kilograms and centimetres by `body.py`, units converted and weight changes left out.
_BODY_READ_APART = frozenset({"weight", "height"})


def readings(sentence: str, index: int) -> list[Reading]:
    """Measured values in one note sentence: a measure name followed within a few words by a number."""
    found = [Reading("weight", kg, index, "kg") for kg in body_weights(sentence)]
    found += [Reading("height", cm, index, "cm") for cm in body_heights(sentence)]
    for name, rx in _MEASURE_RES.items():
        if name in _BODY_READ_APART:
            continue
        for m in rx.finditer(sentence):
            # (reaching further for the note's own upper limit after the value)
            after = re.sub(r"^\s*\([^)]{1,12}\)", "", sentence[m.end() : m.end() + 2 * READING_REACH])
            num = re.match(
                _READING_LINKS + _CHANGED_TO + r"(?:of\s+|measured at\s+)?" + _NUMBER,
                after,
                re.IGNORECASE,
            )
            if num is None:
                times = raised_multiple(after)  # "ALT elevated to 5 times the upper limit of normal"
                if times is not None:
                    found.append(Reading(name, times, index, TIMES_ULN))
                continue
            unit = _READING.match(after, num.start(1))
            if not plausible(name, parse_number(num.group(1))) or _A_TIME.match(after, num.end(1)):
                continue  # "creatinine at 3 months was 1.2": a time, not the value
            if is_multiple(after, num.end(1)):  # "ALT 5 x ULN"
                found.append(Reading(name, parse_number(num.group(1)), index, TIMES_ULN))
                continue
            own = own_upper_limit(after, unit.end() if unit else num.end(1))
            if name in _COUNTS_NOT_SHARES and unit and (unit.group(2) or "") == "%":
                continue  # "CD4 12%" is a share of the lymphocytes, not the count a criterion asks
            found.append(
                Reading(
                    measure=name,
                    value=parse_number(num.group(1)),
                    sentence=index,
                    unit=(unit.group(2) or "").lower() or None if unit else None,
                    upper_limit=own,
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
    # "febrile seizures as a toddler" say nothing of today's temperature
    r"febrile(?!\s+(?:seizure|convulsion|fit)s?\b)|pyrexi\w*": ("temperature", 38.1),
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
