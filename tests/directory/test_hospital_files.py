"""The real CMS and HIFLD hospital files parse as documented, and every rejected row says why."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from onconav.directory.imports.formats import cms_hospitals, hifld_hospitals
from onconav.directory.imports.formats.hospital_records import (
    FLAG_BEDS_UNKNOWN,
    FLAG_ZIP_REPAIRED,
    HospitalRecord,
    normalise_phone,
    normalise_zip,
    title_case,
)
from onconav.directory.imports.formats.rejection import RowRejected
from tests.support.data import is_full, real_datasets

CMS_FILE = Path("cms_hospital_general_information/Hospital_General_Information.csv")
HIFLD_FILE = Path("hifld_hospitals/Hospitals.csv")


def _parse(module: object, path: Path) -> tuple[list[HospitalRecord], Counter[str]]:
    records, rejected = [], Counter[str]()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                records.append(module.parse_row(row))  # type: ignore[attr-defined]
            except RowRejected as error:
                rejected[error.reason] += 1
    return records, rejected


@pytest.mark.parametrize("root", real_datasets())
def test_cms_file_every_hospital_parses(root: Path) -> None:
    records, rejected = _parse(cms_hospitals, root / CMS_FILE)
    # The full file, then the repository's sample of it (tests/data/real, SOURCE.md says which rows).
    full = is_full(root)
    rows, not_rated, five, one, emergency = (5381, 2509, 290, 229, 4462) if full else (148, 58, 15, 6, 112)
    assert len(records) == rows and not rejected
    assert len({r.source_id for r in records}) == rows
    stars = Counter(r.star_rating for r in records)
    assert stars[None] == not_rated and stars[5] == five and stars[1] == one
    assert Counter(r.emergency_services for r in records) == {True: emergency, False: rows - emergency}
    first = next(r for r in records if r.source_id == "010001")
    assert (first.name, first.city, first.state, first.postal_code) == (
        "SOUTHEAST HEALTH MEDICAL CENTER",
        "DOTHAN",
        "AL",
        "36301",
    )
    assert first.phone == "(334) 793-8701" and first.star_rating == 4 and first.emergency_services is True
    assert first.hospital_type == "Acute Care Hospitals" and first.lat is None


@pytest.mark.parametrize("root", real_datasets())
def test_hifld_file_rejects_closed_hospitals_and_repairs_zips(root: Path) -> None:
    records, rejected = _parse(hifld_hospitals, root / HIFLD_FILE)
    closed, kept, repaired_range, puerto_rico, usa = (
        (379, 7634, (400, 700), 50, 7000) if is_full(root) else (23, 253, (100, 200), 10, 200)
    )
    assert rejected == {"closed": closed}
    assert len(records) == kept
    mgh = next(r for r in records if r.name == "MASSACHUSETTS GENERAL HOSPITAL")
    assert mgh.postal_code == "02114" and FLAG_ZIP_REPAIRED in mgh.quality_flags
    assert mgh.lat is not None and 42.3 < mgh.lat < 42.4 and mgh.lon is not None and -71.1 < mgh.lon < -71.0
    repaired = sum(FLAG_ZIP_REPAIRED in r.quality_flags for r in records)
    # New England, New Jersey and Puerto Rico ZIPs lost their leading zeros
    assert repaired_range[0] < repaired < repaired_range[1]
    assert all(r.postal_code and len(r.postal_code) == 5 for r in records)
    assert sum(FLAG_BEDS_UNKNOWN in r.quality_flags for r in records) == sum(r.beds is None for r in records)
    countries = Counter(r.country_code for r in records)
    assert countries["PR"] > puerto_rico and countries["US"] > usa


def _hifld_row(**changes: str) -> dict[str, str]:
    row = {
        "X": "-86.49454911",
        "Y": "31.29579533",
        "ID": "1336420",
        "NAME": "ANDALUSIA HEALTH",
        "ADDRESS": "849 SOUTH THREE NOTCH STREET",
        "CITY": "ANDALUSIA",
        "STATE": "AL",
        "ZIP": "36420",
        "TELEPHONE": "(334) 222-8466",
        "TYPE": "GENERAL ACUTE CARE",
        "STATUS": "OPEN",
        "COUNTRY": "USA",
        "BEDS": "88",
        "WEBSITE": "NOT AVAILABLE",
    }
    return {**row, **changes}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"STATUS": "CLOSED"}, "closed"),
        ({"X": "", "Y": "", "LATITUDE": "", "LONGITUDE": ""}, "missing_coordinates"),
        ({"X": "0", "Y": "0"}, "missing_coordinates"),
        ({"Y": "123.5"}, "missing_coordinates"),
        ({"ZIP": "ABCDE"}, "invalid_zip"),
        ({"NAME": "  "}, "missing_name"),
        ({"COUNTRY": "CAN"}, "unknown_country"),
    ],
)
def test_hifld_rows_rejected_with_reason(changes: dict[str, str], reason: str) -> None:
    with pytest.raises(RowRejected) as caught:
        hifld_hospitals.parse_row(_hifld_row(**changes))
    assert caught.value.reason == reason


def test_hifld_sentinels_read_as_unknown_and_short_zips_are_padded() -> None:
    record = hifld_hospitals.parse_row(_hifld_row(BEDS="-999", ZIP="681", COUNTRY="PRI", STATE="PR"))
    assert record.beds is None and FLAG_BEDS_UNKNOWN in record.quality_flags
    assert record.postal_code == "00681" and record.country_code == "PR" and record.website is None


def test_cms_rows_rejected_with_reason() -> None:
    good = {
        "Facility ID": "10001",
        "Facility Name": "X HOSPITAL",
        "City/Town": "DOTHAN",
        "State": "AL",
        "ZIP Code": "36301",
        "Hospital overall rating": "Not Available",
    }
    assert cms_hospitals.parse_row(good).source_id == "010001"  # leading zero restored
    for changes, reason in [
        ({"Facility ID": "01-0001"}, "invalid_ccn"),
        ({"State": "Alabama"}, "invalid_state"),
        ({"ZIP Code": ""}, "missing_zip"),
        ({"Hospital overall rating": "6"}, "invalid_star_rating"),
    ]:
        with pytest.raises(RowRejected) as caught:
            cms_hospitals.parse_row({**good, **changes})
        assert caught.value.reason == reason


def test_zips_phones_and_names_are_normalised() -> None:
    assert normalise_zip("02114-1234") == ("02114", False)
    assert normalise_zip("2114") == ("02114", True)
    assert normalise_zip("NOT AVAILABLE") == (None, False)
    assert normalise_phone("334.793.8701") == "(334) 793-8701"
    assert normalise_phone("1-800-555-0100") == "(800) 555-0100"
    assert normalise_phone("NOT AVAILABLE") is None
    assert title_case("ST. MARY'S VA MEDICAL CENTER") == "St. Mary's VA Medical Center"
