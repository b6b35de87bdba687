"""CMS Care Compare "Hospital General Information" CSV (dataset xubh-q36u): one row per Medicare hospital.

The header is checked against the published layout; each row becomes a `HospitalRecord` keyed by its CMS
Certification Number (CCN), or is rejected with a reason.
"""

from __future__ import annotations

import re

from onconav.directory.imports.formats.hospital_records import (
    FLAG_ZIP_REPAIRED,
    HospitalRecord,
    clean,
    normalise_phone,
    normalise_zip,
    required,
)
from onconav.directory.imports.formats.rejection import RowRejected

SOURCE = "cms-hospitals"
# The columns the importer reads (the file has 38; the measure-group counts are not used).
REQUIRED_COLUMNS = (
    "Facility ID",
    "Facility Name",
    "Address",
    "City/Town",
    "State",
    "ZIP Code",
    "County/Parish",
    "Telephone Number",
    "Hospital Type",
    "Hospital Ownership",
    "Emergency Services",
    "Hospital overall rating",
)
_CCN = re.compile(r"^[0-9A-Z]{6}$")
_STATE = re.compile(r"^[A-Z]{2}$")


def parse_row(row: dict[str, str]) -> HospitalRecord:
    """The hospital of one CSV row, or RowRejected."""
    ccn = required(row, "Facility ID", "missing_ccn").upper()
    if len(ccn) < 6 and ccn.isdigit():
        ccn = ccn.zfill(6)  # spreadsheets drop the leading zeros of CCNs such as 010001
    if not _CCN.match(ccn):
        raise RowRejected("invalid_ccn", f"Facility ID {ccn!r} is not a 6-character CMS Certification Number")
    name = required(row, "Facility Name", "missing_name")
    state = required(row, "State", "missing_state").upper()
    if not _STATE.match(state):
        raise RowRejected("invalid_state", f"State {state!r} is not a 2-letter code")
    city = required(row, "City/Town", "missing_city")
    postal_code, repaired = normalise_zip(row.get("ZIP Code"))
    if postal_code is None:
        raise RowRejected("missing_zip", "ZIP Code is empty: the hospital cannot be placed")
    return HospitalRecord(
        source=SOURCE,
        source_id=ccn,
        name=name,
        line=clean(row.get("Address")),
        city=city,
        state=state,
        postal_code=postal_code,
        country_code="US",
        phone=normalise_phone(row.get("Telephone Number")),
        hospital_type=clean(row.get("Hospital Type")),
        ownership=clean(row.get("Hospital Ownership")),
        county=clean(row.get("County/Parish")),
        emergency_services=_yes_no(row.get("Emergency Services")),
        star_rating=_star_rating(row.get("Hospital overall rating")),
        quality_flags=[FLAG_ZIP_REPAIRED] if repaired else [],
    )


def _yes_no(raw: str | None) -> bool | None:
    value = (clean(raw) or "").lower()
    return {"yes": True, "y": True, "no": False, "n": False}.get(value)


def _star_rating(raw: str | None) -> int | None:
    value = clean(raw)
    if value is None:
        return None
    if value in {"1", "2", "3", "4", "5"}:
        return int(value)
    raise RowRejected("invalid_star_rating", f"Hospital overall rating {value!r} is not 1-5 or Not Available")
