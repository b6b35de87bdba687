"""The entries of the place index: one city or town (`City`, a geonames city or a town of US ZIP codes),
and what one lookup found (`Outcome`), shared by the ZIP, coordinates and name resolvers."""

from __future__ import annotations

from dataclasses import dataclass

from onconav.geo.regions import Scope
from onconav.geo.schemas import Place
from onconav.geo.slugs import city_slug


class City:
    """One city or town of the index; its `Place` is built on first use and then shared."""

    # Slots: the index holds about 60,000 of these for the life of the process.
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
        """'Ukiah, California, United States' or 'Istanbul, Türkiye'."""
        parts = [self.name, self.region, self.country] if self.region else [self.name, self.country]
        return ", ".join(p for p in parts if p)

    def place(self) -> Place:
        """The city as a `Place`, built once."""
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
        """True when the city lies in the country, or the US state, of `scope`."""
        return self.country_code == scope[0] and (scope[1] is None or self.region_code == scope[1])


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the resolver found for one normalised query; `place` is None when nothing matched."""

    place: Place | None
    exact: bool = False
    score: float = 0.0
    alternatives: tuple[Place, ...] = ()
    suggestions: tuple[str, ...] = ()
