"""Case input and output shapes: what the API accepts and returns (Pydantic), the structured opinion, and
what the pages and file answers get from the actions (dataclasses: they carry streams, bytes and views).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from onconav.cases.states import CaseRole, CaseState, Urgency

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


class CaseCreateFor(CaseCreate):
    """A case; a caregiver names the patient they act for (with that patient's consent to write)."""

    patient_id: str | None = Field(default=None, max_length=64)


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
    # Biomarkers the case knows: tumor markers of imported FHIR records, then those its diagnosis names.
    biomarkers: list[str] = []


class CaseDetail(CaseRead):
    my_roles: list[CaseRole]
    next_actions: list[str]


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


class DocumentText(BaseModel):
    """The text extracted from a record; beyond the reviewing team, with the identifiers the case knows
    redacted and what could not be checked said in `unchecked`."""

    id: str
    text: str
    redacted: bool = False
    unchecked: str | None = None


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=40, description="submit, triage, accept, decline, start_review ...")
    note: str = Field(default="", max_length=2000)


class MemberCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: CaseRole = Field(description="specialist (assigned by a coordinator) or colleague (invited).")


class MemberRead(BaseModel):
    user_id: str
    role: str
    created_at: Any


class MessageRead(BaseModel):
    id: str
    author_role: str
    body: str
    created_at: Any
    attachments: list[DocumentRead]


class ReviewCreate(BaseModel):
    """A member's input to the review; their name and specialty come from their account."""

    model_config = ConfigDict(extra="forbid")

    position: str = Field(description="agree, partly_agree, disagree or abstain")
    body: str = Field(min_length=1, max_length=10_000)

    @model_validator(mode="before")
    @classmethod
    def _no_typed_specialty(cls, value: Any) -> Any:
        if isinstance(value, dict) and "specialty" in value:
            raise ValueError("Your name and specialty come from your account; do not send them.")
        return value


class ReviewRead(BaseModel):
    id: str
    author_name: str
    specialty: str
    position: str
    body: str
    created_at: Any


class Reviewer(BaseModel):
    """A reviewer as the opinion names them: always filled in from their account and its directory record
    (name, credentials, specialty, affiliation), never typed by whoever writes the opinion."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    credentials: str = Field(
        min_length=1,
        max_length=200,
        description="From the reviewer's directory record: credentials, specialty and affiliation, "
        "e.g. 'MD · Thoracic surgery · Test Cancer Center'.",
    )


AUTHORSHIP_FROM_ACCOUNTS = (
    "Name each reviewer by user_id only: names, credentials and affiliations come from their accounts."
)


class ReviewerRef(BaseModel):
    """A reviewer named on an opinion draft: a member of the case's team, by account id only."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)

    @model_validator(mode="before")
    @classmethod
    def _only_the_account(cls, value: Any) -> Any:
        if isinstance(value, dict) and set(value) - {"user_id"}:
            raise ValueError(AUTHORSHIP_FROM_ACCOUNTS)
        return value


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


class OpinionContentDraft(BaseModel):
    """The opinion as its author writes it: reviewers are named by account id, and the opinion takes their
    names, credentials and affiliations from their accounts."""

    model_config = ConfigDict(extra="forbid")

    diagnosis_agreement: Literal["agree", "partly_agree", "disagree", "cannot_assess"]
    diagnosis_comment: str = Field(default="", max_length=4000)
    staging: str = Field(default="", max_length=1000)
    recommended_plan: str = Field(min_length=1, max_length=8000)
    alternatives: list[str] = Field(default_factory=list, max_length=20)
    trials: list[TrialSuggestion] = Field(default_factory=list, max_length=20)
    questions_for_team: list[str] = Field(default_factory=list, max_length=30)
    reviewers: list[ReviewerRef] = Field(min_length=1, max_length=20, description=AUTHORSHIP_FROM_ACCOUNTS)


class OpinionDraft(BaseModel):
    content: OpinionContentDraft
    amendment_reason: str = Field(default="", max_length=2000)


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
    triage_due_at: datetime | None = Field(default=None, description="When a coordinator must triage it")
    opinion_due_at: datetime | None = Field(default=None, description="When the written opinion is due")


# What the actions hand to the pages and to the file answers ---------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as the client sent it: its stream, and the name and media type it claims."""

    source: BinaryIO
    filename: str | None
    declared_type: str | None


@dataclass(frozen=True)
class TrialLine:
    """A trial as typed on the opinion form (`NCT number | title | why`), before it is checked."""

    identifier: str
    title: str
    why: str


@dataclass(frozen=True)
class ReviewerLine:
    """A reviewer as typed on the opinion form (an e-mail address), before it is looked up."""

    email: str


@dataclass(frozen=True)
class OpinionForm:
    """The opinion form's fields, split into lines but not yet checked (the action checks them after
    asking the policy, like any other input)."""

    diagnosis_agreement: str
    diagnosis_comment: str
    staging: str
    recommended_plan: str
    alternatives: list[str]
    trials: list[TrialLine]
    questions_for_team: list[str]
    reviewers: list[ReviewerLine]
    amendment_reason: str


@dataclass(frozen=True)
class DocumentContent:
    """A document's bytes as answered: the original or the shared copy (then without the original's hash)."""

    id: str
    data: bytes
    media_type: str
    sha256: str


@dataclass(frozen=True)
class OpinionPdf:
    data: bytes
    version: int


@dataclass(frozen=True)
class CaseList:
    """The case list page: the caller's cases, and whether and for whom they may start one."""

    cases: list[QueueItem]
    may_create: bool
    patients: list[str]


@dataclass(frozen=True)
class CaseOverview:
    """The case page: the case and, as far as the caller may see them, its records, messages, team, review
    and opinions, with what the caller may do."""

    case: CaseRead
    roles: list[CaseRole]
    actions: list[str]
    documents: list[DocumentRead]
    messages: list[MessageRead]
    may_message: bool
    may_upload: bool
    may_assign: bool
    may_invite: bool
    may_review: bool
    may_write_opinion: bool
    members: list[MemberRead]
    reviews: list[ReviewRead]
    opinions: list[OpinionRead]
    positions: tuple[str, ...]


@dataclass(frozen=True)
class OpinionOverview:
    """The opinion page: one version, its case, who has yet to sign, and what the caller may do."""

    opinion: OpinionRead
    case: CaseRead
    unsigned: list[str]
    may_sign: bool
    may_deliver: bool


@dataclass(frozen=True)
class DocumentView:
    """A record read in the browser: its details, its text, and whether the reader gets the shared copy
    (then the text is redacted and `unchecked` says what could not be checked)."""

    document: DocumentRead
    text: str
    shared: bool
    unchecked: str | None = None
    may_download: bool = True
