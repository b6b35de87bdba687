"""Place slugs for URLs: 'ukiah-ca' and 'istanbul-tr' for cities, '39.1500n-123.2100w' for coordinates.

`resolve_place` reads every slug back; ZIP codes are their own slug.
"""

from __future__ import annotations

import re

from onconav.geo.regions import US
from onconav.text import slug_words

# A coordinates slug as `coordinates_slug` writes it, read back by the coordinates parser.
COORDINATES_SLUG = re.compile(r"^(\d+(?:\.\d+)?)([ns])-(\d+(?:\.\d+)?)([ew])$", re.IGNORECASE)


def city_slug(city: str, *, country_code: str, region_code: str | None) -> str:
    """'ukiah-ca' for US places (state code), 'istanbul-tr' elsewhere (ISO country code)."""
    suffix = region_code if country_code == US and region_code else country_code
    words = slug_words(city) or "place"
    return f"{words}-{suffix.lower()}"


def coordinates_slug(lat: float, lon: float) -> str:
    """'39.1500n-123.2100w': hemispheres as letters so the slug stays one hyphen-joined token."""
    return f"{abs(lat):.4f}{'n' if lat >= 0 else 's'}-{abs(lon):.4f}{'e' if lon >= 0 else 'w'}"
