"""One text read for `explain`: its words (folded, singular, typos corrected), sentences and cues of
context, and the Mention record every finder fills.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from onconav.knowledge.explanation import BiomarkerStatus, MentionContext
from onconav.knowledge.schemas import StageGroup
from onconav.knowledge.understanding.phrases import TOKEN, fold_token
from onconav.knowledge.understanding.tables import FUZZY_MIN_LETTERS, Tables

MentionKind = Literal["condition", "stage", "metastatic-site", "biomarker"]

# A typo is corrected by at most one edit, two from this many letters on.
TWO_EDITS_FROM_LETTERS = 8
# Words this short are never taken for plurals ("gas", "its").
PLURAL_MIN_LETTERS = 4
CORRECTIONS_MEMO = 50_000
_ABBREVIATIONS = frozenset({"Dr", "dr", "Mr", "Mrs", "Ms", "vs", "e", "g", "i", "St", "approx", "Fig", "fig"})
_FAMILY_SECTION = re.compile(r"(?im)^[ \t\-*]*(?:family history|family hx|fhx|fh)[ \t]*:[ \t]*$")
_SECTION_END = re.compile(r"\n[ \t]*\n|\n[ \t]*[A-Za-z][A-Za-z /]{2,40}:")


@dataclass
class Mention:
    """Something found in the text, with its word span [s, e) and character span."""

    kind: MentionKind
    label: str
    s: int
    e: int
    start: int
    end: int
    exact: bool = True
    score: float = 100.0
    source: str = "term"
    context: MentionContext = "affirmed"
    cue: str | None = None
    cue_span: tuple[int, int] | None = None
    group: StageGroup | None = None
    substage: str | None = None
    stage_source: str = ""
    needs_sclc: bool = False
    regional: bool = False  # metastatic words naming lymph nodes only
    sites: tuple[str, ...] = ()  # the sites metastatic words name
    doubtful: bool = False  # a biomarker name that counts only if a status is written for it
    status: BiomarkerStatus = "unknown"
    value: str | None = None
    status_from: str = "none"


@dataclass(frozen=True)
class Cue:
    """Words [s, e) that say something of the mentions near them, and every role they play."""

    s: int
    e: int
    kinds: frozenset[str]


class Reader:
    """One text: its words, sentences and cues, and the finders that work on them."""

    def __init__(self, text: str, tables: Tables) -> None:
        self.text = text
        self.t = tables
        self.raw: list[str] = []
        self.words: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.sentence: list[int] = []
        self._tokenize()
        self.corrected = self._correct()
        self.masked = [False] * len(self.words)
        self.cues: list[Cue] = []
        self.cues_by_sentence: dict[int, list[Cue]] = {}
        self.family_sections = self._family_sections()
        self.mentions_by_sentence: dict[int, list[tuple[int, int, str]]] = {}
        # Filled on first use, once the condition mentions are final.
        self.conditions_by_sentence: dict[int, list[Mention]] | None = None
        self.cancer_sentences: set[int] | None = None

    # -- words
    def _tokenize(self) -> None:
        t = self.t
        sentence = 0
        previous_end = 0
        previous_raw = ""
        for match in TOKEN.finditer(self.text):
            raw = match.group()
            if self.words:
                gap = self.text[previous_end : match.start()]
                if _breaks_sentence(gap, previous_raw, raw):
                    sentence += 1
            folded = fold_token(raw)
            if not folded:
                continue
            for word in t.spellings.get(folded, folded).split():
                self.raw.append(raw)
                self.words.append(self._singular(word))
                self.starts.append(match.start())
                self.ends.append(match.end())
                self.sentence.append(sentence)
            previous_end, previous_raw = match.end(), raw

    def _singular(self, word: str) -> str:
        vocabulary = self.t.vocabulary
        if word in vocabulary or len(word) < PLURAL_MIN_LETTERS:
            return word
        if word.endswith("ies") and word[:-3] + "y" in vocabulary:
            return word[:-3] + "y"
        if word.endswith("s") and word[:-1] in vocabulary:
            return word[:-1]
        return word

    def _correct(self) -> list[str]:
        """The words with typos corrected (same list when nothing is corrected)."""
        t = self.t
        corrected = list(self.words)
        for i, word in enumerate(self.words):
            if len(word) < FUZZY_MIN_LETTERS or word in t.known or word in t.not_typos or not word.isalpha():
                continue
            if word not in t.corrections:
                if len(t.corrections) > CORRECTIONS_MEMO:
                    t.corrections.clear()  # a long-running server sees endless new words
                targets = t.fuzzy_targets.get(word[0], [])
                limit = 1 if len(word) < TWO_EDITS_FROM_LETTERS else 2
                hit = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=limit)
                t.corrections[word] = hit[0] if hit is not None else None
            replacement = t.corrections[word]
            if replacement is not None:
                corrected[i] = replacement
        return corrected

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The word span covering a character span."""
        s = bisect.bisect_right(self.ends, start)
        e = bisect.bisect_left(self.starts, end)
        if e <= s:
            e = min(s + 1, len(self.words))
        return s, e

    def chars(self, s: int, e: int) -> tuple[int, int]:
        """The character span of words [s, e)."""
        return self.starts[s], self.ends[e - 1]

    def sentence_of(self, s: int) -> int:
        """The sentence of word s (the last sentence past the end)."""
        return self.sentence[min(s, len(self.sentence) - 1)] if self.sentence else 0

    def gap(self, i: int) -> str:
        """The characters between word i-1 and word i."""
        return self.text[self.ends[i - 1] : self.starts[i]] if 0 < i < len(self.words) else ""

    # -- cues and context
    def find_cues(self) -> None:
        """Finds the cues of context, once the biomarkers' own words are masked."""
        for s, e, kinds in self.t.cues.find_overlapping(self.words):
            if any(self.masked[s:e]):
                continue  # "negative" inside "HER2-negative" is the biomarker's status, not a negation
            cue = Cue(s, e, kinds)
            self.cues.append(cue)
            self.cues_by_sentence.setdefault(self.sentence[s], []).append(cue)
        n = len(self.words)
        terminator = [False] * n
        patient = [False] * n
        for cue in self.cues:
            for i in range(cue.s, cue.e):
                terminator[i] = terminator[i] or "terminator" in cue.kinds
                patient[i] = patient[i] or "patient" in cue.kinds
        # Running counts, so that "is there a terminator between a and b" is one subtraction.
        self.terminator_counts = [0, *accumulate(int(x) for x in terminator)]
        self.patient_counts = [0, *accumulate(int(x) for x in patient)]
        self.mask_counts = [0, *accumulate(int(x) for x in self.masked)]

    def any_between(self, counts: list[int], a: int, b: int) -> bool:
        """Whether running `counts` (terminator_counts, patient_counts, mask_counts) rise in words [a, b)."""
        return b > a and counts[b] - counts[a] > 0

    def cue_text(self, cue: Cue) -> str:
        """The words of a cue as written."""
        start, end = self.chars(cue.s, cue.e)
        return self.text[start:end]

    def note_mentions(self, mentions: Iterable[Mention]) -> None:
        """Records where mentions stand, by sentence, for the reach of negations."""
        for m in mentions:
            kind = "metastatic" if m.stage_source == "metastatic" else m.kind
            self.mentions_by_sentence.setdefault(self.sentence_of(m.s), []).append((m.s, m.e, kind))

    def cue_before(self, i: int, cues: list[Cue]) -> Cue | None:
        """The last of `cues` ending by word i."""
        return next((c for c in reversed(cues) if c.e <= i), None)

    def _family_sections(self) -> list[tuple[int, int]]:
        sections = []
        for match in _FAMILY_SECTION.finditer(self.text):
            end = _SECTION_END.search(self.text, match.end() + 1)
            sections.append((match.end(), end.start() if end else len(self.text)))
        return sections


def _breaks_sentence(gap: str, previous: str, current: str) -> bool:
    if any(ch in gap for ch in "!?;\n"):
        return True
    if "." not in gap:
        return False
    if gap.strip() == "." and previous[-1:].isdigit() and current[:1].isdigit():
        return False  # a decimal: "1.8 cm"
    return previous not in _ABBREVIATIONS
