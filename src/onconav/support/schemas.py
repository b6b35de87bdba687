"""Support services in and out: listings, search results with their reasons, import summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.support import NullTranslations
from pydantic import BaseModel, Field

from onconav.i18n import language_name
from onconav.support.models import ALL_CANCERS, SOURCE_DEMO, SupportService
from onconav.support.ranking import SupportFactor
from onconav.support.reasons import (
    CATEGORY_LABELS,
    COST_LABELS,
    DELIVERY_LABELS,
    EVIDENCE_LABELS,
    label,
)


class SupportReasonRead(BaseModel):
    """One ranking factor and its contribution to the score."""

    factor: str
    points: float
    detail: str
    source: str | None = Field(default=None, description="Where the fact comes from (all but distance).")


class ConditionServedRead(BaseModel):
    """A condition a listing serves ('all-cancers': any cancer)."""

    code: str
    name: str


class SupportServiceRead(BaseModel):
    """A support service listing, with its evidence: listed by a named source, or demo (fictional)."""

    id: int
    name: str
    category: str
    category_label: str
    description: str
    conditions: list[ConditionServedRead]
    languages: list[str]
    language_names: list[str]
    delivery: list[str]
    delivery_labels: list[str]
    address: str | None
    city: str | None
    region: str | None
    country_code: str | None
    postal_code: str | None
    lat: float | None
    lon: float | None
    phone: str | None
    website: str | None
    cost: str
    cost_label: str
    source: str
    source_date: date
    is_demo: bool = Field(description="True for the shipped demo listings: fictional, not real services.")
    evidence: str = Field(description="listed (a named source lists it) or demo (fictional).")
    evidence_label: str
    organization_id: int | None = Field(description="The directory organization that runs it, if any.")

    @classmethod
    def from_row(
        cls,
        row: SupportService,
        *,
        condition_names: dict[str, str],
        translations: NullTranslations,
        locale: str,
    ) -> SupportServiceRead:
        """The listing in the reader's language."""
        _ = translations.gettext
        evidence = "demo" if row.is_demo else "listed"
        return cls(
            id=row.id,
            name=row.name,
            category=row.category,
            category_label=label(CATEGORY_LABELS, row.category, translations),
            description=row.description,
            conditions=[
                ConditionServedRead(
                    code=code,
                    name=_("All cancers") if code == ALL_CANCERS else _(condition_names.get(code, code)),
                )
                for code in row.conditions
            ],
            languages=list(row.languages),
            language_names=[language_name(code, locale) for code in row.languages],
            delivery=list(row.delivery),
            delivery_labels=[label(DELIVERY_LABELS, mode, translations) for mode in row.delivery],
            address=row.address,
            city=row.city,
            region=row.region,
            country_code=row.country_code,
            postal_code=row.postal_code,
            lat=row.lat,
            lon=row.lon,
            phone=row.phone,
            website=row.website,
            cost=row.cost,
            cost_label=label(COST_LABELS, row.cost, translations),
            source=SOURCE_DEMO if row.is_demo else row.source,
            source_date=row.source_date,
            is_demo=row.is_demo,
            evidence=evidence,
            evidence_label=label(EVIDENCE_LABELS, evidence, translations),
            organization_id=row.organization_id,
        )


class SupportHitRead(BaseModel):
    """A listing that matched, how the searcher can take part, its score and every reason for it."""

    service: SupportServiceRead
    reach: str = Field(description="in_person (within the radius), online or phone: how to take part.")
    reach_label: str
    distance_km: float | None = Field(description="From the place searched (in-person listings only).")
    score: float
    why: list[SupportReasonRead]


class PlaceSearchedRead(BaseModel):
    """The place the search understood."""

    name: str
    slug: str
    lat: float
    lon: float


class SupportSearchResponse(BaseModel):
    """Ranked support services, each with its reasons; online and phone services match any place."""

    category: str | None
    condition: ConditionServedRead | None
    place: PlaceSearchedRead | None
    radius_km: float
    language: str | None
    delivery: str | None
    total: int = Field(description="How many listings matched (results holds at most `limit`).")
    includes_demo: bool = Field(description="True when any result is a demo listing (fictional).")
    results: list[SupportHitRead]


@dataclass(frozen=True)
class SupportHit:
    """One matched listing and its factors (the service's answer, before words)."""

    row: SupportService
    reach: str
    distance_km: float | None
    factors: list[SupportFactor]
    score: float


class ImportSummary(BaseModel):
    """What an import wrote: listings added and listings updated (same source, name, city, postal code)."""

    inserted: int
    updated: int
