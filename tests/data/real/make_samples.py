"""Rebuilds the real-data samples of this folder from the full public files in ../shared/data.

Run from the repository root: `python tests/data/real/make_samples.py [--shared ../shared/data]`. Rows are
copied byte for byte (never edited); whole files are copied as they are. Each folder's SOURCE.md says what.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Rows the tests name although they lie outside the chosen regions (checked by hand in test_linking.py).
CMS_NAMED = {"010001", "240010", "390326", "250104", "250081"}
HIFLD_NAMED = {"255902", "28418045", "4639301", "1639301", "196784576", "38492673"}
UKIAH_COUNTIES = {"MENDOCINO", "LAKE", "SONOMA"}
WHOLE_FOLDERS = ["clinicaltrials_gov_samples", "nppes_npi_registry_api_samples"]
WHOLE_FILES = [
    "oncotree/oncotree_2025_10_03.json",
    "sigir/trialgpt_criterion_annotations/criterion_annotations_dev.json",
    "synthea_fhir_r4_cancer/bundles/Darin_Skiles_31c343e9-5d7f-444e-9be4-56b1a6ec6146.json",
    "trec_2021/official/topics2021.xml",
]


def _cms_kept(row: dict[str, str]) -> bool:
    state, county = row["State"], row["County/Parish"]
    return (
        row["Facility ID"] in CMS_NAMED
        or state == "MA"
        or (state == "CA" and county in UKIAH_COUNTIES)
        or (state == "TX" and county == "HARRIS")
    )


def _hifld_kept(row: dict[str, str]) -> bool:
    state, county = row["STATE"], row["COUNTY"]
    return (
        row["ID"] in HIFLD_NAMED
        or state == "MA"
        or (state == "CA" and county in UKIAH_COUNTIES)
        or (state == "TX" and county == "HARRIS")
        or (state == "PR" and row["CITY"] == "SAN JUAN")  # a territory: its leading-zero ZIPs and country
    )


def trim_csv(source: Path, target: Path, keep: Callable[[dict[str, str]], bool]) -> int:
    """Copy the header and the kept rows of a one-line-per-row CSV, byte for byte; returns the rows kept."""
    lines = source.read_bytes().splitlines(keepends=True)
    header = lines[0].decode("utf-8-sig")
    names = next(csv.reader([header]))
    kept = [lines[0]]
    for line in lines[1:]:
        values = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if len(values) != len(names):
            raise ValueError(f"{source}: a row spans several lines; this trimmer copies whole lines only")
        if keep(dict(zip(names, values, strict=True))):
            kept.append(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(kept))
    return len(kept) - 1


HOW_TRIMMED = {
    "cms_hospital_general_information": (
        "Trimmed: the header and, byte for byte, every row of Massachusetts (Boston area: Massachusetts"
        " General, Brigham and Women's, Beth Israel Deaconess), of California's Mendocino, Lake and Sonoma"
        " counties (around Ukiah), of Harris County, Texas (Houston), and the five rows"
        " `tests/directory/test_linking.py` names elsewhere (CCN 010001, 240010, 390326, 250104, 250081)."
        " 148 of 5,381 rows. Dana-Farber and M.D. Anderson are not in this CMS file (it does not list"
        " them), only in HIFLD."
    ),
    "hifld_hospitals": (
        "Trimmed: the header (with its BOM) and, byte for byte, every row (open or closed) of Massachusetts"
        " (incl. DANA - FARBER CANCER INSTITUTE), of California's Mendocino, Lake and Sonoma counties, of"
        " Harris County, Texas (incl. UNIVERSITY OF TEXAS M.D. ANDERSON CANCER CENTER), of San Juan, Puerto"
        " Rico (a territory), and the six rows the tests name elsewhere (ID 255902, 28418045, 4639301,"
        " 1639301, 196784576, 38492673). 276 of 8,013 rows: 253 open, 23 closed."
    ),
    "clinicaltrials_gov_samples": "Not trimmed: all 75 records and the manifest, whole (each under 1 MB).",
    "nppes_npi_registry_api_samples": "Not trimmed: all 11 recorded responses, whole.",
    "oncotree": "Only `oncotree_2025_10_03.json`, whole (the ICD-O-3 map is left out: no test reads it).",
    "sigir": (
        "Only `trialgpt_criterion_annotations/criterion_annotations_dev.json`, whole (786 KB: the evaluator's"
        " accuracy is measured on every record, so it is not cut)."
    ),
    "synthea_fhir_r4_cancer": "Only the bundle of Darin Skiles (non-small cell lung cancer), whole.",
    "trec_2021": "Only `official/topics2021.xml`, whole (65 KB: the 75 patient descriptions the tests read).",
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def write_source_note(shared: Path, folder: str) -> None:
    """SOURCE.md of a sample folder: how this copy was made, its files, then the source's own note."""
    files = sorted(p for p in (HERE / folder).rglob("*") if p.is_file() and p.name != "SOURCE.md")
    rows = [f"| {p.relative_to(HERE / folder)} | {p.stat().st_size} | {_digest(p)} |" for p in files]
    note = (
        f"# Repository sample of `{folder}` (real public data)\n\n"
        f"A small copy of the real public files in `../shared/data/{folder}`, so that a fresh clone tests"
        " the real-data paths. Rows and records are copied byte for byte, never edited; nobody on this team"
        " wrote them. Source, licence and format: the source's note below.\n\n"
        f"- Made: {datetime.date.today().isoformat()} by `tests/data/real/make_samples.py`.\n"
        f"- {HOW_TRIMMED[folder]}\n\n"
        "| file | bytes | sha256 (first 16) |\n|---|---:|---|\n" + "\n".join(rows) + "\n\n"
        f"---\n\n## The source's note (`../shared/data/{folder}/SOURCE.md`, verbatim)\n\n"
    )
    original = (shared / folder / "SOURCE.md").read_text(encoding="utf-8")
    (HERE / folder / "SOURCE.md").write_text(note + original, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=HERE.parents[3] / "shared" / "data")
    shared = parser.parse_args().shared
    cms = "cms_hospital_general_information/Hospital_General_Information.csv"
    hifld = "hifld_hospitals/Hospitals.csv"
    print("cms", trim_csv(shared / cms, HERE / cms, _cms_kept))
    print("hifld", trim_csv(shared / hifld, HERE / hifld, _hifld_kept))
    for folder in WHOLE_FOLDERS:
        for path in sorted((shared / folder).rglob("*")):
            if path.is_file() and path.name != "SOURCE.md":
                target = HERE / path.relative_to(shared)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    for name in WHOLE_FILES:
        (HERE / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / name, HERE / name)
    for folder in HOW_TRIMMED:
        write_source_note(shared, folder)


if __name__ == "__main__":
    main()
