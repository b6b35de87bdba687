"""The cells of a condition search's area (ranking.geo_cell: half a degree of latitude by half a degree of
longitude), with a lower bound of each one's distance from the place, and the bounds of the distance that
the cell read applies before computing it (condition_search.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from onconav.directory import ranking
from onconav.directory.search_statements import EARTH_RADIUS_KM
from onconav.geo import service as geo

# Cells are read in groups by the least distance penalty any point of theirs gets: a far cell's rows need
# that much more quality to reach the bound.
PENALTY_STEPS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 17.0, 20.0, 24.0)


@dataclass(frozen=True)
class Cell:
    """A cell of the area (ranking.geo_cell) and a lower bound of the distance to any point of it."""

    key: int
    nearest_km: float


def area_cells(lat: float, lon: float, radius_km: float, max_cells: int) -> list[Cell] | None:
    """The cells of the disc around (lat, lon) (None when more than `max_cells`), each with a lower bound of
    its distance: the haversine of the least latitude and longitude differences, with the smaller cosine
    of the cell's latitudes (each term of the haversine is then at most the true one)."""
    box = geo.bounding_box(lat, lon, radius_km)
    bands = range(ranking.lat_band(box.min_lat), ranking.lat_band(box.max_lat) + 1)
    lon_cells = sorted(
        {
            cell
            for low, high in box.lon_ranges
            for cell in range(ranking.lon_cell(low), ranking.lon_cell(high) + 1)
        }
    )
    if len(bands) * len(lon_cells) > max_cells:
        return None
    cos_lat = math.cos(math.radians(lat))
    cells = []
    for band in bands:
        south = max(-90.0, band * ranking.LAT_BAND_DEGREES)
        north = min(90.0, south + ranking.LAT_BAND_DEGREES)
        dlat = 0.0 if south <= lat <= north else min(abs(lat - south), abs(lat - north))
        lat_term = math.sin(math.radians(dlat) / 2) ** 2
        cos_far = max(0.0, min(math.cos(math.radians(south)), math.cos(math.radians(north))))
        for lon_cell in lon_cells:
            west = lon_cell * ranking.LON_CELL_DEGREES - 180.0
            east = west + ranking.LON_CELL_DEGREES
            dlon = 0.0 if west <= lon <= east else min(_degrees_apart(lon, west), _degrees_apart(lon, east))
            h = lat_term + cos_lat * cos_far * math.sin(math.radians(dlon) / 2) ** 2
            nearest = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
            if nearest <= radius_km:
                cells.append(Cell(band * ranking.CELLS_PER_BAND + lon_cell, nearest))
    return cells


def distance_factors(lat: float, lon: float, radius_km: float) -> dict[str, float]:
    """Kilometres per degree of latitude and of longitude difference that every point of the area is at
    least from (lat, lon): R for latitude (d >= R |dlat|); for longitude, from the haversine,
    d >= 2R sqrt(cos lat cos lat') sin(|dlon| / 2) >= R sqrt(cos lat cos lat') |dlon| sin(X/2) / (X/2) with
    X the widest longitude difference of the area and lat' its latitude of smallest cosine (0 when the area
    crosses 180°: no bound from longitude then). A hair less, for rounding."""
    box = geo.bounding_box(lat, lon, radius_km)
    per_degree = EARTH_RADIUS_KM * math.pi / 180.0 * (1 - 1e-9)
    if len(box.lon_ranges) != 1:
        return {"klat": per_degree, "klon": 0.0}
    low, high = box.lon_ranges[0]
    widest = math.radians(max(abs(lon - low), abs(high - lon)))
    if widest >= math.pi:
        return {"klat": per_degree, "klon": 0.0}
    ratio = math.sin(widest / 2) / (widest / 2) if widest > 0 else 1.0
    cos_far = max(0.0, min(math.cos(math.radians(box.min_lat)), math.cos(math.radians(box.max_lat))))
    return {"klat": per_degree, "klon": per_degree * math.sqrt(math.cos(math.radians(lat)) * cos_far) * ratio}


def _degrees_apart(a: float, b: float) -> float:
    difference = abs(a - b) % 360.0
    return min(difference, 360.0 - difference)


def penalty_groups(cells: list[Cell]) -> list[tuple[float, list[int]]]:
    """The cells grouped by the step of PENALTY_STEPS at or below their least distance penalty."""
    groups: dict[float, list[int]] = {}
    for cell in cells:
        least = ranking.distance_penalty(max(0.0, cell.nearest_km - 1e-3))
        step = max(step for step in PENALTY_STEPS if step <= least)
        groups.setdefault(step, []).append(cell.key)
    return sorted(groups.items())
