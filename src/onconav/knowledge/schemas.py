"""Schemas of the curated knowledge files (checked at load and in tests) and of query interpretations.

A file that breaks its schema stops the application at start-up with the file and field named.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

ServiceCategory = Literal["procedure", "therapy", "support", "consultation"]
TermKind = Literal["service", "specialty", "condition"]
Modality = Literal[
    "surgery",
    "chemotherapy",
    "radiation-therapy",
    "targeted-therapy",
    "immunotherapy",
    "hormone-therapy",
    "stem-cell-transplant",
    "ablation",
    "active-surveillance",
    "palliative-care",
    "clinical-trial",
]
Intent = Literal["curative", "life-prolonging", "symptom-relief"]
StageGroup = Literal["0", "I", "II", "III", "IV", "limited", "extensive"]
CODE_PATTERN = r"^[a-z][a-z0-9-]+$"


class StrictModel(BaseModel):
    """Curated data: unknown keys are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(StrictModel):
    """A published reference a statement rests on."""

    title: str
    publisher: str | None = None
    url: HttpUrl


class Specialty(StrictModel):
    """A clinical specialty that delivers cancer care."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    practitioner_title: str
    synonyms: list[str] = []
    nucc_taxonomy: list[str] = Field(default_factory=list)
    source: str


class Service(StrictModel):
    """Something a center or a doctor offers: a procedure, a therapy, support or a consultation."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    category: ServiceCategory
    summary: str
    synonyms: list[str] = []
    specialties: list[str] = []
    cpt: list[str] = []
    source: str


class Stage(StrictModel):
    """A stage of a condition, in plain words."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="URL part: 'i', 'iiia', 'iv', 'limited'")
    name: str = Field(description="'Stage IIIA', 'Limited stage'")
    group: StageGroup
    substages: list[str] = Field(default_factory=list, description="'IVA', 'IVB' when the stage splits")
    summary: str
    source: str


class TreatmentOption(StrictModel):
    """One kind of treatment used for some stages of a condition."""

    stages: list[str] = Field(min_length=1, description="stage codes, or ['all']")
    modality: Modality
    intent: Intent
    summary: str
    procedures: list[str] = Field(default_factory=list, description="service codes")
    specialties: list[str] = Field(min_length=1)
    source: str


class Guidance(StrictModel):
    """Advice that applies to the whole condition (e.g. seek a specialized center)."""

    text: str
    source: str


class OncoTreeRef(StrictModel):
    """An OncoTree node, as named in the OncoTree release the file cites."""

    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str


class Condition(StrictModel):
    """A cancer type as patients name it: codes, words, stages, treatment options, guidance, sources."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    parent: str | None = None
    summary: str
    synonyms: list[str] = []
    misspellings: list[str] = []
    oncotree: list[OncoTreeRef] = []
    icd10: list[str] = []
    rare: bool = False
    stages: list[Stage] = []
    options: list[TreatmentOption] = []
    guidance: list[Guidance] = []
    questions: list[str] = Field(default_factory=list, description="what to ask the care team")
    source: str
    sources: dict[str, SourceRef]
    reviewed: dt.date

    @model_validator(mode="after")
    def _references_hold(self) -> Condition:
        cited = [self.source, *(s.source for s in self.stages), *(o.source for o in self.options)]
        cited += [g.source for g in self.guidance]
        unknown = sorted(set(cited) - set(self.sources))
        if unknown:
            raise ValueError(f"condition {self.code!r} cites unknown sources {unknown}")
        stage_codes = {s.code for s in self.stages}
        if len(stage_codes) != len(self.stages):
            raise ValueError(f"condition {self.code!r} repeats a stage code")
        for option in self.options:
            bad = set(option.stages) - stage_codes - {"all"}
            if bad:
                raise ValueError(f"condition {self.code!r}: an option names unknown stages {sorted(bad)}")
        return self

    def options_for(self, stage_code: str | None) -> list[TreatmentOption]:
        """The options for one stage (all of them when no stage is given)."""
        if stage_code is None:
            return list(self.options)
        return [o for o in self.options if stage_code in o.stages or "all" in o.stages]

    def stage_by_group(self, group: str) -> Stage | None:
        """The first stage of a stage group ('IV' -> stage IV), or None."""
        return next((s for s in self.stages if s.group == group), None)


def _check_cited(kind: str, entries: list[Service] | list[Specialty], sources: dict[str, SourceRef]) -> None:
    for entry in entries:
        if entry.source not in sources:
            raise ValueError(f"{kind} {entry.code!r} cites unknown source {entry.source!r}")


class SpecialtiesFile(StrictModel):
    reviewed: dt.date
    sources: dict[str, SourceRef]
    specialties: list[Specialty]

    @model_validator(mode="after")
    def _sources_exist(self) -> SpecialtiesFile:
        _check_cited("specialty", self.specialties, self.sources)
        return self


