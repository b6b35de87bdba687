"""Typed values of the rows importers write: `RowValues`, the base of their frozen dataclasses, and
`LocationValues`, the location of an address they placed (shared by the NPPES and hospital sources).

Field order is column order: the row hashes of those sources were made from the values in this order.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from onconav.directory.imports.placement import Placement


class RowValues:
    """Base of the frozen, slotted dataclasses that hold the values of one row an importer writes (slots:
    one is made for every kept record of a national file, and they should weigh little)."""

    __slots__ = ()

    def row(self) -> dict[str, Any]:
        """The values as column -> value, in field order. Shallow (lists are shared, not copied): unlike
        `dataclasses.asdict`, cheap enough for every record of a national file."""
        fields: tuple[str, ...] = self.__slots__  # a slotted dataclass's fields, in order
        return {name: getattr(self, name) for name in fields}


class LocationValues(NamedTuple):
    """The values of a `location` row, but its ids (a NamedTuple: one is made for every kept record)."""

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
        return self._asdict()

    def without_coordinates(self) -> dict[str, Any]:
        """The values but the coordinates and their precision (to refresh an address and keep its place)."""
        return {
            key: value for key, value in self.row().items() if key not in ("lat", "lon", "geocode_precision")
        }
