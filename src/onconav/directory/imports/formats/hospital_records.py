"""One normalised hospital record shared by the CMS and HIFLD hospital files, and the normalisers both use.

Parsers turn a raw CSV row into a `HospitalRecord` or raise `RowRejected` (formats.rejection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.names import display_name

_ZIP5 = re.compile(r"^\d{5}$")
_ZIP_PLUS4 = re.compile(r"^(\d{5})-?\d{4}$")
_DIGITS = re.compile(r"\d")
NOT_AVAILABLE = {"", "NOT AVAILABLE", "NOT AVAILABLE.", "N/A", "NA", "NULL"}

# Quality flags set by the hospital parsers (placing adds its own: placement.FLAG_*).
FLAG_ZIP_REPAIRED = "zip_leading_zeros_restored"  # the source dropped a ZIP's leading zeros
FLAG_BEDS_UNKNOWN = "beds_unknown"  # -999 sentinel


@dataclass
class HospitalRecord:
    """A hospital as one source describes it, normalised (upper-case source text kept as given)."""

    source: str  # cms-hospitals | hifld-hospitals
    source_id: str  # CMS Certification Number, or HIFLD ID
    name: str
    line: str | None
    city: str
    state: str
    postal_code: str | None
    country_code: str
    phone: str | None
    hospital_type: str | None
    ownership: str | None = None
    county: str | None = None
    emergency_services: bool | None = None
    star_rating: int | None = None  # CMS overall rating 1-5; None when "Not Available"
    lat: float | None = None  # source coordinates (HIFLD); CMS gives none
    lon: float | None = None
    beds: int | None = None
    website: str | None = None
    trauma: str | None = None
    naics_code: str | None = None
    quality_flags: list[str] = field(default_factory=list)


def clean(value: str | None) -> str | None:
    """Trimmed text, or None for the sentinels the files use for "no value"."""
    if value is None:
        return None
    text = " ".join(value.split())
    return None if text.upper() in NOT_AVAILABLE else text


def required(row: dict[str, str], column: str, reason: str) -> str:
    """The cleaned value of a column that must be present, else the row is rejected."""
    value = clean(row.get(column))
    if value is None:
        raise RowRejected(reason, f"{column} is empty")
    return value


def normalise_zip(raw: str | None) -> tuple[str | None, bool]:
    """A 5-digit ZIP and whether leading zeros had to be restored (HIFLD stores "2114" for 02114).

    Raises RowRejected for text that is no ZIP at all.
    """
    value = clean(raw)
    if value is None:
        return None, False
    match = _ZIP_PLUS4.match(value)
    if match:
        return match.group(1), False
    if _ZIP5.match(value):
        return value, False
    if value.isdigit() and 3 <= len(value) < 5:
        return value.zfill(5), True
    raise RowRejected("invalid_zip", f"ZIP code {value!r} is not a US ZIP code")


def normalise_phone(raw: str | None) -> str | None:
    """US phone numbers as "(334) 793-8701"; other text as given; None for sentinels."""
    value = clean(raw)
    if value is None:
        return None
    digits = "".join(_DIGITS.findall(value))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return value


def title_case(text: str) -> str:
    """ "SOUTHEAST HEALTH MEDICAL CENTER" -> "Southeast Health Medical Center" for display (both files
    are upper-case); short words and initials keep a readable form (`names.display_name`: "Dana-Farber",
    "M.D. Anderson", "LLC").
    """
    return display_name(text)
