"""The support services CSV: rows checked one by one, every malformed row reported with its line and reason,
and nothing half-imported; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import unit_of_work, utcnow
from onconav.directory.models import Organization
from onconav.errors import InvalidInput
from onconav.support import service
from onconav.support.importer import COLUMNS, read_listings
from onconav.support.models import ALL_CANCERS, SupportService

HEADER = ",".join(COLUMNS)


def csv_of(*rows: dict[str, str]) -> str:
    """A file in the documented format: the header, then one line per row (missing columns left empty)."""
    lines = [HEADER]
    for row in rows:
        lines.append(",".join(f'"{row.get(column, "")}"' for column in COLUMNS))
    return "\n".join(lines) + "\n"


def listing(**changes: str) -> dict[str, str]:
    """A valid in-person listing in Ukiah, CA (placed by its ZIP code)."""
    return {
        "name": "Mendocino Coast Mesothelioma Group",
        "category": "support group",
        "conditions": "pleural-mesothelioma",
        "languages": "en; es",
        "delivery": "in person; online",
        "city": "Ukiah",
        "region": "CA",
        "country": "US",
        "postal_code": "95482",
        "cost": "free",
        "source": "County cancer resource list",
        "source_date": "2026-10-01",
        **changes,
    }


def test_a_valid_row_is_read_into_the_table_form() -> None:
    rows, problems = read_listings(csv_of(listing()))
    assert problems == []
    (row,) = rows
    assert row.category == "support_group"
    assert row.delivery == ["in_person", "online"]
    assert row.languages == ["en", "es"]
    assert row.conditions == ["pleural-mesothelioma"]
    assert row.geocode_precision == "postal_code"
    assert row.lat is not None and abs(row.lat - 39.15) < 0.1 and row.lon is not None
    assert row.source_date == date(2026, 10, 1)


def test_all_cancers_and_coordinates_from_the_file() -> None:
    rows, problems = read_listings(
        csv_of(listing(conditions="All cancers", latitude="41.88", longitude="-87.63", postal_code=""))
    )
    assert problems == []
    assert rows[0].conditions == [ALL_CANCERS]
    assert (rows[0].lat, rows[0].lon, rows[0].geocode_precision) == (41.88, -87.63, "source")


def test_an_online_service_needs_no_place() -> None:
    rows, problems = read_listings(csv_of(listing(delivery="online", city="", region="", postal_code="")))
    assert problems == [] and rows[0].lat is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"category": "massage"}, "category 'massage' is not one of"),
        ({"conditions": "pleural-mesotheliomaa"}, "unknown condition code(s) pleural-mesotheliomaa"),
        ({"languages": "english"}, "english is not an ISO 639-1 code"),
        ({"delivery": "by carrier pigeon"}, "delivery 'by carrier pigeon' is not one of"),
        ({"cost": "cheap"}, "cost 'cheap' is not one of"),
        ({"source_date": "01/10/2026"}, "source_date '01/10/2026' is not a date"),
        ({"name": ""}, "missing required value(s): name"),
        ({"latitude": "39.1"}, "give both latitude and longitude"),
        ({"latitude": "139.1", "longitude": "-123"}, "latitude 139.1 is out of range"),
        ({"city": "", "postal_code": ""}, "an in-person service needs a city"),
        ({"city": "Qqqxzzv", "postal_code": ""}, "the place 'Qqqxzzv, CA' could not be found"),
        ({"organization_id": "twelve"}, "organization_id 'twelve' is not a whole number"),
        ({"website": "javascript:alert(1)"}, "website must start with https://"),
        ({"country": "USA"}, "country 'USA' is not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_malformed_rows_are_reported_with_line_and_reason(change: dict[str, str], reason: str) -> None:
    rows, problems = read_listings(csv_of(listing(), listing(**{"name": "Second", **change})))
    assert [row.line for row in rows] == [2]
    assert len(problems) == 1
    assert problems[0].line == 3
    assert reason in problems[0].reason


def test_a_header_without_required_columns_is_refused() -> None:
    rows, problems = read_listings("name,category\nA group,counseling\n")
    assert rows == []
    assert problems[0].line == 1 and "conditions" in problems[0].reason


def test_an_unknown_column_is_refused() -> None:
    rows, problems = read_listings(HEADER + ",rating\n")
    assert rows == [] and "rating" in problems[0].reason


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(SupportService)) or 0


def test_one_bad_row_imports_nothing(factory: sessionmaker[Session]) -> None:
    text = csv_of(listing(), listing(name="B", languages="xx"), listing(name="C", category="?"))
    with pytest.raises(InvalidInput) as raised, unit_of_work(factory) as session:
        service.import_listings(session, text=text)
    assert raised.value.details["count"] == 2
    assert [problem["line"] for problem in raised.value.details["problems"]] == [3, 4]
    assert raised.value.status_code == 422
    assert count(factory) == 0


def test_import_then_reimport_updates_the_same_listings(factory: sessionmaker[Session]) -> None:
    text = csv_of(listing(), listing(name="Legal help", category="legal", delivery="phone"))
    with unit_of_work(factory) as session:
        assert service.import_listings(session, text=text).model_dump() == {"inserted": 2, "updated": 0}
    changed = csv_of(
        listing(description="Now weekly"), listing(name="Legal help", category="legal", delivery="phone")
    )
    with unit_of_work(factory) as session:
        assert service.import_listings(session, text=changed).model_dump() == {"inserted": 0, "updated": 2}
    assert count(factory) == 2
    with factory() as session:
        row = session.scalars(select(SupportService).where(SupportService.name == listing()["name"])).one()
        assert row.description == "Now weekly" and row.is_demo is False


def test_an_organization_id_must_exist_and_links_the_listing(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        organization = Organization(name="Ukiah Valley Hospital (test)", kind="hospital", source="test")
        session.add(organization)
        session.flush()
        organization_id = organization.id
    with pytest.raises(InvalidInput) as raised, unit_of_work(factory) as session:
        service.import_listings(session, text=csv_of(listing(organization_id=str(organization_id + 99))))
    assert "is not in the directory" in raised.value.details["problems"][0]["reason"]
    assert count(factory) == 0
    with unit_of_work(factory) as session:
        service.import_listings(session, text=csv_of(listing(organization_id=str(organization_id))))
    with factory() as session:
        listing_id = session.scalars(select(SupportService.id)).one()
        read = service.get_listing_or_raise(session, listing_id=listing_id)
    assert read.organization_id == organization_id and read.evidence == "listed"


def test_an_empty_file_is_refused(factory: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput) as raised, unit_of_work(factory) as session:
        service.import_listings(session, text=HEADER + "\n")
    assert "no rows" in raised.value.details["problems"][0]["reason"]


def test_the_demo_replaces_only_demo_listings(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        service.import_listings(session, text=csv_of(listing()))
    for _ in range(2):
        with unit_of_work(factory) as session:
            summary = service.load_demo(session)
        assert 20 <= summary.inserted <= 40
    with factory() as session:
        demo = session.scalars(select(SupportService).where(SupportService.is_demo.is_(True))).all()
        assert len(demo) == summary.inserted
        assert all("(demo)" in row.name and row.source == "onconav demo data (fictional)" for row in demo)
        assert {row.category for row in demo} == set(service.CATEGORIES)
        assert all(row.source_date <= utcnow().date() for row in demo)
    assert count(factory) == summary.inserted + 1


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                column: st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
                for column in COLUMNS
            }
        ),
        max_size=4,
    )
)
def test_any_cells_are_read_or_reported_never_a_crash(rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    listings, problems = read_listings(buffer.getvalue())
    assert len(listings) + len(problems) <= len(rows) + 1
    assert all(problem.line >= 2 and problem.reason for problem in problems)
    assert all(listing.category and listing.conditions and listing.languages for listing in listings)


@given(st.text(max_size=300))
def test_any_text_is_read_or_reported_never_a_crash(text: str) -> None:
    listings, problems = read_listings(text)
    assert problems or listings  # a text without the header is one problem at line 1, never an exception


def test_a_city_alone_or_abroad_is_placed_by_the_geo_service() -> None:
    rows, problems = read_listings(
        csv_of(
            listing(region="", country="", postal_code=""),
            listing(
                name="Paris group", city="Paris", region="", country="FR", postal_code="", languages="fr"
            ),
        )
    )
    assert problems == []
    assert [row.geocode_precision for row in rows] == ["city", "city"]
    assert rows[0].lat is not None and abs(rows[0].lat - 39.15) < 0.1
    assert rows[1].lon is not None and abs(rows[1].lon - 2.35) < 0.1


def test_the_demo_source_is_reserved(factory: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput) as raised, unit_of_work(factory) as session:
        service.import_listings(session, text=csv_of(listing(source="onconav demo data (fictional)")))
    assert "reserved for the shipped demo" in raised.value.details["problems"][0]["reason"]
    assert count(factory) == 0


def test_a_listing_outlives_the_organization_it_linked(factory: sessionmaker[Session]) -> None:
    """The demo directory is replaced by deleting its organizations: a linked listing stays, unlinked."""
    with unit_of_work(factory) as session:
        organization = Organization(name="Demo hospital (test)", kind="hospital", is_demo=True)
        session.add(organization)
        session.flush()
        service.import_listings(session, text=csv_of(listing(organization_id=str(organization.id))))
    with unit_of_work(factory) as session:
        session.execute(delete(Organization).where(Organization.is_demo.is_(True)))
    with factory() as session:
        assert session.scalars(select(SupportService.organization_id)).one() is None
