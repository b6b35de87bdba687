"""A time window on an event: "radiotherapy within 6 months before the first dose", "myocardial infarction
in the last 3 months", against the note's own dating of that event ("radiosurgery 3 months ago", "an
infarction two years ago"). Inside the window the criterion holds; outside it, it does not. The note's
date must stand in the sentence that names the event; other dates say nothing of it.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, concept_named, negative_label, positive_label
from onconav.trials.verdicts.conditions import criterion_concepts
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.durations import AMOUNT, UNIT, hours
from onconav.trials.verdicts.implied import is_medication
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.overlap import note_stems, stems
from onconav.trials.verdicts.refusals import goes_on
from onconav.trials.verdicts.text import Mention, ancestors, tokenize

_WINDOW = re.compile(
    r"\b(?:within|in|during|over)\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*"
    + AMOUNT
    + r"\s*"
    + UNIT
    + r"|\b"
    + AMOUNT
    + r"\s*"
    + UNIT
    + r"\s+(?:before|prior to|preceding)\b",
    re.I,
)
_AGO = re.compile(
    r"\b" + AMOUNT + r"\s*-?\s*" + UNIT + r"\s+(?:ago|earlier|previously|before (?:admission|presentation))",
    re.I,
)
# "Has been off prednisone for 6 months", "stopped warfarin for the past two weeks": a treatment stopped that
# long ago (read only for a treatment the note says was stopped).
_OFF_FOR = re.compile(
    r"\b(?:off|stopped|discontinued|ceased|quit)\b[^.;]{0,40}?\bfor\s+(?:the\s+)?(?:last\s+|past\s+)?"
    + AMOUNT
    + r"\s*-?\s*"
    + UNIT,
    re.I,
)
# "A 12-year history of type 2 diabetes": the illness began that long ago.
_HISTORY = re.compile(r"\b" + AMOUNT + r"\s*-?\s*" + UNIT + r"\s+history\b", re.I)
# "Diagnosed at least 6 months before screening": a least time since the event, not a window.
_AT_LEAST = re.compile(r"(?:at least|more than|longer than|over|minimum of|≥|>=|>)\s*$", re.I)
# A medicine the sentence says is taken now ("takes levodopa and rasagiline").
_TAKEN_NOW = re.compile(r"\b(?:tak(?:es|ing)|on|receiv(?:es|ing)|currently|daily)\b", re.I)
# Words of the window itself; more than this many others the note does not hold, and the criterion asks
# more than the event in its window ("major surgery" of a note's minor one).
OTHER_WORDS = 1
_WINDOW_WORDS_TEXT = """
within last past previous preceding prior before during over first dose study entry enrollment enrolment
randomization randomisation registration screening start treatment therapy use day days week weeks month
months year years history least more than longer minimum diagnosed diagnosis
"""
_WINDOW_WORDS = frozenset(_WINDOW_WORDS_TEXT.split())


def _window_hours(text: str) -> tuple[float, bool] | None:
    """The window's length in hours, and whether it is a least time since the event ("at least 3 years
    before screening") rather than a window ending now."""
    m = _WINDOW.search(text)
    if m is None:
        return None
    amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return hours(amount, unit), bool(m.group(3)) and bool(_AT_LEAST.search(text[: m.start()]))


# A criterion asking for a procedure the patient has had ("previous appendectomy", "prior surgery"), and a
# note sentence saying it is only planned ("scheduled for laparoscopic appendectomy").
_ASKS_PAST = re.compile(
    r"\b(?:previous(?:ly)?|prior|history of|past|underwent|had|have had|has had|post|after|following|"
    r"status post|s/p|existing|implanted|in place)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:scheduled|booked|planned|planning|awaiting|awaits|will (?:undergo|have)|(?:is|are) to (?:undergo|"
    r"have)|candidate for|referred for|listed for|consent(?:ed)? for)\b",
    re.I,
)


# Procedures and devices a note can plan (a disease named in a plan's sentence is had already).
_PROCEDURES = frozenset(
    {"surgery", "transplant", "pacemaker", "coronary-intervention", "radiotherapy", "systemic-therapy"}
)


# Words of a plan and of a thing done, read before the procedure's mention: the nearer one decides ("underwent
# a hemicolectomy and is scheduled for a cholecystectomy": the cholecystectomy is planned).
_PLAN_WORDS_TEXT = (
    "scheduled booked planned planning awaiting awaits candidate referred listed will consented plan"
)
_DONE_WORDS_TEXT = "received underwent undergone had has completed previous previously prior ago after status"
_PLAN_WORDS = frozenset(_PLAN_WORDS_TEXT.split())
_DONE_WORDS = frozenset(_DONE_WORDS_TEXT.split())


