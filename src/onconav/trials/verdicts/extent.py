"""How far the cancer has spread, as an inclusion requires it: metastatic, advanced, measurable.

An inclusion asking for metastatic disease is not met by a cancer the note says has not spread ("no
distant metastases", "localized", "non-metastatic", a stage group below IV); one asking for advanced
disease is not met by an early one (stage I, "early-stage", "localized"); one asking for measurable
disease is not met when the note says there is none left to measure ("no measurable disease", "no
evidence of disease", a complete response). Whatever the note leaves unsaid stays open for the other rules.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

# The criterion asks for spread beyond the primary site.
_ASKS_METASTATIC = re.compile(r"\bmetastatic\b|\bstage\s+iv[a-c]?\b|\bdistant metasta|\bm1\b", re.I)
# ... or for advanced disease, which locally advanced (stage III) disease also is.
_ASKS_ADVANCED = re.compile(r"\badvanced\b", re.I)
_LOCAL_SPREAD_ENOUGH = re.compile(r"\blocally advanced\b|\bor (?:locally|regionally)\b", re.I)
# Words that make the criterion about something else ("non-metastatic", "no metastatic disease").
_NOT_ASKED = re.compile(
    r"\bnon[- ]?metastatic|\b(?:no|without|absence of|free of)\s+(?:\w+\s+)?(?:metasta|advanced)|"
    r"\bresectable\b|\brecurrent\b|"
    # "Metastatic disease or subclinical disease at high risk of recurrence": the adjuvant setting is
    # offered beside the spread.
    r"\bor\b[^.;]{0,40}\b(?:high[- ]risk|at (?:high )?risk of (?:recurrence|relapse)|adjuvant|subclinical)\b",
    re.I,
)
_NOTE_LOCALISED = re.compile(
    r"\blocali[sz]ed\b|\bnon[- ]?metastatic\b|\bearly[- ]stage\b|\bconfined to\b|"
    r"\bno (?:evidence of )?(?:distant )?(?:metasta\w*|spread)\b|\bwithout (?:distant )?metasta\w*",
    re.I,
)
_NOTE_EARLY = re.compile(r"\blocali[sz]ed\b|\bearly[- ]stage\b|\bconfined to\b|\bin situ\b", re.I)
_EARLY_STAGES = frozenset({"I"})
_NON_METASTATIC_STAGES = frozenset({"I", "II", "III", "limited"})

_ASKS_MEASURABLE = re.compile(r"(?<!non-)(?<!non)\bmeasurable (?:disease|lesions?|tumou?rs?)\b", re.I)
_MEASURABLE_OR_NOT = re.compile(r"non-?measurable|\bor evaluable|\bevaluable\b", re.I)
_NOTE_NOTHING_TO_MEASURE = re.compile(
    r"\bno (?:measurable|residual|evaluable) (?:disease|tumou?r|lesions?)\b|\bno evidence of (?:residual )?"
    r"disease\b|\bcomplete (?:response|remission)\b|\bNED\b",
    re.I,
)


def disease_extent(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion asking for metastatic, advanced or measurable disease against a note that says the
    cancer has not spread, is early, or has left nothing to measure."""
    if kind != "inclusion" or note.cancer is None or criterion.negated_subject:
        return None
    text = criterion.text
    if _ASKS_MEASURABLE.search(text) and not _MEASURABLE_OR_NOT.search(text):
        sentence = _first_sentence(note, _NOTE_NOTHING_TO_MEASURE)
        if sentence is not None:
            return "not included", sentence, N_("The note says there is no measurable disease.")
    if _NOT_ASKED.search(text) or note.metastatic_sites:
        return None
    if _ASKS_METASTATIC.search(text) and not _LOCAL_SPREAD_ENOUGH.search(text):
        sentence = _non_metastatic(note)
        if sentence is not None:
            return "not included", sentence, N_("The note says the cancer has not spread.")
    elif _ASKS_ADVANCED.search(text) or _LOCAL_SPREAD_ENOUGH.search(text):
        sentence = _first_sentence(note, _NOTE_EARLY)
        if sentence is None and note.stage in _EARLY_STAGES:
            sentence = _stage_sentence(note)
        if sentence is not None:
            return "not included", sentence, N_("The note describes an early-stage cancer.")
    return None


def _non_metastatic(note: NoteFacts) -> int | None:
    """The sentence saying the cancer has not spread, by words or stage; None when the note does not say."""
    sentence = _first_sentence(note, _NOTE_LOCALISED)
    if sentence is not None:
        return sentence
    state = concept_state(note, ("metastases",))
    if state is not None and state[0] == "negated":
        return state[1]
    if note.stage in _NON_METASTATIC_STAGES:
        return _stage_sentence(note)
    return None


# A sentence about the tumour, not "localized tenderness".
_ABOUT_THE_TUMOUR = re.compile(
    r"cancer|carcinoma|tumou?r|malignan|neoplas|lymphoma|sarcoma|melanoma|\w+oma\b|metasta|stage|disease",
    re.I,
)


def _first_sentence(note: NoteFacts, pattern: re.Pattern[str]) -> int | None:
    return next(
        (i for i, s in enumerate(note.sentences) if pattern.search(s) and _ABOUT_THE_TUMOUR.search(s)), None
    )


_STAGE_WORDS = re.compile(r"\bstage\b", re.I)


def _stage_sentence(note: NoteFacts) -> int | None:
    return _first_sentence(note, _STAGE_WORDS)
