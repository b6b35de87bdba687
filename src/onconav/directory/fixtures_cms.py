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
