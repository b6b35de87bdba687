"""Pydantic shapes of the quotes domain: what a patient sends, what a center offers, what the faces show.

Money is always a Decimal with an ISO 4217 code beside it (serialised as a string in JSON, never a float).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onconav.directory.schemas import MedicarePaymentRead
from onconav.quotes.money import check_currency

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
Knowledge = Literal["known", "estimated", "unknown"]
MAX_CENTERS = 5


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Money(BaseModel):
    """An amount and its ISO 4217 currency."""

    amount: Decimal
    currency: str


class RequestWishes(Strict):
    """What the patient wants and can do: treatment, dates, language, companion, mobility, budget, home."""

    treatment_sought: str = Field(default="", max_length=300, description="Empty: 'advise me'.")
    earliest: date | None = None
    latest: date | None = None
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    companion: bool = False
    mobility_needs: str = Field(default="", max_length=500)
    budget: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="EUR", description="ISO 4217: the budget's, and the comparison's.")
    home_country: str = Field(default="", max_length=80)
    home_city: str = Field(default="", max_length=120)
    travel_per_km: Decimal | None = Field(
        default=None, ge=0, max_digits=8, decimal_places=2, description="The patient's own figure."
    )
    stay_per_night: Decimal | None = Field(
        default=None, ge=0, max_digits=10, decimal_places=2, description="The patient's own figure."
    )

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        return check_currency(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> RequestWishes:
        if self.earliest and self.latest and self.latest < self.earliest:
            raise ValueError("The latest date comes before the earliest.")
        return self

    @property
    def advise_me(self) -> bool:
        return not self.treatment_sought


class RequestCreate(Strict):
    """A treatment request: the diagnosis in the patient's words, records from a case, wishes, centers."""

    diagnosis: str = Field(min_length=3, max_length=500, description="'stage 4 pleural mesothelioma'")
    case_id: str | None = Field(default=None, max_length=32)
    document_ids: list[str] = Field(default_factory=list, max_length=50)
    wishes: RequestWishes = Field(default_factory=RequestWishes)
    organization_ids: list[int] = Field(min_length=1, max_length=MAX_CENTERS)
    patient_id: str | None = Field(default=None, max_length=64, description="A caregiver names the patient.")

    @field_validator("organization_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("Each center once.")
        return value


class RecipientRead(BaseModel):
    organization_id: int
    name: str
    reasons: list[str]
    status: str
    due_at: datetime


class RecordRead(BaseModel):
    """A record sent with the request: the patient sees its name; a center a de-identified text."""

    id: str
    kind: str
    filename: str | None = None
    shared_text: str | None = None


class MessageCreate(Strict):
    body: str = Field(min_length=1, max_length=4000)
    organization_id: int | None = Field(default=None, description="The patient's side names the center.")


class MessageRead(BaseModel):
    id: str
    organization_id: int
    from_center: bool
    body: str
    created_at: datetime


class OfferStep(Strict):
    """One step of a proposed plan."""

    modality: Modality
    procedures: list[str] = Field(default_factory=list, max_length=20, description="Catalogue codes.")
    description: str = Field(default="", max_length=1000)


class OfferItemCreate(Strict):
    label: str = Field(min_length=1, max_length=200)
    includes: str = Field(default="", max_length=1000)
    excludes: str = Field(default="", max_length=1000)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        return check_currency(value)


class OfferCreate(Strict):
    """A center's offer: plan, team, lengths, follow-up at home, price lines, validity, change terms."""

    steps: list[OfferStep] = Field(min_length=1, max_length=20)
    practitioner_ids: list[int] = Field(default_factory=list, max_length=20)
    stay_nights: int = Field(ge=0, le=730)
    treatment_weeks: int = Field(ge=1, le=520)
    home_follow_up: str = Field(default="", max_length=2000)
    if_plan_changes: str = Field(min_length=1, max_length=2000)
    items: list[OfferItemCreate] = Field(min_length=1, max_length=40)
    valid_until: date


class TeamMember(BaseModel):
    practitioner_id: int
    name: str


class OfferItemRead(BaseModel):
    label: str
    includes: str
    excludes: str
    amount: Decimal
    currency: str


class OfferRead(BaseModel):
    """One version of a center's offer, as sent (never changed afterwards)."""

    id: str
    request_id: str
    organization_id: int
    organization_name: str
    version: int
    status: str
    steps: list[OfferStep]
    team: list[TeamMember]
    stay_nights: int
    treatment_weeks: int
    home_follow_up: str
    if_plan_changes: str
    items: list[OfferItemRead]
    total: Money
    valid_until: date
    expired: bool
    sent_at: datetime


class RequestRead(BaseModel):
    """A request as the caller may see it: a center sees its own offers and messages only."""

    id: str
    state: str
    diagnosis_text: str
    condition: str | None
    condition_name: str | None
    stage: str | None
    case_id: str | None
    wishes: RequestWishes
    recipients: list[RecipientRead]
    records: list[RecordRead]
    offers: list[OfferRead]
    messages: list[MessageRead]
    created_at: datetime
    viewer: Literal["patient", "center"] = Field(description="Whose side the caller reads the request from.")
    actions: list[str] = Field(description="What the caller may do next: offer, message, withdraw.")


class RequestLine(BaseModel):
    id: str
    state: str
    condition_name: str | None
    stage: str | None
    centers: int
    offers: int
    created_at: datetime


class InboxItem(BaseModel):
    """A request addressed to the caller's center."""

    request_id: str
    condition_name: str | None
    stage: str | None
    status: str
    due_at: datetime
    overdue: bool
    received_at: datetime


class CenterSuggestion(BaseModel):
    organization_id: int
    name: str
    city: str
    reasons: list[str]


class AcceptedPlan(BaseModel):
    """The plan a patient accepted, for the follow-up plan (care) to build on."""

    request_id: str
    offer_id: str
    case_id: str | None
    organization_id: int
    center: str
    steps: list[OfferStep]
    treatment_weeks: int
    expected_end: date | None = Field(
        description="The earliest wished start plus the treatment's length; null without one."
    )


class ConvertedMoney(BaseModel):
    """An amount converted with a loaded rate, and the date and source of that rate."""

    amount: Decimal
    currency: str
    rate_date: date
    rate_source: str


class CostPart(BaseModel):
    """One part of the total cost of care and how much is known of it."""

    part: Literal["offer", "travel", "stay", "follow_up"]
    knowledge: Knowledge
    amount: Money | None
    converted: ConvertedMoney | None = Field(description="In the patient's currency, when rates allow.")
    basis: str = Field(description="How the figure was reached, or why it is unknown.")


class CenterSignal(BaseModel):
    kind: str
    text: str
    count: int | None
    source: str


class CenterColumn(BaseModel):
    """One center's offer in the comparison."""

    organization_id: int
    name: str
    offer_id: str
    version: int
    valid_until: date
    expired: bool
    team: list[TeamMember]
    stay_nights: int
    treatment_weeks: int
    designations: list[str]
    signals: list[CenterSignal]
    distance_km: Decimal | None
    costs: list[CostPart]
    total_known_and_estimated: Money | None = Field(
        description="Offer, travel and stay added in the patient's currency; null when a part could not be "
        "converted. Parts marked unknown are not in it."
    )
    unknown_parts: list[str]
    medicare_reference: list[MedicarePaymentRead] = Field(
        default_factory=list,
        description="A US hospital's average Medicare inpatient payments for this condition's DRGs, where "
        "the CMS file is loaded: a reference point with its source, not part of any total.",
    )


class PlanRow(BaseModel):
    """A modality or procedure and which centers propose it; `differs` when not all do."""

    kind: Literal["modality", "procedure"]
    code: str
    name: str
    plain_words: str
    source: str | None
    proposed_by: list[int]
    differs: bool


class Comparison(BaseModel):
    """The offers of one request side by side. Nothing is ranked: columns follow the order the patient
    addressed the centers."""

    request_id: str
    currency: str
    rates_date: date | None
    rates_source: str | None
    centers: list[CenterColumn]
    plan: list[PlanRow]
