"""The directory's front door: search, provider profiles, resource reads for the FHIR face, demo data.

Other domains and faces import only this module and `schemas`; functions take a session and never commit:
the face that calls them owns the transaction. Imports (`directory.imports`) are internal to the domain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from onconav.directory import (
    bulk,
    demo,
    duplicates,
    insurance,
    name_search,
    ranking,
    resource_export,
    resource_queries,
)
from onconav.directory.indexing import OrganizationBundle
from onconav.directory.models import (
    DESIGNATION_BITS,
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
)
from onconav.directory.payments import medicare_payments
from onconav.directory.plannet_conditions import role_codes
from onconav.directory.reasons import describe_factor, designation_label
from onconav.directory.resource_records import (  # the insurance side (Da Vinci PDex Plan-Net)
    RESOURCE_KINDS,
    UNDATED,
    AddressMatches,
    AddressRecord,
    AffiliationRecord,
    Chained,
    CodeField,
    CodesIn,
    Criterion,
    EndpointRecord,
    EntityLink,
    HealthcareServiceRecord,
    IdField,
    IdsIn,
    InsuranceOrganizationRecord,
    InsurancePlanRecord,
    LastUpdated,
    LocationRecord,
    NameMatches,
    Near,
    OrganizationRecord,
    PerformsServicesOf,
    PersonNameMatches,
    PractitionerRecord,
    PractitionerRoleRecord,
    ResourceKind,
    ResourcePage,
    ResourceRecord,
    ResourceSearch,
    RoleServiceRecord,
    TextMatch,
)
from onconav.directory.schemas import (  # insurance accepted
    AcceptedPlanRead,
    HospitalFactsRead,
    InsuranceImportRead,
    LinkedOrganizationRead,
    LocationRead,
    OfferedServiceRead,
    OrganizationRead,
    PractitionerRead,
    RankingWeights,
    RejectedInsuranceRowRead,
    RoleRead,
    SignalRead,
    StaffMemberRead,
)
from onconav.directory.scoring import RESULT_KINDS, SearchFilters
from onconav.directory.search import MAX_EXPANSION_KM, MAX_RADIUS_KM, SearchOutcome, run_search
from onconav.errors import InvalidInput, NotFound
from onconav.geo import service as geo
from onconav.geo.schemas import Place, PlaceResolution
from onconav.knowledge import service as knowledge

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_RADIUS_KM",
    "MAX_ID",
    "MAX_LIMIT",
    "RESOURCE_KINDS",
    "AddressMatches",
    "AddressRecord",
    "CodesIn",
    "Criterion",
    "EntityLink",
    "HealthcareServiceRecord",
    "IdsIn",
    "LocationRecord",
    "NameMatches",
    "Near",
    "OrganizationRecord",
    "PerformsServicesOf",
    "PersonNameMatches",
    "PractitionerRecord",
    "PractitionerRoleRecord",
    "ResourceKind",
    "ResourcePage",
    "ResourceRecord",
    "ResourceSearch",
    "RoleServiceRecord",
    "SearchFilters",
    "SearchOutcome",
    "TextMatch",
    "count_providers",
    "demo_cities",
    "describe_factor",
    "designation_label",
    "export_resources",
    "get_organization_or_raise",
    "get_practitioner_or_raise",
    "list_resources",
    "load_demo",
    "medicare_payments",
    "planned_demo_size",
    "ranking_weights",
    "refresh_trial_activity",
    "resolve_place",
    "search_providers",
    "search_resources",
    "slug_of",
    "validate_search",
]

DEFAULT_RADIUS_KM = 100.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
STAFF_LISTED = 500
REGISTRY_SOURCES = ("cms-hospitals", "hifld-hospitals")  # sources of hospital facts (HospitalFactsRead)
MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL): larger ones name no row


def validate_search(*, radius_km: float, limit: int, filters: SearchFilters) -> None:
    """Refuse radius, limit or filters that make no sense, saying what would be accepted."""
    if not math.isfinite(radius_km) or radius_km <= 0 or radius_km > MAX_RADIUS_KM:
        raise InvalidInput(
            "The radius must be a number of kilometres above 0 and at most %(max)s.",
            field="radius_km",
            max=f"{MAX_RADIUS_KM:,.0f}",
        )
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(
            "The number of results must be between 1 and %(max)s.", field="limit", max=MAX_LIMIT
        )
    if filters.kind is not None and filters.kind not in RESULT_KINDS:
        raise InvalidInput(
            "Unknown kind %(value)s; use one of %(choices)s.",
            field="kind",
            value=filters.kind,
            choices=", ".join(RESULT_KINDS),
        )
    if filters.designation is not None and filters.designation not in DESIGNATION_BITS:
        raise InvalidInput(
            "Unknown designation %(value)s; use one of %(choices)s.",
            field="designation",
            value=filters.designation,
            choices=", ".join(DESIGNATION_BITS),
        )
    if filters.language is not None and not (len(filters.language) == 2 and filters.language.isalpha()):
        raise InvalidInput(
            "A language is a two-letter ISO 639-1 code such as 'en' or 'es'.", field="language"
        )


def search_providers(
    session: Session,
    *,
    query: str,
    near: str,
    radius_km: float = DEFAULT_RADIUS_KM,
    limit: int = DEFAULT_LIMIT,
    filters: SearchFilters | None = None,
    accepts: str | None = None,
) -> SearchOutcome:
    """Organizations and practitioners for `query` (procedure, condition, specialty) around `near`,
    ranked by the documented score, each with its reasons; `accepts`: only those at an organization
    accepting a plan it names ("Medicare", a plan, network or payer name).
    """
    if accepts and accepts.strip():
        outcome = search_providers(
            session, query=query, near=near, radius_km=radius_km, limit=MAX_LIMIT, filters=filters
        )
        return insurance.keep_accepting(session, outcome, accepts, limit)
    filters = filters or SearchFilters()
    if filters.language:
        filters = SearchFilters(
            kind=filters.kind,
            language=filters.language.lower(),
            international=filters.international,
            designation=filters.designation,
        )
    validate_search(radius_km=radius_km, limit=limit, filters=filters)
    typed = name_search.read_typed_name(query)
    if typed.doctor:  # "Dr. Lee": a person is meant, never a topic
        return _search_by_name_or_raise(session, typed, near, radius_km, limit, filters)
    try:
        interpretation = knowledge.interpret_query(query)
    except InvalidInput as not_a_topic:  # "Dana-Farber", "mass general": perhaps a name
        place = geo.resolve_place(near)
        by_name = name_search.search_by_name(
            session, typed=typed, place=place, radius_km=radius_km, limit=limit, filters=filters
        )
        if by_name is None:
            raise not_a_topic
        return by_name
    place = geo.resolve_place(near)
    outcome = run_search(
        session, interpretation=interpretation, place=place, radius_km=radius_km, limit=limit, filters=filters
    )
    outcome.hits = duplicates.merge_hits(session, outcome.hits)  # one hospital, one result
    return outcome


def _search_by_name_or_raise(
    session: Session,
    typed: name_search.TypedName,
    near: str,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> SearchOutcome:
    place = geo.resolve_place(near)
    outcome = name_search.search_by_name(
        session, typed=typed, place=place, radius_km=radius_km, limit=limit, filters=filters
    )
    if outcome is None:
        raise InvalidInput('No doctor named "%(query)s" is in this directory.', query=typed.text)
    return outcome


def _location_read(location: Location) -> LocationRead:
    return LocationRead(
        id=location.id,
        name=location.name,
        line=location.line,
        city=location.city,
        region=location.region,
        postal_code=location.postal_code,
        country=location.country,
        country_code=location.country_code,
        lat=location.lat,
        lon=location.lon,
        quality_flags=list(location.quality_flags or []),
    )


def _offered(code: str, volume: int | None, source: str | None = None) -> OfferedServiceRead:
    service = knowledge.get_service(code)
    return OfferedServiceRead(
        code=code,
        name=service.name if service else code,
        category=service.category if service else "other",
        annual_volume=volume,
        volume_source=source if volume else None,
    )


def _hospital_facts(session: Session, org: Organization) -> HospitalFactsRead | None:
    """Registry facts and cross-source links of an imported hospital (None for other organizations)."""
    if org.kind != "hospital" or org.is_demo:
        return None
    o = Organization
    canonical = None
    if org.duplicate_of_id is not None:
        row = session.execute(select(o.id, o.name, o.source).where(o.id == org.duplicate_of_id)).one_or_none()
        if row is not None:
            canonical = LinkedOrganizationRead(
                id=row.id, name=row.name, source=row.source, rule=org.duplicate_rule
            )
    same_as = [
        LinkedOrganizationRead(id=row.id, name=row.name, source=row.source, rule=row.duplicate_rule)
        for row in session.execute(
            select(o.id, o.name, o.source, o.duplicate_rule).where(o.duplicate_of_id == org.id).order_by(o.id)
        )
    ]
    if org.source not in REGISTRY_SOURCES and canonical is None and not same_as:
        return None
    facts = duplicates.merged(session, org.id).facts if canonical is None else {}
    return HospitalFactsRead(
        source=org.source,
        sources=[org.source, *dict.fromkeys(link.source for link in same_as if link.source != org.source)],
        source_name=org.source_name,
        cms_ccn=facts.get("cms_ccn") or org.cms_ccn,
        hifld_id=facts.get("hifld_id") or org.hifld_id,
        hospital_type=org.hospital_type or facts.get("hospital_type"),
        ownership=org.ownership or facts.get("ownership"),
        emergency_services=org.emergency_services,
        cms_star_rating=org.cms_star_rating,
        beds=org.beds if org.beds is not None else facts.get("beds"),
        duplicate_of=canonical,
        same_as=same_as,
    )


def get_organization_or_raise(session: Session, *, organization_id: int) -> OrganizationRead:
    """An organization's profile; NotFound when there is none with this id."""
    if not 0 < organization_id <= MAX_ID:  # beyond the column's range: no such row, not a server error
        raise NotFound("There is no organization %(id)s.", id=organization_id)
    org = session.scalars(
        select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.locations), selectinload(Organization.services))
    ).one_or_none()
    if org is None:
        raise NotFound("There is no organization %(id)s.", id=organization_id)
    staff_rows = session.execute(
        select(Practitioner, PractitionerRole.specialty)
        .join(PractitionerRole, PractitionerRole.practitioner_id == Practitioner.id)
        .where(PractitionerRole.organization_id == org.id)
        .order_by(PractitionerRole.specialty, Practitioner.family_name, Practitioner.id)
        .limit(STAFF_LISTED)
    ).all()
    staff_total = session.scalar(
        select(func.count()).select_from(PractitionerRole).where(PractitionerRole.organization_id == org.id)
    )
    catalogue_order = {s.code: i for i, s in enumerate(knowledge.list_services())}
    services = sorted(org.services, key=lambda s: catalogue_order.get(s.service_code, len(catalogue_order)))
    merged = duplicates.merged(session, org.id).facts if org.duplicate_of_id is None else {}
    return OrganizationRead(
        id=org.id,
        name=org.name,
        kind=org.kind,
        description=org.description,
        phone=org.phone or merged.get("phone"),
        website=org.website or merged.get("website"),
        designations=list(org.designations),
        tumor_board=org.tumor_board,
        clinical_trials=org.clinical_trials,
        accepts_international=org.accepts_international,
        languages=list(org.languages),
        demo=org.is_demo,
        locations=[_location_read(loc) for loc in org.locations],
        services=[_offered(s.service_code, s.annual_volume) for s in services],
        staff=[StaffMemberRead(id=p.id, name=p.display_name, specialty=spec) for p, spec in staff_rows],
        staff_total=staff_total or 0,
        hospital=_hospital_facts(session, org),
        signals=_signals_read(session, org.id),
    )


