"""PSA progression asked by a prostate cancer criterion ("PSA progression", "rising PSA"), against a rise
the note gives in numbers ("his PSA rose from 2.1 to 6.4 ng/mL"). The numbers are those of the Prostate
Cancer Working Group 3 (Scher et al., J Clin Oncol 2016): a rise of at least 25 % and at least 2 ng/mL
above the lowest value. The working group also asks the rise be confirmed three weeks later; notes rarely
say, so a rise that meets both numbers is taken as progression, one that misses them leaves it open, and a
falling PSA is not progression.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.measures import parse_number
from onconav.trials.verdicts.note import NoteFacts

PSA_RISE_RATIO = 1.25  # at least 25 % above the lowest value
PSA_RISE_NG_ML = 2.0  # and at least 2 ng/mL above it

_ASKED = re.compile(
    r"\bpsa\b[^.;]{0,30}\b(?:progression|progressive|rise|rising|increase)|"
    r"\b(?:rising|increasing)\s+(?:serum\s+)?psa\b|\bbiochemical (?:progression|recurrence|relapse)\b",
    re.I,
)
_NUMBER = r"(\d+(?:\.\d+)?)"
_CHANGE = re.compile(
    r"\bpsa\b[^.;]{0,50}?\b"
    r"(rose|risen|rising|increased|went up|climbed|fell|fallen|decreased|declined|dropped)"
    rf"\s+(?:\w+\s+){{0,2}}?from\s+{_NUMBER}\s*(?:ng/ml)?\s+to\s+{_NUMBER}",
    re.I,
)


def psa_progression(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A PSA progression criterion against the rise (or fall) the note gives in numbers."""
    if not _ASKED.search(criterion.text) or criterion.negated_subject:
        return None
    for i, sentence in enumerate(note.sentences):
        m = _CHANGE.search(sentence)
        if m is None:
            continue
        first, last = parse_number(m.group(2)), parse_number(m.group(3))
        low = min(first, last)
        if last <= first:
            return negative_label(kind), i, N_("The note says the PSA fell.")
        if last >= low * PSA_RISE_RATIO and last - low >= PSA_RISE_NG_ML:
            return positive_label(kind), i, N_("The PSA rose by a quarter or more, and by 2 ng/mL or more.")
        return NEI, i, N_("The PSA rose, but by less than a quarter or less than 2 ng/mL.")
    return None
