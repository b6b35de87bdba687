"""Tests of `list_cities` and `place_slug`, including the slug round trip over every listed city.

The round trip is what lets directory URLs like /near/ukiah-ca name a place without storing it.
"""

from __future__ import annotations

import pytest

from onconav.errors import InvalidInput
from onconav.geo import Place, list_cities, place_slug, resolve_place

ROUND_TRIP_COUNTRIES = ["US", "TR", "DE", "ES", "IN", "MX"]


@pytest.fixture(scope="module")
def big_cities() -> list[Place]:
    return list_cities(country_codes=ROUND_TRIP_COUNTRIES, min_population=50_000)


def test_list_cities_keeps_big_cities_of_the_countries_by_descending_population(
    big_cities: list[Place],
) -> None:
    assert len(big_cities) > 1_000
    assert {p.country_code for p in big_cities} == set(ROUND_TRIP_COUNTRIES)
    assert all((p.population or 0) >= 50_000 for p in big_cities)
    assert all(p.kind == "city" and p.city for p in big_cities)
    keys = [(-(p.population or 0), p.city) for p in big_cities]
    assert keys == sorted(keys)
    assert big_cities[0].city == "Istanbul"


def test_listed_us_cities_carry_their_state_and_others_none(big_cities: list[Place]) -> None:
    us = [p for p in big_cities if p.country_code == "US"]
    assert us and all(p.region_code and p.region for p in us)
    houston = next(p for p in us if p.city == "Houston")
    assert (houston.region, houston.region_code, houston.slug) == ("Texas", "TX", "houston-tx")
    assert all(p.region is None for p in big_cities if p.country_code != "US")


def test_list_cities_is_deterministic_and_accepts_lower_case() -> None:
    first = list_cities(country_codes=["de"], min_population=200_000)
    second = list_cities(country_codes=["DE"], min_population=200_000)
    assert first == second
    assert [p.city for p in first[:3]] == ["Berlin", "Hamburg", "Munich"]


def test_list_cities_rejects_unknown_countries_and_negative_population() -> None:
    with pytest.raises(InvalidInput) as caught:
        list_cities(country_codes=["US", "XX"], min_population=100_000)
    assert caught.value.details["country_codes"] == ["XX"]
    with pytest.raises(InvalidInput):
        list_cities(country_codes=["US"], min_population=-1)


def test_every_listed_citys_slug_resolves_back_to_it_or_a_bigger_namesake(big_cities: list[Place]) -> None:
    mismatches = []
    for place in big_cities:
        slug = place_slug(place)
        assert slug == place.slug
        assert slug.isascii() and slug == slug.lower() and " " not in slug
        resolved = resolve_place(slug).place
        if resolved == place:
            continue
        # Only allowed: another city of the same name in the same state (US) or country, more populous.
        same_area = (resolved.country_code, resolved.region_code) == (place.country_code, place.region_code)
        if resolved.slug == slug and same_area and (resolved.population or 0) >= (place.population or 0):
            continue
        mismatches.append((place.name, slug, resolved.name))
    assert mismatches == []


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ukiah, CA", "ukiah-ca"),
        ("New York, NY", "new-york-city-ny"),
        ("Winston-Salem, NC", "winston-salem-nc"),
        ("St. Louis, MO", "st-louis-mo"),
        ("Coeur d'Alene, ID", "coeur-dalene-id"),
        ("Istanbul, Türkiye", "istanbul-tr"),
        ("Mexico City, Mexico", "mexico-city-mx"),
        ("Köln, Germany", "koln-de"),
        ("São Paulo, Brazil", "sao-paulo-br"),
        ("San Juan, Puerto Rico", "san-juan-pr"),
        ("95482", "95482"),
        ("39.15, -123.21", "39.1500n-123.2100w"),
    ],
)
def test_place_slugs_are_ascii_readable_and_resolve_back(text: str, slug: str) -> None:
    place = resolve_place(text).place
    assert place_slug(place) == slug
    assert resolve_place(slug).place == place
