"""The import framework with the NPPES importer, on generated NPPES-layout files, on both databases:
idempotent re-runs, updates, deactivations, resume after an interruption, the rejected-rows report, unplaced
addresses kept and flagged, and imported providers found by the directory search with their reasons.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory import taxonomy
from onconav.directory.fixtures import NppesFixtureMix, write_nppes_file
from onconav.directory.imports import framework, registry
from onconav.directory.imports.formats.csv_file import csv_rows
from onconav.directory.imports.sources.nppes import NppesSource
from onconav.directory.models import (
    FLAG_ADDRESS_NOT_PLACED,
    FLAG_DEACTIVATED,
    ImportRun,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    SearchEntry,
    SourceRecord,
)
from onconav.errors import InvalidInput

ROWS = 4_000


@pytest.fixture(scope="module")
def nppes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Plenty of special rows so that a small file has every case.
    mix = NppesFixtureMix(deactivated=0.03, unknown_zip=0.05, foreign_address=0.03, malformed=0.01)
    return write_nppes_file(tmp_path_factory.mktemp("nppes") / "npidata_pfile.csv", ROWS, seed=7, mix=mix)


def _expected(path: Path) -> dict[str, object]:
    """What the file holds, by preparing every row outside the framework."""
    source = NppesSource()
    kept: dict[str, framework.Prepared] = {}
    rejected = []
    retired = []
    for record in source.records(path, start_row=0, start_offset=0):
        outcome = source.prepare(record)
        if isinstance(outcome, framework.Prepared):
            kept[outcome.source_id] = outcome
        elif isinstance(outcome, framework.Rejected):
            rejected.append(outcome)
        elif isinstance(outcome, framework.Retire):
            retired.append(outcome)
    return {"kept": kept, "rejected": rejected, "retired": retired}


def _count(engine: Engine, model: type, *where: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _import(engine: Engine, path: Path, report: Path, **kwargs: object) -> framework.ImportSummary:
    return framework.run_import(engine, registry.get_source("nppes"), path, report_path=report, **kwargs)  # type: ignore[arg-type]


def test_import_is_idempotent_reports_rejections_and_flags_unplaced(
    engine: Engine, nppes_file: Path, tmp_path: Path
) -> None:
    expected = _expected(nppes_file)
    kept: dict[str, framework.Prepared] = expected["kept"]  # type: ignore[assignment]
    assert len(kept) > 100
    first = _import(engine, nppes_file, tmp_path / "first.csv")
    assert first.status == "done"
    assert first.counts["read"] == ROWS
    assert first.counts["inserted"] == len(kept)
    assert first.counts["rejected"] == len(expected["rejected"]) > 0  # type: ignore[arg-type]
    assert sum(first.counts[k] for k in ("inserted", "rejected", "skipped")) == ROWS
    people = [item for item in kept.values() if item.entity_kind == "practitioner"]
    orgs = [item for item in kept.values() if item.entity_kind == "organization"]
    assert people and orgs
    nppes = Practitioner.source == "nppes"
    assert _count(engine, Practitioner, nppes) == len(people)
    assert _count(engine, Organization, Organization.source == "nppes") == len(orgs)
    assert _count(engine, SourceRecord) == len(kept)

    # The report: one line per rejected row, with its row number, NPI and reason.
    with (tmp_path / "first.csv").open(newline="") as handle:
        report = list(csv.DictReader(handle))
    assert len(report) == first.counts["rejected"]
    assert all(line["row"].isdigit() and line["reason"] for line in report)
    reasons = " | ".join(line["reason"] for line in report)
    assert "columns" in reasons or "NPI" in reasons or "last name" in reasons

    # Unplaced addresses: kept, flagged, without coordinates, and out of the distance search.
    unplaced = [item for item in people if item.payload.location.lat is None]
    assert unplaced
    with engine.connect() as connection:
        rows = connection.execute(
            select(Practitioner.id, Practitioner.quality_flags).where(
                Practitioner.npi.in_([item.source_id for item in unplaced])
            )
        ).all()
        assert len(rows) == len(unplaced)
        assert all(FLAG_ADDRESS_NOT_PLACED in flags for _, flags in rows)
        ids = [row_id for row_id, _ in rows]
        entries = connection.execute(
            select(func.count())
            .select_from(SearchEntry)
            .where(SearchEntry.entity_kind == "practitioner", SearchEntry.entity_id.in_(ids))
        ).scalar_one()
        assert entries == 0
        placed_entries = connection.execute(
            select(func.count()).select_from(SearchEntry).where(SearchEntry.entity_kind == "practitioner")
        ).scalar_one()
        assert placed_entries >= len(people) - len(unplaced)
        roles = connection.execute(
            select(func.count())
            .select_from(PractitionerRole)
            .where(PractitionerRole.organization_id.is_(None), PractitionerRole.location_id.is_not(None))
        ).scalar_one()
        assert roles >= len(people)
        assert connection.execute(
            select(func.count()).select_from(Location).where(Location.lat.is_(None))
        ).scalar_one() >= len(unplaced)

    # Re-running the same file: nothing new, nothing changed, nothing twice.
    again = _import(engine, nppes_file, tmp_path / "again.csv")
    assert again.counts["inserted"] == 0
    assert again.counts["updated"] == 0
    assert again.counts["unchanged"] == len(kept)
    assert _count(engine, Practitioner, nppes) == len(people)
    assert _count(engine, SourceRecord) == len(kept)
    with engine.connect() as connection:
        runs = connection.execute(select(ImportRun.status)).scalars().all()
    assert runs == ["done", "done"]


def _rewrite(path: Path, target: Path, edit: dict[str, tuple[int, str]]) -> None:
    """Copy an NPPES file, replacing the value of a column (by position) on the rows of some NPIs."""
    with (
        path.open(newline="", encoding="utf-8") as source,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.reader(source)
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for fields in reader:
            change = edit.get(fields[0])
            if change is not None:
                fields[change[0]] = change[1]
            writer.writerow(fields)


def test_changed_records_update_in_place_and_deactivations_retire(
    engine: Engine, nppes_file: Path, tmp_path: Path
) -> None:
    kept: dict[str, framework.Prepared] = _expected(nppes_file)["kept"]  # type: ignore[assignment]
    _import(engine, nppes_file, tmp_path / "r1.csv")
    people = sorted(npi for npi, item in kept.items() if item.entity_kind == "practitioner")
    renamed, deactivated = people[0], people[1]
    from onconav.directory.imports.formats import nppes_layout as layout

    last_name = layout.COLUMNS.index(layout.LAST_NAME)
    org_name = layout.COLUMNS.index(layout.ORGANIZATION_NAME)
    clinic = next(
        npi
        for npi, item in sorted(kept.items())
        if item.entity_kind == "organization"
        and item.payload.location.lat is not None
        and taxonomy.specialties_of(item.payload.organization.taxonomy_codes)
    )
    with engine.connect() as connection:
        org_id = connection.execute(select(Organization.id).where(Organization.npi == clinic)).scalar_one()
        org_entries = (
            connection.execute(
                select(SearchEntry.topic).where(
                    SearchEntry.entity_kind == "organization", SearchEntry.entity_id == org_id
                )
            )
            .scalars()
            .all()
        )
    assert org_entries  # an oncology clinic is listed under its specialty
    changed = tmp_path / "changed.csv"
    _rewrite(
        nppes_file,
        changed,
        {renamed: (last_name, "ZUBIZARRETA"), clinic: (org_name, "LAKESIDE ONCOLOGY CLINIC")},
    )
    # A deactivated NPI: only the NPI and the deactivation date remain.
    lines = changed.read_bytes().decode("utf-8").split("\r\n")
    blank = ['""'] * len(layout.COLUMNS)
    blank[0] = f'"{deactivated}"'
    blank[layout.COLUMNS.index(layout.DEACTIVATION_DATE)] = '"06/01/2026"'
    lines = [",".join(blank) if line.startswith(f'"{deactivated}"') else line for line in lines]
    changed.write_bytes("\r\n".join(lines).encode("utf-8"))

    summary = _import(engine, changed, tmp_path / "r2.csv")
    assert summary.counts["updated"] == 2
    assert summary.counts["retired"] == 1
    assert summary.counts["inserted"] == 0
    assert summary.counts["unchanged"] == len(kept) - 3
    with engine.connect() as connection:
        assert connection.execute(
            select(Organization.name).where(Organization.id == org_id)
        ).scalar_one() == ("Lakeside Oncology Clinic")
        assert sorted(org_entries) == sorted(
            connection.execute(
                select(SearchEntry.topic).where(
                    SearchEntry.entity_kind == "organization", SearchEntry.entity_id == org_id
                )
            ).scalars()
        )
    with engine.connect() as connection:
        person = connection.execute(select(Practitioner).where(Practitioner.npi == renamed)).one()
        assert person.family_name == "Zubizarreta"
        assert person.active
        gone = connection.execute(select(Practitioner).where(Practitioner.npi == deactivated)).one()
        assert not gone.active and FLAG_DEACTIVATED in gone.quality_flags
        assert (
            connection.execute(
                select(func.count())
                .select_from(SearchEntry)
                .where(SearchEntry.entity_kind == "practitioner", SearchEntry.entity_id == gone.id)
            ).scalar_one()
            == 0
        )
        # One practice role per specialty after the update, not two.
        roles = (
            connection.execute(
                select(PractitionerRole.specialty).where(PractitionerRole.practitioner_id == person.id)
            )
            .scalars()
            .all()
        )
        assert len(roles) == len(set(roles)) >= 1
    assert _count(engine, Practitioner, Practitioner.source == "nppes") == len(
        [item for item in kept.values() if item.entity_kind == "practitioner"]
    )


def test_an_interrupted_import_resumes_after_the_last_committed_batch(
    engine: Engine, nppes_file: Path, tmp_path: Path
) -> None:
    expected = _expected(nppes_file)
    kept: dict[str, framework.Prepared] = expected["kept"]  # type: ignore[assignment]
    commits = []

    def crash_after_two_batches(position: int, counts: dict[str, int]) -> None:
        commits.append(counts["read"])
        if len(commits) == 2:
            raise KeyboardInterrupt

    report = tmp_path / "report.csv"
    with pytest.raises(KeyboardInterrupt):
        _import(engine, nppes_file, report, batch_records=40, on_progress=crash_after_two_batches)
    with engine.connect() as connection:
        run = connection.execute(select(ImportRun)).one()
    assert run.status == "interrupted"
    assert 0 < run.rows_committed < ROWS
    partial = _count(engine, SourceRecord)
    assert 0 < partial < len(kept)

    resumed = _import(engine, nppes_file, report, parallel=True)  # the rest read by a worker process
    assert resumed.resumed_from_row == run.rows_committed
    assert resumed.status == "done"
    assert resumed.counts["read"] == ROWS
    assert resumed.counts["inserted"] == len(kept)
    assert _count(engine, SourceRecord) == len(kept)
    assert _count(engine, Practitioner, Practitioner.source == "nppes") + _count(
        engine, Organization, Organization.source == "nppes"
    ) == len(kept)
    with report.open(newline="") as handle:
        rows = [line["row"] for line in csv.DictReader(handle)]
    assert len(rows) == len(set(rows)) == len(expected["rejected"])  # type: ignore[arg-type]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ImportRun)).scalar_one() == 1


def test_imported_specialists_are_found_by_the_directory_search_with_reasons(
    engine: Engine, nppes_file: Path, tmp_path: Path
) -> None:
    kept: dict[str, framework.Prepared] = _expected(nppes_file)["kept"]  # type: ignore[assignment]
    _import(engine, nppes_file, tmp_path / "r.csv")
    oncologist = next(
        item
        for item in kept.values()
        if item.entity_kind == "practitioner"
        and "medical-oncology" in item.payload.specialties
        and item.payload.location.lat is not None
    )
    zip_code = oncologist.payload.location.postal_code[:5]
    with engine.connect() as connection:
        person_id = connection.execute(
            select(Practitioner.id).where(Practitioner.npi == oncologist.source_id)
        ).scalar_one()
    with unit_of_work(make_session_factory(engine)) as session:
        outcome = directory.search_providers(
            session, query="medical oncologist", near=zip_code, radius_km=50.0, limit=50
        )
    hits = [hit for hit in outcome.hits if hit.kind == "practitioner"]
    found = next(hit for hit in hits if hit.id == person_id)
    assert oncologist.payload.practitioner.family_name in found.name
    assert found.organization_id is None and found.organization_kind == "practice"
    assert found.specialty == "medical-oncology"
    assert found.distance_km < 1.0  # placed at the centroid of the ZIP searched
    factors = {factor.factor: factor.points for factor in found.factors}
    assert factors["match"] == 30.0 and "distance" in factors
    assert round(sum(f.points for f in found.factors), 2) == found.score


def test_unknown_source_and_wrong_file_are_clear_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Unknown source"):
        registry.get_source("nppes-typo")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not an NPPES NPI file"):
        _import(engine, wrong, tmp_path / "r.csv")


def test_taxonomy_mapping_names_catalogue_specialties() -> None:
    from onconav.knowledge import service as knowledge

    catalogue = {s.code: s for s in knowledge.list_specialties()}
    codes = taxonomy.codes()
    for code, entry in codes.items():
        assert len(code) == 10 and code.endswith("X"), code
        assert entry.specialty is None or entry.specialty in catalogue, code
        assert entry.entity in ("individual", "organization")
        if entry.entity == "organization":
            assert entry.kind in ("hospital", "clinic", "cancer_center"), code
        if entry.imported and entry.entity == "individual":
            assert entry.specialty, f"{code} is imported but names no specialty"
    # Every code the catalogue names maps back to its specialty.
    for specialty in catalogue.values():
        for code in specialty.nucc_taxonomy:
            assert codes[code].specialty == specialty.code, code
    for code, specialty in {
        "207RX0202X": "medical-oncology",
        "2086X0206X": "surgical-oncology",
        "208G00000X": "thoracic-surgery",
        "2085R0001X": "radiation-oncology",
        "207RH0003X": "medical-oncology",
        "207VX0201X": "gynecologic-oncology",
        "207T00000X": "neurosurgery",
        "208800000X": "urology",
        "207RH0002X": "palliative-medicine",
    }.items():
        assert taxonomy.get(code) is not None and taxonomy.get(code).specialty == specialty  # type: ignore[union-attr]
    # The NPPES reader's pre-filter looks for quoted codes "2........X".
    assert all(code.startswith("2") for code in taxonomy.imported_codes())
    for code in ("2080P0207X", "207ZP0102X", "2085R0202X"):
        assert code in codes  # pediatric hem-onc, pathology, radiology are known
    assert taxonomy.organization_kind(["261QX0200X", "282N00000X"]) == "hospital"
    specialties = taxonomy.specialties_of(["208800000X", "207RX0202X", "207RH0003X"])
    assert specialties == ["urology", "medical-oncology"]


def test_csv_rows_resume_at_an_offset_with_multiline_values(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(b'id,name\r\n1,"one"\r\n2,"two\r\nlines"\r\n3,three\r\n')
    rows = list(csv_rows(path, required=("id", "name"), title="plain CSV", start_row=0, start_offset=0))
    assert [r.values["name"] for r in rows] == ["one", "two\r\nlines", "three"]
    assert [r.row for r in rows] == [1, 2, 3]
    rest = list(
        csv_rows(
            path,
            required=("id", "name"),
            title="plain CSV",
            start_row=rows[0].row,
            start_offset=rows[0].end_offset,
        )
    )
    assert [(r.row, r.values["id"]) for r in rest] == [(2, "2"), (3, "3")]
    assert rows[-1].end_offset == path.stat().st_size


def test_import_command_prints_the_summary(
    nppes_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from onconav.cli import app
    from onconav.config import get_settings

    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", "nppes", str(nppes_file)])
        assert result.exit_code == 0, result.output
        assert "inserted" in result.output and "rejected" in result.output
        assert list((tmp_path / "imports").glob("nppes-run1-rejected.csv"))
        unknown = CliRunner().invoke(app, ["import", "nope", str(nppes_file)])
        assert unknown.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_fixture_files_follow_the_published_nppes_layout(tmp_path: Path) -> None:
    from onconav.directory.fixtures import npi_with_check_digit, nppes_lines
    from onconav.directory.imports.formats import nppes_layout as layout
    from onconav.directory.imports.formats.npi import is_valid_npi

    assert len(layout.COLUMNS) == 330 == len(set(layout.COLUMNS))
    assert layout.COLUMNS[:6] == (
        "NPI",
        "Entity Type Code",
        "Replacement NPI",
        "Employer Identification Number (EIN)",
        "Provider Organization Name (Legal Business Name)",
        "Provider Last Name (Legal Name)",
    )
    assert layout.COLUMNS[47] == "Healthcare Provider Taxonomy Code_1"
    assert layout.COLUMNS[50] == "Healthcare Provider Primary Taxonomy Switch_1"
    assert layout.COLUMNS[107] == "Other Provider Identifier_1"
    assert layout.COLUMNS[307] == "Is Sole Proprietor"
    assert layout.COLUMNS[-1] == "Certification Date"
    assert is_valid_npi("1234567893")  # the CMS example NPI
    assert not is_valid_npi("1234567890")
    assert npi_with_check_digit(123456789) == "1234567893"

    first = write_nppes_file(tmp_path / "a.csv", 3_000, seed=5)
    second = write_nppes_file(tmp_path / "b.csv", 3_000, seed=5)
    assert first.read_bytes() == second.read_bytes()  # same seed, same bytes
    with first.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == layout.COLUMNS
    data = rows[1:]
    assert len(data) == 3_000 and all(len(row) == 330 for row in data)
    assert len({row[0] for row in data}) == 3_000 and all(is_valid_npi(row[0]) for row in data)
    kinds = [row[1] for row in data]
    assert kinds.count("1") > kinds.count("2") > kinds.count("") > 0  # individuals, orgs, deactivated
    deactivated = [row for row in data if not row[1]]
    assert all(row[layout.COLUMNS.index(layout.DEACTIVATION_DATE)] for row in deactivated)
    assert all(not any(row[2:39]) for row in deactivated)
    codes = [row[47] for row in data if row[1]]
    assert any(code in taxonomy.imported_codes() for code in codes)
    assert sum(code in taxonomy.imported_codes() for code in codes) < len(codes) / 5  # mostly not cancer care
    assert next(iter(nppes_lines(1))).endswith("\r\n")


def test_imported_providers_read_and_validate_as_fhir(
    engine: Engine, nppes_file: Path, tmp_path: Path
) -> None:
    """Practitioners on their own and unplaced addresses through the FHIR API: valid R4 resources, found
    by NPI and name, and left out of `near` searches."""
    from fastapi.testclient import TestClient
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.location import Location as FhirLocation
    from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
    from fhir.resources.R4B.practitionerrole import PractitionerRole as FhirPractitionerRole

    from onconav.app import create_app

    kept: dict[str, framework.Prepared] = _expected(nppes_file)["kept"]  # type: ignore[assignment]
    _import(engine, nppes_file, tmp_path / "r.csv")
    unplaced = next(
        item
        for item in kept.values()
        if item.entity_kind == "practitioner" and item.payload.location.lat is None
    )
    with TestClient(create_app(engine)) as client:
        found = client.get(f"/fhir/R4/Practitioner?identifier={unplaced.source_id}").json()
        Bundle.model_validate(found)
        assert len(found["entry"]) == 1
        person = found["entry"][0]["resource"]
        FhirPractitioner.model_validate(person)
        family = unplaced.payload.practitioner.family_name
        by_name = client.get(f"/fhir/R4/Practitioner?name={family}&_count=100").json()
        assert person["id"] in {e["resource"]["id"] for e in by_name["entry"]}
        roles = client.get(f"/fhir/R4/PractitionerRole?practitioner={person['id']}").json()
        assert roles["entry"]
        for entry in roles["entry"]:
            role = entry["resource"]
            FhirPractitionerRole.model_validate(role)
            assert "organization" not in role and "availabilityExceptions" not in role
            location_id = role["location"][0]["reference"].split("/")[1]
            location = client.get(f"/fhir/R4/Location/{location_id}").json()
            FhirLocation.model_validate(location)
            assert "position" not in location and "managingOrganization" not in location
        placed = next(
            item
            for item in kept.values()
            if item.entity_kind == "practitioner" and item.payload.location.lat is not None
        )
        lat, lon = placed.payload.location.lat, placed.payload.location.lon
        near = client.get(f"/fhir/R4/Location?near={lat}|{lon}|1|km&_count=100").json()
        Bundle.model_validate(near)
        assert near["entry"]
        assert all("position" in e["resource"] for e in near["entry"])
        # The pages and the JSON API show them too.
        page = client.get(f"/practitioners/{person['id']}")
        assert page.status_code == 200 and family in page.text
        api = client.get(f"/api/v1/practitioners/{person['id']}").json()
        assert api["roles"][0]["organization_id"] is None and api["roles"][0]["location"]["lat"] is None
        assert "address_not_placed" in api["roles"][0]["location"]["quality_flags"]
        zip_code = placed.payload.location.postal_code[:5]
        specialty = placed.payload.specialties[0]
        results = client.get(
            f"/search?q={specialty.replace('-', ' ')}&near={zip_code}", follow_redirects=True
        )
        assert results.status_code == 200
        found = client.get(f"/api/v1/search?q={specialty.replace('-', ' ')}&near={zip_code}&limit=50").json()
        assert any(r["organization_id"] is None for r in found["results"] if r["kind"] == "practitioner")


def test_a_large_load_leaves_fresh_statistics_and_a_visibility_map(
    engine: Engine, nppes_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a load above ANALYZE_AFTER_ROWS, PostgreSQL tables are vacuumed and analysed (outside the
    import's transactions), so the scoring scans can be index-only at once; SQLite needs neither."""
    monkeypatch.setattr(framework, "ANALYZE_AFTER_ROWS", 1)
    summary = _import(engine, nppes_file, tmp_path / "r.csv")
    assert summary.status == "done" and summary.counts["inserted"] > 0
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        pages, visible = connection.execute(
            text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'search_entry'")
        ).one()
    assert pages > 0 and visible == pages  # every page all-visible: vacuumed, and analysed with it
