"""What a note's blanket statements settle: "takes no medications" fails an inclusion asking for a
medicine taken now; "no past medical history" fails one asking for a known, chronic or past disease
the note does not name. Silence alone never does (the experts leave such inclusions open).
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import is_medication
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors

_TAKEN_NOW = re.compile(
    r"\b(?:on|taking|takes|receiving|currently|stable (?:dose|doses|regimen)|use of|using|treated with)\b",
    re.I,
)
_MEDICINES = frozenset({"corticosteroids", "anticoagulation", "antibiotics"})
_PAST_DISEASE = re.compile(r"\b(?:history of|known|chronic|previously diagnosed|diagnosed with)\b", re.I)


def blanket_statements(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion a note's "takes no medications" or "no past medical history" rules out."""
    if kind != "inclusion" or criterion.negated_subject or not criterion.mentions:
        return None
    concepts = tuple(m.concept for m in criterion.mentions)
    if concept_state(note, concepts) is not None:
        return None  # the note names it: the concept rules decide
    medicines = [c for c in concepts if any(is_medication(a) or a in _MEDICINES for a in ancestors(c))]
    if note.no_medications_sentence is not None and medicines and _TAKEN_NOW.search(criterion.text):
        return (
            "not included",
            note.no_medications_sentence,
            N_("The note says the patient takes no medications; the criterion asks for one."),
        )
    if note.no_history_sentence is not None and not medicines and _PAST_DISEASE.search(criterion.text):
        return (
            "not included",
            note.no_history_sentence,
            N_("The note says the patient has no past medical history; the criterion asks for a disease."),
        )
    return None
