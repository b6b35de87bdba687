"""Performance status (ECOG and Karnofsky, converted when needed) and organ function: lab, vital-sign and
body-measure thresholds, compared when the note gives the value, else judged by the organ's named disease.
"""

from __future__ import annotations

from collections.abc import Callable

from onconav.i18n import N_
from onconav.trials.verdicts.adequacy import normal_statements
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.body import body_mass_index
from onconav.trials.verdicts.clearance import estimated_clearance
from onconav.trials.verdicts.conditions import ANY_OF, concept_state, criterion_concepts
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.limits import (
    ORGAN_OF_LAB,
    in_usual_units,
    multiple_in_units,
    normal_meets,
    times_uln_met,
)
from onconav.trials.verdicts.measures import (
    Threshold,
    compare,
    on_scale_of,
)
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.uln import TIMES_ULN

# Measures that a note's silence does not make normal: they must be measured ("BMI > 40", "weight > 110 kg").
BODY_MEASURES = frozenset({"bmi", "weight"})
# Measured at every visit: an abnormal value would be in the note.
VITAL_SIGNS = frozenset({"systolic-bp", "diastolic-bp", "heart-rate", "respiratory-rate", "temperature"})
# Organs whose named disease makes a threshold on their function uncertain rather than met.
ORGAN_OF_MEASURE = {
    "creatinine": "kidney-disease",
    "creatinine-clearance": "kidney-disease",
    "bilirubin": "liver-disease",
    "transaminases": "liver-disease",
    "alkaline-phosphatase": "liver-disease",
    "albumin": "liver-disease",
    "inr": "liver-disease",
    "hemoglobin": "anemia",
    "hematocrit": "anemia",
    "platelets": "thrombocytopenia",
    "neutrophils": "neutropenia",
    "leukocytes": "neutropenia",
    "lvef": "heart-failure",
    "qtc": "arrhythmia",
}


def _measure_name(measure: str) -> str:
    """A measure's code as words for a reason ("creatinine-clearance" -> "creatinine clearance")."""
    return measure.replace("-", " ")


_KPS_TO_ECOG = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}


