"""Quotes tests: two centers in the directory (with a placed location and a practitioner each), the staff
account of each center, a patient, and a documents folder of their own (with the keyring and cheap Argon2
of every accounts test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.config import get_settings
from onconav.db import unit_of_work, utcnow
from onconav.directory.models import Location, Organization, Practitioner, PractitionerRole
from tests.support.accounts import Account, bearer


@pytest.fixture(autouse=True)
def documents_dir(accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@dataclass
class Center:
    id: int
    name: str
    practitioner_id: int
    staff: Account


@dataclass
class World:
    patient: Account
    centers: list[Center]
    outsider: Center  # a center the request is not addressed to


# Two real cities, a center in each (fictional names, real coordinates of the cities).
PLACES = (
    ("Lyon Thoracic Center (test)", "Lyon", "FR", "France", 45.764, 4.8357),
    ("Zurich Pleura Clinic (test)", "Zurich", "CH", "Switzerland", 47.3769, 8.5417),
    ("Madrid Oncology Center (test)", "Madrid", "ES", "Spain", 40.4168, -3.7038),
)


def _center(
    session: Session, name: str, city: str, code: str, country: str, lat: float, lon: float
) -> tuple[int, int]:
    organization = Organization(
        name=name, kind="cancer_center", designations=[], languages=["en"], is_demo=True
    )
    session.add(organization)
    session.flush()
    session.add(
        Location(
            organization_id=organization.id,
            name=name,
            city=city,
            country_code=code,
            country=country,
            lat=lat,
            lon=lon,
        )
    )
    practitioner = Practitioner(
        given_name="Test", family_name=f"Surgeon {city}", languages=["en"], is_demo=True
    )
    session.add(practitioner)
    session.flush()
    session.add(
        PractitionerRole(
            practitioner_id=practitioner.id, organization_id=organization.id, specialty="thoracic-surgery"
        )
    )
    return organization.id, practitioner.id


@pytest.fixture
def world(factory: sessionmaker[Session], make_account: Callable[..., Account], client: TestClient) -> World:
    with unit_of_work(factory) as session:
        made = [(*_center(session, *place), place[0]) for place in PLACES]
    centers = []
    for organization_id, practitioner_id, name in made:
        staff = make_account("center_staff", organization_id=organization_id)
        bearer(client, staff)
        centers.append(Center(organization_id, name, practitioner_id, staff))
    patient = make_account("patient")
    bearer(client, patient)
    return World(patient=patient, centers=centers[:2], outsider=centers[2])


def request_body(world: World, **wishes: Any) -> dict[str, Any]:
    return {
        "diagnosis": "stage 4 pleural mesothelioma",
        "organization_ids": [c.id for c in world.centers],
        "wishes": {
            "home_city": "Paris",
            "home_country": "France",
            "currency": "EUR",
            "companion": True,
            **wishes,
        },
    }


def offer_body(
    center: Center, *, procedures: list[str], total: str = "20000.00", **extra: Any
) -> dict[str, Any]:
    return {
        "steps": [
            {"modality": "surgery", "procedures": procedures, "description": "Operation, then recovery."},
            {"modality": "chemotherapy", "procedures": ["systemic-therapy"]},
        ],
        "practitioner_ids": [center.practitioner_id],
        "stay_nights": 10,
        "treatment_weeks": 12,
        "home_follow_up": "Scans every three months.",
        "if_plan_changes": "Any change is agreed with you before it is done; unused items are refunded.",
        "items": [
            {
                "label": "Operation",
                "amount": total,
                "currency": "EUR",
                "includes": "theatre, 10 nights",
                "excludes": "blood products",
            },
            {"label": "Consultations", "amount": "500.00", "currency": "EUR"},
        ],
        "valid_until": (utcnow().date() + timedelta(days=30)).isoformat(),
        **extra,
    }