def _signals_read(session: Session, organization_id: int) -> list[SignalRead]:
    """The hospital's signals as its page lists them: one line per fact, not per topic it implies (a
    designation's conditions, a specialty's procedures are left out)."""
    from onconav.directory import signals

    shown = []
    for signal in signals.signals_of(session.connection(), [organization_id]).get(organization_id, []):
        kind, _sep, code = (signal.topic or "").partition(":")
        if signal.kind == "designation" and signal.topic is not None:
            continue
        if signal.kind == "specialists" and kind == "service":
            continue
        name = None
        if signal.topic:
            name = knowledge.entry_name("condition" if kind == "condition" else kind, code)  # type: ignore[arg-type]
        shown.append(
            SignalRead(
                kind=signal.kind,
                topic=signal.topic,
                topic_name=name,
                evidence=signal.evidence,
                count=signal.count,
                source=signal.source,
            )
        )
    return shown


def get_practitioner_or_raise(session: Session, *, practitioner_id: int) -> PractitionerRead:
    """A practitioner's profile; NotFound when there is none with this id."""
    if not 0 < practitioner_id <= MAX_ID:
        raise NotFound("There is no practitioner %(id)s.", id=practitioner_id)
    person = session.scalars(
        select(Practitioner)
        .where(Practitioner.id == practitioner_id)
        .options(
            selectinload(Practitioner.roles).selectinload(PractitionerRole.services),
            selectinload(Practitioner.roles).selectinload(PractitionerRole.organization),
            selectinload(Practitioner.roles).selectinload(PractitionerRole.location),
        )
    ).one_or_none()
    if person is None:
        raise NotFound("There is no practitioner %(id)s.", id=practitioner_id)
    return PractitionerRead(
        id=person.id,
        name=person.display_name,
        prefix=person.prefix,
        given_name=person.given_name,
        family_name=person.family_name,
        credentials=person.credentials,
        languages=list(person.languages),
        demo=person.is_demo,
        roles=[
            RoleRead(
                organization_id=role.organization_id,
                organization=role.organization.name if role.organization else None,
                specialty=role.specialty,
                location=_location_read(role.location) if role.location else None,
                accepting_new_patients=role.accepting_new_patients,
                services=[_offered(s.service_code, s.annual_volume, s.volume_source) for s in role.services],
            )
            for role in person.roles
        ],
    )


