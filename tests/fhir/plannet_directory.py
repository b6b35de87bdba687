"""A small Plan-Net directory for the conformance suite: the tiny hand-made directory of the FHIR tests, a
second practitioner (a nurse practitioner at the other organization, giving a second role and service), and
the constructed insurance examples of docs/examples imported through the directory's own importers.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.models import (
    HealthcareService,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
)
from tests.fhir.conftest import TinyIds

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
PLANNET_BUNDLE = EXAMPLES / "plannet-example-bundle.json"
INSURANCE_CSV = EXAMPLES / "insurance-example.csv"


def add_plannet_data(engine: Engine, ids: TinyIds) -> None:
    """Add the second role and service, then import the Plan-Net bundle and the insurance CSV."""
    with unit_of_work(make_session_factory(engine)) as session:
        nurse = Practitioner(
            given_name="Ben", family_name="Okafor", credentials="NP", gender="male", languages=["en"]
        )
        session.add(nurse)
        session.flush()
        therapy = HealthcareService(
            organization_id=ids.other_org, location_id=ids.other_location, service_code="systemic-therapy"
        )
        role = PractitionerRole(
            practitioner_id=nurse.id,
            organization_id=ids.other_org,
            location_id=ids.other_location,
            specialty="medical-oncology",
        )
        session.add_all([therapy, role])
        session.flush()
        session.add(PractitionerRoleService(role_id=role.id, service_code="systemic-therapy"))
    with unit_of_work(make_session_factory(engine)) as session:
        bundle = directory.import_insurance(session, path=PLANNET_BUNDLE, source="plannet")
        table = directory.import_insurance(session, path=INSURANCE_CSV, source="insurance-csv")
    assert not bundle.rejected and not table.rejected, (bundle.rejected, table.rejected)
