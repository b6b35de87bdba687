""" "Did you mean" for words the catalogue does not know: only entries with a word that really resembles a
typed word, so that a typo gets its term and nonsense ("asdfgh", "<script>") gets none, never random cancers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from onconav.knowledge.catalogue import catalogue
from onconav.knowledge.schemas import TermKind
from onconav.text import fold

# How close (rapidfuzz ratio, 0-100) a typed word must be to a catalogue word. Measured on the catalogue
# (docs/knowledge.md, "Suggestions"): its 199 recorded misspellings, each matched against the catalogue
# without the misspellings, score 80 to 100 against the word they misspell, 83 or more for all but one;
# 3,000 random strings of letters scored at most 80. A five-letter word with one wrong letter scores 80,
# so short words must be typed right; a six-letter one scores 83.
RESEMBLANCE = 82.0
# Shorter typed words are too short to be typos of a catalogue word ("abc", "zzz").
MIN_WORD_LENGTH = 4
# A four-letter word one letter away from a catalogue word ("lare": "large") is as likely any other word:
# words this short are suggested for only when typed right.
SHORT_WORD_LENGTH = 4
# A word in more entries than this ("cancer", "surgery", "lung") says nothing about which one was meant.
MAX_ENTRIES_PER_WORD = 8
# Ordinary words that qualify a term but name nothing by themselves ("large cell", "HPV-related",
# "second opinion"): a typo of one ("lare", "reatd") says nothing about a cancer or a treatment.
_ORDINARY_WORDS_TEXT = """
    acute adult advanced advice aggressive around assisted awake board body care case central chemical
    chronic classic classical clear cold combined comfort complete completion cone cord department
    directed double emotional emergency expert extended external extra from grade group groups head
    heated high internal interval into larg large left living local locally loop management mapping
    marginal margins medical medicine mixed modified near negative none online operation opinion opinions
    optimal oral organ pain partial peer physician plastic positive predominant preserving primary
    procedure radical related resistant review right ring risk room second sell selective sensitive
    services sessions sided simple smal small social soft sparing specialist spread spreading stem
    superficial support supportive system systemic targeted transverse treatment triple tube tubes type
    virtual visit visits voice wide with work worker zone
"""
ORDINARY_WORDS = frozenset(_ORDINARY_WORDS_TEXT.split())
# What the reader can type, when nothing they typed resembles anything: one of each kind.
EXAMPLES: tuple[tuple[TermKind, str], ...] = (
    ("condition", "lung-cancer"),
    ("service", "lobectomy"),
    ("specialty", "thoracic-surgery"),
)


@dataclass(frozen=True)
class WordIndex:
    """Distinctive catalogue words and the entries whose names, synonyms or misspellings use them."""

    entries: dict[str, frozenset[tuple[TermKind, str]]]
    common: frozenset[str]  # words in too many entries to say which one was meant


@cache
def word_index() -> WordIndex:
    """The distinctive words of the catalogue's terms (long enough, in few entries)."""
    entries: dict[str, set[tuple[TermKind, str]]] = defaultdict(set)
    for term in catalogue().terms:
        for word in term.folded.split():
            if len(word) >= MIN_WORD_LENGTH and word.isalpha():
                entries[word].add((term.kind, term.code))
    common = frozenset(word for word, named in entries.items() if len(named) > MAX_ENTRIES_PER_WORD)
    # Misspellings of a common word ("cancr", "surgury") are as common in meaning.
    distinctive = {
        word: frozenset(named)
        for word, named in entries.items()
        if word not in common and word not in ORDINARY_WORDS and not _resembles_any(word, common)
    }
    return WordIndex(distinctive, common)


def _resembles_any(word: str, words: frozenset[str]) -> bool:
    return process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=RESEMBLANCE) is not None


def resembling_entries(text: str, *, limit: int = 5) -> list[tuple[TermKind, str]]:
    """Entries with a word that resembles a word of `text`: those resembling more typed words first, then
    the closer ones; none when nothing resembles anything."""
    index = word_index()
    typed = {
        word
        for word in fold(text).split()
        if len(word) >= MIN_WORD_LENGTH and not _resembles_any(word, index.common)
    }
    # Per entry: how many typed words it resembles, and its best score.
    found: dict[tuple[TermKind, str], tuple[int, float]] = {}
    for word in typed:
        best_for_word: dict[tuple[TermKind, str], float] = {}
        cutoff = 100.0 if len(word) <= SHORT_WORD_LENGTH else RESEMBLANCE
        for known, score, _position in process.extract(
            word, index.entries.keys(), scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            for entry in index.entries[known]:
                best_for_word[entry] = max(score, best_for_word.get(entry, 0.0))
        for entry, score in best_for_word.items():
            count, best = found.get(entry, (0, 0.0))
            found[entry] = (count + 1, max(best, score))
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [entry for entry, _score in ranked[:limit]]
