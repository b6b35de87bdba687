"""The support services CSV: read every row into a checked listing, or report every malformed row.

The format is documented column by column in docs/support-services.md. A file is all or nothing: one bad
row and nothing is written (the service raises InvalidInput with each problem's line and reason).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from babel import Locale

from onconav.errors import OnconavError
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge
from onconav.support.models import ALL_CANCERS, CATEGORIES, COSTS, DELIVERY_MODES

REQUIRED_COLUMNS = (
    "name",
    "category",
    "conditions",
    "languages",
    "delivery",
    "cost",
    "source",
    "source_date",
)
OPTIONAL_COLUMNS = (
    "description",
    "address",
    "city",
    "region",
    "country",
    "postal_code",
    "latitude",
    "longitude",
    "phone",
    "website",
    "organization_id",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 20_000
MAX_LENGTHS = {"name": 300, "address": 300, "city": 120, "region": 120, "postal_code": 20, "phone": 40}
MAX_LENGTHS |= {"website": 300, "source": 200, "description": 4000}
ALL_CANCERS_WORDS = {"all cancers", "all-cancers", "all"}
WORD_VALUES = {
    "support group": "support_group",
    "palliative care": "palliative_care",
    "in person": "in_person",
}
WORD_VALUES |= {"sliding scale": "sliding_scale", "patient navigation": "navigation"}
LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")


@dataclass(frozen=True)
class ListingRow:
    """One checked row of the file: every value in the table's form."""

    line: int
    name: str
    category: str
    description: str
    conditions: list[str]
    languages: list[str]
    delivery: list[str]
    address: str | None
    city: str | None
    region: str | None
    country_code: str | None
    postal_code: str | None
    lat: float | None
    lon: float | None
    geocode_precision: str | None
    phone: str | None
    website: str | None
    cost: str
    source: str
    source_date: date
    organization_id: int | None


@dataclass(frozen=True)
class RowProblem:
    """Why a row of the file cannot be imported."""

    line: int
    reason: str


class RowError(ValueError):
    """A row's value that cannot be used (the message is the reason shown)."""


def _word(value: str) -> str:
    text = " ".join(value.strip().lower().replace("-", " ").split())
    return WORD_VALUES.get(text, text.replace(" ", "_"))


def _one_of(column: str, value: str, allowed: tuple[str, ...]) -> str:
    word = _word(value)
    if word not in allowed:
        raise RowError(f"{column} '{value}' is not one of: {', '.join(allowed)}")
    return word


def _list(value: str) -> list[str]:
    return [item for item in LIST_SEPARATOR.split(value.strip()) if item]


def _conditions(value: str) -> list[str]:
    items = _list(value)
    if not items:
        raise RowError(
            "conditions is empty: give condition codes (e.g. pleural-mesothelioma) or 'all cancers'"
        )
    if any(item.lower() in ALL_CANCERS_WORDS for item in items):
        return [ALL_CANCERS]
    unknown = [item for item in items if knowledge.get_condition(item.lower()) is None]
    if unknown:
        raise RowError(
            f"conditions: unknown condition code(s) {', '.join(unknown)} (see `onconav knowledge`)"
        )
    return sorted({item.lower() for item in items})


def _languages(value: str) -> list[str]:
    codes = [item.lower() for item in _list(value)]
    if not codes:
        raise RowError("languages is empty: give ISO 639-1 codes such as en; es")
    known = Locale("en").languages
    wrong = [code for code in codes if len(code) != 2 or code not in known]
    if wrong:
        raise RowError(f"languages: {', '.join(wrong)} is not an ISO 639-1 code (two letters, e.g. es)")
    return list(dict.fromkeys(codes))


def _delivery(value: str) -> list[str]:
    modes = [_one_of("delivery", item, DELIVERY_MODES) for item in _list(value)]
    if not modes:
        raise RowError("delivery is empty: give in person, online and/or phone")
    return [mode for mode in DELIVERY_MODES if mode in modes]


def _coordinate(row: dict[str, str], column: str, bound: float) -> float | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column} '{text}' is not a number") from None
    if not -bound <= value <= bound:
        raise RowError(f"{column} {value} is out of range (-{bound:g} to {bound:g})")
    return value


