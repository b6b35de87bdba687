"""A creatinine-clearance limit for a note that gives no clearance but the patient's age, sex, body weight
and serum creatinine: the Cockcroft-Gault estimate, as trial criteria ask it ("creatinine clearance >= 60
mL/min (Cockcroft-Gault)", "calculated creatinine clearance").

Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine. Nephron 1976;16:31-41:
CrCl (mL/min) = (140 - age) x weight (kg) / (72 x serum creatinine (mg/dL)), x 0.85 for women. Valid for
adults only. A filtration rate estimated per 1.73 m² (eGFR: MDRD, CKD-EPI) is another measure and is not
computed. Laboratories and trials vary the weight used (actual, ideal, adjusted), so an estimate within
`limits.MARGIN` of the limit settles nothing.
"""

from __future__ import annotations

import re

from onconav.trials.verdicts.limits import clearly, in_usual_units
from onconav.trials.verdicts.measures import Threshold
from onconav.trials.verdicts.note import NoteFacts

ADULT_AGE = 18.0
FEMALE_FACTOR = 0.85
# A clearance the criterion asks, not a filtration rate per body surface.
_CLEARANCE = re.compile(r"creatinine clearance|\bcr ?cl\b|\bclcr\b|cockcroft", re.I)
_FILTRATION = re.compile(r"\be?gfr\b|glomerular filtration|\bmdrd\b|ckd[- ]epi|1\.73", re.I)


def cockcroft_gault(age: float, weight_kg: float, creatinine_mg_dl: float, female: bool) -> float:
    """Creatinine clearance in mL/min (Cockcroft and Gault 1976)."""
    clearance = (140 - age) * weight_kg / (72 * creatinine_mg_dl)
    return clearance * FEMALE_FACTOR if female else clearance


def estimated_clearance(note: NoteFacts, threshold: Threshold, text: str) -> tuple[bool | None, int] | None:
    """Whether the note's Cockcroft-Gault clearance meets a creatinine-clearance limit (None when too close
    to tell), and the sentence of the creatinine; None when the criterion asks a filtration rate or the note
    lacks the age, sex, weight or creatinine."""
    if threshold.measure != "creatinine-clearance" or threshold.times_uln:
        return None
    if not _CLEARANCE.search(text) or _FILTRATION.search(text):
        return None
    if note.age is None or note.age < ADULT_AGE or note.sex not in ("male", "female"):
        return None
    weight = next((r for r in note.readings if r.measure == "weight"), None)
    creatinine = next((r for r in note.readings if r.measure == "creatinine" and in_usual_units(r)), None)
    if weight is None or creatinine is None:
        return None
    milligrams = in_usual_units(creatinine)
    if not milligrams:
        return None
    clearance = cockcroft_gault(note.age, weight.value, milligrams, note.sex == "female")
    return clearly(clearance, threshold.op, threshold.value), creatinine.sentence
