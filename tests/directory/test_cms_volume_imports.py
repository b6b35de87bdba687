"""`onconav import cms-volumes` on generated CMS-layout files, on both databases: volumes land on the
practitioners' role services with their source, ranking uses them and `why` shows the count and source;
unknown NPIs are added from the file; broken rows are reported; re-runs change nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import ranking
from onconav.directory import service as directory
from onconav.directory.fixtures import NppesFixtureMix, write_nppes_file
from onconav.directory.fixtures_cms import make_npi, volume_rows, write_volume_file
from onconav.directory.imports import framework, registry
from onconav.directory.imports.formats.cms_volumes import COLUMNS
from onconav.directory.models import Location, Practitioner, PractitionerRole, PractitionerRoleService
from onconav.directory.reasons import describe_factor
from onconav.directory.scoring import SearchFilters
from onconav.i18n import get_translations


@pytest.fixture
def engine(migrated_engine: Engine, tmp_path: Path) -> Engine:
    """A migrated database with 3,000 generated NPPES practitioners imported, on each backend."""
    nppes = write_nppes_file(tmp_path / "npidata.csv", 3_000, seed=11, mix=NppesFixtureMix(deactivated=0.0))
    framework.run_import(migrated_engine, registry.get_source("nppes"), nppes, report_path=tmp_path / "n.csv")
    return migrated_engine


def _thoracic_surgeon(engine: Engine) -> tuple[int, str, str]:
    """(id, NPI, ZIP) of an imported thoracic surgeon placed at a ZIP centroid."""
    p, r, loc = Practitioner, PractitionerRole, Location
    with engine.connect() as connection:
        row = connection.execute(
            select(p.id, p.npi, loc.postal_code)
            .join(r, r.practitioner_id == p.id)
            .join(loc, loc.id == r.location_id)
            .where(r.specialty == "thoracic-surgery", loc.lat.is_not(None), p.active.is_(True))
            .order_by(p.id)
            .limit(1)
        ).one()
    return row.id, str(row.npi), str(row.postal_code)[:5]


def _row(npi: str, code: str, services: int, place: str = "F") -> dict[str, str]:
    template = next(volume_rows(rows=1, seed=5))
    return {
        **template,
        "Rndrng_NPI": npi,
        "HCPCS_Cd": code,
        "Tot_Srvcs": str(services),
        "Place_Of_Srvc": place,
    }


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: row["Rndrng_NPI"]))
    return path


def test_cms_volumes_are_summed_per_procedure_rank_surgeons_and_are_explained(
    engine: Engine, tmp_path: Path
) -> None:
    surgeon_id, npi, zip_code = _thoracic_surgeon(engine)
    unknown = make_npi(77_000_001)
    path = _write(
        tmp_path / "MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv",
        [
            _row(npi, "32480", 20),  # open lobectomy
            _row(npi, "32663", 28, "O"),  # thoracoscopic lobectomy: same procedure, summed
            _row(npi, "99213", 400),  # office visits: not counted
            {
                **_row(unknown, "77427", 48),
                "Rndrng_Prvdr_Type": "Radiation Oncology",
                "Rndrng_Prvdr_Zip5": "02115",
            },
            {**_row(make_npi(77_000_002), "32480", 15), "Tot_Srvcs": "n/a"},
            {**_row(make_npi(77_000_003), "32480", 30), "Rndrng_Prvdr_Ent_Cd": "O"},  # an organization's NPI
        ],
    )
    summary = framework.run_import(
        engine, registry.get_source("cms-volumes"), path, report_path=tmp_path / "r.csv"
    )
    assert (summary.counts["updated"], summary.counts["inserted"], summary.counts["rejected"]) == (1, 1, 1)
    assert summary.counts["read"] == 6
    assert "invalid_count" in (tmp_path / "r.csv").read_text()
    with engine.connect() as connection:
        volumes = connection.execute(
            select(
                PractitionerRoleService.service_code,
                PractitionerRoleService.annual_volume,
                PractitionerRoleService.volume_source,
            )
            .join(PractitionerRole, PractitionerRole.id == PractitionerRoleService.role_id)
            .where(PractitionerRole.practitioner_id == surgeon_id)
        ).all()
        added = connection.execute(
            select(Practitioner.id, Practitioner.source, PractitionerRole.specialty)
            .join(PractitionerRole, PractitionerRole.practitioner_id == Practitioner.id)
            .where(Practitioner.npi == unknown)
        ).one()
    assert [tuple(v) for v in volumes] == [("lobectomy", 48, "CMS Medicare 2023")]
    assert (added.source, added.specialty) == ("cms-volumes", "radiation-oncology")
    with engine.connect() as connection:
        organization_npi = make_npi(77_000_003)
        assert not connection.execute(
            select(Practitioner.id).where(Practitioner.npi == organization_npi)
        ).all()

    with unit_of_work(make_session_factory(engine)) as session:
        outcome = directory.search_providers(
            session, query="lobectomy", near=zip_code, limit=50, filters=SearchFilters(kind="practitioner")
        )
    hit = next(h for h in outcome.hits if h.id == surgeon_id)
    volume = next(f for f in hit.factors if f.factor == "volume")
    assert volume.params["volume"] == 48 and volume.params["source"] == "CMS Medicare 2023"
    assert volume.points == round(ranking.volume_points(48), 2) > 0
    assert round(sum(f.points for f in hit.factors), 2) == pytest.approx(hit.score, abs=0.011)
    sentence = describe_factor(volume, get_translations("en"), "en")
    assert sentence == "Yearly volume of Lobectomy: 48 services (CMS Medicare 2023)"
    assert "CMS Medicare 2023" in describe_factor(volume, get_translations("es"), "es")
    # Volume counts: the surgeon now ranks above colleagues at the same ZIP without reported volume.
    same_place = [h for h in outcome.hits if h.distance_km == hit.distance_km]
    assert same_place[0].id == surgeon_id

    with TestClient(create_app(engine)) as client:
        profile = client.get(f"/api/v1/practitioners/{surgeon_id}").json()
        page = client.get(f"/practitioners/{surgeon_id}").text
    offered = [service for role in profile["roles"] for service in role["services"]]
    assert {"code": "lobectomy", "annual_volume": 48, "volume_source": "CMS Medicare 2023"}.items() <= next(
        service for service in offered if service["code"] == "lobectomy"
    ).items()
    assert "(CMS Medicare 2023)" in page

    again = framework.run_import(
        engine, registry.get_source("cms-volumes"), path, report_path=tmp_path / "r2.csv"
    )
    assert (again.counts["unchanged"], again.counts["inserted"], again.counts["updated"]) == (2, 0, 0)


def test_generated_file_at_scale_imports_idempotently(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as connection:
        npis = [
            str(n) for n in connection.scalars(select(Practitioner.npi).where(Practitioner.npi.is_not(None)))
        ]
    path = write_volume_file(tmp_path / "volumes_2023.csv", rows=6_000, seed=2, npis=npis[:400], bad_rows=6)
    first = framework.run_import(
        engine, registry.get_source("cms-volumes"), path, report_path=tmp_path / "a.csv"
    )
    assert first.counts["read"] == 6_000 and first.counts["rejected"] == 6
    assert first.counts["updated"] > 0 and first.counts["inserted"] > 0
    with engine.connect() as connection:
        stored = connection.execute(
            select(func.count())
            .select_from(PractitionerRoleService)
            .where(PractitionerRoleService.volume_source == "CMS Medicare 2023")
        ).scalar_one()
    assert stored > 0
    second = framework.run_import(
        engine, registry.get_source("cms-volumes"), path, report_path=tmp_path / "b.csv"
    )
    assert second.counts["inserted"] == second.counts["updated"] == 0
    assert second.counts["unchanged"] == first.counts["inserted"] + first.counts["updated"]


def _stored_volumes(engine: Engine) -> dict[str, dict[str, int]]:
    p, r, rs = Practitioner, PractitionerRole, PractitionerRoleService
    stored: dict[str, dict[str, int]] = {}
    with engine.connect() as connection:
        for npi, code, volume in connection.execute(
            select(p.npi, rs.service_code, rs.annual_volume)
            .join(r, r.practitioner_id == p.id)
            .join(rs, rs.role_id == r.id)
            .where(rs.volume_source == "CMS Medicare 2023")
        ):
            stored.setdefault(str(npi), {})[code] = volume
    return stored


def test_interrupted_import_resumes_to_the_same_volumes(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as connection:
        npis = [
            str(n) for n in connection.scalars(select(Practitioner.npi).where(Practitioner.npi.is_not(None)))
        ]
    path = write_volume_file(tmp_path / "volumes_2023.csv", rows=3_000, seed=9, npis=npis[:300], bad_rows=3)
    source = registry.get_source("cms-volumes")
    expected = {
        outcome.source_id: outcome.payload.services
        for outcome in (
            source.prepare(record) for record in source.records(path, start_row=0, start_offset=0)
        )
        if isinstance(outcome, framework.Prepared)
    }
    commits = 0

    def stop_after_two(position: int, counts: dict[str, int]) -> None:
        nonlocal commits
        commits += 1
        if commits == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        framework.run_import(
            engine,
            registry.get_source("cms-volumes"),
            path,
            report_path=tmp_path / "r.csv",
            batch_records=60,
            on_progress=stop_after_two,
        )
    partial = _stored_volumes(engine)
    resumed = framework.run_import(
        engine, registry.get_source("cms-volumes"), path, report_path=tmp_path / "r.csv"
    )
    assert resumed.resumed_from_row > 0 and resumed.counts["read"] == 3_000
    assert resumed.counts["rejected"] == 3
    stored = _stored_volumes(engine)
    assert 0 < len(partial) < len(stored)
    assert all(stored[npi] == expected[npi] for npi in stored)
    with engine.connect() as connection:
        with_roles = set(
            connection.scalars(
                select(Practitioner.npi)
                .join(PractitionerRole, PractitionerRole.practitioner_id == Practitioner.id)
                .where(Practitioner.npi.in_(list(expected)))
            )
        )
    assert set(stored) == with_roles
