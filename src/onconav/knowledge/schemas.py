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
# "curative" only where the cited sources say the treatment aims to cure; "complete-removal" (all visible
# cancer) where they say surgery aims to remove all of it without speaking of cure.
Intent = Literal["curative", "complete-removal", "life-prolonging", "symptom-relief"]
# Options apply to stage codes, or to every stage ("all"), or, where the condition has no stages of its own
# (umbrella entries, cancers without a staging system), to the extent of the disease: "not-distant" (it
# has not spread to distant parts of the body) or "distant".
ALL_STAGES = "all"
EXTENTS = ("not-distant", "distant")
# Modalities that remove or destroy the cancer itself.
REMOVING_MODALITIES = ("surgery", "ablation")
PUBLISHED_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
StageGroup = Literal["0", "I", "II", "III", "IV", "limited", "extensive"]
CODE_PATTERN = r"^[a-z][a-z0-9-]+$"


class StrictModel(BaseModel):
    """Curated data: unknown keys are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(StrictModel):
    """A published reference a statement rests on, with the source's own date when it gives one."""

    title: str
    publisher: str | None = None
    url: HttpUrl
    # The date the source gives itself (publication, online publication or approval): "2024", "2024-09",
    # "2024-09-17". Absent when we do not know it; `onconav knowledge report` lists those.
    published: str | None = Field(default=None, pattern=PUBLISHED_PATTERN)
    accessed: dt.date | None = None  # when someone read it for this file; only when truly known


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
    distant: bool | None = Field(
        default=None, description="spread to distant parts of the body; by default stage group IV is"
    )
    distant_substages: list[str] = Field(
        default_factory=list, description="when only some sub-stages mean distant spread ('IVC')"
    )

    @property
    def is_distant(self) -> bool:
        """Whether this stage (or some of its sub-stages) means distant spread (group IV unless told)."""
        return self.distant if self.distant is not None else self.group == "IV"

    def substage_is_distant(self, substage: str) -> bool:
        """Whether one of this stage's sub-stages means distant spread."""
        if self.distant_substages:
            return substage.upper() in self.distant_substages
        return self.is_distant


class Selection(StrictModel):
    """Who an option suits, as its source states it: the conditions a care team checks first."""

    criteria: list[str] = Field(min_length=1)
    source: str


class TreatmentOption(StrictModel):
    """One kind of treatment used for some stages of a condition."""

    stages: list[str] = Field(min_length=1, description="stage codes, 'all', 'not-distant' or 'distant'")
    modality: Modality
    intent: Intent
    summary: str
    procedures: list[str] = Field(default_factory=list, description="service codes")
    specialties: list[str] = Field(min_length=1)
    source: str
    further_sources: list[str] = Field(default_factory=list, description="trials and approvals it also cites")
    # Local treatment of cancer that has spread to only a few places: allowed at a distant stage only when
    # marked so, with the selection criteria its source gives.
    oligometastatic: bool = False
    selection: Selection | None = None
    substages: list[str] = Field(
        default_factory=list,
        description="only these sub-stages of its stages ('IVA', 'IVB'), when it says so",
    )

    @property
    def removes_cancer(self) -> bool:
        """Surgery or ablation that aims to cure or to remove all visible cancer."""
        return self.modality in REMOVING_MODALITIES and self.intent in ("curative", "complete-removal")

    def applies_to(
        self, stage: Stage | None, *, distant: bool | None = None, substage: str | None = None
    ) -> bool:
        """Whether the option is for this stage (and sub-stage, when one is named), or (without a stage)
        for this extent of disease.
        """
        if substage and self.substages and substage.upper() not in self.substages:
            return False
        if ALL_STAGES in self.stages:
            return True
        if stage is not None:
            return stage.code in self.stages or _extent(stage.is_distant) in self.stages
        if distant is None:
            return True
        return _extent(distant) in self.stages


def _extent(distant: bool) -> str:
    return "distant" if distant else "not-distant"


class StagingSystem(StrictModel):
    """The staging system a condition's stages follow, and how stages written in its previous edition
    read in this one (notes written before the change still use the old one).
    """

    name: str
    effective: str = Field(pattern=PUBLISHED_PATTERN)
    previous: str
    changes: list[str] = Field(min_length=1)
    source: str