def count_providers(session: Session) -> dict[str, int]:
    """How many organizations and practitioners the directory holds."""
    return {
        "organizations": session.scalar(select(func.count()).select_from(Organization)) or 0,
        "practitioners": session.scalar(select(func.count()).select_from(Practitioner)) or 0,
        "services": session.scalar(select(func.count()).select_from(HealthcareService)) or 0,
    }


def load_demo(
    session: Session,
    *,
    size: Literal["tiny", "small", "large"] = "small",
    seed: int = 0,
    on_bundle: Callable[[OrganizationBundle], None] | None = None,
) -> dict[str, int]:
    """Replace the demo data with a freshly generated set; returns rows written per table."""
    if size not in demo.SIZES:
        raise InvalidInput(
            "Unknown demo size %(value)s; use one of %(choices)s.", value=size, choices=", ".join(demo.SIZES)
        )
    connection = session.connection()
    bulk.delete_demo_rows(connection)
    first_ids = bulk.next_ids(connection)
    return bulk.write_bundles(
        connection, demo.generate(size, seed=seed, first_ids=first_ids), on_bundle=on_bundle
    )


def planned_demo_size(size: Literal["tiny", "small", "large"], seed: int = 0) -> tuple[int, int]:
    """(organizations, practitioners) that `load_demo` would write."""
    return demo.count_planned(size, seed)


