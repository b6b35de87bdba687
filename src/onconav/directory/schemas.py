"""Pydantic shapes of the directory's API answers: search results and provider profiles.

`SearchResponse.from_outcome` is the one translation from a search outcome to its JSON form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from babel.support import NullTranslations
from pydantic import BaseModel, Field

from onconav.directory.ranking import RankingFactor, ResultOrder, order_results
from onconav.directory.reasons import describe_coverage, describe_factor, evidence_label
from onconav.directory.search import ProviderHit, SearchOutcome


class PlaceRead(BaseModel):
    """The place a search ran around."""

    name: str
    lat: float
    lon: float
    slug: str
    exact: bool = Field(description="False when the typed text was corrected (a typo, a missing letter).")
    query: str
    alternatives: list[str] = Field(description="Other places the text could mean.")


class ReasonRead(BaseModel):
    """One ranking factor and its contribution to the score."""

    factor: str
    points: float
    detail: str
    source: str | None = Field(
        default=None,
        description="Where the fact comes from (every factor but distance has one): "
        '"ClinicalTrials.gov NCT01642004 (completed, last updated 2018-05-11)", '
        '"CMS Hospital General Information".',
    )


class CoverageRead(BaseModel):
    """How many results a source lists as doing what was asked, how many are only likely to, and how many
    are the nearest general hospitals whose services nobody lists; with a plain sentence saying so."""

    known: int
    likely: int
    unknown: int
    note: str


class InterpretationRead(BaseModel):
    """What the search understood the query to name."""

    kind: Literal["service", "specialty", "condition"]
    code: str
    name: str
    exact: bool


class SearchResultRead(BaseModel):
    """One ranked organization or practitioner."""

    kind: Literal["organization", "practitioner"]
    id: int
    name: str
    city: str
    region: str | None
    country: str
    country_code: str
    distance_km: float
    distance_miles: float
    score: float
    within_radius: bool
    evidence: Literal["known", "likely", "unknown"] = Field(
        description="known: a source lists it for this provider; likely: a public signal (trials, "
        "designation, specialists) implies it; unknown: a general hospital whose services no source lists."
    )
    evidence_text: str
    why: list[ReasonRead] = Field(
        description="The factors that add or take away points; they add up to the score (none is zero)."
    )
    notes: list[ReasonRead] = Field(
        default_factory=list,
        description="Facts shown but not scored (a CMS star rating, a JCI accreditation, a procedure's "
        "volume in a condition search): each with 0 points, kept out of `why`.",
    )
    lat: float | None = Field(default=None, description="Where the result is (the listed location).")
    lon: float | None = None
    organization: str | None = Field(
        description="The organization itself, or where the practitioner works (null: practises on their own)."
    )
    organization_id: int | None
    specialty: str | None
    designations: list[str]
    languages: list[str]
    accepts_international: bool
    demo: bool = Field(description="True for fictional demo data.")
    url: str
    accepted_insurance: list[AcceptedPlanRead] | None = Field(
        default=None,
        description="An organization's accepted insurance plans with source and date, as on its profile "
        "(`/organizations/{id}/insurance`); null when no source lists any, and for practitioners.",
    )


class SearchResponse(BaseModel):
    """The answer to a directory search, results sorted by score, best first."""

    query: str
    understood_as: list[InterpretationRead]
    place: PlaceRead
    radius_km: float
    within_radius_count: int
    expanded_radius_km: float | None = Field(
        description="Set when too few results lay within the radius and the search looked further "
        "(never beyond 500 km)."
    )
    coverage: CoverageRead
    filters_applied: bool = Field(default=False, description="True when the search was narrowed by filters.")
    results: list[SearchResultRead]
    found_by: Literal["topic", "name"] = Field(
        default="topic",
        description="'name' when the query named a hospital, center or doctor and results are found by name.",
    )
    order: Literal["best", "nearest"] = Field(
        default="best",
        description="best: within the radius first, each part by score; nearest: by distance "
        "(docs/ranking.md).",
    )

    @classmethod
    def from_outcome(
        cls,
        outcome: SearchOutcome,
        *,
        query: str,
        translations: NullTranslations,
        locale: str,
        order: ResultOrder = "best",
    ) -> SearchResponse:
        """The JSON form of a search outcome, with reasons in the reader's language, in the one order rule
        (ranking.order_results: within the radius first, or nearest first)."""
        fields = _answer_fields(outcome, query=query, translations=translations, order=order)
        return cls(
            **fields,
            results=[
                result_read(hit, translations=translations, locale=locale)
                for hit in order_results(outcome.hits, order)
            ],
        )


def search_answer(
    outcome: SearchOutcome,
    *,
    query: str,
    translations: NullTranslations,
    locale: str,
    order: ResultOrder = "best",
) -> dict[str, Any]:
    """`SearchResponse.from_outcome(...)` as the plain JSON object it serialises to (the same keys in the
    same order, the same values): what the search API writes, without a model per result and reason.
    tests/directory/test_api_answer.py checks that both give the same JSON."""
    fields = _answer_fields(outcome, query=query, translations=translations, order=order)
    interpretations, place, coverage = fields["understood_as"], fields["place"], fields["coverage"]
    return {
        "query": fields["query"],
        "understood_as": [item.model_dump() for item in interpretations],
        "place": place.model_dump(),
        "radius_km": fields["radius_km"],
        "within_radius_count": fields["within_radius_count"],
        "expanded_radius_km": fields["expanded_radius_km"],
        "coverage": coverage.model_dump(),
        "filters_applied": fields["filters_applied"],
        "results": [
            result_fields(hit, translations=translations, locale=locale)
            for hit in order_results(outcome.hits, order)
        ],
        "found_by": fields["found_by"],
        "order": fields["order"],
    }


def _answer_fields(
    outcome: SearchOutcome, *, query: str, translations: NullTranslations, order: ResultOrder
) -> dict[str, Any]:
    """Every field of a SearchResponse but its results, validated (a few small models per answer). The
    results are ordered as hits: their sort keys (within_radius, score, distance_km, kind, id) are the
    hits' own values, so ordering the hits orders the results alike."""
    place = outcome.place
    expanded = outcome.expanded_radius_km
    return {
        "query": query,
        "understood_as": [
            InterpretationRead(kind=m.kind, code=m.code, name=m.name, exact=m.exact)
            for m in outcome.interpretation.matches
        ],
        "place": PlaceRead(
            name=place.place.name,
            lat=place.place.lat,
            lon=place.place.lon,
            slug=place.place.slug,
            exact=place.exact,
            query=place.query,
            alternatives=[a.name for a in place.alternatives],
        ),
        "radius_km": float(outcome.radius_km),
        "within_radius_count": outcome.within_radius_count,
        "expanded_radius_km": None if expanded is None else float(expanded),
        "filters_applied": outcome.filters != type(outcome.filters)(),
        "coverage": CoverageRead(
            known=outcome.coverage.known,
            likely=outcome.coverage.likely,
            unknown=outcome.coverage.unknown,
            note=describe_coverage(outcome.coverage, translations),
        ),
        "order": order,
        "found_by": "name" if outcome.found_by == "name" else "topic",
    }


