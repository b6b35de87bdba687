"""Conditions of organs only the other sex has: "prostate enlargement" for a woman, "endometriosis" or
"ovarian cancer" for a man. The patient cannot have them, so an exclusion about them does not apply and an
inclusion requiring them is not met.

Only criteria whose every alternative is about such an organ count ("prostate or breast cancer" also asks
about the breast, which both sexes have), and never a relative's or partner's history. Pregnancy,
breast-feeding and contraception have their own rule (`demographics.pregnancy`).
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, Found, Kind
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

# Organs (and their conditions and operations) of one sex only. "Cervical" alone is the neck's as often
# as the uterine cervix's, so only the words that make it the cervix count.
ORGANS_OF = {
    "male": re.compile(
        r"\bprostat\w*|\btesticl\w*|\btesticular\b|\btest[ie]s\b|\bscrot\w*|\bpenile\b|\bpenis\b|"
        r"\berectile\b|\bseminal\b|\bvasectom\w*|\borchi\w*",
        re.I,
    ),
    "female": re.compile(
        r"\bovar\w*|\bovary\b|\buter(?:us|ine)\b|\bendometri\w*|\bcervix\b|\bcervical (?:cancer|carcinoma|"
        r"dysplasia|intraepithelial|smear|screening)|\bvagin\w*|\bvulv\w*|\bfallopian\b|\bmenstru\w*|"
        r"\bfibroids?\b|\bleiomyomas?\b|\bhysterectom\w*|\boophorectom\w*|\bgyn[ae]?ecolog\w*",
        re.I,
    ),
}
_SOMEONE_ELSE = re.compile(
    r"\bfamily\b|\brelatives?\b|\bmother|\bfather|\bsister|\bbrother|\bpartner|\bspouse|\bwife\b|"
    r"\bhusband\b|\bfirst[- ]degree\b|\bwom[ae]n\b|\bfemales?\b|\bm[ae]n\b|\bmales?\b",
    re.I,
)
_ALTERNATIVES = re.compile(r",|;|\bor\b|\band/or\b|/", re.I)
# Longer criteria say more than one organ's condition; leave them to the other rules.
MAX_WORDS = 12


def organ_of_other_sex(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A criterion only about organs of the sex the patient is not: exclusion not applicable, inclusion
    not included."""
    if note.sex is None or len(criterion.words) > MAX_WORDS or _SOMEONE_ELSE.search(criterion.text):
        return None
    other = "female" if note.sex == "male" else "male"
    organs = ORGANS_OF[other]
    parts = [p for p in _ALTERNATIVES.split(criterion.text) if re.search(r"\w", p)]
    if not parts or not all(organs.search(p) for p in parts) or ORGANS_OF[note.sex].search(criterion.text):
        return None
    reason = N_("The criterion is about an organ of the other sex.")
    if kind == "exclusion":
        return NA, note.sex_sentence, reason
    return "not included", note.sex_sentence, reason
