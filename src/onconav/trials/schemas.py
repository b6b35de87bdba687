"""Pydantic input and output of the trials domain: patient profiles, match requests and ranked trials."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sex = Literal["female", "male"]
Mark = Literal["met", "unmet", "unknown", "not-applicable"]
Eligibility = Literal["likely eligible", "possibly eligible", "likely not eligible"]


class PatientProfile(BaseModel):
    """A patient, as fields or as a free-text note (or both: fields then fill what the note leaves out)."""

    model_config = ConfigDict(extra="forbid")

    condition: str | None = Field(default=None, max_length=200, examples=["pleural mesothelioma"])
    stage: str | None = Field(default=None, max_length=40, examples=["IV"])
    biomarkers: list[str] = Field(default_factory=list, max_length=30, examples=[["EGFR exon 19 deletion"]])
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Sex | None = None
    ecog: int | None = Field(default=None, ge=0, le=5)
    prior_therapies: list[str] = Field(default_factory=list, max_length=30)
    location: str | None = Field(default=None, max_length=200, examples=["Boston, MA"])
    max_travel_km: float | None = Field(default=None, gt=0, le=20000)
    note: str | None = Field(default=None, max_length=20000)

    @model_validator(mode="after")
    def _needs_something(self) -> PatientProfile:
        if not (self.condition and self.condition.strip()) and not (self.note and self.note.strip()):
            raise ValueError("give the patient's condition or a note")
        return self


class MatchRequest(BaseModel):
    """POST /api/v1/trials/match."""

    model_config = ConfigDict(extra="forbid")

    patient: PatientProfile
    near: str | None = Field(default=None, max_length=200, description="Overrides patient.location.")
    limit: int = Field(default=10, ge=1, le=50)


class ReasonRead(BaseModel):
    """One ranking factor: its points (they add up to the score) and what it means."""

    factor: str
    points: float
    detail: str


class CriterionRead(BaseModel):
    """One eligibility criterion with its verdict for this patient."""

    kind: Literal["inclusion", "exclusion"]
    text: str
    level: int
    label: str
    mark: Mark
    evidence: str | None
    reason: str


class SiteRead(BaseModel):
    """A trial site."""

    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    status: str | None
    distance_km: float | None
    contacts: list[dict[str, str]]
    lat: float | None = Field(default=None, description="Latitude of the site, when known")
    lon: float | None = Field(default=None, description="Longitude of the site, when known")


class QuestionRead(BaseModel):
    """An eligibility criterion the note leaves open, and the test or record that would settle it."""

    criterion: str
    settled_by: str


class ConditionMatchRead(BaseModel):
    """How the trial's cancer relates to the patient's (OncoTree): same, broader, narrower, basket, any."""

    relation: str
    trial_condition: str
    detail: str


class TrialMatchRead(BaseModel):
    """One ranked trial."""

    nct_id: str
    title: str
    status: str
    phases: list[str]
    conditions: list[str]
    sponsor: str | None
    url: str | None = Field(description="ClinicalTrials.gov page; None for a fictional demo trial")
    demo: bool = Field(default=False, description="Fictional demo data, not a real trial")
    score: float
    why: list[ReasonRead]
    criteria: list[CriterionRead]
    counts: dict[str, int]
    nearest_site: SiteRead | None
    contacts: list[dict[str, str]]
    last_update: date | None = Field(default=None, description="When the record was last updated")
    eligibility: Eligibility = "possibly eligible"
    eligibility_summary: str = ""
    deciding_criterion: str | None = Field(
        default=None, description="The criterion that makes the patient likely not eligible"
    )
    questions: list[QuestionRead] = Field(default_factory=list)
    condition_match: ConditionMatchRead | None = None
    site_unknown: bool = Field(default=False, description="No site of the trial has a known place")
    status_note: str | None = Field(
        default=None, description='"Status last verified DATE" when that is over a year ago'
    )


class ProfileRead(BaseModel):
    """What onconav understood of the patient."""

    condition: str | None
    condition_code: str | None
    stage: str | None
    biomarkers: list[str]
    age: int | None
    sex: Sex | None
    terms: list[str]
    ecog: int | None = Field(default=None, description="ECOG performance status, from the field or the note")
    prior_treatments: list[str] | None = Field(
        default=None, description="Treatments had, in the note's words; [] when none; None when not said"
    )


class PlaceRead(BaseModel):
    """The place distances are measured from."""

    name: str
    lat: float
    lon: float


class MatchResponse(BaseModel):
    """Ranked trials for a patient."""

    patient: ProfileRead
    place: PlaceRead | None
    place_from_note: bool = Field(
        default=False, description="The place is where the note says the patient lives (no place given)"
    )
    max_travel_km: float | None
    screened: int
    results: list[TrialMatchRead]
    notice: str
    no_cancer: bool = Field(default=False, description="The patient's words name no cancer: no trials listed")
    message: str | None = None
