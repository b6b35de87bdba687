"""Upper limits of normal for thresholds written in multiples of them ("AST <= 2.5 x ULN", "total
bilirubin <= 1.5 x upper limit of normal") when a note gives the value in units.

The limits below are typical adult reference ranges; every laboratory sets its own, and they vary by
method, sex and age. Sources: Mayo Clinic, "Liver function tests: results" (page of 26 September 2012:
ALT 7 to 55 U/L, AST 8 to 48 U/L, bilirubin 0.1 to 1.0 mg/dL, typical for adult men) and "Bilirubin test:
results" (1.2 mg/dL total bilirubin for adults) and "Creatinine tests" (men 0.74 to 1.35 mg/dL, women 0.59
to 1.04); other published ranges put the upper limit of AST as low as 35 U/L. Alkaline phosphatase: the
same Mayo Clinic page gives 45 to 115 U/L for adults, MedlinePlus ("ALP - blood test", U.S. National Library
of Medicine) 44 to 147 U/L.
So a threshold in multiples of the limit is checked against the lowest and the highest usual limit
(`ULN_SPREAD`), and a value close to either settles nothing: within `MARGIN` of it, or between the two,
the verdict is "not enough information".
"""

from __future__ import annotations

from onconav.trials.verdicts.measures import (
    Comparator,
    Reading,
    Threshold,
    compare,
    on_scale_of,
)
from onconav.trials.verdicts.uln import TIMES_ULN

# A value this close to a threshold, as a fraction of the threshold, is neither clearly in nor out.
MARGIN = 0.2

# Typical adult upper limits of normal, in the units notes usually give (U/L, mg/dL). They vary by
# laboratory (ULN_SPREAD below).
UPPER_LIMITS: dict[str, float] = {
    "transaminases": 40.0,  # AST and ALT, U/L
    "alkaline-phosphatase": 120.0,  # U/L
    "bilirubin": 1.2,  # total bilirubin, mg/dL
    "creatinine": 1.2,  # mg/dL; 1.3 for men and 1.1 for women below
    "inr": 1.2,
}
CREATININE_BY_SEX = {"male": 1.3, "female": 1.1}
# The lowest and highest upper limits laboratories usually print (see the module's sources).
ULN_SPREAD: dict[str, tuple[float, float]] = {
    "transaminases": (35.0, 55.0),
    "alkaline-phosphatase": (115.0, 147.0),
    "bilirubin": (1.0, 1.2),
    "creatinine": (1.0, 1.35),  # either sex; by sex below
}
# Creatinine's by sex (see the module's sources; enzymatic methods print lower limits, such as 1.18 for men).
CREATININE_SPREAD_BY_SEX = {"male": (1.2, 1.35), "female": (1.0, 1.1)}
# Notes in SI units: micromoles per litre divided by these give mg/dL.
MICROMOLAR_PER_MG_DL = {"bilirubin": 17.1, "creatinine": 88.4}
# Without a unit, a value below these is taken as mg/dL (no serum has less in µmol/L); above, it is left.
MG_DL_WITHOUT_UNIT_BELOW = {"bilirubin": 3.0, "creatinine": 15.0}


def upper_limit(measure: str, sex: str | None) -> float | None:
    """The typical adult upper limit of normal of a measure, in the units of `UPPER_LIMITS`."""
    if measure == "creatinine" and sex in CREATININE_BY_SEX:
        return CREATININE_BY_SEX[sex]
    return UPPER_LIMITS.get(measure)


def in_usual_units(reading: Reading) -> float | None:
    """A reading in the units of `UPPER_LIMITS`; None when its unit cannot be told."""
    unit = (reading.unit or "").replace("µ", "u")
    if reading.measure in MICROMOLAR_PER_MG_DL:
        if unit == "umol/l":
            return reading.value / MICROMOLAR_PER_MG_DL[reading.measure]
        if unit == "mg/dl":
            return reading.value
        if unit == "" and reading.value < MG_DL_WITHOUT_UNIT_BELOW[reading.measure]:
            return reading.value
        return None
    return reading.value if unit in ("", "u/l", "iu/l") else None


def times_uln_met(reading: Reading, threshold: Threshold, sex: str | None) -> bool | None:
    """Whether a reading meets a threshold in multiples of the upper limit of normal: True, False, or None
    when the measure has no typical limit, its unit is unknown, or the value is too close to call."""
    if reading.unit == TIMES_ULN:  # "ALT 5 x ULN": the note's own multiple
        return compare(reading.value, threshold.op, threshold.value)
    if reading.upper_limit:  # "ALT 150 U/L (ULN 40)": the note's laboratory's own limit
        return compare(reading.value / reading.upper_limit, threshold.op, threshold.value)
    limit = upper_limit(threshold.measure, sex)
    value = in_usual_units(reading)
    if limit is None or value is None:
        return None
    spread = CREATININE_SPREAD_BY_SEX.get(sex or "") if threshold.measure == "creatinine" else None
    low, high = spread or ULN_SPREAD.get(threshold.measure, (limit, limit))
    verdicts = {clearly(value, threshold.op, threshold.value * uln) for uln in (low, limit, high)}
    return verdicts.pop() if len(verdicts) == 1 else None


