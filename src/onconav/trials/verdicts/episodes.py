"""How new the illness is: "newly diagnosed", "new-onset" or "first episode" against a note that says the
disease is long-standing or has come before, and "recurrent" against a note that says it is the first time.
The note's words must stand in the sentence that names the criterion's disease ("a 10-year history of
COPD"), or speak of the presenting illness itself ("three similar episodes this year"). An acute
exacerbation asked of a chronic disease the note names without saying it is getting worse stays open.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, concept_named, negative_label
from onconav.trials.verdicts.conditions import criterion_concepts
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import EXACERBATIONS
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors

_ASKS_NEW = re.compile(
    r"\bnewly[- ]diagnosed\b|\bnew[- ]onset\b|\brecently diagnosed\b|\bfirst[- ](?:ever )?(?:episode|attack|"
    r"presentation|occurrence|manifestation)\b|\bfirst[- ]ever\b|\bde novo\b",
    re.I,
)
_ASKS_RECURRENT = re.compile(r"\brecurrent\b|\brepeated episodes\b|\brecurring\b", re.I)
_YEARS = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|many|several|multiple)"
_LONG_STANDING = re.compile(
    r"\blong[- ]?standing\b|\bdiagnosed (?:\w+ ){0,4}?" + _YEARS + r" years? ago\b|"
    r"\b(?:for|over) (?:the )?(?:past |last )?"
    + _YEARS
    + r" years\b|\b"
    + _YEARS
    + r"[- ]years?[- ]history\b|"
    r"\bsince (?:childhood|(?:the )?age (?:of )?\d+|\d{4})\b|"
    r"\bdiagnosed (?:\w+ ){0,4}?at (?:the )?age (?:of )?\d+",
    re.I,
)
_CAME_BEFORE = re.compile(
    r"\b(?:similar|previous|prior|repeated|recurrent|multiple|several|" + _YEARS[3:-1] + r")\s+"
    r"(?:similar\s+)?(?:episodes|attacks|bouts)\b|\bprevious (?:episode|attack)\b|\brecurren\w*|"
    r"\banother (?:episode|attack)\b",
    re.I,
)
_FIRST_TIME = re.compile(
    r"\bfor the first time\b|\bfirst (?:episode|attack)\b|\bnever (?:had|experienced) (?:this|such|a similar|"
    r"anything like)|\bnew[- ]onset\b|\bnewly diagnosed\b",
    re.I,
)
# Signs that speak of the presenting illness itself, wherever they stand in the note.
_ABOUT_THE_PRESENTING_ILLNESS = re.compile(
    r"\bsimilar (?:episodes|attacks|bouts)\b|\bfor the first time\b", re.I
)


def _signal(note: NoteFacts, pattern: re.Pattern[str], sentences: list[int]) -> int | None:
    """The sentence where the note says it: one naming the disease, or one about the presenting illness."""
    for i in sentences:
        if pattern.search(note.sentences[i]):
            return i
    if not sentences or sentences[0] != 0:
        return None  # only the illness the note opens with is the presenting one
    for i, text in enumerate(note.sentences):
        if pattern.search(text) and _ABOUT_THE_PRESENTING_ILLNESS.search(text):
            return i
    return None


def episodes(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A new or first illness asked of a long-standing or returning one, and a recurrent one of a first."""
    flare = _flare_unsaid(note, criterion, kind)
    if flare is not None:
        return flare
    new = _ASKS_NEW.search(criterion.text)
    recurrent = _ASKS_RECURRENT.search(criterion.text)
    if not (new or recurrent) or criterion.negated_subject:
        return None
    asked = {m.concept for m in criterion_concepts(criterion)}
    # The note must name the disease the criterion asks about; every sentence that does counts.
    sentences = sorted(
        {m.sentence for m in note.mentions if m.polarity == "affirmed" and asked & set(ancestors(m.concept))}
    )
    if not sentences:
        return None
    if new:
        found = _signal(note, _LONG_STANDING, sentences)
        if found is None:
            found = _signal(note, _CAME_BEFORE, sentences)
        if found is not None:
            return (
                negative_label(kind),
                found,
                N_("The note says this illness is long-standing or has come before."),
            )
        return None
    found = _signal(note, _FIRST_TIME, sentences)
    if found is not None:
        return (
            negative_label(kind),
            found,
            N_("The note says this is the first episode; the criterion asks a recurrent illness."),
        )
    return None


_FLARES = {flare: disease for disease, (flare, _) in EXACERBATIONS.items()}


def _flare_unsaid(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An acute exacerbation asked (inclusion) of a chronic disease the note names but does not say is getting
    worse: open, whatever words of the criterion the note shares ("heart failure")."""
    if kind != "inclusion" or criterion.negated_subject:
        return None
    for asked in criterion_concepts(criterion):
        disease = _FLARES.get(asked.concept)
        if asked.polarity != "affirmed" or disease is None:
            continue
        said = [m for m in note.mentions if m.polarity == "affirmed"]
        if any(asked.concept in ancestors(m.concept) for m in said):
            return None
        named = next((m for m in said if disease in ancestors(m.concept)), None)
        if named is not None:
            return (
                NEI,
                named.sentence,
                (N_("The note names %(concept)s but not that it is getting worse."), concept_named(named)),
            )
    return None
