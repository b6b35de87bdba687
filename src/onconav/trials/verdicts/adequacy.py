"""Soundness asked in words, not numbers: "normal renal function", "adequate liver function",
"hemodynamically stable", "normotensive", "immunocompetent". A note that names the organ's disease or
gives a value clearly outside the normal range fails it; a note that says nothing leaves it open (the
trial's own tests will tell), and values inside the range are left to the numeric rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, concept_named, negative_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.measures import Comparator, compare, on_scale_of
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors


@dataclass(frozen=True)
class Soundness:
    """What a criterion's words ask, and what in a note fails it: diseases, and values beyond a bound."""

    asked: re.Pattern[str]
    diseases: frozenset[str]
    # (measure, comparator, bound): a reading that satisfies it is clearly abnormal. Bounds are well past
    # the upper (or lower) limit of normal, so that no laboratory's range makes a failing value normal.
    values: tuple[tuple[str, Comparator, float], ...] = ()
    words: re.Pattern[str] | None = None  # words in the note that fail it on their own


_SOUND = r"(?:normal|adequate|preserved|intact|sufficient|acceptable)"
SOUNDNESS = (
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:renal|kidney)\s+function", re.I),
        frozenset({"kidney-disease", "acute-kidney-injury", "dialysis"}),
        (("creatinine", ">", 1.8), ("creatinine-clearance", "<", 45.0)),
    ),
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:hepatic|liver)\s+function", re.I),
        frozenset({"liver-disease", "cirrhosis"}),
        (("bilirubin", ">", 3.0), ("transaminases", ">", 200.0)),
    ),
    Soundness(
        re.compile(rf"\b{_SOUND}\s+(?:bone marrow|marrow|haematologic\w*|hematologic\w*)\s+function", re.I),
        frozenset({"thrombocytopenia", "neutropenia"}),
        (("platelets", "<", 75_000.0), ("neutrophils", "<", 1.0), ("hemoglobin", "<", 8.0)),
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


def _failing_disease(note: NoteFacts, soundness: Soundness) -> tuple[int, dict[str, str]] | None:
    for mention in note.mentions:
        if mention.polarity == "affirmed" and soundness.diseases & set(ancestors(mention.concept)):
            return mention.sentence, concept_named(mention)
    return None


def _failing_value(note: NoteFacts, soundness: Soundness) -> int | None:
    for measure, op, bound in soundness.values:
        for reading in note.readings:
            value = on_scale_of(measure, reading.value, bound)
            if reading.measure == measure and reading.unit != "implied" and compare(value, op, bound):
                return reading.sentence
    return None


def soundness(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Soundness asked in words, failed by a disease the note names or a value clearly outside the range."""
    if kind != "inclusion" or criterion.negated_subject:
        return None
    for asked in SOUNDNESS:
        if not asked.asked.search(criterion.text):
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
    return None
