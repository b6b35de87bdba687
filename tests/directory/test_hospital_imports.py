"""`onconav import cms-hospitals` and `hifld-hospitals` on the real files, on both databases: every row
accounted for, duplicates linked by the documented rule, idempotent re-runs, resume after an interruption,
and hospitals found by the directory search with their CMS facts in `why`.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.bulk import TABLES, full_row
from onconav.directory.imports import framework, registry
from onconav.directory.imports.linking import link_hospitals
from onconav.directory.indexing import GENERAL_HOSPITAL_TYPES
from onconav.directory.models import FLAG_ZIP_CENTROID, Location, Organization, SearchEntry
from onconav.directory.scoring import SearchFilters
from onconav.knowledge import service as knowledge
from tests.support.data import is_full, real_datasets

CMS = "cms_hospital_general_information/Hospital_General_Information.csv"
HIFLD = "hifld_hospitals/Hospitals.csv"


class Figures(NamedTuple):
    """What an import of one copy of the real files gives (docs/data-sources.md reports the full files)."""

    cms_rows: int
    hifld_rows: int
    closed: int
    rules: dict[str, int]
    emergency: int  # CMS hospitals with emergency services: one search entry each

    @property
    def hifld_open(self) -> int:
        return self.hifld_rows - self.closed


FULL = Figures(5381, 8013, 379, {"phone": 3488, "zip": 1318, "city": 64}, 4462)
SAMPLE = Figures(148, 276, 23, {"phone": 78, "zip": 53, "city": 3}, 112)  # tests/data/real


def _run(engine: Engine, source: str, path: Path, report: Path, **kwargs: object) -> framework.ImportSummary:
    return framework.run_import(engine, registry.get_source(source), path, report_path=report, **kwargs)  # type: ignore[arg-type]


def _org(engine: Engine, **where: str) -> tuple[int, int | None, str | None, float, float, str | None]:
    o, loc = Organization, Location
    query = select(o.id, o.duplicate_of_id, o.duplicate_rule, loc.lat, loc.lon, loc.geocode_precision).join(
        loc, loc.organization_id == o.id
    )
    for column, value in where.items():
        query = query.where(getattr(o, column) == value)
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return row.id, row.duplicate_of_id, row.duplicate_rule, row.lat, row.lon, row.geocode_precision


@pytest.mark.parametrize("root", real_datasets())
def test_hospital_files_import_link_and_search(engine: Engine, root: Path, tmp_path: Path) -> None:
    figures = FULL if is_full(root) else SAMPLE
    cms = _run(engine, "cms-hospitals", root / CMS, tmp_path / "cms.csv")
    assert cms.counts == {
        "read": figures.cms_rows,
        "inserted": figures.cms_rows,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "skipped": 0,
        "retired": 0,
    }
    mgh_cms = _org(engine, cms_ccn="220071")
    assert mgh_cms[5] == "zip_centroid"  # CMS has no coordinates: placed at its ZIP centroid for now
    hifld = _run(engine, "hifld-hospitals", root / HIFLD, tmp_path / "hifld.csv")
    assert (hifld.counts["inserted"], hifld.counts["rejected"], hifld.counts["read"]) == (
        figures.hifld_open,
        figures.closed,
        figures.hifld_rows,
    )
    with (tmp_path / "hifld.csv").open(newline="") as handle:
        report = list(csv.DictReader(handle))
    assert len(report) == figures.closed and all(row["reason"].startswith("closed:") for row in report)
    assert {row["source_id"] for row in report} >= {"38492673"}  # a closed hospital, by its HIFLD id

    with engine.connect() as connection:
        rules = Counter(
            dict(
                connection.execute(
                    select(Organization.duplicate_rule, func.count())
                    .where(Organization.duplicate_of_id.is_not(None))
                    .group_by(Organization.duplicate_rule)
                ).all()
            )
        )
        linked_to_cms = connection.execute(
            select(func.count())
            .select_from(Organization)
            .where(
                Organization.source == "hifld-hospitals",
                Organization.duplicate_of_id.in_(
                    select(Organization.id).where(Organization.source == "cms-hospitals")
                ),
            )
        ).scalar_one()
        mgh_flags = connection.execute(
            select(Location.quality_flags).where(Location.organization_id == mgh_cms[0])
        ).scalar_one()
        mgh_org_flags = connection.execute(
            select(Organization.quality_flags).where(Organization.id == mgh_cms[0])
        ).scalar_one()
    assert rules == figures.rules and linked_to_cms == sum(figures.rules.values())
    mgh_hifld = _org(engine, hifld_id="7702114")
    assert mgh_hifld[1] == mgh_cms[0] and mgh_hifld[2] == "phone"
    # The CMS row is canonical; it now stands at the HIFLD coordinates of its linked duplicate.
    mgh_cms = _org(engine, cms_ccn="220071")
    assert mgh_cms[1] is None and mgh_cms[5] == "linked_source"
    assert (mgh_cms[3], mgh_cms[4]) == (mgh_hifld[3], mgh_hifld[4])
    assert FLAG_ZIP_CENTROID not in mgh_flags and FLAG_ZIP_CENTROID not in mgh_org_flags

    with unit_of_work(make_session_factory(engine)) as session:
        outcome = directory.search_providers(
            session, query="emergency room", near="02114", limit=5, filters=SearchFilters(kind="hospital")
        )
    first = outcome.hits[0]
    assert first.name == "Massachusetts General Hospital" and first.organization_kind == "hospital"
    # MGH is a member of the Dana-Farber/Harvard Cancer Center: the importer applied the reference file.
    assert [f.factor for f in first.factors] == [
        "match",
        "volume",
        "designation",
        "cms_star_rating",
        "distance",
    ]
    assert first.factors[2].params["source"].startswith("NCI Cancer Centers Program")
    assert first.factors[3].params["stars"] == 5 and first.factors[3].points == 0.0
    assert all(f.params.get("source") for f in first.factors if f.factor != "distance")
    for hit in outcome.hits:
        assert round(sum(f.points for f in hit.factors), 2) == pytest.approx(hit.score, abs=0.011)
    with engine.connect() as connection:
        entries = dict(
            connection.execute(
                select(SearchEntry.evidence, func.count()).group_by(SearchEntry.evidence)
            ).all()
        )
        general = connection.execute(
            select(func.count())
            .select_from(Organization)
            .where(
                Organization.duplicate_of_id.is_(None),
                func.lower(Organization.hospital_type).in_(sorted(GENERAL_HOSPITAL_TYPES)),
            )
        ).scalar_one()
        on_duplicates = connection.execute(
            select(func.count())
            .select_from(SearchEntry)
            .join(Organization, Organization.id == SearchEntry.entity_id)
            .where(SearchEntry.entity_kind == "organization", Organization.duplicate_of_id.is_not(None))
        ).scalar_one()
    # Known: one per CMS hospital with emergency services (HIFLD rows list no service). Unknown: one per
    # canonical general hospital, found as "services unknown" when nobody is known to do what was asked.
    # Likely: every catalogue condition at the hospitals of the NCI reference file (no trials imported).
    assert entries["known"] == figures.emergency
    assert entries["unknown"] == general and general > 0
    assert entries["likely"] % len(knowledge.list_conditions()) == 0 and entries["likely"] > 0
    assert on_duplicates == 0

    # NPPES organizations (a third source) link to the canonical CMS row too, when the rule says so.
    with engine.begin() as connection:
        phone = connection.execute(
            select(Organization.phone).where(Organization.id == mgh_cms[0])
        ).scalar_one()
        first_id = connection.execute(select(func.max(Organization.id))).scalar_one() + 1
        for offset, name in enumerate(("MASSACHUSETTS GENERAL HOSPITAL", "The General Hospital Corporation")):
            npi = f"156846760{offset}"
            connection.execute(
                TABLES["organization"].insert(),
                [
                    full_row(
                        "organization",
                        id=first_id + offset,
                        name=name,
                        kind="hospital",
                        npi=npi,
                        source="nppes",
                        source_id=npi,
                        phone=phone,
                        designations=[],
                        languages=[],
                    )
                ],
            )
            connection.execute(
                TABLES["location"].insert(),
                [
                    full_row(
                        "location",
                        organization_id=first_id + offset,
                        name="55 Fruit St",
                        city="Boston",
                        region_code="MA",
                        postal_code="02114-2696",
                        country_code="US",
                        country="United States",
                        lat=42.3626,
                        lon=-71.0692,
                        geocode_precision="zip_centroid",
                    )
                ],
            )
        counts = link_hospitals(connection)
    assert counts == {**figures.rules, "phone": figures.rules["phone"] + 1}
    assert _org(engine, npi="1568467600")[1:3] == (mgh_cms[0], "phone")
    assert _org(engine, npi="1568467601")[1] is None  # the legal name shares too little with the CMS name

    # The page and the API show the registry facts and the rows of the other sources linked to it.
    with TestClient(create_app(engine)) as client:
        facts = client.get(f"/api/v1/organizations/{mgh_cms[0]}").json()["hospital"]
        page = client.get(f"/organizations/{mgh_cms[0]}").text
        spanish = client.get(f"/organizations/{mgh_cms[0]}?lang=es").text
    assert (
        facts["cms_ccn"] == "220071" and facts["cms_star_rating"] == 5 and facts["emergency_services"] is True
    )
    assert facts["same_as"] == [
        {
            "id": mgh_hifld[0],
            "name": "Massachusetts General Hospital",
            "source": "hifld-hospitals",
            "rule": "phone",
        },
        {"id": first_id, "name": "MASSACHUSETTS GENERAL HOSPITAL", "source": "nppes", "rule": "phone"},
    ]
    assert "5 of 5 stars" in page and f'href="/organizations/{mgh_hifld[0]}"' in page
    assert "5 de 5 estrellas" in spanish

    again = _run(engine, "cms-hospitals", root / CMS, tmp_path / "cms2.csv")
    assert again.counts["unchanged"] == figures.cms_rows and again.counts["inserted"] == 0
    again = _run(engine, "hifld-hospitals", root / HIFLD, tmp_path / "hifld2.csv")
    assert again.counts["unchanged"] == figures.hifld_open and again.counts["rejected"] == figures.closed
    assert _org(engine, cms_ccn="220071") == mgh_cms
    with engine.connect() as connection:
        organizations = connection.execute(select(func.count()).select_from(Organization)).scalar_one()
    assert organizations == figures.cms_rows + figures.hifld_open + 2  # the two NPPES rows added above


@pytest.mark.parametrize("root", real_datasets())
def test_hospital_import_resumes_after_interruption(engine: Engine, root: Path, tmp_path: Path) -> None:
    rows = (FULL if is_full(root) else SAMPLE).cms_rows
    batch = 2000 if is_full(root) else 50

    def stop(position: int, counts: dict[str, int]) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(
            engine,
            "cms-hospitals",
            root / CMS,
            tmp_path / "r.csv",
            batch_records=batch,
            on_progress=stop,
        )
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Organization)).scalar_one() == batch
    resumed = _run(engine, "cms-hospitals", root / CMS, tmp_path / "r.csv")
    assert resumed.resumed_from_row == batch
    assert resumed.counts["read"] == rows and resumed.counts["inserted"] == rows
    with engine.connect() as connection:
        count = connection.execute(select(func.count(func.distinct(Organization.cms_ccn)))).scalar_one()
        total = connection.execute(select(func.count()).select_from(Organization)).scalar_one()
    assert count == total == rows
