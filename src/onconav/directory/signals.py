"""Cancer signals of real hospitals, each from a named public source: NCI designations (a reference file
in the package), ClinicalTrials.gov sites, NPPES specialists at the hospital's address (docs/ranking.md).

Signals are rows of `organization_signal` on canonical hospitals; `indexing.py` turns their topics into
search entries (evidence `likely`, or `known` for Medicare discharges: `imports/sources/cms_inpatient.py`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from typing import Any, Protocol

import yaml
from rapidfuzz import fuzz
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.orm import Session

from onconav.db import in_list_chunks
from onconav.directory.bulk import reindex_organizations
from onconav.directory.imports.linking import normalise_name
from onconav.directory.models import (
    EVIDENCE_LIKELY,
    Location,
    Organization,
    OrganizationSignal,
    Practitioner,
    PractitionerRole,
)
from onconav.directory.statements import compiled, in_list, in_values, padded
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge

SIGNAL_KINDS = ("trials", "designation", "specialists", "inpatient")
# Trial statuses that count as open (API v2 codes); closed trials count when updated within RECENT_YEARS.
OPEN_STATUSES = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION"}
)
RECENT_YEARS = 10
# Linking a trial site to a hospital (same state; docs/data-sources.md, "Trial sites"): name similarity
# (rapidfuzz token_set_ratio of linking.normalise_name) at least this, by the evidence the pair shares ...
SITE_ZIP_SIMILARITY = 85.0  # the same 5-digit ZIP
SITE_CITY_SIMILARITY = 90.0  # the same city only
# ... and at least one shared word that names the place, not the kind of place.
GENERIC_WORDS = frozenset(
    [
        "HOSPITAL",
        "MEDICAL",
        "CENTER",
        "HEALTH",
        "HEALTHCARE",
        "CARE",
        "CANCER",
        "INSTITUTE",
        "UNIVERSITY",
        "REGIONAL",
        "COMMUNITY",
        "SYSTEM",
        "CLINIC",
        "CLINICS",
        "SAINT",
        "MEMORIAL",
        "COMPREHENSIVE",
        "ONCOLOGY",
        "RESEARCH",
        "SERVICES",
        "CAMPUS",
        "NETWORK",
        "FOUNDATION",
        "CHILDREN",
        "GENERAL",
        "HOSPITALS",
        "COUNTY",
        "VA",
    ]
)
# Words that name a kind of hospital: a site and a hospital must agree on each group (a VA medical center
# is not the university hospital next door; a children's or a behavioral hospital is not the main one).
KIND_WORDS = (
    frozenset({"VA", "VETERANS"}),
    frozenset({"CHILDREN", "CHILDRENS", "PEDIATRIC"}),
    frozenset({"BEHAVIORAL", "PSYCHIATRIC"}),
    frozenset({"REHABILITATION", "REHAB"}),
    frozenset({"TRANSPLANT"}),
    frozenset({"EYE"}),
)
US_STATES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "FLORIDA": "FL", "GEORGIA": "GA",
    "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS",
    "KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA",
    "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM",
    "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK",
    "OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR",
}  # fmt: skip


class TrialSite(Protocol):
    """What linking needs of a trial site (trials.service.TrialSiteFacts has it)."""

    @property
    def nct_id(self) -> str: ...
    @property
    def conditions(self) -> tuple[str, ...]: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def last_update(self) -> str | None: ...
    @property
    def facility(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def country_code(self) -> str | None: ...


@dataclass(frozen=True)
class HospitalPlace:
    """What linking compares of a directory hospital; `canonical_id` is the row signals go to."""

    id: int
    canonical_id: int
    name: str
    state: str
    city: str
    postal_code: str
    line: str


@dataclass(frozen=True)
class SiteLink:
    """A trial site linked to a hospital, by which rule and name similarity."""

    site: TrialSite
    hospital: HospitalPlace
    rule: str  # zip | city
    similarity: float


# --- Designations ---------------------------------------------------------------------------------------


@cache
def designation_file() -> dict[str, Any]:
    """The NCI designations reference file (directory/data/nci_cancer_centers.yaml)."""
    text = resources.files("onconav.directory").joinpath("data/nci_cancer_centers.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def designation_source() -> str:
    """How `why` names the source of the NCI designation."""
    data = designation_file()
    return f"{data['source']}, list compiled {data['compiled']}"


def _apply_designations(connection: Connection) -> set[int]:
    """Mark the hospitals of the reference file NCI-designated (by CCN, else HIFLD ID); returns the
    organizations whose designations or designation signals changed."""
    o = Organization
    rows = connection.execute(
        select(o.id, o.cms_ccn, o.hifld_id, o.duplicate_of_id, o.designations).where(
            o.kind == "hospital", o.is_demo.is_(False)
        )
    ).all()
    by_ccn = {row.cms_ccn: row for row in rows if row.cms_ccn}
    by_hifld = {row.hifld_id: row for row in rows if row.hifld_id}
    conditions = [condition.code for condition in knowledge.list_conditions()]
    wanted: dict[int, tuple[str, bool]] = {}  # organization id -> (center name, pediatric)
    for center in designation_file()["centers"]:
        for hospital in center["hospitals"]:
            row = by_ccn.get(hospital.get("ccn")) or by_hifld.get(hospital.get("hifld_id"))
            if row is None:
                continue
            for org_id in {row.id, row.duplicate_of_id or row.id}:
                wanted[org_id] = (center["name"], bool(hospital.get("pediatric")))
    before = {
        org_id
        for (org_id,) in connection.execute(
            select(OrganizationSignal.organization_id).where(OrganizationSignal.kind == "designation")
        )
    }
    connection.execute(delete(OrganizationSignal).where(OrganizationSignal.kind == "designation"))
    source = designation_source()
    compiled = str(designation_file()["compiled"])
    signal_rows = []
    for org_id, (center, pediatric) in sorted(wanted.items()):
        shared = {"organization_id": org_id, "kind": "designation", "evidence": EVIDENCE_LIKELY}
        signal_rows.append(
            {**shared, "topic": None, "count": None, "detail": [center], "source": source, "as_of": compiled}
        )
        if not pediatric:
            signal_rows += [
                {**shared, "topic": f"condition:{code}", "count": None, "detail": [center], "source": source}
                | {"as_of": compiled}
                for code in conditions
            ]
    if signal_rows:
        connection.execute(OrganizationSignal.__table__.insert(), signal_rows)  # type: ignore[attr-defined]
    designations = {row.id: list(row.designations or []) for row in rows}
    changes = []
    for org_id, codes in designations.items():
        has = "nci" in codes
        if org_id in wanted and not has:
            changes.append({"key": org_id, "codes": [*codes, "nci"]})
        elif org_id not in wanted and has and org_id in before:
            changes.append({"key": org_id, "codes": [c for c in codes if c != "nci"]})
    for change in changes:
        connection.execute(update(o).where(o.id == change["key"]).values(designations=change["codes"]))
    return before | set(wanted)


# --- Trial sites ----------------------------------------------------------------------------------------


def _hospital_places(connection: Connection) -> list[HospitalPlace]:
    """Every active imported hospital with its first location, and the canonical row it belongs to."""
    o, loc = Organization, Location
    first = select(func.min(loc.id)).where(loc.organization_id == o.id).correlate(o).scalar_subquery()
    rows = connection.execute(
        select(o.id, o.duplicate_of_id, o.name, loc.region_code, loc.city, loc.postal_code, loc.line)
        .join(loc, loc.id == first)
        .where(o.kind == "hospital", o.active.is_(True), o.is_demo.is_(False))
    )
    return [
        HospitalPlace(
            id=row.id,
            canonical_id=row.duplicate_of_id or row.id,
            name=normalise_name(row.name),
            state=(row.region_code or "").upper(),
            city=" ".join((row.city or "").upper().split()),
            postal_code=(row.postal_code or "")[:5],
            line=street_key(row.line),
        )
        for row in rows
    ]


def _site_state(state: str | None) -> str:
    text = " ".join((state or "").upper().split())
    return US_STATES.get(text, text if len(text) == 2 else "")


def link_trial_sites(sites: Iterable[TrialSite], hospitals: Sequence[HospitalPlace]) -> list[SiteLink]:
    """Each US trial site linked to the hospital it names, by the documented rule, or left out.

    Same state; the same ZIP and names at least SITE_ZIP_SIMILARITY alike, or the same city and names at
    least SITE_CITY_SIMILARITY alike; the names share a word that is not a GENERIC_WORDS word and agree on
    every KIND_WORDS group (VA, children's, behavioral ...). The best
    candidate wins (ZIP before city, then similarity).
    """
    by_zip: dict[tuple[str, str], list[HospitalPlace]] = {}
    by_city: dict[tuple[str, str], list[HospitalPlace]] = {}
    for hospital in hospitals:
        by_zip.setdefault((hospital.state, hospital.postal_code), []).append(hospital)
        by_city.setdefault((hospital.state, hospital.city), []).append(hospital)
    links = []
    for site in sites:
        if (site.country_code or "").upper() not in ("US", "PR") or not site.facility:
            continue
        state = _site_state(site.state)
        name = normalise_name(site.facility)
        words = set(name.split()) - GENERIC_WORDS
        best: tuple[int, float, HospitalPlace, str] | None = None
        postal = (site.postal_code or "")[:5]
        city = " ".join((site.city or "").upper().split())
        for rule, pool, threshold, strength in (
            ("zip", by_zip.get((state, postal), []) if postal else [], SITE_ZIP_SIMILARITY, 1),
            ("city", by_city.get((state, city), []) if city else [], SITE_CITY_SIMILARITY, 0),
        ):
            for hospital in pool:
                hospital_words = set(hospital.name.split())
                if not words & hospital_words or not _same_kind(set(name.split()), hospital_words):
                    continue
                similarity = fuzz.token_set_ratio(name, hospital.name)
                if similarity < threshold:
                    continue
                candidate = (strength, similarity, hospital, rule)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is not None:
            links.append(SiteLink(site=site, hospital=best[2], rule=best[3], similarity=round(best[1], 1)))
    return links


def _same_kind(site_words: set[str], hospital_words: set[str]) -> bool:
    return all(bool(group & site_words) == bool(group & hospital_words) for group in KIND_WORDS)


@cache
def trial_conditions(conditions: tuple[str, ...], title: str) -> tuple[str, ...]:
    """Catalogue conditions a trial is about (its conditions, else its title), with their ancestors."""
    codes: set[str] = set()
    for text in conditions or (title,):
        try:
            matches = knowledge.interpret_query(text[:200]).matches
        except InvalidInput:  # a condition the catalogue does not know (not a cancer it covers)
            continue
        for match in matches:
            if match.kind == "condition":
                codes.update(knowledge.condition_lineage(code=match.code))
    return tuple(sorted(codes))


def _counts(site: TrialSite, today: dt.date) -> bool:
    if site.status in OPEN_STATUSES:
        return True
    year = int(site.last_update[:4]) if site.last_update and site.last_update[:4].isdigit() else None
    return year is not None and year >= today.year - RECENT_YEARS


def _trial_label(site: TrialSite) -> str:
    status = site.status.replace("_", " ").lower()
    updated = f", last updated {site.last_update}" if site.last_update else ""
    return f"{site.nct_id} ({status}{updated})"


def _refresh_trial_signals(connection: Connection, sites: Sequence[TrialSite], today: dt.date) -> set[int]:
    """Rewrite every trials signal from the stored trial sites; returns the organizations touched."""
    hospitals = _hospital_places(connection)
    before = {
        org_id
        for (org_id,) in connection.execute(
            select(OrganizationSignal.organization_id).where(OrganizationSignal.kind == "trials")
        )
    }
    connection.execute(delete(OrganizationSignal).where(OrganizationSignal.kind == "trials"))
    per_topic: dict[tuple[int, str | None], dict[str, TrialSite]] = {}
    for link in link_trial_sites(sites, hospitals):
        site = link.site
        codes = trial_conditions(site.conditions, site.title)
        if not codes or not _counts(site, today):
            continue
        org_id = link.hospital.canonical_id
        per_topic.setdefault((org_id, None), {})[site.nct_id] = site
        for code in codes:
            per_topic.setdefault((org_id, f"condition:{code}"), {})[site.nct_id] = site
    rows = []
    for (org_id, topic), trials in sorted(per_topic.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        listed = sorted(trials.values(), key=lambda s: s.nct_id)
        labels = ", ".join(_trial_label(s) for s in listed[:3])
        more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
        dates = [s.last_update for s in listed if s.last_update]
        rows.append(
            {
                "organization_id": org_id,
                "kind": "trials",
                "topic": topic,
                "evidence": EVIDENCE_LIKELY,
                "count": len(listed),
                "detail": [s.nct_id for s in listed],
                "source": f"ClinicalTrials.gov {labels}{more}"[:300],
                "as_of": max(dates) if dates else None,
            }
        )
    if rows:
        connection.execute(OrganizationSignal.__table__.insert(), rows)  # type: ignore[attr-defined]
    return before | {org_id for org_id, _topic in per_topic}


# --- Specialists at the hospital's address ---------------------------------------------------------------

_HOUSE = re.compile(r"^\d+[A-Z]?$")


def street_key(line: str | None) -> str:
    """ "55 FRUIT" for "55 Fruit Street, Suite 3": the house number and the first word of the street
    (empty when the line does not start with a number)."""
    words = re.sub(r"[^\w\s]", " ", (line or "").upper()).split()
    if len(words) < 2 or not _HOUSE.match(words[0]):
        return ""
    return f"{words[0]} {words[1]}"


def _refresh_specialist_signals(connection: Connection, hospitals: list[HospitalPlace]) -> set[int]:
    """Link practitioners who practise on their own (NPPES) to the hospital at their practice address:
    the same 5-digit ZIP and street key, one canonical hospital only; rewrite the specialists signals."""
    at_address: dict[tuple[str, str], set[int]] = {}
    for hospital in hospitals:
        if hospital.line and hospital.postal_code:
            at_address.setdefault((hospital.postal_code, hospital.line), set()).add(hospital.canonical_id)
    before = {
        org_id
        for (org_id,) in connection.execute(
            select(OrganizationSignal.organization_id).where(OrganizationSignal.kind == "specialists")
        )
    }
    connection.execute(delete(OrganizationSignal).where(OrganizationSignal.kind == "specialists"))
    r, p, loc = PractitionerRole, Practitioner, Location
    rows = connection.execute(
        select(p.npi, r.specialty, loc.line, loc.postal_code)
        .join(r, r.practitioner_id == p.id)
        .join(loc, loc.id == r.location_id)
        .where(r.organization_id.is_(None), p.active.is_(True), p.is_demo.is_(False), loc.line.is_not(None))
    )
    found: dict[tuple[int, str], set[str]] = {}
    for npi, specialty, line, postal in rows:
        targets = at_address.get(((postal or "")[:5], street_key(line)))
        if targets and len(targets) == 1:
            found.setdefault((next(iter(targets)), specialty), set()).add(npi or "")
    procedures: dict[str, list[str]] = {}
    for service in knowledge.list_services():
        if service.category == "procedure":
            for specialty in service.specialties:
                procedures.setdefault(specialty, []).append(service.code)
    signal_rows = []
    for (org_id, specialty), npis in sorted(found.items()):
        name = knowledge.entry_name("specialty", specialty)
        count = len(npis)
        source = f"NPPES NPI Registry: {count} {name} practitioner(s) at this hospital's address"
        topics = [f"specialty:{specialty}", *(f"service:{code}" for code in procedures.get(specialty, []))]
        signal_rows += [
            {
                "organization_id": org_id,
                "kind": "specialists",
                "topic": topic,
                "evidence": EVIDENCE_LIKELY,
                "count": count,
                "detail": sorted(npis),
                "source": source,
                "as_of": None,
            }
            for topic in topics
        ]
    if signal_rows:
        connection.execute(OrganizationSignal.__table__.insert(), signal_rows)  # type: ignore[attr-defined]
    return before | {org_id for org_id, _specialty in found}


# --- Refreshing -----------------------------------------------------------------------------------------


def _read_trial_sites(connection: Connection) -> list[TrialSite]:
    from onconav.trials import service as trials_service  # trials is a neighbour: through its front door

    return list(trials_service.list_trial_sites(Session(bind=connection)))


def refresh_hospital_signals(
    connection: Connection, *, sites: Sequence[TrialSite] | None = None, all_hospitals: bool = True
) -> dict[str, int]:
    """Recompute designations, trial-site and specialist signals, and re-index the hospitals they touch
    (every imported hospital when `all_hospitals`, after an import that may have linked duplicates)."""
    hospitals = _hospital_places(connection)
    touched = _apply_designations(connection)
    trial_sites = list(sites) if sites is not None else _read_trial_sites(connection)
    touched |= _refresh_trial_signals(connection, trial_sites, dt.date.today())
    touched |= _refresh_specialist_signals(connection, hospitals)
    ids = sorted({h.id for h in hospitals} | touched) if all_hospitals else sorted(touched)
    reindex_organizations(connection, ids)
    counts = {kind: 0 for kind in SIGNAL_KINDS}
    for kind, number in connection.execute(
        select(OrganizationSignal.kind, func.count()).group_by(OrganizationSignal.kind)
    ):
        counts[kind] = number
    return counts


@dataclass(frozen=True)
class SignalRow:
    """A signal as search results read it."""

    kind: str
    topic: str | None
    evidence: str
    count: int | None
    detail: tuple[str, ...]
    source: str


def _signals_statement(count: int) -> Any:
    s = OrganizationSignal.__table__.c
    columns = (s.organization_id, s.kind, s.topic, s.evidence, s.count, s.detail, s.source)
    return select(*columns).where(s.organization_id.in_(in_list("o", count))).order_by(s.id)


def signals_of(connection: Connection, organization_ids: Iterable[int]) -> dict[int, list[SignalRow]]:
    """The signals of these organizations, by organization (a statement compiled once per IN-list size:
    it runs on every search)."""
    found: dict[int, list[SignalRow]] = {}
    for chunk in in_list_chunks(sorted(set(organization_ids))):
        wanted = padded(chunk)
        statement = compiled(
            connection, ("signals-of", len(wanted)), partial(_signals_statement, len(wanted))
        )
        for organization_id, kind, topic, evidence, number, detail, source in statement.execute(
            connection, in_values("o", wanted)
        ):
            if isinstance(detail, str):  # SQLite's driver gives JSON as text
                detail = json.loads(detail)
            found.setdefault(organization_id, []).append(
                SignalRow(kind, topic, evidence, number, tuple(detail or ()), source)
            )
    return found


def count_trial_hospitals(connection: Connection) -> int:
    """How many hospitals are sites of a counted cancer trial."""
    s = OrganizationSignal
    query = select(func.count(func.distinct(s.organization_id))).where(s.kind == "trials", s.topic.is_(None))
    return int(connection.execute(query).scalar_one())
