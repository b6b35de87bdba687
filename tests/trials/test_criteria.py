"""Splitting eligibility text into inclusion and exclusion criteria: real records, heading variants,
list styles, nesting, and properties over generated texts (hypothesis).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onconav.trials.criteria import parse_criteria
from onconav.trials.sources import iter_source

INCLUSION_HEADINGS = [
    "Inclusion Criteria:",
    "INCLUSION CRITERIA:",
    "Key Inclusion Criteria:",
    "Inclusion criteria",
    "- Inclusion Criteria:",
    "**Inclusion Criteria:**",
    "Patients must meet all of the following criteria:",
    "Inclusion Criteria for Part A:",
]
EXCLUSION_HEADINGS = [
    "Exclusion Criteria:",
    "EXCLUSION CRITERIA:",
    "Key Exclusion Criteria:",
    "Non-inclusion criteria:",
    "Exclusion criteria",
    "- Exclusion Criteria:",
    "Patients with any of the following will be excluded:",
    "Subjects must not meet any of the following criteria:",
]
HEADING_WORD = re.compile(r"(?i)\b(inclusion|exclusion|criteria|eligib)")
MARKERS = ["* ", "- ", "• ", "{n}. ", "{n}) ", "({n}) "]
WORDS = st.sampled_from(
    [
        "age",
        "adults",
        "histologically",
        "confirmed",
        "mesothelioma",
        "measurable",
        "disease",
        "ECOG",
        "performance",
        "status",
        "adequate",
        "organ",
        "function",
        "prior",
        "chemotherapy",
        "brain",
        "metastases",
        "pregnant",
        "hepatitis",
        "creatinine",
        "bilirubin",
        "platelets",
        "informed",
        "consent",
    ]
)
ITEM = st.lists(WORDS, min_size=2, max_size=12).map(" ".join)


@pytest.fixture(scope="module")
def records(samples: Path) -> dict[str, str]:
    return {
        item.record.nct_id: item.record.criteria_text or ""
        for item in iter_source(samples)
        if item.record is not None
    }


def test_every_real_record_splits_without_losing_words(records: dict[str, str]) -> None:
    assert len(records) == 73
    for nct_id, text in records.items():
        criteria = parse_criteria(text)
        if not text.strip():
            assert criteria == [], nct_id
            continue
        assert criteria, nct_id
        joined = " ".join(c.text for c in criteria)
        # Every long word is in some criterion, except in lines that may be headings.
        for line in text.splitlines():
            bare = line.strip(" -*#:")
            if not bare or line.rstrip().endswith(":") or bare.isupper() or HEADING_WORD.search(bare):
                continue
            for word in {w.strip(".,;:()*") for w in line.split() if len(w) > 7}:
                assert word.replace("\\", "") in joined, (nct_id, word)  # markdown escapes are dropped


@pytest.mark.parametrize(
    ("nct_id", "inclusion", "exclusion"),
    [
        ("NCT02679963", 28, 20),  # numbered, nested bullets, "Non-inclusion criteria:"
        ("NCT00763412", 5, 6),  # API v2 markdown bullets
        ("NCT02210780", 5, 8),  # "Key Inclusion Criteria"
        ("NCT00001177", 13, 2),  # "-  INCLUSION CRITERIA:" and "EXCLUSION CRITERIA:"
        ("NCT03424005", 19, 20),  # "Inclusion Criteria Stage 1", "Exclusion Criteria for Stage 1"
        ("NCT00002475", 51, 0),  # the old PDQ layout: DISEASE CHARACTERISTICS, no exclusion heading
    ],
)
def test_real_records_split_into_their_numbers_of_inclusion_and_exclusion_criteria(
    records: dict[str, str], nct_id: str, inclusion: int, exclusion: int
) -> None:
    criteria = parse_criteria(records[nct_id])
    assert sum(c.kind == "inclusion" for c in criteria) == inclusion
    assert sum(c.kind == "exclusion" for c in criteria) == exclusion


def test_nested_items_keep_their_level_and_wrapped_lines_are_joined(records: dict[str, str]) -> None:
    criteria = parse_criteria(records["NCT02679963"])
    organ = next(i for i, c in enumerate(criteria) if c.text.startswith("Patients must have normal organ"))
    assert criteria[organ].level == 0
    assert criteria[organ + 1].text == "Haemoglobin ≥ 10.0 g/dL"
    assert criteria[organ + 1].level == 1
    brain = next(c for c in criteria if c.text.startswith("Uncontrolled or symptomatic brain"))
    assert brain.kind == "exclusion"
    assert "Corticosteroids therapy will be allowed" in brain.text  # wrapped lines joined


def test_markdown_escapes_are_removed() -> None:
    [criterion] = parse_criteria("Inclusion Criteria:\n\n* Creatinine clearance \\>60 mL/min")
    assert criterion.text == "Creatinine clearance >60 mL/min"


def test_no_heading_means_inclusion() -> None:
    criteria = parse_criteria("Adults with mesothelioma\n\nNo prior chemotherapy")
    assert [(c.kind, c.text) for c in criteria] == [
        ("inclusion", "Adults with mesothelioma"),
        ("inclusion", "No prior chemotherapy"),
    ]
    assert parse_criteria("") == [] and parse_criteria(None) == []


@settings(max_examples=150, deadline=None)
@given(
    inclusion=st.lists(ITEM, min_size=1, max_size=6),
    exclusion=st.lists(ITEM, max_size=6),
    include_heading=st.sampled_from(INCLUSION_HEADINGS),
    exclude_heading=st.sampled_from(EXCLUSION_HEADINGS),
    marker=st.sampled_from(MARKERS),
    indent=st.integers(0, 4),
    blank_lines=st.booleans(),
)
def test_generated_criteria_texts_split_back_into_their_items(
    inclusion: list[str],
    exclusion: list[str],
    include_heading: str,
    exclude_heading: str,
    marker: str,
    indent: int,
    blank_lines: bool,
) -> None:
    gap = "\n\n" if blank_lines else "\n"

    def block(heading: str, items: list[str]) -> str:
        lines = [" " * indent + marker.format(n=n) + item for n, item in enumerate(items, 1)]
        return heading + "\n\n" + gap.join(lines)

    text = block(include_heading, inclusion)
    if exclusion:
        text += "\n\n" + block(exclude_heading, exclusion)
    criteria = parse_criteria(text)
    assert [(c.kind, c.text) for c in criteria] == [("inclusion", t) for t in inclusion] + [
        ("exclusion", t) for t in exclusion
    ]
    assert all(c.level == 0 for c in criteria)


@settings(max_examples=100, deadline=None)
@given(
    parents=st.lists(st.tuples(ITEM, st.lists(ITEM, max_size=3)), min_size=1, max_size=4),
    child_indent=st.integers(2, 6),
)
def test_generated_nested_lists_keep_their_parents_and_children(
    parents: list[tuple[str, list[str]]], child_indent: int
) -> None:
    lines = ["Exclusion Criteria:", ""]
    for parent, children in parents:
        lines.append(f"* {parent}")
        lines.extend(" " * child_indent + f"* {child}" for child in children)
    criteria = parse_criteria("\n".join(lines))
    expected = []
    for parent, children in parents:
        expected.append(("exclusion", parent, 0))
        expected.extend(("exclusion", child, 1) for child in children)
    assert [(c.kind, c.text, c.level) for c in criteria] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_and_keeps_kinds_valid(text: str) -> None:
    for criterion in parse_criteria(text):
        assert criterion.kind in ("inclusion", "exclusion")
        assert criterion.text == criterion.text.strip() and criterion.text
        assert criterion.level >= 0
