"""CMS "Medicare Inpatient Hospitals - by Provider and Service": the published layout, the DRG mapping as
data, and the import on both databases (discharges and payments kept; mapped DRGs become hospital signals;
discharges count for the condition searched, not for a procedure).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory import service as directory
from onconav.directory.bulk import full_row, reindex_organizations
from onconav.directory.fixtures_cms import INPATIENT_HOSPITALS, inpatient_rows, write_inpatient_file
from onconav.directory.imports import framework, registry
from onconav.directory.imports.formats import cms_inpatient
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.models import InpatientVolume, Location, Organization, OrganizationSignal
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge

FILE_NAME = "MUP_INP_RY24_P03_V10_DY22_PrvSvc.csv"


def test_the_layout_is_the_published_one_and_every_mapped_drg_names_catalogue_entries() -> None:
    assert cms_inpatient.COLUMNS[:2] == ("Rndrng_Prvdr_CCN", "Rndrng_Prvdr_Org_Name")
    assert cms_inpatient.COLUMNS[9:] == (
        "DRG_Cd",
        "DRG_Desc",
        "Tot_Dschrgs",
        "Avg_Submtd_Cvrd_Chrg",
        "Avg_Tot_Pymt_Amt",
        "Avg_Mdcr_Pymt_Amt",
    )
    mapping = cms_inpatient.drg_mapping()
    assert mapping["180"].conditions == ("lung-cancer",) and "lobectomy" in mapping["163"].procedures
    for entry in mapping.values():
        assert entry.conditions or entry.procedures
        assert all(knowledge.get_condition(code) for code in entry.conditions)
        assert all(knowledge.get_service(code) for code in entry.procedures)


@pytest.mark.parametrize(
    ("name", "year"),
    [
        (FILE_NAME, 2022),
        ("MUP_IHP_RY23_P03_V10_DY14_PRVSVC.CSV", 2014),
        ("inpatient-2021.csv", 2021),
        ("x.csv", None),
    ],
)
def test_the_data_year_comes_from_the_file_name(name: str, year: int | None) -> None:
    assert cms_inpatient.data_year_from_name(Path(name)) == year


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Rndrng_Prvdr_CCN": ""}, "missing_ccn"),
        ({"Rndrng_Prvdr_CCN": "ABCDE"}, "invalid_ccn"),
        ({"DRG_Cd": "18O"}, "invalid_drg"),
        ({"Tot_Dschrgs": "n/a"}, "invalid_count"),
        ({"Avg_Tot_Pymt_Amt": "-3"}, "invalid_amount"),
    ],
)
def test_unreadable_rows_are_rejected_with_their_reason(change: dict[str, str], reason: str) -> None:
    row = next(inpatient_rows(rows=1))
    with pytest.raises(RowRejected) as raised:
        cms_inpatient.parse_row({**row, **change})
    assert raised.value.reason == reason


def test_a_ccn_that_lost_its_leading_zero_is_restored() -> None:
    row = next(inpatient_rows(rows=1))
    assert cms_inpatient.parse_row({**row, "Rndrng_Prvdr_CCN": "10001"}).ccn == "010001"


def _hospital(engine: Engine, *, ccn: str, name: str, lat: float, lon: float) -> int:
    with engine.begin() as connection:
        org_id = int(connection.execute(select(func.coalesce(func.max(Organization.id), 0))).scalar_one()) + 1
        connection.execute(
            Organization.__table__.insert(),  # type: ignore[attr-defined]
            [
                full_row(
                    "organization", id=org_id, name=name, kind="hospital", source="cms-hospitals", cms_ccn=ccn
                )
            ],
        )
        connection.execute(
            Location.__table__.insert(),  # type: ignore[attr-defined]
            [
                full_row(
                    "location",
                    organization_id=org_id,
                    name=name,
                    city="Boston",
                    region_code="MA",
                    postal_code="02114",
                    country_code="US",
                    country="United States",
                    lat=lat,
                    lon=lon,
                )
            ],
        )
        reindex_organizations(connection, [org_id])
    return org_id


def test_inpatient_file_imports_keeps_payments_and_ranks_by_discharges_for_the_condition(
    engine: Engine, tmp_path: Path
) -> None:
    mgh = _hospital(engine, ccn="220071", name="Massachusetts General Hospital", lat=42.3626, lon=-71.0685)
    bwh = _hospital(engine, ccn="220110", name="Brigham and Women's Hospital", lat=42.3358, lon=-71.1069)
    path = write_inpatient_file(tmp_path / FILE_NAME, rows=120, seed=3, bad_rows=2)
    source = registry.get_source("cms-inpatient")
    summary = framework.run_import(engine, source, path, report_path=tmp_path / "rejected.csv")
    assert summary.counts["rejected"] == 2 and summary.counts["inserted"] == 118
    with (tmp_path / "rejected.csv").open(newline="") as handle:
        reasons = sorted(row["reason"].split(":")[0] for row in csv.DictReader(handle))
    assert reasons == ["invalid_ccn", "invalid_count"]

    with Session(engine) as session:
        kept = session.execute(
            select(
                InpatientVolume.discharges, InpatientVolume.avg_total_payment, InpatientVolume.data_year
            ).where(InpatientVolume.cms_ccn == "220071", InpatientVolume.drg_code.in_(["180", "181", "182"]))
        ).all()
        assert kept and all(year == 2022 and payment and payment > 0 for _d, payment, year in kept)
        lung = {
            org_id: (count, evidence, source)
            for org_id, count, evidence, source in session.execute(
                select(
                    OrganizationSignal.organization_id,
                    OrganizationSignal.count,
                    OrganizationSignal.evidence,
                    OrganizationSignal.source,
                ).where(OrganizationSignal.topic == "condition:lung-cancer")
            )
        }
        assert lung[mgh][0] == sum(discharges for discharges, _p, _y in kept) and lung[mgh][1] == "known"
        assert lung[mgh][2].startswith("CMS Medicare Inpatient Hospitals 2022: ")
        procedure = session.scalar(
            select(OrganizationSignal.evidence).where(
                OrganizationSignal.organization_id == mgh, OrganizationSignal.topic == "service:lobectomy"
            )
        )
        assert procedure == "likely"  # a DRG names a family of chest procedures, not lobectomy itself

        outcome = directory.search_providers(session, query="lung cancer", near="Boston, MA", limit=5)
        by_id = {hit.id: hit for hit in outcome.hits}
        for org_id in (mgh, bwh):
            hit = by_id[org_id]
            assert hit.evidence == "known" and hit.topic == "condition:lung-cancer"
            volume = next(f for f in hit.factors if f.factor == "condition_volume")
            assert volume.params["volume"] == lung[org_id][0] and volume.params["source"] == lung[org_id][2]
            assert sum(f.points for f in hit.factors) == pytest.approx(hit.score, abs=0.06)
        lobectomy = directory.search_providers(session, query="lobectomy", near="Boston, MA", limit=5)
        assert {hit.id for hit in lobectomy.hits} >= {mgh} and all(
            h.evidence == "likely" for h in lobectomy.hits
        )
        assert all(f.points == 0 for h in lobectomy.hits for f in h.factors if f.factor == "volume")

    again = framework.run_import(engine, registry.get_source("cms-inpatient"), path, restart=True)
    assert again.counts["unchanged"] == 118 and again.counts["inserted"] == 0
    assert len(INPATIENT_HOSPITALS) >= 2


def test_a_file_without_a_year_in_its_name_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = write_inpatient_file(tmp_path / "inpatient.csv", rows=3)
    with pytest.raises(InvalidInput, match="does not say which year"):
        framework.run_import(engine, registry.get_source("cms-inpatient"), path)