class ServicesFile(StrictModel):
    reviewed: dt.date
    sources: dict[str, SourceRef]
    services: list[Service]

    @model_validator(mode="after")
    def _sources_exist(self) -> ServicesFile:
        _check_cited("service", self.services, self.sources)
        return self


class ClinicalConcept(StrictModel):
    """A condition, treatment, medicine, test or finding named in notes and trial criteria: the broader
    concept it implies and the phrases that name it (the first is its name for readers).
    """

    parent: str | None = None
    phrases: tuple[str, ...] = Field(min_length=1)


class MedicationClass(StrictModel):
    """A pharmacological class: the concept it belongs to, the phrases naming it (none: its code is its name)
    and the generic names of its members.
    """

    parent: str | None = None
    phrases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


def medicine_code(name: str) -> str:
    """The concept code of a medicine's generic name ("isosorbide dinitrate" -> "isosorbide-dinitrate")."""
    return name.replace(" ", "-")


class ClinicalLexiconFile(StrictModel):
    """data/clinical-lexicon.yaml: clinical concepts, severity words, medicines by class, what they imply."""

    concepts: dict[str, ClinicalConcept]
    severity_words: tuple[str, ...]
    medication_classes: dict[str, MedicationClass]
    implied_by_medication: dict[str, str]

    @model_validator(mode="after")
    def _references_hold(self) -> ClinicalLexiconFile:
        codes = list(self.concepts) + list(self.medication_classes)
        codes += [medicine_code(m) for c in self.medication_classes.values() for m in c.members]
        bad = sorted(c for c in codes if not re.fullmatch(CODE_PATTERN, c))
        if bad:
            raise ValueError(f"concept codes {bad} are not lower-case words joined by hyphens")
        twice = sorted(code for code, count in Counter(codes).items() if count > 1)
        if twice:
            raise ValueError(f"concepts {twice} are defined twice")
        parents: dict[str, str | None] = {code: c.parent for code, c in self.concepts.items()}
        for code, medication in self.medication_classes.items():
            parents[code] = medication.parent
            parents.update((medicine_code(m), code) for m in medication.members)
        unknown = sorted({p for p in parents.values() if p is not None and p not in codes})
        if unknown:
            raise ValueError(f"unknown parent concepts {unknown}")
        for code in parents:
            seen = [code]
            while (parent := parents.get(seen[-1])) is not None:
                if parent in seen:
                    raise ValueError(f"concept {code!r} is its own ancestor")
                seen.append(parent)
        medicines = set(codes) - set(self.concepts)
        wrong = sorted(
            k for k, v in self.implied_by_medication.items() if k not in medicines or v not in codes
        )
        if wrong:
            raise ValueError(f"implied_by_medication names unknown medicines or concepts for {wrong}")
        return self


class ClinicalLexicon(BaseModel):
    """The clinical lexicon ready for reading: each medicine class and generic name is a concept too."""

    model_config = ConfigDict(frozen=True)

    concepts: dict[str, ClinicalConcept]  # in file order: a phrase two concepts share names the later one
    medicines: frozenset[str]  # the concepts that are medicines or classes of medicines
    severity_words: frozenset[str]  # before a concept in a criterion, they make it a narrower thing
    implied_by_medication: dict[str, str]  # medicine -> the condition taking it implies


class TermMatch(BaseModel):
    """One recognised term in a query: which catalogue entry, from which words, how sure."""

    kind: TermKind
    code: str
    name: str
    matched_text: str
    exact: bool
    score: float


class QueryInterpretation(BaseModel):
    """What a free-text query names, and the directory topics to search for it."""

    text: str
    matches: list[TermMatch]
    # Directory topics ("service:lobectomy", "specialty:thoracic-surgery") with the match kind that
    # produced them: "service", "specialty" or "condition".
    topics: dict[str, TermKind]
    stage: str | None = None  # stage group named in the query ("IV"), when a condition was named


class ExplainedCondition(BaseModel):
    """The condition a text names, with its codes."""

    id: str  # onconav's code, e.g. "pleural-mesothelioma"
    code: str | None  # the first OncoTree code, e.g. "PLMESO" (None where OncoTree has no node)
    name: str
    oncotree: list[str]
    icd10: list[str]
    matched_text: str
    exact: bool
    url: str


class ExplainedOption(BaseModel):
    """A treatment option for the condition and stage the text names."""

    modality: str
    intent: str
    summary: str
    procedures: list[str]
    specialties: list[str]
    sources: list[str]  # URLs


class ExplainResponse(BaseModel):
    """What a phrase or note says, and the options for that condition and stage with their sources."""

    condition: ExplainedCondition | None
    stage: str | None  # the sub-stage when named ("IIIB"), else the group ("IV", "limited")
    stage_group: str | None
    metastatic_sites: list[str]
    biomarkers: list[dict[str, str | None]]
    negated: list[dict[str, str]]
    matched: list[dict[str, object]]
    options: list[ExplainedOption]
