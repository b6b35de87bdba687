"""Sign-in for scripts: POST /api/v1/auth/token, bearer tokens on API routes, throttling, second factor,
no account enumeration, integration tokens with scopes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import audit
from onconav.accounts.models import AuditEvent
from tests.support.accounts import Account, bearer


def test_a_password_gives_a_token_that_opens_the_api_as_bearer(client: TestClient, patient: Account) -> None:
    response = client.post(
        "/api/v1/auth/token", json={"email": patient.email.upper(), "password": patient.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/account", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == patient.email
    assert me.json()["role"] == "patient"


def test_missing_or_bad_credentials_are_401_and_never_tell_if_the_account_exists(
    client: TestClient, patient: Account
) -> None:
    assert client.get("/api/v1/account").status_code == 401
    bad = client.get("/api/v1/account", headers={"Authorization": "Bearer onc_not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/account", headers={"Authorization": "Basic abc"}).status_code == 401
    wrong_password = client.post(
        "/api/v1/auth/token", json={"email": patient.email, "password": "not the password"}
    )
    unknown_user = client.post(
        "/api/v1/auth/token", json={"email": "nobody@example.org", "password": "whatever"}
    )
    assert wrong_password.status_code == unknown_user.status_code == 401
    # Same answer whether or not the account exists.
    assert wrong_password.json()["error"]["message"] == unknown_user.json()["error"]["message"]


def test_five_failures_block_the_account_with_retry_after_even_for_the_right_password(
    client: TestClient, patient: Account, make_account: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    for _ in range(5):
        assert (
            client.post("/api/v1/auth/token", json={"email": patient.email, "password": "wrong"}).status_code
            == 401
        )
    # Even the right password is refused while throttled.
    blocked = client.post("/api/v1/auth/token", json={"email": patient.email, "password": patient.password})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60 + 1
    # Another account from the same address is not yet blocked (the address limit is higher).
    other = make_account("patient")
    assert (
        client.post("/api/v1/auth/token", json={"email": other.email, "password": other.password}).status_code
        == 200
    )
    with factory() as session:
        failures = [e for e in session.query(AuditEvent).all() if e.event_type == "auth.login_failed"]
        assert len(failures) == 5
        assert all(e.outcome == "failure" and e.source_ip for e in failures)
        assert audit.verify(session).intact


def test_failures_across_accounts_block_the_address(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    accounts = [make_account("patient") for _ in range(5)]
    for account in accounts:
        for _ in range(4):
            client.post("/api/v1/auth/token", json={"email": account.email, "password": "wrong"})
    fresh = make_account("patient")
    response = client.post("/api/v1/auth/token", json={"email": fresh.email, "password": fresh.password})
    assert response.status_code == 429
    assert "retry-after" in response.headers


def test_second_factor_required_for_specialist_roles(
    client: TestClient, coordinator: Account, make_account: Callable[..., Account]
) -> None:
    without = client.post(
        "/api/v1/auth/token", json={"email": coordinator.email, "password": coordinator.password}
    )
    assert without.status_code == 401
    wrong = client.post(
        "/api/v1/auth/token",
        json={"email": coordinator.email, "password": coordinator.password, "totp": "000000"},
    )
    assert wrong.status_code == 401
    headers = bearer(client, coordinator)
    assert client.get("/api/v1/account", headers=headers).json()["second_factor_enabled"] is True
    # A coordinator who never enrolled cannot get a token at all.
    unenrolled = make_account("coordinator", second_factor=False)
    refused = client.post(
        "/api/v1/auth/token", json={"email": unenrolled.email, "password": unenrolled.password}
    )
    assert refused.status_code == 401


def test_a_read_only_integration_token_changes_nothing_and_dies_when_revoked(
    client: TestClient, patient: Account, caregiver: Account
) -> None:
    headers = bearer(client, patient)
    created = client.post(
        "/api/v1/account/tokens", headers=headers, json={"name": "my script", "scopes": ["read"]}
    )
    assert created.status_code == 201
    token = {"Authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/account", headers=token).status_code == 200
    # A read-only token cannot change anything, nor make more tokens.
    grant = client.post(
        "/api/v1/account/consents", headers=token, json={"caregiver_email": caregiver.email, "scope": "read"}
    )
    assert grant.status_code == 403
    assert (
        client.post(
            "/api/v1/account/tokens", headers=token, json={"name": "x", "scopes": ["read"]}
        ).status_code
        == 403
    )
    listed = client.get("/api/v1/account/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["my script"]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/account/tokens/{listed[0]['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/account", headers=token).status_code == 401


def test_api_sign_out_revokes_the_bearer_token(client: TestClient, patient: Account) -> None:
    headers = bearer(client, patient)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/account", headers=headers).status_code == 401
    assert client.delete("/api/v1/auth/token").status_code == 401