class Authorship(StrictModel):
    """Who wrote a file's content, and when."""

    date: dt.date
    by: str


class Review(StrictModel):
    """A clinician's review of a file against its sources."""

    date: dt.date
    reviewer: str = Field(min_length=2)
    credentials: str = Field(min_length=2)


class Guidance(StrictModel):
    """Advice that applies to the whole condition (e.g. seek a specialized center)."""

    text: str
    source: str


class Question(StrictModel):
    """A question for the care team that fits only where one of `modalities` is an option (a surgery
    question has no place on a stage page where surgery is not offered)."""

    text: str = Field(min_length=5)
    modalities: list[Modality] = Field(min_length=1)


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
    staging: StagingSystem | None = None
    stages: list[Stage] = []
    # Sites whose spread stages this cancer otherwise than distant spread does (ovarian cancer on the lining
    # of the abdomen is stage III): site (as `phrasings.yaml` names it) -> stage group. Subtypes inherit it.
    spread_stages: dict[str, StageGroup] = Field(default_factory=dict)
    options: list[TreatmentOption] = []
    guidance: list[Guidance] = []
    # Plain text fits every stage; a Question only the stages where its treatments are options.
    questions: list[str | Question] = Field(default_factory=list, description="what to ask the care team")
    source: str
    sources: dict[str, SourceRef]
    written: Authorship
    reviewed: Review | None = None  # absent until a clinician reviews the file (`onconav knowledge review`)
    # False where stage words do not mean spread: adult brain tumors are graded, not staged ("stage 4
    # glioblastoma" means grade 4), and rarely spread outside the brain and spinal cord.
    stage_means_spread: bool = True

    @model_validator(mode="after")
    def _references_hold(self) -> Condition:
        cited = [self.source, *(s.source for s in self.stages), *(o.source for o in self.options)]
        cited += [g.source for g in self.guidance]
        cited += [o.selection.source for o in self.options if o.selection is not None]
        cited += [key for o in self.options for key in o.further_sources]
        cited += [self.staging.source] if self.staging else []
        unknown = sorted(set(cited) - set(self.sources))
        if unknown:
            raise ValueError(f"condition {self.code!r} cites unknown sources {unknown}")
        stage_codes = {s.code for s in self.stages}
        if len(stage_codes) != len(self.stages):
            raise ValueError(f"condition {self.code!r} repeats a stage code")
        if stage_codes & {ALL_STAGES, *EXTENTS}:
            raise ValueError(
                f"condition {self.code!r}: a stage code may not be 'all', 'distant' or 'not-distant'"
            )
        for option in self.options:
            bad = set(option.stages) - stage_codes - {ALL_STAGES, *EXTENTS}
            if bad:
                raise ValueError(f"condition {self.code!r}: an option names unknown stages {sorted(bad)}")
            if option.oligometastatic and option.selection is None:
                raise ValueError(
                    f"condition {self.code!r}: an oligometastatic option must give its selection"
                )
        unsafe = [o.summary[:60] for o in self.options if self._removes_distant_cancer_unmarked(o)]
        if unsafe:
            raise ValueError(
                f"condition {self.code!r}: surgery or ablation aimed at the cancer is offered for distant "
                f"spread without being marked oligometastatic with its selection criteria: {unsafe}"
            )
        return self

    def _removes_distant_cancer_unmarked(self, option: TreatmentOption) -> bool:
        """The dangerous error: an operation on the cancer shown for distant spread, without its criteria."""
        if not option.removes_cancer or option.oligometastatic:
            return False
        if not self.stage_means_spread:
            return False
        if not self.stages:
            return option.applies_to(None, distant=True)
        for stage in (s for s in self.stages if s.is_distant and option.applies_to(s)):
            if not stage.distant_substages or not option.substages:
                return True  # the whole stage is distant, or the option is for all of it
            if set(option.substages) & set(stage.distant_substages):
                return True
        return False

    def options_for(
        self, stage_code: str | None, *, distant: bool | None = None, substage: str | None = None
    ) -> list[TreatmentOption]:
        """The options for one stage (and sub-stage), or for an extent of disease when no stage of the
        condition is named (all of them when neither is given). Options for a few metastases come last.
        """
        stage = next((s for s in self.stages if s.code == stage_code), None) if stage_code else None
        if stage_code is not None and stage is None:
            return [o for o in self.options if stage_code in o.stages or ALL_STAGES in o.stages]
        if stage is None and distant is not None and self.stages:
            # A stage group the condition does not use ("stage 4" small cell lung cancer): its stages of
            # the same extent stand for it.
            alike = [s for s in self.stages if s.is_distant == distant]
            chosen = [o for o in self.options if any(o.applies_to(s) for s in alike)]
        else:
            chosen = [o for o in self.options if o.applies_to(stage, distant=distant, substage=substage)]
        return sorted(chosen, key=lambda o: o.oligometastatic)

    def stage_by_group(self, group: str) -> Stage | None:
        """The first stage of a stage group ('IV' -> stage IV), or None."""
        return next((s for s in self.stages if s.group == group), None)


