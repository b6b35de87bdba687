"""Brain metastases in a criterion, read for what the criterion asks: their absence ("No brain
metastases"), their presence (an exclusion, or a trial for them), or a requirement for those who have them
("Patients with brain metastases must have completed radiotherapy"), against what the note reports.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind, positive_label
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

# "Patients with brain metastases must ...", "... are eligible if ...", "If brain metastases are present":
# a requirement addressed to patients who have them, not a request for them.
_FOR_THOSE_WITH = re.compile(
    r"^\W*(?:(?:patients|subjects|participants|those)\s+with\s+(?:\w+\s+){0,3}?|if\s+(?:\w+\s+){0,3}?)"
    r"(?:brain|cns|cerebral)\s+(?:metastas[ie]s|lesions|disease)\b[^.;]*?"
    r"\b(?:must|should|need|(?:are|will be) (?:only )?(?:eligible|allowed|permitted)|"
    r"(?:may|can) (?:be )?(?:included|enrolled|eligible|participate|enter))\b",
    re.I,
)
# "No brain metastases", "without known brain metastases", "absence of CNS metastases".
_ABSENCE = re.compile(
    r"^\W*(?:(?:patients?|subjects?|participants?)\s+)?(?:no|without|absence of|free of|not have|"
    r"(?:who\s+)?(?:do|does)\s+not\s+have)\b",
    re.I,
)
# Qualifiers that the note's bare report of brain metastases does not settle.
_QUALIFIED = re.compile(
    r"\b(?:untreated|active|symptomatic|progressive|progressing|unstable|uncontrolled|leptomeningeal|"
    r"requiring|steroid)\w*",
    re.I,
)


def brain_metastases(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A criterion about brain metastases for a patient with cancer: reported, ruled out, or not said."""
    reported = "brain" in note.metastatic_sites
    reported_sentence = next((i for i, words in enumerate(note.words) if "brain" in words), None)
    state = concept_state(note, ("brain-metastases",))
    ruled_out = not reported and state is not None and state[0] == "negated"
    ruled_out_sentence = state[1] if ruled_out and state is not None else None
    if _FOR_THOSE_WITH.search(criterion.text):
        if reported:
            return (
                NEI,
                reported_sentence,
                N_("The note reports brain metastases but not what this criterion requires of them."),
            )
        return (
            NA,
            ruled_out_sentence,
            N_("The criterion is for patients with brain metastases; the note reports none."),
        )
    asks_absence = kind == "inclusion" and (criterion.negated_subject or _ABSENCE.search(criterion.text))
    if reported:
        if asks_absence:
            if _QUALIFIED.search(criterion.text):
                return (
                    NEI,
                    reported_sentence,
                    N_("The note reports brain metastases but not whether they are as described."),
                )
            return "not included", reported_sentence, N_("The note reports brain metastases.")
        if (
            kind == "exclusion"
            and _QUALIFIED.search(criterion.text)
            and _was_treated(note, reported_sentence)
        ):
            return (
                NEI,
                reported_sentence,
                N_("The note reports brain metastases but not whether they are as described."),
            )
        return positive_label(kind), reported_sentence, N_("The note reports brain metastases.")
    if ruled_out:
        if asks_absence:
            return "included", ruled_out_sentence, N_("The note says there are no brain metastases.")
        label = "not included" if kind == "inclusion" else "not excluded"
        return label, ruled_out_sentence, N_("The note says there are no brain metastases.")
    return NEI, None, N_("The note does not say whether the cancer has reached the brain.")


_TREATED = re.compile(
    r"\b(?:treated|radiotherapy|radiation|radiosurgery|stereotactic|resect\w*|stable)\b", re.I
)


def _was_treated(note: NoteFacts, sentence: int | None) -> bool:
    """Whether the sentence reporting the brain metastases says they were treated or are stable."""
    if sentence is None:
        return False
    text = note.sentences[sentence]
    return bool(_TREATED.search(text)) and not _NOT_TREATED.search(text)


_NOT_TREATED = re.compile(r"\b(?:not (?:been |yet )?treated|untreated|no treatment)\b", re.I)
