"""Duplicate hospitals across CMS and HIFLD link by the documented rule, checked on the real files."""

from __future__ import annotations

import contextlib
import csv
from collections import Counter
from pathlib import Path

import pytest

from onconav.directory.imports.formats import cms_hospitals, hifld_hospitals
from onconav.directory.imports.formats.hospital_records import HospitalRecord
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.linking import Link, LinkCandidate, link, normalise_name
from tests.support.data import is_full, real_datasets


def _records(module: object, path: Path) -> list[HospitalRecord]:
    records = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            with contextlib.suppress(RowRejected):
                records.append(module.parse_row(row))  # type: ignore[attr-defined]
    return records


def _candidate(record: HospitalRecord) -> LinkCandidate:
    return LinkCandidate(
        record.source_id,
        record.name,
        record.state,
        record.city,
        record.postal_code,
        record.phone,
        record.lat,
        record.lon,
    )


@pytest.mark.parametrize("root", real_datasets())
def test_cms_and_hifld_link_on_the_real_files(root: Path) -> None:
    cms = _records(cms_hospitals, root / "cms_hospital_general_information/Hospital_General_Information.csv")
    hifld = _records(hifld_hospitals, root / "hifld_hospitals/Hospitals.csv")
    links = link([_candidate(r) for r in cms], [_candidate(r) for r in hifld])
    by_cms = {item.canonical: item for item in links}
    # The figure docs/data-sources.md reports: 4,870 of 5,381 CMS hospitals link to an open HIFLD hospital;
    # in the repository's sample, 134 of 148.
    rules = {"phone": 3488, "zip": 1318, "city": 64} if is_full(root) else {"phone": 78, "zip": 53, "city": 3}
    assert len(links) == sum(rules.values())
    assert Counter(item.rule for item in links) == rules
    assert len({item.duplicate for item in links}) == len(links)  # one-to-one
    # Checked by hand: same hospital in both files.
    assert by_cms["220071"] == Link("220071", "7702114", "phone", 100.0)  # Massachusetts General, 02114
    assert by_cms["240010"].duplicate == "255902"  # Mayo Clinic Hospital Rochester (phones differ)
    assert by_cms["390326"].duplicate == "28418045"  # ST LUKE'S / ST. LUKE'S HOSPITAL - ANDERSON CAMPUS
    # Two campuses of one system in one ZIP stay apart: each links to its own campus.
    assert by_cms["250104"].duplicate == "4639301"  # ANDERSON REGIONAL MEDICAL CENTER
    assert by_cms["250081"].duplicate == "1639301"  # ... SOUTH CAMPUS / ... SOUTH
    # A different hospital with a similar name in a nearby town does not link.
    assert "196784576" not in {item.duplicate for item in links}  # ANDERSON REHABILITATION INSTITUTE


def test_hospitals_link_one_to_one_on_phone_zip_or_proximity_within_a_state() -> None:
    a = LinkCandidate("a", "St. Mary's Med Ctr", "MN", "DULUTH", "55805", "(218) 786-4000")
    same_phone = LinkCandidate(
        "b", "Essentia Health St Mary's Medical Center", "MN", "DULUTH", "55806", "218-786-4000"
    )
    other_state = LinkCandidate("c", "St Marys Medical Center", "WI", "DULUTH", "55805", "(218) 786-4000")
    same_zip = LinkCandidate("d", "SAINT MARYS MEDICAL CENTER", "MN", "DULUTH", "55805")
    different = LinkCandidate("e", "Duluth Clinic", "MN", "DULUTH", "55805")
    assert normalise_name("St. Mary's Med Ctr") == "SAINT MARYS MEDICAL CENTER"
    assert link([a], [same_phone]) == [Link("a", "b", "phone", 100.0)]
    assert link([a], [other_state]) == []
    assert link([a], [same_zip])[0].rule == "zip"
    assert link([a], [different]) == []
    near = LinkCandidate("f", "St Mary Medical", "MN", None, None, None, 46.8, -92.1)
    here = LinkCandidate("g", "Saint Mary's Medical Center", "MN", "X", "1", None, 46.8001, -92.1001)
    assert link([near], [here])[0].rule == "near"
    # One-to-one: the strongest evidence wins, the weaker pair is not linked.
    assert [item.duplicate for item in link([a], [same_zip, same_phone])] == ["b"]