def _check_cited(kind: str, entries: list[Service] | list[Specialty], sources: dict[str, SourceRef]) -> None:
    for entry in entries:
        if entry.source not in sources:
            raise ValueError(f"{kind} {entry.code!r} cites unknown source {entry.source!r}")


class SpecialtiesFile(StrictModel):
    written: Authorship
    reviewed: Review | None = None
    sources: dict[str, SourceRef]
    specialties: list[Specialty]

    @model_validator(mode="after")
    def _sources_exist(self) -> SpecialtiesFile:
        _check_cited("specialty", self.specialties, self.sources)
        return self


class ServicesFile(StrictModel):
    written: Authorship
    reviewed: Review | None = None
    sources: dict[str, SourceRef]
    services: list[Service]

    @model_validator(mode="after")
    def _sources_exist(self) -> ServicesFile:
        _check_cited("service", self.services, self.sources)
        return self


class ClinicalConcept(StrictModel):
    """A condition, treatment, medicine, test or finding named in notes and trial criteria: the broader
    concept it implies, any further broader concepts it is also a kind of ("septic arthritis": an infection,
    also an arthritis), and the phrases that name it (the first is its name for readers).
    """

    parent: str | None = None
    also: tuple[str, ...] = ()  # further parents, after `parent`
    phrases: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _also_after_parent(self) -> ClinicalConcept:
        if self.also and self.parent is None:
            raise ValueError(f"'also' {list(self.also)} is given without a first 'parent'")
        if len(set(self.parents)) < len(self.parents):
            raise ValueError(f"parents {list(self.parents)} name a concept twice")
        return self

    @property
    def parents(self) -> tuple[str, ...]:
        """Every broader concept this one is a kind of, its first `parent` first."""
        return () if self.parent is None else (self.parent, *self.also)


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


def _refuse_cycles(parents: dict[str, tuple[str, ...]]) -> None:
    """Refuses a concept that is its own ancestor through any of its parents (a depth-first walk that
    meets a concept still on its path)."""
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        stack: list[tuple[str, bool]] = [(start, False)]
        while stack:
            code, leaving = stack.pop()
            if leaving:
                path.pop()
                done.add(code)
                continue
            if code in path:
                loop = " -> ".join([*path[path.index(code) :], code])
                raise ValueError(f"concept {code!r} is its own ancestor ({loop})")
            if code in done:
                continue
            path.append(code)
            stack.append((code, True))
            stack.extend((p, False) for p in reversed(parents.get(code, ())))


