"""Coordinates for trial sites without them, offline, through the geo domain (US ZIP, "City, ST",
"City, Country"); one answer per distinct address is remembered for the whole import.
"""

from __future__ import annotations

from onconav.errors import OnconavError
from onconav.geo import service as geo
from onconav.geo.schemas import Place


class SiteGeocoder:
    """Resolves site addresses to places, caching answers (including "not found")."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], Place | None] = {}

    def _resolve(self, query: str) -> Place | None:
        try:
            return geo.resolve_place(query).place
        except OnconavError:
            return None

    def locate(
        self, *, city: str | None, state: str | None, postal_code: str | None, country: str | None
    ) -> Place | None:
        """The place of a site, or None when nothing matches its address."""
        key = tuple((v or "").strip().casefold() for v in (city, state, postal_code, country))
        if key in self._cache:
            return self._cache[key]
        place: Place | None = None
        is_us = (country or "").strip() in ("United States", "USA", "US", "")
        zip5 = (postal_code or "").strip()[:5]
        if is_us and zip5.isdigit() and len(zip5) == 5:
            place = self._resolve(zip5)
        if place is None and city:
            for query in (
                f"{city}, {state}" if state and is_us else None,
                f"{city}, {country}" if country else None,
            ):
                if query and (place := self._resolve(query)) is not None:
                    break
        self._cache[key] = place
        return place
