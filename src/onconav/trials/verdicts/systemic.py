"""Systemic treatment of a condition other than cancer ("prior systemic treatment for psoriasis", "an
autoimmune disease that required systemic treatment"): the criterion reading (`criterion._not_anticancer`)
does not take it for anticancer therapy; here, a note that treats the condition only on the skin or by
inhalation does not meet it.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind, negative_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors

_SYSTEMIC = re.compile(r"\bsystemic(?:ally)?\b", re.I)
_LOCAL = re.compile(
    r"\b(?:topical\w*|creams?|ointments?|emollients?|inhaled|inhalers?|eye drops|phototherapy|"
    r"local(?:ly)?)\b",
    re.I,
)
_SYSTEMIC_IN_NOTE = re.compile(
    r"\b(?:systemic\w*|oral(?:ly)?|tablets?|injections?|intravenous\w*|iv|infusions?|biologics?|mg)\b", re.I
)


def systemic_for_other_condition(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Systemic treatment asked for a condition the note treats only locally: not met."""
    if not _SYSTEMIC.search(criterion.text) or any(
        m.concept == "systemic-therapy" for m in criterion.mentions
    ):
        return None
    asked = {m.concept for m in criterion.mentions if m.polarity != "negated"}
    for m in note.mentions:
        if m.polarity != "affirmed" or not asked & set(ancestors(m.concept)):
            continue
        sentence = note.sentences[m.sentence]
        if _LOCAL.search(sentence) and not _SYSTEMIC_IN_NOTE.search(sentence):
            return (
                negative_label(kind),
                m.sentence,
                N_("The note says this condition is treated only locally, not systemically."),
            )
    return None
