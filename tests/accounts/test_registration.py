"""Sign-up, e-mail verification, password reset and change, deletion: through the API and the pages,
with a real SMTP server; no answer tells whether an address has an account; mails carry no medical content."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import audit
from onconav.accounts.models import AuditEvent, User
from onconav.config import get_settings
from tests.support.accounts import PASSWORD, Account, bearer, csrf_of, sign_in
from tests.support.mailbox import Mailbox


def _token(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def test_an_api_sign_up_signs_in_only_after_its_mailed_link_is_used_once(
    client: TestClient, mailbox: Mailbox
) -> None:
    body = {"email": "new.patient@example.org", "password": PASSWORD, "display_name": "Ana"}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 202
    # Not active before the address is confirmed.
    login = {"email": body["email"], "password": PASSWORD}
    assert client.post("/api/v1/auth/token", json=login).status_code == 401
    (message,) = mailbox.wait_for("new.patient@example.org")
    assert message["From"] == "onconav <no-reply@onconav.test>"
    link = mailbox.link(message)
    assert link.startswith("http://testserver/verify-email?token=")
    verified = client.post("/api/v1/auth/verify-email", json={"token": _token(link)})
    assert verified.status_code == 200
    assert client.post("/api/v1/auth/token", json=login).status_code == 200
    # A link works once.
    assert client.post("/api/v1/auth/verify-email", json={"token": _token(link)}).status_code == 422


def test_no_enumeration_through_sign_up_or_reset(
    client: TestClient, mailbox: Mailbox, make_account: Callable[..., Account]
) -> None:
    existing = make_account("patient")
    taken = client.post("/api/v1/auth/register", json={"email": existing.email, "password": PASSWORD})
    free = client.post("/api/v1/auth/register", json={"email": "free@example.org", "password": PASSWORD})
    assert taken.status_code == free.status_code == 202
    assert taken.json() == free.json()
    # The owner of the taken address is told; the account is unchanged.
    (warning,) = mailbox.wait_for(existing.email)
    assert "already" in mailbox.body(warning)
    assert (
        client.post("/api/v1/auth/token", json={"email": existing.email, "password": PASSWORD}).status_code
        == 200
    )
    known = client.post("/api/v1/auth/password-reset", json={"email": existing.email})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    mailbox.wait_for(existing.email, count=2)
    assert mailbox.to("nobody@example.org") == []


def test_sign_up_refuses_bad_input_clearly(client: TestClient) -> None:
    weak = client.post("/api/v1/auth/register", json={"email": "a@example.org", "password": "password1234"})
    assert weak.status_code == 422
    assert "leaked" in weak.json()["error"]["message"]
    bad_email = client.post("/api/v1/auth/register", json={"email": "not-an-address", "password": PASSWORD})
    assert bad_email.status_code == 422
    staff = client.post(
        "/api/v1/auth/register", json={"email": "b@example.org", "password": PASSWORD, "role": "admin"}
    )
    assert staff.status_code == 422


def test_password_reset_ends_sessions(client: TestClient, mailbox: Mailbox, patient: Account) -> None:
    old_token = bearer(client, patient)
    assert client.post("/api/v1/auth/password-reset", json={"email": patient.email}).status_code == 202
    (message,) = mailbox.wait_for(patient.email)
    new_password = "a different long passphrase 7"
    confirm = {"token": _token(mailbox.link(message)), "password": new_password}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    assert client.get("/api/v1/account", headers=old_token).status_code == 401
    assert (
        client.post("/api/v1/auth/token", json={"email": patient.email, "password": PASSWORD}).status_code
        == 401
    )
    login = {"email": patient.email, "password": new_password}
    assert client.post("/api/v1/auth/token", json=login).status_code == 200
    changed = mailbox.wait_for(patient.email, count=2)[-1]
    assert "password" in changed["Subject"].lower()


def test_sign_up_pages_and_mails_speak_spanish_through_confirmation(
    client: TestClient, mailbox: Mailbox
) -> None:
    client.cookies.set("onconav_lang", "es")
    page = client.get("/sign-up")
    assert "Crear una cuenta" in page.text
    form = {
        "email": "cuidadora@example.org",
        "display_name": "Lucía",
        "role": "caregiver",
        "password": PASSWORD,
        "csrf_token": csrf_of(client, "/sign-up"),
    }
    done = client.post("/sign-up", data=form)
    assert done.status_code == 200
    assert "Revise su correo" in done.text
    (message,) = mailbox.wait_for("cuidadora@example.org")
    assert "Confirme" in message["Subject"]
    link = urlparse(mailbox.link(message))
    confirm_page = client.get(f"{link.path}?{link.query}")
    assert "Confirmar mi dirección" in confirm_page.text
    verified = client.post(
        "/verify-email",
        data={"token": _token(mailbox.link(message)), "csrf_token": csrf_of(client, "/sign-up")},
        follow_redirects=False,
    )
    assert verified.headers["location"] == "/sign-in?done=verified"


def test_settings_pages_change_the_password_and_delete_the_account_keeping_the_audit_trail(
    client: TestClient, mailbox: Mailbox, patient: Account, factory: sessionmaker[Session]
) -> None:
    sign_in(client, patient)
    for path in (
        "/account",
        "/account/password",
        "/account/sessions",
        "/account/consents",
        "/account/access-log",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store"
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "x", "csrf_token": csrf_of(client, "/account")},
    )
    assert wrong.status_code == 422
    new_password = "another quite long passphrase 9"
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": new_password,
            "csrf_token": csrf_of(client, "/account"),
        },
        follow_redirects=False,
    )
    assert changed.headers["location"] == "/account?done=password"
    assert client.get("/account").status_code == 200  # this session stays
    deleted = client.post(
        "/account/delete",
        data={"password": new_password, "csrf_token": csrf_of(client, "/account")},
        follow_redirects=False,
    )
    assert deleted.headers["location"] == "/about/privacy?done=deleted"
    assert client.get("/account", follow_redirects=False).status_code == 303
    with factory() as session:
        user = session.get(User, patient.id)
        assert user is not None and user.deleted_at is not None
        assert patient.email not in user.email and user.password_hash is None
        # The audit trail is kept, and still verifies.
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == patient.id)).all()
        assert {"account.create", "account.delete"} <= {e.event_type for e in events}
        assert audit.verify(session).intact
    farewell = mailbox.wait_for(patient.email, count=2)[-1]
    assert "deleted" in farewell["Subject"]
    # The address can be used again.
    again = client.post("/api/v1/auth/register", json={"email": patient.email, "password": PASSWORD})
    assert again.status_code == 202


def test_an_unenrolled_coordinator_must_enrol_an_authenticator_before_the_account_opens(
    client: TestClient, mailbox: Mailbox, make_account: Callable[..., Account]
) -> None:
    from onconav.accounts import totp

    staff = make_account("coordinator", second_factor=False)
    response = client.post(
        "/sign-in",
        data={"email": staff.email, "password": staff.password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/account/second-factor"
    assert client.get("/account", follow_redirects=False).status_code == 303  # not before enrolment
    page = client.get("/account/second-factor")
    shown = page.text.split('id="totp-secret"')[1].split("</code>")[0]
    secret = "".join(re.findall(r"<span>([A-Z2-7]+)</span>", shown))
    code = totp.code_at(secret, totp.current_step())
    done = client.post(
        "/account/second-factor",
        data={"code": code, "csrf_token": csrf_of(client, "/sign-in")},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account?done=second_factor"
    assert client.get("/account").status_code == 200
    (message,) = mailbox.wait_for(staff.email)
    assert "second factor" in message["Subject"]


def test_mails_never_carry_medical_words(mailbox: Mailbox) -> None:
    from onconav.accounts import notify

    for kind in notify.MESSAGES:
        for locale in ("en", "es"):
            text = notify.compose(notify.Notification(kind, "x@example.org", locale, "http://l/")).as_string()
            for word in ("diagnos", "cancer", "cáncer", "tumor", "patholog", "scan", "opinion"):
                assert word not in text.lower(), (kind, locale, word)


def test_consent_changes_are_mailed_to_both(
    client: TestClient, mailbox: Mailbox, patient: Account, caregiver: Account
) -> None:
    headers = bearer(client, patient)
    body = {"caregiver_email": caregiver.email, "scope": "write"}
    grant = client.post("/api/v1/account/consents", headers=headers, json=body).json()
    assert mailbox.wait_for(patient.email)[0]["Subject"] == "Who may act for you on onconav has changed"
    assert "changed" in mailbox.wait_for(caregiver.email)[0]["Subject"]
    assert client.delete(f"/api/v1/account/consents/{grant['id']}", headers=headers).status_code == 204
    mailbox.wait_for(patient.email, count=2)
    mailbox.wait_for(caregiver.email, count=2)


def _without_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCONAV_SMTP_HOST", raising=False)
    get_settings.cache_clear()


def test_without_a_mail_server_sign_up_and_reset_never_claim_to_have_sent_mail(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, patient: Account
) -> None:
    _without_mail_server(monkeypatch)
    before = client.get("/sign-up").text
    assert "cannot send e-mail" in before
    form = {
        "email": "no.mail@example.org",
        "role": "patient",
        "password": PASSWORD,
        "csrf_token": csrf_of(client, "/sign-up"),
    }
    signed_up = client.post("/sign-up", data=form)
    assert signed_up.status_code == 200
    assert "we sent a message" not in signed_up.text
    assert "No e-mail was sent" in signed_up.text
    assert "ONCONAV_SMTP_HOST" in signed_up.text  # what the operator sets
    assert "create your account for you" in signed_up.text  # what the person can do
    reset_page = client.get("/password-reset").text
    assert "We will send a link" not in reset_page
    reset = client.post(
        "/password-reset", data={"email": patient.email, "csrf_token": csrf_of(client, "/password-reset")}
    )
    assert "we sent a message" not in reset.text
    assert "ONCONAV_SMTP_HOST" in reset.text
    assert "reset link again" in reset.text


def test_with_a_mail_server_sign_up_says_to_check_the_mail_it_sent(
    client: TestClient, mailbox: Mailbox
) -> None:
    assert "cannot send e-mail" not in client.get("/sign-up").text
    form = {
        "email": "with.mail@example.org",
        "role": "patient",
        "password": PASSWORD,
        "csrf_token": csrf_of(client, "/sign-up"),
    }
    signed_up = client.post("/sign-up", data=form)
    assert "we sent a message" in signed_up.text
    assert "ONCONAV_SMTP_HOST" not in signed_up.text
    mailbox.wait_for("with.mail@example.org")
