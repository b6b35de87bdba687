"""Generators of files in the exact published layout of CMS volume data, at any size, for tests and
benchmarks (no real CMS volume file ships offline).

Rows are produced one at a time from a seeded generator, so a file of any size is written in bounded memory.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from onconav.directory.imports.formats.cms_volumes import COLUMNS, hcpcs_mapping
from onconav.directory.imports.formats.npi import npi_check_digit
from onconav.knowledge import service as knowledge

# Codes CMS files are full of that onconav does not count (office visits), so imports skip most rows.
UNMAPPED_CODES = (
    ("99213", "Established patient office or other outpatient visit, 20-29 minutes"),
    ("99214", "Established patient office or other outpatient visit, 30-39 minutes"),
    ("99204", "New patient office or other outpatient visit, 45-59 minutes"),
)
PROVIDER_TYPES = (
    "Thoracic Surgery",
    "General Surgery",
    "Hematology-Oncology",
    "Medical Oncology",
    "Radiation Oncology",
    "Urology",
    "Surgical Oncology",
)
RUCA = (
    ("1", "Metropolitan area core: primary flow within an urbanized area of 50,000 and greater"),
    ("4", "Micropolitan area core: primary flow within an urban cluster of 10,000 through 49,999"),
)
PLACES = (
    ("Boston", "MA", "25", "02115"),
    ("Houston", "TX", "48", "77030"),
    ("Rochester", "MN", "27", "55905"),
)


def make_npi(number: int) -> str:
    """A valid 10-digit NPI derived from a counter (first digit 1, as individual NPIs)."""
    first_nine = f"1{number:08d}"
    return first_nine + npi_check_digit(first_nine)


def _descriptions() -> dict[str, str]:
    described = {}
    for code, mapped in hcpcs_mapping().items():
        service = knowledge.get_service(mapped.service)
        described[code] = service.name if service else mapped.service
    return described


def volume_rows(
    *, rows: int, seed: int = 0, npis: Sequence[str] | None = None, bad_rows: int = 0
) -> Iterator[dict[str, str]]:
    """`rows` rows of the CMS layout, sorted by NPI, with `bad_rows` broken rows spread among them."""
    rng = random.Random(seed)
    descriptions = _descriptions()
    mapped_codes = sorted(descriptions)
    bad_every = rows // (bad_rows + 1) if bad_rows else 0
    npi_list = sorted(npis) if npis else None
    written = 0
    index = 0
    bad_due = broken = 0
    while written < rows:
        npi = npi_list[index % len(npi_list)] if npi_list else make_npi(1_000_000 + index)
        if npi_list and index >= len(npi_list):
            npi = make_npi(50_000_000 + index)  # more rows than NPIs given: new NPIs after them
        index += 1
        city, state, fips, zip5 = PLACES[rng.randrange(len(PLACES))]
        ruca, ruca_desc = RUCA[rng.randrange(len(RUCA))]
        provider_type = PROVIDER_TYPES[rng.randrange(len(PROVIDER_TYPES))]
        person = {
            "Rndrng_NPI": npi,
            "Rndrng_Prvdr_Last_Org_Name": f"Testname{index}",
            "Rndrng_Prvdr_First_Name": rng.choice(("Ana", "John", "Mei", "Omar", "Priya", "Luis")),
            "Rndrng_Prvdr_MI": rng.choice(("", "A", "J")),
            "Rndrng_Prvdr_Crdntls": rng.choice(("M.D.", "MD", "D.O.")),
            "Rndrng_Prvdr_Gndr": rng.choice(("F", "M")),
            "Rndrng_Prvdr_Ent_Cd": "I",
            "Rndrng_Prvdr_St1": f"{rng.randint(1, 999)} Main Street",
            "Rndrng_Prvdr_St2": "",
            "Rndrng_Prvdr_City": city,
            "Rndrng_Prvdr_State_Abrvtn": state,
            "Rndrng_Prvdr_State_FIPS": fips,
            "Rndrng_Prvdr_Zip5": zip5,
            "Rndrng_Prvdr_RUCA": ruca,
            "Rndrng_Prvdr_RUCA_Desc": ruca_desc,
            "Rndrng_Prvdr_Cntry": "US",
            "Rndrng_Prvdr_Type": provider_type,
            "Rndrng_Prvdr_Mdcr_Prtcptg_Ind": "Y",
        }
        codes = [*rng.sample(mapped_codes, rng.randint(1, 3)), *(c for c, _ in UNMAPPED_CODES)]
        for code in codes:
            for place in ("F", "O") if rng.random() < 0.3 else ("F",):
                if written >= rows:
                    return
                benes = rng.randint(11, 120)  # CMS suppresses rows of fewer than 11 beneficiaries
                services = benes + rng.randint(0, benes)
                charge = round(rng.uniform(200, 9000), 2)
                allowed = round(charge * rng.uniform(0.2, 0.5), 8)
                row = {
                    **person,
                    "HCPCS_Cd": code,
                    "HCPCS_Desc": descriptions.get(code) or dict(UNMAPPED_CODES)[code],
                    "HCPCS_Drug_Ind": "N",
                    "Place_Of_Srvc": place,
                    "Tot_Benes": str(benes),
                    "Tot_Srvcs": str(services),
                    "Tot_Bene_Day_Srvcs": str(rng.randint(benes, services)),
                    "Avg_Sbmtd_Chrg": f"{charge:.8f}".rstrip("0").rstrip("."),
                    "Avg_Mdcr_Alowd_Amt": f"{allowed:.8f}".rstrip("0").rstrip("."),
                    "Avg_Mdcr_Pymt_Amt": f"{allowed * 0.8:.8f}".rstrip("0").rstrip("."),
                    "Avg_Mdcr_Stdzd_Amt": f"{allowed * 0.78:.8f}".rstrip("0").rstrip("."),
                }
                written += 1
                if bad_every and written % bad_every == 0 and written // bad_every <= bad_rows:
                    bad_due += 1
                if bad_due and code in descriptions:  # break counted rows, which importers must read
                    bad_due -= 1
                    broken += 1
                    row = {**row, "Tot_Srvcs": "n/a"} if broken % 2 else {**row, "Rndrng_NPI": "12AB"}
                yield row


def write_volume_file(
    path: Path, *, rows: int, seed: int = 0, npis: Sequence[str] | None = None, bad_rows: int = 0
) -> Path:
    """Write a CMS-layout CSV (header + `rows` rows) to `path` and return it."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for row in volume_rows(rows=rows, seed=seed, npis=npis, bad_rows=bad_rows):
            writer.writerow(row)
    return path


