"""FHIR tests: the API is read-only, so `engine` (hence `client`) is the shared demo directory; a tiny
hand-made directory (NPIs, postal codes) on both backends; and the base URL of the live server, for a real
FHIR client library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
)
from tests.support.web import LiveServer

ORG_NPI = "1234567893"
OTHER_ORG_NPI = "1245319599"
PRACTITIONER_NPI = "1679576722"


@dataclass(frozen=True)
class TinyIds:
    """Ids of the hand-made records."""

    org: int
    other_org: int
    location: int
    other_location: int
    practitioner: int
    role: int
    service: int


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """The shared demo directory, on each backend (the FHIR API never writes)."""
    return demo_engine


@pytest.fixture
def tiny(migrated_engine: Engine) -> tuple[Engine, TinyIds]:
    """Two real-looking (non-demo) organizations with NPIs and postal codes, on each backend."""
    with unit_of_work(make_session_factory(migrated_engine)) as session:
        org = Organization(
            name="Lakeside Oncology Clinic",
            kind="clinic",
            npi=ORG_NPI,
            phone="+1 617 555 0100",
            website="https://lakeside.example.org",
            languages=["en"],
            designations=[],
        )
        other = Organization(
            name="Harbor Cancer Center",
            kind="cancer_center",
            npi=OTHER_ORG_NPI,
            languages=[],
            designations=[],
        )
        session.add_all([org, other])
        session.flush()
        loc = Location(
            organization_id=org.id,
            name="Lakeside Main Campus",
            line="1 Lake St",
            city="Boston",
            region="Massachusetts",
            region_code="MA",
            postal_code="02115",
            country_code="US",
            country="United States",
            lat=42.3376,
            lon=-71.1002,
        )
        other_loc = Location(
            organization_id=other.id,
            name="Harbor Tower",
            city="Seattle",
            region="Washington",
            region_code="WA",
            postal_code="98101",
            country_code="US",
            country="United States",
            lat=47.6101,
            lon=-122.3344,
        )
        session.add_all([loc, other_loc])
        session.flush()
        person = Practitioner(
            prefix="Dr.",
            given_name="Ana",
            family_name="Ruiz",
            credentials="MD, PhD",
            gender="female",
            npi=PRACTITIONER_NPI,
            languages=["en", "es"],
        )
        session.add(person)
        session.flush()
        service = HealthcareService(
            organization_id=org.id, location_id=loc.id, service_code="lobectomy", annual_volume=120
        )
        role = PractitionerRole(
            practitioner_id=person.id,
            organization_id=org.id,
            location_id=loc.id,
            specialty="thoracic-surgery",
        )
        session.add_all([service, role])
        session.flush()
        session.add(PractitionerRoleService(role_id=role.id, service_code="lobectomy", annual_volume=40))
        ids = TinyIds(org.id, other.id, loc.id, other_loc.id, person.id, role.id, service.id)
    return migrated_engine, ids


@pytest.fixture
def tiny_client(tiny: tuple[Engine, TinyIds]) -> Iterator[TestClient]:
    """An HTTP client of the app over the tiny directory, on each backend."""
    with TestClient(create_app(tiny[0])) as test_client:
        yield test_client


@pytest.fixture
def fhir_server(live_server: LiveServer) -> str:
    """Base URL of the FHIR API of the app over the small SQLite demo directory, served live."""
    return live_server.url + "/fhir/R4"
