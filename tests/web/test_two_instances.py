"""Two `onconav serve` processes on one PostgreSQL, one keyring and one shared document store, driven
alternately by one client: what a signed-in person does on one machine holds on the other (issue 17, item 3).

Each server is a machine of its own: its own data folder and its own audit checkpoint file; only the
database, the keyring file and the documents folder are shared, as docs/deployment.md says.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import audit
from onconav.accounts.models import AuditEvent
from onconav.config import get_settings
from onconav.db import unit_of_work
from onconav.directory.models import Organization
from reliability.lab import VENV_BIN, Server
from reliability.traffic import pdf_bytes, sha256
from tests.support.accounts import PASSWORD, Account
from tests.support.mailbox import Mailbox

pytestmark = pytest.mark.postgres  # its database comes from `postgres_server`, asked for at run time

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
CHECKPOINT_EVERY = 7  # small, so that both servers anchor the head during the test
CONCURRENT_READS = 40  # per server


@pytest.fixture
def backend() -> str:
    """Several machines share PostgreSQL; SQLite is one machine's file."""
    return "postgresql"


@pytest.fixture
def servers(
    engine: Engine,
    factory: sessionmaker[Session],
    accounts_settings: Path,
    mailbox: Mailbox,
    tmp_path: Path,
) -> Iterator[tuple[Server, Server]]:
    """Servers A and B over this test's migrated database (migrated once, by the fixture; the servers'
    own start-up upgrade finds nothing to do), started side by side."""
    with unit_of_work(factory) as session:  # a directory that is not empty: no demo load at start-up
        session.add(Organization(name="Test Cancer Center", kind="cancer_center"))
    shared_documents = tmp_path / "shared-documents"
    pair = []
    for name in ("a", "b"):
        data_dir = tmp_path / name
        environment = {
            **os.environ,
            "ONCONAV_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "ONCONAV_DATA_DIR": str(data_dir),
            "ONCONAV_DOCUMENTS_DIR": str(shared_documents),
            "ONCONAV_AUDIT_CHECKPOINT_FILE": str(data_dir / "audit-checkpoints.jsonl"),
            "ONCONAV_AUDIT_CHECKPOINT_EVERY": str(CHECKPOINT_EVERY),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        pair.append(Server(environment, data_dir))
    try:
        for server in pair:
            server.start(wait=False)
        for server in pair:
            server.wait_until_serving()
        yield pair[0], pair[1]
    finally:
        for server in pair:
            server.stop()
    for server in pair:
        assert server.tracebacks() == 0, server.log_tail()


def form_token(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    match = CSRF_FIELD.search(page.text)
    assert match, page.text
    return match.group(1)


def test_two_servers_on_one_postgresql_act_as_one(
    servers: tuple[Server, Server],
    mailbox: Mailbox,
    make_account: Callable[..., Account],
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One test, so that the two servers start once (about 15 s each on a loaded machine)."""
    a, b = servers
    a_person_signed_in_on_one_server_is_signed_in_on_the_other(a, b, mailbox)
    sign_in_failures_are_counted_across_servers(a, b, make_account("patient"))
    concurrent_audit_appends_from_two_servers_leave_one_chain(
        a, b, make_account("patient"), factory, monkeypatch
    )


def a_person_signed_in_on_one_server_is_signed_in_on_the_other(
    a: Server, b: Server, mailbox: Mailbox
) -> None:
    email = "ana@example.org"
    with httpx.Client(timeout=60) as client:
        # Sign up on A, confirm the address on B.
        registered = client.post(
            a.url + "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": "Ana"},
        )
        assert registered.status_code == 202, registered.text
        token = mailbox.link(mailbox.wait_for(email, timeout=60)[0]).split("token=", 1)[1]
        assert client.post(b.url + "/api/v1/auth/verify-email", json={"token": token}).status_code == 200

        # Sign in through A's form (CSRF token of A's page); the session cookie works on B.
        signed_in = client.post(
            a.url + "/sign-in",
            data={
                "email": email,
                "password": PASSWORD,
                "next": "/account",
                "csrf_token": form_token(client, a.url + "/sign-in"),
            },
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        assert client.get(b.url + "/account", follow_redirects=False).status_code == 200

        # A form token from a page of A is accepted by B; a wrong one is refused by B.
        token_of_a = form_token(client, a.url + "/account")
        case_form = {"title": "Second opinion", "diagnosis": "stage II lung adenocarcinoma"}
        refused = client.post(
            b.url + "/cases", data={**case_form, "csrf_token": "0" * 64}, follow_redirects=False
        )
        assert refused.status_code == 403
        accepted = client.post(
            b.url + "/cases", data={**case_form, "csrf_token": token_of_a}, follow_redirects=False
        )
        assert accepted.status_code == 303, accepted.text

        # A bearer token from B (a script: no cookies); a case created on A, submitted on B, seen on A.
        client.cookies.clear()
        issued = client.post(b.url + "/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        created = client.post(a.url + "/api/v1/cases", json=case_form, headers=headers)
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        moved = client.post(
            b.url + f"/api/v1/cases/{case_id}/transitions", json={"action": "submit"}, headers=headers
        )
        assert moved.status_code == 200, moved.text
        assert (
            client.get(a.url + f"/api/v1/cases/{case_id}", headers=headers).json()["state"]
            == moved.json()["state"]
        )
        assert moved.json()["state"] != created.json()["state"]

        # A record uploaded on B is downloaded, intact, from A (the document store is shared).
        data = pdf_bytes("two instances")
        uploaded = client.post(
            b.url + f"/api/v1/cases/{case_id}/documents",
            files={"file": ("report.pdf", io.BytesIO(data), "application/pdf")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        content = client.get(a.url + f"/api/v1/documents/{uploaded.json()['id']}/content", headers=headers)
        assert content.status_code == 200
        assert sha256(content.content) == sha256(data) == uploaded.json()["sha256"]


def sign_in_failures_are_counted_across_servers(a: Server, b: Server, account: Account) -> None:
    limit = get_settings().login_max_failures
    with httpx.Client(timeout=60) as client:
        for attempt in range(limit):
            server = (a, b)[attempt % 2]
            wrong = client.post(
                server.url + "/api/v1/auth/token", json={"email": account.email, "password": "wrong"}
            )
            assert wrong.status_code == 401, wrong.text
        # Neither server alone saw `limit` failures; together they did: both refuse even the right password.
        for server in (a, b):
            throttled = client.post(
                server.url + "/api/v1/auth/token", json={"email": account.email, "password": PASSWORD}
            )
            assert throttled.status_code == 429, throttled.text
            assert int(throttled.headers["retry-after"]) > 0


def concurrent_audit_appends_from_two_servers_leave_one_chain(
    a: Server, b: Server, account: Account, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with httpx.Client(timeout=60) as client:
        issued = client.post(
            a.url + "/api/v1/auth/token", json={"email": account.email, "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        created = client.post(a.url + "/api/v1/cases", json={"title": "t", "diagnosis": "d"}, headers=headers)
        case_id = created.json()["id"]

    def read_case(server: Server) -> int:  # every read of a case is authorised and audited
        return httpx.get(server.url + f"/api/v1/cases/{case_id}", headers=headers, timeout=120).status_code

    with factory() as session:
        before = session.query(AuditEvent).count()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(read_case, [a, b] * CONCURRENT_READS))
    assert statuses == [200] * (2 * CONCURRENT_READS)

    with factory() as session:
        sequences = list(session.scalars(select(AuditEvent.sequence).order_by(AuditEvent.sequence)))
    assert len(sequences) >= before + 2 * CONCURRENT_READS
    assert sequences == list(range(1, len(sequences) + 1))  # contiguous: no fork, no gap

    # Each machine anchors the heads it committed in its own file; the chain agrees with each of them.
    checkpoint_files = [server.data_dir / "audit-checkpoints.jsonl" for server in (a, b)]
    assert any(path.exists() for path in checkpoint_files)
    for path in checkpoint_files:
        monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_FILE", str(path))
        get_settings.cache_clear()
        with factory() as session:
            report = audit.verify(session)
        assert report.intact, report.problems
        assert report.events == len(sequences)
    verified = subprocess.run(
        [str(VENV_BIN / "onconav"), "audit", "verify"],
        env=a.environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
