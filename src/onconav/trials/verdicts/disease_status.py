"""How the cancer stands now, as trials ask it: measurable disease (RECIST) and disease that progressed or
came back after a treatment. Both are findings of imaging and of the treatment history; a note that names
the cancer, or its spread, has not said them.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.extent import disease_extent
from onconav.trials.verdicts.note import NoteFacts

# RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009): measurable disease is at least one lesion measured
# at 10 mm or more on CT (15 mm short axis for a lymph node); a note naming the tumour does not measure it.
_ASKS_MEASURABLE = re.compile(r"\bmeasurable (?:disease|lesions?|tumou?rs?)\b|\btarget lesions?\b", re.I)
_EITHER_MEASURABLE = re.compile(r"\bnon-?\s?measurable\b|\bnot measurable\b|\bevaluable\b", re.I)
_NOTE_NOT_MEASURABLE = re.compile(
    r"\b(?:no|without)\s+(?:\w+\s+){0,2}?(?:measurable|target)\b|\bnon-?\s?measurable\b|\bnot measurable\b",
    re.I,
)


def measurable_disease(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Inclusion asking measurable disease: not met when the note says there is none to measure, open
    otherwise (as the experts leave it even beside lesions the note names; the cancer's name, its spread,
    or "Response Evaluation Criteria in Solid Tumors" are not a measurement)."""
    if kind != "inclusion" or note.cancer is None or "measurabl" not in criterion.text.lower():
        return None
    if not _ASKS_MEASURABLE.search(criterion.text) or _EITHER_MEASURABLE.search(criterion.text):
        return None
    found = disease_extent(note, criterion, kind)
    if found is not None:
        return found
    for index, sentence in enumerate(note.sentences):
        if _NOTE_NOT_MEASURABLE.search(sentence):
            return "not included", index, N_("The note says the disease is not measurable.")
    return NEI, None, N_("The note does not say the disease is measurable (a lesion measured on imaging).")


# "Disease recurrence or progression during/after one prior platinum doublet-based chemotherapy regimen",
# "refractory to at least one line of therapy": the cancer grew, or came back, after a treatment.
_ASKS_PROGRESSION = re.compile(
    r"\b(?:progress\w*|recurren\w*(?! laryngeal)|recurred|relaps\w*|refractory)\b[^.;]{0,80}?"
    r"\b(?:after|during|following|on|despite|to|with)\b[^.;]{0,60}?"
    r"\b(?:therap\w*|treatments?|regimens?|chemo\w*|lines?|platinum|\w+mab|\w+nib|surgery|radiation)\b",
    re.I,
)
# What a note says when the cancer grew or came back (or failed a treatment), in a sentence about the
# disease ("progressive leg weakness" is not the cancer's progression).
_NOTE_PROGRESSION = re.compile(
    r"\b(?:progress\w*|recurren\w*(?! laryngeal)|recurred|relaps\w*|refractory|"
    r"new (?:\w+ ){0,2}?(?:lesions?|metasta\w*|masses|nodules?|mets)|"
    r"ris(?:ing|e in)|grew|grown|growing|growth|enlarg\w*|increas\w* in size|"
    r"no response|did not respond|not (?:have )?(?:much|a significant) (?:\w+ ){0,3}?response|resistant)\b",
    re.I,
)
_ABOUT_THE_DISEASE = re.compile(
    r"cancer|carcinoma|tumou?r|malignan|neoplas|disease|lesion|metasta|mass|nodule|\w+oma\b|leuk|"
    r"lymph|\bpsa\b|marker|white (?:blood )?(?:cell )?count|response|therapy|treatment",
    re.I,
)


def progression_after_treatment(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Inclusion asking disease that progressed or recurred after a treatment: not met by a note that
    never says the disease grew or came back (the cancer's spread alone is not progression after it)."""
    if kind != "inclusion" or note.cancer is None or not _ASKS_PROGRESSION.search(criterion.text):
        return None
    if any(_NOTE_PROGRESSION.search(s) and _ABOUT_THE_DISEASE.search(s) for s in note.sentences):
        return None
    return NEI, None, N_("The note does not say the disease progressed or came back after a treatment.")
