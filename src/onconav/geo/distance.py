"""Great-circle distances and the latitude/longitude box that encloses a search radius.

The box lets a database pre-filter rows with plain range comparisons before the exact haversine check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
# Widens the box by about a centimetre so points lying exactly on the circle are not lost to rounding.
_EDGE_MARGIN_DEG = 1e-7


@dataclass(frozen=True)
class BoundingBox:
    """Latitude band plus one or two longitude ranges (two when the box crosses the antimeridian)."""

    min_lat: float
    max_lat: float
    lon_ranges: list[tuple[float, float]] = field(default_factory=list)

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies inside the box (edges included)."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        return any(low <= lon <= high for low, high in self.lon_ranges)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    # Rounding can push `a` a hair outside [0, 1] for (near-)antipodal points.
    a = min(1.0, max(0.0, a))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def km_to_miles(km: float) -> float:
    """Kilometres to statute miles."""
    return km / KM_PER_MILE


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """Smallest lat/lon box holding every point within `radius_km` of (lat, lon)."""
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 180.0:
        raise ValueError(f"coordinates out of range: ({lat}, {lon})")
    if radius_km < 0 or math.isnan(radius_km):
        raise ValueError(f"radius must be a non-negative number of kilometres, got {radius_km}")

    angular = radius_km / EARTH_RADIUS_KM
    min_lat = lat - math.degrees(angular) - _EDGE_MARGIN_DEG
    max_lat = lat + math.degrees(angular) + _EDGE_MARGIN_DEG
    if min_lat <= -90.0 or max_lat >= 90.0:
        # A pole lies inside the circle, so every meridian crosses it.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), [(-180.0, 180.0)])

    # Widest longitude reached on the circle: where it touches a meridian tangentially.
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return BoundingBox(min_lat, max_lat, [(-180.0, 180.0)])
    dlon = math.degrees(math.asin(ratio)) + _EDGE_MARGIN_DEG
    if dlon >= 180.0:
        return BoundingBox(min_lat, max_lat, [(-180.0, 180.0)])
    low, high = lon - dlon, lon + dlon
    if low <= -180.0:
        return BoundingBox(min_lat, max_lat, [(low + 360.0, 180.0), (-180.0, high)])
    if high >= 180.0:
        return BoundingBox(min_lat, max_lat, [(low, 180.0), (-180.0, high - 360.0)])
    return BoundingBox(min_lat, max_lat, [(low, high)])
