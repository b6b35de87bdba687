"""FHIR Bulk Data export ($export): a real HTTP client against the live server kicks off, polls and downloads
the NDJSON files, which `onconav import fhir` loads one at a time (in the manifest's order) into an empty
database with the same directory counts;
the protocol's answers (202 + Content-Location, X-Progress, the manifest, DELETE, errors) on both backends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.app import create_app
from onconav.cli import app as cli_app
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory.models import ImportRun, Location, Organization
from onconav.fhir.models import IN_PROGRESS, FhirExportJob
from tests.support.web import LiveServer

TABLES = (
    "organization",
    "location",
    "practitioner",
    "practitioner_role",
    "healthcare_service",
    "practitioner_role_service",
)
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
POLL_TIMEOUT_S = 60.0


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's data directory: export files, and the database `onconav import` writes."""
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0 for table in TABLES}


def last_run_counts() -> dict[str, int]:
    """The counts of the latest import run in the database `onconav import` writes."""
    engine = create_db_engine()
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            run = session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)).one()
            return {key: int(value) for key, value in run.counts.items()}
    finally:
        engine.dispose()


def poll(http: httpx.Client | TestClient, status_url: str) -> httpx.Response:
    """Poll as a Bulk Data client does: wait Retry-After between 202s, until the manifest (or an error)."""
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while True:
        response = http.get(status_url)
        if response.status_code != 202:
            return response
        assert response.headers["X-Progress"]
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(min(float(response.headers["Retry-After"]), 0.2))