# --- Medicare Inpatient Hospitals - by Provider and Service ---------------------------------------------

UNMAPPED_DRGS = (
    ("871", "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC"),
    ("470", "MAJOR HIP AND KNEE JOINT REPLACEMENT OR REATTACHMENT OF LOWER EXTREMITY WITHOUT MCC"),
    ("291", "HEART FAILURE AND SHOCK WITH MCC"),
)
# (CCN, name, city, street, state FIPS, ZIP, state): real CMS Certification Numbers and addresses from the
# CMS Hospital General Information file, so generated rows join to imported hospitals.
INPATIENT_HOSPITALS = (
    ("220071", "Massachusetts General Hospital", "Boston", "55 Fruit Street", "25", "02114", "MA"),
    ("220110", "Brigham and Women's Hospital", "Boston", "75 Francis Street", "25", "02115", "MA"),
    ("220086", "Beth Israel Deaconess Medical Center", "Boston", "330 Brookline Avenue", "25", "02215", "MA"),
    ("050454", "UCSF Medical Center", "San Francisco", "505 Parnassus Ave", "06", "94143", "CA"),
)


def inpatient_rows(
    *, rows: int, seed: int = 0, hospitals: Sequence[tuple[str, ...]] = INPATIENT_HOSPITALS, bad_rows: int = 0
) -> Iterator[dict[str, str]]:
    """`rows` rows of the CMS inpatient layout (mapped and unmapped MS-DRGs, sorted by CCN then DRG as
    CMS sorts them), with `bad_rows` broken rows (a non-numeric discharge count, a CCN of 5 letters)."""
    from onconav.directory.imports.formats.cms_inpatient import drg_mapping

    rng = random.Random(seed)
    drgs = sorted([*((code, m.title) for code, m in drg_mapping().items()), *UNMAPPED_DRGS])
    bad_every = rows // (bad_rows + 1) if bad_rows else 0
    written = broken = 0
    index = 0
    while written < rows:
        if index < len(hospitals):
            ccn, name, city, street, fips, zip5, state = hospitals[index]
        else:
            ccn, name, city, street, fips, zip5, state = (
                f"{990000 + index:06d}",
                f"Testname Hospital {index}",
                "Springfield",
                f"{index} Main Street",
                "17",
                "62701",
                "IL",
            )
        index += 1
        for code, title in drgs:
            if written >= rows:
                return
            if rng.random() < 0.3:
                continue  # CMS suppresses DRGs with fewer than 11 discharges: not every hospital has all
            discharges = rng.randint(11, 400)
            charge = round(rng.uniform(20_000, 250_000), 2)
            total = round(charge * rng.uniform(0.15, 0.4), 2)
            row = {
                "Rndrng_Prvdr_CCN": ccn,
                "Rndrng_Prvdr_Org_Name": name,
                "Rndrng_Prvdr_City": city,
                "Rndrng_Prvdr_St": street,
                "Rndrng_Prvdr_State_FIPS": fips,
                "Rndrng_Prvdr_Zip5": zip5,
                "Rndrng_Prvdr_State_Abrvtn": state,
                "Rndrng_Prvdr_RUCA": "1",
                "Rndrng_Prvdr_RUCA_Desc": RUCA[0][1],
                "DRG_Cd": code,
                "DRG_Desc": title,
                "Tot_Dschrgs": str(discharges),
                "Avg_Submtd_Cvrd_Chrg": f"{charge:.2f}",
                "Avg_Tot_Pymt_Amt": f"{total:.2f}",
                "Avg_Mdcr_Pymt_Amt": f"{total * 0.85:.2f}",
            }
            written += 1
            if bad_every and written % bad_every == 0 and broken < bad_rows:
                broken += 1
                row = {**row, "Tot_Dschrgs": "n/a"} if broken % 2 else {**row, "Rndrng_Prvdr_CCN": "ABCDE"}
            yield row


def write_inpatient_file(
    path: Path,
    *,
    rows: int,
    seed: int = 0,
    hospitals: Sequence[tuple[str, ...]] = INPATIENT_HOSPITALS,
    bad_rows: int = 0,
) -> Path:
    """Write a CMS inpatient-layout CSV (header + `rows` rows) to `path` (name it with the year, as CMS
    does: MUP_INP_RY24_P03_V10_DY22_PrvSvc.csv) and return it."""
    from onconav.directory.imports.formats.cms_inpatient import COLUMNS as INPATIENT_COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPATIENT_COLUMNS, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for row in inpatient_rows(rows=rows, seed=seed, hospitals=hospitals, bad_rows=bad_rows):
            writer.writerow(row)
    return path
