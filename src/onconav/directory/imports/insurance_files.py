"""Insurance accepted, read from files: the documented CSV (docs/insurance.md: one row per organization and
plan it accepts) and Da Vinci PDex Plan-Net Bundles (payer and network Organizations, InsurancePlans,
OrganizationAffiliations, Endpoints). Each row or resource is checked whole; a malformed one is rejected with
its reason and nothing of it is written, the valid ones are written in one transaction.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.directory.insurance import (
    PLAN_TYPES,
    EndpointRow,
    InsuranceBatch,
    NetworkRow,
    ParticipationRow,
    PayerRow,
    PlanRow,
    Provenance,
    write_batch,
)
from onconav.directory.models import Organization
from onconav.errors import InvalidInput

CSV_SOURCE = "insurance-csv"
PLANNET_SOURCE = "plannet-bundle"
CSV_COLUMNS = ("organization_npi", "payer", "network", "plan", "plan_type", "states", "source", "as_of")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATE = re.compile(r"^[A-Z]{2}$")
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
SOURCE_EXTENSION = "https://onconav.org/fhir/StructureDefinition/source"
COVERAGE_STATE = "https://onconav.org/fhir/StructureDefinition/coverage-state"  # as onconav's FHIR answers


@dataclass(frozen=True)
class RejectedRow:
    """A row (CSV line number, or Bundle entry number) left out, and why."""

    row: int
    reason: str


@dataclass
class InsuranceImport:
    """What an import wrote (by kind) and what it left out."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)


def import_file(session: Session, path: Path, source: str) -> InsuranceImport:
    """Import an insurance CSV (`insurance-csv`) or a Plan-Net Bundle (`plannet`) into the directory."""
    if source == CSV_SOURCE:
        batch, provenance, rejected = _read_csv(session, path)
    elif source == "plannet":
        batch, provenance, rejected = _read_bundle(session, path)
    else:
        raise InvalidInput("Unknown insurance source %(source)s.", source=source)
    counts = write_batch(session, batch, provenance) if provenance is not None else {}
    return InsuranceImport(provenance.source if provenance else source, counts, rejected)


def _npis(session: Session, npis: set[str]) -> dict[str, int]:
    if not npis:
        return {}
    rows = session.execute(select(Organization.npi, Organization.id).where(Organization.npi.in_(npis)))
    return {npi: org_id for npi, org_id in rows if npi is not None}


def _key(*parts: str) -> str:
    return "|".join(" ".join(part.lower().split()) for part in parts)[:120]


def _states(text: str) -> tuple[str, ...] | None:
    states = tuple(s.strip().upper() for s in text.replace(",", ";").split(";") if s.strip())
    return states if all(STATE.match(s) for s in states) else None


# --- CSV ---------------------------------------------------------------------------------------------------


