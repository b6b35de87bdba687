"""The clinical lexicon (data/clinical-lexicon.yaml): validated on load, every medicine a concept under its
class, and a broken file stopped with the file named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from onconav.knowledge import lexicon
from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import CatalogueError, read_yaml


def test_every_medicine_is_a_concept_under_its_class_after_the_other_concepts() -> None:
    concepts = knowledge.clinical_lexicon().concepts
    codes = list(concepts)
    assert concepts["metoprolol"].parent == "beta-blocker"
    assert concepts["beta-blocker"].parent == "antihypertensive"
    assert concepts["isosorbide-dinitrate"].phrases == ("isosorbide dinitrate",)
    # A class named by no phrase of its own is named by its code.
    assert concepts["anti-parkinson"].phrases == ("anti parkinson",)
    assert codes.index("trauma") < codes.index("antihypertensive") < codes.index("propranolol")
    assert {"metoprolol", "beta-blocker", "levodopa"} <= knowledge.clinical_lexicon().medicines
    assert "diabetes" not in knowledge.clinical_lexicon().medicines


def test_every_parent_and_implication_names_a_concept() -> None:
    found = knowledge.clinical_lexicon()
    for concept in found.concepts.values():
        assert concept.parent is None or concept.parent in found.concepts
    for medicine, condition in found.implied_by_medication.items():
        assert medicine in found.medicines and condition in found.concepts
    assert {"severe", "uncontrolled"} <= found.severity_words


def _broken(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """Loads the lexicon file with `change` applied to its content."""
    real = read_yaml

    def read_changed(file: Any) -> object:
        data = real(file)
        change(data)
        return data

    monkeypatch.setattr(lexicon, "read_yaml", read_changed)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["concepts"]["angina"].update(parent="no-such-concept"), "unknown parent"),
        (lambda d: d["concepts"]["angina"].update(parent="unstable-angina"), "its own ancestor"),
        (lambda d: d["concepts"].update({"metoprolol": {"phrases": ["lopressor"]}}), "defined twice"),
        (lambda d: d["implied_by_medication"].update({"diabetes": "copd"}), "implied_by_medication"),
        (lambda d: d["concepts"]["angina"].update(phrases=[]), "phrases"),
        (lambda d: d["concepts"]["angina"].update(source="somewhere"), "source"),
    ],
)
def test_a_broken_lexicon_is_stopped_with_the_file_named(
    monkeypatch: pytest.MonkeyPatch, change: Any, complaint: str
) -> None:
    _broken(monkeypatch, change)
    with pytest.raises(CatalogueError, match=r"clinical-lexicon\.yaml") as error:
        lexicon.read_lexicon_file()
    assert complaint in str(error.value)


def test_a_key_written_twice_is_refused(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys silently: a concept written twice would lose its phrases."""
    file = tmp_path / "twice.yaml"
    file.write_text("concepts:\n  pregnancy: {phrases: [pregnancy]}\n  pregnancy: {phrases: [gravid]}\n")
    with pytest.raises(yaml.YAMLError, match="'pregnancy' is written twice"):
        read_yaml(file)
    file.write_text("concepts:\n  pregnancy: {phrases: [pregnancy]}\n  lactation: {phrases: [nursing]}\n")
    assert read_yaml(file) == {
        "concepts": {"pregnancy": {"phrases": ["pregnancy"]}, "lactation": {"phrases": ["nursing"]}}
    }