def demo_cities(size: Literal["tiny", "small", "large"]) -> list[Place]:
    """The real cities the demo of this size places its organizations in (the trials demo uses them too)."""
    return demo.demo_cities(size)


def resolve_place(near: str) -> PlaceResolution:
    """The place a search near `near` runs around (InvalidInput when there is none)."""
    return geo.resolve_place(near)


def slug_of(near: str) -> str | None:
    """The URL slug of the place `near` resolves to, or None when it resolves to nothing."""
    try:
        return geo.resolve_place(near).place.slug
    except InvalidInput:
        return None


def ranking_weights() -> RankingWeights:
    """The weights of the ranking function, for the page that explains it."""
    return RankingWeights(
        match_points=dict(ranking.MATCH_POINTS),
        breadth_points_per_topic=ranking.BREADTH_POINTS_PER_TOPIC,
        breadth_points_max=ranking.BREADTH_POINTS_MAX,
        volume_points_max=ranking.VOLUME_POINTS_MAX,
        designation_points=dict(ranking.DESIGNATION_POINTS),
        tumor_board_points=ranking.TUMOR_BOARD_POINTS,
        clinical_trials_points=ranking.CLINICAL_TRIALS_POINTS,
        distance_penalty_max_points=ranking.DISTANCE_PENALTY_MAX_POINTS,
        likely_points=ranking.LIKELY_POINTS,
        condition_trial_points=ranking.CONDITION_TRIAL_POINTS,
        condition_trial_points_max=ranking.CONDITION_TRIAL_POINTS_MAX,
        expansion_cap_km=MAX_EXPANSION_KM,
    )


