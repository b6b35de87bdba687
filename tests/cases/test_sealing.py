"""PHI free text of a case is encrypted at rest, on SQLite and PostgreSQL: the raw rows hold no plaintext of
the case, its notes, messages, review inputs or opinion; codes stay in clear; a changed or moved
ciphertext is refused with a clear 409 (never a 500, never wrong text); signatures still verify after
decryption; and every field still reads after `onconav keys rotate`."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from onconav.accounts import crypto
from onconav.accounts.models import DataKey
from onconav.cases import opinions, service
from onconav.cases.models import Case, CaseDocument, CaseEvent, CaseMessage, Opinion, ReviewInput
from onconav.cases.schemas import CaseCreate, OpinionContent, Reviewer
from onconav.cases.sealing import CaseDataDamaged
from onconav.cases.states import CaseRole
from onconav.cli import app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.storage import DocumentStore
from tests.cases.case_samples import make_pdf
from tests.support.accounts import Account

# Every secret below is a distinct word that cannot appear by chance in ciphertext, ids or codes.
SECRETS = {
    "title": "Quokkatitle case",
    "diagnosis": "Pleural mesothelioma, epithelioid, stage IB, Wombatdiagnosis",
    "plan": "Chemotherapy then Platypusplan surgery",
    "question": "Is Echidnaquestion surgery worth it?",
    "note": "Triaged by Numbatnote",
    "message": "Please send the Bilbymessage PET-CT",
    "review": "I agree, Dingoreview",
    "opinion": "Extended pleurectomy after Kookaburraopinion chemotherapy",
    "amendment": "Corrected the Wallabyamendment staging",
}
MARKERS = ("Quokka", "Wombat", "Platypus", "Echidna", "Numbat", "Bilby", "Dingo", "Kookaburra", "Wallaby")
TEAM = [
    Reviewer(user_id="dr-a", name="Dr. Ana Ruiz", credentials="MD"),
    Reviewer(user_id="dr-b", name="Dr. Ben Okafor", credentials="MD"),
]


def opinion_content(plan: str) -> OpinionContent:
    return OpinionContent(
        diagnosis_agreement="agree",
        diagnosis_comment="Confirmed (ñ, é kept).",
        staging="cT2 N0 M0",
        recommended_plan=plan,
        reviewers=TEAM,
    )


def full_case(session: Session) -> Case:
    """A case with every kind of free text: history notes, a message, a review input, a delivered opinion
    and its amendment."""
    case = service.create(
        session,
        patient_id="p",
        case_in=CaseCreate(
            title=SECRETS["title"],
            diagnosis=SECRETS["diagnosis"],
            treatment_plan=SECRETS["plan"],
            questions=[SECRETS["question"]],
        ),
    )
    service.perform(session, case=case, action="submit", actor_id="p", role=CaseRole.patient)
    service.perform(
        session, case=case, action="triage", actor_id="c", role=CaseRole.coordinator, note=SECRETS["note"]
    )
    service.perform(session, case=case, action="accept", actor_id="dr-a", role=CaseRole.specialist)
    service.perform(session, case=case, action="start_review", actor_id="dr-a", role=CaseRole.specialist)
    service.post_message(
        session, case=case, author_id="dr-a", author_role=CaseRole.specialist, body=SECRETS["message"]
    )
    service.add_review_input(
        session,
        case=case,
        author_id="dr-b",
        author_name="Dr. Ben Okafor",
        specialty="oncology",
        position="agree",
        body=SECRETS["review"],
    )
    draft = opinions.save_draft(
        session, case=case, content=opinion_content(SECRETS["opinion"]), author_id="dr-a"
    )
    for reviewer in TEAM:
        opinions.sign(session, opinion=draft, reviewer_id=reviewer.user_id)
    opinions.deliver(session, case=case, opinion=draft, actor_id="dr-a", role=CaseRole.specialist)
    amended = opinions.save_draft(
        session,
        case=case,
        content=opinion_content(SECRETS["opinion"] + " (amended)"),
        author_id="dr-a",
        amendment_reason=SECRETS["amendment"],
    )
    for reviewer in TEAM:
        opinions.sign(session, opinion=amended, reviewer_id=reviewer.user_id)
    opinions.deliver(session, case=case, opinion=amended, actor_id="dr-a", role=CaseRole.specialist)
    session.commit()
    return case


TABLES = ("case", "case_event", "case_message", "review_input", "opinion")


def raw_rows(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of the case tables exactly as the database holds it (plain SQL, no ORM)."""
    with engine.connect() as connection:
        return {
            table: [dict(row._mapping) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
            for table in TABLES
        }


def assert_case_reads(session: Session, case_id: str) -> None:
    """Everything reads back through the service exactly as written, and the signatures verify."""
    case = service.get_or_raise(session, case_id=case_id)
    read = service.to_read(session, case)
    assert (read.title, read.diagnosis, read.treatment_plan) == (
        SECRETS["title"],
        SECRETS["diagnosis"],
        SECRETS["plan"],
    )
    assert read.questions == [SECRETS["question"]]
    assert SECRETS["note"] in [event.note for event in read.events]
    assert [m.body for m in service.list_messages(session, case_id=case_id)] == [SECRETS["message"]]
    assert [r.body for r in service.list_review_inputs(session, case_id=case_id)] == [SECRETS["review"]]
    first, second = opinions.versions(session, case_id=case_id)
    assert opinions.to_read(first).content.recommended_plan == SECRETS["opinion"]
    assert second.amendment_reason == SECRETS["amendment"] and second.supersedes_id == first.id
    for version in (first, second):
        assert version.status == "delivered"
        assert opinions.unsigned_reviewers(version) == []
        digest = opinions.content_hash(OpinionContent.model_validate(version.content))
        assert digest == version.content_sha256
        assert {s["content_sha256"] for s in version.signatures} == {digest}


def test_raw_rows_hold_no_phi_and_everything_reads_back(session: Session, engine: Engine) -> None:
    case = full_case(session)
    rows = raw_rows(engine)
    assert [len(rows[table]) for table in TABLES] == [1, 6, 1, 1, 2]  # created, 4 actions, delivered
    dump = repr(rows)
    for marker in MARKERS:
        assert marker not in dump, f"{marker} stored in clear"
    (stored,) = rows["case"]
    for column in ("title", "diagnosis_text", "treatment_plan", "questions"):
        assert str(stored[column]).startswith("e1:"), column
    for table, column in (("case_message", "body"), ("review_input", "body"), ("opinion", "content")):
        assert all(str(row[column]).startswith("e1:") for row in rows[table])
    assert all(str(row["note"]).startswith("e1:") for row in rows["case_event"])
    # Codes and states stay in clear: suggestions and queues use them.
    assert case.condition is not None and stored["condition"] == case.condition
    assert stored["stage"] == case.stage and stored["state"] == "opinion_delivered"

    with Session(engine) as fresh:
        assert_case_reads(fresh, case.id)
    with Session(engine) as loader:
        detached = loader.get(Case, case.id)
    assert detached is not None and detached.title == SECRETS["title"]  # decrypted after the session closed


def _tamper(token: str) -> str:
    prefix, key_id, body = token.split(":", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[20] ^= 1
    return f"{prefix}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize(
    ("model", "column", "read"),
    [
        (Case, "title", lambda s, i: s.get(Case, i).title),
        (Case, "questions", lambda s, i: s.get(Case, i).questions),
        (CaseEvent, "note", lambda s, i: s.get(CaseEvent, i).note),
        (CaseMessage, "body", lambda s, i: s.get(CaseMessage, i).body),
        (ReviewInput, "body", lambda s, i: s.get(ReviewInput, i).body),
        (Opinion, "content", lambda s, i: opinions.to_read(s.get(Opinion, i))),
    ],
)
def test_changed_ciphertext_is_refused_clearly(
    session: Session, engine: Engine, model: type, column: str, read: Callable[[Session, str], object]
) -> None:
    full_case(session)
    table = model.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        row_id, token = connection.execute(select(table.c.id, table.c[column]).limit(1)).one()
        connection.execute(table.update().where(table.c.id == row_id).values({column: _tamper(token)}))
    crypto.forget_cached_keys()
    with Session(engine) as fresh, pytest.raises(CaseDataDamaged, match="integrity check") as raised:
        read(fresh, row_id)
    assert raised.value.status_code == 409


def test_changed_document_fields_are_refused_clearly(
    session: Session, engine: Engine, store: DocumentStore
) -> None:
    case = service.create(session, patient_id="p", case_in=CaseCreate(title="Docs", diagnosis="a"))
    document = service.add_document(
        session, store=store, case=case, uploaded_by="p", source=io.BytesIO(make_pdf()), filename="Quokka.pdf"
    )
    session.commit()
    table = CaseDocument.__table__
    with engine.begin() as connection:
        token = connection.execute(select(table.c.sealed).where(table.c.id == document.id)).scalar_one()
        assert "Quokka" not in token
        connection.execute(table.update().where(table.c.id == document.id).values(sealed=_tamper(token)))
    with Session(engine) as fresh, pytest.raises(CaseDataDamaged) as raised:
        service.document_private(fresh, service.get_document_or_raise(fresh, document_id=document.id))
    assert raised.value.status_code == 409


def test_ciphertext_moved_to_another_row_or_field_is_refused(session: Session, engine: Engine) -> None:
    first = service.create(session, patient_id="p", case_in=CaseCreate(title="First", diagnosis="a"))
    second = service.create(session, patient_id="p", case_in=CaseCreate(title="Second", diagnosis="b"))
    session.commit()
    table = Case.__table__
    with engine.begin() as connection:
        title = connection.execute(select(table.c.title).where(table.c.id == first.id)).scalar_one()
        connection.execute(table.update().where(table.c.id == second.id).values(title=title))
        connection.execute(table.update().where(table.c.id == first.id).values(diagnosis_text=title))
    with Session(engine) as fresh:
        with pytest.raises(CaseDataDamaged):
            _ = fresh.get(Case, second.id).title  # type: ignore[union-attr]
        with pytest.raises(CaseDataDamaged):
            _ = fresh.get(Case, first.id).diagnosis_text  # type: ignore[union-attr]
        assert fresh.get(Case, first.id).title == "First"  # type: ignore[union-attr]


def test_damaged_case_is_a_409_not_a_500(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient = person("patient")
    created = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": SECRETS["title"], "diagnosis": SECRETS["diagnosis"]},
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert api.get(f"/api/v1/cases/{case_id}", headers=patient.headers).json()["title"] == SECRETS["title"]
    table = Case.__table__
    with engine.begin() as connection:
        token = connection.execute(select(table.c.diagnosis_text).where(table.c.id == case_id)).scalar_one()
        assert "Wombatdiagnosis" not in token
        connection.execute(table.update().where(table.c.id == case_id).values(diagnosis_text=_tamper(token)))
    response = api.get(f"/api/v1/cases/{case_id}", headers=patient.headers)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "conflict" and "integrity check" in error["message"]
    assert "Wombat" not in response.text
    page = api.get(f"/cases/{case_id}", headers=patient.headers)
    assert page.status_code == 409 and "integrity check" in page.text


def test_fields_read_after_key_rotation(
    session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch, documents_dir: Path
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    case = full_case(session)
    before = {row.id: row.master_key_id for row in session.scalars(select(DataKey))}
    old_master = set(before.values())
    session.close()

    rotated = CliRunner().invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert f"{len(before)} data key(s) re-wrapped" in rotated.output
    assert "1 old master key(s) removed" in rotated.output
    assert not old_master & set(crypto.load_keyring().master_keys)  # the old master key is gone

    crypto.forget_cached_keys()
    with unit_of_work(make_session_factory(engine)) as fresh:
        assert_case_reads(fresh, case.id)
        case_again = service.get_or_raise(fresh, case_id=case.id)
        case_again.treatment_plan = "Revised after rotation"
    new_key = crypto.load_keyring().current
    with Session(engine) as fresh:
        keys = {row.id: row.master_key_id for row in fresh.scalars(select(DataKey))}
        assert set(keys.values()) == {new_key} and len(keys) == len(before) + 1
        token = fresh.scalars(select(Case.treatment_plan_sealed)).one()
        assert token.split(":")[1] not in before  # written under the data key started by the rotation
        assert fresh.get(Case, case.id).treatment_plan == "Revised after rotation"  # type: ignore[union-attr]