class ClinicalLexiconFile(StrictModel):
    """data/clinical-lexicon.yaml: clinical concepts, severity words, medicines by class, what they imply."""

    concepts: dict[str, ClinicalConcept]
    severity_words: tuple[str, ...]
    medication_classes: dict[str, MedicationClass]
    implied_by_medication: dict[str, str]
    suggested_by_medication: dict[str, str] = {}
    regimens: dict[str, tuple[str, ...]] = {}  # regimen medicine -> the medicines it is made of

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
        parents: dict[str, tuple[str, ...]] = {code: c.parents for code, c in self.concepts.items()}
        for code, medication in self.medication_classes.items():
            parents[code] = () if medication.parent is None else (medication.parent,)
            parents.update((medicine_code(m), (code,)) for m in medication.members)
        unknown = sorted({f"{p} (of {code})" for code, ps in parents.items() for p in ps if p not in codes})
        if unknown:
            raise ValueError(f"unknown parent concepts {unknown}")
        _refuse_cycles(parents)
        medicines = set(codes) - set(self.concepts)
        for name, mapping in (
            ("implied_by_medication", self.implied_by_medication),
            ("suggested_by_medication", self.suggested_by_medication),
        ):
            wrong = sorted(k for k, v in mapping.items() if k not in medicines or v not in codes)
            if wrong:
                raise ValueError(f"{name} names unknown medicines or concepts for {wrong}")
        strays = sorted(
            k for k, parts in self.regimens.items() if k not in medicines or set(parts) - set(codes)
        )
        if strays:
            raise ValueError(f"regimens name unknown medicines or concepts for {strays}")
        return self


class ClinicalLexicon(BaseModel):
    """The clinical lexicon ready for reading: each medicine class and generic name is a concept too."""

    model_config = ConfigDict(frozen=True)

    concepts: dict[str, ClinicalConcept]  # in file order: a phrase two concepts share names the later one
    medicines: frozenset[str]  # the concepts that are medicines or classes of medicines
    severity_words: frozenset[str]  # before a concept in a criterion, they make it a narrower thing
    implied_by_medication: dict[str, str]  # medicine -> the condition taking it implies
    # medicine -> the condition it is most often given for, among others: possible, not established
    suggested_by_medication: dict[str, str] = {}
    regimens: dict[str, tuple[str, ...]] = {}  # regimen -> the medicines it is made of


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
    oligometastatic: bool = False  # local treatment for cancer that has spread to only a few places
    selection: list[str] = []  # who it suits, as its source says
    substages: list[str] = []  # only these sub-stages of the stage ("IVA", "IVB"), when the option says so


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


# Follow-up templates (data/followup/*.yaml, loaded by followup_templates.py) -------------------------

FollowupKind = Literal["visit", "imaging", "test", "other"]


class Schedule(StrictModel):
    """Repeats every `every_months` from `first_month` after the end of treatment, until `last_month`
    (absent: as long as the plan shows)."""

    first_month: int = Field(ge=0, le=240)
    every_months: int = Field(ge=1, le=120)
    last_month: int | None = Field(default=None, ge=0, le=240)

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if self.last_month is not None and self.last_month < self.first_month:
            raise ValueError("last_month comes before first_month")
        return self


class FollowupItem(StrictModel):
    """A visit, scan or test; `schedule` only when the cited source gives one."""

    kind: FollowupKind
    title: str = Field(min_length=3, max_length=200)
    detail: str = Field(min_length=3)
    schedule: Schedule | None = None
    source: str


class Symptom(StrictModel):
    """A symptom that should prompt a call to the care team."""

    text: str = Field(min_length=3)
    source: str


class FollowupTemplate(StrictModel):
    """Follow-up after one kind of treatment, for the conditions and stages it names."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    summary: str
    conditions: list[str] = Field(min_length=1)  # condition codes; children of a condition match too
    stage_codes: list[str] = Field(min_length=1)  # stage codes of those conditions, or "all"
    modalities: list[Modality] = Field(min_length=1)  # the treatment received
    not_distant: bool = False  # only where the cancer has not spread to distant parts of the body
    items: list[FollowupItem] = Field(min_length=1)
    symptoms: list[Symptom] = Field(min_length=1)
    sources: dict[str, SourceRef] = Field(min_length=1)
    written: Authorship
    reviewed: Review | None = None

    @model_validator(mode="after")
    def _cited(self) -> FollowupTemplate:
        cited = {item.source for item in self.items} | {symptom.source for symptom in self.symptoms}
        unknown = cited - set(self.sources)
        if unknown:
            raise ValueError(f"cites sources it does not define: {sorted(unknown)}")
        return self
