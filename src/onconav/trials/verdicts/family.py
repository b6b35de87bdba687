"""A family history the criterion asks ("Family history of myocardial infarction") against the relatives'
illnesses the note tells ("His brother had a myocardial infarction", "family history of breast cancer"):
met when the note gives a relative the disease (or a narrower one), not met when it says the family
history is negative, open when it says the family history is unknown (an adopted patient). A criterion with
words the note's sentence does not hold ("premature") stays open. Cancers and hereditary mutations in the
family are `heredity.py`'s.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, concept_named, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import stems
from onconav.trials.verdicts.relatives import NO_FAMILY_HISTORY, UNKNOWN_FAMILY
from onconav.trials.verdicts.text import ancestors

# Words of a family history itself; any other word must be in the note's sentence.
_FAMILY_WORDS_TEXT = (
    "family history of in a first second degree relative relatives parent parents sibling siblings known "
    "member members any personal or"
)
_FAMILY_WORDS = frozenset(_FAMILY_WORDS_TEXT.split())


# "Schizophrenia in a first-degree relative", "in any family member": a family history by other words.
IN_RELATIVES = re.compile(
    r"\b(?:first|second)[- ]degree relatives?\b|\bin (?:a |any )?(?:family members?|relatives?)\b", re.I
)


def is_family_history(criterion: CriterionFacts) -> bool:
    """Whether the criterion asks a family history ("family history of X", "X in a first-degree relative")."""
    return (
        bool(criterion.mentions)
        and not criterion.negated_subject
        and (
            all(m.polarity == "family" for m in criterion.mentions)
            or bool(IN_RELATIVES.search(criterion.text))
        )
    )


def family_history(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A family history of a disease asked of the relatives' illnesses the note gives; the patient's own
    illness counts only when the criterion says "personal or family history"."""
    if not is_family_history(criterion):
        return None
    own = bool(re.search(r"\bpersonal\b", criterion.text, re.I))
    for mention in criterion.mentions:
        for said in note.mentions:
            if mention.concept not in ancestors(said.concept):
                continue
            if not (said.polarity == "family" or (own and said.polarity == "affirmed")):
                continue
            named = set(criterion.words[mention.first : mention.last])
            rest = stems(tuple(w for w in criterion.words if w not in _FAMILY_WORDS and w not in named))
            if rest - stems(note.words[said.sentence]) - stems(tuple(named)):
                return None
            return (
                positive_label(kind),
                said.sentence,
                (N_("The note gives a relative %(concept)s."), concept_named(mention)),
            )
    unknown = next((i for i, s in enumerate(note.sentences) if UNKNOWN_FAMILY.search(s)), None)
    if unknown is not None:
        # an adopted patient's family history is unknown, not negative
        return NEI, unknown, N_("The note says the family history is unknown.")
    denied = next((i for i, s in enumerate(note.sentences) if NO_FAMILY_HISTORY.search(s)), None)
    if denied is not None and not any(m.polarity == "family" for m in note.mentions):
        return negative_label(kind), denied, N_("The note says the family history is negative.")
    return None
