"""The follow-up API on both databases: a patient makes the plan of their delivered case, subscribes to the
calendar feed (RFC 5545, parsed back with `icalendar`), marks items, and hands the plan back as a PDF and a
FHIR R4 Bundle (validated with fhir.resources) that a local doctor with read consent can fetch; bad dates
and other people's cases are refused with 4xx."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import service as accounts
from onconav.accounts.models import AuditEvent
from onconav.cases import service as cases
from onconav.db import unit_of_work
from tests.care.conftest import RECOMMENDED, deliver_case
from tests.support.accounts import Account

Person = Callable[..., Account]
PLAN = {"treatment_end": "2026-03-10", "modality": "surgery"}
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"


@pytest.fixture
def owner_case(person: Person, factory: sessionmaker[Session]) -> tuple[Account, Account, str]:
    patient, specialist = person("patient"), person("specialist")
    with unit_of_work(factory) as session:
        case_id = deliver_case(
            session,
            patient_id=patient.id,
            specialist_id=specialist.id,
            diagnosis="Non-small cell lung cancer, stage IB, operated",
        )
    return patient, specialist, case_id


def make(client: TestClient, account: Account, case_id: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/followup?from_opinion=true", json={**PLAN, **body}, headers=account.headers
    )


def test_patient_makes_reads_and_marks_the_plan(
    backend: str, client: TestClient, owner_case: tuple[Account, Account, str]
) -> None:
    patient, specialist, case_id = owner_case
    response = make(client, patient, case_id)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["treatment"] == RECOMMENDED and plan["template"] == "after-lung-resection"
    assert plan["items"][0]["due_on"] == "2026-09-10" and plan["may_mark"] and plan["may_edit"]
    read = client.get(f"/api/v1/cases/{case_id}/followup", headers=specialist.headers)
    assert read.status_code == 200 and not read.json()["may_mark"] and read.json()["may_edit"]
    item = plan["items"][0]["id"]
    # The care team sets a date; the patient marks it done; the care team cannot mark.
    moved = client.patch(
        f"/api/v1/followup/items/{item}", json={"due_on": "2026-09-14"}, headers=specialist.headers
    )
    assert moved.status_code == 200 and moved.json()["items"][0]["due_on"] == "2026-09-14"
    assert (
        client.patch(
            f"/api/v1/followup/items/{item}", json={"status": "done"}, headers=specialist.headers
        ).status_code
        == 403
    )
    done = client.patch(f"/api/v1/followup/items/{item}", json={"status": "done"}, headers=patient.headers)
    assert done.json()["items"][0]["status"] == "done"
    added = client.post(
        f"/api/v1/cases/{case_id}/followup/items",
        json={"title": "Pulmonary rehabilitation", "kind": "other", "due_on": "2026-04-01"},
        headers=specialist.headers,
    )
    assert added.status_code == 201 and "Pulmonary rehabilitation" in [
        i["title"] for i in added.json()["items"]
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"treatment_end": "2026-02-30"}, "date"),
        ({"treatment_end": "2205-01-01"}, "between 1990 and 2100"),
        ({"items": [{"title": "Visit", "due_on": "2026-13-01"}]}, "date"),
        ({"template": "no-such-template"}, "No follow-up template"),
    ],
)
def test_impossible_dates_and_unknown_templates_are_422(
    backend: str,
    client: TestClient,
    owner_case: tuple[Account, Account, str],
    body: dict[str, Any],
    fragment: str,
) -> None:
    patient, _specialist, case_id = owner_case
    response = make(client, patient, case_id, **body)
    assert response.status_code == 422, response.text
    assert fragment in response.text


def test_other_peoples_cases_are_404_and_audited(
    backend: str,
    client: TestClient,
    person: Person,
    factory: sessionmaker[Session],
    owner_case: tuple[Account, Account, str],
) -> None:
    patient, _specialist, case_id = owner_case
    assert make(client, patient, case_id).status_code == 201
    stranger, other_specialist = person("patient"), person("specialist")
    for account in (stranger, other_specialist):
        assert make(client, account, case_id).status_code == 404
        for path in ("", "/pdf", "/fhir"):
            assert (
                client.get(f"/api/v1/cases/{case_id}/followup{path}", headers=account.headers).status_code
                == 404
            )
        assert (
            client.post(f"/api/v1/cases/{case_id}/followup/feed", headers=account.headers).status_code == 404
        )
    assert make(client, stranger, "0" * 32).status_code == 404
    with factory() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
        assert any(e.actor_id == stranger.id for e in denied)


def test_calendar_feed_is_valid_private_and_revocable(
    backend: str,
    client: TestClient,
    factory: sessionmaker[Session],
    owner_case: tuple[Account, Account, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient, specialist, case_id = owner_case
    make(client, patient, case_id)
    assert (
        client.post(f"/api/v1/cases/{case_id}/followup/feed", headers=specialist.headers).status_code == 403
    )
    created = client.post(f"/api/v1/cases/{case_id}/followup/feed", headers=patient.headers)
    assert created.status_code == 201
    url = created.json()["url"]
    assert "/followup/feed.ics?key=" in url
    with caplog.at_level(logging.DEBUG):
        feed = client.get(url.removeprefix("http://testserver"))
    key = url.split("key=", 1)[1]
    assert any(r.name == "onconav.access" for r in caplog.records)  # the request was logged...
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith("onconav")]
    assert not [line for line in server_lines if key in line]  # ...without the key (httpx is the client)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 7  # four six-monthly and three yearly scans; the undated visit is not an event
    assert events[0].decoded("dtstart") == dt.date(2026, 9, 10)
    assert {str(e["summary"]) for e in events} == {"Appointment in your onconav plan"}
    assert "Lobectomy" not in feed.text and "CT" not in feed.text
    assert client.get("/followup/feed.ics?key=wrong").status_code == 404
    with factory() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.event_type == "care_plan.feed")).first()
    # A new address replaces the old one; turning it off ends both.
    renewed = client.post(f"/api/v1/cases/{case_id}/followup/feed", headers=patient.headers).json()["url"]
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    assert client.delete(f"/api/v1/cases/{case_id}/followup/feed", headers=patient.headers).status_code == 204
    assert client.get(renewed.removeprefix("http://testserver")).status_code == 404


def test_handback_pdf_and_fhir_for_a_local_doctor_with_consent(
    backend: str,
    client: TestClient,
    person: Person,
    factory: sessionmaker[Session],
    owner_case: tuple[Account, Account, str],
) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.careplan import CarePlan
    from pypdf import PdfReader

    patient, _specialist, case_id = owner_case
    make(client, patient, case_id)
    doctor = person("caregiver")
    assert client.get(f"/api/v1/cases/{case_id}/followup/fhir", headers=doctor.headers).status_code == 404
    with unit_of_work(factory) as session:  # the patient shares through the consent rules
        user = accounts.get_user_or_raise(session, user_id=patient.id)
        principal = accounts.principal_for(session, user, second_factor=True)
        accounts.grant_caregiver(session, principal=principal, caregiver_email=doctor.email, scope="read")
    from tests.support.accounts import bearer

    bearer(client, doctor)  # a new token carries the consent
    pdf = client.get(f"/api/v1/cases/{case_id}/followup/pdf", headers=doctor.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Treatment summary and follow-up plan" in text and "2026-09-10" in text
    assert "Lobectomy" in text and "Non-small cell lung cancer" in text
    fhir = client.get(f"/api/v1/cases/{case_id}/followup/fhir", headers=doctor.headers)
    assert fhir.status_code == 200 and fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(fhir.json())
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds == ["CarePlan", "Patient", "Condition", "Observation", "Procedure"]
    body = fhir.json()
    assert cases.check_mcode(body) == []
    careplan = CarePlan.model_validate(body["entry"][0]["resource"])
    assert careplan.activity[0].detail.scheduledPeriod.start.isoformat() == "2026-09-10"
    cancer_patient, condition, stage = (body["entry"][i]["resource"] for i in (1, 2, 3))
    urls = [entry["fullUrl"] for entry in body["entry"]]
    assert cancer_patient["meta"]["profile"] == [MCODE + "mcode-cancer-patient"]
    assert cancer_patient["identifier"][0]["value"] == patient.id
    assert "text" not in cancer_patient["name"][0]  # masked: the account is the identifier
    assert condition["meta"]["profile"] == [MCODE + "mcode-primary-cancer-condition"]
    assert [c["code"] for c in condition["code"]["coding"]] == ["C34"]
    assert condition["code"]["text"] == "Non-small cell lung cancer"
    assert stage["meta"]["profile"] == [MCODE + "mcode-tnm-stage-group"]
    assert stage["valueCodeableConcept"]["coding"][0]["code"] == "1B"
    assert stage["focus"] == [{"reference": urls[2]}]
    # The CarePlan is the patient's, addresses the PrimaryCancerCondition, and points at the stage group.
    plan_resource = body["entry"][0]["resource"]
    assert plan_resource["subject"]["reference"] == urls[1]
    assert plan_resource["addresses"] == [{"reference": urls[2]}]
    assert {"reference": urls[3]} in plan_resource["supportingInfo"]
    assert client.get(f"/api/v1/cases/{case_id}/followup/fhir", headers=doctor.headers).json() == body
    # Read consent is not a licence to change: the doctor cannot remake the plan.
    assert make(client, doctor, case_id).status_code == 403


@pytest.mark.parametrize(
    ("profile", "element", "says"),
    [
        ("mcode-primary-cancer-condition", "extension", "asserted date"),
        ("mcode-primary-cancer-condition", "code", "code is missing"),
        ("mcode-tnm-stage-group", "valueCodeableConcept", "valueCodeableConcept"),
        ("mcode-cancer-patient", "identifier", "identifier is missing"),
    ],
)
def test_a_handback_missing_an_mcode_element_fails_the_check_and_is_a_409(
    backend: str,
    client: TestClient,
    owner_case: tuple[Account, Account, str],
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
    element: str,
    says: str,
) -> None:
    patient, _specialist, case_id = owner_case
    make(client, patient, case_id)
    served = client.get(f"/api/v1/cases/{case_id}/followup/fhir", headers=patient.headers)
    assert served.status_code == 200 and cases.check_mcode(served.json()) == []
    broken = served.json()
    for entry in broken["entry"]:
        if MCODE + profile in entry["resource"].get("meta", {}).get("profile", []):
            del entry["resource"][element]
    problems = cases.check_mcode(broken)
    assert any(says in problem for problem in problems), problems

    # Built so by the cases domain, the server refuses to hand the bundle back rather than serve it.
    def drop(built: Callable[..., Any]) -> Callable[..., Any]:
        def without(*args: Any, **kwargs: Any) -> Any:
            result = built(*args, **kwargs)
            for resource in result if isinstance(result, list) else [result]:
                if MCODE + profile in resource.get("meta", {}).get("profile", []):
                    resource.pop(element, None)
            return result

        return without

    monkeypatch.setattr(cases, "mcode_resources", drop(cases.mcode_resources))
    monkeypatch.setattr(cases, "mcode_patient", drop(cases.mcode_patient))
    refused = client.get(f"/api/v1/cases/{case_id}/followup/fhir", headers=patient.headers)
    assert refused.status_code == 409, refused.text
    assert says in refused.text and "mCODE" in refused.text
