"""Account-security changes need a fresh, interactive proof of identity (issue 15, item 1): an integration
token can change none of them; a browser whose proof is older than the step-up window confirms its password
(and code) first; a password reset keeps the second factor; an administrator can reset a second factor from
the command line; consents a token could have granted are listed for review."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from onconav.accounts.models import ApiToken, AuditEvent, CaregiverGrant, User, WebSession
from onconav.cli import app as cli_app
from onconav.config import get_settings
from onconav.db import utcnow
from tests.support.accounts import Account, bearer, csrf_of, sign_in, signed_in_browser
from tests.support.mailbox import Mailbox

NEW_PASSWORD = "a different long passphrase 7"


def _integration_token(client: TestClient, account: Account, scopes: list[str]) -> dict[str, str]:
    created = client.post(
        "/api/v1/account/tokens", headers=bearer(client, account), json={"name": "sync", "scopes": scopes}
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


def _age_browser_proofs(factory: sessionmaker[Session], account: Account, minutes: int = 11) -> None:
    with factory.begin() as session:
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == account.id)
            .values(proved_at=utcnow() - timedelta(minutes=minutes))
        )


def test_an_integration_token_with_write_scope_cannot_change_account_security(
    client: TestClient, factory: sessionmaker[Session], patient: Account, caregiver: Account
) -> None:
    signed_in_browser(client, factory, patient)  # a browser session, for the token to try to end
    token = _integration_token(client, patient, ["read", "write"])
    sessions = client.get("/api/v1/account/sessions", headers=patient.headers).json()
    tokens = client.get("/api/v1/account/tokens", headers=patient.headers).json()
    attempts = [
        ("POST", "/api/v1/account/consents", {"caregiver_email": caregiver.email, "scope": "write"}),
        ("POST", "/api/v1/account/second-factor", None),
        ("POST", "/api/v1/account/second-factor/confirm", {"code": "123456"}),
        (
            "PUT",
            "/api/v1/account/password",
            {"current_password": patient.password, "new_password": NEW_PASSWORD},
        ),
        ("POST", "/api/v1/account/tokens", {"name": "another", "scopes": ["write"]}),
        ("DELETE", f"/api/v1/account/tokens/{tokens[0]['id']}", None),
        ("POST", "/api/v1/account/delete", {"password": patient.password}),
    ]
    assert sessions
    attempts += [("DELETE", f"/api/v1/account/sessions/{row['id']}", None) for row in sessions]
    for method, path, body in attempts:
        response = client.request(method, path, headers=token, json=body)
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert "Integration tokens cannot change account security" in response.json()["error"]["message"]
    with factory() as session:
        user = session.get(User, patient.id)
        assert user is not None and user.totp_secret is None and user.deleted_at is None
        assert session.scalars(select(CaregiverGrant)).all() == []
        assert len(session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all()) == 2
    # Reading stays open to it.
    assert client.get("/api/v1/account/consents", headers=token).status_code == 200
    assert (
        client.post("/api/v1/auth/token", json={"email": patient.email, "password": NEW_PASSWORD}).status_code
        == 401
    )


def test_a_sign_in_token_older_than_the_step_up_window_must_sign_in_again(
    client: TestClient, factory: sessionmaker[Session], patient: Account, caregiver: Account
) -> None:
    headers = bearer(client, patient)
    with factory.begin() as session:
        session.execute(update(ApiToken).values(created_at=utcnow() - timedelta(minutes=11)))
    body = {"caregiver_email": caregiver.email, "scope": "read"}
    stale = client.post("/api/v1/account/consents", headers=headers, json=body)
    assert stale.status_code == 403
    assert "confirm who you are" in stale.json()["error"]["message"]
    # Reading still works with it; a new sign-in is a fresh proof.
    assert client.get("/api/v1/account", headers=headers).status_code == 200
    assert (
        client.post("/api/v1/account/consents", headers=bearer(client, patient), json=body).status_code == 201
    )


def test_a_browser_whose_proof_is_stale_confirms_its_password_and_comes_back(
    client: TestClient, factory: sessionmaker[Session], patient: Account
) -> None:
    sign_in(client, patient)
    _age_browser_proofs(factory, patient)
    csrf = csrf_of(client, "/account")
    change = {"current_password": patient.password, "new_password": NEW_PASSWORD, "csrf_token": csrf}
    refused = client.post("/account/password", data=change, follow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"] == "/account/confirm?next=%2Faccount%2Fpassword"
    assert (
        client.get("/account/password", follow_redirects=False)
        .headers["location"]
        .startswith("/account/confirm")
    )
    for path in ("/account/sessions/revoke-others", "/account/tokens", "/account/consents"):
        answer = client.post(
            path, data={"csrf_token": csrf, "name": "x", "caregiver_email": "a@b.org"}, follow_redirects=False
        )
        assert answer.status_code == 303 and answer.headers["location"].startswith("/account/confirm"), path
    with factory() as session:
        assert session.scalars(select(CaregiverGrant)).all() == []
        assert session.scalars(select(ApiToken)).all() == []
    confirm_page = client.get("/account/confirm?next=/account/password")
    assert confirm_page.status_code == 200 and 'name="code"' not in confirm_page.text
    wrong = client.post(
        "/account/confirm",
        data={"password": "not it at all", "next": "/account/password", "csrf_token": csrf},
    )
    assert wrong.status_code == 401 and "not right" in wrong.text
    confirmed = client.post(
        "/account/confirm",
        data={"password": patient.password, "next": "/account/password", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert confirmed.headers["location"] == "/account/password"
    changed = client.post("/account/password", data=change, follow_redirects=False)
    assert changed.headers["location"] == "/account?done=password"
    with factory() as session:
        kinds = [e.event_type for e in session.scalars(select(AuditEvent).order_by(AuditEvent.sequence))]
    assert "auth.step_up" in kinds and "account.password_change" in kinds


def test_the_confirmation_asks_for_the_code_where_a_second_factor_is_enrolled(
    client: TestClient, factory: sessionmaker[Session], coordinator: Account
) -> None:
    sign_in(client, coordinator)
    _age_browser_proofs(factory, coordinator)
    csrf = csrf_of(client, "/account")
    page = client.get("/account/confirm?next=/account/tokens")
    assert 'name="code"' in page.text
    no_code = client.post("/account/confirm", data={"password": coordinator.password, "csrf_token": csrf})
    assert no_code.status_code == 401
    done = client.post(
        "/account/confirm",
        data={
            "password": coordinator.password,
            "code": coordinator.code(),
            "next": "//evil.example",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account"
    created = client.post(
        "/account/tokens", data={"name": "sync", "scope": "read", "days": "30", "csrf_token": csrf}
    )
    assert created.status_code == 200 and "onc_" in created.text


def test_a_password_reset_keeps_the_second_factor(
    client: TestClient, mailbox: Mailbox, make_account: Callable[..., Account]
) -> None:
    owner = make_account("patient", second_factor=True)
    assert client.post("/api/v1/auth/password-reset", json={"email": owner.email}).status_code == 202
    (message,) = mailbox.wait_for(owner.email)
    token = parse_qs(urlparse(mailbox.link(message)).query)["token"][0]
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    without_code = client.post("/api/v1/auth/token", json={"email": owner.email, "password": NEW_PASSWORD})
    assert without_code.status_code == 401
    owner.password = NEW_PASSWORD
    assert (
        client.get("/api/v1/account", headers=bearer(client, owner)).json()["second_factor_enabled"] is True
    )


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield CliRunner()


def test_an_administrator_resets_a_locked_out_owners_second_factor_from_the_cli(
    runner: CliRunner,
    client: TestClient,
    factory: sessionmaker[Session],
    mailbox: Mailbox,
    coordinator: Account,
) -> None:
    old = bearer(client, coordinator)
    reset = runner.invoke(cli_app, ["users", "reset-second-factor", coordinator.email])
    assert reset.exit_code == 0, reset.output
    assert client.get("/api/v1/account", headers=old).status_code == 401  # every credential ended
    with factory() as session:
        user = session.get(User, coordinator.id)
        assert user is not None and user.totp_secret is None and user.totp_enabled_at is None
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "account.second_factor_reset")
        ).one()
        assert event.entity_id == coordinator.id and event.source_ip == "cli"
    (message,) = mailbox.wait_for(coordinator.email)
    assert "second factor" in message["Subject"].lower()
    again = runner.invoke(cli_app, ["users", "reset-second-factor", coordinator.email])
    assert again.exit_code == 2 and "no second factor" in again.output
    assert runner.invoke(cli_app, ["users", "reset-second-factor", "nobody@example.org"]).exit_code == 2
    # The coordinator signs in with the password and must set up an authenticator again.
    coordinator.totp_secret = None
    response = client.post(
        "/sign-in",
        data={"email": coordinator.email, "password": coordinator.password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/account/second-factor"
    assert client.get("/account/second-factor").status_code == 200


def test_consents_granted_while_a_token_could_are_listed_for_review_and_kept_or_revoked(
    client: TestClient, factory: sessionmaker[Session], patient: Account, caregiver: Account
) -> None:
    headers = bearer(client, patient)
    body = {"caregiver_email": caregiver.email, "scope": "write"}
    grant = client.post("/api/v1/account/consents", headers=headers, json=body).json()
    assert grant["needs_review"] is False
    with factory.begin() as session:  # as the migration marks one granted while a writing token was live
        session.execute(update(CaregiverGrant).values(needs_review=True))
    sign_in(client, patient)
    assert "needs your review" in client.get("/account").text
    page = client.get("/account/consents")
    assert "Please review" in page.text and f"/account/consents/{grant['id']}/keep" in page.text
    listed = client.get("/api/v1/account/consents", headers=headers).json()
    assert [c["needs_review"] for c in listed] == [True]
    kept = client.post(f"/api/v1/account/consents/{grant['id']}/keep", headers=headers)
    assert kept.status_code == 200 and kept.json()["needs_review"] is False
    assert "needs your review" not in client.get("/account").text
