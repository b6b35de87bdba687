"""Find a hospital, center or doctor by name ("Dana-Farber", "mass general", "Dr. Lee") around a place.

Candidates are read from the directory tables (organizations at their locations, practitioners at the
locations of their roles) inside the radius, else in the whole directory; `names.match_score` keeps those
whose name matches, and linked duplicates count once, as their canonical organization (one hospital, one
result). Ranked by name match, then distance: score = 0.6 x match (0-100) - distance penalty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from onconav.directory import ranking
from onconav.directory.models import (
    PRACTICE_KIND,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    display_name,
)
from onconav.directory.names import TypedName, match_score, read_typed_name
from onconav.directory.scoring import ORG_KINDS, SearchFilters
from onconav.directory.search import SOURCE_LABELS, ProviderHit, SearchOutcome
from onconav.geo import service as geo
from onconav.geo.schemas import PlaceResolution
from onconav.knowledge.schemas import QueryInterpretation

MIN_MATCH = 75.0  # match_score a name needs to be a result
NAME_POINTS = 0.6  # points per match_score point (an exact name: 60)


@dataclass(frozen=True)
class NameCandidate:
    """An organization or practitioner whose name matched, where it is, and how well it matched."""

    kind: str  # organization | practitioner
    id: int
    name: str
    match: float
    distance_km: float
    location: Any  # a row of location columns
    organization: Any  # a row of organization columns (None for a practitioner)
    practitioner: Any | None = None
    specialty: str | None = None


def _box(lat: float, lon: float, radius_km: float) -> Any:
    """Locations inside the latitude/longitude box around the circle (the distance is checked after)."""
    box = geo.bounding_box(lat, lon, radius_km)
    return and_(
        Location.lat.between(box.min_lat, box.max_lat),
        or_(*(Location.lon.between(low, high) for low, high in box.lon_ranges)),
    )


ORG_COLUMNS = (
    Organization.id,
    Organization.name,
    Organization.kind,
    Organization.duplicate_of_id,
    Organization.languages,
    Organization.accepts_international,
    Organization.tumor_board,
    Organization.clinical_trials,
    Organization.designations,
    Organization.is_demo,
    Organization.source,
)
LOCATION_COLUMNS = (
    Location.id.label("location_id"),
    Location.city,
    Location.region,
    Location.country,
    Location.country_code,
    Location.lat,
    Location.lon,
)


def _organizations(
    session: Session, typed: TypedName, place: PlaceResolution, radius: float | None
) -> list[Any]:
    query = (
        select(*ORG_COLUMNS, *LOCATION_COLUMNS)
        .join(Location, Location.organization_id == Organization.id)
        .where(Organization.active.is_(True), Location.lat.is_not(None))
    )
    if radius is not None:
        query = query.where(_box(place.place.lat, place.place.lon, radius))
    return [row for row in session.execute(query) if match_score(typed, row.name) >= MIN_MATCH]


def _practitioners(
    session: Session, typed: TypedName, place: PlaceResolution, radius: float | None
) -> list[Any]:
    p, r = Practitioner, PractitionerRole
    starts = [
        func.lower(column).startswith(word[:2], autoescape=True)
        for word in typed.words
        for column in (p.given_name, p.family_name)
    ]
    query = (
        select(
            p.id.label("practitioner_id"),
            p.prefix,
            p.given_name,
            p.family_name,
            p.credentials,
            p.languages.label("practitioner_languages"),
            p.is_demo.label("practitioner_demo"),
            p.source.label("practitioner_source"),
            r.specialty,
            r.organization_id,
            *LOCATION_COLUMNS,
        )
        .join(r, r.practitioner_id == p.id)
        .join(Location, Location.id == r.location_id)
        .where(p.active.is_(True), Location.lat.is_not(None), or_(*starts))
    )
    if radius is not None:
        query = query.where(_box(place.place.lat, place.place.lon, radius))
    else:  # the whole directory: only people whose family name is one of the typed words
        query = query.where(func.lower(p.family_name).in_(typed.words))
    return [
        row
        for row in session.execute(query)
        if match_score(typed, f"{row.given_name} {row.family_name}") >= MIN_MATCH
    ]


def _kind_allowed(filters: SearchFilters, entity_kind: str, org_kind: str) -> bool:
    if filters.kind is None:
        return True
    if filters.kind in ("organization", "practitioner"):
        return filters.kind == entity_kind
    return filters.kind in ORG_KINDS and entity_kind == "organization" and filters.kind == org_kind


def _canonical_organizations(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    rows = session.execute(select(*ORG_COLUMNS).where(Organization.id.in_(list(ids))))
    return {row.id: row for row in rows}


def find_candidates(
    session: Session,
    *,
    typed: TypedName,
    place: PlaceResolution,
    radius_km: float | None,
    filters: SearchFilters,
) -> list[NameCandidate]:
    """Organizations (canonical, once each) and practitioners whose name matches, nearest location each."""
    lat, lon = place.place.lat, place.place.lon
    best: dict[tuple[str, int], NameCandidate] = {}
    if not typed.doctor:
        rows = _organizations(session, typed, place, radius_km)
        canonical = _canonical_organizations(
            session, {row.duplicate_of_id for row in rows if row.duplicate_of_id}
        )
        for row in rows:
            org = canonical.get(row.duplicate_of_id, row) if row.duplicate_of_id else row
            if not _kind_allowed(filters, "organization", org.kind):
                continue
            candidate = NameCandidate(
                "organization",
                org.id,
                org.name,
                match_score(typed, row.name),
                geo.haversine_km(lat, lon, row.lat, row.lon),
                row,
                org,
            )
            _keep_best(best, candidate)
    for row in _practitioners(session, typed, place, radius_km):
        if not _kind_allowed(filters, "practitioner", PRACTICE_KIND):
            continue
        candidate = NameCandidate(
            "practitioner",
            row.practitioner_id,
            f"{row.given_name} {row.family_name}",
            match_score(typed, f"{row.given_name} {row.family_name}"),
            geo.haversine_km(lat, lon, row.lat, row.lon),
            row,
            None,
            practitioner=row,
            specialty=row.specialty,
        )
        _keep_best(best, candidate)
    found = list(best.values())
    if radius_km is not None:
        found = [c for c in found if c.distance_km <= radius_km]
    return found


def _keep_best(best: dict[tuple[str, int], NameCandidate], candidate: NameCandidate) -> None:
    """One candidate per entity: its best-matching name, then its nearest location."""
    key = (candidate.kind, candidate.id)
    current = best.get(key)
    if current is None or (candidate.match, -candidate.distance_km) > (current.match, -current.distance_km):
        best[key] = candidate


def name_factors(
    candidate: NameCandidate, *, typed: str, place_name: str, radius_km: float
) -> list[ranking.RankingFactor]:
    """The reasons of a name result: the name match, the distance (and beyond the radius, when it is)."""
    distance = candidate.distance_km
    factors = [
        ranking.RankingFactor(
            "name",
            round(NAME_POINTS * candidate.match, 2),
            {"typed": typed, "source": _listing_source(candidate)},
        ),
        ranking.RankingFactor(
            "distance",
            -round(ranking.distance_penalty(distance), 2),
            {"km": round(distance, 1), "miles": round(distance * 0.621371, 1), "place": place_name},
        ),
    ]
    if distance > radius_km:
        factors.append(ranking.RankingFactor("beyond_radius", 0.0, {"radius_km": radius_km}))
    return factors


def _listing_source(candidate: NameCandidate) -> str:
    """The directory source that lists the name that matched (SOURCE_LABELS of search.py)."""
    code = (
        candidate.practitioner.practitioner_source
        if candidate.practitioner is not None
        else candidate.organization.source
    )
    return str(SOURCE_LABELS.get(code, code))


def _hit(
    candidate: NameCandidate, organizations: dict[int, Any], factors: list[Any], radius_km: float
) -> ProviderHit:
    location, person = candidate.location, candidate.practitioner
    org: Any = candidate.organization if person is None else organizations.get(person.organization_id)
    return ProviderHit(
        kind=candidate.kind,
        id=candidate.id,
        name=display_name(person.prefix, person.given_name, person.family_name, person.credentials)
        if person is not None
        else candidate.name,
        score=round(sum(f.points for f in factors), 2),
        distance_km=round(candidate.distance_km, 1),
        within_radius=candidate.distance_km <= radius_km,
        factors=factors,
        topic="name",
        city=location.city,
        region=location.region,
        country=location.country,
        country_code=location.country_code,
        lat=location.lat,
        lon=location.lon,
        organization_id=org.id if org is not None else None,
        organization_name=org.name if org is not None else None,
        organization_kind=org.kind if org is not None else PRACTICE_KIND,
        specialty=candidate.specialty,
        designations=list(org.designations or []) if org is not None and person is None else [],
        languages=list((person.practitioner_languages if person is not None else org.languages) or []),
        accepts_international=bool(org is not None and org.accepts_international),
        tumor_board=bool(org is not None and org.tumor_board),
        clinical_trials=bool(org is not None and org.clinical_trials),
        is_demo=bool(person.practitioner_demo if person is not None else org.is_demo),
    )


def search_by_name(
    session: Session,
    *,
    typed: TypedName,
    place: PlaceResolution,
    radius_km: float,
    limit: int,
    filters: SearchFilters,
) -> SearchOutcome | None:
    """Providers named like `typed` within the radius, else anywhere in the directory (marked beyond the
    radius); None when no name matches at all."""
    if not typed.usable:
        return None
    found = find_candidates(session, typed=typed, place=place, radius_km=radius_km, filters=filters)
    within = len(found)
    if not found:
        found = find_candidates(session, typed=typed, place=place, radius_km=None, filters=filters)
    if not found:
        return None
    found = [c for c in found if _filters_allow(c, filters)]
    scored = [
        (c, name_factors(c, typed=typed.text, place_name=place.place.name, radius_km=radius_km))
        for c in found
    ]
    scored.sort(key=lambda item: (-sum(f.points for f in item[1]), item[0].kind, item[0].id))
    scored = scored[:limit]
    wanted = {c.practitioner.organization_id for c, _ in scored if c.practitioner is not None}
    organizations = _canonical_organizations(session, {i for i in wanted if i is not None})
    return SearchOutcome(
        interpretation=QueryInterpretation(text=typed.text, matches=[], topics={}),
        place=place,
        radius_km=radius_km,
        limit=limit,
        filters=filters,
        hits=[_hit(c, organizations, factors, radius_km) for c, factors in scored],
        within_radius_count=min(within, limit),
        expanded_radius_km=None,
        found_by="name",
    )


def _filters_allow(candidate: NameCandidate, filters: SearchFilters) -> bool:
    """Language, international and designation filters, as the topic search applies them."""
    org, person = candidate.organization, candidate.practitioner
    languages = (person.practitioner_languages if person is not None else org.languages) or []
    if filters.language and filters.language not in languages:
        return False
    if filters.international and not (org is not None and org.accepts_international):
        return False
    designations = (org.designations or []) if org is not None else []
    return not (filters.designation and filters.designation not in designations)


__all__ = [
    "MIN_MATCH",
    "NameCandidate",
    "find_candidates",
    "name_factors",
    "read_typed_name",
    "search_by_name",
]