def _only_a_plan(note: NoteFacts, mention: Mention) -> bool:
    words = note.sequences[mention.sentence][: mention.first]
    plan = max((i for i, w in enumerate(words) if w in _PLAN_WORDS), default=-1)
    done = max((i for i, w in enumerate(words) if w in _DONE_WORDS), default=-1)
    return plan > done


def _only_planned(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A past procedure asked of a note where every mention of it is a plan: not had yet."""
    if criterion.negated_subject or not _ASKS_PAST.search(criterion.text) or _PLANNED.search(criterion.text):
        return None
    for mention in criterion_concepts(criterion):
        if mention.polarity != "affirmed" or not _PROCEDURES & set(ancestors(mention.concept)):
            continue
        said = [
            m for m in note.mentions if m.polarity == "affirmed" and mention.concept in ancestors(m.concept)
        ]
        if said and all(_only_a_plan(note, m) for m in said):
            return (
                negative_label(kind),
                said[0].sentence,
                (N_("The note says %(concept)s is planned, not done."), concept_named(mention)),
            )
    return None


def event_window(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An event the note dates against the criterion's window for it."""
    planned = _only_planned(note, criterion, kind)
    if planned is not None:
        return planned
    window = _window_hours(criterion.text)
    if window is None or criterion.negated_subject:
        return None
    limit, least = window
    for mention in criterion_concepts(criterion):
        if mention.polarity != "affirmed":
            continue
        undated: int | None = None  # a treatment stopped at a time the note does not give
        # a treatment that goes on now is inside any window, whenever an earlier course of it stopped
        current = goes_on(note.mentions, mention.concept)
        for said in note.mentions:
            if said.polarity != "affirmed" or mention.concept not in ancestors(said.concept):
                continue
            if current and said.status == "stopped":
                continue
            since = _time_since(note.sentences[said.sentence], said)
            if since is None:
                if said.status == "stopped" and undated is None:
                    undated = said.sentence
                continue
            low, high = since  # "stopped last month": between one month and two
            if least:
                inside = True if low >= limit else False if high < limit else None
            else:
                inside = True if high <= limit else False if low > limit else None
            if inside is None:
                undated = said.sentence if undated is None else undated
                continue
            if not inside:
                return (
                    negative_label(kind),
                    said.sentence,
                    (N_("The note dates %(concept)s outside this time window."), concept_named(mention)),
                )
            if _others(note, criterion, mention) > OTHER_WORDS:
                return None
            return (
                positive_label(kind),
                said.sentence,
                (N_("The note dates %(concept)s inside this time window."), concept_named(mention)),
            )
        if undated is not None and not current:
            return (
                NEI,
                undated,
                (N_("The note says %(concept)s was stopped, not when."), concept_named(mention)),
            )
    return None


# "Stopped warfarin last month", "came off prednisone yesterday": a time between one unit and two ago.
_LAST = re.compile(r"\b(?:last|this past) (week|month|year)\b|\b(yesterday)\b", re.I)


def _time_since(sentence: str, said: Mention) -> tuple[float, float] | None:
    """How long ago the note dates the event named (the least and the most), or None: a stopped treatment
    is dated by its stop ("off prednisone for 6 months", "stopped last month"); a medicine taken now is
    inside any window, and a date beside it is another event's."""
    stopped = said.status == "stopped"
    ago = _OFF_FOR.search(sentence) if stopped else None
    ago = ago or _date_of(sentence, said) or _HISTORY.search(sentence)
    if ago is not None and (stopped or not (is_medication(said.concept) and _TAKEN_NOW.search(sentence))):
        since = hours(ago.group(1), ago.group(2))
        return since, since
    last = _LAST.search(sentence) if stopped else None
    if last is None:
        return None
    unit = hours("1", last.group(1) or "day")
    return unit, 2 * unit


def _date_of(sentence: str, said: Mention) -> re.Match[str] | None:
    """The date nearest after the event's name ("rituximab 1 year ago and IVIG 2 months ago"), else the
    last one before it."""
    tokens = tokenize(sentence)
    at = tokens[said.first].start if said.first < len(tokens) else 0
    dates = list(_AGO.finditer(sentence))
    after = [d for d in dates if d.start() >= at]
    before = [d for d in dates if d.start() < at]
    return after[0] if after else (before[-1] if before else None)


def _others(note: NoteFacts, criterion: CriterionFacts, mention: Mention) -> int:
    """The criterion's content words that are neither the event's, the window's, nor the note's."""
    said = note_stems(note)
    event = set(criterion.words[mention.first : mention.last])
    words = tuple(w for w in criterion.words if w not in _WINDOW_WORDS and w not in event)
    return len(stems(words) - said)
