"""The support services table: one public listing per row (no personal data).

Lists (conditions, languages, delivery) are JSON: the directory of support services is small (thousands of
listings), so search reads the candidates of a category and filters them in Python (docs/support-services.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from onconav.db import Base, UtcDateTime

ALL_CANCERS = "all-cancers"  # the conditions value of a listing that serves people with any cancer
CATEGORIES = (
    "counseling",
    "support_group",
    "nutrition",
    "palliative_care",
    "hospice",
    "financial",
    "legal",
    "navigation",
)
DELIVERY_MODES = ("in_person", "online", "phone")
COSTS = ("free", "sliding_scale", "fee")
SOURCE_DEMO = "onconav demo data (fictional)"


class SupportService(Base):
    """A support service: what it offers, for whom, in which languages, where or how, and who lists it."""

    __tablename__ = "support_service"
    __table_args__ = (Index("ix_support_service_source_key", "source", "natural_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(30), index=True)  # one of CATEGORIES
    description: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)  # knowledge codes, or [ALL_CANCERS]
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1
    delivery: Mapped[list[str]] = mapped_column(JSON, default=list)  # of DELIVERY_MODES
    address: Mapped[str | None] = mapped_column(String(300), default=None)
    city: Mapped[str | None] = mapped_column(String(120), default=None)
    region: Mapped[str | None] = mapped_column(String(120), default=None)
    country_code: Mapped[str | None] = mapped_column(String(2), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    # How the coordinates were found: "source" (the file gave them), "postal_code", "city"; None: not placed.
    geocode_precision: Mapped[str | None] = mapped_column(String(20), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    website: Mapped[str | None] = mapped_column(String(300), default=None)
    cost: Mapped[str] = mapped_column(String(20))  # one of COSTS
    source: Mapped[str] = mapped_column(String(200))  # who lists it: "American Cancer Society", ...
    source_date: Mapped[date] = mapped_column(Date)  # when that source last listed it
    # The key of a re-import: the same source, name, city and postal code update the same row.
    natural_key: Mapped[str] = mapped_column(String(600))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # A hospital's own support service: the directory organization that runs it.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True, default=None
    )
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
