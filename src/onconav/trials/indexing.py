"""The words a trial is found by: tokens of its conditions, MeSH terms, keywords and titles, each field
weighted, turned into BM25 term weights for the `trial_term` inverted index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from onconav.text import fold

K1 = 1.2
B = 0.75
# BM25 normalises by the average document length; a fixed nominal length keeps each trial's weights
# independent of the others, so importing one trial never rewrites the postings of the rest.
NOMINAL_LENGTH = 24.0
FIELD_WEIGHTS = {"conditions": 3.0, "mesh_terms": 2.0, "keywords": 1.5, "brief_title": 1.0, "official": 0.5}
MAX_TERM_LENGTH = 60
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "with",
        "without",
        "who",
        "which",
        "vs",
        "versus",
        "study",
        "trial",
        "patients",
        "patient",
        "subjects",
        "participants",
        "people",
        "phase",
        "randomized",
        "randomised",
        "open",
        "label",
        "multicenter",
        "single",
        "arm",
        "pilot",
        "effect",
        "effects",
        "evaluation",
        "evaluate",
        "treatment",
        "treating",
        "therapy",
        "disease",
        "diseases",
        "after",
        "before",
        "during",
        "among",
        "using",
        "use",
        "based",
        "not",
        "no",
        "new",
        "adult",
        "adults",
    ]
)
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def tokens(text: str) -> list[str]:
    """Folded word tokens of `text`, without stopwords, bare numbers and one-letter words.

    Hyphenated words give the whole and their parts ("non-small" gives "non-small", "non", "small").
    """
    found: list[str] = []
    for match in _TOKEN.finditer(fold(text)):
        word = match.group()
        parts = [word, *word.split("-")] if "-" in word else [word]
        found.extend(
            p
            for p in parts
            if len(p) > 1 and not p.isdigit() and p not in STOPWORDS and len(p) <= MAX_TERM_LENGTH
        )
    return found


def weighted_terms(fields: Mapping[str, Iterable[str]]) -> dict[str, float]:
    """Each term's weighted count over the trial's fields (a term counts once per field)."""
    counts: dict[str, float] = {}
    for name, texts in fields.items():
        seen: set[str] = set()
        for text in texts:
            seen.update(tokens(text))
        for term in seen:
            counts[term] = counts.get(term, 0.0) + FIELD_WEIGHTS[name]
    return counts


def bm25_weights(counts: dict[str, float]) -> dict[str, float]:
    """The BM25 term-frequency part of each term's score in this trial (IDF is applied at query time)."""
    length = sum(counts.values()) or 1.0
    norm = K1 * (1 - B + B * length / NOMINAL_LENGTH)
    return {term: round(tf * (K1 + 1) / (tf + norm), 4) for term, tf in counts.items()}


def trial_fields(
    *,
    conditions: list[str],
    mesh_terms: list[str],
    keywords: list[str],
    brief_title: str,
    official_title: str | None,
) -> dict[str, list[str]]:
    """The indexed fields of a trial."""
    return {
        "conditions": conditions,
        "mesh_terms": mesh_terms,
        "keywords": keywords,
        "brief_title": [brief_title],
        "official": [official_title or ""],
    }