def _read_csv(session: Session, path: Path) -> tuple[InsuranceBatch, Provenance | None, list[RejectedRow]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput("The insurance CSV lacks the columns %(columns)s.", columns=", ".join(missing))
        rows = list(reader)
    organizations = _npis(session, {(r.get("organization_npi") or "").strip() for r in rows})
    batch = InsuranceBatch([], [], [], [], [])
    rejected: list[RejectedRow] = []
    seen: set[str] = set()
    notes: list[tuple[str, str]] = []
    for number, row in enumerate(rows, start=1):
        values = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        reason = _csv_problem(values, organizations)
        if reason:
            rejected.append(RejectedRow(number, reason))
            continue
        states = _states(values["states"]) or ()
        payer_id = _key("payer", values["payer"])
        network_id = _key("network", values["payer"], values["network"])
        plan_id = _key("plan", values["payer"], values["plan"])
        if payer_id not in seen:
            batch.payers.append(PayerRow(payer_id, values["payer"]))
        if network_id not in seen:
            batch.networks.append(NetworkRow(network_id, values["network"], payer_id, states))
        if plan_id not in seen:
            batch.plans.append(
                PlanRow(plan_id, values["plan"], values["plan_type"], payer_id, network_id, states)
            )
        seen |= {payer_id, network_id, plan_id}
        batch.participations.append(ParticipationRow(organizations[values["organization_npi"]], network_id))
        notes.append((values["source"], values["as_of"]))
    if not notes:
        return batch, None, rejected
    note, as_of = notes[0]
    return batch, Provenance(CSV_SOURCE, note, max(date for _, date in notes) or as_of), rejected


def _csv_problem(values: dict[str, str], organizations: dict[str, int]) -> str | None:
    for column in ("organization_npi", "payer", "network", "plan", "plan_type", "source", "as_of"):
        if not values[column]:
            return f"{column} is empty"
    if values["organization_npi"] not in organizations:
        return f"no organization of the directory has the NPI {values['organization_npi']}"
    if values["plan_type"] not in PLAN_TYPES:
        return f"plan_type '{values['plan_type']}' is not one of {', '.join(PLAN_TYPES)}"
    if not DATE.match(values["as_of"]):
        return f"as_of '{values['as_of']}' is not a date (YYYY-MM-DD)"
    if _states(values["states"]) is None:
        return f"states '{values['states']}' are not two-letter codes separated by ';'"
    return None


# --- Plan-Net Bundle ---------------------------------------------------------------------------------------


def _read_bundle(session: Session, path: Path) -> tuple[InsuranceBatch, Provenance | None, list[RejectedRow]]:
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise ValueError("its resourceType is not Bundle")
        if not isinstance(bundle.get("entry", []), list):
            raise ValueError("its entry is not a list")
    except ValueError as error:  # each resource of the entries is checked on its own
        raise InvalidInput(
            "%(file)s is not a FHIR R4 Bundle: %(error)s", file=path.name, error=str(error)[:300]
        ) from None
    entries = [(n, e.get("resource") or {}) for n, e in enumerate(bundle.get("entry") or [], start=1)]
    npis = {
        ident.get("value")
        for _, r in entries
        if r.get("resourceType") == "Organization"
        for ident in r.get("identifier") or []
        if ident.get("system") == NPI_SYSTEM
    }
    organizations = _npis(session, {n for n in npis if n})
    reader = _BundleReader(organizations, entries)
    as_of = (bundle.get("timestamp") or (bundle.get("meta") or {}).get("lastUpdated") or "")[:10] or None
    note = reader.note or f"Plan-Net bundle {path.name}"
    return reader.batch, Provenance(PLANNET_SOURCE, note, reader.as_of or as_of), reader.rejected


class _BundleReader:
    """The payers, networks, plans, participations and endpoints of a Bundle's entries, checked."""

    def __init__(self, organizations: dict[str, int], entries: list[tuple[int, dict[str, Any]]]) -> None:
        self.batch = InsuranceBatch([], [], [], [], [])
        self.rejected: list[RejectedRow] = []
        self.note: str | None = None
        self.as_of: str | None = None
        self.providers: dict[str, int] = {}  # "Organization/x" of the bundle -> directory organization
        self.insurance: dict[str, str] = {}  # "Organization/x" -> source id of a payer or network
        self._validate = _validator()
        for number, resource in entries:
            if resource.get("resourceType") == "Organization":
                self._organization(number, resource, organizations)
        for number, resource in entries:
            kind = resource.get("resourceType")
            handler = {
                "InsurancePlan": self._plan,
                "OrganizationAffiliation": self._affiliation,
                "Endpoint": self._endpoint,
            }.get(kind or "")
            if handler is not None and self._valid(number, resource):
                handler(number, resource)

    def _valid(self, number: int, resource: dict[str, Any]) -> bool:
        problem = self._validate(resource)
        if problem:
            self.rejected.append(RejectedRow(number, problem))
        return not problem

    def _provenance(self, resource: dict[str, Any]) -> None:
        for extension in resource.get("extension") or []:
            if extension.get("url") == SOURCE_EXTENSION:
                for part in extension.get("extension") or []:
                    if part.get("url") == "note":
                        self.note = self.note or part.get("valueString")
                    if part.get("url") == "asOf":
                        self.as_of = self.as_of or part.get("valueString")

    def _organization(self, number: int, resource: dict[str, Any], organizations: dict[str, int]) -> None:
        if not self._valid(number, resource):
            return
        ref = f"Organization/{resource.get('id')}"
        codes = {c.get("code") for t in resource.get("type") or [] for c in t.get("coding") or []}
        name = (resource.get("name") or "").strip()
        if codes & {"ntwk", "payer", "pay"}:
            if not name:
                self.rejected.append(RejectedRow(number, f"{ref} has no name"))
                return
            self._provenance(resource)
            source_id = _key(ref)
            self.insurance[ref] = source_id
            states = tuple(a.get("state") for a in resource.get("address") or [] if a.get("state")) + tuple(
                e.get("valueString")
                for e in resource.get("extension") or []
                if e.get("url") == COVERAGE_STATE
            )
            if "ntwk" in codes:
                part_of = (resource.get("partOf") or {}).get("reference")
                self.batch.networks.append(
                    NetworkRow(source_id, name, _key(part_of) if part_of else None, states)
                )
            else:
                website = next(
                    (t.get("value") for t in resource.get("telecom") or [] if t.get("system") == "url"), None
                )
                self.batch.payers.append(PayerRow(source_id, name, website, states))
            return
        npi = next(
            (i.get("value") for i in resource.get("identifier") or [] if i.get("system") == NPI_SYSTEM), None
        )
        if npi in organizations:
            self.providers[ref] = organizations[npi]

    def _plan(self, number: int, resource: dict[str, Any]) -> None:
        ref = f"InsurancePlan/{resource.get('id')}"
        owner = (resource.get("ownedBy") or {}).get("reference")
        networks = [n.get("reference") for n in resource.get("network") or []]
        codes = [c.get("code") for t in resource.get("type") or [] for c in t.get("coding") or []]
        plan_type = next((c for c in codes if c in PLAN_TYPES), None)
        if not resource.get("name"):
            reason = f"{ref} has no name"
        elif owner not in self.insurance:
            reason = f"{ref}: ownedBy {owner} is no payer of this bundle"
        elif plan_type is None:
            reason = f"{ref}: no type of {', '.join(PLAN_TYPES)}"
        elif any(n not in self.insurance for n in networks):
            reason = f"{ref}: a network it names is not in this bundle"
        else:
            self._provenance(resource)
            states = tuple(c.get("display") for c in resource.get("coverageArea") or [] if c.get("display"))
            network = self.insurance[networks[0]] if networks else None
            self.batch.plans.append(
                PlanRow(_key(ref), resource["name"], plan_type, self.insurance[owner], network, states)
            )
            return
        self.rejected.append(RejectedRow(number, reason))

    def _affiliation(self, number: int, resource: dict[str, Any]) -> None:
        ref = f"OrganizationAffiliation/{resource.get('id')}"
        participant = (resource.get("participatingOrganization") or {}).get("reference")
        networks = [n.get("reference") for n in resource.get("network") or []]
        if participant not in self.providers:
            self.rejected.append(
                RejectedRow(
                    number, f"{ref}: participatingOrganization {participant} has no NPI of the directory"
                )
            )
        elif not networks or any(n not in self.insurance for n in networks):
            self.rejected.append(RejectedRow(number, f"{ref}: its network is not a network of this bundle"))
        else:
            for network in networks:
                self.batch.participations.append(
                    ParticipationRow(self.providers[participant], self.insurance[network])
                )

    def _endpoint(self, number: int, resource: dict[str, Any]) -> None:
        ref = f"Endpoint/{resource.get('id')}"
        owner = (resource.get("managingOrganization") or {}).get("reference")
        payload = next(
            (c.get("code") for p in resource.get("payloadType") or [] for c in p.get("coding") or []), None
        )
        if owner not in self.providers:
            self.rejected.append(
                RejectedRow(number, f"{ref}: managingOrganization {owner} has no NPI of the directory")
            )
            return
        self.batch.endpoints.append(
            EndpointRow(
                _key(ref),
                self.providers[owner],
                resource.get("name"),
                (resource.get("connectionType") or {}).get("code") or "",
                payload or "none",
                resource.get("address") or "",
            )
        )


def _validator() -> Any:
    """A check of one resource against the FHIR R4 models: None when valid, else the reason."""
    from importlib import import_module

    def check(resource: dict[str, Any]) -> str | None:
        kind = resource.get("resourceType", "")
        try:
            model = getattr(import_module(f"fhir.resources.R4B.{kind.lower()}"), kind)
            model.model_validate(resource)
        except (ImportError, AttributeError):
            return f"{kind or 'an entry without resourceType'} is not a FHIR R4 resource type"
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return f"{kind}/{resource.get('id')} is not valid FHIR R4: {where}: {first['msg']}"
        return None

    return check
