"""The demo generator: deterministic, realistic in shape, at real cities, sized as promised."""

from __future__ import annotations

from collections import Counter
from itertools import islice

from onconav.directory import demo
from onconav.directory.indexing import search_entries
from onconav.directory.ranking import designation_bits, quality_points
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge


def _snapshot(size: demo.DemoSize, seed: int, count: int) -> list[object]:
    return [
        (b.organization, b.location, b.services, b.practitioners, b.roles, b.role_services)
        for b in islice(demo.generate(size, seed=seed), count)
    ]


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert _snapshot("small", 0, 40) == _snapshot("small", 0, 40)
    assert _snapshot("small", 0, 40) != _snapshot("small", 1, 40)


def test_the_small_demo_has_about_two_thousand_demo_practitioners_across_countries_and_kinds() -> None:
    bundles = list(demo.generate("small"))
    practitioners = sum(len(b.practitioners) for b in bundles)
    assert 1_800 <= practitioners <= 2_300
    countries = Counter(b.location["country_code"] for b in bundles)
    assert {"US", "TR", "DE", "ES", "IN", "MX"} <= set(countries)
    kinds = Counter(b.organization["kind"] for b in bundles)
    assert set(kinds) == {"cancer_center", "hospital", "clinic"}
    assert all(b.organization["is_demo"] and all(p["is_demo"] for p in b.practitioners) for b in bundles)


def test_large_demo_plans_a_million_practitioners() -> None:
    organizations, practitioners = demo.count_planned("large")
    assert 980_000 <= practitioners <= 1_020_000
    assert organizations > 10_000


def test_ids_are_unique_and_references_hold() -> None:
    bundles = list(
        demo.generate(
            "small",
            first_ids={"organization": 10, "location": 20, "practitioner": 30, "practitioner_role": 40},
        )
    )
    org_ids = [b.organization["id"] for b in bundles]
    practitioner_ids = [p["id"] for b in bundles for p in b.practitioners]
    role_ids = [r["id"] for b in bundles for r in b.roles]
    assert len(set(org_ids)) == len(org_ids) and min(org_ids) == 10
    assert len(set(practitioner_ids)) == len(practitioner_ids) and min(practitioner_ids) == 30
    assert min(role_ids) == 40
    for bundle in bundles:
        assert bundle.location["organization_id"] == bundle.organization["id"]
        known_roles = {r["id"] for r in bundle.roles}
        assert {rs["role_id"] for rs in bundle.role_services} <= known_roles
        assert {r["practitioner_id"] for r in bundle.roles} == {p["id"] for p in bundle.practitioners}


def test_services_and_specialties_come_from_the_catalogue() -> None:
    services = {s.code: s for s in knowledge.list_services()}
    specialties = {s.code for s in knowledge.list_specialties()}
    for bundle in islice(demo.generate("small"), 120):
        assert {r["specialty"] for r in bundle.roles} <= specialties
        for row in [*bundle.role_services, *bundle.services]:
            assert row["service_code"] in services
            if row["annual_volume"] is not None:
                assert services[row["service_code"]].category == "procedure"


def test_organizations_sit_at_real_cities() -> None:
    cities = demo.demo_cities("small")
    for bundle in islice(demo.generate("small"), 200):
        location = bundle.location
        nearest = min(geo.haversine_km(location["lat"], location["lon"], c.lat, c.lon) for c in cities)
        assert nearest < 5.0, location


def test_search_entries_carry_the_quality_points_of_their_row() -> None:
    bundle = next(b for b in demo.generate("small") if b.role_services and b.organization["designations"])
    entries = search_entries(bundle)
    org = bundle.organization
    bits = designation_bits(org["designations"])
    for entry in entries:
        assert entry["quality_points"] == quality_points(
            annual_volume=entry["annual_volume"],
            designations=bits,
            tumor_board=org["tumor_board"],
            clinical_trials=org["clinical_trials"],
        )
    topics = {(e["entity_kind"], e["topic"]) for e in entries}
    for service in bundle.services:
        assert ("organization", f"service:{service['service_code']}") in topics
    for role in bundle.roles:
        assert ("practitioner", f"specialty:{role['specialty']}") in topics


def test_every_service_someone_delivers_is_offered_somewhere_in_the_small_demo() -> None:
    offered = {row["service_code"] for bundle in demo.generate("small") for row in bundle.services}
    deliverable = {s.code for s in knowledge.list_services() if s.specialties}
    assert deliverable <= offered, sorted(deliverable - offered)


def test_every_cancer_center_has_its_core_team() -> None:
    for bundle in demo.generate("small"):
        if bundle.organization["kind"] == "cancer_center":
            specialties = {role["specialty"] for role in bundle.roles}
            assert set(demo.CORE_STAFF["cancer_center"][: len(bundle.roles)]) <= specialties
