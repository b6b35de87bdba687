"""Cases and documents through the service, on SQLite and PostgreSQL: drafts understood by the knowledge
base, timestamped state history, the coordinator queue by due date, and uploads that are stored whole or
not at all."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onconav.cases import service
from onconav.cases.formats import RejectedFile
from onconav.cases.models import CaseDocument, CaseEvent
from onconav.cases.schemas import CaseCreate
from onconav.cases.states import CaseRole, CaseState, InvalidTransition, Urgency
from onconav.errors import InvalidInput
from onconav.storage import DocumentDamaged, DocumentStore
from tests.cases.case_samples import dicom_file, make_pdf, make_png

OWNER = "patient-1"


def new_case(session: Session, urgency: Urgency = Urgency.routine, title: str = "My case") -> object:
    return service.create(
        session,
        patient_id=OWNER,
        case_in=CaseCreate(
            title=title,
            diagnosis="Stage IV epithelioid pleural mesothelioma",
            treatment_plan="Carboplatin and pemetrexed",
            questions=["Am I a candidate for surgery?"],
            urgency=urgency,
        ),
    )


def test_create_understands_the_diagnosis_and_records_history(session: Session) -> None:
    case = new_case(session)
    session.commit()
    assert len(case.id) == 32 and case.state == "draft"
    assert case.condition == "pleural-mesothelioma" and case.stage == "IV"
    service.perform(session, case=case, action="submit", actor_id=OWNER, role=CaseRole.patient)
    service.perform(
        session, case=case, action="triage", actor_id="coord", role=CaseRole.coordinator, note="ok"
    )
    session.commit()
    read = service.to_read(session, service.get_or_raise(session, case_id=case.id))
    assert [e.to_state for e in read.events] == [CaseState.draft, CaseState.submitted, CaseState.triaged]
    assert read.events[2].from_state == CaseState.submitted and read.events[2].note == "ok"
    assert read.submitted_at is not None and read.opinion_due_at is not None
    assert [c.id for c in service.list_for_user(session, user_id=OWNER)] == [case.id]
    assert service.list_for_user(session, user_id="someone-else") == []


def test_illegal_transition_changes_nothing(session: Session) -> None:
    case = new_case(session)
    session.commit()
    with pytest.raises(InvalidTransition):
        service.perform(session, case=case, action="accept", actor_id="dr", role=CaseRole.specialist)
    session.rollback()
    with pytest.raises(InvalidTransition, match="A coordinator cannot"):
        service.change_state(
            session, case=case, target=CaseState.submitted, actor_id="x", role=CaseRole.coordinator
        )
    session.rollback()
    assert service.get_or_raise(session, case_id=case.id).state == "draft"
    assert session.scalar(select(func.count()).select_from(CaseEvent)) == 1


def test_the_queue_lists_submitted_cases_by_due_date_and_flags_the_overdue(session: Session) -> None:
    routine = new_case(session, Urgency.routine, "routine")
    urgent = new_case(session, Urgency.urgent, "urgent")
    draft = new_case(session, Urgency.urgent, "still a draft")
    for case in (routine, urgent):
        service.perform(session, case=case, action="submit", actor_id=OWNER, role=CaseRole.patient)
    session.commit()
    items = service.queue(session)
    assert [i.title for i in items] == ["urgent", "routine"]
    assert draft.id not in {i.id for i in items}
    later = service.queue(session, now=datetime.now(UTC) + timedelta(days=2))
    assert [i.overdue for i in later] == [True, False]


def upload(session: Session, store: DocumentStore, case: object, data: bytes, name: str) -> CaseDocument:
    return service.add_document(
        session, store=store, case=case, uploaded_by=OWNER, source=io.BytesIO(data), filename=name
    )


def test_a_document_is_stored_whole_encrypted_and_with_its_hash(
    session: Session, store: DocumentStore
) -> None:
    import hashlib

    case = new_case(session)
    pdf = make_pdf()
    document = upload(session, store, case, pdf, "../../etc/Path report.pdf")
    session.commit()
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert service.document_to_read(session, document, include_identifying=True).filename == "Path report.pdf"
    assert pdf not in store.object_path(document.id).read_bytes()  # encrypted at rest
    assert b"mesothelioma" not in document.sealed.encode()
    assert service.document_bytes(session, store, document) == pdf
    assert "mesothelioma" in service.document_text(session, document)
    image = upload(session, store, case, dicom_file(), "IM1")
    session.commit()
    read = service.document_to_read(session, image, include_identifying=False)
    assert read.identifying is None and read.details["modalities"] == ["CT"]
    assert service.document_to_read(session, image, include_identifying=True).identifying
    assert service.verify_documents(session, store=store) == []
    assert list(store.staging.iterdir()) == []


def test_refused_or_rolled_back_uploads_leave_nothing(session: Session, store: DocumentStore) -> None:
    case = new_case(session)
    session.commit()
    with pytest.raises(RejectedFile):
        upload(session, store, case, make_png()[:-20], "scan.png")
    session.rollback()
    upload(session, store, case, make_pdf(), "report.pdf")
    assert len(store.object_ids()) == 1
    session.rollback()  # the request failed after the file was in place: the file goes too
    assert store.object_ids() == set()
    assert list(store.staging.iterdir()) == []
    assert session.scalar(select(func.count()).select_from(CaseDocument)) == 0


def test_a_rollback_after_the_commit_leaves_the_committed_file_in_place(
    session: Session, store: DocumentStore
) -> None:
    case = new_case(session)
    document = upload(session, store, case, make_pdf(), "report.pdf")
    session.commit()
    session.scalar(select(func.count()).select_from(CaseDocument))  # the request goes on after its commit
    session.rollback()  # ... and fails there
    assert store.object_ids() == {document.id}
    assert service.verify_documents(session, store=store) == []


def test_damaged_storage_is_detected(session: Session, store: DocumentStore) -> None:
    case = new_case(session)
    document = upload(session, store, case, make_pdf(), "report.pdf")
    session.commit()
    path = store.object_path(document.id)
    stored = path.read_bytes()
    path.write_bytes(stored[:-1] + bytes([stored[-1] ^ 1]))  # one bit flipped
    assert service.verify_documents(session, store=store) == [document.id]
    with pytest.raises(DocumentDamaged):
        service.document_bytes(session, store, document)


def test_sweep_removes_only_leftovers(session: Session, store: DocumentStore, tmp_path: Path) -> None:
    case = new_case(session)
    kept = upload(session, store, case, make_pdf(), "report.pdf")
    session.commit()
    (store.staging / "crash.part").write_bytes(b"half")
    orphan = store.object_path("ab" + "0" * 30)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"no row")
    assert service.sweep_storage(session, store=store) == 2
    assert store.object_ids() == {kept.id}


def test_no_record_can_be_added_to_a_withdrawn_case(session: Session, store: DocumentStore) -> None:
    case = new_case(session)
    service.perform(session, case=case, action="withdraw", actor_id=OWNER, role=CaseRole.patient)
    session.commit()
    with pytest.raises(InvalidTransition, match="can no longer be added"):
        upload(session, store, case, make_pdf(), "late.pdf")


def test_members_join_once_messages_carry_attachments_and_reviews_wait_for_the_review(
    session: Session, store: DocumentStore
) -> None:
    case = new_case(session)
    for action, role in (("submit", CaseRole.patient), ("triage", CaseRole.coordinator)):
        service.perform(session, case=case, action=action, actor_id="x", role=role)
    service.add_member(session, case=case, user_id="dr-a", role=CaseRole.specialist, added_by="coord")
    again = service.add_member(session, case=case, user_id="dr-a", role=CaseRole.specialist, added_by="coord")
    service.add_member(session, case=case, user_id="dr-b", role=CaseRole.colleague, added_by="dr-a")
    with pytest.raises(InvalidInput):
        service.add_member(session, case=case, user_id=OWNER, role=CaseRole.specialist, added_by="coord")
    session.commit()
    assert [m.user_id for m in service.members(session, case_id=case.id)] == ["dr-a", "dr-b"]
    assert again.role == "specialist"
    assert [c.id for c in service.assigned_cases(session, user_id="dr-b")] == [case.id]
    assert service.assigned_cases(session, user_id="dr-c") == []

    message = service.post_message(
        session, case=case, author_id="dr-a", author_role=CaseRole.specialist, body=" Any PET? "
    )
    service.add_document(
        session,
        store=store,
        case=case,
        uploaded_by=OWNER,
        source=io.BytesIO(make_pdf()),
        filename="pet.pdf",
        message_id=message.id,
    )
    session.commit()
    assert [m.body for m in service.list_messages(session, case_id=case.id)] == ["Any PET?"]
    attached = service.attachments_of(session, message_ids=[message.id])[message.id]
    names = [service.document_to_read(session, d, include_identifying=False).filename for d in attached]
    assert names == ["pet.pdf"]
    with pytest.raises(InvalidInput):
        service.post_message(session, case=case, author_id=OWNER, author_role=CaseRole.patient, body="   ")

    with pytest.raises(InvalidTransition, match="in review"):
        service.add_review_input(
            session,
            case=case,
            author_id="dr-b",
            author_name="Dr B",
            specialty="",
            position="agree",
            body="ok",
        )
    service.perform(session, case=case, action="accept", actor_id="dr-a", role=CaseRole.specialist)
    service.add_review_input(
        session,
        case=case,
        author_id="dr-b",
        author_name="Dr B",
        specialty="Radiation oncology",
        position="partly_agree",
        body="Consider SBRT for the nodule.",
    )
    session.commit()
    with pytest.raises(InvalidInput, match="position"):
        service.add_review_input(
            session, case=case, author_id="dr-b", author_name="Dr B", specialty="", position="maybe", body="x"
        )
    session.rollback()
    assert [r.position for r in service.list_review_inputs(session, case_id=case.id)] == ["partly_agree"]
