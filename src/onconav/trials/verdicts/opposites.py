"""States a criterion requires that a condition the note affirms rules out: "sinus rhythm" in atrial
fibrillation, "HIV-negative" or "CMV seronegative" with the infection, "immunocompetent" with an
immunodeficiency. The note's silence decides nothing here; only its affirmation. (A singleton pregnancy
against twins is the births rule's.)
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, concept_name, concept_named, negative_label
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import Mention, ancestors, other_words

# (what the criterion requires, the concepts whose presence rules it out)
_STATES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\b(?:normal )?sinus rhythm\b", re.I), ("atrial-fibrillation",)),
    (re.compile(r"\bimmuno-?competent\b", re.I), ("immunodeficiency",)),
)
# Words of such a criterion itself; more, and it asks something else too.
_OWN_WORDS_TEXT = """
patients patient subjects participants women men with in a an the must be have having has of and who are is
documented confirmed known test surface antigen antibody status result results serology serologic by at
screening normal sinus rhythm immunocompetent immuno competent negative
seronegative for
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())
OTHER_WORDS = 2
# An infection the criterion asks to be absent by its test: "HIV-negative", "negative for hepatitis B".
_NEGATIVE_AFTER = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:sero)?negative\b", re.I)
_NEGATIVE_BEFORE = re.compile(r"\b(?:sero)?negative(?: for| to)?(?:\W+\w+){0,2}\W*$", re.I)
_INFECTIONS = frozenset({"infection", "hiv", "hepatitis"})


def _tested_negative(criterion: CriterionFacts) -> list[Mention]:
    """The infections the criterion asks a negative test for."""
    out = []
    for m in criterion.mentions:
        if not _INFECTIONS & set(ancestors(m.concept)):
            continue
        after = " ".join(criterion.words[m.last :])
        before = " ".join(criterion.words[: m.first])
        if _NEGATIVE_AFTER.search(after) or _NEGATIVE_BEFORE.search(before):
            out.append(m)
    return out


def opposite_states(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A required state or a negative test, against a condition the note affirms that rules it out."""
    if criterion.negated_subject or other_words(criterion.text, _OWN_WORDS) > OTHER_WORDS:
        return None
    for pattern, concepts in _STATES:
        if pattern.search(criterion.text):
            state = concept_state(note, concepts)
            if state is not None and state[0] == "affirmed":
                return (
                    negative_label(kind),
                    state[1],
                    (
                        N_("The note names %(concept)s, which rules this out."),
                        {"concept": _name(note, concepts)},
                    ),
                )
    for mention in _tested_negative(criterion):
        state = concept_state(note, (mention.concept,))
        if state is not None and state[0] == "affirmed":
            return (
                negative_label(kind),
                state[1],
                (N_("The note names %(concept)s, which rules this out."), concept_named(mention)),
            )
    return None


def _name(note: NoteFacts, concepts: tuple[str, ...]) -> str:
    """The reader's name of the first concept the note affirms among `concepts`."""
    for m in note.mentions:
        if m.polarity == "affirmed" and set(ancestors(m.concept)) & set(concepts):
            return concept_name(m.concept)
    return concept_name(concepts[0])
