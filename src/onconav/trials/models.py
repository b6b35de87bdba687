"""Trial tables: one row per ClinicalTrials.gov study, its sites, and the inverted index used by matching.

`TrialTerm` and `TrialTermStat` are derived from `Trial`: the importer rebuilds a trial's terms with it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.db import Base

# Statuses under which a trial may still take patients; matching screens out every other one.
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")
SEX_CODES = {"ALL": 0, "FEMALE": 1, "MALE": 2}


class Trial(Base):
    """A clinical study as registered on ClinicalTrials.gov."""

    __tablename__ = "trial"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nct_id: Mapped[str] = mapped_column(String(20), unique=True)
    brief_title: Mapped[str] = mapped_column(String(600))
    official_title: Mapped[str | None] = mapped_column(Text, default=None)
    acronym: Mapped[str | None] = mapped_column(String(100), default=None)
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    mesh_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    interventions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{type, name}]
    phases: Mapped[list[str]] = mapped_column(JSON, default=list)  # API v2 codes: PHASE1, PHASE2, NA ...
    status: Mapped[str] = mapped_column(String(40), index=True)  # API v2 code: RECRUITING ...
    study_type: Mapped[str | None] = mapped_column(String(40), default=None)
    enrollment: Mapped[int | None] = mapped_column(Integer, default=None)
    start_date: Mapped[str | None] = mapped_column(String(10), default=None)  # ISO, may be "2016-01"
    completion_date: Mapped[str | None] = mapped_column(String(10), default=None)
    last_update: Mapped[str | None] = mapped_column(String(10), default=None)
    # When the sponsor last confirmed the status (ClinicalTrials.gov statusVerifiedDate), ISO, often a month.
    status_verified: Mapped[str | None] = mapped_column(String(10), default=None)
    sponsor: Mapped[str | None] = mapped_column(String(300), default=None)
    min_age_years: Mapped[float | None] = mapped_column(Float, default=None)
    max_age_years: Mapped[float | None] = mapped_column(Float, default=None)
    sex: Mapped[str] = mapped_column(String(10), default="ALL")  # ALL | FEMALE | MALE
    healthy_volunteers: Mapped[bool | None] = mapped_column(Boolean, default=None)
    criteria_text: Mapped[str | None] = mapped_column(Text, default=None)
    criteria: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)  # [{kind, text, level}]
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # central contacts
    source_format: Mapped[str] = mapped_column(String(20))  # api_v2_json | legacy_xml
    source_hash: Mapped[str] = mapped_column(String(64))  # re-imports skip records that did not change

    sites: Mapped[list[TrialSite]] = relationship(
        back_populates="trial", order_by="TrialSite.id", cascade="all, delete-orphan", passive_deletes=True
    )


class TrialSite(Base):
    """A place where the trial enrols, with its contacts and coordinates (None when not geocoded)."""

    __tablename__ = "trial_site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id", ondelete="CASCADE"), index=True)
    facility: Mapped[str | None] = mapped_column(String(300), default=None)
    city: Mapped[str | None] = mapped_column(String(120), default=None)
    state: Mapped[str | None] = mapped_column(String(120), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country: Mapped[str | None] = mapped_column(String(120), default=None)
    country_code: Mapped[str | None] = mapped_column(String(2), default=None)
    status: Mapped[str | None] = mapped_column(String(40), default=None)
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{name, role, phone, email}]
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)

    trial: Mapped[Trial] = relationship(back_populates="sites")


class TrialTerm(Base):
    """Inverted index: one row per (term, trial) with the term's BM25 weight in that trial.

    The screening columns (open, ages, sex) are copied here so retrieval reads one index range per term.
    """

    __tablename__ = "trial_term"
    __table_args__ = (
        # Covering: retrieval and screening read this index only, never the table.
        Index(
            "ix_trial_term_term_is_open_weight",
            "term",
            "is_open",
            "weight",
            "trial_id",
            "min_age",
            "max_age",
            "sex",
        ),
        Index("ix_trial_term_trial_id", "trial_id"),
    )

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    is_open: Mapped[bool] = mapped_column(Boolean)
    min_age: Mapped[float] = mapped_column(Float)  # years; 0 when the trial sets no minimum
    max_age: Mapped[float] = mapped_column(Float)  # years; 200 when it sets no maximum
    sex: Mapped[int] = mapped_column(SmallInteger)  # SEX_CODES


class TrialTermStat(Base):
    """How many trials hold each term (document frequency), for the terms' IDF."""

    __tablename__ = "trial_term_stat"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    trials: Mapped[int] = mapped_column(Integer)
