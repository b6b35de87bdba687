"""Insurance accepted: which payers, networks and plans there are, and which organization takes part in
which network (so accepts its plans). Writes come from `imports/insurance_files` (validated rows); reads
answer the profile page ("Insurance accepted") and the search filter ("accepts Medicare", a plan name).

Idempotent: payers, networks and plans are found again by (source, source_id), participation by
(organization, network); a row imported twice changes nothing but `updated_at` when its facts changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from onconav.db import utcnow
from onconav.directory.models import (
    INSURANCE_KIND_NETWORK,
    INSURANCE_KIND_PAYER,
    DirectoryEndpoint,
    InsuranceOrganization,
    InsurancePlan,
    NetworkParticipation,
)
from onconav.directory.search import SearchOutcome
from onconav.directory.statements import compiled, in_list, in_values, padded

# Plan-Net insurance product types (InsuranceProductTypeCS), and the words a patient types for them.
PLAN_TYPES: dict[str, str] = {
    "commercial": "Commercial",
    "medicaid": "Medicaid",
    "medicare": "Medicare",
    "mediadv": "Medicare Advantage",
    "medsup": "Medicare Supplement",
    "chip": "CHIP",
    "dual": "Dual-eligible",
    "qhp": "Qualified Health Plan",
}


@dataclass(frozen=True)
class Provenance:
    """Where imported facts come from: the source's name, what it is (note) and its date."""

    source: str
    note: str
    as_of: str | None


@dataclass(frozen=True)
class PayerRow:
    source_id: str
    name: str
    website: str | None = None
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkRow:
    source_id: str
    name: str
    payer_source_id: str | None
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanRow:
    source_id: str
    name: str
    plan_type: str
    payer_source_id: str
    network_source_id: str | None
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParticipationRow:
    organization_id: int
    network_source_id: str


@dataclass(frozen=True)
class EndpointRow:
    source_id: str
    organization_id: int
    name: str | None
    connection_type: str
    payload_type: str
    address: str


@dataclass
class InsuranceBatch:
    """Validated rows of one file, in the order they must be written (payers before their networks, ...)."""

    payers: list[PayerRow]
    networks: list[NetworkRow]
    plans: list[PlanRow]
    participations: list[ParticipationRow]
    endpoints: list[EndpointRow]


def write_batch(session: Session, batch: InsuranceBatch, provenance: Provenance) -> dict[str, int]:
    """Insert or update every row of the batch; counts of what was written, by kind."""
    now = utcnow()
    ids: dict[str, int] = {}
    for payer in batch.payers:
        row = _insurance_org(session, provenance.source, payer.source_id, INSURANCE_KIND_PAYER)
        row.name, row.website, row.coverage_states = payer.name, payer.website, list(payer.states)
        _stamp(row, provenance, now)
        session.flush()
        ids[payer.source_id] = row.id
    for network in batch.networks:
        row = _insurance_org(session, provenance.source, network.source_id, INSURANCE_KIND_NETWORK)
        row.name, row.coverage_states = network.name, list(network.states)
        row.part_of_id = ids.get(network.payer_source_id or "") or _known(
            session, provenance, network.payer_source_id
        )
        _stamp(row, provenance, now)
        session.flush()
        ids[network.source_id] = row.id
    for plan in batch.plans:
        found = session.scalar(
            select(InsurancePlan).where(
                InsurancePlan.source == provenance.source, InsurancePlan.source_id == plan.source_id
            )
        )
        owner = ids.get(plan.payer_source_id) or _known(session, provenance, plan.payer_source_id)
        if owner is None:  # the readers only pass plans whose payer is in the file
            continue
        plan_row = found or InsurancePlan(source=provenance.source, source_id=plan.source_id)
        plan_row.name, plan_row.plan_type, plan_row.coverage_states = (
            plan.name,
            plan.plan_type,
            list(plan.states),
        )
        plan_row.owned_by_id = owner
        plan_row.network_id = ids.get(plan.network_source_id or "") or _known(
            session, provenance, plan.network_source_id
        )
        _stamp(plan_row, provenance, now)
        session.add(plan_row)
    for taking_part in batch.participations:
        network_id = ids.get(taking_part.network_source_id) or _known(
            session, provenance, taking_part.network_source_id
        )
        if network_id is None:
            continue
        found_part = session.scalar(
            select(NetworkParticipation).where(
                NetworkParticipation.organization_id == taking_part.organization_id,
                NetworkParticipation.network_id == network_id,
            )
        )
        part = found_part or NetworkParticipation(
            organization_id=taking_part.organization_id, network_id=network_id, source=provenance.source
        )
        part.source = provenance.source
        _stamp(part, provenance, now)
        session.add(part)
    for endpoint in batch.endpoints:
        found_endpoint = session.scalar(
            select(DirectoryEndpoint).where(
                DirectoryEndpoint.source == provenance.source,
                DirectoryEndpoint.source_id == endpoint.source_id,
            )
        )
        end = found_endpoint or DirectoryEndpoint(source=provenance.source, source_id=endpoint.source_id)
        end.organization_id, end.name, end.address = endpoint.organization_id, endpoint.name, endpoint.address
        end.connection_type, end.payload_type, end.updated_at = (
            endpoint.connection_type,
            endpoint.payload_type,
            now,
        )
        session.add(end)
    session.flush()
    return {
        "payers": len(batch.payers),
        "networks": len(batch.networks),
        "plans": len(batch.plans),
        "participations": len(batch.participations),
        "endpoints": len(batch.endpoints),
    }


