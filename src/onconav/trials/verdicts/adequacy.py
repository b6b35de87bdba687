"""Soundness asked in words, not numbers: "normal renal function", "adequate liver function",
"hemodynamically stable", "normotensive", "immunocompetent". A note that names the organ's disease or
gives a value clearly outside the normal range fails it; a note that says nothing leaves it open (the
trial's own tests will tell), and values inside the range are left to the numeric rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, concept_named, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.limits import within_normal
from onconav.trials.verdicts.measures import Comparator, compare, names_measure, on_scale_of
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors
from onconav.trials.verdicts.uln import TIMES_ULN


@dataclass(frozen=True)
class Soundness:
    """What a criterion's words ask, and what in a note fails it: diseases, and values beyond a bound."""

    asked: re.Pattern[str]
    diseases: frozenset[str]
    # (measure, comparator, bound): a reading that satisfies it is clearly abnormal. Bounds are well past
    # the upper (or lower) limit of normal, so that no laboratory's range makes a failing value normal.
    values: tuple[tuple[str, Comparator, float], ...] = ()
    words: re.Pattern[str] | None = None  # words in the note that fail it on their own
    organ: str | None = None  # the organ whose labs show it ("kidney", "liver", "marrow")


_SOUND = r"(?:normal|adequate|preserved|intact|sufficient|acceptable)"


def _impaired(organ: str) -> re.Pattern[str]:
    """A note's words that an organ's function is impaired ("impaired renal function", "hepatic function
    is reduced"), not when denied ("no renal impairment")."""
    bad = r"impaired|impairment|insufficiency|dysfunction|reduced|poor|abnormal|decreased|deranged"
    return re.compile(
        rf"(?<!\bno )(?<!\bwithout )\b(?:{bad})\s+(?:{organ})\s+function|"
        rf"(?<!\bno )(?<!\bwithout )\b(?:{organ})\s+(?:function\s+)?(?:is\s+|was\s+)?(?:{bad})\b",
        re.I,
    )


SOUNDNESS = (
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:renal|kidney)\s+function", re.I),
        frozenset({"kidney-disease", "acute-kidney-injury", "dialysis"}),
        (("creatinine", ">", 1.8), ("creatinine-clearance", "<", 45.0)),
        _impaired("renal|kidney"),
        organ="kidney",
    ),
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:hepatic|liver)\s+function", re.I),
        frozenset({"liver-disease", "cirrhosis"}),
        (("bilirubin", ">", 3.0), ("transaminases", ">", 200.0)),
        _impaired("hepatic|liver"),
        organ="liver",
    ),
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:bone marrow|marrow|haematologic\w*|hematologic\w*)\s+function", re.I),
        frozenset({"thrombocytopenia", "neutropenia"}),
        (("platelets", "<", 75_000.0), ("neutrophils", "<", 1.0), ("hemoglobin", "<", 8.0)),
        re.compile(r"\bbone marrow (?:failure|suppression)|\bmyelosuppress\w*|\bpancytopeni\w*", re.I),
        organ="marrow",
    ),
    Soundness(
        re.compile(r"\bha?emodynamically stable\b", re.I),
        frozenset({"hypotension"}),
        (("systolic-bp", "<", 90.0),),
        re.compile(r"\bha?emodynamically unstable\b|\bvasopressors?\b|\bnorepinephrine\b|\bshock\b", re.I),
    ),
    Soundness(
        re.compile(r"\bnormotensive\b", re.I),
        frozenset({"hypertension", "hypotension"}),
        (("systolic-bp", ">=", 160.0), ("diastolic-bp", ">=", 100.0), ("systolic-bp", "<", 90.0)),
    ),
    Soundness(
        re.compile(r"\bimmuno-?competent\b", re.I),
        frozenset({"immunodeficiency", "hiv", "transplant", "immunosuppressant-drug", "chemotherapy"}),
    ),
)


