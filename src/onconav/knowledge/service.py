"""The knowledge domain's public operations (its front door): the catalogue of services, specialties and
conditions, `interpret_query`, which turns a patient's words into directory topics, `explain`, which reads
a phrase or a note, and the clinical lexicon the trial verdicts read notes and criteria with.

Other domains import from here (or `knowledge.schemas`), never from `catalogue`, `understanding` or `lexicon`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from onconav.errors import InvalidInput, NotFound
from onconav.knowledge import understanding
from onconav.knowledge.catalogue import Term, catalogue
from onconav.knowledge.explanation import Explanation
from onconav.knowledge.followup_templates import (
    followup_templates,
    record_template_review,
    template_review_report,
)
from onconav.knowledge.labels import INTENT_LABELS, MODALITY_LABELS
from onconav.knowledge.lexicon import load_clinical_lexicon
from onconav.knowledge.review import ReviewReport, record_review, review_report
from onconav.knowledge.schemas import (
    ClinicalLexicon,
    Condition,
    ExplainedCondition,
    ExplainedOption,
    ExplainResponse,
    FollowupTemplate,
    Guidance,
    QueryInterpretation,
    Service,
    SourceRef,
    Specialty,
    Stage,
    StagingSystem,
    TermKind,
    TermMatch,
    TreatmentOption,
)
from onconav.knowledge.suggestions import EXAMPLES, resembling_entries
from onconav.text import fold

__all__ = [
    "MAX_QUERY_CHARACTERS",
    "clinical_lexicon",
    "condition_lineage",
    "entry_name",
    "example_terms",
    "explain",
    "explain_text",
    "extent_of",
    "followup_review_report",
    "followup_template",
    "followup_templates_for",
    "get_condition",
    "get_service",
    "get_service_or_raise",
    "get_specialty",
    "guidance_of",
    "intent_label",
    "interpret_query",
    "list_conditions",
    "list_followup_templates",
    "list_services",
    "list_specialties",
    "modality_label",
    "options_of",
    "questions_of",
    "record_condition_review",
    "record_followup_template_review",
    "review_state_report",
    "service_source",
    "sources_of",
    "stage_for",
    "stages_of",
    "staging_of",
    "suggest_terms",
]

# Stage groups that mean distant spread when the condition has no stage of that name: stage IV, and
# extensive-stage small cell lung cancer.
DISTANT_GROUPS = ("IV", "extensive")
FUZZY_CUTOFF = 86.0
MAX_NGRAM = 5
# Shorter names and runs of words are too short to be typos of a catalogue term.
FUZZY_MIN_LENGTH = 4
# What the search box takes (its maxlength), and how much of a query an error message repeats.
MAX_QUERY_CHARACTERS = 200
ECHO_CHARACTERS = 80


def modality_label(code: str) -> str:
    """The reader-facing name of a treatment modality code (an English msgid: translate it to show it)."""
    return str(MODALITY_LABELS.get(code, code))


def intent_label(code: str) -> str:
    """The reader-facing name of a treatment intent code (an English msgid: translate it to show it)."""
    return str(INTENT_LABELS.get(code, code))


def list_services() -> list[Service]:
    """Every service, in catalogue order."""
    return list(catalogue().services.values())


def list_specialties() -> list[Specialty]:
    """Every specialty, in catalogue order."""
    return list(catalogue().specialties.values())


def get_service(code: str) -> Service | None:
    """The service with this code, or None."""
    return catalogue().services.get(code)


def get_service_or_raise(code: str) -> Service:
    """The service with this code; NotFound otherwise."""
    service = get_service(code)
    if service is None:
        raise NotFound('No procedure or service is called "%(code)s".', code=code)
    return service


def get_specialty(code: str) -> Specialty | None:
    """The specialty with this code, or None."""
    return catalogue().specialties.get(code)


def get_condition(code: str) -> Condition | None:
    """The condition with this code, or None."""
    return catalogue().conditions.get(code)


def list_conditions() -> list[Condition]:
    """Every condition, by name."""
    return sorted(catalogue().conditions.values(), key=lambda c: c.name)


def condition_lineage(*, code: str) -> tuple[str, ...]:
    """The condition's code and its ancestors' codes, nearest first (empty for an unknown code)."""
    condition = get_condition(code)
    return tuple(c.code for c in _lineage(condition)) if condition is not None else ()


def _lineage(condition: Condition) -> list[Condition]:
    """The condition, its parent, its parent's parent..."""
    chain = [condition]
    while (
        chain[-1].parent and (parent := get_condition(chain[-1].parent)) is not None and parent not in chain
    ):
        chain.append(parent)
    return chain


