"""Property tests of the great-circle helpers: haversine distances and the search-radius bounding box.

Points are generated on the sphere around random centres, including the antimeridian and the poles.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onconav.geo import bounding_box, haversine_km, km_to_miles
from onconav.geo.distance import EARTH_RADIUS_KM

latitudes = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
longitudes = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)
near_antimeridian = st.one_of(
    st.floats(min_value=170.0, max_value=180.0), st.floats(min_value=-180.0, max_value=-170.0)
)
near_poles = st.one_of(st.floats(min_value=75.0, max_value=90.0), st.floats(min_value=-90.0, max_value=-75.0))
radii = st.one_of(
    st.floats(min_value=0.0, max_value=500.0),
    st.floats(min_value=0.0, max_value=5_000.0),
    st.floats(min_value=0.0, max_value=21_000.0),  # past half the circumference: the whole globe
)

UKIAH = (39.1502, -123.2078)
SAN_FRANCISCO = (37.7749, -122.4194)


def destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point reached from (lat, lon) along a great circle (the textbook direct formula)."""
    angular = distance_km / EARTH_RADIUS_KM
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    sin_phi2 = math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi1),
        math.cos(angular) - math.sin(phi1) * math.sin(phi2),
    )
    lon2 = (math.degrees(lam2) + 180.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_is_symmetric_and_bounded(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    there = haversine_km(lat1, lon1, lat2, lon2)
    back = haversine_km(lat2, lon2, lat1, lon1)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0.0 <= there <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(latitudes, longitudes)
def test_haversine_of_a_point_to_itself_is_zero(lat: float, lon: float) -> None:
    assert haversine_km(lat, lon, lat, lon) == pytest.approx(0.0, abs=1e-9)


@given(latitudes, longitudes, latitudes, longitudes, latitudes, longitudes)
def test_haversine_triangle_inequality(
    lat1: float, lon1: float, lat2: float, lon2: float, lat3: float, lon3: float
) -> None:
    direct = haversine_km(lat1, lon1, lat3, lon3)
    via = haversine_km(lat1, lon1, lat2, lon2) + haversine_km(lat2, lon2, lat3, lon3)
    assert direct <= via + 1e-6


def test_haversine_gives_known_distances() -> None:
    assert 160.0 <= haversine_km(*SAN_FRANCISCO, *UKIAH) <= 185.0
    # A quarter of a meridian and the antimeridian crossing come out right.
    assert haversine_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(111.19, abs=0.05)


@given(st.floats(min_value=0.0, max_value=50_000.0))
def test_km_to_miles_uses_the_statute_mile(km: float) -> None:
    assert km_to_miles(km) == pytest.approx(km / 1.609344)
    assert km_to_miles(1.609344) == pytest.approx(1.0)


@settings(max_examples=400)
@given(
    st.one_of(latitudes, near_poles),
    st.one_of(longitudes, near_antimeridian),
    radii,
    st.floats(min_value=0.0, max_value=360.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_bounding_box_holds_every_point_within_the_radius(
    lat: float, lon: float, radius_km: float, bearing: float, fraction: float
) -> None:
    box = bounding_box(lat, lon, radius_km)
    point = destination(lat, lon, bearing, radius_km * fraction)
    assert box.contains(*point), (box, point)
    assert box.contains(lat, lon)
    assert 1 <= len(box.lon_ranges) <= 2
    for low, high in box.lon_ranges:
        assert -180.0 <= low <= high <= 180.0
    assert -90.0 <= box.min_lat <= box.max_lat <= 90.0


@given(near_antimeridian, st.floats(min_value=0.0, max_value=360.0), st.floats(min_value=0.0, max_value=1.0))
def test_bounding_box_across_the_antimeridian(lon: float, bearing: float, fraction: float) -> None:
    box = bounding_box(10.0, lon, 300.0)
    assert box.contains(*destination(10.0, lon, bearing, 300.0 * fraction))


def test_bounding_boxes_split_at_the_antimeridian_and_span_all_longitudes_near_a_pole() -> None:
    ordinary = bounding_box(*UKIAH, 100.0)
    assert len(ordinary.lon_ranges) == 1
    assert ordinary.max_lat - ordinary.min_lat == pytest.approx(2 * 100.0 / 111.195, rel=1e-3)
    low, high = ordinary.lon_ranges[0]
    assert -124.5 < low < high < -122.0

    split = bounding_box(0.0, 179.5, 200.0)
    assert len(split.lon_ranges) == 2
    assert split.contains(0.0, -179.5) and split.contains(0.0, 179.0)
    assert not split.contains(0.0, 0.0)

    polar = bounding_box(89.5, 10.0, 100.0)
    assert polar.lon_ranges == [(-180.0, 180.0)]
    assert polar.max_lat == 90.0

    whole = bounding_box(0.0, 0.0, 25_000.0)
    assert whole.lon_ranges == [(-180.0, 180.0)]
    assert (whole.min_lat, whole.max_lat) == (-90.0, 90.0)


@pytest.mark.parametrize(("lat", "lon", "radius"), [(91.0, 0.0, 1.0), (0.0, 181.0, 1.0), (0.0, 0.0, -1.0)])
def test_bounding_box_rejects_impossible_input(lat: float, lon: float, radius: float) -> None:
    with pytest.raises(ValueError):
        bounding_box(lat, lon, radius)
