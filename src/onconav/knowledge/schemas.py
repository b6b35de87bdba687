"""Schemas of the curated knowledge files (checked at load) and of query interpretations.

A file that breaks its schema stops the application at start-up with the file and field named.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

ServiceCategory = Literal["procedure", "therapy", "support", "consultation"]
TermKind = Literal["service", "specialty", "condition"]


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

    code: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    name: str
    practitioner_title: str
    synonyms: list[str] = []
    nucc_taxonomy: list[str] = Field(default_factory=list)


class Service(StrictModel):
    """Something a center or a doctor offers: a procedure, a therapy, support or a consultation."""

    code: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    name: str
    category: ServiceCategory
    summary: str
    synonyms: list[str] = []
    specialties: list[str] = []
    cpt: list[str] = []
    source: str


class Condition(StrictModel):
    """A cancer type as patients name it, linked to the care that treats it."""

    code: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    name: str
    synonyms: list[str] = []
    related_services: list[str]
    related_specialties: list[str]
    source: str


class SpecialtiesFile(StrictModel):
    reviewed: dt.date
    source: SourceRef
    specialties: list[Specialty]


class ServicesFile(StrictModel):
    reviewed: dt.date
    sources: dict[str, SourceRef]
    services: list[Service]

    @model_validator(mode="after")
    def _sources_exist(self) -> ServicesFile:
        for service in self.services:
            if service.source not in self.sources:
                raise ValueError(f"service {service.code!r} cites unknown source {service.source!r}")
        return self


class ConditionsFile(StrictModel):
    reviewed: dt.date
    sources: dict[str, SourceRef]
    conditions: list[Condition]

    @model_validator(mode="after")
    def _sources_exist(self) -> ConditionsFile:
        for condition in self.conditions:
            if condition.source not in self.sources:
                raise ValueError(f"condition {condition.code!r} cites unknown source {condition.source!r}")
        return self


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
