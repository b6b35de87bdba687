"""Public surface of the geo domain: resolve typed places, slug them, list real cities, measure distances.

Other domains import from here (or from `onconav.geo`), never from the modules behind it (`index`,
`name_matching`, `zip_codes`, `world_cities`, `regions`, `coordinates`, `slugs`), whose internals may change.
"""

from __future__ import annotations

from onconav.errors import InvalidInput
from onconav.geo.distance import BoundingBox, bounding_box, haversine_km, km_to_miles
from onconav.geo.index import get_index, resolve_normalised
from onconav.geo.maps import DrawnMap, MapPoint, draw_map
from onconav.geo.regions import known_us_states
from onconav.geo.schemas import Place, PlaceResolution
from onconav.geo.slugs import city_slug, coordinates_slug
from onconav.geo.zip_codes import zip_centroids

__all__ = [
    "BoundingBox",
    "DrawnMap",
    "MapPoint",
    "PlaceNotFound",
    "bounding_box",
    "draw_map",
    "haversine_km",
    "km_to_miles",
    "list_cities",
    "place_slug",
    "resolve_place",
    "us_state_name",
    "zip_centroid",
]

MAX_QUERY_LENGTH = 200


class PlaceNotFound(InvalidInput):
    """No place matches the text; `details["suggestions"]` lists display names of near misses."""


def resolve_place(text: str) -> PlaceResolution:
    """The place meant by a US ZIP, coordinates, "City, ST", "City, Country", a bare city or a slug.

    Raises InvalidInput for blank text or out-of-range coordinates, PlaceNotFound when nothing matches.
    """
    query = " ".join(text.split())
    if not query:
        raise InvalidInput(
            'Enter a place: a US ZIP code, "City, ST" or "City, Country".', query=text, suggestions=[]
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            "That place name is too long: use at most %(max)s characters.", query=text, max=MAX_QUERY_LENGTH
        )
    try:
        # Case never changes the answer, so it should not split the cache either.
        outcome = resolve_normalised(query.casefold())
    except InvalidInput as error:
        raise InvalidInput(error.template, **{**error.details, "query": text}) from None
    if outcome.place is None:
        raise PlaceNotFound(
            'No place matches "%(query)s". Try a US ZIP code, "City, ST" or "City, Country".',
            query=text,
            suggestions=list(outcome.suggestions),
        )
    return PlaceResolution(
        query=text,
        place=outcome.place,
        exact=outcome.exact,
        score=outcome.score,
        alternatives=list(outcome.alternatives),
    )


def place_slug(place: Place) -> str:
    """URL slug that `resolve_place` reads back: 'ukiah-ca', 'istanbul-tr', '95482', '39.1500n-123.2100w'."""
    if place.kind == "postal_code" and place.postal_code:
        return place.postal_code
    if place.kind == "coordinates" or not place.city:
        return coordinates_slug(place.lat, place.lon)
    return city_slug(place.city, country_code=place.country_code, region_code=place.region_code)


def list_cities(*, country_codes: list[str], min_population: int) -> list[Place]:
    """Real cities of the given countries (ISO alpha-2) with at least `min_population` inhabitants.

    Ordered by population (largest first), then name. Only cities of 15,000 or more are known, so a lower
    `min_population` returns the same list as 15,000. Raises InvalidInput for an unknown country code.
    """
    if min_population < 0:
        raise InvalidInput("The minimum population cannot be negative.", min_population=min_population)
    return get_index().cities(country_codes=country_codes, min_population=min_population)


def zip_centroid(code: str) -> tuple[float, float] | None:
    """(lat, lon) of the centroid of a US ZIP code ("94110" or "941101234"), None when unknown.

    Offline (the `zipcodes` data): importers place addresses with it.
    """
    return zip_centroids().get(code.strip()[:5])


def us_state_name(code: str) -> str | None:
    """ "California" for "CA"; None for codes that are not US states (territories, military)."""
    return known_us_states().get(code.strip().upper())
