"""What a rule family answers: a label, the note sentence behind it and a reason (an English template
marked for translation, with the values of its placeholders), and the labels for each kind of criterion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from onconav.knowledge import service as knowledge
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import Mention

Kind = Literal["inclusion", "exclusion"]
INCLUSION_LABELS = ("included", "not included", "not enough information", "not applicable")
EXCLUSION_LABELS = ("excluded", "not excluded", "not enough information", "not applicable")
NEI = "not enough information"
NA = "not applicable"
# A reason is an English template (marked for translation) and the values of its placeholders.
Reason = str | tuple[str, dict[str, str]]
Found = tuple[str, int | None, Reason] | None  # (label, evidence sentence, reason)
Rule = Callable[[NoteFacts, CriterionFacts, Kind], Found]


def positive_label(kind: Kind) -> str:
    """The label of a criterion that holds: included, or excluded."""
    return "included" if kind == "inclusion" else "excluded"


def negative_label(kind: Kind) -> str:
    """The label of a criterion that does not hold: not included, or not excluded."""
    return "not included" if kind == "inclusion" else "not excluded"


def concept_name(concept: str) -> str:
    """A concept's name for a reader: its first phrase in the lexicon ("heart failure")."""
    return knowledge.clinical_lexicon().concepts[concept].phrases[0]


def concept_named(mention: Mention) -> dict[str, str]:
    """The mentioned concept's name, as the detail of a reason."""
    return {"concept": concept_name(mention.concept)}
