"""What the verdicts of a trial's criteria add up to for the patient: likely eligible, possibly eligible
(with the questions that would settle each unknown criterion and which test or record answers it), or
likely not eligible (with the criterion that decides it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from onconav.i18n import N_
from onconav.trials.verdicts import Verdict
from onconav.trials.verdicts.criterion import read_criterion

Eligibility = Literal["likely eligible", "possibly eligible", "likely not eligible"]
FAILED = frozenset({("inclusion", "not included"), ("exclusion", "excluded")})
UNKNOWN = "not enough information"
LIST_REASON = "Decided by its list"

# Which record or test settles a criterion, by what the criterion asks (first that applies).
SOURCES = {
    "biomarker": N_("the tumour's biomarker or pathology report"),
    "cancer": N_("the pathology report"),
    "stage": N_("the staging report (imaging and pathology)"),
    "brain": N_("a brain MRI or CT"),
    "performance": N_("the care team's performance-status assessment (ECOG)"),
    "lab": N_("recent blood tests"),
    "infection": N_("blood tests for hepatitis and HIV"),
    "pregnancy": N_("a pregnancy test and the contraception plan"),
    "treatment": N_("the treatment history"),
    "heart": N_("an ECG or echocardiogram"),
    "consent": N_("a conversation with the trial team"),
    "record": N_("the medical record"),
}
_INFECTION = ("hepatitis", "hbv", "hcv", "hiv", "hbsag", "hbcab", "hbc", "serolog")
_TREATMENT = ("prior", "previous", "treatment", "therapy", "received", "chemotherapy", "regimen")
_HEART = ("ecg", "qtc", "qt", "lvef", "ejection", "echocardiogram", "cardiac")


class Judged(Protocol):
    """A criterion with its verdict (matching.JudgedCriterion)."""

    kind: Literal["inclusion", "exclusion"]
    text: str
    verdict: Verdict


@dataclass(frozen=True)
class Question:
    """An unknown criterion and the record or test that would settle it (a key of SOURCES)."""

    criterion: str
    source: str


@dataclass(frozen=True)
class Summary:
    """The eligibility of one trial for the patient."""

    eligibility: Eligibility
    deciding: Judged | None
    questions: tuple[Question, ...]


def source_of(text: str) -> str:
    """Which record or test would settle a criterion (a key of SOURCES)."""
    facts = read_criterion(text)
    words = set(facts.words)
    if facts.topics & {"consent", "compliance", "language", "trial-participation", "investigator-judgement"}:
        return "consent"
    if facts.biomarkers:
        return "biomarker"
    if "brain" in facts.metastatic_sites or "brain" in words:
        return "brain"
    if facts.performance is not None:
        return "performance"
    if words & set(_INFECTION):
        return "infection"
    if words & set(_HEART):
        return "heart"
    if facts.thresholds:
        return "lab"
    if "pregnancy" in facts.topics:
        return "pregnancy"
    if facts.stages or facts.stage:
        return "stage"
    if facts.cancer or facts.cancer_types or facts.histologies:
        return "cancer"
    if words & set(_TREATMENT) or facts.prior_lines is not None:
        return "treatment"
    return "record"


def summarise(criteria: Sequence[Judged]) -> Summary:
    """Likely not eligible when a criterion clearly fails; possibly eligible while some stay unknown."""
    failed = [c for c in criteria if (c.kind, c.verdict.label) in FAILED]
    if failed:
        # A list's own verdict repeats its item's: the item is what decides.
        items = [c for c in failed if not c.verdict.reason.startswith(LIST_REASON)]
        return Summary("likely not eligible", (items or failed)[0], ())
    questions = tuple(
        Question(criterion=c.text, source=source_of(c.text))
        for c in criteria
        if c.verdict.label == UNKNOWN and not c.verdict.reason.startswith(LIST_REASON)
    )
    if questions:
        return Summary("possibly eligible", None, questions)
    return Summary("likely eligible", None, ())