def _placed(row: dict[str, str], country: str | None) -> tuple[float | None, float | None, str | None]:
    """Coordinates from the file, else from the postal code (US), else from the city; None when not given."""
    lat, lon = _coordinate(row, "latitude", 90.0), _coordinate(row, "longitude", 180.0)
    if (lat is None) != (lon is None):
        raise RowError("give both latitude and longitude, or neither")
    if lat is not None and lon is not None:
        return lat, lon, "source"
    postal_code, city = row.get("postal_code", "").strip(), row.get("city", "").strip()
    if postal_code and country in (None, "US") and (centroid := geo.zip_centroid(postal_code)):
        return centroid[0], centroid[1], "postal_code"
    if city:
        region = row.get("region", "").strip()
        where = ", ".join(part for part in (city, region if country in (None, "US") else country) if part)
        try:
            place = geo.resolve_place(where).place
        except OnconavError as error:
            raise RowError(f"the place '{where}' could not be found: {error.message}") from None
        return place.lat, place.lon, "city"
    return None, None, None


def _text(row: dict[str, str], column: str) -> str | None:
    value = " ".join((row.get(column) or "").split())
    if len(value) > MAX_LENGTHS.get(column, 300):
        raise RowError(f"{column} is longer than {MAX_LENGTHS.get(column, 300)} characters")
    return value or None


def _row(line: int, row: dict[str, str]) -> ListingRow:
    missing = [column for column in REQUIRED_COLUMNS if not (row.get(column) or "").strip()]
    if missing:
        raise RowError(f"missing required value(s): {', '.join(missing)}")
    delivery = _delivery(row["delivery"])
    country = (row.get("country") or "").strip().upper() or None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        raise RowError(f"country '{country}' is not an ISO 3166-1 alpha-2 code (e.g. US)")
    lat, lon, precision = _placed(row, country)
    if "in_person" in delivery and lat is None:
        raise RowError("an in-person service needs a city, a US postal code or latitude and longitude")
    try:
        source_date = date.fromisoformat(row["source_date"].strip())
    except ValueError:
        raise RowError(f"source_date '{row['source_date'].strip()}' is not a date (YYYY-MM-DD)") from None
    organization = (row.get("organization_id") or "").strip()
    if organization and not organization.isdigit():
        raise RowError(f"organization_id '{organization}' is not a whole number")
    website = _text(row, "website")
    if website and not website.startswith(("https://", "http://")):
        raise RowError("website must start with https:// or http://")
    return ListingRow(
        line=line,
        name=_text(row, "name") or "",
        category=_one_of("category", row["category"], CATEGORIES),
        description=_text(row, "description") or "",
        conditions=_conditions(row["conditions"]),
        languages=_languages(row["languages"]),
        delivery=delivery,
        address=_text(row, "address"),
        city=_text(row, "city"),
        region=_text(row, "region"),
        country_code=country,
        postal_code=_text(row, "postal_code"),
        lat=lat,
        lon=lon,
        geocode_precision=precision,
        phone=_text(row, "phone"),
        website=website,
        cost=_one_of("cost", row["cost"], COSTS),
        source=_text(row, "source") or "",
        source_date=source_date,
        organization_id=int(organization) if organization else None,
    )


def read_listings(text: str) -> tuple[list[ListingRow], list[RowProblem]]:
    """Every row of a support services CSV, checked; and the problems of the rows that are not usable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        return [], [RowProblem(1, f"the header lacks the required column(s): {', '.join(missing)}")]
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        return [], [RowProblem(1, f"unknown column(s) in the header: {', '.join(unknown)}")]
    reader.fieldnames = header
    rows: list[ListingRow] = []
    problems: list[RowProblem] = []
    try:
        for number, raw in enumerate(reader, start=1):
            line = reader.line_num
            if number > MAX_ROWS:
                return [], [RowProblem(line, f"the file has more than {MAX_ROWS:,} rows: split it")]
            if None in raw:
                problems.append(RowProblem(line, "more values than columns in the header"))
                continue
            if not any((value or "").strip() for value in raw.values()):
                continue  # a blank line
            try:
                rows.append(_row(line, {key: value or "" for key, value in raw.items()}))
            except RowError as error:
                problems.append(RowProblem(line, str(error)))
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, f"not a readable CSV line: {error}"))
    return rows, problems
