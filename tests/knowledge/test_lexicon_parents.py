"""A lexicon concept may be a kind of several broader concepts (`parent` first, then `also`); every parent
must exist, and no concept may be its own ancestor through any of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from onconav.knowledge import lexicon
from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import CatalogueError, read_yaml
from onconav.knowledge.schemas import ClinicalConcept


def _broken(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    real = read_yaml

    def read_changed(file: Any) -> object:
        data = real(file)
        change(data)
        return data

    monkeypatch.setattr(lexicon, "read_yaml", read_changed)


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
