"""`onconav import fhir`: onconav's own FHIR API output imported back into an empty directory gives the
same organizations, places, services, practitioners and roles; a Plan-Net-shaped bundle imports with its
rejects reported; re-runs change nothing. Both databases.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.imports import framework, registry
from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
    SourceRecord,
)

BASE = "/fhir/R4"
PLANNET = Path(__file__).parent / "data" / "plannet_bundle.json"


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """`client` reads the shared demo directory, whose FHIR output is imported into `target`."""
    return demo_engine


@pytest.fixture
def target(migrated_engine: Engine) -> Engine:
    """An empty directory to import into, on each backend."""
    return migrated_engine


def _search(client: TestClient, url: str) -> list[dict[str, Any]]:
    resources = []
    while url:
        body = client.get(url).json()
        resources += [entry["resource"] for entry in body.get("entry", [])]
        url = next((link["url"] for link in body.get("link", []) if link["relation"] == "next"), "")
        url = url[url.index(BASE) :] if url else ""
    return resources


def _export(client: TestClient, organizations: int) -> dict[str, Any]:
    """A collection Bundle of the first organizations with everything around them, shuffled."""
    orgs = client.get(f"{BASE}/Organization?_count={organizations}").json()["entry"]
    resources: dict[str, dict[str, Any]] = {}
    for entry in orgs:
        org = entry["resource"]
        resources[f"Organization/{org['id']}"] = org
        for kind in ("Location", "HealthcareService"):
            for resource in _search(client, f"{BASE}/{kind}?organization={org['id']}&_count=100"):
                resources[f"{kind}/{resource['id']}"] = resource
        url = f"{BASE}/PractitionerRole?organization={org['id']}&_include=PractitionerRole:practitioner"
        url += "&_count=100"
        for resource in _search(client, url):
            resources[f"{resource['resourceType']}/{resource['id']}"] = resource
    entries = [
        {"fullUrl": f"http://testserver{BASE}/{key}", "resource": value} for key, value in resources.items()
    ]
    random.Random(4).shuffle(entries)  # roles before their practitioners: the importer orders them
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _summary(engine: Engine, organization_ids: list[int]) -> dict[str, Any]:
    """What an organization is, independent of row ids: name, place, services, staff and their roles."""
    o, loc, hs, p, r, rs = (
        Organization,
        Location,
        HealthcareService,
        Practitioner,
        PractitionerRole,
        PractitionerRoleService,
    )
    result = {}
    with engine.connect() as c:
        for org_id in organization_ids:
            name, kind = c.execute(select(o.name, o.kind).where(o.id == org_id)).one()
            places = sorted(
                (row.city, round(row.lat, 5), round(row.lon, 5))
                for row in c.execute(select(loc.city, loc.lat, loc.lon).where(loc.organization_id == org_id))
            )
            services = sorted(
                tuple(row)
                for row in c.execute(
                    select(hs.service_code, hs.annual_volume).where(hs.organization_id == org_id)
                )
            )
            staff = sorted(
                (row.npi, row.family_name, row.given_name, row.specialty)
                for row in c.execute(
                    select(p.npi, p.family_name, p.given_name, r.specialty)
                    .join(r, r.practitioner_id == p.id)
                    .where(r.organization_id == org_id)
                )
            )
            offered = {code for code, _volume in services}
            role_services = sorted(
                (row.npi, row.service_code)
                for row in c.execute(
                    select(p.npi, rs.service_code)
                    .join(r, r.practitioner_id == p.id)
                    .join(rs, rs.role_id == r.id)
                    .where(r.organization_id == org_id)
                )
                if row.service_code in offered
            )
            result[name] = {
                "kind": kind,
                "places": places,
                "services": services,
                "staff": staff,
                "role_services": role_services,
            }
    return result


def test_the_fhir_api_output_imports_back_into_the_same_directory(
    client: TestClient, demo_engine: Engine, target: Engine, tmp_path: Path
) -> None:
    bundle = _export(client, organizations=3)
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(bundle))
    summary = framework.run_import(target, registry.get_source("fhir"), path, report_path=tmp_path / "r.csv")
    assert summary.counts["rejected"] == 0 and summary.counts["inserted"] == len(bundle["entry"])
    exported = [
        int(e["resource"]["id"]) for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"
    ]
    with target.connect() as c:
        imported = [
            int(row.entity_id)
            for row in c.execute(
                select(SourceRecord.entity_id).where(
                    SourceRecord.source == "fhir",
                    SourceRecord.source_id.in_([f"Organization/{i}" for i in exported]),
                )
            )
        ]
    original = _summary(demo_engine, exported)
    copy = _summary(target, imported)
    assert copy == original and sum(len(v["staff"]) for v in copy.values()) > 0

    # The imported directory answers searches: the first organization's first service, at its door.
    name, facts = next(iter(copy.items()))
    code = facts["services"][0][0]
    with unit_of_work(make_session_factory(target)) as session:
        place = f"{facts['places'][0][1]}, {facts['places'][0][2]}"
        outcome = directory.search_providers(session, query=code.replace("-", " "), near=place, limit=50)
    assert name in {hit.name for hit in outcome.hits if hit.kind == "organization"}

    again = framework.run_import(target, registry.get_source("fhir"), path, report_path=tmp_path / "r2.csv")
    assert again.counts["unchanged"] == len(bundle["entry"]) and again.counts["inserted"] == 0


def test_plannet_bundle_imports_with_reported_rejects(target: Engine, tmp_path: Path) -> None:
    report = tmp_path / "rejected.csv"
    summary = framework.run_import(target, registry.get_source("fhir"), PLANNET, report_path=report)
    # The Patient is not directory data: skipped, not rejected.
    assert (summary.counts["inserted"], summary.counts["rejected"], summary.counts["skipped"]) == (5, 3, 1)
    text = report.read_text()
    for reason in ("invalid_resource", "unknown_specialty", "unresolved_reference"):
        assert reason in text
    assert "Patient" not in text
    with unit_of_work(make_session_factory(target)) as session:
        outcome = directory.search_providers(session, query="lobectomy", near="55455", limit=5)
    names = {hit.name for hit in outcome.hits}
    assert {"Lakeside Sample Hospital", "Dr. Lucia Vega, MD"} <= names
    with target.connect() as c:
        assert (
            c.execute(
                select(func.count()).select_from(Practitioner).where(Practitioner.npi == "1245319599")
            ).scalar_one()
            == 1
        )
    # Updating a resource: the same key with a new name updates the row in place.
    bundle = json.loads(PLANNET.read_text())
    bundle["entry"][0]["resource"]["name"] = "Lakeside Sample Medical Center"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(bundle))
    again = framework.run_import(
        target, registry.get_source("fhir"), changed, report_path=tmp_path / "r2.csv"
    )
    assert (again.counts["updated"], again.counts["inserted"], again.counts["unchanged"]) == (1, 0, 4)
    with target.connect() as c:
        assert c.execute(select(Organization.name)).scalars().all() == ["Lakeside Sample Medical Center"]


def test_ndjson_streams_and_resumes(target: Engine, tmp_path: Path) -> None:
    bundle = json.loads(PLANNET.read_text())
    order = ["Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole", "Patient"]
    resources = sorted((e["resource"] for e in bundle["entry"]), key=lambda r: order.index(r["resourceType"]))
    path = tmp_path / "directory.ndjson"
    path.write_text("".join(json.dumps(resource) + "\n" for resource in resources))

    def stop(position: int, counts: dict[str, int]) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        framework.run_import(
            target,
            registry.get_source("fhir"),
            path,
            report_path=tmp_path / "r.csv",
            batch_records=2,
            on_progress=stop,
        )
    with target.connect() as c:
        assert c.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == 2
    # A fresh importer (a new process) continues after the checkpoint and still resolves references to the
    # resources imported before it.
    resumed = framework.run_import(target, registry.get_source("fhir"), path, report_path=tmp_path / "r.csv")
    assert resumed.resumed_from_row > 0
    assert (resumed.counts["inserted"], resumed.counts["rejected"], resumed.counts["read"]) == (5, 3, 9)
    assert resumed.counts["skipped"] == 1  # the Patient
    with target.connect() as c:
        role = c.execute(select(PractitionerRole.specialty, PractitionerRole.organization_id)).one()
        assert role.specialty == "thoracic-surgery"
        services = c.execute(select(PractitionerRoleService.service_code)).scalars().all()
    assert services == ["lobectomy"]


def test_one_file_per_type_imports_in_order_resolving_earlier_imports(target: Engine, tmp_path: Path) -> None:
    """As a Bulk Data export gives them: one NDJSON file per type, imported one at a time."""
    bundle = json.loads(PLANNET.read_text())
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    totals = {"inserted": 0, "rejected": 0}
    reasons = ""
    for kind in ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole"):
        path = tmp_path / f"{kind}.ndjson"
        path.write_text("".join(json.dumps(resource) + "\n" for resource in by_type[kind]))
        report = tmp_path / f"{kind}-rejected.csv"
        summary = framework.run_import(target, registry.get_source("fhir"), path, report_path=report)
        for key in totals:
            totals[key] += summary.counts[key]
        reasons += report.read_text() if report.exists() else ""
        if kind == "Organization":  # placed from its own address until its Location comes
            with target.connect() as c:
                assert c.execute(select(func.count()).select_from(Location)).scalar_one() == 1
    # The same as the whole bundle at once: the orphan role's organization is in no import.
    assert totals == {"inserted": 5, "rejected": 3}
    assert "unresolved_reference" in reasons and "PractitionerRole/orphan" in reasons
    with target.connect() as c:
        locations = c.execute(
            select(Location.name, Location.organization_id).join(
                Organization, Organization.id == Location.organization_id
            )
        ).all()
        role = c.execute(select(PractitionerRole.specialty, PractitionerRole.organization_id)).one()
        services = c.execute(select(PractitionerRoleService.service_code)).scalars().all()
    assert len(locations) == 1  # the Location resource replaced the place made from the address
    assert locations[0].organization_id == role.organization_id
    assert role.specialty == "thoracic-surgery" and services == ["lobectomy"]
    # Re-importing a file changes nothing.
    again = framework.run_import(
        target, registry.get_source("fhir"), tmp_path / "Location.ndjson", report_path=tmp_path / "again.csv"
    )
    assert (again.counts["unchanged"], again.counts["inserted"], again.counts["rejected"]) == (1, 0, 0)
