"""Accounts fixtures: a fresh migrated database per test on each backend, a keyring outside it, cheap
Argon2 parameters (the real ones are checked in test_passwords), users of every role in one line.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from onconav import migrate
from onconav.accounts import crypto, service, totp
from onconav.accounts.models import User
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import Base, create_db_engine, make_session_factory, unit_of_work
from onconav.models import import_all_models

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


_TEMPLATES: dict[str, str] = {}


def _migrated_template(backend: str, request: pytest.FixtureRequest, tmp_root: Path) -> str:
    """A database migrated once per run and backend; each test gets a copy (far faster than migrating)."""
    if backend not in _TEMPLATES:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_root / 'accounts-template.sqlite3'}"
        else:
            server = make_url(str(request.getfixturevalue("postgres_server")))
            name = f"onconav_accounts_template_{uuid.uuid4().hex[:8]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = server.set(database=name).render_as_string(hide_password=False)
        template_engine = create_db_engine(url)
        migrate.upgrade(template_engine)
        template_engine.dispose()
        _TEMPLATES[backend] = url
    return _TEMPLATES[backend]


_POSTGRES_ENGINES: dict[str, Engine] = {}


def _empty_all_tables(engine: Engine) -> None:
    """Every table emptied (PostgreSQL: one TRUNCATE) and the audit chain back at its start."""
    import_all_models()
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(
            text("INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, :zero)"), {"zero": "0" * 64}
        )


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path, demo_dir: Path) -> Iterator[Engine]:
    """A migrated database with no rows, on each backend: a copy of a migrated SQLite file, or one
    PostgreSQL database per run emptied before each test (creating databases costs seconds on disk)."""
    template = make_url(_migrated_template(backend, request, demo_dir))
    if backend == "sqlite":
        assert template.database
        target = tmp_path / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(template.database, target)
        migrated = create_db_engine(f"sqlite:///{target}")
        yield migrated
        migrated.dispose()
        return
    if backend not in _POSTGRES_ENGINES:
        _POSTGRES_ENGINES[backend] = create_db_engine(template.render_as_string(hide_password=False))
    shared = _POSTGRES_ENGINES[backend]
    _empty_all_tables(shared)
    yield shared


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


class Mailbox:
    """What a real local SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages to `to`, once at least `count` have arrived."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.to(to)) >= count, timeout=timeout)
        found = self.to(to)
        assert len(found) >= count, f"expected {count} message(s) to {to}, got {len(found)}"
        return found

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, message: EmailMessage) -> str:
        match = re.search(r"https?://\S+", self.body(message))
        assert match, self.body(message)
        return match.group(0)


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; onconav is configured to send through it."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ONCONAV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ONCONAV_SMTP_PORT", str(port))
    monkeypatch.setenv("ONCONAV_SMTP_FROM", "onconav <no-reply@onconav.test>")
    monkeypatch.setenv("ONCONAV_PUBLIC_URL", "http://testserver")
    get_settings.cache_clear()
    try:
        yield box
    finally:
        controller.stop()


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


def csrf_of(client: TestClient, path: str = "/sign-in") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


def sign_in(client: TestClient, account: Account) -> None:
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
