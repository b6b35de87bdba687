"""Users of any role in one line, signed in in one line.

`make_account("coordinator")` (or the `patient`, `caregiver`, `coordinator`, `specialist` fixtures) makes a
verified account in this test's database, with an authenticator app enrolled for the roles that need one;
`person("specialist")` does the same and signs it in through the API. Then `bearer(client, account)` gives
the API's Authorization header, `sign_in(client, account)` signs in through the pages (form, cookie, second
factor), `signed_in_browser(client, factory, account)` gives another browser already signed in, and
`session_cookie(factory, account)` the cookie for a real browser. `accounts_settings` puts a keyring in the
test's own folder and makes password hashing cheap (the real cost is checked in tests/accounts); every test
gets its own audit checkpoint file (`audit_checkpoint_file`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import crypto, service, totp
from onconav.config import get_settings
from onconav.db import unit_of_work
from onconav.web.dependencies import SESSION_COOKIE

PASSWORD = "correct horse battery staple 42"
SECOND_FACTOR_ROLES = {"coordinator", "specialist", "center_staff", "admin"}
# The directory record a role's account is linked to (see `directory_links`).
ROLE_LINKS = {"specialist": "practitioner_id", "center_staff": "organization_id"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture(autouse=True)
def audit_checkpoint_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test anchors its audit log in a checkpoint file of its own (production: the data directory),
    so that no test reads another's checkpoints."""
    path = tmp_path / "audit-checkpoints.jsonl"
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_FILE", str(path))
    get_settings.cache_clear()
    return path


@pytest.fixture
def accounts_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A keyring in the test's own folder (its path; the file is made on first use) and fast hashing."""
    key_file = tmp_path / "keys" / "keyring.json"
    monkeypatch.setenv("ONCONAV_KEY_FILE", str(key_file))
    monkeypatch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    crypto.forget_cached_keys()
    yield key_file
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@dataclass
class Account:
    """A user made for a test, with what is needed to sign in as them."""

    id: str
    email: str
    role: str
    password: str = PASSWORD
    totp_secret: str | None = None
    last_step: int = -1
    headers: dict[str, str] = field(default_factory=dict)  # the API's Authorization header, once signed in

    def code(self) -> str:
        """A code not used yet (a code is accepted once; the next step is within the allowed drift)."""
        assert self.totp_secret is not None
        step = max(totp.current_step(), self.last_step + 1)
        self.last_step = step
        return totp.code_at(self.totp_secret, step)


@pytest.fixture
def make_account(factory: sessionmaker[Session]) -> Callable[..., Account]:
    """`make_account(role, name=..., second_factor=..., practitioner_id=...)`: a verified account; TOTP
    enrolled when `second_factor` (default: for the roles that need it)."""
    counter = iter(range(1, 10_000))

    def make(
        role: str = "patient",
        *,
        email: str | None = None,
        name: str | None = None,
        second_factor: bool | None = None,
        **links: int,
    ) -> Account:
        number = next(counter)
        address = email or f"{role}{number}@example.org"
        with unit_of_work(factory) as session:
            user = service.create_user(
                session,
                email=address,
                password=PASSWORD,
                role=role,
                verified=True,
                display_name=name or f"{role} {number}",
                **links,
            )
            secret = None
            if second_factor or (second_factor is None and role in SECOND_FACTOR_ROLES):
                secret = service.begin_totp_enrolment(session, user=user)
                user.totp_enabled_at = user.created_at
            return Account(user.id, address, role, totp_secret=secret)

    return make


@pytest.fixture
def directory_links(factory: sessionmaker[Session]) -> dict[str, int]:
    """One organization and one practitioner in the directory, for staff and specialist accounts."""
    from onconav.directory.models import Organization, Practitioner

    with unit_of_work(factory) as session:
        organization = Organization(name="Test Cancer Center", kind="cancer_center")
        practitioner = Practitioner(given_name="Rosa", family_name="Test")
        session.add_all([organization, practitioner])
        session.flush()
        return {"organization_id": organization.id, "practitioner_id": practitioner.id}


def links_for(role: str, directory_links: dict[str, int]) -> dict[str, int]:
    """The directory record an account of `role` must be linked to, if any."""
    key = ROLE_LINKS.get(role)
    return {key: directory_links[key]} if key else {}


@pytest.fixture
def patient(make_account: Callable[..., Account]) -> Account:
    return make_account("patient")


@pytest.fixture
def caregiver(make_account: Callable[..., Account]) -> Account:
    return make_account("caregiver")


@pytest.fixture
def coordinator(make_account: Callable[..., Account]) -> Account:
    return make_account("coordinator")


@pytest.fixture
def specialist(make_account: Callable[..., Account], directory_links: dict[str, int]) -> Account:
    return make_account("specialist", **links_for("specialist", directory_links))


@pytest.fixture
def person(
    client: TestClient, make_account: Callable[..., Account], directory_links: dict[str, int]
) -> Callable[..., Account]:
    """`person("specialist", "Dr. Ana Ruiz")`: a verified account of that role (with TOTP where required,
    linked to the directory where required), signed in through the API (`account.headers`)."""

    def make(role: str = "patient", name: str | None = None) -> Account:
        account = make_account(role, name=name, **links_for(role, directory_links))
        bearer(client, account)
        return account

    return make


def bearer(client: TestClient, account: Account) -> dict[str, str]:
    """Authorization header for `account`, from POST /api/v1/auth/token (also kept as `account.headers`)."""
    body: dict[str, str] = {"email": account.email, "password": account.password}
    if account.totp_secret:
        body["totp"] = account.code()
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    account.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return account.headers


def csrf_of(client: TestClient, path: str = "/sign-in") -> str:
    """The anti-forgery token of the form on the page at `path`."""
    page = client.get(path)
    match = CSRF_FIELD.search(page.text)
    assert match, page.text
    return match.group(1)


def sign_in(client: TestClient, account: Account) -> None:
    """Sign in through the sign-in form (and the second-factor step): `client` then holds the cookie."""
    response = client.post(
        "/sign-in",
        data={
            "email": account.email,
            "password": account.password,
            "next": "/account",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    if account.totp_secret:
        assert response.headers["location"].startswith("/sign-in/second-factor")
        response = client.post(
            "/sign-in/second-factor",
            data={
                "code": account.code(),
                "next": "/account",
                "csrf_token": csrf_of(client, response.headers["location"]),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"


def session_cookie(
    factory: sessionmaker[Session], account: Account, *, second_factor_done: bool = True
) -> str:
    """The value of a session cookie for `account`, started directly (no form, no code)."""
    with unit_of_work(factory) as session:
        user = service.get_user_or_raise(session, user_id=account.id)
        return service.start_session(session, user=user, second_factor_done=second_factor_done).secret


def signed_in_browser(
    client: TestClient, factory: sessionmaker[Session], account: Account
) -> tuple[TestClient, str]:
    """Another browser of `client`'s app, signed in as `account` (session cookie), and its CSRF form token."""
    browser = TestClient(client.app)
    browser.cookies.set(SESSION_COOKIE, session_cookie(factory, account))
    page = browser.get("/account", follow_redirects=False)
    assert page.status_code == 200, (account.role, page.status_code)
    match = CSRF_FIELD.search(page.text)
    assert match, page.text
    return browser, match.group(1)