def performance(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ECOG and Karnofsky performance status, converting between the scales when needed."""
    wanted = criterion.performance
    if wanted is None:
        return None
    score: int | None = None
    sentence: int | None = None
    for reading in note.readings:
        if reading.measure == wanted.scale:
            score, sentence = int(reading.value), reading.sentence
        elif reading.measure == "karnofsky" and wanted.scale == "ecog" and score is None:
            score, sentence = _KPS_TO_ECOG.get(int(round(reading.value, -1))), reading.sentence
    if score is None and wanted.scale == "karnofsky":
        return _karnofsky_from_ecog(note, wanted.allowed, kind)
    if score is None:
        return NEI, None, N_("The note gives no performance status.")
    if score in wanted.allowed:
        return positive_label(kind), sentence, N_("The performance status is in the range.")
    return negative_label(kind), sentence, N_("The performance status is outside the range.")


# The Karnofsky scores each ECOG grade spans (Oken et al. 1982): ECOG 1 is Karnofsky 70 or 80.
_ECOG_TO_KPS = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}


def _karnofsky_from_ecog(note: NoteFacts, allowed: frozenset[int], kind: Kind) -> Found:
    """A Karnofsky range against the note's ECOG grade: decided when every score of the grade agrees."""
    reading = next((r for r in note.readings if r.measure == "ecog"), None)
    spanned = _ECOG_TO_KPS.get(int(reading.value)) if reading is not None else None
    if reading is None or spanned is None:
        return NEI, None, N_("The note gives no performance status.")
    inside = [score in allowed for score in spanned]
    if all(inside):
        return positive_label(kind), reading.sentence, N_("The performance status is in the range.")
    if not any(inside):
        return negative_label(kind), reading.sentence, N_("The performance status is outside the range.")
    return (
        NEI,
        reading.sentence,
        N_("The note's ECOG grade spans Karnofsky scores on both sides of the limit."),
    )


def _threshold_met(note: NoteFacts, threshold: Threshold) -> tuple[bool | None, int] | None:
    """Whether the note's value meets the threshold (None: too close to a limit in multiples of the upper
    limit of normal to tell), and its sentence; None when the note gives no value."""
    if threshold.times_uln:
        return _times_uln_met(note, threshold)
    for reading in note.readings:
        if reading.measure != threshold.measure:
            continue
        if reading.unit == TIMES_ULN:  # "ALT 5 x ULN" against "ALT > 100 U/L"
            return multiple_in_units(reading, threshold), reading.sentence
        # "150 x 10^3/uL" against "100,000"; "101.3 F" against "38.5 °C"
        value = on_scale_of(threshold.measure, reading.value, threshold.value)
        return compare(value, threshold.op, threshold.value), reading.sentence
    if threshold.measure == "bmi":
        return _computed_bmi(note, threshold)
    return _kidney_failure(note, threshold)


def _computed_bmi(note: NoteFacts, threshold: Threshold) -> tuple[bool | None, int] | None:
    """A BMI limit for a note that gives weight and height but no BMI: the BMI computed from them (WHO:
    kilograms over metres squared)."""
    weight = next((r for r in note.readings if r.measure == "weight"), None)
    height = next((r for r in note.readings if r.measure == "height"), None)
    if weight is None or height is None:
        return None
    bmi = body_mass_index(weight.value, height.value)
    return compare(bmi, threshold.op, threshold.value), max(weight.sentence, height.sentence)


# End-stage renal disease (and dialysis) is a glomerular filtration rate below 15 mL/min (CKD stage 5).
ESRD_GFR_BELOW = 15.0


def _kidney_failure(note: NoteFacts, threshold: Threshold) -> tuple[bool | None, int] | None:
    """A filtration-rate limit at or above 15 mL/min for a note naming end-stage renal disease or dialysis
    without a value: "eGFR >= 30" fails, "eGFR < 30" holds."""
    if threshold.measure != "creatinine-clearance" or threshold.value < ESRD_GFR_BELOW:
        return None
    state = concept_state(note, ("end-stage-renal-disease", "dialysis"))
    if state is None or state[0] != "affirmed":
        return None
    return threshold.op in ("<", "<="), state[1]


def _times_uln_met(note: NoteFacts, threshold: Threshold) -> tuple[bool | None, int] | None:
    """Every value of the measure the note gives (AST and ALT) against a limit in multiples of the upper
    limit of normal: "<= 2.5 x ULN" fails when one value clearly fails it, "> 3 x ULN" holds when one value
    clearly holds it; all values clearly on one side decide; otherwise too close to tell."""
    verdicts = [
        (times_uln_met(r, threshold, note.sex), r.sentence)
        for r in note.readings
        if r.measure == threshold.measure
        and (in_usual_units(r) is not None or r.unit == TIMES_ULN or r.upper_limit)
    ]
    if not verdicts:
        return None
    decisive = threshold.op not in ("<", "<=")  # the outcome one value settles
    settled = next((v for v in verdicts if v[0] is decisive), None)
    if settled is not None:
        return settled
    if all(v[0] is (not decisive) for v in verdicts):
        return not decisive, verdicts[0][1]
    return None, verdicts[0][1]


def _loosest_alternatives(results: list[tuple[Threshold, tuple[bool | None, int] | None]]) -> None:
    """ "AST <= 2.5 x ULN (<= 5 x ULN with liver metastases)": several limits on one measure are
    alternatives; when the note's value meets one and not (or not clearly) another, it is not clear which
    applies."""
    for i, (t, r) in enumerate(results):
        if not t.times_uln or r is None:
            continue
        outcomes = {s[0] for o, s in results if o.measure == t.measure and o.times_uln and s is not None}
        if len(outcomes) > 1:
            results[i] = (t, (None, r[1]))


Outcome = tuple[bool | None, int | None]  # met, not met or unknown; and the note sentence behind it


def _whole_ranges(results: list[tuple[Threshold, tuple[bool | None, int] | None]]) -> None:
    """An exclusion of a range ("haemoglobin between 9 and 11 g/dL") holds when the value is inside it: both
    ends together, not either one."""
    for i in range(len(results) - 1):
        (t, r), (u, q) = results[i], results[i + 1]
        if t.span and u.span and t.measure == u.measure and r is not None and q is not None:
            whole = _all_of([r, q])
            results[i], results[i + 1] = (t, (whole[0], r[1])), (u, (whole[0], q[1]))


def _all_of(outcomes: list[Outcome]) -> Outcome:
    """Every limit: not met when one is not, met when all are, else unknown."""
    failed = next((o for o in outcomes if o[0] is False), None)
    if failed is not None:
        return failed
    if all(o[0] is True for o in outcomes):
        return outcomes[0]
    return None, next((o[1] for o in outcomes if o[1] is not None), None)


def _any_of(outcomes: list[Outcome]) -> Outcome:
    """One limit of several: met when one is, not met when all are not, else unknown."""
    met = next((o for o in outcomes if o[0] is True), None)
    if met is not None:
        return met
    if all(o[0] is False for o in outcomes):
        return outcomes[0]
    return None, next((o[1] for o in outcomes if o[1] is not None), None)


def _grouped(
    results: list[tuple[Threshold, tuple[bool | None, int] | None]], group: Callable[[Threshold], int]
) -> list[dict[str, list[Outcome]]] | None:
    """Each group's outcomes by measure ("or" groups, "and" groups); None when no group joins two measures
    or the note gives none of the values."""
    groups: dict[int, dict[str, list[Outcome]]] = {}
    for t, r in results:
        groups.setdefault(group(t), {}).setdefault(t.measure, []).append(r if r is not None else (None, None))
    if all(len(measures) == 1 for measures in groups.values()) or all(r is None for _, r in results):
        return None
    return list(groups.values())


def _either_limit(results: list[tuple[Threshold, tuple[bool | None, int] | None]]) -> Found:
    """An inclusion whose limits on different measures an explicit "or" joins ("creatinine <= 1.5 mg/dL or
    creatinine clearance >= 50 mL/min"): met when one alternative is met, not met when every alternative is
    known and failed, else open. "And" and commas still ask every limit; limits on one measure all hold.
    None when no "or" joins two measures, or the note gives none of the values."""
    groups = _grouped(results, lambda t: t.either)
    if groups is None:
        return None
    met, sentence = _all_of([_any_of([_all_of(o) for o in m.values()]) for m in groups])
    if met is True:
        return "included", sentence, N_("The note's values are within the limits.")
    if met is False:
        return (
            "not included",
            sentence,
            N_("The note's values meet none of the alternatives these limits allow."),
        )
    return NEI, sentence, N_("The note does not give every value these alternative limits need.")


def _together_limit(results: list[tuple[Threshold, tuple[bool | None, int] | None]]) -> Found:
    """An exclusion whose limits on different measures an "and" asks together ("ALT > 3 x ULN and total
    bilirubin > 2 x ULN", Hy's law): excluded when every limit of a group is exceeded, not excluded when one
    limit of every group is clearly not, else open. Limits on one measure are alternatives (either exceeded
    will do). None when no "and" joins two measures, or the note gives none of the values."""
    groups = _grouped(results, lambda t: t.together)
    if groups is None:
        return None
    met, sentence = _any_of([_all_of([_any_of(o) for o in m.values()]) for m in groups])
    if met is True:
        return "excluded", sentence, N_("The note's values exceed every limit this criterion asks together.")
    if met is False:
        return (
            "not excluded",
            sentence,
            N_("The note's values do not exceed every limit this criterion asks together."),
        )
    return NEI, sentence, N_("The note does not give every value this criterion asks together.")


def _stated_normal(note: NoteFacts, criterion: CriterionFacts) -> int | None:
    """The note's "labs within normal limits" (or "normal CBC" for blood counts) when it covers every
    threshold's organ and every normal value meets the thresholds; None otherwise."""
    covered = normal_statements(note)
    sentences = []
    for threshold in criterion.thresholds:
        organ = ORGAN_OF_LAB.get(threshold.measure)
        if organ not in covered or not normal_meets(threshold, note.sex):
            return None
        sentences.append(covered[organ])
    return min(sentences) if sentences else None


def organ_function(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Lab and body-measure thresholds: compared when the note gives the value, else judged by the organ."""
    if not criterion.thresholds:
        return None
    results = [
        (t, _threshold_met(note, t) or estimated_clearance(note, t, criterion.text))
        for t in criterion.thresholds
    ]
    _loosest_alternatives(results)
    if kind == "exclusion":
        _whole_ranges(results)
    either = _either_limit(results) if kind == "inclusion" else _together_limit(results)
    if either is not None:
        return either
    close = next((r for _, r in results if r is not None and r[0] is None), None)
    known = [(t, r) for t, r in results if r is not None and r[0] is not None]
    if close is not None and not any(r[0] is (kind == "exclusion") for _, r in known):
        return (
            NEI,
            close[1],
            N_("The note's value is not clearly within or beyond a limit set by the normal range."),
        )
    if known:
        if kind == "inclusion":
            failed = [(t, r) for t, r in known if not r[0]]
            if failed:
                return (
                    "not included",
                    failed[0][1][1],
                    (
                        N_("The note's %(measure)s is outside the limit."),
                        {"measure": _measure_name(failed[0][0].measure)},
                    ),
                )
            if len(known) == len(results):
                return "included", known[0][1][1], N_("The note's values are within the limits.")
            return None
        met = [(t, r) for t, r in known if r[0]]
        if met:
            return (
                "excluded",
                met[0][1][1],
                (
                    N_("The note's %(measure)s is beyond the limit."),
                    {"measure": _measure_name(met[0][0].measure)},
                ),
            )
        if len(known) == len(results):
            return "not excluded", known[0][1][1], N_("The note's values do not reach the limits.")
    if kind == "inclusion":
        if ANY_OF.search(criterion.text) and criterion_concepts(criterion):
            return None  # "one or more of: diabetes, obesity (BMI > 25), ...": a condition named may do
        stated = _stated_normal(note, criterion)
        if stated is not None and not known:
            return "included", stated, N_("The note says these laboratory results are normal.")
        return NEI, note.normal_labs_sentence, N_("The note does not give these values.")
    if any(t.measure in BODY_MEASURES for t in criterion.thresholds):
        return NEI, None, N_("The note does not give the patient's weight or BMI.")
    vital = all(t.measure in VITAL_SIGNS for t in criterion.thresholds)
    named = [m for m in criterion_concepts(criterion) if m.polarity != "negated"]
    if not named and note.normal_labs_sentence is None and not vital:
        return NEI, None, N_("The note does not give these values.")
    for t in criterion.thresholds:
        organ = ORGAN_OF_MEASURE.get(t.measure)
        state = concept_state(note, (organ,)) if organ else None
        if state is not None and state[0] == "affirmed":
            return NEI, state[1], N_("The note names a disease of this organ but not the value.")
    return "not excluded", note.normal_labs_sentence, N_("Nothing in the note suggests these values.")
