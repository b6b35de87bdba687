"""The importer of CMS "Medicare Inpatient Hospitals - by Provider and Service" (`cms-inpatient`): one
`inpatient_volume` row per hospital, MS-DRG and data year, with discharges and average payments (kept for
cost estimates); once the file is in, mapped DRGs become signals of the hospitals with that CCN.

Parsing: `formats.cms_inpatient`. Signals: Medicare discharges for a condition are `known` evidence and its
yearly volume; a procedure family is `likely` evidence (docs/ranking.md, docs/data-sources.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from onconav.directory.bulk import reindex_organizations
from onconav.directory.imports.formats import cms_inpatient
from onconav.directory.imports.formats.cms_inpatient import InpatientRow, drg_mapping
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    WriteBatch,
    csv_records,
    row_hash,
)
from onconav.directory.models import (
    EVIDENCE_KNOWN,
    EVIDENCE_LIKELY,
    InpatientVolume,
    Organization,
    OrganizationSignal,
)
from onconav.errors import InvalidInput

ENTITY_KIND = "inpatient_volume"


@dataclass(frozen=True)
class InpatientPayload:
    """One row to keep, with its data year."""

    year: int
    row: InpatientRow


class CmsInpatientSource(ImportSource[dict[str, str], InpatientPayload]):
    """CMS Medicare Inpatient Hospitals - by Provider and Service (keyed by year, CCN and MS-DRG)."""

    name = cms_inpatient.SOURCE
    title = "CMS Medicare Inpatient Hospitals - by Provider and Service"

    def __init__(self) -> None:
        self.year: int | None = None

    def records(
        self, path: Path, *, start_row: int, start_offset: int
    ) -> Iterator[RawRecord[dict[str, str]]]:
        self.year = cms_inpatient.data_year_from_name(path)
        if self.year is None:
            raise InvalidInput(
                "The file name %(name)s does not say which year it covers (CMS names them "
                "MUP_INP_RY24_P03_V10_DY22_PrvSvc.csv: DY22 is 2022). Rename it with the year.",
                name=path.name,
            )
        yield from csv_records(
            path,
            required=cms_inpatient.REQUIRED_COLUMNS,
            title=self.title,
            start_row=start_row,
            start_offset=start_offset,
        )

    def prepare(self, record: RawRecord[dict[str, str]]) -> Outcome[InpatientPayload]:
        try:
            row = cms_inpatient.parse_row(record.data)
        except RowRejected as error:
            key = (record.data.get("Rndrng_Prvdr_CCN") or "").strip() or None
            return Rejected(key, f"{error.reason}: {error.message}")
        assert self.year is not None  # set by records()
        payload = InpatientPayload(self.year, row)
        key = f"{self.year}:{row.source_id}"
        return Prepared(key, ENTITY_KIND, row_hash(self.year, *_values(row).values()), payload)

    def insert(self, batch: WriteBatch, items: list[Prepared[InpatientPayload]]) -> list[int]:
        rows = [{"data_year": item.payload.year, **_values(item.payload.row)} for item in items]
        result = batch.connection.execute(
            insert(InpatientVolume).returning(InpatientVolume.id, sort_by_parameter_order=True), rows
        )
        return [int(value) for value in result.scalars()]

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[InpatientPayload]]]) -> None:
        batch.connection.execute(
            update(InpatientVolume)
            .where(InpatientVolume.id == bindparam("key"))
            .values({column: bindparam(column) for column in _values(items[0][1].payload.row)}),
            [{"key": entity_id, **_values(item.payload.row)} for entity_id, item in items],
        )

    def finish(self, connection: Connection) -> None:
        """Turn the newest year's mapped DRGs into signals of the hospitals with those CCNs."""
        refresh_inpatient_signals(connection)


def _values(row: InpatientRow) -> dict[str, object]:
    return {
        "cms_ccn": row.ccn,
        "drg_code": row.drg,
        "drg_description": row.drg_description,
        "discharges": row.discharges,
        "avg_submitted_charge": row.avg_submitted_charge,
        "avg_total_payment": row.avg_total_payment,
        "avg_medicare_payment": row.avg_medicare_payment,
    }


def refresh_inpatient_signals(connection: Connection) -> int:
    """Rewrite the inpatient signals from the newest data year; returns how many hospitals have one."""
    year = connection.execute(select(func.max(InpatientVolume.data_year))).scalar_one_or_none()
    before = {
        org_id
        for (org_id,) in connection.execute(
            select(OrganizationSignal.organization_id).where(OrganizationSignal.kind == "inpatient")
        )
    }
    connection.execute(delete(OrganizationSignal).where(OrganizationSignal.kind == "inpatient"))
    if year is None:
        reindex_organizations(connection, sorted(before))
        return 0
    mapping = drg_mapping()
    o = Organization
    hospitals = {
        ccn: canonical or org_id
        for org_id, ccn, canonical in connection.execute(
            select(o.id, o.cms_ccn, o.duplicate_of_id).where(o.cms_ccn.is_not(None), o.active.is_(True))
        )
    }
    # (organization, topic) -> (evidence, discharges, DRG codes)
    found: dict[tuple[int, str], tuple[str, int, set[str]]] = {}
    v = InpatientVolume
    rows = connection.execute(
        select(v.cms_ccn, v.drg_code, v.discharges).where(v.data_year == year, v.drg_code.in_(list(mapping)))
    )
    for ccn, drg, discharges in rows:
        org_id = hospitals.get(ccn)
        if org_id is None:
            continue
        drg_entry = mapping[drg]
        topics = [(f"condition:{c}", EVIDENCE_KNOWN) for c in drg_entry.conditions]
        topics += [(f"service:{p}", EVIDENCE_LIKELY) for p in drg_entry.procedures]
        for topic, evidence in topics:
            _evidence, total, codes = found.get((org_id, topic), (evidence, 0, set()))
            found[(org_id, topic)] = (evidence, total + discharges, codes | {drg})
    label = cms_inpatient.source_label(year)
    signal_rows = [
        {
            "organization_id": org_id,
            "kind": "inpatient",
            "topic": topic,
            "evidence": evidence,
            "count": total,
            "detail": sorted(codes),
            "source": f"{label}: {total:,} Medicare discharges, MS-DRG {', '.join(sorted(codes))}",
            "as_of": str(year),
        }
        for (org_id, topic), (evidence, total, codes) in sorted(found.items())
    ]
    if signal_rows:
        connection.execute(OrganizationSignal.__table__.insert(), signal_rows)  # type: ignore[attr-defined]
    touched = before | {org_id for org_id, _topic in found}
    reindex_organizations(connection, sorted(touched))
    return len({org_id for org_id, _topic in found})
