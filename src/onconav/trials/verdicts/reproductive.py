"""A woman's reproductive life: menopause ("postmenopausal women") and births ("nulliparous women"),
read from what the note says (menopause, menstrual periods, gravida and para, "never been pregnant") and,
for menopause only, from an age that leaves no doubt. Men are left to the one-sex rules.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

# Ages that settle menopause without the note saying it: natural menopause before 40 is premature
# (about 1% of women), and by 55 almost every woman has reached it (median age 51).
PREMENOPAUSAL_BEFORE = 40.0
POSTMENOPAUSAL_FROM = 55.0
# Words a menopause or parity criterion may hold besides its own and still ask only that.
OTHER_WORDS = 2
_OWN_WORDS_TEXT = """
women woman female females patient patients subject subjects participant participants who are is be must
and or the a an of with status menopausal postmenopausal premenopausal nulliparous multiparous parous
primiparous nulligravid primigravid multigravid post pre
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())

_MENOPAUSE_ASKED = re.compile(r"\b(post|pre)-?menopaus\w*", re.I)
_MENSTRUATING = re.compile(
    r"\b(?:last|regular|normal|irregular) menstrual period|\bmenstruat\w*|\bmenses\b", re.I
)
_NOT_MENSTRUATING = re.compile(r"\bno (?:menses|menstrual periods?)\b|\bamenorrh", re.I)
_POSTMENOPAUSAL = re.compile(r"post-?menopaus|(?<!pre)(?<!pre-)(?<!peri)(?<!peri-)\bmenopaus", re.I)
_OVARIES_REMOVED = re.compile(r"bilateral (?:salpingo-?)?oophorectomy", re.I)

_PARITY_ASKED = re.compile(
    r"\b(nulli|primi|multi)?(parous|gravid\w*)\b|\bnulliparity\b|\bmultiparity\b", re.I
)
_GRAVIDA_PARA = re.compile(
    r"\bG\s?(\d{1,2})\s?P\s?(\d{1,2})\b|\bgravida\s+(\d{1,2}),?\s+para\s+(\d{1,2})\b", re.I
)
_NEVER_PREGNANT = re.compile(r"\bnever (?:been )?pregnant\b|\bnulligravid\w*|\bnulliparous\b", re.I)
_PRIMIGRAVIDA = re.compile(r"\bprimigravid\w*|\bfirst pregnancy\b", re.I)


def _other_words(criterion: CriterionFacts) -> int:
    return len([w for w in re.findall(r"[a-z]+", criterion.text.lower()) if w not in _OWN_WORDS])


def _menopause_status(note: NoteFacts) -> tuple[str, int | None] | None:
    """'post' or 'pre' and the sentence that says so; None when the note leaves it open."""
    for i, sentence in enumerate(note.sentences):
        if _POSTMENOPAUSAL.search(sentence) or _OVARIES_REMOVED.search(sentence):
            return "post", i
    for i, sentence in enumerate(note.sentences):
        if _MENSTRUATING.search(sentence) and not _NOT_MENSTRUATING.search(sentence):
            return "pre", i
    if note.age is not None and note.age >= POSTMENOPAUSAL_FROM:
        return "post", note.age_sentence
    if note.age is not None and note.age < PREMENOPAUSAL_BEFORE:
        return "pre", note.age_sentence
    return None


def menopause(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Postmenopausal women", "premenopausal": against what the note or the patient's age settles."""
    m = _MENOPAUSE_ASKED.search(criterion.text)
    if m is None or note.sex != "female" or criterion.negated_subject:
        return None
    if len({w.lower() for w in _MENOPAUSE_ASKED.findall(criterion.text)}) > 1:
        return None  # "pre- or postmenopausal": both
    status = _menopause_status(note)
    if status is None:
        return NEI, None, N_("The note does not say whether the patient has reached menopause.")
    asked = m.group(1).lower()
    if status[0] != asked:
        return (
            negative_label(kind),
            status[1],
            N_("The note shows the patient's menopausal status is the other."),
        )
    if _other_words(criterion) > OTHER_WORDS:
        return None  # "postmenopausal women with osteoporosis" asks more
    return positive_label(kind), status[1], N_("The note shows the patient's menopausal status.")


def _births(note: NoteFacts) -> tuple[int, int, int] | None:
    """(pregnancies, births, sentence) as the note states them; None when it does not."""
    for i, sentence in enumerate(note.sentences):
        if m := _GRAVIDA_PARA.search(sentence):
            gravida, para = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            return int(gravida), int(para), i
        if _NEVER_PREGNANT.search(sentence):
            return 0, 0, i
        if _PRIMIGRAVIDA.search(sentence):
            return 1, 0, i
    return None


def parity(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Nulliparous women", "multiparous", "primigravida": against the note's gravida and para."""
    m = _PARITY_ASKED.search(criterion.text)
    if m is None or note.sex != "female" or criterion.negated_subject:
        return None
    births = _births(note)
    if births is None:
        return None
    gravida, para, sentence = births
    prefix, root = (m.group(1) or "").lower(), (m.group(2) or "").lower()
    count = gravida if root.startswith("gravid") else para
    if "nulliparity" in m.group(0).lower():
        prefix, count = "nulli", para
    elif "multiparity" in m.group(0).lower():
        prefix, count = "multi", para
    holds = {"nulli": count == 0, "primi": count == 1, "multi": count >= 2, "": count >= 1}[prefix]
    if not holds:
        return negative_label(kind), sentence, N_("The note gives the patient's pregnancies and births.")
    if _other_words(criterion) > OTHER_WORDS:
        return None
    return positive_label(kind), sentence, N_("The note gives the patient's pregnancies and births.")
