"""A ClinicalTrials.gov record filed under one of its aliases is imported under its own id and reported."""

from __future__ import annotations

from pathlib import Path

from onconav.trials.sources import iter_source


def test_a_record_filed_under_its_alias_is_noted_not_dropped(samples: Path) -> None:
    items = list(iter_source(samples / "legacy_xml"))
    noted = [item for item in items if item.note]
    assert [(Path(item.source).name, item.record.nct_id if item.record else None) for item in noted] == [
        ("NCT00980226.xml", "NCT00081588")
    ]
    assert noted[0].note == (
        "NCT00980226.xml holds NCT00081588: NCT00980226 is an alias of it; imported as NCT00081588"
    )
    assert sum(1 for item in items if item.record and item.record.nct_id == "NCT00081588") == 2
