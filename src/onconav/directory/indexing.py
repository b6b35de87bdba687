"""Derivation of search entries from an organization and its staff.

Used by every writer (demo loader, importers, edits) so the search table never disagrees with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onconav.directory import ranking
from onconav.directory.models import (
    EVIDENCE_KNOWN,
    EVIDENCE_LIKELY,
    EVIDENCE_UNKNOWN,
    HOSPITAL_TOPIC,
    PRACTICE_KIND,
)

# Hospital types (CMS "Hospital Type", HIFLD "TYPE") that are general hospitals: the nearest of them are
# shown as "services unknown" when nobody is known to do what was asked (docs/ranking.md, coverage).
GENERAL_HOSPITAL_TYPES = frozenset(
    {
        "acute care hospitals",
        "critical access hospitals",
        "acute care - department of defense",
        "acute care - veterans administration",
        "general acute care",
        "critical access",
        "military",
    }
)


@dataclass
class OrganizationBundle:
    """One organization with its main location, services, staff, roles and role services, as row dicts."""

    organization: dict[str, Any]
    location: dict[str, Any]
    services: list[dict[str, Any]] = field(default_factory=list)
    practitioners: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    role_services: list[dict[str, Any]] = field(default_factory=list)
    # Specialties the organization itself is listed under without naming its staff (an NPPES oncology
    # clinic, a FHIR HealthcareService): searchable as the organization.
    specialties: list[str] = field(default_factory=list)
    # Cancer signals of the organization (organization_signal rows: directory/signals.py).
    signals: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PractitionerBundle:
    """A practitioner who practises on their own (no organization): the practice location and roles.

    Roles have `organization_id` None and `location_id` the practice location's id.
    """

    practitioner: dict[str, Any]
    location: dict[str, Any]
    roles: list[dict[str, Any]] = field(default_factory=list)
    role_services: list[dict[str, Any]] = field(default_factory=list)


def _placed(location: dict[str, Any]) -> bool:
    """Only placed locations are searched by distance; unplaced ones stay findable by name and NPI."""
    return location.get("lat") is not None and location.get("lon") is not None


def _language_key(languages: list[str]) -> str:
    return "," + ",".join(sorted(set(languages))) + ","


def search_entries(bundle: OrganizationBundle) -> list[dict[str, Any]]:
    """The search rows of an organization and of every practitioner in it (none when not placed)."""
    org = bundle.organization
    location = bundle.location
    if not _placed(location) or not org.get("active", True):
        return []
    designations = ranking.designation_bits(org["designations"])
    signals = [signal for signal in bundle.signals if org.get("duplicate_of_id") is None]
    shared = {
        "organization_id": org["id"],
        "org_kind": org["kind"],
        "location_id": location["id"],
        "lat": location["lat"],
        "lon": location["lon"],
        "lat_band": ranking.lat_band(location["lat"]),
        "geo_cell": ranking.geo_cell(location["lat"], location["lon"]),
        "country_code": location["country_code"],
        "designations": designations,
        "tumor_board": bool(org["tumor_board"]),
        "clinical_trials": bool(org["clinical_trials"])
        or any(s["kind"] == "trials" and s["topic"] is None for s in signals),
        "accepts_international": bool(org["accepts_international"]),
    }

    def entry(
        topic: str,
        kind: str,
        entity_id: int,
        volume: int | None,
        languages: list[str],
        evidence: str = EVIDENCE_KNOWN,
        condition_trials: int = 0,
    ) -> dict[str, Any]:
        quality, condition = ranking.entry_points(
            topic=topic,
            annual_volume=volume,
            designations=designations,
            tumor_board=shared["tumor_board"],
            clinical_trials=shared["clinical_trials"],
            evidence=evidence,
            condition_trials=condition_trials,
        )
        return {
            **shared,
            "topic": topic,
            "entity_kind": kind,
            "entity_id": entity_id,
            "annual_volume": volume,
            "languages": _language_key(languages),
            "quality_points": quality,
            "condition_points": condition,
            "evidence": evidence,
        }

    rows = [
        entry(f"service:{s['service_code']}", "organization", org["id"], s["annual_volume"], org["languages"])
        for s in bundle.services
    ]
    for specialty in sorted({role["specialty"] for role in bundle.roles} | set(bundle.specialties)):
        rows.append(entry(f"specialty:{specialty}", "organization", org["id"], None, org["languages"]))
    rows += _signal_entries(entry, org, signals, known={row["topic"] for row in rows})
    practitioners = {p["id"]: p for p in bundle.practitioners}
    services_by_role: dict[int, list[dict[str, Any]]] = {}
    for role_service in bundle.role_services:
        services_by_role.setdefault(role_service["role_id"], []).append(role_service)
    for role in bundle.roles:
        practitioner = practitioners[role["practitioner_id"]]
        languages = practitioner["languages"]
        rows.append(
            entry(f"specialty:{role['specialty']}", "practitioner", practitioner["id"], None, languages)
        )
        for role_service in services_by_role.get(role["id"], []):
            rows.append(
                entry(
                    f"service:{role_service['service_code']}",
                    "practitioner",
                    practitioner["id"],
                    role_service["annual_volume"],
                    languages,
                )
            )
    return rows


def _signal_entries(
    entry: Any, org: dict[str, Any], signals: list[dict[str, Any]], *, known: set[str]
) -> list[dict[str, Any]]:
    """Entries for the topics the organization's signals make it findable under (one per topic: known
    when a signal is itself a listing, such as Medicare discharges for the condition, else likely), and
    the "services unknown" entry of a general hospital."""
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for signal in signals:
        if signal["topic"] and signal["topic"] not in known:
            by_topic.setdefault(signal["topic"], []).append(signal)
    rows = []
    for topic, topic_signals in sorted(by_topic.items()):
        listed = any(s["evidence"] == EVIDENCE_KNOWN for s in topic_signals)
        # Medicare discharges are a volume only for a condition: a DRG names a family of procedures.
        inpatient = [s["count"] or 0 for s in topic_signals if s["kind"] == "inpatient"]
        volume = (sum(inpatient) or None) if topic.startswith("condition:") else None
        trials = sum(s["count"] or 0 for s in topic_signals if s["kind"] == "trials")
        rows.append(
            entry(
                topic,
                "organization",
                org["id"],
                volume,
                org["languages"],
                EVIDENCE_KNOWN if listed else EVIDENCE_LIKELY,
                trials,
            )
        )
    hospital_type = (org.get("hospital_type") or "").strip().lower()
    if (
        org["kind"] == "hospital"
        and not org.get("is_demo")
        and org.get("duplicate_of_id") is None
        and hospital_type in GENERAL_HOSPITAL_TYPES
    ):
        rows.append(
            entry(HOSPITAL_TOPIC, "organization", org["id"], None, org["languages"], EVIDENCE_UNKNOWN)
        )
    return rows


def practitioner_search_entries(bundle: PractitionerBundle) -> list[dict[str, Any]]:
    """The search rows of a practitioner practising on their own (none when not placed or inactive)."""
    practitioner = bundle.practitioner
    location = bundle.location
    if not _placed(location) or not practitioner.get("active", True):
        return []
    languages = _language_key(practitioner["languages"])
    shared = {
        "entity_kind": "practitioner",
        "entity_id": practitioner["id"],
        "organization_id": None,
        "org_kind": PRACTICE_KIND,
        "location_id": location["id"],
        "lat": location["lat"],
        "lon": location["lon"],
        "lat_band": ranking.lat_band(location["lat"]),
        "geo_cell": ranking.geo_cell(location["lat"], location["lon"]),
        "country_code": location["country_code"],
        "designations": 0,
        "tumor_board": False,
        "clinical_trials": False,
        "accepts_international": False,
        "languages": languages,
    }

    def entry(topic: str, volume: int | None) -> dict[str, Any]:
        quality, condition = ranking.entry_points(
            topic=topic, annual_volume=volume, designations=0, tumor_board=False, clinical_trials=False
        )
        return {
            **shared,
            "topic": topic,
            "annual_volume": volume,
            "quality_points": quality,
            "condition_points": condition,
            "evidence": EVIDENCE_KNOWN,
        }

    rows = [
        entry(f"specialty:{specialty}", None) for specialty in sorted({r["specialty"] for r in bundle.roles})
    ]
    for role_service in bundle.role_services:
        rows.append(entry(f"service:{role_service['service_code']}", role_service["annual_volume"]))
    return rows