def provider_url(kind: str, provider_id: int) -> str:
    """The profile page of a provider."""
    return f"/{'organizations' if kind == 'organization' else 'practitioners'}/{provider_id}"


def result_read(hit: ProviderHit, *, translations: NullTranslations, locale: str) -> SearchResultRead:
    """One result card as JSON. Built without validation (`model_construct`): every value comes from a
    search outcome whose types the search itself guarantees, and this runs for every result of every search.
    """
    fields = result_fields(hit, translations=translations, locale=locale)
    del fields["accepted_insurance"]  # left unset, as the page and the other callers always had it
    fields["why"] = [ReasonRead.model_construct(**reason) for reason in fields["why"]]
    fields["notes"] = [ReasonRead.model_construct(**reason) for reason in fields["notes"]]
    return SearchResultRead.model_construct(**fields)


def result_fields(hit: ProviderHit, *, translations: NullTranslations, locale: str) -> dict[str, Any]:
    """The fields of one result card (SearchResultRead, in its order; reasons as ReasonRead's fields),
    `accepted_insurance` None: the values `result_read` builds its model of."""
    reasons = []
    notes = []
    for factor in hit.factors:
        if factor.points != 0:
            reasons.append(_reason_fields(factor, translations, locale))
        elif factor.factor not in UNSHOWN_FACTORS:
            notes.append(_reason_fields(factor, translations, locale))
    return {
        "kind": hit.kind,
        "id": hit.id,
        "name": hit.name,
        "city": hit.city,
        "region": hit.region,
        "country": hit.country,
        "country_code": hit.country_code,
        "distance_km": float(hit.distance_km),
        "distance_miles": round(hit.distance_km * 0.621371, 1),
        "score": float(hit.score),
        "within_radius": hit.within_radius,
        "evidence": hit.evidence,
        "evidence_text": evidence_label(hit.evidence, translations),
        "why": reasons,
        "notes": notes,
        "lat": hit.lat,
        "lon": hit.lon,
        "organization": hit.organization_name,
        "organization_id": hit.organization_id,
        "specialty": hit.specialty,
        "designations": hit.designations,
        "languages": hit.languages,
        "accepts_international": hit.accepts_international,
        "demo": hit.is_demo,
        "url": provider_url(hit.kind, hit.id),
        "accepted_insurance": None,
    }


# Zero-point factors that say nothing the card does not: "beyond your radius" is its badge, the distance
# of a provider at the door is its distance.
UNSHOWN_FACTORS = frozenset({"beyond_radius", "distance"})


def _reason_fields(factor: RankingFactor, translations: NullTranslations, locale: str) -> dict[str, Any]:
    # The fields of a ReasonRead, as validation would make them (points a float: JSON 5.0, not 5).
    return {
        "factor": factor.factor,
        "points": float(factor.points),
        "detail": describe_factor(factor, translations, locale),
        "source": factor.params.get("source"),
    }