def _owner_of(condition: Condition, field: str) -> Condition:
    """The nearest condition in the lineage that fills `field` (subtypes inherit what they leave empty)."""
    return next((c for c in _lineage(condition) if getattr(c, field)), condition)


def stages_of(condition: Condition) -> list[Stage]:
    """A condition's stages, or its parent's when it has none of its own (subtypes share staging)."""
    return list(_owner_of(condition, "stages").stages)


def staging_of(condition: Condition) -> StagingSystem | None:
    """The staging system the condition's stages follow (inherited with them), or None."""
    return _owner_of(condition, "stages").staging


def options_of(
    condition: Condition,
    stage_code: str | None = None,
    *,
    distant: bool | None = None,
    substage: str | None = None,
) -> list[TreatmentOption]:
    """Treatment options for a stage (and sub-stage), or, when the condition has no such stage, for an
    extent of disease (distant spread or not); all of them when neither is known. Inherited like stages.
    """
    return _owner_of(condition, "options").options_for(stage_code, distant=distant, substage=substage)


def extent_of(condition: Condition, *, group: str | None, substage: str | None = None) -> bool | None:
    """Whether a named stage group means distant spread for this condition (None when nothing says)."""
    if group is None or not _owner_of(condition, "options").stage_means_spread:
        return None
    stage = stage_for(condition, group=group, substage=substage)
    if stage is not None:
        return stage.substage_is_distant(substage) if substage else stage.is_distant
    return group in DISTANT_GROUPS


def guidance_of(condition: Condition) -> list[Guidance]:
    """Advice for the condition, inherited like stages."""
    return list(_owner_of(condition, "guidance").guidance)


def questions_of(condition: Condition, stage_code: str | None = None) -> list[str]:
    """Questions to ask the care team, inherited like stages; for a stage, only those that fit it (a
    question about surgery only where surgery is one of the stage's options)."""
    questions = _owner_of(condition, "questions").questions
    offered = {o.modality for o in options_of(condition, stage_code)} if stage_code else None
    return [
        question if isinstance(question, str) else question.text
        for question in questions
        if isinstance(question, str) or offered is None or offered & set(question.modalities)
    ]


def sources_of(condition: Condition) -> dict[str, SourceRef]:
    """Every reference the condition's page may cite (its own and those it inherits)."""
    merged: dict[str, SourceRef] = {}
    for member in reversed(_lineage(condition)):
        merged.update(member.sources)
    return merged


def service_source(code: str) -> SourceRef:
    """The reference a service's summary is drawn from."""
    cat = catalogue()
    return cat.sources[cat.services[code].source]


def entry_name(kind: TermKind, code: str) -> str:
    """Display name of a catalogue entry."""
    cat = catalogue()
    if kind == "service":
        return cat.services[code].name
    if kind == "specialty":
        return cat.specialties[code].name
    return cat.conditions[code].name


def _exact_matches(words: str) -> list[TermMatch]:
    """Longest-first, non-overlapping whole-word matches of catalogue terms inside the query."""
    found: list[TermMatch] = []
    remaining = f" {words} "
    for term in catalogue().terms:
        needle = f" {term.folded} "
        if needle in remaining:
            remaining = remaining.replace(needle, " | ")
            found.append(
                TermMatch(
                    kind=term.kind,
                    code=term.code,
                    name=entry_name(term.kind, term.code),
                    matched_text=term.folded,
                    exact=True,
                    score=100.0,
                )
            )
    return found


