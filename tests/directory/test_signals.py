"""Cancer signals of real hospitals: the trial-site rule (its named cases and its measured behaviour on the
real records), specialists at a hospital's address, and NCI designations applied by the importers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory import service as directory
from onconav.directory import signals
from onconav.directory.bulk import full_row, reindex_organizations
from onconav.directory.models import (
    Location,
    Organization,
    OrganizationSignal,
    Practitioner,
    PractitionerRole,
    SearchEntry,
)
from onconav.directory.signals import HospitalPlace, link_trial_sites, street_key
from onconav.trials import service as trials_service
from onconav.trials.sources import iter_source


@dataclass(frozen=True)
class Site:
    """A trial site as trials.service gives it."""

    facility: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    nct_id: str = "NCT01642004"
    conditions: tuple[str, ...] = ("Squamous Cell Non-small Cell Lung Cancer",)
    title: str = "Nivolumab versus docetaxel"
    status: str = "COMPLETED"
    last_update: str | None = "2018-04-10"
    country_code: str | None = "US"


def _hospital(key: int, name: str, state: str, city: str, postal: str, line: str = "") -> HospitalPlace:
    return HospitalPlace(
        id=key,
        canonical_id=key,
        name=signals.normalise_name(name),
        state=state,
        city=city.upper(),
        postal_code=postal,
        line=street_key(line),
    )


HOSPITALS = [
    _hospital(1, "MASSACHUSETTS GENERAL HOSPITAL", "MA", "Boston", "02114", "55 Fruit Street"),
    _hospital(2, "DANA - FARBER CANCER INSTITUTE", "MA", "Boston", "02215"),
    _hospital(3, "AUGUSTA VA MEDICAL CENTER", "GA", "Augusta", "30904"),
    _hospital(4, "ARKANSAS STATE HOSPITAL", "AR", "Little Rock", "72205"),
    _hospital(5, "ARKANSAS CHILDREN'S HOSPITAL", "AR", "Little Rock", "72202"),
    _hospital(6, "PROVIDENCE HOLY CROSS MEDICAL CENTER", "CA", "Mission Hills", "91346"),
]


@pytest.mark.parametrize(
    ("site", "hospital", "rule"),
    [
        (Site("Massachusetts General Hospital Cancer Center", "Boston", "Massachusetts", "02114"), 1, "zip"),
        (Site("Dana-Farber Cancer Institute", "Boston", "Massachusetts", "02215"), 2, "zip"),
        (Site("Providence Holy Cross Cancer Center", "Mission Hills", "California", "91346-9600"), 6, "zip"),
        # A site in the city but another ZIP links only with nearly the same name.
        (Site("Arkansas Childrens Hospital", "Little Rock", "Arkansas", "72205"), 5, "city"),
    ],
)
def test_a_trial_site_links_to_the_hospital_it_names(site: Site, hospital: int, rule: str) -> None:
    [link] = link_trial_sites([site], HOSPITALS)
    assert (link.hospital.id, link.rule) == (hospital, rule)


@pytest.mark.parametrize(
    "site",
    [
        # A university hospital is not the VA medical center of its city (kinds of hospital must agree).
        Site("Augusta University Medical Center", "Augusta", "Georgia", "30912"),
        # Only words that name a kind of place in common: no link.
        Site("General Hospital Medical Center", "Boston", "Massachusetts", "02114"),
        # Another state, or outside the US: no link.
        Site("Massachusetts General Hospital", "Boston", "New Hampshire", "02114"),
        Site("Massachusetts General Hospital", "Boston", "Massachusetts", "02114", country_code="CA"),
        Site(None, "Boston", "Massachusetts", "02114"),
    ],
)
def test_a_trial_site_that_names_no_directory_hospital_links_to_none(site: Site) -> None:
    assert link_trial_sites([site], HOSPITALS) == []


def test_street_keys_compare_house_number_and_street_name() -> None:
    assert street_key("55 Fruit Street, Suite 3") == street_key("55 FRUIT ST") == "55 FRUIT"
    assert street_key("Elm and Carlton Streets") == "" and street_key(None) == ""


def test_imported_trial_sites_give_hospitals_condition_signals_with_their_source(
    engine: Engine, shared_data: Path
) -> None:
    with Session(engine) as session:
        _hospital_row(session, name="Massachusetts General Hospital", city="Boston", postal="02114")
        trials_service.import_records(
            session, iter_source(shared_data / "clinicaltrials_gov_samples" / "legacy_xml")
        )
        hospitals = directory.refresh_trial_activity(session)
        session.commit()
        rows = session.execute(
            select(OrganizationSignal.topic, OrganizationSignal.count, OrganizationSignal.source).where(
                OrganizationSignal.kind == "trials"
            )
        ).all()
    assert hospitals == 1
    by_topic = {topic: (count, source) for topic, count, source in rows}
    # NCT01642004 (squamous NSCLC) and NCT02465060 (NCI-MATCH, lung carcinoma among its conditions).
    assert by_topic["condition:non-small-cell-lung-cancer"][0] == 1
    assert by_topic["condition:lung-cancer"][0] == 2
    assert by_topic["condition:lung-cancer"][1].startswith("ClinicalTrials.gov NCT01642004 (")
    assert "last updated" in by_topic["condition:lung-cancer"][1]
    assert by_topic[None][0] >= 2  # general trial activity: the "takes part in clinical trials" term


def _hospital_row(session: Session, *, name: str, city: str, postal: str, line: str = "1 Main Street") -> int:
    org_id = (session.scalar(select(Organization.id).order_by(Organization.id.desc()).limit(1)) or 0) + 1
    session.execute(
        Organization.__table__.insert(),  # type: ignore[attr-defined]
        [
            full_row(
                "organization",
                id=org_id,
                name=name,
                kind="hospital",
                source="cms-hospitals",
                hospital_type="Acute Care Hospitals",
            )
        ],
    )
    session.execute(
        Location.__table__.insert(),  # type: ignore[attr-defined]
        [
            full_row(
                "location",
                organization_id=org_id,
                name=name,
                line=line,
                city=city,
                region="Massachusetts",
                region_code="MA",
                postal_code=postal,
                country_code="US",
                country="United States",
                lat=42.36,
                lon=-71.07,
            )
        ],
    )
    reindex_organizations(session.connection(), [org_id])
    return org_id


def test_thoracic_surgeons_at_a_hospitals_address_make_it_likely_for_thoracic_procedures(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        org_id = _hospital_row(
            session,
            name="Massachusetts General Hospital",
            city="Boston",
            postal="02114",
            line="55 Fruit Street",
        )
        location_id = session.execute(
            Location.__table__.insert()  # type: ignore[attr-defined]
            .values(
                full_row(
                    "location",
                    name="practice",
                    line="55 FRUIT ST",
                    city="Boston",
                    region_code="MA",
                    postal_code="021142696",
                    country_code="US",
                    country="United States",
                    lat=42.36,
                    lon=-71.07,
                )
            )
            .returning(Location.id)
        ).scalar_one()
        for number, npi in enumerate(("1234567893", "1245319599")):
            person = session.execute(
                Practitioner.__table__.insert()  # type: ignore[attr-defined]
                .values(
                    full_row(
                        "practitioner",
                        given_name="Ana",
                        family_name=f"Surgeon{number}",
                        npi=npi,
                        source="nppes",
                    )
                )
                .returning(Practitioner.id)
            ).scalar_one()
            session.execute(
                PractitionerRole.__table__.insert(),  # type: ignore[attr-defined]
                [
                    full_row(
                        "practitioner_role",
                        practitioner_id=person,
                        location_id=location_id,
                        specialty="thoracic-surgery",
                    )
                ],
            )
        signals.refresh_hospital_signals(session.connection(), sites=[])
        entries = dict(
            session.execute(
                select(SearchEntry.topic, SearchEntry.evidence).where(
                    SearchEntry.entity_kind == "organization", SearchEntry.entity_id == org_id
                )
            ).all()
        )
        source = session.scalar(
            select(OrganizationSignal.source).where(
                OrganizationSignal.organization_id == org_id, OrganizationSignal.topic == "service:lobectomy"
            )
        )
    assert entries["specialty:thoracic-surgery"] == "likely"
    assert entries["service:lobectomy"] == "likely" and entries["service:metastasectomy"] == "likely"
    assert entries["facility:hospital"] == "unknown"
    assert source == "NPPES NPI Registry: 2 Thoracic surgery practitioner(s) at this hospital's address"
