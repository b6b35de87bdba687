"""The patient's body weight and height in a note sentence ("weighs 70 kg", "a 15-kg boy", "weight 154 lb",
"height 5 ft 10 in"), in kilograms and centimetres, and the body mass index computed from them.

Never the body weight: a change of weight ("lost 5 kg", "weight gain of 10 lb"), a dose per kilogram
("10 mg/kg"), a weight at birth (the births rule reads it), a usual, previous or ideal weight, or a
relative's. Conversions are exact by definition: 1 lb = 0.45359237 kg, 1 in = 2.54 cm (international yard
and pound agreement, 1959). BMI is weight in kilograms over the square of height in metres (WHO).
"""

from __future__ import annotations

import re

KG_PER_LB = 0.45359237
CM_PER_INCH = 2.54
# Weights and heights a living patient can have (kg, cm); any other number is something else.
BODY_WEIGHT_KG = (0.3, 350.0)
BODY_HEIGHT_CM = (30.0, 250.0)

_NUM = r"(\d+(?:\.\d+)?)"
_WEIGHT_UNIT = r"(kgs?\b|kilo(?:gram)?s?\b|g\b|grams?\b|lbs?\b|pounds?\b)"
# A weight that is not the patient's own today.
_NOT_OWN = re.compile(
    r"\b(?:birth|usual|previous|prior|premorbid|ideal|target|baseline|pre-?pregnancy|pre-?illness|"
    r"mother|father|sister|brother|son|daughter|sibling|twin|parent|wife|husband|partner|"
    r"grand(?:mother|father)|aunt|uncle|cousin|delivered|birth to|"
    # an organ, a specimen or a stone weighed, not the patient
    r"spleen|liver|kidney|tumou?r|mass|specimen|organ|uterus|heart|lungs?|thyroid|gland|lesion|placenta|"
    r"stone|calculus|prostate|fibroid|cyst|resected|excised)\W+(?:\w+\W+){0,3}$",
    re.I,
)
# What follows a number that is no weight: a time ("weight 3 months ago"), a rank ("5th percentile").
_NOT_A_WEIGHT = (
    r"(?!\d|\.\d|\s*(?:st|nd|rd|th)\b|\s*%|\s*(?:percentile|centile|z|sd)\b|"
    r"\s*(?:days?|weeks?|months?|years?|yrs?|hours?)\b)"
)
_WEIGHT = re.compile(
    # "weight 82 kg", "body weight of 60 kilograms", "weight: 154 lb", "weight today is 70 kg"
    r"\b(?:body\s+)?weight\b(?:\s*(?:is|was|of|at|today|now|on admission|measured|:|=)\b\s*|\s*[:=]\s*|\s+)*"
    + _NUM
    + _NOT_A_WEIGHT
    + r"\s*"
    + _WEIGHT_UNIT
    + "?"
    # "weighs 70 kg", "weighing about 15 kg"
    + r"|\bweigh(?:s|ed|ing)?\s+(?:about\s+|approximately\s+|around\s+|only\s+|just\s+|~\s*)?"
    + _NUM
    + r"\s*"
    + _WEIGHT_UNIT
    # "a 15-kg boy", "a 70 kg man"
    + r"|\b(?:a|an)\s+"
    + _NUM
    # (not "a 5-kg weight loss")
    + r"[- ]?(kg|kilogram|lb|pound)[- ](?=[a-z])(?!(?:weight|loss|gain|drop|decrease|increase|decline)\b)"
    # "Wt: 70 kg" (the abbreviation with its unit)
    + r"|\bwt\b\.?\s*[:=]?\s*"
    + _NUM
    + _NOT_A_WEIGHT
    + r"\s*"
    + _WEIGHT_UNIT,
    re.I,
)
# A weight then: "weighed 80 kg six months ago", "weighed 3.2 kg at birth".
_THEN = re.compile(r"\s*(?:\w+\s+){0,3}(?:ago|at birth|before|previously)\b", re.I)
_HEIGHT = re.compile(
    # "height 175 cm", "height: 1.75 m", "height 69 in", "height 5 ft 10 in", "5'10\"", "is 160 cm tall"
    r"\b(?<!fundal )(?<!uterine )height\b(?:\s*(?:is|was|of|:|=)\b\s*|\s*[:=]\s*|\s+)*"
    r"(?:(\d)\s*(?:ft|feet|foot|')\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:in\b|inches|inch|\"|'')?)?"
    r"|" + _NUM + r"\s*(cm\b|centimet(?:er|re)s?|m\b|met(?:er|re)s?|in\b|inches|\"))"
    r"|\b(?:(\d)\s*(?:ft|feet|foot|')\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:in\b|inches|inch|\"|'')?)?"
    r"|" + _NUM + r"\s*(cm|centimet(?:er|re)s?|m|met(?:er|re)s?))\s+tall\b",
    re.I,
)


def _kilograms(value: float, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith(("lb", "pound")):
        return value * KG_PER_LB
    if unit in ("g", "gram", "grams"):
        return value / 1000
    return value


def body_weights(sentence: str) -> list[float]:
    """The patient's body weights a sentence gives, in kilograms (a number without a unit after "weight" is
    taken as kilograms)."""
    if "weigh" not in sentence.lower() and not re.search(r"\d[- ]?(?:kg|kilogram|lb|pound)", sentence, re.I):
        return []
    found = []
    for m in _WEIGHT.finditer(sentence):
        if _NOT_OWN.search(sentence[max(0, m.start() - 40) : m.start()]) or _THEN.match(sentence, m.end()):
            continue
        value, unit = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5, 7) if m.group(i) is not None)
        kg = _kilograms(float(value), unit or "kg")
        if BODY_WEIGHT_KG[0] <= kg <= BODY_WEIGHT_KG[1]:
            found.append(kg)
    return found


def _centimetres(feet: str | None, inches: str | None, value: str | None, unit: str | None) -> float:
    if feet is not None:
        return (int(feet) * 12 + float(inches or 0)) * CM_PER_INCH
    number, unit = float(value or 0), (unit or "").lower()
    if unit.startswith(("in", '"')):
        return number * CM_PER_INCH
    if unit.startswith("c"):
        return number
    return number * 100  # metres


def body_heights(sentence: str) -> list[float]:
    """The patient's heights a sentence gives, in centimetres."""
    lowered = sentence.lower()
    if "height" not in lowered and "tall" not in lowered:
        return []
    found = []
    for m in _HEIGHT.finditer(sentence):
        if _NOT_OWN.search(sentence[max(0, m.start() - 40) : m.start()]):
            continue
        start = 1 if m.group(1) is not None or m.group(3) is not None else 5
        cm = _centimetres(*m.group(start, start + 1, start + 2, start + 3))
        if BODY_HEIGHT_CM[0] <= cm <= BODY_HEIGHT_CM[1]:
            found.append(cm)
    return found


def body_mass_index(weight_kg: float, height_cm: float) -> float:
    """BMI: weight in kilograms over the square of height in metres (WHO)."""
    return weight_kg / (height_cm / 100) ** 2
