"""Case input and output shapes (Pydantic): what the API accepts and returns, and the structured opinion."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from onconav.cases.states import CaseState, Urgency

Text2k = Field(max_length=2000)


class RequestedProvider(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["organization", "practitioner"]
    id: int = Field(ge=1)
    name: str = Field(default="", max_length=300)


class CaseCreate(BaseModel):
    """What a patient says when asking for a second opinion."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="A short name for the case.")
    diagnosis: str = Field(
        min_length=1, max_length=4000, description="The diagnosis, in the patient's words."
    )
    treatment_plan: str = Field(default="", max_length=4000, description="The current treatment plan.")
    questions: list[str] = Field(default_factory=list, max_length=20, description="Questions to answer.")
    urgency: Urgency = Urgency.routine
    language: str = Field(default="en", pattern=r"^[a-z]{2}$", description="Preferred language (ISO 639-1).")
    requested_providers: list[RequestedProvider] = Field(default_factory=list, max_length=10)


class CaseEventRead(BaseModel):
    from_state: CaseState | None
    to_state: CaseState
    actor_role: str
    note: str
    at: datetime


class CaseRead(BaseModel):
    """A case as its members see it."""

    id: str
    title: str
    diagnosis: str
    condition: str | None
    stage: str | None
    treatment_plan: str
    questions: list[str]
    urgency: Urgency
    language: str
    requested_providers: list[dict[str, Any]]
    state: CaseState
    created_at: datetime
    submitted_at: datetime | None
    triage_due_at: datetime | None
    opinion_due_at: datetime | None
    events: list[CaseEventRead] = []


class DocumentRead(BaseModel):
    """An uploaded record (identifying DICOM tags only for the owner)."""

    id: str
    case_id: str
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    details: dict[str, Any]
    identifying: dict[str, Any] | None = None
    has_text: bool
    created_at: datetime


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=40, description="submit, triage, accept, decline, start_review ...")
    note: str = Field(default="", max_length=2000)


class Reviewer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    credentials: str = Field(min_length=1, max_length=200, description="e.g. 'MD, thoracic surgery'")


class TrialSuggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(default="", max_length=40, description="e.g. an NCT number")
    title: str = Field(min_length=1, max_length=500)
    why: str = Field(default="", max_length=2000)


class OpinionContent(BaseModel):
    """The structured written opinion."""

    model_config = ConfigDict(extra="forbid")

    diagnosis_agreement: Literal["agree", "partly_agree", "disagree", "cannot_assess"]
    diagnosis_comment: str = Field(default="", max_length=4000)
    staging: str = Field(default="", max_length=1000)
    recommended_plan: str = Field(min_length=1, max_length=8000)
    alternatives: list[str] = Field(default_factory=list, max_length=20)
    trials: list[TrialSuggestion] = Field(default_factory=list, max_length=20)
    questions_for_team: list[str] = Field(default_factory=list, max_length=30)
    reviewers: list[Reviewer] = Field(min_length=1, max_length=20)


class Signature(BaseModel):
    user_id: str
    name: str
    credentials: str
    signed_at: datetime
    content_sha256: str


class OpinionRead(BaseModel):
    id: str
    case_id: str
    version: int
    status: Literal["draft", "delivered"]
    content: OpinionContent
    content_sha256: str
    signatures: list[Signature]
    supersedes_id: str | None
    amendment_reason: str
    created_at: datetime
    delivered_at: datetime | None


class QueueItem(BaseModel):
    """A line of the coordinator's queue."""

    id: str
    title: str
    condition: str | None
    urgency: Urgency
    state: CaseState
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
