"""Format fixtures: files in the exact published layout of real sources, at any size, streaming.

`write_nppes_file` writes an NPPES NPI full replacement file (330 quoted columns, the CMS header) with a
realistic mix: about 78% individuals and 19% organizations, 3% deactivated NPIs (only the NPI and the
deactivation date), one to three taxonomy codes per provider with one primary, mostly codes outside cancer
care (as in the real file), real US ZIP codes, some unknown ZIPs and foreign addresses (not placeable), many
blank optional fields, and optionally a few malformed rows. The people and organizations are fictional;
NPIs carry a valid check digit. Same seed, same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import zipcodes

from onconav.directory.demo_names import FAMILY_NAMES, GIVEN_NAMES, ORGANIZATION_WORDS, STREET_WORDS
from onconav.directory.imports.formats import nppes_layout as layout
from onconav.directory.imports.formats.npi import npi_check_digit

# Individual taxonomy codes with rough weights (NPPES counts, per mille); oncology-relevant codes included.
INDIVIDUAL_CODES: dict[str, float] = {
    "163W00000X": 120,  # registered nurse
    "363L00000X": 60,  # nurse practitioner
    "225100000X": 40,  # physical therapist
    "122300000X": 40,  # dentist
    "183500000X": 35,  # pharmacist
    "101YM0800X": 30,  # mental health counselor
    "1041C0700X": 30,  # clinical social worker
    "103T00000X": 20,  # psychologist
    "111N00000X": 15,  # chiropractor
    "225700000X": 15,  # massage therapist
    "363A00000X": 25,  # physician assistant
    "207Q00000X": 25,  # family medicine
    "207R00000X": 25,  # internal medicine
    "207P00000X": 8,  # emergency medicine
    "207L00000X": 8,  # anesthesiology
    "208000000X": 10,  # pediatrics
    "207V00000X": 6,  # obstetrics & gynecology
    "207X00000X": 5,  # orthopaedic surgery
    "208600000X": 5,  # general surgery
    "2085R0202X": 5,  # diagnostic radiology
    "207ZP0102X": 2,  # pathology
    "133V00000X": 8,  # dietitian
    "235Z00000X": 10,  # speech-language pathologist
    "152W00000X": 8,  # optometrist
    "367500000X": 5,  # nurse anesthetist
    # oncology-relevant (imported)
    "207RX0202X": 1.8,
    "207RH0003X": 1.6,
    "207RH0000X": 0.4,
    "2080P0207X": 0.3,
    "2086X0206X": 0.3,
    "2085R0001X": 0.8,
    "207VX0201X": 0.2,
    "208G00000X": 0.6,
    "208C00000X": 0.3,
    "207T00000X": 0.9,
    "208800000X": 1.8,
    "207Y00000X": 1.7,
    "208200000X": 1.3,
    "207RG0100X": 2.5,
    "207RP1001X": 2.0,
    "207RE0101X": 1.2,
    "207N00000X": 2.2,
    "2085R0204X": 0.6,
    "207U00000X": 0.2,
    "207RH0002X": 0.8,
    "207QH0002X": 0.3,
}
ORGANIZATION_CODES: dict[str, float] = {
    "332B00000X": 60,  # durable medical equipment
    "333600000X": 60,  # pharmacy
    "251E00000X": 30,  # home health
    "261QM1300X": 40,  # multi-specialty clinic
    "193200000X": 40,  # single specialty group
    "193400000X": 20,  # multi-specialty group
    "291U00000X": 20,  # clinical medical laboratory
    "314000000X": 15,  # skilled nursing facility
    "261QR0200X": 10,  # radiology clinic
    "341600000X": 15,  # ambulance
    # imported
    "282N00000X": 6,
    "282NC0060X": 1.5,
    "261QX0200X": 2.5,
    "261QX0203X": 1.2,
    "207RX0202X": 1.5,  # an oncology group practice
    "2085R0001X": 0.6,
}
# Credentials follow the taxonomy: physicians (codes 207.../208...) and everyone else.
PHYSICIAN_CREDENTIALS = ("MD", "M.D.", "MD", "DO", "D.O.", "MD, PHD", "MD, FACS", "")
OTHER_CREDENTIALS = ("RN", "NP", "APRN", "PA-C", "PHD", "DDS", "PHARMD", "LCSW", "PT, DPT", "")
ORG_SUFFIXES = (
    "LLC",
    "PC",
    "INC",
    "PA",
    "PLLC",
    "MEDICAL GROUP",
    "HOSPITAL",
    "HEALTH SYSTEM",
    "CANCER CENTER",
)
FOREIGN = (
    ("CA", "TORONTO", "ON", "M5G2M9"),
    ("MX", "MONTERREY", "NL", "64460"),
    ("DE", "BERLIN", "", "10117"),
)


@dataclass(frozen=True)
class NppesFixtureMix:
    """Shares of special rows (each a probability per row)."""

    organizations: float = 0.195
    deactivated: float = 0.03
    unknown_zip: float = 0.004
    foreign_address: float = 0.002
    malformed: float = 0.0  # wrong column count, bad NPI check digit, individual without a last name


@cache
def _zip_rows() -> tuple[tuple[str, str, str], ...]:
    """(ZIP, city, state) of active US ZIP codes with coordinates."""
    rows = []
    for row in zipcodes.list_all():
        if row["active"] and row["zip_code_type"] == "STANDARD" and row["lat"] not in ("0", "0.0"):
            rows.append((row["zip_code"], row["city"].upper(), row["state"]))
    return tuple(rows)


def npi_with_check_digit(base9: int) -> str:
    """A 10-digit NPI from 9 digits, with the Luhn check digit over the 80840 prefix."""
    first_nine = f"{base9:09d}"
    return first_nine + npi_check_digit(first_nine)


def _q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


class _Picker:
    """Weighted choice from a dict, by bisection on precomputed cumulative weights."""

    def __init__(self, weights: dict[str, float]) -> None:
        import itertools

        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        import bisect

        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def nppes_lines(rows: int, *, seed: int = 0, mix: NppesFixtureMix | None = None) -> Iterator[str]:
    """The header line and `rows` data lines (each ending in CRLF, as the CMS file does)."""
    mix = mix or NppesFixtureMix()
    rng = random.Random(seed)
    zips = _zip_rows()
    individual_codes = _Picker(INDIVIDUAL_CODES)
    organization_codes = _Picker(ORGANIZATION_CODES)
    given = [name.upper() for name in GIVEN_NAMES["US"]]
    family = [name.upper() for name in FAMILY_NAMES["US"]]
    words = [word.upper() for word in ORGANIZATION_WORDS]
    streets = [word.upper() for word in STREET_WORDS]
    position = {name: index for index, name in enumerate(layout.COLUMNS)}
    blank = ['""'] * len(layout.COLUMNS)
    yield ",".join(_q(name) for name in layout.COLUMNS) + "\r\n"
    step = 7  # NPIs spread over the number space, unique
    for number in range(rows):
        npi = npi_with_check_digit(100_000_000 + number * step + rng.randrange(step))
        fields = list(blank)
        fields[0] = _q(npi)
        roll = rng.random()
        if roll < mix.deactivated:
            fields[position[layout.DEACTIVATION_DATE]] = _q(
                f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.randint(10, 25)}"
            )
            yield ",".join(fields) + "\r\n"
            continue
        organization = rng.random() < mix.organizations
        fields[1] = _q("2" if organization else "1")
        if organization:
            name = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(ORG_SUFFIXES)}"
            fields[position[layout.ORGANIZATION_NAME]] = _q(name)
            fields[position["Authorized Official Last Name"]] = _q(rng.choice(family))
            fields[position["Authorized Official First Name"]] = _q(rng.choice(given))
            fields[position["Authorized Official Title or Position"]] = _q("ADMINISTRATOR")
            fields[position["Authorized Official Telephone Number"]] = _q(
                f"{rng.randint(2000000000, 9899999999)}"
            )
            fields[position["Is Organization Subpart"]] = _q(rng.choice(("N", "N", "Y")))
            codes = [organization_codes.pick(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        else:
            fields[position[layout.LAST_NAME]] = _q(rng.choice(family))
            fields[position[layout.FIRST_NAME]] = _q(rng.choice(given))
            if rng.random() < 0.6:
                fields[position[layout.MIDDLE_NAME]] = _q(rng.choice(given))
            if rng.random() < 0.15:
                fields[position[layout.PREFIX]] = _q(rng.choice(("DR.", "DR.", "MRS.", "MR.", "MS.")))
            fields[position[layout.GENDER]] = _q(rng.choice(("M", "F")))
            fields[position["Is Sole Proprietor"]] = _q(rng.choice(("N", "N", "Y", "X")))
            codes = [individual_codes.pick(rng) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            physician = codes[0][:3] in ("207", "208")
            credentials = PHYSICIAN_CREDENTIALS if physician else OTHER_CREDENTIALS
            fields[position[layout.CREDENTIAL]] = _q(rng.choice(credentials))
        primary = rng.randrange(len(codes))
        for slot, code in enumerate(codes, 1):
            fields[position[f"Healthcare Provider Taxonomy Code_{slot}"]] = _q(code)
            state = rng.choice(zips)[2]
            fields[position[f"Provider License Number_{slot}"]] = _q(f"{rng.randint(10000, 999999)}")
            fields[position[f"Provider License Number State Code_{slot}"]] = _q(state)
            fields[position[f"Healthcare Provider Primary Taxonomy Switch_{slot}"]] = _q(
                "Y" if slot - 1 == primary else "N"
            )
        zip_code, city, state = rng.choice(zips)
        country = ""
        roll = rng.random()
        if roll < mix.foreign_address:
            country, city, state, zip_code = rng.choice(FOREIGN)
        elif roll < mix.foreign_address + mix.unknown_zip:
            zip_code = rng.choice(("00000", "99999", "1234", ""))
        postal = zip_code + (
            f"{rng.randint(0, 9999):04d}" if zip_code and rng.random() < 0.6 and not country else ""
        )
        street = (
            f"{rng.randint(1, 9999)} {rng.choice(streets)} {rng.choice(('ST', 'AVE', 'BLVD', 'RD', 'DR'))}"
        )
        phone = f"{rng.randint(2000000000, 9899999999)}"
        for prefix in ("Practice Location", "Mailing"):
            fields[position[f"Provider First Line Business {prefix} Address"]] = _q(street)
            if rng.random() < 0.3:
                fields[position[f"Provider Second Line Business {prefix} Address"]] = _q(
                    f"SUITE {rng.randint(100, 999)}"
                )
            fields[position[f"Provider Business {prefix} Address City Name"]] = _q(city)
            fields[position[f"Provider Business {prefix} Address State Name"]] = _q(state)
            fields[position[f"Provider Business {prefix} Address Postal Code"]] = _q(postal)
            fields[position[f"Provider Business {prefix} Address Country Code (If outside U.S.)"]] = _q(
                country
            )
            fields[position[f"Provider Business {prefix} Address Telephone Number"]] = _q(phone)
        enumerated = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(2005, 2024)}"
        fields[position["Provider Enumeration Date"]] = _q(enumerated)
        fields[position["Last Update Date"]] = _q(
            f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(2015, 2025)}"
        )
        fields[position["Certification Date"]] = _q(enumerated if rng.random() < 0.5 else "")
        if rng.random() < 0.2:
            fields[position["Other Provider Identifier_1"]] = _q(f"{rng.randint(100000, 9999999)}")
            fields[position["Other Provider Identifier Type Code_1"]] = _q("05")
            fields[position["Other Provider Identifier State_1"]] = _q(state)
            fields[position["Other Provider Identifier Issuer_1"]] = _q("")
        if mix.malformed and rng.random() < mix.malformed:
            fault = rng.randrange(3)
            if fault == 0:
                fields = fields[:-5]  # truncated row
            elif fault == 1:
                fields[0] = _q(npi[:9] + str((int(npi[9]) + 1) % 10))  # wrong check digit
            elif not organization:
                fields[position[layout.LAST_NAME]] = '""'
        yield ",".join(fields) + "\r\n"


def write_nppes_file(path: Path, rows: int, *, seed: int = 0, mix: NppesFixtureMix | None = None) -> Path:
    """Write an NPPES-layout file of `rows` data rows to `path`, streaming (constant memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        for line in nppes_lines(rows, seed=seed, mix=mix):
            handle.write(line)
    return path
