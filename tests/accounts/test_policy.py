"""The policy: default deny, caregivers only within consent, denials audited although the request fails,
and objects of others answer 404 (their existence is not revealed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import audit, policy, service
from onconav.accounts.models import AuditEvent
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.db import unit_of_work
from onconav.errors import Forbidden, NotFound
from tests.support.accounts import Account, bearer


@dataclass
class Unregistered:
    id: str = "x"


def test_default_deny(factory: sessionmaker[Session]) -> None:
    admin = Principal(user_id="a", role=Role.admin, second_factor=True)
    with factory() as session:
        assert not policy.permits(session, admin, "read", Unregistered())
        with pytest.raises(NotFound):
            policy.authorize(session, admin, "read", Unregistered())
        assert not policy.permits(session, None, "read", policy.PatientData("p"))


def test_a_caregiver_reads_only_within_consent_until_it_is_revoked(
    client: TestClient, patient: Account, caregiver: Account, factory: sessionmaker[Session]
) -> None:
    headers = bearer(client, patient)
    created = client.post(
        "/api/v1/account/consents",
        headers=headers,
        json={"caregiver_email": caregiver.email, "scope": "read"},
    )
    assert created.status_code == 201, created.text
    with factory() as session:
        user = service.get_user_or_raise(session, user_id=caregiver.id)
        acting = service.principal_for(session, user, second_factor=False)
        assert policy.permits(session, acting, "read", policy.PatientData(patient.id))
        assert not policy.permits(session, acting, "update", policy.PatientData(patient.id))
        assert not policy.permits(session, acting, "read_access_log", policy.PatientData(patient.id))
    # The caregiver sees the consent; the patient revokes it; it stops at once.
    caregiver_headers = bearer(client, caregiver)
    assert [c["id"] for c in client.get("/api/v1/account/consents", headers=caregiver_headers).json()] == [
        created.json()["id"]
    ]
    assert (
        client.delete(f"/api/v1/account/consents/{created.json()['id']}", headers=headers).status_code == 204
    )
    with factory() as session:
        user = service.get_user_or_raise(session, user_id=caregiver.id)
        acting = service.principal_for(session, user, second_factor=False)
        assert not policy.permits(session, acting, "read", policy.PatientData(patient.id))


def test_denial_is_audited_though_the_request_fails(
    patient: Account, make_account: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    other = make_account("patient")
    with factory() as session:
        user = service.get_user_or_raise(session, user_id=other.id)
        intruder = service.principal_for(session, user, second_factor=False, source_ip="198.51.100.7")
        with pytest.raises(NotFound):
            policy.authorize(session, intruder, "read", policy.PatientData(patient.id))
    with factory() as session:
        denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).one()
        assert denied.actor_id == other.id
        assert denied.patient_id == patient.id
        assert denied.source_ip == "198.51.100.7"
        assert audit.verify(session).intact


def test_forbidden_when_the_object_is_visible(
    patient: Account, caregiver: Account, factory: sessionmaker[Session]
) -> None:
    with unit_of_work(factory) as session:
        owner = service.principal_for(
            session, service.get_user_or_raise(session, user_id=patient.id), second_factor=False
        )
        grant = service.grant_caregiver(
            session, principal=owner, caregiver_email=caregiver.email, scope="read"
        )
        grant_id = grant.id
    with factory() as session:
        grant = service.get_grant(session, grant_id=grant_id)
        user = service.get_user_or_raise(session, user_id=caregiver.id)
        acting = service.principal_for(session, user, second_factor=False)
        with pytest.raises(Forbidden):
            policy.authorize(session, acting, "update", grant)


def test_other_patients_objects_are_not_found(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    first, second = make_account("patient"), make_account("patient")
    first_headers, second_headers = bearer(client, first), bearer(client, second)
    token = client.post(
        "/api/v1/account/tokens", headers=first_headers, json={"name": "a", "scopes": ["read"]}
    ).json()
    response = client.delete(f"/api/v1/account/tokens/{token['id']}", headers=second_headers)
    assert response.status_code == 404
    missing = client.delete("/api/v1/account/tokens/" + "0" * 32, headers=second_headers)
    assert missing.status_code == 404
    assert response.json()["error"]["message"] == missing.json()["error"]["message"]


def test_expired_consent_counts_for_nothing(
    make_account: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    from datetime import timedelta

    from onconav.accounts.models import CaregiverGrant
    from onconav.db import utcnow

    patient, caregiver = make_account("patient"), make_account("caregiver")
    with unit_of_work(factory) as session:
        owner = service.principal_for(
            session, service.get_user_or_raise(session, user_id=patient.id), second_factor=False
        )
        grant = service.grant_caregiver(
            session, principal=owner, caregiver_email=caregiver.email, scope="write", days=1
        )
        grant_id = grant.id
    with unit_of_work(factory) as session:
        row = session.get(CaregiverGrant, grant_id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    with factory() as session:
        acting = service.principal_for(
            session, service.get_user_or_raise(session, user_id=caregiver.id), second_factor=False
        )
        assert not policy.permits(session, acting, "read", policy.PatientData(patient.id))
        assert service.list_grants(session, principal=acting) == []
