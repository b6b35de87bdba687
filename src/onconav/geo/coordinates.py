"""Coordinates typed by people ('39.15, -123.21', '39.15N 123.21W', a coordinates slug), and the place
they name: the point itself, with the country and US state of the nearest known city or town."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from onconav.errors import InvalidInput
from onconav.geo.distance import haversine_km
from onconav.geo.entries import City
from onconav.geo.schemas import Place
from onconav.geo.slugs import COORDINATES_SLUG, coordinates_slug

_NUMBER = r"([+-]?\d+(?:\.\d+)?)\s*°?\s*([nsew])?"
_COORDINATES = re.compile(rf"^{_NUMBER}\s*(?:[,;/]\s*|\s+){_NUMBER}$", re.IGNORECASE)
# Coordinates borrow their country (and US state) from the nearest known place within this distance.
NEAREST_MAX_KM = 150.0
UNKNOWN_COUNTRY_CODE = "ZZ"
UNKNOWN_COUNTRY = "Unknown"


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lat, lon) from '39.15,-123.21', '39.15 -123.21', '39.15N 123.21W' or a coordinates slug.

    None when the text is not coordinates; InvalidInput when it is but they are out of range.
    """
    match = COORDINATES_SLUG.match(text) or _COORDINATES.match(text)
    if match is None:
        return None
    first, first_hemi, second, second_hemi = match.groups()
    hemis = ((first_hemi or "") + (second_hemi or "")).lower()
    if hemis and hemis[0] in "ew" and (len(hemis) == 1 or hemis[1] in "ns") and first_hemi:
        # "123.21W 39.15N": longitude written first.
        first, first_hemi, second, second_hemi = second, second_hemi, first, first_hemi
    lat = _signed(first, first_hemi, "ns", text)
    lon = _signed(second, second_hemi, "ew", text)
    if not -90.0 <= lat <= 90.0:
        raise InvalidInput(
            "Latitude %(value)s is out of range: it must be between -90 and 90.",
            query=text,
            field="latitude",
            value=f"{lat:g}",
        )
    if not -180.0 <= lon <= 180.0:
        raise InvalidInput(
            "Longitude %(value)s is out of range: it must be between -180 and 180.",
            query=text,
            field="longitude",
            value=f"{lon:g}",
        )
    return lat, lon


def _signed(number: str, hemisphere: str | None, allowed: str, text: str) -> float:
    value = float(number)
    if hemisphere is None:
        return value
    hemisphere = hemisphere.lower()
    if hemisphere not in allowed or value < 0:
        raise InvalidInput(
            'Cannot read these coordinates: write "latitude, longitude", e.g. "39.15, -123.21".',
            query=text,
        )
    return -value if hemisphere in "sw" else value


class NearestCityGrid:
    """Cities and towns in 1°×1° cells, for the nearest-place lookup behind coordinates."""

    def __init__(self, cities: Iterable[City]) -> None:
        self.cells: dict[tuple[int, int], list[City]] = {}
        for city in cities:
            self.cells.setdefault((math.floor(city.lat), math.floor(city.lon)), []).append(city)

    def nearest(self, lat: float, lon: float, max_km: float = NEAREST_MAX_KM) -> City | None:
        """The closest city or town within `max_km`, by a scan of the surrounding 1° cells."""
        cells = self.cells
        lat_cells = math.ceil(max_km / 111.0)
        cos_lat = max(math.cos(math.radians(min(abs(lat) + lat_cells, 90.0))), 1e-6)
        lon_cells = min(180, math.ceil(lat_cells / cos_lat))
        base_lat, base_lon = math.floor(lat), math.floor(lon)
        best: City | None = None
        best_km = max_km
        for i in range(base_lat - lat_cells, base_lat + lat_cells + 1):
            for j in range(base_lon - lon_cells, base_lon + lon_cells + 1):
                wrapped = (j + 180) % 360 - 180
                for city in cells.get((i, wrapped), ()):
                    km = haversine_km(lat, lon, city.lat, city.lon)
                    if km <= best_km:
                        best, best_km = city, km
        return best


def coordinates_place(lat: float, lon: float, near: City | None) -> Place:
    """The point (lat, lon) as a `Place`, in the country and US state of `near` (the nearest city)."""
    return Place(
        name=f"{lat:.4f}, {lon:.4f}",
        city=None,
        region=near.region if near else None,
        region_code=near.region_code if near else None,
        country_code=near.country_code if near else UNKNOWN_COUNTRY_CODE,
        country=near.country if near else UNKNOWN_COUNTRY,
        lat=lat,
        lon=lon,
        kind="coordinates",
        slug=coordinates_slug(lat, lon),
    )
