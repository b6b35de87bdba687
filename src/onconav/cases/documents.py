"""A case's documents (records and message attachments): taken in by content, stored encrypted through
`onconav.storage`, read back checked against their hash, or as the de-identified copy colleagues get.

Each document's file and its sealed private part (name, extracted text, details, identifying tags) are
encrypted under the context `case_document:<id>`, which binds them to their row.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav import storage
from onconav.accounts import crypto
from onconav.accounts import service as accounts
from onconav.cases import formats, mcode_import, sharing
from onconav.cases.models import Case, CaseDocument
from onconav.cases.schemas import DocumentRead
from onconav.cases.sealing import CaseDataDamaged
from onconav.cases.states import OPEN_FOR_RECORDS, CaseState, InvalidTransition
from onconav.config import get_settings
from onconav.db import new_id, utcnow
from onconav.errors import NotFound
from onconav.storage import DocumentStore

_UNSAFE_NAME = re.compile(r"[^\w .()+,-]", re.UNICODE)


def clean_filename(filename: str | None) -> str:
    """A display name from what the client sent: last path part, no control or odd characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:200] or "document"


def _context(document_id: str) -> str:
    return f"case_document:{document_id}"


def add_document(
    session: Session,
    *,
    store: DocumentStore,
    case: Case,
    uploaded_by: str,
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None = None,
    message_id: str | None = None,
) -> CaseDocument:
    """Take in an upload: streamed to a staged file with its SHA-256, its kind decided and checked by
    content, encrypted chunk by chunk into a durable staged file that is renamed into place, then its row
    added. If the transaction rolls back the stored file is removed; if the process dies first, nothing
    points at it and start-up sweeps it."""
    if CaseState(case.state) not in OPEN_FOR_RECORDS:
        raise InvalidTransition(
            "Records can no longer be added to a case that is %(state)s.", state=case.state
        )
    settings = get_settings()
    document_id = new_id()
    with store.receive(source, max_bytes=settings.max_upload_bytes) as staged:
        inspection = formats.inspect_file(
            staged.path,
            filename=filename,
            declared_type=declared_type,
            max_expanded_bytes=settings.max_archive_expanded_bytes,
        )
        storage.put_encrypted(
            session, store, staged.path, document_id=document_id, context=_context(document_id)
        )
    # What a FHIR bundle says in mCODE terms goes to the case (its understood diagnosis), not the document.
    mcode_import.understand_records(case, inspection.details.pop("mcode", None))
    private = {
        "filename": clean_filename(filename),
        "text": inspection.text,
        "details": inspection.details,
        "identifying": inspection.identifying,
    }
    document = CaseDocument(
        id=document_id,
        case_id=case.id,
        message_id=message_id,
        uploaded_by=uploaded_by,
        kind=inspection.kind.value,
        media_type=inspection.media_type,
        size=staged.size,
        sha256=staged.sha256,
        sealed=crypto.encrypt_field(session, json.dumps(private), context=_context(document_id)),
        created_at=utcnow(),
    )
    session.add(document)
    session.flush()
    return document


def get_document(session: Session, *, document_id: str) -> CaseDocument | None:
    """The document with this id, or None."""
    return session.get(CaseDocument, document_id)


def get_document_or_raise(session: Session, *, document_id: str) -> CaseDocument:
    """The document with this id; NotFound otherwise."""
    document = get_document(session, document_id=document_id)
    if document is None:
        raise NotFound("There is no document with this id, or you may not see it.")
    return document


def list_documents(session: Session, *, case_id: str) -> list[CaseDocument]:
    """The case's documents, oldest first."""
    query = select(CaseDocument).where(CaseDocument.case_id == case_id)
    return list(session.scalars(query.order_by(CaseDocument.created_at, CaseDocument.id)))


def attachments_of(session: Session, *, message_ids: list[str]) -> dict[str, list[CaseDocument]]:
    """Documents attached to each message."""
    found: dict[str, list[CaseDocument]] = {}
    if not message_ids:
        return found
    query = (
        select(CaseDocument).where(CaseDocument.message_id.in_(message_ids)).order_by(CaseDocument.created_at)
    )
    for document in session.scalars(query):
        found.setdefault(str(document.message_id), []).append(document)
    return found


def document_private(session: Session, document: CaseDocument) -> dict[str, Any]:
    """The decrypted name, text, details and identifying tags of a document."""
    try:
        data: dict[str, Any] = json.loads(
            crypto.decrypt_field(session, document.sealed, context=_context(document.id))
        )
    except crypto.DecryptionError as error:
        raise CaseDataDamaged(
            "This case's stored data failed its integrity check and cannot be shown; "
            "the operators have been told."
        ) from error
    return data


def document_text(session: Session, document: CaseDocument) -> str:
    """Text extracted from a PDF, or the readable summary of a FHIR bundle ('' for images)."""
    return str(document_private(session, document)["text"])


