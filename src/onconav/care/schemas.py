"""Input and output of the follow-up plan (API, pages, CLI)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ItemKind = Literal["visit", "imaging", "test", "other"]
ItemStatus = Literal["planned", "done", "skipped"]
Modality = Literal[
    "surgery",
    "chemotherapy",
    "radiation-therapy",
    "targeted-therapy",
    "immunotherapy",
    "hormone-therapy",
    "stem-cell-transplant",
    "ablation",
]
# Dates of a plan: treatment ended within these years, items fall within them (a typing slip such as 2205
# or 1925 is refused with a clear message, never stored).
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100


def check_date(value: dt.date | None, what: str) -> dt.date | None:
    """Refuse dates outside the plausible years."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"{what} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


class ItemIn(BaseModel):
    """An item entered by hand (by the patient or the care team)."""

    model_config = ConfigDict(extra="forbid")

    kind: ItemKind = "visit"
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field(default="", max_length=2000)
    due_on: dt.date | None = None

    @field_validator("due_on")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value, "The date")


class PlanCreate(BaseModel):
    """A follow-up plan: the treatment received, when it ended, and either a template of the knowledge
    base (chosen by code, or the best fit for the case's condition and stage when `use_template` is set)
    or items entered by hand (or both)."""

    model_config = ConfigDict(extra="forbid")

    treatment: str = Field(default="", max_length=4000)
    treatment_end: dt.date
    modality: Modality | None = None
    template: str | None = Field(default=None, max_length=80)
    use_template: bool = True
    items: list[ItemIn] = Field(default_factory=list, max_length=100)

    @field_validator("treatment_end")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        checked = check_date(value, "The end of treatment")
        assert checked is not None
        return checked


class ItemUpdate(BaseModel):
    """A change to an item: its date (the care team), its status (the patient's done / skip mark)."""

    model_config = ConfigDict(extra="forbid")

    due_on: dt.date | None = None
    clear_date: bool = False
    status: ItemStatus | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("due_on")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        return check_date(value, "The date")


class ItemRead(BaseModel):
    id: str
    kind: ItemKind
    title: str
    detail: str
    due_on: dt.date | None
    status: ItemStatus
    source: str | None


class SymptomRead(BaseModel):
    text: str
    source_title: str
    source_url: str


class SourceRead(BaseModel):
    title: str
    url: str
    publisher: str | None
    published: str | None


class PlanRead(BaseModel):
    id: str
    case_id: str
    patient_id: str
    treatment: str
    treatment_end: dt.date
    modality: str | None
    template: str | None
    template_name: str | None
    template_reviewed: bool  # a clinician's review of the template is on record
    items: list[ItemRead]
    symptoms: list[SymptomRead]
    sources: list[SourceRead]
    has_feed: bool
    may_edit: bool = False  # the care team and the patient's side with write consent
    may_mark: bool = False  # the patient's side marks items done or skipped


class FeedCreated(BaseModel):
    """The calendar feed's private address, shown once (only its hash is stored)."""

    url: str


class ShareRequest(BaseModel):
    """Share the hand-back with a local doctor: read consent through the accounts' consent rules."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    days: int | None = Field(default=None, ge=1, le=3660)


class TemplateChoice(BaseModel):
    code: str
    name: str
