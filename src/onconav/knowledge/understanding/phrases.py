"""Words and phrases: how a token is folded, the normalised words of a vocabulary phrase, phrase tables
indexed by first word, and regexes that tolerate spaces and hyphens inside a phrase ("PD-L1", "pd l1").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Generic, TypeVar

from onconav.text import fold

P = TypeVar("P")
Words = tuple[str, ...]

# Apostrophes stay inside a token so "Hodgkin's" is one word, as `fold` makes it.
TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_SEPARATOR = r"[\s\-/.:]{0,2}"


@lru_cache(maxsize=65536)
def fold_token(raw: str) -> str:
    """A token as the tables hold it: folded, without a possessive "'s", spaces removed."""
    return fold(_POSSESSIVE.sub("", raw)).replace(" ", "")


def phrase_words(text: str, spellings: dict[str, str]) -> Words:
    """The normalised words of a vocabulary phrase."""
    words: list[str] = []
    for raw in TOKEN.findall(text):
        word = fold_token(raw)
        if word:
            words.extend(spellings.get(word, word).split())
    return tuple(words)


class Phrases(Generic[P]):
    """Phrases indexed by first word; lookups find the longest phrase at a position."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[Words, P]]] = {}
        self._seen: set[Words] = set()

    def add(self, words: Words, payload: P) -> None:
        """Adds a phrase with its payload, unless the phrase is already in the table."""
        # The first payload given for a phrase wins: callers add the most trusted source first.
        if not words or words in self._seen:
            return
        self._seen.add(words)
        entries = self._by_first.setdefault(words[0], [])
        entries.append((words, payload))
        entries.sort(key=lambda entry: -len(entry[0]))

    def vocabulary(self) -> set[str]:
        """Every word of every phrase."""
        return {word for phrase in self._seen for word in phrase}

    def match_at(self, words: Sequence[str], i: int) -> tuple[int, P] | None:
        """The end and payload of the longest phrase starting at word i, if any."""
        for phrase, payload in self._by_first.get(words[i], ()):
            n = len(phrase)
            if n == 1 or tuple(words[i : i + n]) == phrase:
                return i + n, payload
        return None

    def ending_at(self, words: Sequence[str], end: int, longest: int = 4) -> tuple[int, P] | None:
        """The start and payload of the longest phrase (up to `longest` words) ending at `end`, if any."""
        for n in range(min(longest, end), 0, -1):
            hit = self.match_at(words, end - n)
            if hit is not None and hit[0] == end:
                return end - n, hit[1]
        return None

    def find_overlapping(self, words: Sequence[str]) -> list[tuple[int, int, P]]:
        """The longest match at every position, less those inside a longer match ("ruled out" inside
        "cannot be ruled out"); partial overlaps stay ("was negative" and "negative for").
        """
        kept: list[tuple[int, int, P]] = []
        reach = 0  # hits come by start, so a hit lies inside an earlier one when it ends within its reach
        for i in range(len(words)):
            hit = self.match_at(words, i)
            if hit is not None and hit[0] > reach:
                kept.append((i, hit[0], hit[1]))
            reach = max(reach, hit[0]) if hit is not None else reach
        return kept

    def find(self, words: Sequence[str]) -> list[tuple[int, int, P]]:
        """Non-overlapping matches, longest first from the left."""
        found: list[tuple[int, int, P]] = []
        i = 0
        while i < len(words):
            hit = self.match_at(words, i)
            if hit is None:
                i += 1
            else:
                found.append((i, hit[0], hit[1]))
                i = hit[0]
        return found


def phrase_set(texts: Iterable[str], spellings: dict[str, str]) -> Phrases[bool]:
    """A table of phrases that carry no payload but their presence."""
    table: Phrases[bool] = Phrases()
    for text in texts:
        table.add(phrase_words(text, spellings), True)
    return table


def flexible(phrase: str) -> str:
    """A regex for a phrase that tolerates spaces, hyphens and slashes between its letter/digit runs."""
    return _SEPARATOR.join(re.escape(chunk) for chunk in re.findall(r"[A-Za-z]+|\d+", phrase))


def alternation(phrases: Iterable[str]) -> str:
    """One regex alternation of flexible phrases, longest first."""
    parts = sorted({p for p in phrases if re.search(r"[A-Za-z0-9]", p)}, key=len, reverse=True)
    return "|".join(flexible(p) for p in parts)
