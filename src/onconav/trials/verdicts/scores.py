"""Bedside scores a note gives the parts of without the total: a criterion asking for a qSOFA, CURB-65 or
CHA2DS2-VASc score is judged from the note's own age, sex, vital signs, laboratory values and named
conditions, added up as the score's authors define it. A part the note does not give counts as unknown:
the score is met when it is met even with every unknown part absent, and fails when it fails even with
every unknown part present; otherwise the criterion stays open.

- qSOFA (Sepsis-3, Singer et al., JAMA 2016): respiratory rate 22/min or more, systolic pressure
  100 mmHg or less, altered mentation; one point each.
- CURB-65 (Lim et al., Thorax 2003): confusion, urea over 7 mmol/L (BUN over 19 mg/dL), respiratory rate
  30/min or more, systolic pressure under 90 or diastolic 60 mmHg or less, age 65 or more; one point each.
- the Glasgow Coma Scale the note states (Teasdale and Jennett, Lancet 1974), compared as given;
- CHA2DS2-VASc (Lip et al., Chest 2010): heart failure 1, hypertension 1, age 75 or more 2, diabetes 1,
  stroke, TIA or thromboembolism 2, vascular disease (myocardial infarction, peripheral artery disease,
  aortic plaque) 1, age 65 to 74 1, female sex 1.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.measures import Comparator, compare
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors

_OPS: tuple[tuple[str, Comparator], ...] = (
    (r"≥|>=|=>|at least|greater than or equal to", ">="),
    (r"≤|<=|=<|at most|less than or equal to|no more than", "<="),
    (r">|greater than|more than|above|over|higher than", ">"),
    (r"<|less than|lower than|below|under", "<"),
)
# "2 or more", "1 or less": the comparison after the number
_AFTER: dict[str, Comparator] = {
    "more": ">=", "higher": ">=", "greater": ">=", "above": ">=",
    "less": "<=", "lower": "<=", "fewer": "<=", "below": "<=",
}  # fmt: skip
_SCORE_NAMES = {
    "qsofa": r"q-?sofa|quick sofa|quick sequential organ failure assessment",
    "curb65": r"curb-?65",
    "chads-vasc": r"cha2?ds2?-?vasc|cha₂ds₂-?vasc",
    "gcs": r"gcs|glasgow coma (?:scale|score)",
}
_ASKED = re.compile(
    r"\b(?P<name>" + "|".join(f"(?:{rx})" for rx in _SCORE_NAMES.values()) + r")(?:\s+score)?\s*(?:of\s+)?"
    r"(?:is\s+)?(?:(?P<op>" + "|".join(rx for rx, _ in _OPS) + r")\s*(?P<value>\d+)|"
    r"(?P<first>\d+)\s+or\s+(?P<after>" + "|".join(_AFTER) + r"))",
    re.I,
)
_MENTATION = re.compile(
    r"\b(?:confus\w*|altered (?:mental|mentation|level of consciousness|sensorium)|disorient\w*|obtunded|"
    r"somnolen\w*|stupor\w*|unresponsive|delirium|delirious)\b|\bgcs\b(?: of| is| was)? (?:[3-9]|1[0-4])\b",
    re.I,
)
_CLEAR = re.compile(
    r"\b(?:alert and oriented|oriented|a&o|a & o|gcs(?: of| is| was)? 15|mentation (?:is )?normal)\b", re.I
)
_DENIED = re.compile(r"\b(?:no|not|without|denies)\b[^.;,]{0,25}$", re.I)
_UREA = re.compile(r"\b(?P<bun>bun|blood urea nitrogen)\b|\burea\b(?! nitrogen)", re.I)
_UREA_VALUE = re.compile(r"\s*(?:level\s+)?(?:was\s+|is\s+|of\s+)?:?\s*(\d+(?:\.\d+)?)")
_GCS = re.compile(
    r"\b(?:gcs|glasgow coma (?:scale|score))\b(?: score)?(?: was| is| of)?\s*:?\s*(1[0-5]|[3-9])\b", re.I
)
BUN_MG_DL = 19.0
UREA_MMOL = 7.0


def _mentation(note: NoteFacts) -> bool | None:
    """Altered (True), normal (False) or not said (None)."""
    for sentence in note.sentences:
        hit = _MENTATION.search(sentence)
        if hit and not _DENIED.search(sentence[: hit.start()]):
            return True
    return False if any(_CLEAR.search(s) for s in note.sentences) else None


def _urea_high(note: NoteFacts) -> bool | None:
    for sentence in note.sentences:
        for m in _UREA.finditer(sentence):
            value = _UREA_VALUE.match(sentence, m.end())
            if value is None:
                continue
            limit = BUN_MG_DL if m.group("bun") else UREA_MMOL
            return float(value.group(1)) > limit
    return None


def _reading(note: NoteFacts, measure: str, op: Comparator, bound: float) -> bool | None:
    values = [r.value for r in note.readings if r.measure == measure]
    return compare(values[0], op, bound) if values else None


def _named(note: NoteFacts, *concepts: str) -> bool:
    return any(m.polarity == "affirmed" and set(concepts) & set(ancestors(m.concept)) for m in note.mentions)


def _parts(note: NoteFacts, score: str) -> list[tuple[int, bool | None]]:
    """Each part of the score: its points and whether the note says it is present (None: not said)."""
    age = note.age
    if score == "gcs":  # stated, not added up: one part worth the stated score
        stated = _GCS.search(note.text)
        return [(int(stated.group(1)), True)] if stated else [(15, None)]
    if score == "qsofa":
        return [
            (1, _reading(note, "respiratory-rate", ">=", 22.0)),
            (1, _reading(note, "systolic-bp", "<=", 100.0)),
            (1, _mentation(note)),
        ]
    if score == "curb65":
        systolic = _reading(note, "systolic-bp", "<", 90.0)
        diastolic = _reading(note, "diastolic-bp", "<=", 60.0)
        pressure = True if (systolic or diastolic) else (None if systolic is None else False)
        return [
            (1, _mentation(note)),
            (1, _urea_high(note)),
            (1, _reading(note, "respiratory-rate", ">=", 30.0)),
            (1, pressure),
            (1, None if age is None else age >= 65),
        ]
    # CHA2DS2-VASc: a condition the note does not name is absent only when it says there is no history
    absent = False if note.no_history_sentence is not None else None
    return [
        (1, True if _named(note, "heart-failure") else absent),
        (1, True if _named(note, "hypertension") else absent),
        (2, None if age is None else age >= 75),
        (1, True if _named(note, "diabetes") else absent),
        (
            2,
            True if _named(note, "stroke", "transient-ischemic-attack", "venous-thromboembolism") else absent,
        ),
        (1, True if _named(note, "myocardial-infarction", "peripheral-artery-disease") else absent),
        (1, None if age is None else 65 <= age < 75),
        (1, None if note.sex is None else note.sex == "female"),
    ]


def bedside_score(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A qSOFA, CURB-65 or CHA2DS2-VASc threshold against the score the note's own findings add up to."""
    asked = _ASKED.search(criterion.text)
    if asked is None:
        return None
    name = asked.group("name")
    score = next(key for key, rx in _SCORE_NAMES.items() if re.fullmatch(rx, name, re.I))
    if asked.group("op"):
        op = next(sign for rx, sign in _OPS if re.fullmatch(rx, asked.group("op"), re.I))
        wanted = float(asked.group("value"))
    else:
        op, wanted = _AFTER[asked.group("after").lower()], float(asked.group("first"))
    parts = _parts(note, score)
    least = sum(points for points, present in parts if present)
    most = least + sum(points for points, present in parts if present is None)
    low, high = compare(least, op, wanted), compare(most, op, wanted)
    if low and high:
        return positive_label(kind), None, N_("The note's findings add up to a score within this limit.")
    if not low and not high:
        return negative_label(kind), None, N_("The note's findings add up to a score outside this limit.")
    return None
