"""Case tables: the case, its members, state history, documents, messages and versioned opinions.

Ids are random (`new_id`), never sequential, so an id says nothing about other cases. Times are UTC.

Free text written by people (PHI) is encrypted at rest: each such attribute (`Sealed`, see
`onconav.cases.sealing`) reads and writes plaintext in Python while its `*_sealed` column holds only the
ciphertext, bound to the row. Ids, states, codes (urgency, language, condition, stage, kinds, positions),
sizes, hashes and timestamps stay in clear: queries, ordering and suggestions need them and they are not
free text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.cases.sealing import Sealed, remember_bind
from onconav.db import ID_LENGTH, Base, UtcDateTime, new_id, utcnow


class Case(Base):
    """A request for a second opinion, owned by a patient (or a caregiver acting for them)."""

    __tablename__ = "case"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)  # whose case it is
    created_by: Mapped[str] = mapped_column(String(64))  # the patient, or a caregiver acting for them
    title_sealed: Mapped[str] = mapped_column("title", Text)
    title = Sealed[str]("title_sealed", default=str)
    diagnosis_sealed: Mapped[str] = mapped_column("diagnosis_text", Text)
    diagnosis_text = Sealed[str]("diagnosis_sealed", default=str)
    condition: Mapped[str | None] = mapped_column(String(80), default=None)  # knowledge slug
    stage: Mapped[str | None] = mapped_column(String(40), default=None)
    treatment_plan_sealed: Mapped[str] = mapped_column("treatment_plan", Text)
    treatment_plan = Sealed[str]("treatment_plan_sealed", default=str)
    questions_sealed: Mapped[str] = mapped_column("questions", Text)
    questions = Sealed[list[str]]("questions_sealed", default=list, as_json=True)
    # What imported FHIR records said in mCODE terms (cases/mcode_import.py): coded diagnosis, stage,
    # tumor markers, procedures, medicines. None on cases older than revision 0011 (read as {}).
    clinical_facts_sealed: Mapped[str | None] = mapped_column("clinical_facts", Text, default=None)
    clinical_facts = Sealed[dict[str, Any]]("clinical_facts_sealed", default=dict, as_json=True)
    urgency: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    requested_providers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    triage_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    opinion_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    members: Mapped[list[CaseMember]] = relationship(back_populates="case", order_by="CaseMember.created_at")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.sequence")

    __table_args__ = (Index("ix_case_state_opinion_due_at", "state", "opinion_due_at"),)


class CaseMember(Base):
    """A person's part on one case: caregiver, coordinator, assigned specialist or invited colleague."""

    __tablename__ = "case_member"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))  # caregiver | coordinator | specialist | colleague
    added_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="members")

    __table_args__ = (UniqueConstraint("case_id", "user_id", "role"),)


class CaseEvent(Base):
    """One state change of a case: from, to, who, in which part, when."""

    __tablename__ = "case_event"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(30), default=None)
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(20))
    note_sealed: Mapped[str] = mapped_column("note", Text)
    note = Sealed[str]("note_sealed", default=str)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")

    # Two concurrent changes of one case cannot both write the same next sequence number.
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)


class CaseDocument(Base):
    """An uploaded record: its kind (decided by content), size and SHA-256 of the plaintext. The file is
    encrypted at rest; so is `sealed`, the JSON of its name, extracted text, details and identifying tags."""

    __tablename__ = "case_document"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="CASCADE"), default=None, index=True
    )
    uploaded_by: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class CaseMessage(Base):
    """A message on a case between the patient's side and the team."""

    __tablename__ = "case_message"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(20))
    body_sealed: Mapped[str] = mapped_column("body", Text)
    body = Sealed[str]("body_sealed", default=str)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class ReviewInput(Base):
    """One team member's input to a multidisciplinary review (tumor-board style)."""

    __tablename__ = "review_input"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[str] = mapped_column(String(20))  # agree | partly_agree | disagree | abstain
    body_sealed: Mapped[str] = mapped_column("body", Text)
    body = Sealed[str]("body_sealed", default=str)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class Opinion(Base):
    """One version of the written opinion; delivered versions are immutable (amendments add a version)."""

    __tablename__ = "opinion"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # draft | delivered
    content_sealed: Mapped[str] = mapped_column("content", Text)
    content = Sealed[dict[str, Any]]("content_sealed", default=dict, as_json=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("opinion.id"), default=None)
    amendment_reason_sealed: Mapped[str] = mapped_column("amendment_reason", Text)
    amendment_reason = Sealed[str]("amendment_reason_sealed", default=str)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    case: Mapped[Case] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "version"),)


for _model in (Case, CaseEvent, CaseMessage, ReviewInput, Opinion):
    remember_bind(_model)
