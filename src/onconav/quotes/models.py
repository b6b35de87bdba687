"""Quotes tables: a patient's treatment request, the centers it is addressed to, questions both ways, the
centers' offers (immutable once sent: a revision is a new version) with their itemised prices, and the
exchange rates an operator loaded.

Money is `Numeric` (a Decimal in Python) with an ISO 4217 code beside it, never a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.db import ID_LENGTH, Base, UtcDateTime, new_id, utcnow

AMOUNT = Numeric(14, 2)  # up to 999 999 999 999.99 in any currency
RATE = Numeric(18, 6)  # units of a currency per 1 EUR, as the ECB publishes them


class TreatmentRequest(Base):
    """A patient's request for treatment plans and prices, sent once to one to five centers."""

    __tablename__ = "treatment_request"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), default=None, index=True)
    diagnosis_text: Mapped[str] = mapped_column(Text, default="")
    condition: Mapped[str | None] = mapped_column(String(80), default=None)  # knowledge slug
    stage: Mapped[str | None] = mapped_column(String(40), default=None)
    document_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # chosen from the case's records
    wishes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # RequestWishes, as JSON
    state: Mapped[str] = mapped_column(String(20), index=True)  # open | accepted | withdrawn
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    recipients: Mapped[list[RequestRecipient]] = relationship(
        back_populates="request", order_by="RequestRecipient.position"
    )


class RequestRecipient(Base):
    """One center a request is addressed to, why it was chosen, and where its answer stands."""

    __tablename__ = "request_recipient"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("treatment_request.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(Integer, index=True)
    organization_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))  # awaiting | offered | accepted | not_chosen | withdrawn
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)

    request: Mapped[TreatmentRequest] = relationship(back_populates="recipients")

    __table_args__ = (UniqueConstraint("request_id", "organization_id"),)


class RequestMessage(Base):
    """A question or an answer between the patient's side and one center."""

    __tablename__ = "request_message"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("treatment_request.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(String(64))
    from_center: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Offer(Base):
    """A center's proposed plan, team and price for one request; never changed once sent (a revision is a
    new version; the older one is marked superseded)."""

    __tablename__ = "offer"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("treatment_request.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(String(64))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # OfferStep, as JSON
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # TeamMember, as JSON
    stay_nights: Mapped[int] = mapped_column(Integer)
    treatment_weeks: Mapped[int] = mapped_column(Integer)
    home_follow_up: Mapped[str] = mapped_column(Text, default="")
    if_plan_changes: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # sent | superseded | accepted | not_chosen | withdrawn
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    items: Mapped[list[OfferItem]] = relationship(order_by="OfferItem.position", cascade="all, delete-orphan")
    request: Mapped[TreatmentRequest] = relationship()

    __table_args__ = (UniqueConstraint("request_id", "organization_id", "version"),)


class OfferItem(Base):
    """One line of an offer's price: what it is, what it includes and excludes, how much."""

    __tablename__ = "offer_item"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    includes: Mapped[str] = mapped_column(Text, default="")
    excludes: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))


class ExchangeRate(Base):
    """Units of `currency` per 1 EUR on `rate_date`, from a file the operator loaded (never fetched)."""

    __tablename__ = "exchange_rate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rate_date: Mapped[date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    per_eur: Mapped[Decimal] = mapped_column(RATE)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("rate_date", "currency"),)
