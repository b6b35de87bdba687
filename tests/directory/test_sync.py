"""`onconav sync nppes` replays real NPI Registry API v2.1 responses (../shared/data/
nppes_npi_registry_api_samples, recorded by the rOpenSci npi package): paging, politeness, errors, and the
records written like NPPES file rows. No network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.directory.imports import framework
from onconav.directory.imports.formats.nppes_api import API_URL, SyncQuery, fields_of
from onconav.directory.imports.sources.nppes_api import NppesApiSource
from onconav.directory.models import FLAG_ZIP_CENTROID, Location, Practitioner, PractitionerRole, SearchEntry
from onconav.errors import InvalidInput


class Replay:
    """A transport answering each request with the next recorded response, remembering the requests."""

    def __init__(self, folder: Path, *files: str) -> None:
        self.answers = [json.loads((folder / name).read_text(encoding="utf-8")) for name in files]
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        self.calls.append((url, dict(params)))
        return self.answers[len(self.calls) - 1]


@pytest.fixture
def samples(shared_data: Path) -> Path:
    return shared_data / "nppes_npi_registry_api_samples"


def _sync(engine: Engine, source: NppesApiSource, tmp_path: Path) -> framework.ImportSummary:
    label = source.query.label()
    return framework.run_import(
        engine, source, Path(label), restart=True, identity=label, report_path=tmp_path / "rejected.csv"
    )


def test_sync_imports_the_oncologist_of_a_recorded_answer(
    engine: Engine, samples: Path, tmp_path: Path
) -> None:
    replay = Replay(samples, "api-f62abe.json")
    waits: list[float] = []
    source = NppesApiSource(
        SyncQuery(taxonomy="207RX0202X", state="ny"), transport=replay, sleep=waits.append
    )
    summary = _sync(engine, source, tmp_path)
    assert replay.calls == [
        (
            API_URL,
            {
                "version": "2.1",
                "taxonomy_description": "Medical Oncology",
                "state": "NY",
                "limit": "200",
                "skip": "0",
            },
        )
    ]
    assert waits == []  # one page: nothing to wait for
    assert summary.counts["read"] == 5
    assert summary.counts["inserted"] == 1  # only the medical oncologist carries the code asked for
    with engine.connect() as connection:
        person = connection.execute(select(Practitioner).where(Practitioner.npi == "1396949913")).one()
        assert (person.given_name, person.family_name, person.credentials) == ("Amir S.", "Steinberg", "M.D.")
        assert person.source == "nppes" and person.gender == "male"
        role = connection.execute(
            select(PractitionerRole).where(PractitionerRole.practitioner_id == person.id)
        ).one()
        assert role.specialty == "medical-oncology" and role.organization_id is None
        assert role.accepting_new_patients is None
        location = connection.execute(select(Location).where(Location.id == role.location_id)).one()
        assert location.city == "New York" and location.postal_code == "10029-6030"
        assert location.region == "New York" and FLAG_ZIP_CENTROID in location.quality_flags
        assert 40.7 < location.lat < 40.9 and -74.1 < location.lon < -73.8
        assert (
            connection.execute(
                select(func.count()).select_from(SearchEntry).where(SearchEntry.entity_id == person.id)
            ).scalar_one()
            == 1
        )
    again = _sync(
        engine, NppesApiSource(source.query, transport=Replay(samples, "api-f62abe.json")), tmp_path
    )
    assert again.counts["unchanged"] == 1 and again.counts["inserted"] == 0


def test_sync_pages_with_skip_politely_until_a_short_page(
    engine: Engine, samples: Path, tmp_path: Path
) -> None:
    replay = Replay(samples, "api-f7d8ea.json", "api-6b1573.json", "api-a2f836.json")
    waits: list[float] = []
    source = NppesApiSource(
        SyncQuery(taxonomy="Urology", state="GA"),
        transport=replay,
        sleep=waits.append,
        page_size=10,
        min_interval_s=5.0,
    )
    summary = _sync(engine, source, tmp_path)
    assert [(params["skip"], params["limit"]) for _, params in replay.calls] == [
        ("0", "10"),
        ("10", "10"),
        ("20", "10"),
    ]
    assert all(params["taxonomy_description"] == "Urology" for _, params in replay.calls)
    assert len(waits) == 2 and all(0 < wait <= 5.0 for wait in waits)
    assert summary.counts["read"] == 20
    # The urologist is on both pages (the recorded pages overlap): imported once.
    assert summary.counts["inserted"] == 1
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Practitioner)).scalar_one() == 1


def test_sync_stops_at_the_limit_and_reports_api_errors(
    engine: Engine, samples: Path, tmp_path: Path
) -> None:
    replay = Replay(samples, "api-a769af.json")
    source = NppesApiSource(SyncQuery(taxonomy="207RX0202X", state="AK", limit=3), transport=replay)
    summary = _sync(engine, source, tmp_path)
    assert replay.calls[0][1]["limit"] == "3" and len(replay.calls) == 1
    assert summary.counts["inserted"] == 0 and summary.counts["read"] == 2
    failing = NppesApiSource(
        SyncQuery(taxonomy="Urology", state="GA"), transport=Replay(samples, "api-8d2d52.json")
    )
    with pytest.raises(InvalidInput, match="No valid search criteria provided"):
        _sync(engine, failing, tmp_path)


def test_api_results_read_like_nppes_file_rows(samples: Path) -> None:
    answer = json.loads((samples / "api-1f9cef.json").read_text(encoding="utf-8"))
    fields, codes = fields_of(answer["results"][-1])
    assert fields["Entity Type Code"] == "2" and fields["NPI"].isdigit()
    assert codes[0] in ("2085R0204X", "2086S0129X") and len(codes) == 2
    assert fields["Provider Business Practice Location Address State Name"] == "GA"
    assert fields["Provider Business Practice Location Address Country Code (If outside U.S.)"] == ""