def test_a_client_polls_downloads_and_the_export_imports_into_an_empty_database(
    live_server: LiveServer, sqlite_demo_engine: Engine, data_dir: Path
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        kick_off = http.get("/fhir/R4/$export", headers=ASYNC)
        assert kick_off.status_code == 202, kick_off.text
        status_url = kick_off.headers["Content-Location"]
        assert status_url.startswith(live_server.url + "/fhir/bulk-export/")

        done = poll(http, status_url)
        assert done.status_code == 200, done.text
        manifest = done.json()
        assert manifest["requiresAccessToken"] is False
        assert manifest["request"].endswith("/fhir/R4/$export")
        assert datetime.fromisoformat(manifest["transactionTime"].replace("Z", "+00:00")).tzinfo
        assert manifest["error"] == []
        types = [item["type"] for item in manifest["output"]]
        assert types == ["Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole"]

        files = []
        for item in manifest["output"]:
            download = http.get(item["url"])
            assert download.status_code == 200
            assert download.headers["content-type"].startswith("application/fhir+ndjson")
            lines = download.text.splitlines()
            assert len(lines) == item["count"]
            resources = [json.loads(line) for line in lines]
            assert {r["resourceType"] for r in resources} == {item["type"]}
            path = data_dir / f"{item['type']}.ndjson"
            path.write_bytes(download.content)
            files.append(path)

        # Each file on its own, in the manifest's order, through the real importer into an empty database:
        # references to resources of the files imported before resolve by their FHIR ids.
        for path in files:
            result = CliRunner().invoke(cli_app, ["import", "fhir", str(path)])
            assert result.exit_code == 0, result.output
            assert last_run_counts()["rejected"] == 0, result.output
        imported = create_db_engine()
        try:
            assert counts(imported) == counts(sqlite_demo_engine)
            assert all(counts(imported)[table] > 0 for table in TABLES)
            # The same resources again, joined into one file: recognised, nothing doubled.
            joined = data_dir / "directory.ndjson"
            joined.write_bytes(b"".join(path.read_bytes() for path in files))
            result = CliRunner().invoke(cli_app, ["import", "fhir", str(joined)])
            assert result.exit_code == 0, result.output
            again = last_run_counts()
            assert again["inserted"] == again["updated"] == again["rejected"] == 0
            assert again["unchanged"] > 0
            assert counts(imported) == counts(sqlite_demo_engine)
        finally:
            imported.dispose()

        # Deleting the export removes it and its files.
        assert http.delete(status_url).status_code == 202
        assert http.get(status_url).status_code == 404
        assert http.get(manifest["output"][0]["url"]).status_code == 404
        assert not any((data_dir / "fhir-exports").iterdir())


def test_another_worker_answers_the_polls_and_type_limits_the_files(
    demo_engine: Engine, data_dir: Path
) -> None:
    with TestClient(create_app(demo_engine)) as first, TestClient(create_app(demo_engine)) as second:
        kick_off = first.get("/fhir/R4/$export?_type=Practitioner,Organization", headers=ASYNC)
        assert kick_off.status_code == 202
        status_url = kick_off.headers["Content-Location"]
        done = poll(second, status_url)
        assert done.status_code == 200
        output = done.json()["output"]
        assert [item["type"] for item in output] == ["Organization", "Practitioner"]
        practitioners = second.get(output[1]["url"])
        assert practitioners.status_code == 200
        ids = [json.loads(line)["id"] for line in practitioners.text.splitlines()]
        assert ids == sorted(ids, key=int) and len(ids) == output[1]["count"] > 0
        assert (
            second.get(status_url.replace("/bulk-export/", "/bulk-export/x") + "/Location.ndjson").status_code
            == 404
        )
        assert second.get(f"{status_url}/Location.ndjson").status_code == 404  # not asked for
        assert first.delete(status_url).status_code == 202


@pytest.mark.parametrize(
    ("query", "headers", "says"),
    [
        ("", {}, "Prefer: respond-async"),
        ("?_type=Patient", ASYNC, "_type 'Patient'"),
        ("?_since=yesterday", ASYNC, "_since must be a FHIR instant"),
        ("?_since=2026-01-01", ASYNC, "_since must be a FHIR instant"),
        ("?_outputFormat=text/csv", ASYNC, "_outputFormat"),
        ("?patient=Patient/1", ASYNC, "Unsupported $export parameter 'patient'"),
        ("", {**ASYNC, "Accept": "application/xml"}, "Accept"),
    ],
)
def test_a_kick_off_the_server_cannot_honour_is_a_400_operation_outcome(
    demo_engine: Engine, data_dir: Path, query: str, headers: dict[str, str], says: str
) -> None:
    with TestClient(create_app(demo_engine)) as client:
        response = client.get(f"/fhir/R4/$export{query}", headers=headers)
    assert response.status_code == 400
    if headers.get("Accept") == "application/xml":  # the outcome comes in the format the client asked for
        assert response.headers["content-type"].startswith("application/fhir+xml")
        assert "<OperationOutcome" in response.text and says in response.text
        return
    assert response.headers["content-type"].startswith("application/fhir+json")
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert says in outcome["issue"][0]["diagnostics"]


def _job(engine: Engine, heartbeat: datetime) -> str:
    with unit_of_work(make_session_factory(engine)) as session:
        job = FhirExportJob(
            request_url="http://test/fhir/R4/$export",
            resource_types=["Organization"],
            transaction_time=heartbeat,
            heartbeat_at=heartbeat,
            progress="Organization: 500 written",
            status=IN_PROGRESS,
            output=[],
        )
        session.add(job)
        session.flush()
        return job.id


def test_progress_while_running_a_dead_runner_and_too_many_exports(
    migrated_engine: Engine, data_dir: Path
) -> None:
    now = datetime.now(UTC)
    running = [_job(migrated_engine, now), _job(migrated_engine, now)]
    dead = _job(migrated_engine, now - timedelta(minutes=10))
    with TestClient(create_app(migrated_engine)) as client:
        polled = client.get(f"/fhir/bulk-export/{running[0]}")
        assert polled.status_code == 202
        assert polled.headers["X-Progress"] == "Organization: 500 written"
        assert int(polled.headers["Retry-After"]) > 0
        assert client.get(f"/fhir/bulk-export/{running[0]}/Organization.ndjson").status_code == 404

        busy = client.get("/fhir/R4/$export", headers=ASYNC)
        assert busy.status_code == 429 and busy.headers["Retry-After"]
        assert busy.json()["resourceType"] == "OperationOutcome"

        failed = client.get(f"/fhir/bulk-export/{dead}")
        assert failed.status_code == 500
        assert "stopped" in failed.json()["issue"][0]["diagnostics"]

        assert client.delete(f"/fhir/bulk-export/{running[0]}").status_code == 202
        assert client.get(f"/fhir/bulk-export/{running[0]}").status_code == 404
        assert client.delete(f"/fhir/bulk-export/{running[0]}").status_code == 404
        assert client.get("/fhir/R4/$export", headers=ASYNC).status_code == 202  # one slot free again


def test_since_exports_what_an_import_wrote_after_it(migrated_engine: Engine, data_dir: Path) -> None:
    # _since is 2026-05-31T22:00Z, written in another zone: "New Clinic" (2026-06-01T00:00Z) is after it.
    old, new = datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    with unit_of_work(make_session_factory(migrated_engine)) as session:
        for name, seen in (("Old Clinic", old), ("New Clinic", new)):
            org = Organization(name=name, kind="clinic", languages=[], designations=[], last_seen_at=seen)
            session.add(org)
            session.flush()
            session.add(
                Location(
                    organization_id=org.id,
                    name=name,
                    city="Boston",
                    region_code="MA",
                    country_code="US",
                    country="United States",
                )
            )
    with TestClient(create_app(migrated_engine)) as client:
        kick_off = client.get(
            "/fhir/R4/$export?_type=Organization,Location&_since=2026-06-01T03:00:00%2B05:00", headers=ASYNC
        )
        assert kick_off.status_code == 202
        manifest = poll(client, kick_off.headers["Content-Location"]).json()
        names = {
            item["type"]: [json.loads(line)["name"] for line in client.get(item["url"]).text.splitlines()]
            for item in manifest["output"]
        }
    assert names == {"Organization": ["New Clinic"], "Location": ["New Clinic"]}
