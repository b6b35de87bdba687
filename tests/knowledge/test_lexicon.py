"""The clinical lexicon (data/clinical-lexicon.yaml): validated on load, every medicine a concept under its
class, and a broken file stopped with the file named. A concept may be a kind of several broader concepts
(`parent` first, then `also`); every parent must exist, and no concept may be its own ancestor through any
of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from onconav.knowledge import lexicon
from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import CatalogueError, read_yaml
from onconav.knowledge.schemas import ClinicalConcept


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


def test_a_concept_lists_its_parents_first_one_first() -> None:
    concepts = knowledge.clinical_lexicon().concepts
    assert concepts["septic-arthritis"].parents == ("infection", "arthritis")
    assert concepts["septic-arthritis"].parent == "infection"
    assert concepts["arthritis"].parents == ()
    # a medicine keeps its one class
    assert concepts["metoprolol"].parents == ("beta-blocker",)


def test_every_further_parent_names_a_concept() -> None:
    concepts = knowledge.clinical_lexicon().concepts
    assert all(p in concepts for c in concepts.values() for p in c.parents)
    assert any(c.also for c in concepts.values())


def test_a_file_without_further_parents_stays_valid() -> None:
    concept = ClinicalConcept.model_validate({"parent": "infection", "phrases": ["septic arthritis"]})
    assert concept.also == () and concept.parents == ("infection",)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            lambda d: d["concepts"]["septic-arthritis"].update(also=["no-such-joint-disease"]),
            "unknown parent concepts ['no-such-joint-disease (of septic-arthritis)']",
        ),
        # arthritis -> septic arthritis -> arthritis, through septic arthritis's second parent
        (
            lambda d: d["concepts"]["arthritis"].update(parent="septic-arthritis"),
            "'arthritis' is its own ancestor",
        ),
        # a longer loop through a second parent: lung disease -> pneumonia -> lung disease
        (lambda d: d["concepts"]["lung-disease"].update(parent="pneumonia"), "is its own ancestor"),
        (lambda d: d["concepts"]["arthritis"].update(also=["lung-disease"]), "without a first 'parent'"),
        (lambda d: d["concepts"]["septic-arthritis"].update(also=["infection"]), "name a concept twice"),
    ],
)
def test_a_broken_further_parent_is_refused_with_the_file_named(
    monkeypatch: pytest.MonkeyPatch, change: Any, complaint: str
) -> None:
    _broken(monkeypatch, change)
    with pytest.raises(CatalogueError, match=r"clinical-lexicon\.yaml") as error:
        lexicon.read_lexicon_file()
    assert complaint in str(error.value)


def test_a_cycle_names_its_path() -> None:
    data = {
        "concepts": {
            "alpha": {"parent": "beta", "phrases": ["alpha"]},
            "beta": {"parent": "gamma", "also": ["delta"], "phrases": ["beta"]},
            "gamma": {"phrases": ["gamma"]},
            "delta": {"parent": "alpha", "phrases": ["delta"]},
        },
        "severity_words": [],
        "medication_classes": {},
        "implied_by_medication": {},
    }
    from onconav.knowledge.schemas import ClinicalLexiconFile

    with pytest.raises(ValidationError, match=r"its own ancestor \(alpha -> beta -> delta -> alpha\)"):
        ClinicalLexiconFile.model_validate(data)