class LocationRead(BaseModel):
    """An address with coordinates."""

    id: int
    name: str
    line: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str
    country_code: str
    lat: float | None  # None: the address could not be placed (see quality_flags)
    lon: float | None
    quality_flags: list[str] = []


class OfferedServiceRead(BaseModel):
    """A service with the yearly volume reported for it (None when not reported)."""

    code: str
    name: str
    category: str
    annual_volume: int | None
    volume_source: str | None = None  # "CMS Medicare 2023" when the volume comes from public data


class StaffMemberRead(BaseModel):
    """A practitioner as listed on an organization's page."""

    id: int
    name: str
    specialty: str


class LinkedOrganizationRead(BaseModel):
    """The same organization as described by another source (docs/data-sources.md, duplicates)."""

    id: int
    name: str
    source: str
    rule: str | None  # phone | near | zip | city: the evidence that linked them


class HospitalFactsRead(BaseModel):
    """What public hospital registries (CMS, HIFLD) say about an organization."""

    source: str
    sources: list[str] = []  # this row's source, then those of the rows linked to it (facts merged)
    source_name: str | None = None  # the name as the source spells it
    cms_ccn: str | None
    hifld_id: str | None = None
    hospital_type: str | None
    ownership: str | None
    emergency_services: bool | None
    cms_star_rating: int | None  # 1-5; None: not available
    beds: int | None
    duplicate_of: LinkedOrganizationRead | None  # the canonical row, when this one is a duplicate
    same_as: list[LinkedOrganizationRead]  # rows of other sources linked to this one


class SignalRead(BaseModel):
    """A cancer signal of a hospital from a named public source (docs/ranking.md, "Evidence")."""

    kind: Literal["trials", "designation", "specialists", "inpatient"]
    topic: str | None = Field(
        description='What it concerns ("condition:lung-cancer"); null: the hospital as a whole.'
    )
    topic_name: str | None
    evidence: Literal["known", "likely"]
    count: int | None = Field(description="Trials, specialists or Medicare discharges, as the kind says.")
    source: str


class OrganizationRead(BaseModel):
    """A hospital, cancer center or clinic with what it offers and who works there."""

    id: int
    name: str
    kind: str
    description: str | None
    phone: str | None
    website: str | None
    designations: list[str]
    tumor_board: bool
    clinical_trials: bool
    accepts_international: bool
    languages: list[str]
    demo: bool
    locations: list[LocationRead]
    services: list[OfferedServiceRead]
    staff: list[StaffMemberRead]
    staff_total: int
    hospital: HospitalFactsRead | None = None  # imported hospitals only
    signals: list[SignalRead] = []  # cancer signals from public sources (imported hospitals)


class RoleRead(BaseModel):
    """Where a practitioner works, in which specialty, doing what."""

    organization_id: int | None  # None: practises on their own at `location`
    organization: str | None
    specialty: str
    location: LocationRead | None
    accepting_new_patients: bool | None  # None: the source does not say
    services: list[OfferedServiceRead]


class PractitionerRead(BaseModel):
    """A doctor or other professional with their roles."""

    id: int
    name: str
    prefix: str | None
    given_name: str
    family_name: str
    credentials: str | None
    languages: list[str]
    demo: bool
    roles: list[RoleRead]


class RankingWeights(BaseModel):
    """Every weight of the one ranking function, as shown on /about/ranking (docs/ranking.md)."""

    match_points: dict[str, float]
    breadth_points_per_topic: float
    breadth_points_max: float
    volume_points_max: float
    designation_points: dict[str, float]
    tumor_board_points: float
    clinical_trials_points: float
    distance_penalty_max_points: float
    likely_points: float
    condition_trial_points: float
    condition_trial_points_max: float
    expansion_cap_km: float


# --- insurance accepted (Da Vinci PDex Plan-Net) -----------------------------------------------------------


class AcceptedPlanRead(BaseModel):
    """A plan an organization accepts, through a network it takes part in, with the source and its date."""

    plan: str
    plan_type: str  # a Plan-Net insurance product type code (medicare, medicaid, commercial, ...)
    plan_type_label: str
    payer: str
    network: str
    source_note: str | None
    as_of: str | None


class RejectedInsuranceRowRead(BaseModel):
    """A row of an insurance file left out, and why."""

    row: int
    reason: str


class InsuranceImportRead(BaseModel):
    """What an insurance import wrote, by kind, and the rows it left out."""

    source: str
    counts: dict[str, int]
    rejected: list[RejectedInsuranceRowRead]


class MedicarePaymentRead(BaseModel):
    """What Medicare paid a hospital on average per inpatient stay of one MS-DRG in one year (CMS)."""

    drg_code: str
    drg_description: str
    data_year: int
    discharges: int
    avg_total_payment: Decimal | None = Field(description="All payers, per stay (USD).")
    avg_medicare_payment: Decimal | None = Field(description="Medicare's share, per stay (USD).")
    currency: str
    source: str
