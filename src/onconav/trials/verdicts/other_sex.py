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
        r"\berectile\b|\bseminal\b|\bvasectom\w*|\borchi\w*|\bpsa\b|prostate[- ]specific",
        re.I,
    ),
    "female": re.compile(
        r"\bovar\w*|\bovary\b|\buter(?:us|ine)\b|\bendometri\w*|\bcervix\b|\bcervical (?:cancer|carcinoma|"
        r"dysplasia|intraepithelial|smear|screening)|\bvagin\w*|\bvulv\w*|\bfallopian\b|\bmenstru\w*|"
        r"\bfibroids?\b|\bleiomyomas?\b|\bhysterectom\w*|\boophorectom\w*|\bgyn[ae]?ecolog\w*|"
        r"\b(?:pre|peri|post)-?menopaus\w*|\bmenopaus\w*|\bpap (?:smears?|tests?)\b|\bca?esarean\b|"
        r"\bc-section\b",
        re.I,
    ),
}
_SOMEONE_ELSE = re.compile(
    r"\bfamily\b|\brelatives?\b|\bmother|\bfather|\bsister|\bbrother|\bpartner|\bspouse|\bwife\b|"
    r"\bhusband\b|\bfirst[- ]degree\b|\bwom[ae]n\b|\bfemales?\b|\bm[ae]n\b|\bmales?\b",
    re.I,
)
_ALTERNATIVES = re.compile(r"\band/or\b|,|;|\bor\b|(?<=\w{3})/(?=\w{3})", re.I)
# Longer criteria say more than one organ's condition; leave them to the other rules.
MAX_WORDS = 12


# An exclusion whose subject is one sex ("Postmenopausal women", "Female patients with ...", "Men who
# ..."): as for pregnancy, the experts label it "not applicable" for the other sex. (Inclusions are
# `demographics.sex_subject`'s: not included.)
SUBJECTS_OF = {
    "female": re.compile(
        r"^\W*(?:(?:pre|peri|post)-?menopausal\s+|pregnant\s+|lactating\s+|adult\s+|elderly\s+|young\s+)?"
        r"(?:wom[ae]n|females?|girls?|ladies)\b",
        re.I,
    ),
    "male": re.compile(r"^\W*(?:adult\s+|elderly\s+|young\s+)?(?:m[ae]n|males?|boys?)\b", re.I),
}
_BOTH = re.compile(
    r"\b(?:wom[ae]n|females?|m[ae]n|males?)\s+(?:and|or)\s+(?:wom[ae]n|females?|m[ae]n|males?)\b", re.I
)


def _excludes_only_the_other_sex(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> bool:
    if kind != "exclusion" or note.sex is None or _BOTH.search(criterion.text):
        return False
    other = "female" if note.sex == "male" else "male"
    return bool(SUBJECTS_OF[other].search(criterion.text))


def organ_of_other_sex(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A criterion only about organs of the sex the patient is not: exclusion not applicable, inclusion
    not included. An exclusion whose subject is the other sex does not apply either."""
    if _excludes_only_the_other_sex(note, criterion, kind):
        return NA, note.sex_sentence, N_("The criterion is about patients of the other sex.")
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
