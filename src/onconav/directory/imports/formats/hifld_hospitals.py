"""HIFLD "Hospitals" CSV (DHS): US hospitals with coordinates, beds, type, status and trauma level.

Closed hospitals and rows without usable coordinates are rejected with a reason; ZIPs whose leading zeros
were dropped by the export ("2114") are restored and flagged.
"""

from __future__ import annotations

import re

from onconav.directory.imports.formats.hospital_records import (
    FLAG_BEDS_UNKNOWN,
    FLAG_ZIP_REPAIRED,
    HospitalRecord,
    clean,
    normalise_phone,
    normalise_zip,
    required,
)
from onconav.directory.imports.formats.rejection import RowRejected

SOURCE = "hifld-hospitals"
REQUIRED_COLUMNS = (
    "X",
    "Y",
    "ID",
    "NAME",
    "ADDRESS",
    "CITY",
    "STATE",
    "ZIP",
    "TELEPHONE",
    "TYPE",
    "STATUS",
    "COUNTRY",
    "NAICS_CODE",
    "WEBSITE",
    "OWNER",
    "BEDS",
    "TRAUMA",
)
# HIFLD COUNTRY is ISO alpha-3; US territories keep their own ISO alpha-2 code, as geo does.
COUNTRY_CODES = {"USA": "US", "PRI": "PR", "GUM": "GU", "VIR": "VI", "ASM": "AS", "MNP": "MP", "PLW": "PW"}
_STATE = re.compile(r"^[A-Z]{2}$")


def parse_row(row: dict[str, str]) -> HospitalRecord:
    """The hospital of one CSV row, or RowRejected (closed, no coordinates, unknown country...)."""
    hifld_id = required(row, "ID", "missing_id")
    status = (clean(row.get("STATUS")) or "").upper()
    if status != "OPEN":
        raise RowRejected("closed", f"STATUS is {status or 'empty'}: only open hospitals are listed")
    name = required(row, "NAME", "missing_name")
    lat, lon = _coordinates(row)
    state = required(row, "STATE", "missing_state").upper()
    if not _STATE.match(state):
        raise RowRejected("invalid_state", f"STATE {state!r} is not a 2-letter code")
    country = (clean(row.get("COUNTRY")) or "USA").upper()
    if country not in COUNTRY_CODES:
        raise RowRejected("unknown_country", f"COUNTRY {country!r} is not a US state or territory")
    postal_code, repaired = normalise_zip(row.get("ZIP"))
    flags = [FLAG_ZIP_REPAIRED] if repaired else []
    beds = _beds(row.get("BEDS"))
    if beds is None:
        flags.append(FLAG_BEDS_UNKNOWN)
    return HospitalRecord(
        source=SOURCE,
        source_id=hifld_id,
        name=name,
        line=clean(row.get("ADDRESS")),
        city=required(row, "CITY", "missing_city"),
        state=state,
        postal_code=postal_code,
        country_code=COUNTRY_CODES[country],
        phone=normalise_phone(row.get("TELEPHONE")),
        hospital_type=clean(row.get("TYPE")),
        ownership=clean(row.get("OWNER")),
        county=clean(row.get("COUNTY")),
        lat=lat,
        lon=lon,
        beds=beds,
        website=clean(row.get("WEBSITE")),
        trauma=clean(row.get("TRAUMA")),
        naics_code=clean(row.get("NAICS_CODE")),
        quality_flags=flags,
    )


def _coordinates(row: dict[str, str]) -> tuple[float, float]:
    """(lat, lon) from Y/X (WGS84), falling back to LATITUDE/LONGITUDE."""
    for lat_column, lon_column in (("Y", "X"), ("LATITUDE", "LONGITUDE")):
        lat_text, lon_text = clean(row.get(lat_column)), clean(row.get(lon_column))
        if lat_text is None or lon_text is None:
            continue
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0):
            return lat, lon
    raise RowRejected("missing_coordinates", "no usable coordinates in X/Y or LATITUDE/LONGITUDE")


def _beds(raw: str | None) -> int | None:
    value = clean(raw)
    if value is None:
        return None
    try:
        beds = round(float(value))
    except ValueError:
        return None
    return beds if beds >= 0 else None  # -999 means unknown
