"""The whole second-opinion workflow through the JSON API, on SQLite and PostgreSQL: a patient's case and
records, the coordinator's queue and assignment, the specialist's workspace and questions, a colleague's
de-identified view and review input, the signed opinion; and what each party may not see or do."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import pydicom
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.accounts.models import AuditEvent
from onconav.cases.models import CaseDocument
from onconav.db import make_session_factory, unit_of_work
from tests.cases.case_samples import dicom_file, make_pdf, make_png
from tests.support.accounts import Account
from tests.support.mailbox import Mailbox

OPINION = {
    "diagnosis_agreement": "partly_agree",
    "diagnosis_comment": "Biphasic, not purely epithelioid.",
    "staging": "cT3 N1 M0",
    "recommended_plan": "Systemic therapy first; surgery only within a trial.",
    "alternatives": ["Nivolumab plus ipilimumab"],
    "trials": [{"identifier": "NCT00000001", "title": "Perioperative immunotherapy", "why": "fits stage"}],
    "questions_for_team": ["Was the PET-CT reviewed by a thoracic radiologist?"],
}


def upload(api: TestClient, who: Account, case_id: str, data: bytes, name: str, kind: str) -> dict:  # type: ignore[type-arg]
    response = api.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=who.headers,
        files={"file": (name, io.BytesIO(data), kind)},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def act(api: TestClient, who: Account, case_id: str, action: str, status: int = 200) -> dict:  # type: ignore[type-arg]
    response = api.post(f"/api/v1/cases/{case_id}/transitions", headers=who.headers, json={"action": action})
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_second_opinion_goes_from_draft_to_delivery_and_each_party_sees_only_its_share(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient, other_patient = person("patient"), person("patient")
    coordinator = person("coordinator")
    specialist = person("specialist", "Dr. Ana Ruiz")
    colleague = person("specialist", "Dr. Ben Okafor")
    stranger = person("specialist")

    created = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={
            "title": "Pleural mesothelioma",
            "diagnosis": "stage III epithelioid pleural mesothelioma",
            "questions": ["Is surgery an option?"],
            "urgency": "urgent",
        },
    )
    assert created.status_code == 201, created.text
    case = created.json()
    case_id = case["id"]
    assert case["condition"] == "pleural-mesothelioma" and case["state"] == "draft"
    assert case["next_actions"] == ["submit", "withdraw"]

    pdf = make_pdf()
    document = upload(api, patient, case_id, pdf, "pathology.pdf", "application/pdf")
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest() and document["kind"] == "pdf"
    ct = upload(api, patient, case_id, dicom_file(), "ct.dcm", "application/dicom")
    assert ct["identifying"]["PatientName"]  # the owner sees who the scan names
    content = api.get(f"/api/v1/documents/{document['id']}/content", headers=patient.headers)
    assert content.status_code == 200 and content.content == pdf
    refused = api.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=patient.headers,
        files={"file": ("scan.png", io.BytesIO(make_png()[:-40]), "image/png")},
    )
    assert refused.status_code == 422 and "incomplete" in refused.json()["error"]["message"]
    listed = api.get(f"/api/v1/cases/{case_id}/documents", headers=patient.headers).json()
    assert [d["id"] for d in listed] == [document["id"], ct["id"]]

    # Nobody but the patient sees a draft; the coordinator sees it once submitted.
    assert api.get(f"/api/v1/cases/{case_id}", headers=coordinator.headers).status_code == 404
    act(api, patient, case_id, "submit")
    queue = api.get("/api/v1/queue", headers=coordinator.headers).json()
    assert [item["id"] for item in queue] == [case_id] and queue[0]["due_at"]
    assert api.get("/api/v1/queue", headers=patient.headers).status_code in (403, 404)
    act(api, patient, case_id, "triage", 409)  # the patient may change the case, but not triage it
    act(api, coordinator, case_id, "triage")
    assigned = api.post(
        f"/api/v1/cases/{case_id}/members",
        headers=coordinator.headers,
        json={"email": specialist.email, "role": "specialist"},
    )
    assert assigned.status_code == 201, assigned.text

    # The specialist's workspace holds only assigned cases; an unassigned specialist sees nothing.
    assert [c["id"] for c in api.get("/api/v1/workspace", headers=specialist.headers).json()] == [case_id]
    assert api.get("/api/v1/workspace", headers=stranger.headers).json() == []
    assert api.get(f"/api/v1/cases/{case_id}", headers=stranger.headers).status_code == 404
    act(api, specialist, case_id, "accept")
    act(api, specialist, case_id, "start_review")
    act(api, specialist, case_id, "request_info")
    sent = api.post(
        f"/api/v1/cases/{case_id}/messages",
        headers=specialist.headers,
        data={"body": "Please send the PET-CT."},
    )
    assert sent.status_code == 201, sent.text
    reply = api.post(
        f"/api/v1/cases/{case_id}/messages",
        headers=patient.headers,
        data={"body": "Here it is."},
        files={"files": ("pet.pdf", io.BytesIO(make_pdf("PET-CT: no distant disease.")), "application/pdf")},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["attachments"][0]["kind"] == "pdf"
    act(api, patient, case_id, "provide_info")

    # A colleague joins the review and gets de-identified copies only.
    invited = api.post(
        f"/api/v1/cases/{case_id}/members",
        headers=specialist.headers,
        json={"email": colleague.email, "role": "colleague"},
    )
    assert invited.status_code == 201, invited.text
    copy = api.get(f"/api/v1/documents/{ct['id']}/content", headers=colleague.headers)
    assert copy.status_code == 200
    assert "PatientName" not in pydicom.dcmread(io.BytesIO(copy.content))
    assert api.get(f"/api/v1/documents/{ct['id']}", headers=colleague.headers).json()["identifying"] is None
    assert api.get(f"/api/v1/cases/{case_id}/messages", headers=colleague.headers).status_code == 403
    review = api.post(
        f"/api/v1/cases/{case_id}/reviews",
        headers=colleague.headers,
        json={
            "position": "partly_agree",
            "body": "Consider hemithoracic RT.",
        },
    )
    assert review.status_code == 201, review.text
    assert review.json()["author_name"] == "Dr. Ben Okafor"
    assert api.get(f"/api/v1/cases/{case_id}/reviews", headers=patient.headers).status_code == 403
    act(api, colleague, case_id, "request_info", 403)

    # The opinion: drafted, signed by both reviewers, delivered, then immutable.
    reviewers = [{"user_id": specialist.id}, {"user_id": colleague.id}]
    draft = api.put(
        f"/api/v1/cases/{case_id}/opinion",
        headers=specialist.headers,
        json={"content": {**OPINION, "reviewers": reviewers}},
    )
    assert draft.status_code == 200, draft.text
    opinion_id = draft.json()["id"]
    assert api.get(f"/api/v1/opinions/{opinion_id}", headers=patient.headers).status_code == 404
    early = api.post(f"/api/v1/opinions/{opinion_id}/deliver", headers=specialist.headers)
    assert early.status_code == 422 and "must sign" in early.json()["error"]["message"]
    for reviewer in (specialist, colleague):
        assert api.post(f"/api/v1/opinions/{opinion_id}/sign", headers=reviewer.headers).status_code == 200
    delivered = api.post(f"/api/v1/opinions/{opinion_id}/deliver", headers=specialist.headers)
    assert delivered.status_code == 200, delivered.text
    assert api.get(f"/api/v1/cases/{case_id}", headers=patient.headers).json()["state"] == "opinion_delivered"
    seen = api.get(f"/api/v1/opinions/{opinion_id}", headers=patient.headers).json()
    assert seen["status"] == "delivered" and len(seen["signatures"]) == 2
    pdf_copy = api.get(f"/api/v1/opinions/{opinion_id}/pdf", headers=patient.headers)
    assert pdf_copy.status_code == 200 and pdf_copy.content.startswith(b"%PDF-")
    fhir = api.get(f"/api/v1/opinions/{opinion_id}/fhir", headers=patient.headers).json()
    assert fhir["resourceType"] == "Composition" and fhir["status"] == "final"
    resign = api.post(f"/api/v1/opinions/{opinion_id}/sign", headers=specialist.headers)
    assert resign.status_code == 409
    act(api, patient, case_id, "close")

    # Another patient sees none of it; every read and denial is in the audit log.
    assert api.get("/api/v1/cases", headers=other_patient.headers).json() == []
    for path in (
        f"/api/v1/cases/{case_id}",
        f"/api/v1/documents/{document['id']}/content",
        f"/api/v1/opinions/{opinion_id}",
    ):
        assert api.get(path, headers=other_patient.headers).status_code == 404
    with unit_of_work(make_session_factory(engine)) as session:
        denied = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.outcome == "denied", AuditEvent.actor_id == other_patient.id)
        )
        reads = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "document", AuditEvent.actor_id == colleague.id)
        )
        assert denied == 3 and reads and reads >= 2
        assert session.scalar(select(func.count()).select_from(CaseDocument)) == 3


def test_a_caregiver_with_read_consent_sees_the_case_but_cannot_act_on_it(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient, caregiver = person("patient"), person("caregiver")
    created = api.post(
        "/api/v1/cases",
        headers=caregiver.headers,
        json={"title": "x", "diagnosis": "colon cancer", "patient_id": patient.id},
    )
    assert created.status_code == 404  # no consent: the patient's data does not exist for them
    granted = api.post(
        "/api/v1/account/consents",
        headers=patient.headers,
        json={"caregiver_email": caregiver.email, "scope": "read"},
    )
    assert granted.status_code in (200, 201), granted.text
    case = api.post(
        "/api/v1/cases", headers=patient.headers, json={"title": "Colon", "diagnosis": "colon cancer"}
    ).json()
    assert api.get(f"/api/v1/cases/{case['id']}", headers=caregiver.headers).status_code == 200
    assert [c["id"] for c in api.get("/api/v1/cases", headers=caregiver.headers).json()] == [case["id"]]
    act(api, caregiver, case["id"], "submit", 403)  # read consent does not let them act


def test_notifications_say_nothing_medical(
    api: TestClient, person: Callable[..., Account], mailbox: Mailbox
) -> None:
    patient, coordinator, specialist = person("patient"), person("coordinator"), person("specialist")
    case = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Secret title", "diagnosis": "pancreatic cancer"},
    ).json()
    act(api, patient, case["id"], "submit")
    act(api, coordinator, case["id"], "triage")
    api.post(
        f"/api/v1/cases/{case['id']}/members",
        headers=coordinator.headers,
        json={"email": specialist.email, "role": "specialist"},
    )
    api.post(
        f"/api/v1/cases/{case['id']}/messages", headers=specialist.headers, data={"body": "Your CA 19-9?"}
    )
    to_patient = mailbox.wait_for(patient.email, count=2)
    to_specialist = mailbox.wait_for(specialist.email, count=1)
    assert len(to_patient) == 2 and len(to_specialist) == 1
    for message in to_patient + to_specialist:
        text = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        assert f"http://testserver/cases/{case['id']}" in text
        for secret in ("pancreatic", "Secret title", "CA 19-9"):
            assert secret not in text and secret not in str(message["Subject"])
    assert mailbox.to(coordinator.email) == []  # nobody is told about their own change
