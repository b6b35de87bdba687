"""Browser sessions: sign-in form with CSRF, cookie flags, idle and absolute timeouts, sign-out,
second factor step, HSTS over TLS; public pages stay public."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts.models import WebSession
from onconav.app import create_app
from onconav.db import unit_of_work, utcnow
from tests.support.accounts import Account, csrf_of, links_for, sign_in


def test_the_sign_in_cookie_is_strict_and_serves_pages_and_api_until_sign_out(
    client: TestClient, patient: Account
) -> None:
    assert client.get("/account", follow_redirects=False).headers["location"] == "/sign-in?next=%2Faccount"
    token = csrf_of(client)
    response = client.post(
        "/sign-in",
        data={"email": patient.email, "password": patient.password, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "onconav_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    page = client.get("/account")
    assert patient.email in page.text
    # The session works for the API too (reads need no CSRF token).
    assert client.get("/api/v1/account").json()["id"] == patient.id
    client.post("/sign-out", data={"csrf_token": csrf_of(client, "/account")})
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_csrf_required(client: TestClient, patient: Account) -> None:
    csrf_of(client)
    no_token = client.post("/sign-in", data={"email": patient.email, "password": patient.password})
    assert no_token.status_code == 403
    bad = client.post(
        "/sign-in", data={"email": patient.email, "password": patient.password, "csrf_token": "0" * 64}
    )
    assert bad.status_code == 403
    # A fresh client without the cookie is refused too, even with a token copied from elsewhere.
    other = TestClient(client.app)
    assert other.post("/sign-in", data={"csrf_token": csrf_of(client)}).status_code == 403
    # With a session cookie, API changes need the token in a header.
    sign_in(client, patient)
    tokens = "/api/v1/account/tokens"
    assert client.post(tokens, json={"name": "x", "scopes": ["read"]}).status_code == 403
    created = client.post(
        tokens, json={"name": "x", "scopes": ["read"]}, headers={"X-CSRF-Token": csrf_of(client, "/account")}
    )
    assert created.status_code == 201


def test_sessions_end_after_30_idle_minutes_and_at_their_expiry(
    client: TestClient, patient: Account, factory: sessionmaker[Session]
) -> None:
    sign_in(client, patient)
    assert client.get("/account").status_code == 200
    with unit_of_work(factory) as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert client.get("/account", follow_redirects=False).status_code == 303
    sign_in(client, patient)
    with unit_of_work(factory) as session:
        session.execute(
            update(WebSession).values(last_seen_at=utcnow(), expires_at=utcnow() - timedelta(seconds=1))
        )
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_nothing_protected_opens_before_the_second_factor_code(
    client: TestClient, coordinator: Account
) -> None:
    response = client.post(
        "/sign-in",
        data={"email": coordinator.email, "password": coordinator.password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/sign-in/second-factor")
    # Half signed in: nothing protected is reachable yet.
    assert client.get("/api/v1/account").status_code == 401
    wrong = client.post(
        "/sign-in/second-factor",
        data={"code": "000000", "csrf_token": csrf_of(client, "/sign-in/second-factor")},
    )
    assert wrong.status_code == 401
    sign_in(client, coordinator)
    assert client.get("/api/v1/account").json()["role"] == "coordinator"


def test_hsts_over_tls_only(app: FastAPI) -> None:
    with TestClient(app, base_url="https://onconav.example") as tls:
        response = tls.get("/sign-in")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in response.headers["set-cookie"]
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/sign-in").headers


def test_a_token_made_on_its_page_is_shown_once_and_other_browsers_can_be_signed_out(
    client: TestClient, engine: Engine, patient: Account
) -> None:
    other_browser = TestClient(create_app(engine))
    sign_in(other_browser, patient)
    sign_in(client, patient)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    created = client.post(
        "/account/tokens",
        data={"name": "my sync", "scope": "read", "days": "30", "csrf_token": csrf_of(client, "/account")},
    )
    secret = re.search(r"onc_[A-Za-z0-9_-]+", created.text)
    assert secret, created.text
    assert (
        client.get("/api/v1/account", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code
        == 200
    )
    assert "onc_" not in client.get("/account/tokens").text  # shown once only
    token_id = client.get("/api/v1/account/tokens").json()[0]["id"]
    revoked = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_of(client, "/account")},
        follow_redirects=False,
    )
    assert revoked.headers["location"] == "/account/tokens?done=revoked"
    assert (
        client.get("/api/v1/account", headers={"Authorization": f"Bearer {secret.group(0)}"}).status_code
        == 401
    )
    assert other_browser.get("/account").status_code == 200
    done = client.post(
        "/account/sessions/revoke-others",
        data={"csrf_token": csrf_of(client, "/account")},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account/sessions?done=revoked"
    assert other_browser.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/account").status_code == 200


def _sign_in_without_next(client: TestClient, account: Account, next_path: str = "") -> str:
    """Sign in through the form (and the code) as a person who clicked "Sign in"; where the browser lands."""
    response = client.post(
        "/sign-in",
        data={
            "email": account.email,
            "password": account.password,
            "next": next_path,
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    if account.totp_secret:
        step = response.headers["location"]
        assert step.startswith("/sign-in/second-factor?")
        response = client.post(
            "/sign-in/second-factor",
            data={
                "code": account.code(),
                "next": parse_qs(urlparse(step).query)["next"][0],
                "csrf_token": csrf_of(client, step),
            },
            follow_redirects=False,
        )
    landed = client.get(response.headers["location"], follow_redirects=False)
    return landed.headers["location"] if landed.status_code == 303 else response.headers["location"]


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("patient", "/cases"),
        ("caregiver", "/cases"),
        ("coordinator", "/cases/queue"),
        ("specialist", "/cases/workspace"),
        ("admin", "/account"),
    ],
)
def test_each_role_lands_on_its_home_after_sign_in_and_its_account_page_links_there(
    client: TestClient,
    make_account: Callable[..., Account],
    directory_links: dict[str, int],
    role: str,
    home: str,
) -> None:
    account = make_account(role, **links_for(role, directory_links))
    assert _sign_in_without_next(client, account) == home
    assert client.get(home).status_code == 200
    if home != "/account":
        assert f'href="{home}"' in client.get("/account").text


def test_a_safe_next_wins_over_the_role_home_and_keeps_its_whole_query(
    client: TestClient, coordinator: Account, patient: Account
) -> None:
    target = "/cases?condition=pleural-mesothelioma&stage=iv"
    assert _sign_in_without_next(client, patient, target) == target
    other = TestClient(client.app)
    # Through the second-factor step too: the query is not cut at its first "&".
    assert (
        _sign_in_without_next(other, coordinator, "/trials?condition=x&stage=IV")
        == "/trials?condition=x&stage=IV"
    )
    # Never elsewhere.
    third = TestClient(client.app)
    assert _sign_in_without_next(third, patient, "https://evil.example/") == "/cases"


def test_a_page_that_needs_sign_in_sends_the_reader_there_and_back_with_the_query(client: TestClient) -> None:
    asked = client.get("/cases?condition=pleural-mesothelioma&stage=iv", follow_redirects=False)
    assert asked.status_code == 303
    location = asked.headers["location"]
    assert parse_qs(urlparse(location).query)["next"] == ["/cases?condition=pleural-mesothelioma&stage=iv"]
    assert 'value="/cases?condition=pleural-mesothelioma&amp;stage=iv"' in client.get(location).text


def test_the_header_shows_every_journey_and_marks_the_current_one(
    client: TestClient, patient: Account
) -> None:
    page = client.get("/conditions").text
    header = page[page.index('<nav aria-label="Main"') : page.index("</nav>")]
    for href in ('href="/"', 'href="/conditions"', 'href="/trials"', 'href="/cases"', 'href="/sign-in"'):
        assert href in header
    assert re.search(r'href="/conditions" aria-current="true"', header)
    assert header.count("aria-current") == 1
    sign_in(client, patient)
    header = client.get("/account").text
    assert re.search(r'href="/account" aria-current="true">Your account<', header)
