"""Reading ClinicalTrials.gov records: every real sample in both formats, and the fields kept."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from onconav.trials import sources
from onconav.trials.records import parse_age, parse_date, phase_codes, status_code
from onconav.trials.sources import count_files, iter_source


def test_every_sample_is_read_except_the_retired_classic_format(samples: Path) -> None:
    items = list(iter_source(samples))
    manifest = list(csv.DictReader((samples / "manifest.csv").open(encoding="utf-8")))
    assert len(items) == len(manifest) == 75
    rejected = [i for i in items if i.error]
    assert [Path(i.source).name for i in rejected] == ["NCT00023673.json"]
    assert "classic API" in (rejected[0].error or "")
    by_file = {Path(i.source).name: i.record for i in items if i.record}
    for row in manifest:
        record = by_file.get(Path(row["file"]).name)
        if record is None:
            continue
        assert record.nct_id == row["nct_id"]
        assert record.brief_title == row["brief_title"]
        assert "; ".join(record.conditions) == row["conditions"]
        assert len(record.sites) == int(row["n_locations"])


def test_a_legacy_xml_record_keeps_status_ages_sponsor_interventions_and_sites(samples: Path) -> None:
    [item] = iter_source(samples / "legacy_xml" / "NCT02679963.xml")
    record = item.record
    assert record is not None
    assert record.status == "RECRUITING"
    assert record.phases == ["PHASE2"]
    assert record.study_type == "INTERVENTIONAL"
    assert record.enrollment == 600
    assert record.start_date == "2016-01"
    assert record.min_age_years == 18 and record.max_age_years is None
    assert record.sex == "ALL" and record.healthy_volunteers is False
    assert record.sponsor == "Gustave Roussy, Cancer Campus, Grand Paris"
    assert record.mesh_terms == ["Lung Neoplasms", "Carcinoma, Non-Small-Cell Lung"]
    assert {"type": "DRUG", "name": "Olaparib"} in record.interventions
    site = record.sites[0]
    assert (site.facility, site.city, site.country, site.status) == (
        "Gustave Roussy Cancer Campus",
        "Villejuif",
        "France",
        "RECRUITING",
    )
    assert site.contacts[0]["email"] == "Valerie.mairot@gustaveroussy.fr"
    assert record.criteria_text is not None and record.criteria_text.startswith("For inclusion in the study")


def test_an_api_v2_record_keeps_status_enrollment_age_and_geocoded_sites(samples: Path) -> None:
    [item] = iter_source(samples / "api_v2_json" / "NCT02552212.json")
    record = item.record
    assert record is not None
    assert record.status == "COMPLETED"
    assert record.enrollment == 317
    assert record.start_date == "2015-09"
    assert record.min_age_years == 18
    assert record.sites[0].city == "Birmingham"
    assert record.sites[0].lat == pytest.approx(33.52066)
    assert record.criteria_text is not None and "Inclusion Criteria" in record.criteria_text


def test_api_pages_json_lists_and_zip_archives_stream_every_study_in_order(
    samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studies = [json.loads(p.read_text()) for p in sorted((samples / "api_v2_json").glob("*.json"))]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies, "nextPageToken": "abc"}))
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps(studies, indent=2))
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((samples / "api_v2_json").glob("*.json")):
            bundle.write(path, f"ctg-studies/{path.name}")
        bundle.write(samples / "legacy_xml" / "NCT02679963.xml", "NCT02679963.xml")
        bundle.writestr("README.txt", "not a study")
    # Tiny chunks: a study is decoded across many reads.
    monkeypatch.setattr(sources, "CHUNK", 97)
    expected = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    for path in (page, listing):
        ids = [i.record.nct_id for i in iter_source(path) if i.record]
        assert ids == expected
    zipped = list(iter_source(archive))
    assert [i.record.nct_id for i in zipped if i.record] == ["NCT02679963", *expected]
    assert count_files(archive) == 11
    assert zipped[0].source == "bulk.zip!NCT02679963.xml"


def test_broken_inputs_are_rejected_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"studies": [{"protocolSection": {"identificationModule": {}}}, ')
    (tmp_path / "b.xml").write_text("<clinical_study><id_info><nct_id>X1</nct_id></id_info></clinical_study>")
    (tmp_path / "c.xml").write_text("<other/>")
    (tmp_path / "d.json").write_text(
        json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT12345678"}}})
    )
    errors: dict[str, list[str]] = {}
    for item in iter_source(tmp_path):
        assert item.record is None
        errors.setdefault(Path(item.source.split("#")[0]).name, []).append(item.error or "")
    assert "no valid NCT id" in errors["a.json"][0]
    assert "unreadable JSON" in errors["a.json"][1]  # the file is cut short after its first study
    assert "no valid NCT id" in errors["b.xml"][0]
    assert "no <clinical_study>" in errors["c.xml"][0]
    assert "no title" in errors["d.json"][0]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18.0),
        ("6 Months", 0.5),
        ("N/A", None),
        (None, None),
        ("2 Weeks", pytest.approx(0.0383, 0.01)),
    ],
)
def test_ages_in_years_months_and_weeks_convert_to_years_and_n_a_to_none(
    text: str | None, years: float | None
) -> None:
    assert parse_age(text) == years


def test_dates_statuses_and_phases_normalise_to_the_api_v2_forms() -> None:
    assert parse_date("January 2016") == "2016-01"
    assert parse_date("March 5, 2019") == "2019-03-05"
    assert parse_date("2019-03") == "2019-03"
    assert parse_date("sometime") is None
    assert status_code("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert status_code("RECRUITING") == "RECRUITING"
    assert phase_codes("Phase 1/Phase 2") == ["PHASE1", "PHASE2"]
    assert phase_codes("N/A") == ["NA"]


def test_stream_reader_keeps_numbers_split_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "CHUNK", 5)
    reader = sources._Stream(io.StringIO("[12345678, 9]"))
    assert list(reader.array()) == [12345678, 9]
