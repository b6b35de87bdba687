"""Smaller leaks of the accounts domain (issue 15, item 6): granting consent tells nothing about who has an
account; the access log follows the read scope of tokens; the CSRF token is bound to the session and
renewed at sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import service
from onconav.accounts.models import CaregiverGrant
from onconav.web.csrf import CSRF_COOKIE
from tests.support.accounts import PASSWORD, Account, bearer, csrf_of, sign_in
from tests.support.mailbox import Mailbox

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _comparable(answer: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in answer.items() if key not in {"id", "created_at", "caregiver_email"}}


def test_granting_consent_answers_the_same_whether_or_not_the_address_has_a_caregiver_account(
    client: TestClient,
    mailbox: Mailbox,
    factory: sessionmaker[Session],
    patient: Account,
    caregiver: Account,
    make_account: Callable[..., Account],
) -> None:
    other_patient = make_account("patient")
    headers = bearer(client, patient)
    answers = []
    for address in (caregiver.email, "nobody.yet@example.org", other_patient.email):
        response = client.post(
            "/api/v1/account/consents", headers=headers, json={"caregiver_email": address, "scope": "read"}
        )
        assert response.status_code == 201, response.text
        assert response.json()["caregiver_email"] == address
        answers.append(_comparable(response.json()))
    assert answers[0] == answers[1] == answers[2]
    listed = client.get("/api/v1/account/consents", headers=headers).json()
    assert [_comparable(c) for c in listed] == answers
    assert {c["caregiver_id"] for c in listed} == {None}
    # The page names the address typed for each, never an account.
    browser = TestClient(client.app)
    sign_in(browser, patient)
    page = browser.get("/account/consents").text
    assert all(address in page for address in (caregiver.email, "nobody.yet@example.org"))
    # The address without an account is invited; once it signs up as a caregiver, the consent counts.
    invitation = mailbox.wait_for("nobody.yet@example.org")[0]
    assert "invited you" in invitation["Subject"]
    body = {"email": "nobody.yet@example.org", "password": PASSWORD, "role": "caregiver"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    verify = mailbox.wait_for("nobody.yet@example.org", count=2)[-1]
    token = parse_qs(urlparse(mailbox.link(verify)).query)["token"][0]
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    with factory() as session:
        user = service.get_user_by_email(session, email="nobody.yet@example.org")
        assert user is not None
        acting = service.principal_for(session, user, second_factor=False)
        assert patient.id in acting.acting_for
        # The patient's address (not a caregiver) is never attached.
        unattached = session.scalars(
            select(CaregiverGrant).where(CaregiverGrant.invited_email == other_patient.email)
        ).one()
        assert unattached.caregiver_id is None


def test_a_read_only_token_reads_the_access_log_and_a_write_only_token_does_not(
    client: TestClient, patient: Account
) -> None:
    headers = bearer(client, patient)
    tokens = {}
    for scope in ("read", "write"):
        created = client.post(
            "/api/v1/account/tokens", headers=headers, json={"name": scope, "scopes": [scope]}
        )
        tokens[scope] = {"Authorization": f"Bearer {created.json()['token']}"}
    assert client.get("/api/v1/account/access-log", headers=tokens["read"]).status_code == 200
    assert client.get("/api/v1/account/access-log", headers=tokens["write"]).status_code in (403, 404)
    assert client.get("/account/access-log", headers=tokens["write"]).status_code in (403, 404)


def _form_token(client: TestClient, path: str = "/account") -> str:
    match = CSRF_FIELD.search(client.get(path).text)
    assert match
    return match.group(1)


def test_the_csrf_token_is_bound_to_the_session_and_renewed_at_sign_in(
    client: TestClient, patient: Account, caregiver: Account
) -> None:
    before = csrf_of(client)
    sign_in(client, patient)
    after = _form_token(client)
    assert after != before  # renewed at sign-in
    # A token seen before signing in (say, planted by someone who set the cookie) no longer works.
    refused = client.post(
        "/account/sessions/revoke-others", data={"csrf_token": before}, follow_redirects=False
    )
    assert refused.status_code == 403
    # The CSRF cookie and its token are worth nothing with another session: an attacker who knows one pair
    # (their own session's) cannot use it against a victim's session.
    attacker = TestClient(client.app)
    sign_in(attacker, caregiver)
    attacker_cookie = attacker.cookies.get(CSRF_COOKIE)
    attacker_token = _form_token(attacker)
    assert attacker_cookie
    client.cookies.set(CSRF_COOKIE, attacker_cookie)
    forged = client.post(
        "/account/sessions/revoke-others", data={"csrf_token": attacker_token}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert (
        client.post(
            "/account/sessions/revoke-others",
            data={"csrf_token": _form_token(client)},
            follow_redirects=False,
        ).status_code
        == 303
    )


def test_a_patient_cannot_make_onconav_mail_endless_invitations(client: TestClient, patient: Account) -> None:
    headers = bearer(client, patient)
    answers = [
        client.post(
            "/api/v1/account/consents",
            headers=headers,
            json={"caregiver_email": f"someone{number}@example.org", "scope": "read"},
        )
        for number in range(21)
    ]
    assert [answer.status_code for answer in answers[:20]] == [201] * 20
    assert answers[20].status_code == 429 and int(answers[20].headers["retry-after"]) > 0
