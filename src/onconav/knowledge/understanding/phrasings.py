"""The phrasings file (data/phrasings.yaml): what people write that the condition files do not hold, as
validated specs (organs, head nouns, spellings, stage words, sites, biomarkers, cues of context).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Spec(BaseModel):
    """Curated vocabulary: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganSpec(_Spec):
    """An organ: the condition its cancer is (if we cover one) and the words that name it."""

    code: str | None = None
    words: list[str]


class HeadSpec(_Spec):
    """A head noun ("carcinoma", "adenocarcinoma") and the condition it names in each organ."""

    words: list[str]
    generic: bool = False
    organs: dict[str, str | None] = {}


class RefinementSpec(_Spec):
    """Words that make a condition a subtype when they stand in its sentence ("adenocarcinoma")."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    sources: list[str] = Field(alias="from")
    words: list[str]
    to: str


class StageSpec(_Spec):
    """Words of stage and spread: other diseases' staging, spread, sites only, qualifiers."""

    non_cancer_contexts: list[str]
    metastatic_words: list[str]
    site_only_words: list[str]
    spread_phrases: list[str]
    metastatic_abbreviations: list[str]
    qualifiers: dict[str, list[str]]


class BiomarkerSpec(_Spec):
    """A biomarker: its names, the status its name alone implies, and how strictly it must be written."""

    name: str
    aliases: list[str]
    implied: Literal["positive", "negative"] | None = None
    strict: bool = False
    needs_status: bool = False


class StatusSpec(_Spec):
    """Words of a biomarker's status, before and after its name, and words of a drug class."""

    positive: list[str]
    positive_nouns: list[str]
    negative: list[str]
    unknown: list[str]
    therapy: list[str]
    negative_prefixes: list[str]
    positive_prefixes: list[str]


class NegationSpec(_Spec):
    """Cues of negation: before and after a mention, pseudo-negations, short reaches, terminators."""

    before: list[str]
    after: list[str]
    pseudo: list[str]
    short_window: list[str]
    window: int
    terminators: list[str]


class CueSpec(_Spec):
    """Cues before a mention (hypothetical: "risk of"; uncertain: "rule out")."""

    before: list[str]


class FamilySpec(_Spec):
    """Cues of a relative's history, of a caregiver's words, and what breaks their reach."""

    history_cues: list[str]
    relatives: list[str]
    not_history: list[str]
    third_person: list[str]
    past_verbs: list[str]
    patient_words: list[str]
    scope_breakers: list[str]


class SalienceSpec(_Spec):
    """Cues that a condition is diagnosed now, or lies in a remote past."""

    diagnostic: list[str]
    remote: list[str]


class Phrasings(_Spec):
    """data/phrasings.yaml: what people write that the condition files do not hold."""

    conditions: dict[str, list[str]]
    not_conditions: list[str]
    capital_terms: list[str]
    parents: dict[str, str]
    organs: dict[str, OrganSpec]
    heads: list[HeadSpec]
    organ_connectors: list[str]
    organ_fillers: list[str]
    mass_words: list[str]
    histology_words: list[str]
    refinements: list[RefinementSpec]
    spellings: dict[str, str]
    not_typos: list[str]
    stage: StageSpec
    sites: dict[str, list[str]]
    site_connectors: list[str]
    site_fillers: list[str]
    site_involvement_words: list[str]
    biomarkers: list[BiomarkerSpec]
    biomarker_status: StatusSpec
    negation: NegationSpec
    hypothetical: CueSpec
    uncertain: CueSpec
    family: FamilySpec
    salience: SalienceSpec


@cache
def load_phrasings() -> Phrasings:
    """The validated phrasings file (read once per process)."""
    file = resources.files("onconav.knowledge").joinpath("data", "phrasings.yaml")
    return Phrasings.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))
