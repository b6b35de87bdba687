"""What `understanding.explain` read in a phrase or a clinical note: the patient's condition, its stage,
where it has spread, biomarkers, what was negated, and every span of text that was understood.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from onconav.knowledge.schemas import StageGroup

BiomarkerStatus = Literal["positive", "negative", "unknown"]
# How a mention relates to the patient. "caregiver" is someone writing about a relative ("my dad has ..."),
# which still names the person the search is for; the others are not the patient's condition.
MentionContext = Literal["affirmed", "caregiver", "negated", "family-history", "hypothetical", "uncertain"]
SpanKind = Literal["condition", "stage", "metastatic-site", "biomarker", "cue"]


class Finding(BaseModel):
    """Results are values: they are built once and never edited."""

    model_config = ConfigDict(frozen=True)


class ConditionFinding(Finding):
    """The condition named, with the catalogue's codes for it."""

    code: str
    name: str
    oncotree: list[str]
    icd10: list[str]
    matched_text: str
    exact: bool  # False when the words only matched after a typo was corrected
    score: float  # 100 for an exact match, the similarity (0-100) for a corrected one


class StageFinding(Finding):
    """The stage group named or implied; group stays None when the words do not fix one ("recurrent")."""

    group: StageGroup | None
    substage: str | None = None  # "IIIB", "IB1"
    matched_text: str
    tnm: str | None = None  # "T2N1M0" as written
    qualifiers: list[str] = []  # "recurrent", "locally advanced", "early stage", ...


class SiteFinding(Finding):
    """A place the cancer has spread to."""

    site: str
    matched_text: str


class BiomarkerFinding(Finding):
    """A tumour marker and what the text says about it."""

    name: str
    status: BiomarkerStatus
    value: str | None = None  # "80%" for PD-L1, "exon 19 deletion" for EGFR, "3+" for HER2 IHC
    matched_text: str


class NegatedMention(Finding):
    """Something named in the text that is not the patient's: negated, a relative's, only considered."""

    kind: Literal["condition", "stage", "metastatic-site", "biomarker"]
    label: str  # condition code, stage group or "metastatic", site, biomarker name
    matched_text: str
    cue: str  # the words that made it so ("no evidence of", "mother", "rule out")
    reason: Literal["negated", "family-history", "hypothetical", "uncertain"]


class MatchedSpan(Finding):
    """One span of the text that was understood, for highlighting "the words we understood"."""

    text: str
    start: int
    end: int
    kind: SpanKind
    label: str  # what it matched: a condition code, stage group, site, biomarker name or cue type
    context: MentionContext | None = None  # None for cues


class Explanation(Finding):
    """Everything `explain` understood in one text."""

    text: str
    condition: ConditionFinding | None
    stage: StageFinding | None
    metastatic_sites: list[SiteFinding]
    biomarkers: list[BiomarkerFinding]
    negated: list[NegatedMention]
    matched: list[MatchedSpan]
    other_conditions: list[ConditionFinding] = []  # further cancers of the patient named in the text
