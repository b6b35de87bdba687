"""Smaller leaks of case access (issue 15, item 6): coordinators see what was submitted, never a draft
withdrawn before submission; an id that names nothing is answered like someone else's object and is on
record in the audit log."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts.models import AuditEvent
from onconav.db import new_id
from tests.support.accounts import Account

CASE = {"title": "Pleural mesothelioma", "diagnosis": "epithelioid pleural mesothelioma"}


def _new_case(api: TestClient, patient: Account) -> str:
    created = api.post("/api/v1/cases", headers=patient.headers, json=CASE)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _act(api: TestClient, who: Account, case_id: str, action: str) -> None:
    response = api.post(f"/api/v1/cases/{case_id}/transitions", headers=who.headers, json={"action": action})
    assert response.status_code == 200, response.text


def test_a_coordinator_never_sees_a_draft_withdrawn_before_it_was_submitted(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient, coordinator = person("patient"), person("coordinator")
    never_submitted = _new_case(api, patient)
    _act(api, patient, never_submitted, "withdraw")
    submitted_then_withdrawn = _new_case(api, patient)
    _act(api, patient, submitted_then_withdrawn, "submit")
    _act(api, patient, submitted_then_withdrawn, "withdraw")
    for path in (f"/api/v1/cases/{never_submitted}", f"/api/v1/cases/{never_submitted}/documents"):
        assert api.get(path, headers=coordinator.headers).status_code == 404, path
    listed = {case["id"] for case in api.get("/api/v1/cases", headers=coordinator.headers).json()}
    assert never_submitted not in listed
    # What was submitted stays with the coordinators, withdrawn or not.
    assert (
        api.get(f"/api/v1/cases/{submitted_then_withdrawn}", headers=coordinator.headers).status_code == 200
    )


def test_a_guessed_id_that_names_nothing_is_answered_like_another_users_object_and_audited(
    api: TestClient, person: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    patient, other = person("patient"), person("patient")
    others_case = _new_case(api, other)
    guesses = {
        "case": f"/api/v1/cases/{new_id()}",
        "document": f"/api/v1/documents/{new_id()}",
        "opinion": f"/api/v1/opinions/{new_id()}",
    }
    not_mine = api.get(f"/api/v1/cases/{others_case}", headers=patient.headers)
    for kind, path in guesses.items():
        missed = api.get(path, headers=patient.headers)
        assert missed.status_code == not_mine.status_code == 404, kind
        assert missed.json() == not_mine.json(), kind
    session_miss = api.delete(f"/api/v1/account/sessions/{new_id()}", headers=patient.headers)
    assert session_miss.status_code == 404
    with factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id == patient.id, AuditEvent.detail == "unknown id")
        ).all()
    recorded = {(event.entity_type, event.entity_id, event.outcome) for event in events}
    expected = {(kind, path.rsplit("/", 1)[1], "denied") for kind, path in guesses.items()}
    assert expected <= recorded
    assert ("session", "denied") in {(event.entity_type, event.outcome) for event in events}