def _insurance_org(session: Session, source: str, source_id: str, kind: str) -> InsuranceOrganization:
    found = session.scalar(
        select(InsuranceOrganization).where(
            InsuranceOrganization.source == source, InsuranceOrganization.source_id == source_id
        )
    )
    if found is not None:
        return found
    row = InsuranceOrganization(source=source, source_id=source_id, kind=kind, name="")
    session.add(row)
    return row


def _known(session: Session, provenance: Provenance, source_id: str | None) -> int | None:
    """The id of a payer or network an earlier import of the same source wrote."""
    if not source_id:
        return None
    return session.scalar(
        select(InsuranceOrganization.id).where(
            InsuranceOrganization.source == provenance.source, InsuranceOrganization.source_id == source_id
        )
    )


def _stamp(
    row: InsuranceOrganization | InsurancePlan | NetworkParticipation, provenance: Provenance, now: datetime
) -> None:
    row.source_note, row.as_of = provenance.note, provenance.as_of
    row.updated_at = now


# --- reads -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedPlan:
    """A plan an organization accepts (through a network it takes part in), with the source and its date."""

    plan: str
    plan_type: str
    payer: str
    network: str
    source_note: str | None
    as_of: str | None


def accepted_plans(session: Session, organization_ids: Sequence[int]) -> dict[int, list[AcceptedPlan]]:
    """The plans each organization accepts, by organization id, in payer and plan name order.

    Every search answer and results page asks this: the statement is compiled once per length of the id
    list (padded to a power of two, `statements.py`), not built and walked for a cache key on every call."""
    wanted = padded(sorted(set(organization_ids)))
    if not wanted:
        return {}
    if session.autoflush:
        session.flush()  # what session.execute would do: the read sees this session's own writes
    connection = session.connection()
    statement = compiled(
        connection, ("accepted-plans", len(wanted)), lambda: _accepted_plans_query(len(wanted))
    )
    found: dict[int, list[AcceptedPlan]] = {}
    for org_id, plan, plan_type, payer_name, network_name, note, as_of in statement.execute(
        connection, in_values("o", wanted)
    ):
        found.setdefault(org_id, []).append(
            AcceptedPlan(plan, plan_type, payer_name, network_name, note, as_of)
        )
    return found


def _accepted_plans_query(count: int) -> Select[Any]:
    network = InsuranceOrganization.__table__.alias("network")
    payer = InsuranceOrganization.__table__.alias("payer")
    return (
        select(
            NetworkParticipation.organization_id,
            InsurancePlan.name,
            InsurancePlan.plan_type,
            payer.c.name,
            network.c.name,
            NetworkParticipation.source_note,
            NetworkParticipation.as_of,
        )
        .join(network, network.c.id == NetworkParticipation.network_id)
        .join(InsurancePlan, InsurancePlan.network_id == network.c.id)
        .join(payer, payer.c.id == InsurancePlan.owned_by_id)
        .where(NetworkParticipation.organization_id.in_(in_list("o", count)))
        .order_by(payer.c.name, InsurancePlan.name)
    )


def plan_type_codes(words: str) -> list[str]:
    """The plan types a patient's words name ("medicare" -> medicare, mediadv, medsup; "Medicaid")."""
    lowered = words.strip().lower()
    return [
        code
        for code, label in PLAN_TYPES.items()
        if lowered and (lowered == code or lowered in label.lower())
    ]


def organizations_accepting(session: Session, words: str) -> set[int]:
    """Organizations accepting a plan that `words` name: a plan type ("Medicare"), or words of a plan's,
    network's or payer's name ("Blue Cross")."""
    lowered = words.strip().lower()
    if not lowered:
        return set()
    network = InsuranceOrganization.__table__.alias("network")
    payer = InsuranceOrganization.__table__.alias("payer")
    codes = plan_type_codes(words)
    query = (
        select(NetworkParticipation.organization_id)
        .join(network, network.c.id == NetworkParticipation.network_id)
        .join(InsurancePlan, InsurancePlan.network_id == network.c.id)
        .join(payer, payer.c.id == InsurancePlan.owned_by_id)
        .where(
            or_(
                InsurancePlan.plan_type.in_(codes),
                *(
                    func.lower(column).contains(lowered, autoescape=True)
                    for column in (InsurancePlan.name, network.c.name, payer.c.name)
                ),
            )
        )
    )
    return set(session.scalars(query).all())


def keep_accepting(session: Session, outcome: SearchOutcome, words: str, limit: int) -> SearchOutcome:
    """The outcome with only the hits at organizations accepting a plan `words` name, at most `limit`."""
    accepting = organizations_accepting(session, words)
    kept = [hit for hit in outcome.hits if hit.organization_id in accepting]
    kept = kept[:limit]
    within = sum(1 for hit in kept if hit.within_radius)
    return dataclasses.replace(
        outcome, hits=kept, limit=limit, within_radius_count=within, measured_coverage=None
    )
