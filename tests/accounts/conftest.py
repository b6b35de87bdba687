"""Accounts fixtures: a fresh migrated database per test on each backend, a keyring outside it, cheap
Argon2 parameters (the real ones are checked in test_passwords), users of every role in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav import migrate
from onconav.accounts import crypto, service, totp
from onconav.accounts.models import User
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def accounts_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A keyring in the test's own folder and fast password hashing."""
    key_file = tmp_path / "keys" / "keyring.json"
    monkeypatch.setenv("ONCONAV_KEY_FILE", str(key_file))
    monkeypatch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    crypto.forget_cached_keys()
    yield key_file
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A new, migrated database on each backend."""
    migrate.upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@dataclass
class Account:
    """A user made for a test, with what is needed to sign in as them."""

    id: str
    email: str
    role: str
    password: str = PASSWORD
    totp_secret: str | None = None
    last_step: int = -1

    def code(self) -> str:
        """A code not used yet (a code is accepted once; the next step is within the allowed drift)."""
        assert self.totp_secret is not None
        step = max(totp.current_step(), self.last_step + 1)
        self.last_step = step
        return totp.code_at(self.totp_secret, step)


@pytest.fixture
def make_account(factory: sessionmaker[Session]) -> Callable[..., Account]:
    """A verified account of `role`; TOTP enrolled when `second_factor` (default: the roles that need it)."""
    counter = iter(range(1, 10_000))

    def make(
        role: str = "patient", *, email: str | None = None, second_factor: bool | None = None, **links: int
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
                display_name=f"{role} {number}",
                **links,
            )
            secret = None
            if second_factor or (
                second_factor is None and role in {"coordinator", "specialist", "center_staff", "admin"}
            ):
                secret = service.begin_totp_enrolment(session, user=user)
                user.totp_enabled_at = user.created_at
            return Account(user.id, address, role, totp_secret=secret)

    return make


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The app over this test's database (overrides the demo-directory client)."""
    with TestClient(create_app(engine)) as test_client:
        yield test_client


def bearer(client: TestClient, account: Account) -> dict[str, str]:
    """Authorization header for `account`, from POST /api/v1/auth/token."""
    body: dict[str, str] = {"email": account.email, "password": account.password}
    if account.totp_secret:
        body["totp"] = account.code()
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def get_user(factory: sessionmaker[Session], user_id: str) -> User:
    with unit_of_work(factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user
