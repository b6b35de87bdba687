"""FHIR directory resources read from a Plan-Net-shaped bundle: what is kept, what is rejected and why."""

from __future__ import annotations

import json
from pathlib import Path

from onconav.directory.imports.formats.fhir_bundles import (
    FhirRecord,
    NotDirectoryData,
    read_resources,
    reference_key,
    to_record,
)
from onconav.directory.imports.formats.rejection import RowRejected

PLANNET = Path(__file__).parent / "data" / "plannet_bundle.json"


def _outcomes(path: Path) -> list[FhirRecord | RowRejected]:
    results: list[FhirRecord | RowRejected] = []
    for _position, resource in read_resources(path):
        if isinstance(resource, RowRejected):
            results.append(resource)
            continue
        try:
            results.append(to_record(resource))
        except RowRejected as error:
            results.append(error)
        except NotDirectoryData as skipped:
            results.append(RowRejected("not_directory_data", str(skipped)))  # skipped by the importer
    return results


def test_a_plannet_bundle_gives_every_directory_record_and_rejects_with_reasons() -> None:
    outcomes = _outcomes(PLANNET)
    records = {o.key: o for o in outcomes if isinstance(o, FhirRecord)}
    reasons = [o.reason for o in outcomes if isinstance(o, RowRejected)]
    assert reasons == ["unknown_specialty", "invalid_resource", "not_directory_data"]
    hospital = records["Organization/lakeside-hospital"].fields
    assert hospital.kind == "hospital" and hospital.npi == "1234567893"
    location = records["Location/lakeside-main"]
    assert location.fields.postal_code == "55455-0341" and location.fields.lat == 44.9727  # ZIP+4 kept
    assert location.references == {"organization": ["Organization/lakeside-hospital"]}
    person = records["Practitioner/dr-vega"].fields
    assert (person.given_name, person.family_name, person.credentials) == ("Lucia", "Vega", "MD")
    assert person.languages == ["es", "en"]
    role = records["PractitionerRole/dr-vega-lakeside"]
    assert role.fields.specialty == "thoracic-surgery"  # NUCC 208G00000X
    assert role.references["healthcareService"] == ["HealthcareService/lakeside-lobectomy"]
    assert records["HealthcareService/lakeside-lobectomy"].fields.service_code == "lobectomy"  # CPT 32663


def test_ndjson_reads_line_by_line_and_broken_input_is_rejected_with_a_reason(tmp_path: Path) -> None:
    bundle = json.loads(PLANNET.read_text())
    lines = [json.dumps(entry["resource"]) for entry in bundle["entry"][:3]] + ["{not json", "[1]"]
    ndjson = tmp_path / "directory.ndjson"
    ndjson.write_text("\n".join(lines) + "\n")
    outcomes = _outcomes(ndjson)
    assert [type(o).__name__ for o in outcomes] == ["FhirRecord"] * 3 + ["RowRejected"] * 2
    not_bundle = tmp_path / "patient.json"
    not_bundle.write_text('{"resourceType": "Patient"}')
    assert [o.reason for o in _outcomes(not_bundle) if isinstance(o, RowRejected)] == ["not_a_bundle"]
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    assert [o.reason for o in _outcomes(garbage) if isinstance(o, RowRejected)] == ["invalid_json"]


def test_references_reduce_to_type_and_id_keys() -> None:
    assert reference_key({"reference": "Organization/12"}) == "Organization/12"
    assert reference_key({"reference": "http://x.org/fhir/Organization/12/_history/3"}) == "Organization/12"
    assert reference_key({"reference": "urn:uuid:abc"}) == "urn:uuid:abc"
    assert reference_key({"display": "no reference"}) is None
