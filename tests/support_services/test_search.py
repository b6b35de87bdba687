"""Support services search over the demo listings and imported ones, on SQLite and PostgreSQL: condition
specificity, place and radius (online and phone match anywhere), language, delivery, reasons that add up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import unit_of_work
from onconav.errors import InvalidInput, NotFound
from onconav.geo.service import PlaceNotFound
from onconav.support import service
from onconav.support.schemas import SupportSearchResponse
from tests.support_services.test_importer import csv_of, listing

TODAY = date(2026, 12, 4)


@pytest.fixture
def loaded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The demo listings and three imported ones of different freshness and specificity."""
    with unit_of_work(factory) as session:
        service.load_demo(session)
        service.import_listings(
            session,
            text=csv_of(
                listing(name="Fresh mesothelioma group", source_date="2026-11-01"),
                listing(
                    name="Old counseling",
                    category="counseling",
                    conditions="all cancers",
                    source_date="2020-01-01",
                ),
                listing(name="Lung group", conditions="lung-cancer", source_date="2025-06-01"),
            ),
        )
    return factory


def names(response: SupportSearchResponse) -> list[str]:
    return [hit.service.name for hit in response.results]


def test_specific_condition_ranks_above_all_cancers_and_reasons_add_up(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        response = service.search_support(
            session, condition="pleural-mesothelioma", near="Ukiah, CA", limit=100, today=TODAY
        )
    assert response.place is not None and response.place.name.startswith("Ukiah")
    assert response.condition is not None and response.condition.name == "Pleural mesothelioma"
    assert response.includes_demo
    scores = [hit.score for hit in response.results]
    assert scores == sorted(scores, reverse=True)
    by_name = {hit.service.name: hit for hit in response.results}
    for hit in response.results:
        assert round(sum(reason.points for reason in hit.why), 2) == hit.score
        assert all(reason.source for reason in hit.why if reason.factor != "distance")
    specific = by_name["Redwood Valley Mesothelioma Circle (demo)"]
    broader = by_name["Valley Oak Patient Navigators (demo)"]  # listed for mesothelioma, the parent
    general = by_name["Mendocino Cancer Counseling Studio (demo)"]  # all cancers, same place
    points = {hit.service.name: {r.factor: r.points for r in hit.why} for hit in (specific, broader, general)}
    assert points[specific.service.name]["condition"] == 30
    assert points[broader.service.name]["condition"] == 20
    assert points[general.service.name]["condition"] == 10
    assert specific.score > broader.score > general.score
    assert "Serves people with any cancer" in {r.factor: r.detail for r in general.why}["condition"]
    # a listing for another cancer is not a result; demo listings say so
    assert "Lung group" not in by_name and "Lung Cancer Peer Match (demo)" not in by_name
    assert specific.service.is_demo and specific.service.evidence == "demo"
    assert by_name["Fresh mesothelioma group"].service.evidence == "listed"


def test_online_and_phone_match_any_place_in_person_only_within_the_radius(
    loaded: sessionmaker[Session],
) -> None:
    with loaded() as session:
        response = service.search_support(
            session, condition="mesothelioma", near="Ukiah, CA", limit=100, today=TODAY
        )
    by_name = {hit.service.name: hit for hit in response.results}
    online = by_name["Mesothelioma Caregivers Online (demo)"]
    assert online.reach == "online" and online.distance_km is None
    assert {r.factor: r.points for r in online.why}["remote"] == -10
    assert "Hudson Mesothelioma Group (demo)" not in by_name  # in person only, in New York
    assert by_name["Empire Asbestos Legal Aid (demo)"].reach == "phone"  # New York, but it answers the phone
    local = by_name["Redwood Valley Mesothelioma Circle (demo)"]
    assert local.reach == "in_person" and local.distance_km is not None and local.distance_km < 20
    condition = {r.factor: r for r in local.why}["condition"]
    assert condition.points == 20  # listed for a kind of the condition searched
    assert condition.detail == "Serves people with Pleural mesothelioma, a kind of Mesothelioma"
    with loaded() as session:
        new_york = service.search_support(session, condition="mesothelioma", near="New York, NY", today=TODAY)
    assert "Hudson Mesothelioma Group (demo)" in names(new_york)
    with loaded() as session:
        everywhere = service.search_support(
            session,
            condition="mesothelioma",
            near="Ukiah, CA",
            radius_km=5000,
            delivery="in_person",
            today=TODAY,
        )
    assert "Hudson Mesothelioma Group (demo)" in names(everywhere)
    assert all(hit.reach == "in_person" for hit in everywhere.results)


def test_language_and_delivery_filter(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        response = service.search_support(
            session,
            condition="pleural-mesothelioma",
            near="Ukiah, CA",
            language="es",
            delivery="online",
            today=TODAY,
        )
    assert response.results
    for hit in response.results:
        assert "es" in hit.service.languages and "online" in hit.service.delivery and hit.reach == "online"
        reasons = {r.factor: r for r in hit.why}
        assert reasons["language"].points == 10 and reasons["language"].detail == "In Spanish"
        assert "remote" not in reasons  # asked for online: no penalty for being online
    assert "Ayuda Mesotelioma en Línea (demo)" in names(response)
    assert "Mesothelioma Caregivers Online (demo)" not in names(response)  # English only


def test_freshness_of_the_source(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        response = service.search_support(
            session, category="counseling", near="Ukiah, CA", limit=100, today=TODAY
        )
    by_name = {hit.service.name: {r.factor: r for r in hit.why} for hit in response.results}
    stale = by_name["Old counseling"]["freshness"]
    assert stale.points == -5 and "may be out of date" in stale.detail
    assert by_name["Mendocino Cancer Counseling Studio (demo)"]["freshness"].points == 5
    assert {hit.service.category for hit in response.results} == {"counseling"}
    assert "condition" not in by_name["Old counseling"]  # no condition asked: no condition points


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"category": "massage"}, "Unknown category"),
        ({"condition": "lobectomy"}, "Unknown condition"),
        ({"radius_km": -3.0}, "radius"),
        ({"radius_km": float("nan")}, "radius"),
        ({"language": "spanish"}, "ISO 639-1"),
        ({"delivery": "mail"}, "Unknown way"),
        ({"limit": 0}, "number of results"),
    ],
)
def test_bad_input_is_invalid_input(
    loaded: sessionmaker[Session], arguments: dict[str, object], message: str
) -> None:
    with loaded() as session, pytest.raises(InvalidInput) as raised:
        service.search_support(session, **arguments)  # type: ignore[arg-type]
    assert message in raised.value.message and raised.value.status_code == 422


def test_unknown_place_and_listing(loaded: sessionmaker[Session]) -> None:
    with loaded() as session:
        with pytest.raises(PlaceNotFound):
            service.search_support(session, near="Qqqxzzv")
        with pytest.raises(NotFound):
            service.get_listing_or_raise(session, listing_id=10**12)


@pytest.mark.parametrize("words", ["pleural mesothelioma", "Mesotelioma pleural", "pleural-mesotelioma"])
def test_a_diagnosis_in_words_is_understood(loaded: sessionmaker[Session], words: str) -> None:
    with loaded() as session:
        in_words = service.search_support(session, condition=words, near="Ukiah, CA", limit=100, today=TODAY)
        by_code = service.search_support(
            session, condition="pleural-mesothelioma", near="Ukiah, CA", limit=100, today=TODAY
        )
    assert in_words.condition is not None and in_words.condition.code == "pleural-mesothelioma"
    assert names(in_words) == names(by_code)
