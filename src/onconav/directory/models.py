"""Directory tables, named after the FHIR R4 resources they map to.

`SearchEntry` is derived: one row per (provider, topic) that search reads; services rebuild it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.db import Base

# Designation bits, stored on search entries so filters stay in the index scan.
DESIGNATION_BITS: dict[str, int] = {"nci": 1, "coc": 2, "jci": 4}


def display_name(prefix: str | None, given_name: str, family_name: str, credentials: str | None) -> str:
    """How a practitioner is named on the page: "Dr. Ana Ruiz, MD"."""
    name = f"{given_name} {family_name}"
    if prefix:
        name = f"{prefix} {name}"
    return f"{name}, {credentials}" if credentials else name


class Organization(Base):
    """A hospital, cancer center or clinic (FHIR Organization)."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))  # hospital | cancer_center | clinic
    description: Mapped[str | None] = mapped_column(Text, default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    website: Mapped[str | None] = mapped_column(String(300), default=None)
    npi: Mapped[str | None] = mapped_column(String(10), unique=True, default=None)
    designations: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of DESIGNATION_BITS
    tumor_board: Mapped[bool] = mapped_column(Boolean, default=False)
    clinical_trials: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_international: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1 codes
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    locations: Mapped[list[Location]] = relationship(back_populates="organization", order_by="Location.id")
    services: Mapped[list[HealthcareService]] = relationship(
        back_populates="organization", order_by="HealthcareService.id"
    )


class Location(Base):
    """Where care is given (FHIR Location): an address with coordinates."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    line: Mapped[str | None] = mapped_column(String(300), default=None)
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120), default=None)
    region_code: Mapped[str | None] = mapped_column(String(10), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country_code: Mapped[str] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    organization: Mapped[Organization] = relationship(back_populates="locations")


class HealthcareService(Base):
    """What an organization offers at a location (FHIR HealthcareService), with its yearly volume."""

    __tablename__ = "healthcare_service"
    __table_args__ = (
        Index("ix_healthcare_service_org_code", "organization_id", "service_code", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), default=None
    )
    service_code: Mapped[str] = mapped_column(String(60))  # a knowledge service code
    annual_volume: Mapped[int | None] = mapped_column(Integer, default=None)

    organization: Mapped[Organization] = relationship(back_populates="services")


class Practitioner(Base):
    """A doctor or other professional (FHIR Practitioner)."""

    __tablename__ = "practitioner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str | None] = mapped_column(String(20), default=None)
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str | None] = mapped_column(String(60), default=None)  # "MD, PhD"
    gender: Mapped[str | None] = mapped_column(String(20), default=None)
    npi: Mapped[str | None] = mapped_column(String(10), unique=True, default=None)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    roles: Mapped[list[PractitionerRole]] = relationship(
        back_populates="practitioner", order_by="PractitionerRole.id"
    )

    @property
    def display_name(self) -> str:
        """ "Dr. Ana Ruiz, MD"."""
        name = f"{self.given_name} {self.family_name}"
        if self.prefix:
            name = f"{self.prefix} {name}"
        return f"{name}, {self.credentials}" if self.credentials else name


class PractitionerRole(Base):
    """Who works where, in which specialty (FHIR PractitionerRole)."""

    __tablename__ = "practitioner_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), default=None
    )
    specialty: Mapped[str] = mapped_column(String(60))  # a knowledge specialty code
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    accepting_new_patients: Mapped[bool] = mapped_column(Boolean, default=True)

    practitioner: Mapped[Practitioner] = relationship(back_populates="roles")
    organization: Mapped[Organization] = relationship()
    location: Mapped[Location | None] = relationship()
    services: Mapped[list[PractitionerRoleService]] = relationship(
        back_populates="role", order_by="PractitionerRoleService.id"
    )


class PractitionerRoleService(Base):
    """A service a practitioner performs in a role, with their own yearly volume where known."""

    __tablename__ = "practitioner_role_service"
    __table_args__ = (
        Index("ix_practitioner_role_service_role_code", "role_id", "service_code", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("practitioner_role.id", ondelete="CASCADE"))
    service_code: Mapped[str] = mapped_column(String(60))
    annual_volume: Mapped[int | None] = mapped_column(Integer, default=None)

    role: Mapped[PractitionerRole] = relationship(back_populates="services")


class SearchEntry(Base):
    """One provider under one topic ("service:lobectomy", "specialty:thoracic-surgery"), with what
    ranking and filters need, so a search is one index range scan per latitude band.
    """

    __tablename__ = "search_entry"
    __table_args__ = (
        # Covering index of the scoring scan: one range per latitude band, no table reads.
        Index(
            "ix_search_entry_scan",
            "topic",
            "lat_band",
            "lon",
            "lat",
            "quality_points",
            "entity_kind",
            "entity_id",
        ),
        # Condition searches read each topic and band from the best quality down (scoring.condition_rows).
        Index(
            "ix_search_entry_quality",
            "topic",
            "lat_band",
            "quality_points",
            "lon",
            "lat",
            "entity_kind",
            "entity_id",
        ),
        Index("ix_search_entry_entity", "entity_kind", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    entity_kind: Mapped[str] = mapped_column(String(20))  # organization | practitioner
    entity_id: Mapped[int] = mapped_column(Integer)
    organization_id: Mapped[int] = mapped_column(Integer)  # the entity itself, or the practitioner's org
    org_kind: Mapped[str] = mapped_column(String(30))
    location_id: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat_band: Mapped[int] = mapped_column(Integer)
    country_code: Mapped[str] = mapped_column(String(2))
    annual_volume: Mapped[int | None] = mapped_column(Integer, default=None)
    designations: Mapped[int] = mapped_column(Integer, default=0)  # DESIGNATION_BITS
    tumor_board: Mapped[bool] = mapped_column(Boolean, default=False)
    clinical_trials: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_international: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(String(120), default=",")  # ",en,es,"
    quality_points: Mapped[float] = mapped_column(Float)  # ranking.quality_points of this row
