"""Follow-up tables: a plan per case, its items (visits, scans, tests) and the reminders already sent.

Free text about the patient (the treatment received, item titles and notes) is stored only as ciphertext
made by `accounts.crypto.encrypt_field`, bound to its table, field and row id; ids, dates, kinds and
statuses stay in clear (the reminder run and the timeline query them). The calendar feed's token is
stored as its SHA-256 only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.db import ID_LENGTH, Base, UtcDateTime, new_id, utcnow


class CarePlan(Base):
    """A case's follow-up plan (one per case)."""

    __tablename__ = "care_plan"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    template: Mapped[str | None] = mapped_column(String(80), default=None)  # knowledge template code
    modality: Mapped[str | None] = mapped_column(String(40), default=None)
    treatment_sealed: Mapped[str] = mapped_column("treatment", Text)  # ciphertext
    treatment_end: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    feed_token_sha256: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    feed_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    items: Mapped[list[CarePlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CarePlanItem.position"
    )


class CarePlanItem(Base):
    """One visit, scan, test or other step; `due_on` is None until the care team sets a date."""

    __tablename__ = "care_plan_item"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("care_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # visit | imaging | test | other
    title_sealed: Mapped[str] = mapped_column("title", Text)  # ciphertext
    detail_sealed: Mapped[str] = mapped_column("detail", Text)  # ciphertext
    due_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | done | skipped
    source: Mapped[str | None] = mapped_column(String(300), default=None)  # the template's source URL
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    plan: Mapped[CarePlan] = relationship(back_populates="items")


class CareReminder(Base):
    """A reminder e-mail sent for an item's date: never twice for the same item and date."""

    __tablename__ = "care_reminder"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("care_plan_item.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("item_id", "due_on"),)