KIDNEY, LIVER, MARROW = SOUNDNESS[0], SOUNDNESS[1], SOUNDNESS[2]
# "Adequate bone marrow, liver and renal function", "adequate organ function" (the three trials mean).
_ORGAN_WORD = (
    r"(?:end[- ])?organs?|bone marrow|marrow|ha?ematologic\w*|ha?ematopoietic|hepatic|liver|renal|kidney"
)
_ORGANS_ASKED = re.compile(
    rf"\b{_SOUND}\s+((?:{_ORGAN_WORD})(?:\s*(?:,|/|&|\band\b|\bor\b)\s*(?:{_ORGAN_WORD}))*)"
    r",?\s+(?:function|reserve)",
    re.I,
)
_ORGANS_OF_WORD = (
    (re.compile(r"organ", re.I), (MARROW, LIVER, KIDNEY)),
    (re.compile(r"marrow|ha?emato", re.I), (MARROW,)),
    (re.compile(r"hepatic|liver", re.I), (LIVER,)),
    (re.compile(r"renal|kidney", re.I), (KIDNEY,)),
)
# The labs that show each organ's function: one value of every group, all inside the normal range.
LABS_OF_ORGAN: dict[str, tuple[tuple[str, ...], ...]] = {
    "marrow": (("platelets",), ("neutrophils", "leukocytes"), ("hemoglobin",)),
    "liver": (("bilirubin",), ("transaminases",)),
    "kidney": (("creatinine", "creatinine-clearance"),),
}
# A note's statement that the labs are normal, and which organs each panel it names covers.
_PANELS = (
    (
        re.compile(
            r"\b(?:labs?|laborator(?:y|ies)(?: (?:tests?|studies|values|results|work(?:-?up)?))?|"
            r"blood (?:tests?|work)|bloodwork|routine bloods?)\b",
            re.I,
        ),
        ("marrow", "liver", "kidney"),
    ),
    (re.compile(r"\bcbc\b|complete blood count|full blood count|\bfbc\b|blood counts?\b", re.I), ("marrow",)),
    (re.compile(r"\bcmp\b|comprehensive metabolic panel", re.I), ("liver", "kidney")),
    (
        re.compile(
            r"\blfts?\b|liver (?:function tests?|enzymes|panel)|"
            r"\b(?:hepatic|liver)\b(?=[\w\s,]{0,25}\bfunction)",
            re.I,
        ),
        ("liver",),
    ),
    (re.compile(r"\b(?:renal|kidney)\b(?=[\w\s,]{0,25}\bfunction)", re.I), ("kidney",)),
    (re.compile(r"\b(?:bone marrow|ha?ematologic\w*)\b(?=[\w\s,]{0,25}\bfunction)", re.I), ("marrow",)),
    (
        re.compile(r"\bbmp\b|basic metabolic panel|renal (?:function tests?|panel)|\bu ?& ?es?\b", re.I),
        ("kidney",),
    ),
)
_NORMAL_WORDS = re.compile(r"within normal limits|\bwnl\b|unremarkable|(?<!ab)\bnormal\b", re.I)
_NOT_ALL_NORMAL = re.compile(
    r"abnormal|\bexcept|otherwise|other than|apart from|elevat|raised|\bhigh|\blow|decreas|increas|notable|"
    r"significant for|remarkable for|an(?:a)?emi|\w+cytosis|\w+penia|pending|awaited|\bnot\b|\bmild",
    re.I,
)


def _organs_asked(text: str) -> tuple[Soundness, ...]:
    """The organs a criterion asks sound in a list ("adequate bone marrow, liver and renal function")."""
    found: list[Soundness] = []
    for m in _ORGANS_ASKED.finditer(text):
        for word, organs in _ORGANS_OF_WORD:
            if word.search(m.group(1)):
                found += [o for o in organs if o not in found]
    return tuple(found)


def normal_statements(note: NoteFacts) -> dict[str, int]:
    """The organs a note's "labs within normal limits", "normal CBC and CMP" covers, with the sentence."""
    covered: dict[str, int] = {}
    for i, sentence in enumerate(note.sentences):
        for clause in re.split(r";|\bbut\b|\bwhile\b", sentence):
            if not _NORMAL_WORDS.search(clause) or _NOT_ALL_NORMAL.search(clause):
                continue
            for panel, organs in _PANELS:
                if panel.search(clause):
                    for organ in organs:
                        covered.setdefault(organ, i)
    return covered


def _normal_values(note: NoteFacts, organ: str) -> int | None:
    """The sentence of the organ's labs when the note gives one of each group and all are normal."""
    measures = {m for group in LABS_OF_ORGAN[organ] for m in group}
    given = [r for r in note.readings if r.measure in measures and r.unit != "implied"]
    if not all(any(r.measure in group for r in given) for group in LABS_OF_ORGAN[organ]):
        return None
    if not all(within_normal(r, note.sex) for r in given):
        return None
    return given[0].sentence


