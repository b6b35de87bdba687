"""`LocationValues`: the location row an importer writes for an address it placed, typed.

Shared by the NPPES and hospital sources; the field order is the column order their row hashes were made in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from onconav.directory.imports.placement import Placement


@dataclass(frozen=True)
class LocationValues:
    """The values of a `location` row, but its ids."""

    name: str
    line: str | None
    city: str
    region: str | None
    region_code: str | None
    postal_code: str | None
    country_code: str
    country: str
    lat: float | None
    lon: float | None
    phone: str | None
    geocode_precision: str | None
    quality_flags: list[str]

    @classmethod
    def placed(cls, placement: Placement, **address: Any) -> LocationValues:
        """The values of an address (name, line, city, region, ..., phone) placed by `placement`."""
        return cls(
            **address,
            lat=placement.lat,
            lon=placement.lon,
            geocode_precision=placement.precision,
            quality_flags=placement.quality_flags,
        )

    def row(self) -> dict[str, Any]:
        """The values as column -> value, in field order."""
        return asdict(self)

    def without_coordinates(self) -> dict[str, Any]:
        """The values but the coordinates and their precision (to refresh an address and keep its place)."""
        return {
            key: value for key, value in self.row().items() if key not in ("lat", "lon", "geocode_precision")
        }