def _fuzzy_match(words: str) -> TermMatch | None:
    """The best catalogue term close to any run of up to MAX_NGRAM words of the query."""
    tokens = words.split()
    choices = {t.folded: t for t in catalogue().terms if len(t.folded) >= FUZZY_MIN_LENGTH}
    best: tuple[float, Term, str] | None = None
    for size in range(min(MAX_NGRAM, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            gram = " ".join(tokens[start : start + size])
            if len(gram) < FUZZY_MIN_LENGTH:
                continue
            hit = process.extractOne(gram, choices.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit is not None and (best is None or hit[1] > best[0]):
                best = (hit[1], choices[hit[0]], gram)
    if best is None:
        return None
    score, term, gram = best
    return TermMatch(
        kind=term.kind,
        code=term.code,
        name=entry_name(term.kind, term.code),
        matched_text=gram,
        exact=False,
        score=round(score, 1),
    )


def _topics_for(
    matches: list[TermMatch], stage_codes: dict[str, str], distant: bool | None = None
) -> dict[str, TermKind]:
    """Directory topics for the matched entries; a condition contributes the procedures and specialties
    of its treatment options (for the named stage, when there is one).
    """
    topics: dict[str, TermKind] = {}
    cat = catalogue()
    for match in matches:
        if match.kind == "service":
            topics[f"service:{match.code}"] = "service"
        elif match.kind == "specialty":
            topics.setdefault(f"specialty:{match.code}", "specialty")
        else:
            condition = cat.conditions[match.code]
            for option in options_of(condition, stage_codes.get(match.code), distant=distant):
                for code in option.procedures:
                    topics.setdefault(f"service:{code}", "condition")
                for code in option.specialties:
                    topics.setdefault(f"specialty:{code}", "condition")
    return topics


def suggest_terms(text: str, *, limit: int = 5) -> list[str]:
    """Catalogue names with a word that really resembles a word of `text`, for "did you mean" messages;
    none for text that resembles nothing (see `suggestions.RESEMBLANCE`)."""
    return [entry_name(kind, code) for kind, code in resembling_entries(text, limit=limit)]


def example_terms() -> list[str]:
    """What a reader can type: a cancer type, a procedure and a specialty of the catalogue."""
    return [entry_name(kind, code) for kind, code in EXAMPLES]


def _not_recognised(text: str) -> InvalidInput:
    """The error for text that names nothing: near misses when some word resembles a known one, else
    examples (never a list of cancers for nonsense)."""
    suggestions = suggest_terms(text)
    if suggestions:
        return InvalidInput(
            'We do not recognise "%(query)s" as a procedure, condition or specialty.',
            query=text if len(text) <= ECHO_CHARACTERS else text[: ECHO_CHARACTERS - 1].rstrip() + "…",
            suggestions=suggestions,
        )
    examples = example_terms()
    return InvalidInput(
        "We did not recognise that: try a cancer type, a procedure or a specialty, for example %(examples)s.",
        examples=", ".join(f"“{name}”" for name in examples),
        suggestions=[],
        example_terms=examples,
    )


@lru_cache(maxsize=4096)
def interpret_query(text: str) -> QueryInterpretation:
    """What `text` names (procedures, specialties, conditions) and the directory topics to search.

    Raises InvalidInput when nothing in the text is recognised.
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        raise InvalidInput(
            "Keep the search to %(limit)s characters or fewer: the name of a procedure, a condition or a "
            "specialty is enough.",
            limit=MAX_QUERY_CHARACTERS,
        )
    words = fold(text)
    if not words:
        raise InvalidInput('Type a procedure, a condition or a specialty, for example "metastasectomy".')
    matches = _exact_matches(words)
    if not matches:
        fuzzy = _fuzzy_match(words)
        matches = [fuzzy] if fuzzy else []
    # A condition inside a procedure's own name ("craniotomy for brain tumor") is not a second request.
    names_condition = not matches or any(m.kind == "condition" for m in matches)
    understood = _understand_condition(text) if names_condition else None
    if understood is not None:
        # The understanding of the whole text knows better which condition and stage the patient has
        # ("colon cancer with liver mets" is stage IV colon cancer, "no history of melanoma" is not melanoma).
        match, stage, distant = understood
        matches = [m for m in matches if m.kind != "condition"] + [match]
    else:
        stage, distant = None, None
    if not matches:
        raise _not_recognised(text)
    stage_codes = {stage[0]: stage[1].code} if stage else {}
    return QueryInterpretation(
        text=text,
        matches=matches,
        topics=_topics_for(matches, stage_codes, distant if not stage_codes else None),
        stage=stage[1].name if stage else None,
    )


def _understand_condition(
    text: str,
) -> tuple[TermMatch, tuple[str, Stage] | None, bool | None] | None:
    """The condition the text names for the patient, the catalogue stage it names, if any, and whether the
    text says the cancer has spread to distant parts of the body (None when it does not say).
    """
    found = explain(text)
    if found.condition is None:
        return None
    condition = get_condition(found.condition.code)
    if condition is None:
        return None
    match = TermMatch(
        kind="condition",
        code=condition.code,
        name=condition.name,
        matched_text=found.condition.matched_text,
        exact=found.condition.exact,
        score=found.condition.score,
    )
    group, substage = (found.stage.group, found.stage.substage) if found.stage else (None, None)
    stage = stage_for(condition, group=group, substage=substage) if found.stage else None
    distant = extent_of(condition, group=group, substage=substage)
    return match, ((condition.code, stage) if stage else None), distant


def stage_for(condition: Condition, *, group: str | None, substage: str | None) -> Stage | None:
    """The condition's stage a finding names: by sub-stage when the condition lists it, else by group."""
    stages = stages_of(condition)
    if substage:
        wanted = substage.upper()
        for stage in stages:
            names = {s.upper() for s in stage.substages} | {stage.name.upper().removeprefix("STAGE ").strip()}
            if wanted in names:
                return stage
    if group:
        return next((s for s in stages if s.group == group), None)
    return None


def record_condition_review(
    *, code: str, reviewer: str, credentials: str, on: dt.date, folder: Path | None = None
) -> Path:
    """Record a clinician's review in a condition's file (asked for by a person, never automatic)."""
    return record_review(code=code, reviewer=reviewer, credentials=credentials, on=on, folder=folder)


def review_state_report(*, today: dt.date) -> ReviewReport:
    """Conditions not reviewed, reviewed (or written) over a year ago, and sources without a date."""
    return review_report(today=today)


def explain(text: str) -> Explanation:
    """What a phrase or a note says of a patient's cancer: condition, stage, spread, biomarkers, negations."""
    return understanding.explain(text)


def clinical_lexicon() -> ClinicalLexicon:
    """The clinical concepts, medicines and severity words trial verdicts read notes and criteria with."""
    return load_clinical_lexicon()


def explain_text(text: str) -> ExplainResponse:
    """Condition (OncoTree and ICD-10-CM codes), stage, metastatic sites and biomarkers named in a phrase or a
    note, with the treatment options for that condition and stage and their sources.
    """
    if not text.strip():
        raise InvalidInput('Type a phrase or paste a note, for example "stage 4 mesothelioma".')
    found = explain(text)
    condition = get_condition(found.condition.code) if found.condition else None
    stage = found.stage
    options: list[ExplainedOption] = []
    explained: ExplainedCondition | None = None
    if condition is not None and found.condition is not None:
        explained = ExplainedCondition(
            id=condition.code,
            code=condition.oncotree[0].code if condition.oncotree else None,
            name=condition.name,
            oncotree=[o.code for o in condition.oncotree],
            icd10=list(condition.icd10) or _inherited_icd10(condition),
            matched_text=found.condition.matched_text,
            exact=found.condition.exact,
            url=f"/conditions/{condition.code}",
        )
        group, substage = (stage.group, stage.substage) if stage else (None, None)
        chosen = stage_for(condition, group=group, substage=substage) if stage else None
        distant = extent_of(condition, group=group, substage=substage)
        sources = sources_of(condition)
        options = [
            _explained_option(o, sources)
            for o in options_of(
                condition, chosen.code if chosen else None, distant=distant, substage=substage
            )
        ]
    return ExplainResponse(
        condition=explained,
        stage=(stage.substage or stage.group) if stage else None,
        stage_group=stage.group if stage else None,
        metastatic_sites=[s.site for s in found.metastatic_sites],
        biomarkers=[{"name": b.name, "status": b.status, "value": b.value} for b in found.biomarkers],
        negated=[
            {"kind": n.kind, "label": n.label, "text": n.matched_text, "cue": n.cue} for n in found.negated
        ],
        matched=[m.model_dump() for m in found.matched],
        options=options,
    )


def _explained_option(option: TreatmentOption, sources: dict[str, SourceRef]) -> ExplainedOption:
    """One option as the explain faces show it, with its selection criteria and source addresses."""
    cited = [option.source] + ([option.selection.source] if option.selection else [])
    return ExplainedOption(
        modality=option.modality,
        intent=option.intent,
        summary=option.summary,
        procedures=list(option.procedures),
        specialties=list(option.specialties),
        sources=list(dict.fromkeys(str(sources[key].url) for key in cited if key in sources)),
        oligometastatic=option.oligometastatic,
        selection=list(option.selection.criteria) if option.selection else [],
        substages=list(option.substages),
    )


def _inherited_icd10(condition: Condition) -> list[str]:
    """ICD-10-CM codes of the nearest ancestor that lists some (cell types share their site's codes)."""
    return list(_owner_of(condition, "icd10").icd10)


# Follow-up templates -------------------------------------------------------------------------------------


def list_followup_templates() -> list[FollowupTemplate]:
    """Every follow-up template, by code."""
    return [followup_templates()[code] for code in sorted(followup_templates())]


def followup_template(code: str) -> FollowupTemplate | None:
    """One follow-up template, or None."""
    return followup_templates().get(code)


def followup_templates_for(
    *, condition: str | None, stage: str | None, modality: str | None
) -> list[FollowupTemplate]:
    """The templates that fit a condition (or one of its ancestors), a stage and the treatment received."""
    lineage = set(condition_lineage(code=condition)) if condition else set()
    known = get_condition(condition) if condition else None
    distant = False
    if stage and known is not None:  # a sub-stage ("IB") or a stage name ("IV") is read as the stage's code
        found = stage_for(known, group=None, substage=stage) or next(
            (s for s in stages_of(known) if s.code == stage.lower()), None
        )
        stage = found.code if found is not None else stage
        distant = found is not None and found.is_distant
    fitting = []
    for template in list_followup_templates():
        if not lineage & set(template.conditions):
            continue
        if "all" not in template.stage_codes and (stage is None or stage.lower() not in template.stage_codes):
            continue
        if modality is not None and modality not in template.modalities:
            continue
        if template.not_distant and distant:
            continue
        fitting.append(template)
    # The most specific first: named stages before "all", fewer conditions before more.
    return sorted(fitting, key=lambda t: ("all" in t.stage_codes, len(t.conditions), t.code))


def record_followup_template_review(
    *, code: str, reviewer: str, credentials: str, on: dt.date, folder: Path | None = None
) -> Path:
    """Write a clinician's review into a follow-up template's file (a person asks for it on the CLI)."""
    return record_template_review(code=code, reviewer=reviewer, credentials=credentials, on=on, folder=folder)


def followup_review_report(*, today: dt.date) -> ReviewReport:
    """Follow-up templates not reviewed, reviewed (or written) over a year ago, and undated sources."""
    return template_review_report(today=today)
