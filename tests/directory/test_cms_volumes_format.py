"""The CMS volume layout, the HCPCS mapping as data, the generator at any size, and row parsing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from onconav.directory.fixtures_cms import make_npi, volume_rows, write_volume_file
from onconav.directory.imports.formats import cms_volumes
from onconav.directory.imports.formats.npi import npi_check_digit
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.knowledge import service as knowledge


def test_layout_is_the_published_one() -> None:
    # The 29 columns of the CMS data dictionary, in order (docs/data-sources.md, "cms-volumes").
    assert len(cms_volumes.COLUMNS) == 29
    assert cms_volumes.COLUMNS[:3] == ("Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name")
    assert cms_volumes.COLUMNS[18:24] == (
        "HCPCS_Cd",
        "HCPCS_Desc",
        "HCPCS_Drug_Ind",
        "Place_Of_Srvc",
        "Tot_Benes",
        "Tot_Srvcs",
    )
    assert cms_volumes.COLUMNS[-1] == "Avg_Mdcr_Stdzd_Amt"
    assert len(set(cms_volumes.COLUMNS)) == 29


def test_mapping_reuses_the_knowledge_codes_and_adds_the_data_file() -> None:
    mapping = cms_volumes.hcpcs_mapping()
    for service in knowledge.list_services():
        for code in service.cpt:
            assert mapping[code].service == service.code and mapping[code].origin == "knowledge"
    assert mapping["32480"].service == "lobectomy"
    assert mapping["77427"] == cms_volumes.HcpcsMapping(
        "77427", "external-beam-radiation-therapy", "directory"
    )
    assert "96415" not in mapping  # an add-on code (each further hour) would count one infusion twice
    assert "99213" not in mapping


def test_npi_check_digits_follow_the_cms_example() -> None:
    assert npi_check_digit("123456789") == "3"  # 1234567893, the CMS worked example
    assert npi_check_digit("124531959") == "9"
    assert make_npi(7)[-1] == npi_check_digit(make_npi(7)[:9])


def test_generated_file_has_the_layout_and_streams(tmp_path: Path) -> None:
    path = write_volume_file(
        tmp_path / "MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv", rows=2_000, seed=3, bad_rows=4
    )
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == cms_volumes.COLUMNS
        rows = list(reader)
    assert len(rows) == 2_000
    npis = [row["Rndrng_NPI"] for row in rows if row["Rndrng_NPI"].isdigit()]
    assert npis == sorted(npis)  # sorted by NPI, as CMS publishes it
    assert all(int(row["Tot_Benes"]) >= 11 for row in rows)  # CMS suppresses fewer than 11
    counted, skipped, rejected = [], 0, []
    for row in rows:
        try:
            parsed = cms_volumes.parse_row(row)
        except RowRejected as error:
            rejected.append(error.reason)
            continue
        if parsed is None:
            skipped += 1
        else:
            counted.append(parsed)
    assert sorted(set(rejected)) == ["invalid_count", "invalid_npi"] and len(rejected) == 4
    assert counted and skipped > len(counted) / 2
    assert cms_volumes.data_year_from_name(path) == 2023
    # A large file streams: the generator yields rows without building them all first.
    stream = volume_rows(rows=10_000_000, seed=1)
    assert len([next(stream) for _ in range(100)]) == 100


def test_group_by_npi_sums_per_service() -> None:
    def row(npi: str, code: str, services: str, place: str = "F") -> dict[str, str]:
        return {
            "Rndrng_NPI": npi,
            "HCPCS_Cd": code,
            "Tot_Srvcs": services,
            "Tot_Benes": "11",
            "Place_Of_Srvc": place,
        }

    rows = [
        row("1234567893", "32480", "20"),  # open lobectomy
        row("1234567893", "32663", "28", "O"),  # thoracoscopic lobectomy
        row("1234567893", "99213", "300"),  # office visit: not counted
        row("1245319599", "77427", "48"),
    ]
    parsed = [p for p in (cms_volumes.parse_row(r) for r in rows) if p is not None]
    groups = list(cms_volumes.group_by_npi(parsed))
    assert [(g.npi, g.services) for g in groups] == [
        ("1234567893", {"lobectomy": 48}),
        ("1245319599", {"external-beam-radiation-therapy": 48}),
    ]
    with pytest.raises(RowRejected):
        cms_volumes.parse_row(row("1234567893", "32480", "-3"))
