"""A real FHIR client library (SMART on FHIR's `fhirclient`, R4 models) against the API served live.

The server is uvicorn on a free local port over the small SQLite demo directory.
"""

from __future__ import annotations

import fhirclient.models.bundle as fhir_bundle
import fhirclient.models.capabilitystatement as fhir_capability
import fhirclient.models.location as fhir_location
import fhirclient.models.organization as fhir_organization
import fhirclient.models.practitioner as fhir_practitioner
import fhirclient.models.practitionerrole as fhir_role
from fhirclient import client as fhir_client


def _client(base: str) -> fhir_client.FHIRClient:
    return fhir_client.FHIRClient(settings={"app_id": "onconav-tests", "api_base": base + "/"})


def test_fhirclient_reads_and_searches_the_live_server(fhir_server: str) -> None:
    smart = _client(fhir_server)
    server = smart.server
    assert server is not None

    capability = fhir_capability.CapabilityStatement.read_from("metadata", server)
    assert capability.fhirVersion == "4.0.1"
    assert {r.type for r in capability.rest[0].resource} >= {"Organization", "PractitionerRole"}

    org = fhir_organization.Organization.read("1", server)
    assert org.id == "1" and org.name
    assert org.meta.tag[0].code == "demo"

    search = fhir_organization.Organization.where(struct={"name": org.name.split()[0], "_count": "10"})
    bundle = next(iter(search.perform_iter(server)))
    assert isinstance(bundle, fhir_bundle.Bundle)
    assert bundle.total and bundle.total >= 1
    names = [entry.resource.name for entry in bundle.entry]
    assert org.name in names or bundle.total > 10

    # perform_resources_iter follows the next links: every match, once.
    every = list(
        fhir_organization.Organization.where(
            struct={"name": org.name.split()[0], "_count": "3"}
        ).perform_resources_iter(server)
    )
    assert len(every) == bundle.total
    assert len({o.id for o in every}) == len(every)

    loc = fhir_location.Location.read("1", server)
    near = f"{loc.position.latitude}|{loc.position.longitude}|50|km"
    found = next(iter(fhir_location.Location.where(struct={"near": near}).perform_iter(server)))
    assert "1" in {entry.resource.id for entry in found.entry}

    roles_search = fhir_role.PractitionerRole.where(
        struct={"organization": "Organization/1", "_include": "PractitionerRole:practitioner"}
    )
    roles = next(iter(roles_search.perform_iter(server)))
    practitioners = [e.resource for e in roles.entry if e.search.mode == "include"]
    assert practitioners and all(isinstance(p, fhir_practitioner.Practitioner) for p in practitioners)
    matched = [e.resource for e in roles.entry if e.search.mode == "match"]
    assert all(r.organization.reference == "Organization/1" for r in matched)