def refresh_trial_activity(session: Session) -> int:
    """Re-link the stored trial sites to directory hospitals (and refresh the other hospital signals);
    returns how many hospitals are trial sites. `trials import` and `trials sync` call it."""
    from onconav.directory import signals

    counts = signals.refresh_hospital_signals(session.connection(), all_hospitals=False)
    del counts
    return signals.count_trial_hospitals(session.connection())


def search_resources(session: Session, *, search: ResourceSearch) -> ResourcePage:
    """Organizations, locations, practitioners, roles or services meeting every criterion of `search`:
    how many in all, and one page of typed records in id order."""
    return resource_queries.search_resources(session, search)


def list_resources(session: Session, *, kind: ResourceKind, ids: Sequence[int]) -> list[ResourceRecord]:
    """The records of `kind` with these ids (those that exist), in id order."""
    return resource_queries.list_resources(session, kind, ids)


def export_resources(
    session: Session, *, kind: ResourceKind, after_id: int, count: int, since: datetime | None = None
) -> list[ResourceRecord]:
    """The next `count` records of `kind` after id `after_id`, in id order (a bulk export's page); with
    `since`, only those an import may have changed since then."""
    return resource_export.export_resources(session, kind, after_id=after_id, count=count, since=since)


# --- resources of the insurance side (Da Vinci PDex Plan-Net) ----------------------------------------------

__all__ += [
    "UNDATED",
    "AffiliationRecord",
    "Chained",
    "CodeField",
    "EndpointRecord",
    "IdField",
    "InsuranceOrganizationRecord",
    "InsurancePlanRecord",
    "LastUpdated",
    "accepted_insurance",
    "accepted_insurance_fields_of",
    "accepted_insurance_of",
    "import_insurance",
    "organizations_accepting",
    "role_codes",
]


def import_insurance(session: Session, *, path: Path, source: str) -> InsuranceImportRead:
    """Import insurance accepted from a documented CSV (`insurance-csv`) or a Plan-Net Bundle (`plannet`)."""
    from onconav.directory.imports import insurance_files

    done = insurance_files.import_file(session, path, source)
    return InsuranceImportRead(
        source=done.source,
        counts=done.counts,
        rejected=[RejectedInsuranceRowRead(row=r.row, reason=r.reason) for r in done.rejected],
    )


def accepted_insurance(session: Session, *, organization_id: int) -> list[AcceptedPlanRead]:
    """The plans an organization accepts (through the networks it takes part in), with source and date."""
    return accepted_insurance_of(session, organization_ids=[organization_id]).get(organization_id, [])


def accepted_insurance_of(
    session: Session, *, organization_ids: Sequence[int]
) -> dict[int, list[AcceptedPlanRead]]:
    """The plans each of these organizations accepts, in one query (a results page's organizations); an
    organization no source lists plans for is absent."""
    return {
        organization_id: [AcceptedPlanRead.model_validate(fields) for fields in plans]
        for organization_id, plans in accepted_insurance_fields_of(
            session, organization_ids=organization_ids
        ).items()
    }


def accepted_insurance_fields_of(
    session: Session, *, organization_ids: Sequence[int]
) -> dict[int, list[dict[str, str | None]]]:
    """`accepted_insurance_of` as AcceptedPlanRead's JSON objects (the search API writes them as they are)."""
    return {
        organization_id: [
            {
                "plan": p.plan,
                "plan_type": p.plan_type,
                "plan_type_label": insurance.PLAN_TYPES.get(p.plan_type, p.plan_type),
                "payer": p.payer,
                "network": p.network,
                "source_note": p.source_note,
                "as_of": p.as_of,
            }
            for p in plans
        ]
        for organization_id, plans in insurance.accepted_plans(session, organization_ids).items()
    }


def organizations_accepting(session: Session, *, words: str) -> set[int]:
    """Ids of the organizations accepting a plan that `words` name ("Medicare", a plan or payer name)."""
    return insurance.organizations_accepting(session, words)
