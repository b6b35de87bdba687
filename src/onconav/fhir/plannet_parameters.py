"""Values of the Plan-Net search parameters: `_lastUpdated` dates with their prefixes, references that may
name a payer or network (`Organization/ins-2`), and the token codes of types and roles.

Errors are FhirError 400 with English diagnostics, as in `search_parameters`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from onconav.directory import service as directory
from onconav.fhir.outcome import FhirError

# Payers and networks share the Organization type with the directory's providers; their ids carry a prefix.
INSURANCE_PREFIX = "ins-"
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
DATE_PATTERN = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def insurance_id(text: str, max_id: int) -> int | None:
    """The row id in a payer or network id ("ins-2"); None when `text` is no such id."""
    if not text.startswith(INSURANCE_PREFIX):
        return None
    digits = text[len(INSURANCE_PREFIX) :]
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18 or int(digits) > max_id:
        return None
    return int(digits)


def last_updated(raw: str) -> directory.LastUpdated:
    """A `_lastUpdated` value (`ge2026-01-01`, `2026-03`, `lt2026-12-04T10:00:00Z`) as a time range."""
    value = raw.strip()
    prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
    if value[:2] in DATE_PREFIXES:
        value = value[2:]
    low, high = _date_range(value)
    if prefix in ("eq", "ap"):
        return directory.LastUpdated(low, high)
    if prefix == "ne":
        return directory.LastUpdated(low, high, negate=True)
    if prefix in ("gt", "sa"):
        return directory.LastUpdated(high, None)
    if prefix == "ge":
        return directory.LastUpdated(low, None)
    if prefix in ("lt", "eb"):
        return directory.LastUpdated(None, low)
    return directory.LastUpdated(None, high)  # le


def _date_range(value: str) -> tuple[datetime, datetime]:
    """The instants a date of any precision covers: [start, end)."""
    try:
        return _instants(value)
    except (ValueError, OverflowError):  # 2026-02-30, year 0, the end of year 9999
        raise FhirError(400, f"Parameter '_lastUpdated': '{value}' is no valid date.") from None


def _instants(value: str) -> tuple[datetime, datetime]:
    match = DATE_PATTERN.match(value)
    if match is None:
        raise FhirError(
            400,
            f"Parameter '_lastUpdated' must be a FHIR date such as 2026-01-01 or ge2026-01-01T10:00:00Z, "
            f"got '{value}'.",
        )
    parts = match.groupdict()
    start = datetime(
        int(parts["year"]),
        int(parts["month"] or 1),
        int(parts["day"] or 1),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        tzinfo=UTC,
    )
    zone = parts["zone"]
    if zone and zone != "Z":
        if int(zone[1:3]) > 14 or int(zone[4:6]) > 59:
            raise ValueError(f"no time zone is {zone}")
        sign = 1 if zone[0] == "+" else -1
        start -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    if parts["second"]:
        return start, start + timedelta(seconds=1)
    if parts["minute"]:
        return start, start + timedelta(minutes=1)
    if parts["day"]:
        return start, start + timedelta(days=1)
    if parts["month"]:
        month = start.month % 12 + 1
        return start, start.replace(year=start.year + (start.month == 12), month=month)
    return start, start.replace(year=start.year + 1)
