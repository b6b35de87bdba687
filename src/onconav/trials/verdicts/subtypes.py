"""Kinds that rule each other out: a patient with type 1 diabetes does not have type 2, an underactive
thyroid is not an overactive one; and a side: a "unilateral" finding is not the "bilateral" one the note
reports (or the reverse). Only these pairs count: most sibling conditions can coexist.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, concept_name, negative_label
from onconav.trials.verdicts.conditions import concept_state, criterion_concepts
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.family import IN_RELATIVES
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems
from onconav.trials.verdicts.text import ancestors

# Concepts of which a patient has at most one at a time.
EXCLUSIVE = (
    frozenset({"type-1-diabetes", "type-2-diabetes"}),
    frozenset({"hypothyroidism", "hyperthyroidism"}),
    frozenset({"hypokalemia", "hyperkalemia"}),
)
_SIDES = {"unilateral": re.compile(r"\bunilateral\b", re.I), "bilateral": re.compile(r"\bbilateral\b", re.I)}


def _affirmed_sentences(note: NoteFacts, concept: str) -> list[int]:
    return [m.sentence for m in note.mentions if m.polarity == "affirmed" and concept in ancestors(m.concept)]


def subtypes(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A kind the note's own kind rules out, or the other side."""
    if (
        criterion.negated_subject
        or re.search(r"\bor\b|/|,", criterion.text)
        or IN_RELATIVES.search(criterion.text)
    ):
        return None  # a relative's kind is not ruled out by the patient's
    named = [m for m in criterion_concepts(criterion) if m.polarity == "affirmed"]
    for mention in named:
        group = next((g for g in EXCLUSIVE if mention.concept in g), None)
        if group is None or concept_state(note, (mention.concept,)) is not None:
            continue
        for other in sorted(group - {mention.concept}):
            sentences = _affirmed_sentences(note, other)
            if sentences:
                return (
                    negative_label(kind),
                    sentences[0],
                    (N_("The note names another kind: %(concept)s."), {"concept": concept_name(other)}),
                )
    for side, pattern in _SIDES.items():
        if not pattern.search(criterion.text):
            continue
        opposite = _SIDES["bilateral" if side == "unilateral" else "unilateral"]
        candidates = [i for m in named for i in _affirmed_sentences(note, m.concept)]
        wanted = stems(criterion.words) - {"unila", "bilat"}
        # A finding the lexicon does not know: the sentence that names most of the criterion's words.
        candidates += [
            i for i, words in enumerate(note.words) if wanted and len(wanted & stems(words)) * 2 > len(wanted)
        ]
        for i in candidates:
            if opposite.search(note.sentences[i]) and not pattern.search(note.sentences[i]):
                return negative_label(kind), i, N_("The note reports the other side.")
    return None
