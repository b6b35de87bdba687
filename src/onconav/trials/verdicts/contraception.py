"""Contraception the note says the patient uses ("takes oral contraceptives", "has an IUD"): a criterion
requiring contraception is met, an exclusion for using (hormonal) contraception excludes, and one for not
using it does not. Without such a statement the pregnancy rule (`demographics.pregnancy`) decides.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

_METHOD = re.compile(
    r"\b(?:oral contraceptives?|contraceptive (?:pills?|patch|implant|injection)|birth control pills?|"
    r"\bocps?\b|combined pill|intrauterine (?:contraceptive )?device|\biud\b|levonorgestrel|"
    r"depo-?provera|medroxyprogesterone|etonogestrel|nuvaring|vaginal ring)",
    re.I,
)
_HORMONAL = re.compile(r"\bhormonal|\boral\b|pill|estrogen|oestrogen|progest", re.I)
_NOT_USING = re.compile(
    r"\b(?:not|no|without|unwilling|refus\w*|inadequate|ineffective|unable|fail\w*|lack of|do not)\b"
    r"[^.;]{0,40}\b(?:contracept\w*|birth control)",
    re.I,
)
_USING = re.compile(
    r"\b(?:use|uses|using|users?|taking|on|receiving)\b[^.;]{0,40}\b(?:contracept\w*|birth control)", re.I
)
_REQUIRED = re.compile(r"\b(?:must|agree|willing|should|required|using|use)\b", re.I)
_NEGATED_BEFORE = re.compile(r"\b(?:no|not|never|denies|stopped|discontinued)\b[^.;,]{0,25}$", re.I)


def _method_sentence(note: NoteFacts) -> int | None:
    for i, sentence in enumerate(note.sentences):
        hit = _METHOD.search(sentence)
        if hit and not _NEGATED_BEFORE.search(sentence[: hit.start()]):
            return i
    return None


def contraception_used(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A contraception criterion for a woman whose note names the method she uses."""
    if "contraception" not in criterion.topics or note.sex != "female":
        return None
    sentence = _method_sentence(note)
    if sentence is None or re.search(r"pregnan|lactat|breast", criterion.text, re.I):
        return None
    method = _METHOD.search(note.sentences[sentence])
    hormonal = bool(method and _HORMONAL.search(method.group(0)))
    reason = N_("The note names the contraception the patient uses.")
    if _NOT_USING.search(criterion.text):
        return ("not excluded", sentence, reason) if kind == "exclusion" else None
    if kind == "inclusion" and _REQUIRED.search(criterion.text):
        return "included", sentence, reason
    if kind == "exclusion" and _USING.search(criterion.text):
        if _HORMONAL.search(criterion.text) and not hormonal:
            return "not excluded", sentence, reason
        return "excluded", sentence, reason
    return None
