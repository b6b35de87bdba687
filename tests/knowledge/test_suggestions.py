"""'Did you mean' needs real resemblance: typos of catalogue words get their entries, random letters and
markup get none (so nonsense never gets a list of cancers), and a long query is refused with its limit."""

from __future__ import annotations

import random
import string

import pytest

from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge

# Real misspellings that are not in the catalogue's own misspelling lists.
TYPOS = {
    "mesotheleoma": "Mesothelioma",
    "lobectmy": "Lobectomy",
    "pancreatc": "Pancreatic cancer",
    "thorasic": "Thoracic surgery",
    "metastasectmy": "Metastasectomy",
}


@pytest.mark.parametrize(("typo", "meant"), sorted(TYPOS.items()))
def test_a_real_misspelling_is_suggested_its_term(typo: str, meant: str) -> None:
    assert meant in knowledge.suggest_terms(typo)


def _random_phrases(count: int, seed: int) -> list[str]:
    """Phrases of one to three words of random letters (Hypothesis would also try the source's own string
    constants, such as truncated catalogue words, which are not random and may rightly be suggested for)."""
    chooser = random.Random(seed)
    return [
        " ".join(
            "".join(chooser.choice(string.ascii_letters) for _ in range(chooser.randint(1, 14)))
            for _ in range(chooser.randint(1, 3))
        )
        for _ in range(count)
    ]


def test_random_letters_never_bring_cancer_suggestions() -> None:
    conditions = {c.name for c in knowledge.list_conditions()}
    suggested = {text: conditions & set(knowledge.suggest_terms(text)) for text in _random_phrases(2000, 16)}
    assert {text: found for text, found in suggested.items() if found} == {}


@pytest.mark.parametrize("text", ["asdfgh", "<script>alert(1)</script>", "zzz", "hello world", "canser"])
def test_nothing_resembling_a_term_gets_examples_instead_of_suggestions(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        knowledge.interpret_query(text)
    assert raised.value.details["suggestions"] == []
    assert "try a cancer type, a procedure or a specialty" in raised.value.message


def test_a_query_longer_than_the_search_box_takes_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidInput) as raised:
        knowledge.interpret_query("mesothelioma " * 400)
    assert raised.value.details["limit"] == knowledge.MAX_QUERY_CHARACTERS


def test_an_unrecognised_query_is_echoed_short() -> None:
    with pytest.raises(InvalidInput) as raised:
        knowledge.interpret_query("pancreatc " + "q" * 150)
    assert len(raised.value.details["query"]) <= 80
