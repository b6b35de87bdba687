"""US ZIP codes of the place index, from the `zipcodes` wheel: each ZIP with its town and centroid, and
the towns themselves (the mean of their ZIP centroids) where geonames has no city of that name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import zipcodes

from onconav.geo.distance import haversine_km
from onconav.geo.entries import City
from onconav.geo.regions import TERRITORIES, US, Scope
from onconav.geo.schemas import Place
from onconav.geo.text import name_key
from onconav.geo.world_cities import WorldCities

_ZIP_CODE = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")
# A ZIP town whose name is only an alternate name of a geonames city is merged with it within this distance.
MERGE_ALIAS_KM = 30.0

ZipRow = tuple[str, str, str, str]
"""(town, USPS state, latitude, longitude) as the `zipcodes` data writes them."""


@dataclass
class ZipCodes:
    """Every ZIP code, the towns geonames lacks, and the names that lead to cities and towns."""

    rows: dict[str, ZipRow] = field(default_factory=dict)
    towns: list[City] = field(default_factory=list)
    # (name key, city or town) in the order they join the index's own names.
    names: list[tuple[str, City]] = field(default_factory=list)


def zip_code_in(query: str) -> str | None:
    """The five-digit ZIP code when `query` is one ('94110', '94110-1234', '941101234'), else None."""
    match = _ZIP_CODE.match(query)
    return match.group(1) if match else None


def missing_coordinates(lat: str, lon: str) -> bool:
    """True for the 0,0 that some unique and PO-box ZIPs carry for "unknown"."""
    return float(lat) == 0.0 and float(lon) == 0.0


def read_zip_codes(world: WorldCities, *, countries: dict[str, str], us_states: dict[str, str]) -> ZipCodes:
    """Every ZIP code of a US state or territory, and its towns merged into the world cities."""
    found = ZipCodes()
    # Towns are the mean of their active ZIP centroids: (key, scope) -> [sum lat, sum lon, count].
    names: dict[tuple[str, Scope], str] = {}
    sums: dict[tuple[str, Scope], list[float]] = {}
    keys: dict[str, str] = {}  # many ZIPs share a town name: fold each name once
    scopes: dict[str, Scope] = {state: (US, state) for state in us_states}
    scopes.update((territory, (territory, None)) for territory in TERRITORIES)
    for row in zipcodes.list_all():
        scope = scopes.get(row["state"])
        if scope is None:
            continue  # military APO/FPO/DPO codes: no place to search around
        # Only what a ZIP's Place needs is kept; the Place itself is built when someone asks for it.
        found.rows[row["zip_code"]] = (row["city"], row["state"], row["lat"], row["long"])
        # Some unique/PO-box ZIPs carry 0,0 for "unknown": they must not drag a town's centroid away.
        if not row["active"] or missing_coordinates(row["lat"], row["long"]):
            continue
        town = row["city"]
        key = keys.get(town)
        if key is None:
            key = keys[town] = name_key(town)
        if not key:
            continue
        entry = sums.get((key, scope))
        if entry is None:
            names[(key, scope)] = town
            sums[(key, scope)] = [float(row["lat"]), float(row["long"]), 1.0]
        else:
            entry[0] += float(row["lat"])
            entry[1] += float(row["long"])
            entry[2] += 1.0

    for (key, scope), name in names.items():
        if (key, scope) in world.same_place:
            continue  # geonames already has it, with population and a city-centre coordinate
        lat_sum, lon_sum, count = sums[(key, scope)]
        lat, lon = lat_sum / count, lon_sum / count
        alias_of = [
            c
            for c in world.by_alias.get((key, scope), ())
            if haversine_km(lat, lon, c.lat, c.lon) <= MERGE_ALIAS_KM
        ]
        if alias_of:
            # "New York, NY" in USPS data is geonames' "New York City": let the name lead to that city.
            found.names.append((key, max(alias_of, key=lambda c: c.population or 0)))
            continue
        town = City(
            name=name,
            key=key,
            country_code=scope[0],
            country=countries.get(scope[0], scope[0]),
            region=us_states.get(scope[1]) if scope[1] else None,
            region_code=scope[1],
            lat=lat,
            lon=lon,
            population=None,
        )
        found.towns.append(town)
        found.names.append((key, town))
    return found


def zip_code_place(
    code: str,
    row: ZipRow,
    *,
    countries: dict[str, str],
    us_states: dict[str, str],
    primary: dict[str, list[City]],
) -> Place | None:
    """The place of a ZIP code: its centroid, or its town's position when it has none (None without)."""
    town, state, lat_text, lon_text = row
    country_code, region_code = (US, state) if state in us_states else (state, None)
    lat, lon = float(lat_text), float(lon_text)
    if missing_coordinates(lat_text, lon_text):
        # No centroid for this ZIP: its town's position is the best we have, or nothing.
        scope: Scope = (country_code, region_code)
        towns = [c for c in primary.get(name_key(town), ()) if c.in_scope(scope)]
        if not towns:
            return None
        lat, lon = towns[0].lat, towns[0].lon
    region = us_states.get(region_code) if region_code else None
    country = countries.get(country_code, country_code)
    where = ", ".join(p for p in (town, region, country) if p)
    return Place(
        name=f"{code} ({where})",
        city=town,
        region=region,
        region_code=region_code,
        country_code=country_code,
        country=country,
        lat=lat,
        lon=lon,
        kind="postal_code",
        postal_code=code,
        slug=code,
    )


@cache
def zip_centroids() -> dict[str, tuple[float, float]]:
    """ZIP -> centroid, read from the `zipcodes` data alone (the place index is ten times bigger)."""
    centroids = {}
    for row in zipcodes.list_all():
        lat, lon = float(row["lat"]), float(row["long"])
        if lat != 0.0 or lon != 0.0:  # some PO-box ZIPs carry 0,0 for "unknown"
            centroids[row["zip_code"]] = (lat, lon)
    return centroids