# Text shared beyond the team: what could not be checked, said with it.
UNCHECKED_TEXT = (
    "Identifiers onconav knows for this patient (names, dates of birth, record numbers from the account "
    "and the case's files), labelled identifiers, e-mail addresses and phone numbers were removed; other "
    "people's names, addresses and identifiers written without a label could not be checked."
)


def known_identifiers(session: Session, *, case: Case) -> sharing.KnownIdentifiers:
    """What identifies the case's patient: the account's name and every identifying tag of the case's
    files (DICOM PatientName, PatientBirthDate, PatientID; a FHIR bundle's Patient)."""
    names: set[str] = set()
    births: set[date] = set()
    numbers: set[str] = set()
    user = accounts.users_by_id(session, user_ids=[case.patient_id]).get(case.patient_id)
    if user is not None and user.display_name:
        names.add(user.display_name)
    for document in list_documents(session, case_id=case.id):
        tags = document_private(session, document)["identifying"] or {}
        names.update(str(tags[key]) for key in ("PatientName",) if tags.get(key))
        numbers.update(part for part in str(tags.get("PatientID") or "").split(" / ") if part)
        birth = re.sub(r"\D", "", str(tags.get("PatientBirthDate") or ""))
        if len(birth) == 8:
            with suppress(ValueError):
                births.add(date(int(birth[:4]), int(birth[4:6]), int(birth[6:])))
    return sharing.KnownIdentifiers(
        names=tuple(sorted(names)), birth_dates=tuple(sorted(births)), record_numbers=tuple(sorted(numbers))
    )


def shareable_file(document: CaseDocument) -> bool:
    """Whether the file itself may go beyond the team as a de-identified copy: not a PDF, whose pages
    onconav cannot redact."""
    return document.kind != formats.DocumentKind.pdf.value


def shared_text(session: Session, document: CaseDocument) -> str:
    """The document's text as people beyond the team get it: identifiers the case knows redacted."""
    text = document_text(session, document)
    if not text:
        return text
    return sharing.redact_text(text, known_identifiers(session, case=document.case)).text


def document_to_read(session: Session, document: CaseDocument, *, include_identifying: bool) -> DocumentRead:
    """The API shape of a document; identifying tags only when the reader is the owner's side."""
    private = document_private(session, document)
    return DocumentRead(
        id=document.id,
        case_id=document.case_id,
        filename=private["filename"],
        kind=document.kind,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        details=private["details"],
        identifying=private["identifying"] if include_identifying else None,
        has_text=bool(private["text"]),
        created_at=document.created_at,
    )


def document_bytes(
    session: Session, store: DocumentStore, document: CaseDocument, *, shared: bool = False
) -> bytes:
    """The document's bytes, checked against the recorded hash; `shared` gives the de-identified copy."""
    kind = formats.DocumentKind(document.kind)
    if shared and kind == formats.DocumentKind.dicom_zip:
        # Archives are de-identified entry by entry from a verified plaintext file, never held whole.
        with _verified_file(session, store, document) as plaintext:
            return sharing.deidentify_zip(
                plaintext, max_expanded_bytes=get_settings().max_archive_expanded_bytes
            )
    data = storage.read_verified(
        session, store, document.id, context=_context(document.id), sha256=document.sha256
    )
    return sharing.shared_copy(kind, data) if shared else data


@contextmanager
def _verified_file(session: Session, store: DocumentStore, document: CaseDocument) -> Iterator[BinaryIO]:
    """The decrypted document in an unnamed temporary file of the store's staging folder (removed when
    closed), checked against its hash."""
    store.ensure()
    digest = hashlib.sha256()
    with tempfile.TemporaryFile(dir=store.staging) as plaintext:
        try:
            for chunk in storage.decrypted_chunks(session, store, document.id, context=_context(document.id)):
                digest.update(chunk)
                plaintext.write(chunk)
        except (crypto.DecryptionError, FileNotFoundError) as error:
            raise storage.DocumentDamaged(
                "This document is damaged in storage; the operators have been told."
            ) from error
        if digest.hexdigest() != document.sha256:
            raise storage.DocumentDamaged(
                "This document is damaged in storage; the operators have been told."
            )
        plaintext.seek(0)
        yield plaintext


def verify_documents(session: Session, *, store: DocumentStore) -> list[str]:
    """Ids of documents whose stored bytes are missing, fail decryption or do not match their hash."""
    return [
        document.id
        for document in session.scalars(select(CaseDocument).order_by(CaseDocument.id))
        if not storage.is_intact(
            session, store, document.id, context=_context(document.id), sha256=document.sha256
        )
    ]


def sweep_storage(session: Session, *, store: DocumentStore, min_age_seconds: float = 0) -> int:
    """Remove staged leftovers and files no document row points at, older than `min_age_seconds` (on a
    store shared by several machines, younger ones may be uploads in flight elsewhere)."""
    known = set(session.scalars(select(CaseDocument.id)))
    return store.sweep(known, min_age_seconds=min_age_seconds)
