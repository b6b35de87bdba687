"""Directory tables, named after the FHIR R4 resources they map to.

`SearchEntry` is derived: one row per (provider, topic) that search reads; services rebuild it.
Provenance of imported rows: `source`/`source_id`/`last_seen_at` on each entity, `SourceRecord` (one row per
source record, the natural key of idempotent imports) and `ImportRun` (checkpoints); see
docs/decisions/0003-real-directory-data.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onconav.db import Base, UtcDateTime, utcnow

# Designation bits, stored on search entries so filters stay in the index scan.
DESIGNATION_BITS: dict[str, int] = {"nci": 1, "coc": 2, "jci": 4}

# Data-quality flags (stored in `quality_flags` lists).
FLAG_ADDRESS_NOT_PLACED = "address_not_placed"  # no coordinates: kept, findable by name/NPI, not by distance
FLAG_ZIP_CENTROID = "zip_centroid"  # placed at the centroid of its ZIP code, not at the street address
FLAG_DEACTIVATED = "deactivated"  # the source (NPPES) deactivated the identifier: hidden from search
# How we know a provider offers what a search entry says (docs/ranking.md, "Evidence").
EVIDENCE_KNOWN = "known"  # a source lists this service, specialty or condition for this provider
EVIDENCE_LIKELY = "likely"  # a condition-specific signal (trials, designation, specialists) implies it
EVIDENCE_UNKNOWN = "unknown"  # a general hospital whose services no source lists
# The topic of the entries that make every general hospital findable as "services unknown".
HOSPITAL_TOPIC = "facility:hospital"
# The organization kind written on search entries of practitioners who practise on their own.
PRACTICE_KIND = "practice"


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
    name: Mapped[str] = mapped_column(String(300))  # for display: "Dana-Farber Cancer Institute"
    # The name as the source spells it ("DANA - FARBER CANCER INSTITUTE"); None: as `name`.
    source_name: Mapped[str | None] = mapped_column(String(300), default=None)
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
    # Provenance and data quality (imports).
    source: Mapped[str] = mapped_column(String(30), default="demo")  # demo | nppes | cms-hospitals | ...
    source_id: Mapped[str | None] = mapped_column(String(60), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    taxonomy_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # NUCC codes, primary first
    # Identifiers a source gives besides the NPI ({system, value}; a failed NPI is kept without system).
    other_identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Hospital facts (CMS Hospital General Information, HIFLD).
    cms_ccn: Mapped[str | None] = mapped_column(String(10), index=True, default=None)
    hospital_type: Mapped[str | None] = mapped_column(String(80), default=None)
    ownership: Mapped[str | None] = mapped_column(String(120), default=None)
    emergency_services: Mapped[bool | None] = mapped_column(Boolean, default=None)
    cms_star_rating: Mapped[int | None] = mapped_column(Integer, default=None)  # 1-5, None: not available
    hifld_id: Mapped[str | None] = mapped_column(String(20), index=True, default=None)
    beds: Mapped[int | None] = mapped_column(Integer, default=None)
    # Cross-source duplicates: the canonical organization this row is the same place as (None: canonical).
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True, default=None
    )
    duplicate_rule: Mapped[str | None] = mapped_column(String(60), default=None)  # which rule linked it

    locations: Mapped[list[Location]] = relationship(back_populates="organization", order_by="Location.id")
    services: Mapped[list[HealthcareService]] = relationship(
        back_populates="organization", order_by="HealthcareService.id"
    )


class Location(Base):
    """Where care is given (FHIR Location): an address with coordinates.

    A location without an organization is the practice address of a practitioner who practises on their
    own (NPPES individuals). Coordinates are None when the address could not be placed (flagged).
    """

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True, default=None
    )
    name: Mapped[str] = mapped_column(String(300))
    line: Mapped[str | None] = mapped_column(String(300), default=None)
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120), default=None)
    region_code: Mapped[str | None] = mapped_column(String(10), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country_code: Mapped[str] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    # How the coordinates were found: source (given by the source) | zip_centroid | None (not placed).
    geocode_precision: Mapped[str | None] = mapped_column(String(20), default="source")
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)

    organization: Mapped[Organization | None] = relationship(back_populates="locations")


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
    source: Mapped[str] = mapped_column(String(30), default="demo")
    source_id: Mapped[str | None] = mapped_column(String(60), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    taxonomy_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # NUCC codes, primary first
    # Identifiers a source gives besides the NPI ({system, value}; a failed NPI is kept without system).
    other_identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

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
    # None: the practitioner practises on their own, at `location` (NPPES individuals).
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True, default=None
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), index=True, default=None
    )
    specialty: Mapped[str] = mapped_column(String(60))  # a knowledge specialty code
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    accepting_new_patients: Mapped[bool | None] = mapped_column(Boolean, default=True)  # None: unknown

    practitioner: Mapped[Practitioner] = relationship(back_populates="roles")
    organization: Mapped[Organization | None] = relationship()
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
    # Where the volume comes from, as `why` names it: "CMS Medicare 2023" (None: given by the provider).
    volume_source: Mapped[str | None] = mapped_column(String(60), default=None)

    role: Mapped[PractitionerRole] = relationship(back_populates="services")


def _geo_cell_of_row(context: Any) -> int:
    """The cell of a search entry inserted without one (writers of the directory give it)."""
    from onconav.directory import ranking  # ranking reads this module's constants

    row = context.get_current_parameters()
    return ranking.geo_cell(row["lat"], row["lon"])


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
            "condition_points",
        ),
        # Condition searches read each topic and cell from the best quality down (condition_search.py).
        Index(
            "ix_search_entry_cell",
            "topic",
            "geo_cell",
            "quality_points",
            "lon",
            "lat",
            "entity_kind",
            "entity_id",
            "condition_points",
        ),
        # Condition searches read the pairs of topics scored by condition points from the best of those down
        # (cell_reads.py, PostgreSQL).
        Index(
            "ix_search_entry_cell_condition",
            "topic",
            "geo_cell",
            "condition_points",
            "quality_points",
            "lon",
            "lat",
            "entity_kind",
            "entity_id",
        ),
        # Every entry of some providers (exact scores of condition searches, reindexing): covering the
        # condition search's read, no table reads.
        Index(
            "ix_search_entry_entity_rows",
            "entity_kind",
            "entity_id",
            "topic",
            "lat",
            "lon",
            "quality_points",
            "condition_points",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    entity_kind: Mapped[str] = mapped_column(String(20))  # organization | practitioner
    entity_id: Mapped[int] = mapped_column(Integer)
    # The entity itself, or the practitioner's org (None for a practitioner practising on their own).
    organization_id: Mapped[int | None] = mapped_column(Integer, default=None)
    org_kind: Mapped[str] = mapped_column(String(30))  # an organization kind, or PRACTICE_KIND
    location_id: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat_band: Mapped[int] = mapped_column(Integer)
    # ranking.geo_cell(lat, lon); None only on a row written without it before migration 0011 filled it.
    geo_cell: Mapped[int | None] = mapped_column(Integer, default=_geo_cell_of_row)
    country_code: Mapped[str] = mapped_column(String(2))
    annual_volume: Mapped[int | None] = mapped_column(Integer, default=None)
    designations: Mapped[int] = mapped_column(Integer, default=0)  # DESIGNATION_BITS
    tumor_board: Mapped[bool] = mapped_column(Boolean, default=False)
    clinical_trials: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_international: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(String(120), default=",")  # ",en,es,"
    quality_points: Mapped[float] = mapped_column(Float)  # ranking.quality_points of this row
    # What counts when the query names a condition: the quality without a procedure's volume, plus the
    # condition's own experience (trials, inpatient volume) on `condition:` entries (ranking.py).
    condition_points: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[str] = mapped_column(String(10), default=EVIDENCE_KNOWN)  # EVIDENCE_*


class SourceRecord(Base):
    """One record of an external source, and the directory row it became: the natural key of imports.

    Re-importing a record finds it here by (source, source_id): same `row_hash`, unchanged; another hash,
    the entity is updated in place. Several sources may point at the same entity.
    """

    __tablename__ = "source_record"
    __table_args__ = (Index("ix_source_record_source_id", "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(30))  # nppes | cms-hospitals | hifld-hospitals | ...
    source_id: Mapped[str] = mapped_column(String(60))  # NPI, CCN, HIFLD id, FHIR resource id ...
    entity_kind: Mapped[str] = mapped_column(String(20))  # organization | practitioner
    entity_id: Mapped[int] = mapped_column(Integer)
    row_hash: Mapped[str] = mapped_column(String(32))  # of the fields the importer keeps
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ImportRun(Base):
    """One run of `onconav import SOURCE PATH`: its checkpoint (rows and bytes committed) and summary."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_source_fingerprint", "source", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    path: Mapped[str] = mapped_column(String(1000))
    fingerprint: Mapped[str] = mapped_column(String(64))  # size + hash of the head of the file
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    rows_committed: Mapped[int] = mapped_column(BigInteger, default=0)  # data rows read and committed
    offset_committed: Mapped[int] = mapped_column(BigInteger, default=0)  # byte offset after them
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # read, inserted, updated, ...
    report_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class OrganizationSignal(Base):
    """A cancer signal of a hospital from a named public source: trial sites, a designation, specialists
    practising at its address, Medicare inpatient discharges (directory/signals.py, docs/ranking.md).

    `topic` is what it makes the hospital findable as ("condition:lung-cancer", "service:lobectomy",
    "specialty:thoracic-surgery"; None for a fact that is not a topic, such as general trial activity).
    """

    __tablename__ = "organization_signal"
    __table_args__ = (Index("ix_organization_signal_org_kind", "organization_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # trials | designation | specialists | inpatient
    topic: Mapped[str | None] = mapped_column(String(80), default=None)
    evidence: Mapped[str] = mapped_column(String(10), default=EVIDENCE_LIKELY)
    count: Mapped[int | None] = mapped_column(Integer, default=None)  # trials, specialists, discharges
    detail: Mapped[list[str]] = mapped_column(JSON, default=list)  # NCT ids, NPIs, DRG codes, names
    source: Mapped[str] = mapped_column(String(300))  # as `why` names it
    as_of: Mapped[str | None] = mapped_column(String(20), default=None)  # the source's date or year


class InpatientVolume(Base):
    """One row of CMS "Medicare Inpatient Hospitals - by Provider and Service": a hospital (CCN) and an
    MS-DRG in one data year, with discharges and average charges and payments (kept for cost estimates).
    """

    __tablename__ = "inpatient_volume"
    __table_args__ = (
        Index("ix_inpatient_volume_ccn_drg_year", "cms_ccn", "drg_code", "data_year", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cms_ccn: Mapped[str] = mapped_column(String(10))
    drg_code: Mapped[str] = mapped_column(String(3))
    drg_description: Mapped[str] = mapped_column(String(200))
    data_year: Mapped[int] = mapped_column(Integer)
    discharges: Mapped[int] = mapped_column(Integer)
    avg_submitted_charge: Mapped[float | None] = mapped_column(Float, default=None)
    avg_total_payment: Mapped[float | None] = mapped_column(Float, default=None)
    avg_medicare_payment: Mapped[float | None] = mapped_column(Float, default=None)


# --- insurance accepted (Da Vinci PDex Plan-Net: payers, networks, plans, participation, endpoints) ---------

INSURANCE_KIND_NETWORK = "ntwk"  # a provider network (Plan-Net Network)
INSURANCE_KIND_PAYER = "payer"  # an insurer that offers plans and manages networks


class InsuranceOrganization(Base):
    """A payer or a provider network (FHIR Organization, Plan-Net Organization or Network profile)."""

    __tablename__ = "insurance_organization"
    __table_args__ = (Index("ix_insurance_organization_source_id", "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # INSURANCE_KIND_NETWORK | INSURANCE_KIND_PAYER
    name: Mapped[str] = mapped_column(String(300))
    # A network's payer (the organization that manages it); None for payers.
    part_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_organization.id", ondelete="SET NULL"), index=True, default=None
    )
    coverage_states: Mapped[list[str]] = mapped_column(JSON, default=list)  # region codes it serves
    website: Mapped[str | None] = mapped_column(String(300), default=None)
    source: Mapped[str] = mapped_column(String(60))  # plannet-bundle | insurance-csv | ...
    source_id: Mapped[str] = mapped_column(String(120))  # the id the source gives it
    source_note: Mapped[str | None] = mapped_column(Text, default=None)  # what the source is, its date
    as_of: Mapped[str | None] = mapped_column(String(20), default=None)  # the source's date
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InsurancePlan(Base):
    """A health insurance plan and the network whose members it covers (FHIR InsurancePlan)."""

    __tablename__ = "insurance_plan"
    __table_args__ = (Index("ix_insurance_plan_source_id", "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    plan_type: Mapped[str] = mapped_column(String(30))  # a Plan-Net insurance product type code
    owned_by_id: Mapped[int] = mapped_column(
        ForeignKey("insurance_organization.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_organization.id", ondelete="SET NULL"), index=True, default=None
    )
    coverage_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(60))
    source_id: Mapped[str] = mapped_column(String(120))
    source_note: Mapped[str | None] = mapped_column(Text, default=None)
    as_of: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NetworkParticipation(Base):
    """An organization in a provider network, so it accepts the network's plans (OrganizationAffiliation)."""

    __tablename__ = "network_participation"
    __table_args__ = (
        Index("ix_network_participation_org_network", "organization_id", "network_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(
        ForeignKey("insurance_organization.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(60))
    source_note: Mapped[str | None] = mapped_column(Text, default=None)
    as_of: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DirectoryEndpoint(Base):
    """A technical endpoint of an organization, e.g. its FHIR server or Direct address (FHIR Endpoint)."""

    __tablename__ = "directory_endpoint"
    __table_args__ = (Index("ix_directory_endpoint_source_id", "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(300), default=None)
    connection_type: Mapped[str] = mapped_column(String(40))  # endpoint-connection-type code
    payload_type: Mapped[str] = mapped_column(String(60))  # a payload type code
    address: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(60))
    source_id: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
