"""What the scenarios send: patients made in the database, signed in through the API, writing cases,
messages and PDF records; a ledger of every write the server acknowledged and of every one it did not.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import threading
from dataclasses import dataclass, field

import httpx

from reliability.lab import PASSWORD

SEARCHES = (
    "/api/v1/search?q=lobectomy&near=Chicago,%20IL",
    "/api/v1/search?q=lung%20cancer&near=New%20York,%20NY",
    "/api/v1/search?q=breast%20cancer&near=Houston,%20TX",
    "/api/v1/search?q=metastasectomy&near=Ukiah,%20CA",
)
_counter = itertools.count(1)


def make_patients(database_url: str, count: int, *, prefix: str = "patient") -> list[str]:
    """`count` verified patient accounts in the database at `database_url`: their e-mail addresses."""
    from onconav.accounts import service
    from onconav.db import create_db_engine, make_session_factory, unit_of_work

    engine = create_db_engine(database_url)
    emails = [f"{prefix}{next(_counter)}-{id(engine) % 10_000}@example.org" for _ in range(count)]
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            for email in emails:
                service.create_user(
                    session, email=email, password=PASSWORD, role="patient", verified=True, display_name=email
                )
    finally:
        engine.dispose()
    return emails


def bearer(base_url: str, email: str) -> dict[str, str]:
    """The Authorization header of a patient, from POST /api/v1/auth/token."""
    answer = httpx.post(
        base_url + "/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=60
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def pdf_bytes(label: str) -> bytes:
    """A small real PDF whose bytes (and so hash) are this label's own."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=11)
    document.multi_cell(0, 6, f"Pathology report {label}. Findings: adenocarcinoma, margins clear. " * 8)
    return bytes(document.output())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Ledger:
    """Writes sent, by whether the server acknowledged them (2xx with the new id) or not."""

    cases: dict[str, str] = field(default_factory=dict)  # acknowledged: id -> title
    messages: dict[str, list[str]] = field(default_factory=dict)  # acknowledged: case id -> bodies
    documents: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (case id, sha256)
    unacknowledged: int = 0
    statuses: dict[int, int] = field(default_factory=dict)  # answers by status (0: no answer)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def acknowledged(self) -> int:
        return len(self.cases) + sum(len(bodies) for bodies in self.messages.values()) + len(self.documents)


def _send(
    client: httpx.Client, ledger: Ledger, method: str, path: str, **options: object
) -> httpx.Response | None:
    try:
        answer = client.request(method, path, **options)  # type: ignore[arg-type]
    except httpx.HTTPError:
        ledger.count(0)
        with ledger.lock:
            ledger.unacknowledged += 1
        return None
    ledger.count(answer.status_code)
    if answer.status_code >= 300:
        with ledger.lock:
            ledger.unacknowledged += 1
        return None
    return answer


def write_case_round(client: httpx.Client, ledger: Ledger, label: str, *, with_document: bool = True) -> None:
    """A case, a message on it and (optionally) a PDF record: each acknowledged one goes in the ledger."""
    title = f"Case {label}"
    created = _send(
        client,
        ledger,
        "POST",
        "/api/v1/cases",
        json={"title": title, "diagnosis": "stage II lung adenocarcinoma"},
    )
    if created is None:
        return
    case_id = created.json()["id"]
    with ledger.lock:
        ledger.cases[case_id] = title
        ledger.messages.setdefault(case_id, [])
    body = f"Message {label}"
    if _send(client, ledger, "POST", f"/api/v1/cases/{case_id}/messages", data={"body": body}) is not None:
        with ledger.lock:
            ledger.messages[case_id].append(body)
    if not with_document:
        return
    data = pdf_bytes(label)
    files = {"file": (f"report-{label}.pdf", io.BytesIO(data), "application/pdf")}
    uploaded = _send(client, ledger, "POST", f"/api/v1/cases/{case_id}/documents", files=files)
    if uploaded is not None:
        document = uploaded.json()
        with ledger.lock:
            ledger.documents[document["id"]] = (case_id, sha256(data))


def verify_ledger(
    base_url: str,
    headers_by_case: dict[str, dict[str, str]],
    ledger: Ledger,
    *,
    through: httpx.Client | None = None,
) -> list[str]:
    """Every acknowledged write present and intact; every record the server shows (acknowledged or not)
    complete: a case that opens, documents whose bytes match their hash. `through`: a client to use
    instead of a new one on `base_url` (an in-process TestClient)."""
    problems: list[str] = []
    with (
        contextlib.nullcontext(through) if through else httpx.Client(base_url=base_url, timeout=60) as client
    ):
        for case_id, title in ledger.cases.items():
            headers = headers_by_case[case_id]
            answer = client.get(f"/api/v1/cases/{case_id}", headers=headers)
            if answer.status_code != 200 or answer.json().get("title") != title:
                problems.append(f"acknowledged case {case_id} is missing or changed ({answer.status_code})")
                continue
            listed = client.get(f"/api/v1/cases/{case_id}/messages", headers=headers).json()
            bodies = {message["body"] for message in listed}
            problems.extend(
                f"acknowledged message {body!r} is missing"
                for body in ledger.messages.get(case_id, [])
                if body not in bodies
            )
        for document_id, (case_id, digest) in ledger.documents.items():
            content = client.get(f"/api/v1/documents/{document_id}/content", headers=headers_by_case[case_id])
            if content.status_code != 200 or sha256(content.content) != digest:
                problems.append(
                    f"acknowledged document {document_id} is missing or altered ({content.status_code})"
                )
        seen: set[str] = set()
        for headers in headers_by_case.values():
            if headers["Authorization"] in seen:
                continue
            seen.add(headers["Authorization"])
            problems.extend(_every_case_complete(client, headers))
    return problems


def _every_case_complete(client: httpx.Client, headers: dict[str, str]) -> list[str]:
    """Whatever the server lists (acknowledged or not) opens, and every listed document is intact."""
    problems = []
    for case in client.get("/api/v1/cases", headers=headers).json():
        if client.get(f"/api/v1/cases/{case['id']}", headers=headers).status_code != 200:
            problems.append(f"case {case['id']} is listed but does not open")
        for document in client.get(f"/api/v1/cases/{case['id']}/documents", headers=headers).json():
            content = client.get(f"/api/v1/documents/{document['id']}/content", headers=headers)
            if content.status_code != 200 or sha256(content.content) != document["sha256"]:
                problems.append(f"document {document['id']} is listed but not intact ({content.status_code})")
    return problems


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]
