"""A patient profile understood: condition (with the knowledge base's codes and synonyms), stage,
biomarkers, age and sex, from fields or a note; fields are rendered into a note for the verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from onconav.knowledge import service as knowledge
from onconav.trials import oncotree
from onconav.trials.indexing import tokens
from onconav.trials.schemas import MatchResponse, PatientProfile, Sex
from onconav.trials.verdicts.note import patient_cancer_types

SYNONYM_WEIGHT = 0.7
PARENT_WEIGHT = 0.5
CHILD_WEIGHT = 0.5
BIOMARKER_WEIGHT = 0.4
GENERIC_WEIGHT = 0.3
# Words every cancer trial uses: they count, but little.
GENERIC = frozenset(
    {
        *("cancer", "cancers", "carcinoma", "carcinomas", "tumor", "tumors", "tumour", "tumours"),
        *("neoplasm", "neoplasms", "malignant", "malignancy", "malignancies", "solid", "advanced"),
        *("metastatic", "type", "mixed"),
    }
)
# Words that say nothing of which cancer a trial is for: they never score ("cell" is in "squamous cell" and
# "non-small cell" alike; "year" is in every note).
NEVER_SCORED = frozenset(
    {
        *("cell", "cells", "non", "nos", "other", "type", "types", "stage", "grade", "primary", "disease"),
        *("year", "years", "old", "patient", "patients", "the", "of", "and", "with", "in", "or", "a", "an"),
    }
)
_AGE = re.compile(
    r"\b(\d{1,3})[- ]?(?:year|yr)s?[- ]?old\b|\bage[d:]?\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:yo|y/o)\b", re.I
)
OLDEST_AGE = 120
# The patient's sex is read from the note's opening ("A 62-year-old woman..."), not from relatives later.
SEX_FROM_FIRST_CHARACTERS = 400
_FEMALE = re.compile(r"\b(woman|female|lady|girl|she|her|mrs|ms)\b", re.I)
_MALE = re.compile(r"\b(man|male|gentleman|boy|he|his|him|mr)\b", re.I)


@dataclass
class UnderstoodProfile:
    """Everything matching needs to know about the patient."""

    note: str
    condition_code: str | None
    condition_name: str | None
    stage: str | None
    biomarkers: list[str]
    age: int | None
    sex: Sex | None
    terms: dict[str, float] = field(default_factory=dict)
    core_terms: list[str] = field(default_factory=list)  # the condition's own name, for "full match"
    cancer_types: tuple[str, ...] = ()  # OncoTree types of the patient's cancer; empty: no cancer named
    ideal: float = 0.0  # set by retrieval: the score of a trial named exactly for the condition


def note_from_fields(profile: PatientProfile) -> str:
    """The structured fields as sentences a note reader understands."""
    who = {"female": "woman", "male": "man", None: "patient"}[profile.sex]
    age = f"{profile.age}-year-old " if profile.age is not None else ""
    stage = ""
    if profile.stage:
        stage = profile.stage if profile.stage.lower().startswith("stage") else f"stage {profile.stage}"
        stage += " "
    sentences = [f"The patient is a {age}{who} with {stage}{profile.condition or 'cancer'}."]
    for marker in profile.biomarkers:
        sentences.append(f"Tumor testing shows {marker}.")
    if profile.ecog is not None:
        sentences.append(f"ECOG performance status is {profile.ecog}.")
    if profile.prior_therapies:
        sentences.append(f"Prior treatment: {', '.join(profile.prior_therapies)}.")
    else:
        sentences.append("No prior treatment is recorded.")
    return " ".join(sentences)


def _age_from_note(text: str) -> int | None:
    match = _AGE.search(text)
    if match is None:
        return None
    age = int(next(g for g in match.groups() if g))
    return age if age <= OLDEST_AGE else None


def _sex_from_note(text: str) -> Sex | None:
    head = text[:SEX_FROM_FIRST_CHARACTERS]
    female, male = _FEMALE.search(head), _MALE.search(head)
    if female and (not male or female.start() < male.start()):
        return "female"
    return "male" if male else None


def _condition_terms(code: str | None, fallback: str | None) -> dict[str, float]:
    """Query terms for the condition: its names and synonyms, its parent's and children's (less)."""
    weights: dict[str, float] = {}

    def add(texts: list[str], weight: float) -> None:
        for text in texts:
            for term in tokens(text):
                if term in NEVER_SCORED:
                    continue
                weights[term] = max(
                    weights.get(term, 0.0), min(weight, GENERIC_WEIGHT) if term in GENERIC else weight
                )

    condition = knowledge.get_condition(code) if code else None
    if condition is None:
        add([fallback or ""], 1.0)  # a cancer the catalogue does not know, named by OncoTree
        return weights
    if condition.parent and (parent := knowledge.get_condition(condition.parent)) is not None:
        add([parent.name, *parent.synonyms], PARENT_WEIGHT)
    for child in knowledge.list_conditions():
        if child.parent == condition.code:
            add([child.name], CHILD_WEIGHT)
    add(list(condition.synonyms), SYNONYM_WEIGHT)
    add([condition.name], 1.0)
    return weights


def understand(profile: PatientProfile) -> UnderstoodProfile:
    """Read the profile: the note (given, or written from the fields) through the knowledge base."""
    written = note_from_fields(profile) if profile.condition else ""
    note = "\n".join(t for t in ((profile.note or "").strip(), written) if t)
    found = knowledge.explain(note)
    if profile.condition:
        # What the fields say wins over what a long note mentions in passing.
        from_fields = knowledge.explain(
            f"{profile.condition} {('stage ' + profile.stage) if profile.stage else ''}"
        )
        condition = from_fields.condition or found.condition
        stage_finding = from_fields.stage or found.stage
    else:
        condition, stage_finding = found.condition, found.stage
    stage = None
    if stage_finding is not None:
        stage = stage_finding.substage or stage_finding.group
    biomarkers = list(profile.biomarkers) or [
        f"{b.name} {b.value or b.status}" for b in found.biomarkers if b.status != "unknown"
    ]
    positive = list(profile.biomarkers) or [b.name for b in found.biomarkers if b.status == "positive"]
    code = condition.code if condition else None
    cancer_types = patient_cancer_types(f"{profile.condition or ''}\n{note}", code)
    named = None if condition or not cancer_types else oncotree.name_of(cancer_types[0])
    terms = _condition_terms(code, named) if cancer_types else {}
    for marker in positive:
        for term in tokens(marker.split()[0] if marker.split() else marker):
            terms.setdefault(term, BIOMARKER_WEIGHT)
    return UnderstoodProfile(
        note=note,
        condition_code=condition.code if condition else None,
        condition_name=condition.name if condition else named,
        stage=stage,
        biomarkers=biomarkers,
        age=profile.age if profile.age is not None else _age_from_note(note),
        sex=profile.sex or _sex_from_note(note),
        terms=terms,
        core_terms=[t for t in tokens(condition.name if condition else named or "") if t in terms],
        cancer_types=cancer_types,
    )


# What the page and the API show as understood beyond the condition: where the patient lives, ECOG and
# prior treatments (the verdicts read these themselves; this is for "Understood as").

# A place of residence only: "lives in", "living in", "resides in", "resident of", "home is in", and "from"
# after words that make it about the person ("is from", "originally from", "who comes from"). "Referred
# from", "transferred from", "recovering from" never count.
_RESIDENCE = re.compile(
    r"\b(?:lives|living|resides|residing|resident|based|located|home is)\s+(?:in|of|near)\s+"
    r"|\b(?:is|was|are|originally|comes|coming|hails)\s+from\s+",
    re.I,
)
# The place: capitalised words (or a US ZIP), commas allowed between them ("Salem, Oregon", "Ukiah CA").
_PLACE_WORDS = re.compile(r"((?:[A-Z][\w.'-]*|\d{5})(?:,?\s+(?:[A-Z][\w.'-]*|\d{5})){0,4})")
PLACE_WORDS_TRIED = 5


def place_from_note(note: str | None) -> str | None:
    """The place the note says the patient lives in ("lives in Ukiah CA" -> "Ukiah CA"), when the words
    after a residence phrase name a place the geo domain resolves exactly; None otherwise."""
    from onconav.geo import service as geo

    for cue in _RESIDENCE.finditer(note or ""):
        found = _PLACE_WORDS.match(note or "", cue.end())
        if found is None:
            continue
        words = found.group(1).replace(",", " , ").split()
        # The longest leading run of words that is a place: "Ukiah CA" before "Ukiah".
        for end in range(min(len(words), PLACE_WORDS_TRIED * 2), 0, -1):
            candidate = " ".join(words[:end]).replace(" ,", ",").strip(", .")
            if not candidate:
                continue
            try:
                resolution = geo.resolve_place(candidate)
            except geo.PlaceNotFound:
                continue
            if resolution.exact:
                return candidate
    return None


_ECOG = re.compile(
    r"\b(?:ECOG|Zubrod|WHO)(?:\s+performance)?(?:\s+status|\s+PS|\s+score)?(?:\s+(?:of|is|was))?\s*[:=]?\s*"
    r"([0-4])\b",
    re.I,
)


def ecog_from_note(note: str | None) -> int | None:
    """The ECOG performance status a note states ("ECOG 1", "ECOG performance status of 2")."""
    found = _ECOG.search(note or "")
    return int(found.group(1)) if found else None


_TREATMENT = re.compile(
    r"\b(chemo(?:therapy)?|chemoradiation|radiotherapy|radiation(?: therapy)?|immunotherapy|"
    r"targeted therapy|hormon(?:e|al) therapy|surgery|surgical resection|resection|lobectomy|"
    r"pneumonectomy|mastectomy|lumpectomy|pleurectomy|transplant|[a-z]+(?:mab|nib|platin|taxel|rubicin|"
    r"citabine|trexed|mustine|fosfamide))\b",
    re.I,
)
_HAD = re.compile(
    r"\b(received|had|has had|treated with|underwent|undergone|completed|prior|previous|previously|"
    r"after|following|status post|s/p|progressed on|progression on)\b",
    re.I,
)
_NONE = re.compile(
    r"\b(?:no (?:prior|previous) (?:systemic )?(?:therapy|treatment|chemotherapy)|treatment[- ]na[iï]ve|"
    r"has not (?:yet )?(?:been treated|received))",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")


def prior_treatments_from_note(note: str | None) -> list[str] | None:
    """Treatments a note says the patient has had, in the note's words; [] when it says none; None when it
    says nothing either way."""
    text = note or ""
    if _NONE.search(text):
        return []
    found: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if not _HAD.search(sentence):
            continue
        for match in _TREATMENT.finditer(sentence):
            word = match.group(1).lower()
            if word not in found:
                found.append(word)
    return found or None


def where_to_measure_from(near: str | None, patient: PatientProfile) -> tuple[str | None, bool]:
    """The place distances are measured from: `near`, else the profile's location, else where the note
    says the patient lives; and whether it came from the note."""
    given = (near or "").strip() or (patient.location or "").strip()
    if given:
        return given, False
    from_note = place_from_note(patient.note)
    return from_note, from_note is not None


def complete_understood(
    response: MatchResponse, patient: PatientProfile, *, from_note: bool
) -> MatchResponse:
    """The response with the rest of what was understood: ECOG and prior treatments (fields first, then
    the note), and whether the place came from the note."""
    prior = list(patient.prior_therapies) or prior_treatments_from_note(patient.note)
    understood = response.patient.model_copy(
        update={
            "ecog": patient.ecog if patient.ecog is not None else ecog_from_note(patient.note),
            "prior_treatments": prior,
        }
    )
    return response.model_copy(
        update={"patient": understood, "place_from_note": from_note and response.place is not None}
    )