# Measures whose limits criteria give in the units of `UPPER_LIMITS` (U/L) whatever the laboratory.
_ENZYMES = frozenset({"transaminases", "alkaline-phosphatase"})


def multiple_in_units(reading: Reading, threshold: Threshold) -> bool | None:
    """A note's multiple of the upper limit ("ALT 5 x ULN") against a limit in units ("ALT > 100 U/L"):
    decided when the multiple of the lowest and of the highest usual limit agree; None otherwise."""
    if threshold.measure not in _ENZYMES or (threshold.unit or "u/l").lower() not in ("u/l", "iu/l"):
        return None
    low, high = ULN_SPREAD[threshold.measure]
    verdicts = {compare(reading.value * uln, threshold.op, threshold.value) for uln in (low, high)}
    return verdicts.pop() if len(verdicts) == 1 else None


def clearly(value: float, op: Comparator, bound: float) -> bool | None:
    """`value op bound`, or None when the value is within `MARGIN` of the bound."""
    if abs(value - bound) <= MARGIN * bound:
        return None
    return compare(value, op, bound)


# Typical adult normal ranges (same sources and caveats as above) for the labs behind "adequate organ
# function": (measure, comparator, bound) that a normal value satisfies. Cell counts are per µL or in
# 10^9/L by their size, haemoglobin in g/dL (g/L converted). Trials ask far less than these (platelets
# 100,000, neutrophils 1.5, haemoglobin 9, bilirubin 1.5 x ULN), so a value inside them is adequate.
NORMAL_RANGES: dict[str, tuple[Comparator, float]] = {
    "platelets": (">=", 150_000.0),
    "neutrophils": (">=", 1.5),
    "leukocytes": (">=", 4.0),
    "hemoglobin": (">=", 12.0),
    "creatinine-clearance": (">=", 60.0),
}


def within_normal(reading: Reading, sex: str | None) -> bool | None:
    """Whether a lab value is inside the typical adult normal range; None when the measure has none here or
    its unit cannot be told."""
    if reading.unit == TIMES_ULN:
        return reading.value <= 1
    if reading.upper_limit and reading.measure not in NORMAL_RANGES:
        return reading.value <= reading.upper_limit
    if reading.measure in NORMAL_RANGES:
        op, bound = NORMAL_RANGES[reading.measure]
        value = on_scale_of(reading.measure, reading.value, bound)
        return compare(value, op, bound)
    limit = upper_limit(reading.measure, sex)
    usual = in_usual_units(reading)
    if limit is None or usual is None:
        return None
    return usual <= limit


# The organ each lab shows, as "normal CBC" (marrow) or "normal CMP" (liver and kidneys) covers it.
ORGAN_OF_LAB = {
    "platelets": "marrow",
    "neutrophils": "marrow",
    "leukocytes": "marrow",
    "hemoglobin": "marrow",
    "bilirubin": "liver",
    "transaminases": "liver",
    "alkaline-phosphatase": "liver",
    "creatinine": "kidney",
    "creatinine-clearance": "kidney",
}


def normal_meets(threshold: Threshold, sex: str | None) -> bool:
    """Whether every value inside the typical normal range meets a criterion's threshold ("ANC >= 1500/uL",
    "bilirubin <= 1.5 x ULN"), so that a note's "labs within normal limits" meets it."""
    if threshold.measure in NORMAL_RANGES and threshold.op in (">=", ">"):
        normal = on_scale_of(threshold.measure, NORMAL_RANGES[threshold.measure][1], threshold.value)
        return compare(normal, threshold.op, threshold.value)
    if threshold.op not in ("<=", "<"):
        return False
    if threshold.times_uln:
        return compare(1.0, threshold.op, threshold.value)
    limit = upper_limit(threshold.measure, sex)
    if threshold.measure == "creatinine" and sex is None:
        limit = max(CREATININE_BY_SEX.values())
    if limit is None:
        return False
    bound = threshold.value
    if threshold.measure in MICROMOLAR_PER_MG_DL:
        if threshold.unit in ("µmol/l", "umol/l"):
            bound /= MICROMOLAR_PER_MG_DL[threshold.measure]
        elif threshold.unit != "mg/dl" and bound >= MG_DL_WITHOUT_UNIT_BELOW[threshold.measure]:
            return False  # no unit, and a number that could be either
    return compare(limit, threshold.op, bound)
