"""Records travel with a request as second opinions share them: the patient's side sees its files, the
centers only de-identified text; records of someone else's case cannot be sent. The accepted plan is
published for the follow-up plan (`accepted_plan_for_case`). SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import utcnow
from onconav.quotes import service
from tests.cases.case_samples import make_pdf
from tests.quotes.conftest import World, offer_body, request_body
from tests.support.accounts import Account, bearer, signed_in_browser

REPORT = (
    "Patient: DOE, JANE   MRN: 004211\n"
    "Jane Doe, phone (617) 555-0199.\n"
    "Epithelioid pleural mesothelioma, stage IV."
)


def _case_with_report(client: TestClient, patient: Account) -> tuple[str, str]:
    case_id = client.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Mesothelioma", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
    ).json()["id"]
    uploaded = client.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=patient.headers,
        files={"file": ("report.pdf", io.BytesIO(make_pdf(REPORT)), "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    return case_id, uploaded.json()["id"]


def test_centers_get_de_identified_records_and_the_accepted_plan_is_published(
    client: TestClient, world: World, make_account: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    jane = make_account("patient", name="Jane Doe")
    bearer(client, jane)
    case_id, document_id = _case_with_report(client, jane)
    _other_case, others_document = _case_with_report(client, world.patient)
    start = utcnow().date() + timedelta(days=20)
    body = {
        **request_body(world, earliest=start.isoformat()),
        "case_id": case_id,
        "document_ids": [document_id],
    }
    stolen = {**body, "document_ids": [others_document]}
    assert client.post("/api/v1/requests", json=stolen, headers=jane.headers).status_code == 422
    sent = client.post("/api/v1/requests", json=body, headers=jane.headers)
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["id"]
    assert sent.json()["records"][0]["filename"] == "report.pdf"
    assert sent.json()["wishes"]["home_city"] == "Paris"
    with factory() as session:  # the wishes (home, companion, budget) are stored encrypted, never as text
        stored = session.execute(
            text("SELECT wishes, diagnosis_text FROM treatment_request WHERE id = :id"), {"id": request_id}
        ).one()
    assert "Paris" not in str(stored.wishes) and "companion" not in str(stored.wishes)
    assert "mesothelioma" not in stored.diagnosis_text

    first, second = world.centers
    seen = client.get(f"/api/v1/requests/{request_id}", headers=first.staff.headers).json()
    record = seen["records"][0]
    assert record["filename"] is None and seen["case_id"] is None
    assert "Epithelioid pleural mesothelioma, stage IV" in record["shared_text"]
    for identifier in ("Jane", "JANE", "Doe", "DOE", "004211", "555-0199"):
        assert identifier not in record["shared_text"], identifier

    with factory() as session:
        assert service.accepted_plan_for_case(session, case_id=case_id) is None
    offers = []
    for center in (first, second):
        made = client.post(
            f"/api/v1/requests/{request_id}/offers",
            json=offer_body(center, procedures=["pleurectomy-decortication"]),
            headers=center.staff.headers,
        )
        offers.append(made.json()["id"])
    assert client.post(f"/api/v1/offers/{offers[1]}/accept", headers=jane.headers).status_code == 200
    with factory() as session:
        plan = service.accepted_plan_for_case(session, case_id=case_id)
    assert plan is not None
    assert (plan.offer_id, plan.organization_id, plan.center) == (offers[1], second.id, second.name)
    assert [step.modality for step in plan.steps] == ["surgery", "chemotherapy"]
    assert plan.steps[0].procedures == ["pleurectomy-decortication"]
    assert plan.expected_end == start + timedelta(weeks=12)
    assert isinstance(plan.expected_end, date)
    patient_browser, _csrf = signed_in_browser(client, factory, jane)
    page = patient_browser.get(f"/quotes/{request_id}").text
    assert f'href="/cases/{case_id}"' in page and f'href="/cases/{case_id}/followup"' in page

    # The follow-up plan takes the accepted offer as the treatment received, with its first modality.
    made = client.post(
        f"/api/v1/cases/{case_id}/followup?from_offer=true",
        json={"treatment_end": (start + timedelta(weeks=12)).isoformat()},
        headers=jane.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["treatment"].startswith(f"{second.name}: surgery (pleurectomy-decortication)")
    assert made.json()["modality"] == "surgery"
    both = client.post(
        f"/api/v1/cases/{case_id}/followup?from_offer=true&from_opinion=true",
        json={"treatment_end": start.isoformat()},
        headers=jane.headers,
    )
    assert both.status_code == 422 and "not both" in both.text
