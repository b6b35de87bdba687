"""Fixtures for the cases tests: a migrated database on both backends, a document store in a temporary
folder, and real files of every accepted kind, made by the formats' own libraries or shipped by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from accounts.conftest import Mailbox, mailbox  # noqa: F401  (the accounts' real SMTP server, shared)
from onconav import migrate
from onconav.accounts import crypto, totp
from onconav.accounts import service as accounts
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.directory.models import Practitioner
from onconav.storage import DocumentStore


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh documents folder and keyring, configured through the environment like in production,
    and cheap password hashing for the accounts the API tests create."""
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    monkeypatch.setenv("ONCONAV_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
    monkeypatch.setenv("ONCONAV_KEY_FILE", str(tmp_path / "keys" / "keyring.json"))
    monkeypatch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    crypto.forget_cached_keys()
    yield folder
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@pytest.fixture
def store(documents_dir: Path) -> DocumentStore:
    return DocumentStore(documents_dir)


@pytest.fixture
def cases_engine(empty_engine: Engine) -> Engine:
    """A migrated, empty database on each backend."""
    migrate.upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def session(cases_engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(cases_engine)
    with factory() as db_session:
        yield db_session


PASSWORD = "correct horse battery staple 42"


@dataclass
class Person:
    """A user made for a test, with a bearer header for the API."""

    id: str
    email: str
    role: str
    headers: dict[str, str]


@pytest.fixture
def api(cases_engine: Engine) -> Iterator[TestClient]:
    """The app over this test's database (with a practitioner for specialist accounts to link to)."""
    with unit_of_work(make_session_factory(cases_engine)) as session:
        session.add(Practitioner(id=1, given_name="Ana", family_name="Ruiz", languages=["en"], is_demo=True))
    with TestClient(create_app(cases_engine)) as client:
        yield client


@pytest.fixture
def person(api: TestClient, cases_engine: Engine) -> Callable[..., Person]:
    """`person("specialist")`: a verified account of that role (with TOTP where required), signed in."""
    counter = iter(range(1, 10_000))

    def make(role: str = "patient", name: str | None = None) -> Person:
        number = next(counter)
        email = f"{role}{number}@example.org"
        links = {"practitioner_id": 1} if role == "specialist" else {}
        with unit_of_work(make_session_factory(cases_engine)) as session:
            user = accounts.create_user(
                session,
                email=email,
                password=PASSWORD,
                role=role,
                verified=True,
                display_name=name or f"{role.title()} {number}",
                **links,  # type: ignore[arg-type]
            )
            secret = None
            if role in {"coordinator", "specialist", "center_staff", "admin"}:
                secret = accounts.begin_totp_enrolment(session, user=user)
                user.totp_enabled_at = user.created_at
            user_id = user.id
        body = {"email": email, "password": PASSWORD}
        if secret:
            body["totp"] = totp.code_at(secret, totp.current_step())
        response = api.post("/api/v1/auth/token", json=body)
        assert response.status_code == 200, response.text
        return Person(user_id, email, role, {"Authorization": f"Bearer {response.json()['access_token']}"})

    return make