def _organs_sound(note: NoteFacts, organs: tuple[Soundness, ...]) -> Found:
    """Included when the note's labs show every organ asked within normal limits."""
    statements = normal_statements(note)
    sentences = []
    for organ in organs:
        assert organ.organ is not None
        sentence = statements.get(organ.organ)
        if sentence is None:
            sentence = _normal_values(note, organ.organ)
        if sentence is None:
            return None
        sentences.append(sentence)
    return "included", min(sentences), N_("The note's laboratory results for these organs are normal.")


def _failing_disease(note: NoteFacts, soundness: Soundness) -> tuple[int, dict[str, str]] | None:
    for mention in note.mentions:
        if mention.polarity == "affirmed" and soundness.diseases & set(ancestors(mention.concept)):
            return mention.sentence, concept_named(mention)
    return None


def _failing_value(note: NoteFacts, soundness: Soundness) -> int | None:
    for measure, op, bound in soundness.values:
        for reading in note.readings:
            value = on_scale_of(measure, reading.value, bound)
            if (
                reading.measure == measure
                and reading.unit not in ("implied", TIMES_ULN)
                and compare(value, op, bound)
            ):
                return reading.sentence
    return None


def soundness(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Soundness asked in words, failed by a disease the note names or a value clearly outside the range."""
    if kind != "inclusion" or criterion.negated_subject:
        return None
    organs = _organs_asked(criterion.text)
    for asked in SOUNDNESS:
        if not asked.asked.search(criterion.text) and asked not in organs:
            continue
        disease = _failing_disease(note, asked)
        if disease is not None:
            return negative_label(kind), disease[0], (N_("The note names %(concept)s."), disease[1])
        failing = _failing_value(note, asked)
        if failing is None and asked.words is not None:
            failing = next((i for i, s in enumerate(note.sentences) if asked.words.search(s)), None)
        if failing is not None:
            return (
                negative_label(kind),
                failing,
                N_("The note gives a value or sign outside the normal range."),
            )
    if organs and not criterion.thresholds:
        return _organs_sound(note, organs)
    return None


# Typical adult reference ranges of single labs a criterion may ask "within the normal range" (TSH in
# mIU/L, electrolytes in mmol/L, fasting glucose in mg/dL); a value within `MARGIN_SHARE` of either end is
# too close to call, since laboratories differ.
REFERENCE_RANGES: dict[str, tuple[float, float]] = {
    "tsh": (0.4, 4.5),
    "potassium": (3.5, 5.0),
    "sodium": (135.0, 145.0),
    "glucose": (70.0, 99.0),
}
MARGIN_SHARE = 0.05
_IN_RANGE = re.compile(
    r"(?:within|in)\s+(?:the\s+)?(?:normal|reference)\s+(?:range|limits?)|\bnormal\b|\bwnl\b", re.I
)
_OUT_OF_RANGE = re.compile(r"\babnormal\b|outside\s+(?:of\s+)?(?:the\s+)?(?:normal|reference)\s+range", re.I)


def normal_value(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "TSH within the normal range", "abnormal serum potassium": the note's value against the range."""
    lower = criterion.text.lower()
    if "normal" not in lower and "reference" not in lower and "wnl" not in lower:
        return None  # neither pattern can match (a cheap test before them)
    out = bool(_OUT_OF_RANGE.search(criterion.text))
    if criterion.thresholds or not (out or _IN_RANGE.search(criterion.text)):
        return None
    asked = {m for m in REFERENCE_RANGES if names_measure(m, criterion.text)}
    if len(asked) != 1 or criterion.negated_subject or re.search(r"\bor\b", criterion.text, re.I):
        return None  # "normal TSH or stable thyroid replacement": another way to meet it
    measure = asked.pop()
    low, high = REFERENCE_RANGES[measure]
    for reading in note.readings:
        if reading.measure != measure or reading.unit == "implied":
            continue
        value = on_scale_of(measure, reading.value, high)
        if any(abs(value - end) <= MARGIN_SHARE * end for end in (low, high)):
            return None
        normal = low <= value <= high
        met = normal != out
        return (
            (positive_label(kind) if met else negative_label(kind)),
            reading.sentence,
            N_("The note gives this value inside the usual normal range.")
            if normal
            else N_("The note gives this value outside the usual normal range."),
        )
    return None
