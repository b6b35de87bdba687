"""What a clinical note cannot tell: the results of the trial's own screening tests, a patient's birth
history when the note does not speak of the birth, and complications of a procedure the patient never had.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind, concept_named
from onconav.trials.verdicts.conditions import concept_state, criterion_concepts, qualified
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

_SCREENING = re.compile(
    r"\b(?:on|at|during|upon|by) (?:the )?screening\b|"
    r"\bscreening (?:tests?|results?|visit|laborator\w*|assessments?)|"
    r"\bpass\w* (?:the )?(?:[\w-]+ ){0,2}screening\b|\bpositive (?:result )?(?:on|at|in) (?:the )?screening",
    re.I,
)
_BIRTH_HISTORY = re.compile(
    r"\b(?:premature(?:ly)? (?:birth|born|delivery)|born prematurely|prematurity|"
    r"preterm (?:birth|born|infant)|"
    r"born preterm|birth ?weight)\b",
    re.I,
)
_NOTE_BIRTH = re.compile(r"\b(?:born|birth|term|preterm|prematur\w*|gestation\w*|delivered)\b", re.I)
# Conditions that only exist after a procedure: without the procedure the criterion does not apply.
PRESUPPOSES = {"graft-versus-host-disease": "transplant"}


def unknowable(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """What a clinical note cannot tell: the results of the trial's own screening tests and a patient's
    birth history (prematurity, birth weight) when the note does not speak of the birth; and complications
    of a procedure the patient never had (graft-versus-host disease without a transplant)."""
    screening = bool(_SCREENING.search(criterion.text)) and not re.search(
        r"\b(?:prior to|before) screening", criterion.text, re.I
    )
    birth = bool(_BIRTH_HISTORY.search(criterion.text))
    if not (screening or birth or criterion.concepts & PRESUPPOSES.keys()):
        return None
    named = criterion_concepts(criterion)
    said = [m for m in named if (state := concept_state(note, (m.concept,))) and state[0] == "affirmed"]
    if said:
        if screening and kind == "exclusion" and not qualified(criterion, said[0]):
            # A screening test for a disease the patient is known to have will be positive.
            state = concept_state(note, (said[0].concept,))
            evidence = state[1] if state else None
            return "excluded", evidence, (N_("The note names %(concept)s."), concept_named(said[0]))
        return None
    if kind == "exclusion" and named:
        for m in named:
            needed = PRESUPPOSES.get(m.concept)
            if needed is not None and concept_state(note, (needed,)) is None:
                return (
                    NA,
                    None,
                    N_("The criterion is about a complication of a procedure the patient has not had."),
                )
    if screening:
        return NEI, None, N_("The results of the trial's screening tests are not in the note.")
    if birth and not _NOTE_BIRTH.search(note.text):
        return NEI, None, N_("The note does not describe the patient's birth.")
    return None
