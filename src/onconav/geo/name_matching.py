"""Typed place names read against the index: the ways to split a query into a city and its qualifiers
(state, country), candidates by own name, alternate name or misspelling (rapidfuzz), and their ranking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from onconav.geo.entries import City, Outcome
from onconav.geo.regions import US, Scope
from onconav.geo.text import expand, name_key
from onconav.text import fold

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


@dataclass(frozen=True, slots=True)
class Qualifier:
    """The scopes a state or country text names, and how sure the reading is (100 for an exact name)."""

    scopes: tuple[Scope, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read the query: a city key plus the qualifiers that follow it."""

    city: str
    known: tuple[Qualifier, ...]
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

    def accepts(self, city: City) -> bool:
        return all(any(city.in_scope(s) for s in q.scopes) for q in self.known)

    def candidate(self, city: City, name_score: float, *, tier: int) -> Candidate:
        """`city` as read this way: exact only for its own name with every qualifier understood."""
        return Candidate(
            city=city,
            exact=tier == 0 and self.exact,
            score=name_score * self.factor,
            tier=tier,
            qualified=bool(self.known),
            guessed=self.unknown > 0,
            weight=self.weight(city),
        )

    def weight(self, city: City) -> int:
        """How much a city's population counts: more when it is the US-state reading of a "CA"-like text."""
        for qualifier in self.known:
            first = qualifier.scopes[0]
            if len(qualifier.scopes) > 1 and first[0] == US and first[1] is not None and city.in_scope(first):
                return STATE_READING_WEIGHT
        return 1


@dataclass(slots=True)
class Candidate:
    """A city as one reading of the query found it, with what its rank is made of."""

    city: City
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


class NameMatcher:
    """Resolves typed names over the index's name keys, qualifiers and world cities."""

    def __init__(
        self,
        *,
        primary: dict[str, list[City]],
        alternate: dict[str, list[City]],
        qualifiers: dict[str, list[Scope]],
        world: list[City],
    ) -> None:
        self.primary = primary
        self.alternate = alternate
        self.qualifiers = qualifiers
        self.world = world
        self.choices = _fuzzy_choices(primary)
        self._qualifier_choices = sorted(k for k in qualifiers if len(k) >= QUALIFIER_FUZZY_MIN_LENGTH)
        self._pools: dict[tuple[Scope, ...], list[str]] = {}

    def match_qualifier(self, text: str) -> Qualifier | None:
        """Scopes named by a state/country text: exact (code, name, alias) or a close misspelling."""
        base = fold(text)
        if not base:
            return None
        for key in (base, expand(base), base.replace(" ", "")):
            scopes = self.qualifiers.get(key)
            if scopes:
                return Qualifier(tuple(scopes), 100.0)
        if len(base) >= QUALIFIER_FUZZY_MIN_LENGTH:
            hit = process.extractOne(
                base, self._qualifier_choices, scorer=fuzz.ratio, score_cutoff=QUALIFIER_CUTOFF
            )
            if hit is not None:
                return Qualifier(tuple(self.qualifiers[hit[0]]), float(hit[1]))
        return None

    def readings(self, text: str) -> list[Reading]:
        """'City, qualifier[, ...]' when there are commas; otherwise every split of the trailing words."""
        parts = text.split(",")
        if len(parts) > 1:
            city = name_key(parts[0])
            if not city:
                return []
            matched = [self.match_qualifier(p) for p in parts[1:] if fold(p)]
            known = tuple(q for q in matched if q is not None)
            return [Reading(city, known, len(matched) - len(known))]
        words = fold(text).split()
        if not words:
            return []
        readings = [Reading(expand(" ".join(words)), (), 0)]
        for cut in range(1, min(4, len(words) - 1) + 1):
            qualifier = self.match_qualifier(" ".join(words[-cut:]))
            head = expand(" ".join(words[:-cut]))
            if qualifier is None:
                readings.append(Reading(head, (), 1))
            else:
                readings.append(Reading(head, (qualifier,), 0))
        return readings

    def exact_candidates(self, reading: Reading) -> Iterable[Candidate]:
        """Cities whose own or alternate name is the reading's city key, within its qualifiers."""
        for city in self.primary.get(reading.city, ()):
            if reading.accepts(city):
                yield reading.candidate(city, 100.0, tier=0)
        for city in self.alternate.get(reading.city, ()):
            if reading.accepts(city):
                yield reading.candidate(city, ALTERNATE_NAME_SCORE, tier=1)

    def fuzzy_candidates(self, reading: Reading, cutoff: float) -> Iterable[Candidate]:
        """Cities whose own name is at least `cutoff` like the reading's city key, within its qualifiers."""
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

    def resolve(self, text: str) -> Outcome:
        """The city a typed name means, with its look-alikes; or, when none is close enough, suggestions."""
        readings = self.readings(text)
        best: dict[int, Candidate] = {}

        def keep(candidates: Iterable[Candidate]) -> None:
            for candidate in candidates:
                known = best.get(id(candidate.city))
                if known is None or candidate.rank() < known.rank():
                    best[id(candidate.city)] = candidate

        for reading in readings:
            keep(self.exact_candidates(reading))
        region_only = self._region_only(text, list(best.values()))
        if region_only:
            return Outcome(place=None, suggestions=region_only)
        if not any(c.exact for c in best.values()):
            for reading in readings:
                # With only unreadable qualifiers there is no scope to keep a fuzzy match honest.
                if reading.unknown and not reading.known:
                    continue
                keep(self.fuzzy_candidates(reading, CITY_CUTOFF))

        ranked = sorted((c for c in best.values() if c.score >= ACCEPT_SCORE), key=Candidate.rank)
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

    def _region_only(self, text: str, exact_pass: list[Candidate]) -> tuple[str, ...]:
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

    def _suggestions(self, readings: list[Reading], near: list[Candidate]) -> tuple[str, ...]:
        """Display names of near misses, for a query that nothing matched well enough."""
        pool: dict[int, Candidate] = {id(c.city): c for c in near}

        def offer(candidate: Candidate) -> None:
            known = pool.get(id(candidate.city))
            if known is None or candidate.rank() < known.rank():
                pool[id(candidate.city)] = candidate

        for reading in readings:
            # Same name outside the asked-for state or country ("Ukiah, Germany").
            unscoped = Reading(reading.city, (), 0)
            for candidate in self.exact_candidates(unscoped):
                offer(unscoped.candidate(candidate.city, 90.0, tier=candidate.tier))
            if reading.unknown and not reading.known:
                continue
            for candidate in self.fuzzy_candidates(reading, SUGGESTION_CUTOFF):
                offer(candidate)
        ranked = sorted(pool.values(), key=Candidate.rank)
        names: list[str] = []
        for candidate in ranked:
            if candidate.city.display not in names:
                names.append(candidate.city.display)
            if len(names) == MAX_SUGGESTIONS:
                break
        return tuple(names)


def _fuzzy_choices(primary: dict[str, list[City]]) -> dict[Scope | None, list[str]]:
    """Primary keys per country, per US state and world-wide (None), each sorted for stable results."""
    sets: dict[Scope | None, set[str]] = {None: set(primary)}
    for key, cities in primary.items():
        for city in cities:
            sets.setdefault((city.country_code, None), set()).add(key)
            if city.region_code:
                sets.setdefault((city.country_code, city.region_code), set()).add(key)
    return {scope: sorted(keys) for scope, keys in sets.items()}
