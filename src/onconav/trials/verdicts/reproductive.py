"""A woman's births: "nulliparous women", "multiparous", "primigravida", against the gravida and para
the note gives or "never been pregnant". Menopause is judged in `population`; men are left to the one-sex
rules.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import other_words

CHILD_AGE = 10.0  # a child has had no pregnancies; the gravida and para in a child's note are the mother's
# Words a parity criterion may hold besides its own and still ask only that.
OTHER_WORDS = 2
_OWN_WORDS_TEXT = """
women woman female females patient patients subject subjects participant participants who are is be must
and or the a an of with status nulliparous multiparous parous
primiparous nulligravid primigravid multigravid
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())

_PARITY_ASKED = re.compile(
    r"\b(nulli|primi|multi)?(parous|gravid\w*)\b|\bnulliparity\b|\bmultiparity\b", re.I
)
_GRAVIDA_PARA = re.compile(
    r"\bG\s?(\d{1,2})\s?P\s?(\d{1,2})\b|\bgravida\s+(\d{1,2}),?\s+para\s+(\d{1,2})\b", re.I
)
_NEVER_PREGNANT = re.compile(r"\bnever (?:been )?pregnant\b|\bnulligravid\w*|\bnulliparous\b", re.I)
_PRIMIGRAVIDA = re.compile(r"\bprimigravid\w*|\bfirst pregnancy\b", re.I)


def note_births(note: NoteFacts) -> tuple[int, int, int] | None:
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


def _holds(m: re.Match[str], gravida: int, para: int) -> bool:
    """Whether one parity word ("nulliparous", "primigravida", "parous") fits the gravida and para."""
    prefix, root = (m.group(1) or "").lower(), (m.group(2) or "").lower()
    count = gravida if root.startswith("gravid") else para
    if "nulliparity" in m.group(0).lower():
        prefix, count = "nulli", para
    elif "multiparity" in m.group(0).lower():
        prefix, count = "multi", para
    return {"nulli": count == 0, "primi": count == 1, "multi": count >= 2, "": count >= 1}[prefix]


# A uterus asked for ("women with an intact uterus") and an operation that removed it.
_UTERUS_ASKED = re.compile(
    r"\b(?:intact|with an?|have an?|has an?) uterus\b|\buterus in situ\b|"
    r"\b(?:no|without|not (?:had|undergone)) (?:a |prior |previous )?hysterectomy\b",
    re.I,
)
_UTERUS_REMOVED = re.compile(r"\bhysterectomy\b", re.I)


def uterus(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Women with an intact uterus" for a woman whose note reports a hysterectomy: not met."""
    if kind != "inclusion" or not _UTERUS_ASKED.search(criterion.text):
        return None
    removed = next((i for i, s in enumerate(note.sentences) if _UTERUS_REMOVED.search(s)), None)
    if removed is None or not any(
        m.concept == "hysterectomy" and m.polarity == "affirmed" for m in note.mentions
    ):
        return None
    return "not included", removed, N_("The note reports a hysterectomy; the criterion asks for a uterus.")


def parity(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Nulliparous women", "multiparous", "primigravida": against the note's gravida and para."""
    if (removed := uterus(note, criterion, kind)) is not None:
        return removed
    m = _PARITY_ASKED.search(criterion.text)
    if m is None:
        return None
    if note.age is not None and note.age < CHILD_AGE:
        return (
            NA,
            note.age_sentence,
            N_("The criterion is about pregnancies and births; the patient is a child."),
        )
    if note.sex != "female" or criterion.negated_subject:
        return None
    births = note_births(note)
    if births is None:
        return None
    gravida, para, sentence = births
    # "Primiparous or nulliparous women": any parity named will do.
    holds = any(_holds(asked, gravida, para) for asked in _PARITY_ASKED.finditer(criterion.text))
    if not holds:
        return negative_label(kind), sentence, N_("The note gives the patient's pregnancies and births.")
    if other_words(criterion.text, _OWN_WORDS) > OTHER_WORDS:
        return None
    return positive_label(kind), sentence, N_("The note gives the patient's pregnancies and births.")
