"""Reading a patient's words or a clinical note (`explain`): the cancer named, its stage, where it has
spread, biomarkers, and what is negated or a relative's rather than the patient's.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate
from typing import Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from onconav.knowledge.catalogue import Catalogue, catalogue
from onconav.knowledge.explanation import (
    BiomarkerFinding,
    BiomarkerStatus,
    ConditionFinding,
    Explanation,
    MatchedSpan,
    MentionContext,
    NegatedMention,
    SiteFinding,
    StageFinding,
)
from onconav.knowledge.schemas import StageGroup
from onconav.text import fold

P = TypeVar("P")
Words = tuple[str, ...]
MentionKind = Literal["condition", "stage", "metastatic-site", "biomarker"]

# Fuzzy matching: only words of 5+ letters are corrected, by at most one edit (two from 8 letters), and
# a corrected phrase must stay this close to the term it became.
FUZZY_MIN_LETTERS = 5
FUZZY_PHRASE_CUTOFF = 80.0
NEGATION_AFTER_WINDOW = 4
SHORT_WINDOW = 3
STAGE_ATTACH_WINDOW = 6
SALIENCE_WINDOW = 8
CORRECTIONS_MEMO = 50_000
SHORT_TEXT_WORDS = 12  # a search phrase rather than a note
ORGAN_FILLER_LIMIT = 8  # "carcinoma of the left upper outer quadrant of the breast"
_STAGE_RANK: dict[str, float] = {"0": 0, "I": 1, "II": 2, "limited": 2.5, "III": 3, "IV": 4, "extensive": 4.5}
# How much a mention counts towards being the patient's condition, by context and by how it was found.
_CONTEXT_WEIGHT: dict[str, float] = {"affirmed": 1.0, "caregiver": 0.9, "uncertain": 0.4}
_SOURCE_WEIGHT: dict[str, float] = {"term": 1.0, "pattern": 0.9, "inferred": 0.6}
_GROUPS: dict[str, StageGroup] = {
    "0": "0",
    "I": "I",
    "II": "II",
    "III": "III",
    "IV": "IV",
    "limited": "limited",
    "extensive": "extensive",
}
_REASONS: dict[str, Literal["negated", "family-history", "hypothetical", "uncertain"]] = {
    "negated": "negated",
    "family-history": "family-history",
    "hypothetical": "hypothetical",
    "uncertain": "uncertain",
}
_EXCLUDED: frozenset[str] = frozenset({"negated", "family-history", "hypothetical"})


# ------------------------------------------------------------------------------------- phrasings file
class _Spec(BaseModel):
    """Curated vocabulary: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganSpec(_Spec):
    code: str | None = None
    words: list[str]


class HeadSpec(_Spec):
    words: list[str]
    generic: bool = False
    organs: dict[str, str | None] = {}


class RefinementSpec(_Spec):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    sources: list[str] = Field(alias="from")
    words: list[str]
    to: str


class StageSpec(_Spec):
    non_cancer_contexts: list[str]
    metastatic_words: list[str]
    site_only_words: list[str]
    spread_phrases: list[str]
    metastatic_abbreviations: list[str]
    qualifiers: dict[str, list[str]]


class BiomarkerSpec(_Spec):
    name: str
    aliases: list[str]
    implied: Literal["positive", "negative"] | None = None
    strict: bool = False
    needs_status: bool = False


class StatusSpec(_Spec):
    positive: list[str]
    positive_nouns: list[str]
    negative: list[str]
    unknown: list[str]
    therapy: list[str]
    negative_prefixes: list[str]
    positive_prefixes: list[str]


class NegationSpec(_Spec):
    before: list[str]
    after: list[str]
    pseudo: list[str]
    short_window: list[str]
    window: int
    terminators: list[str]


class CueSpec(_Spec):
    before: list[str]


class FamilySpec(_Spec):
    history_cues: list[str]
    relatives: list[str]
    not_history: list[str]
    third_person: list[str]
    past_verbs: list[str]
    patient_words: list[str]
    scope_breakers: list[str]


class SalienceSpec(_Spec):
    diagnostic: list[str]
    remote: list[str]


class Phrasings(_Spec):
    """data/phrasings.yaml: what people write that the condition files do not hold."""

    conditions: dict[str, list[str]]
    not_conditions: list[str]
    capital_terms: list[str]
    parents: dict[str, str]
    organs: dict[str, OrganSpec]
    heads: list[HeadSpec]
    organ_connectors: list[str]
    organ_fillers: list[str]
    mass_words: list[str]
    histology_words: list[str]
    refinements: list[RefinementSpec]
    spellings: dict[str, str]
    not_typos: list[str]
    stage: StageSpec
    sites: dict[str, list[str]]
    site_connectors: list[str]
    site_fillers: list[str]
    site_involvement_words: list[str]
    biomarkers: list[BiomarkerSpec]
    biomarker_status: StatusSpec
    negation: NegationSpec
    hypothetical: CueSpec
    uncertain: CueSpec
    family: FamilySpec
    salience: SalienceSpec


@cache
def load_phrasings() -> Phrasings:
    """The validated phrasings file (read once per process)."""
    file = resources.files("onconav.knowledge").joinpath("data", "phrasings.yaml")
    return Phrasings.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------------- words and phrases
# Apostrophes stay inside a token so "Hodgkin's" is one word, as `fold` makes it.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _fold_token(raw: str) -> str:
    return fold(_POSSESSIVE.sub("", raw)).replace(" ", "")


def _phrase(text: str, spellings: dict[str, str]) -> Words:
    """The normalised words of a vocabulary phrase."""
    words: list[str] = []
    for raw in _TOKEN.findall(text):
        word = _fold_token(raw)
        if word:
            words.extend(spellings.get(word, word).split())
    return tuple(words)


class _Phrases(Generic[P]):
    """Phrases indexed by first word; lookups find the longest phrase at a position."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[Words, P]]] = {}
        self._seen: set[Words] = set()

    def add(self, words: Words, payload: P) -> None:
        # The first payload given for a phrase wins: callers add the most trusted source first.
        if not words or words in self._seen:
            return
        self._seen.add(words)
        entries = self._by_first.setdefault(words[0], [])
        entries.append((words, payload))
        entries.sort(key=lambda entry: -len(entry[0]))

    def vocabulary(self) -> set[str]:
        return {word for phrase in self._seen for word in phrase}

    def match_at(self, words: Sequence[str], i: int) -> tuple[int, P] | None:
        for phrase, payload in self._by_first.get(words[i], ()):
            n = len(phrase)
            if n == 1 or tuple(words[i : i + n]) == phrase:
                return i + n, payload
        return None

    def ending_at(self, words: Sequence[str], end: int, longest: int = 4) -> tuple[int, P] | None:
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


@dataclass(frozen=True)
class _Term:
    """A condition phrase: the code it names, where it comes from, and how it may match."""

    code: str | None  # None: a phrase that names no condition we cover ("lobular carcinoma in situ")
    source: str  # "catalogue", "phrasing", "organ"
    capital_only: bool = False
    organ: str | None = None
    head: int | None = None


@dataclass(frozen=True)
class _BiomarkerAlias:
    spec: BiomarkerSpec
    alias: str


@dataclass
class _Tables:
    """Everything `explain` looks words up in, built once per catalogue."""

    phrasings: Phrasings
    codes: frozenset[str]
    terms: _Phrases[_Term]
    organs: _Phrases[str]
    heads: _Phrases[int]
    connectors: _Phrases[bool]
    organ_fillers: frozenset[str]
    mass_words: _Phrases[bool]
    histology: _Phrases[int]
    cues: _Phrases[frozenset[str]]
    spread: _Phrases[str]
    sites: _Phrases[str]
    site_connectors: frozenset[str]
    site_fillers: frozenset[str]
    involvement: frozenset[str]
    qualifiers: _Phrases[str]
    stage_contexts: _Phrases[bool]
    refinements: list[tuple[frozenset[str], _Phrases[bool], str]]
    parents: dict[str, str | None]
    spellings: dict[str, str]
    vocabulary: frozenset[str]
    not_typos: frozenset[str]
    fuzzy_targets: dict[str, list[str]]
    biomarker_regex: re.Pattern[str]
    biomarker_aliases: dict[str, _BiomarkerAlias]
    known: frozenset[str] = frozenset()  # words not to correct: the vocabulary less misspellings
    not_history: frozenset[str] = frozenset()
    family_breaks: frozenset[str] = frozenset()
    corrections: dict[str, str | None] = field(default_factory=dict)

    def parent(self, code: str) -> str | None:
        return self.parents.get(code)

    def ancestors(self, code: str) -> list[str]:
        """The code and its ancestors, nearest first."""
        chain = [code]
        current = self.parent(code)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent(current)
        return chain

    def resolve(self, head: int, organ: str) -> str | None:
        """The condition a head noun names in an organ ("adenocarcinoma" + lung), if any we cover."""
        spec = self.phrasings.heads[head]
        if organ in spec.organs:
            code = spec.organs[organ]
        elif spec.generic:
            code = self.phrasings.organs[organ].code
        else:
            code = None
        return code if code in self.codes else None


def _build_tables(cat: Catalogue, phr: Phrasings) -> _Tables:
    sp = phr.spellings
    codes = frozenset(cat.conditions)

    def words(text: str) -> Words:
        return _phrase(text, sp)

    terms: _Phrases[_Term] = _Phrases()
    capital = {words(t) for t in phr.capital_terms}
    for text in phr.not_conditions:
        terms.add(words(text), _Term(None, "phrasing"))
    for condition in cat.conditions.values():
        for text in (
            condition.name,
            condition.code.replace("-", " "),
            *condition.synonyms,
            *condition.misspellings,
        ):
            phrase = words(text)
            terms.add(phrase, _Term(condition.code, "catalogue", capital_only=phrase in capital))
    for code, texts in phr.conditions.items():
        if code in codes:
            for text in texts:
                phrase = words(text)
                terms.add(phrase, _Term(code, "phrasing", capital_only=phrase in capital))

    organs: _Phrases[str] = _Phrases()
    for key, organ in phr.organs.items():
        for text in organ.words:
            organs.add(words(text), key)
    heads: _Phrases[int] = _Phrases()
    for index, head in enumerate(phr.heads):
        for text in head.words:
            heads.add(words(text), index)
    tables = _Tables(
        phrasings=phr,
        codes=codes,
        terms=terms,
        organs=organs,
        heads=heads,
        connectors=_phrase_set(phr.organ_connectors, sp),
        organ_fillers=frozenset(w for t in phr.organ_fillers for w in words(t)),
        mass_words=_phrase_set(phr.mass_words, sp),
        histology=_Phrases(),
        cues=_Phrases(),
        spread=_Phrases(),
        sites=_Phrases(),
        site_connectors=frozenset(w for t in phr.site_connectors for w in words(t)),
        site_fillers=frozenset(w for t in phr.site_fillers for w in words(t)),
        involvement=frozenset(w for t in phr.site_involvement_words for w in words(t)),
        qualifiers=_Phrases(),
        stage_contexts=_phrase_set(phr.stage.non_cancer_contexts, sp),
        refinements=[],
        parents={},
        spellings=sp,
        vocabulary=frozenset(),
        not_typos=frozenset(fold(w) for w in phr.not_typos),
        fuzzy_targets={},
        biomarker_regex=re.compile("(?!)"),
        biomarker_aliases={},
    )
    # "{organ} {head}" and "{head} {organ}" ("prostate ca", "carcinoma breast") as terms of their own.
    postfix_heads = {words(t) for t in ("ca", "carcinoma", "adenocarcinoma")}
    for key, organ in phr.organs.items():
        for index, head in enumerate(phr.heads):
            organ_code = tables.resolve(index, key)
            if organ_code is None:
                continue
            for organ_text in organ.words:
                for head_text in head.words:
                    organ_words, head_words = words(organ_text), words(head_text)
                    payload = _Term(organ_code, "organ", organ=key, head=index)
                    terms.add(organ_words + head_words, payload)
                    if head_words in postfix_heads:
                        terms.add(head_words + organ_words, payload)
    for text in phr.histology_words:
        phrase = words(text)
        hit = heads.match_at(phrase, 0)
        tables.histology.add(phrase, hit[1] if hit is not None and hit[0] == len(phrase) else 0)

    _add_cues(tables.cues, phr, sp)
    for text in phr.stage.metastatic_words:
        tables.spread.add(words(text), "metastatic")
    for text in phr.stage.metastatic_abbreviations:
        tables.spread.add(words(text), "metastatic")
    for text in phr.stage.spread_phrases:
        tables.spread.add(words(text), "spread")
    for text in phr.stage.site_only_words:
        tables.spread.add(words(text), "site-only")
    for site, texts in phr.sites.items():
        for text in texts:
            tables.sites.add(words(text), site)
    for label, texts in phr.stage.qualifiers.items():
        for text in texts:
            tables.qualifiers.add(words(text), label)
    for rule in phr.refinements:
        if rule.to in codes:
            tables.refinements.append((frozenset(rule.sources), _phrase_set(rule.words, sp), rule.to))
    for code, condition in cat.conditions.items():
        parent = condition.parent or phr.parents.get(code)
        tables.parents[code] = parent if parent in codes else None

    vocabulary = set().union(
        terms.vocabulary(),
        organs.vocabulary(),
        heads.vocabulary(),
        tables.spread.vocabulary(),
        tables.sites.vocabulary(),
        tables.cues.vocabulary(),
        tables.qualifiers.vocabulary(),
        tables.histology.vocabulary(),
        tables.mass_words.vocabulary(),
    )
    tables.vocabulary = frozenset(vocabulary)
    # Typos are corrected towards the words of condition names (not towards other misspellings) and
    # words of metastatic spread: the words a typo can turn into a finding.
    clean: set[str] = {w for text in phr.stage.metastatic_words for w in words(text)}
    for condition in cat.conditions.values():
        for text in (condition.name, *condition.synonyms):
            clean.update(words(text))
    for code, texts in phr.conditions.items():
        if code in codes:
            clean.update(w for t in texts for w in words(t))
    for word in sorted(clean):
        if len(word) >= FUZZY_MIN_LETTERS and word.isalpha():
            tables.fuzzy_targets.setdefault(word[0], []).append(word)
    # Words known only from misspellings ("cancre" in "colon cancre") are still typos elsewhere.
    tables.known = frozenset(w for w in vocabulary if w in clean or w not in _misspelled_words(cat, sp))
    tables.biomarker_regex, tables.biomarker_aliases = _biomarker_regex(phr.biomarkers)
    tables.not_history = frozenset(w for text in phr.family.not_history for w in words(text))
    tables.family_breaks = frozenset(w for text in phr.family.scope_breakers for w in words(text))
    return tables


def _misspelled_words(cat: Catalogue, spellings: dict[str, str]) -> set[str]:
    return {w for c in cat.conditions.values() for text in c.misspellings for w in _phrase(text, spellings)}


def _phrase_set(texts: Iterable[str], spellings: dict[str, str]) -> _Phrases[bool]:
    table: _Phrases[bool] = _Phrases()
    for text in texts:
        table.add(_phrase(text, spellings), True)
    return table


def _add_cues(table: _Phrases[frozenset[str]], phr: Phrasings, sp: dict[str, str]) -> None:
    """One table for every context cue, each phrase carrying all the roles it plays."""
    roles: dict[Words, set[str]] = {}

    def put(texts: Iterable[str], role: str) -> None:
        for text in texts:
            roles.setdefault(_phrase(text, sp), set()).add(role)

    put(phr.negation.before, "neg-before")
    put(phr.negation.after, "neg-after")
    put(phr.negation.pseudo, "pseudo")
    put(phr.negation.short_window, "short")
    put(phr.negation.terminators, "terminator")
    put(phr.hypothetical.before, "hypothetical")
    put(phr.uncertain.before, "uncertain")
    put(phr.family.history_cues, "history")
    put(phr.family.relatives, "relative")
    put(phr.family.not_history, "not-history")
    put(phr.family.third_person, "third-person")
    put(phr.family.past_verbs, "past")
    put(phr.family.patient_words, "patient")
    put(phr.salience.diagnostic, "diagnostic")
    put(phr.salience.remote, "remote")
    for words, kinds in roles.items():
        # "short" and "not-history" only qualify other roles, they are never cues on their own.
        if kinds - {"short", "not-history"}:
            table.add(words, frozenset(kinds))


# ------------------------------------------------------------------------------------- biomarker patterns
_SEP = r"[\s\-/.:]{0,2}"


def _flexible(phrase: str) -> str:
    """A regex for a phrase that tolerates spaces, hyphens and slashes between its letter/digit runs."""
    return _SEP.join(re.escape(chunk) for chunk in re.findall(r"[A-Za-z]+|\d+", phrase))


def _alternation(phrases: Iterable[str]) -> str:
    parts = sorted({p for p in phrases if re.search(r"[A-Za-z0-9]", p)}, key=len, reverse=True)
    return "|".join(_flexible(p) for p in parts)


def _biomarker_regex(specs: list[BiomarkerSpec]) -> tuple[re.Pattern[str], dict[str, _BiomarkerAlias]]:
    aliases: dict[str, _BiomarkerAlias] = {}
    for spec in specs:
        for alias in spec.aliases:
            aliases.setdefault(_alias_key(alias), _BiomarkerAlias(spec, alias))
    pattern = r"(?<![A-Za-z0-9])(?:" + _alternation(a.alias for a in aliases.values()) + r")(?![A-Za-z0-9])"
    return re.compile(pattern, re.IGNORECASE), aliases


def _alias_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def _status_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Status words after a biomarker (by category), negative prefixes, positive prefixes, therapy words."""
    st = load_phrasings().biomarker_status
    groups = [
        ("negative", st.negative),
        ("unknown", st.unknown),
        ("positive", st.positive),
        ("noun", st.positive_nouns),
    ]
    status = "|".join(f"(?P<{name}>{_alternation(words)})" for name, words in groups)
    tail = r"[\s:\-]*(?:(?:an?|any|known|evidence\s+of|detectable|actionable|the)\s+)*$"
    return (
        re.compile(rf"(?<![A-Za-z0-9])(?:{status})(?![A-Za-z0-9])", re.IGNORECASE),
        re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(st.negative_prefixes)}){tail}", re.IGNORECASE),
        re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(st.positive_prefixes)}){tail}", re.IGNORECASE),
        re.compile(rf"^[\s\-]*(?:{_alternation(st.therapy)})(?![A-Za-z0-9])", re.IGNORECASE),
    )


_SYMBOL_STATUS = re.compile(
    r"^\s*\(?\s*(?:(?P<pos>\+|pos\b)|(?P<neg>[-−](?![A-Za-z0-9])|neg\b))", re.IGNORECASE
)
_FOR_PREFIX = re.compile(r"(?:positive|negative|pos|neg)\s+for\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[;\n]|\.(?=\s|$)")
_PERCENT = re.compile(
    r"(?P<cmp>[<>≥≤]=?|greater than|less than|over|under)?\s*(?P<num>\d{1,3}(?:\.\d+)?)"
    r"(?:\s*[-–]\s*\d{1,3})?\s*%",
    re.IGNORECASE,
)
_CPS = re.compile(r"\bCPS\s*(?:of|:|=|score)?\s*(?P<cmp>[<>≥≤]=?)?\s*(?P<num>\d{1,3})", re.IGNORECASE)
_IHC = re.compile(r"(?:IHC\s*)?\b(?P<score>[0-3])\s*\+|IHC\s*(?P<zero>0)\b", re.IGNORECASE)
_EXON = re.compile(
    r"\bexon\s*\d+\s*(?:deletion|del|insertion|ins|skipping|mutation|alteration)?", re.IGNORECASE
)
_PROTEIN = re.compile(r"\b[ACDEFGHIKLMNPQRSTVWY]\d{1,4}(?:[ACDEFGHIKLMNPQRSTVWY]|del|fs)\b")
_LIST_GAP = re.compile(r"^[\s,/&+]*(?:and|or|&)?[\s,/]*$", re.IGNORECASE)
_TRIPLE = re.compile(
    r"(?<![A-Za-z])(?:triple[\s\-]*(?P<which>negative|positive)|(?P<tnbc>TNBC))(?![A-Za-z])", re.IGNORECASE
)

# ------------------------------------------------------------------------------------- stage patterns
_STAGE = re.compile(
    r"(?<![A-Za-z])(?:(?:stage|stg|stge|satge|stag)s?[\s:\-.]*(?:(?:is|was|of)\s+)?"
    r"|staged\s+as\s+(?:clinical\s+|pathologic(?:al)?\s+)?)"
    r"(?:(?P<roman>iv|i{1,3}|0)|(?P<arabic>[0-4])|(?P<word>zero|one|two|three|four))"
    r"(?:-?(?P<letter>[abc])(?P<digit>[1-3])?)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL_STAGE = re.compile(
    r"(?<![A-Za-z])(?P<ord>1st|2nd|3rd|4th|first|second|third|fourth)[\s\-]+stage\b", re.IGNORECASE
)
_TNM = re.compile(
    r"(?<![A-Za-z0-9])[cpyra]{0,2}T(?:is|[0-4x][a-d]?)\s*N[0-3x][a-c]?\s*M(?P<m>[01x])[a-c]?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LIMITED_EXTENSIVE = re.compile(
    r"(?<![A-Za-z])(?:(?P<le>limited|extensive)[\s\-]+(?P<what>stage|disease)|(?P<abbr>ls|es|ld|ed)[\s\-]*sclc)"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)
_IN_SITU = re.compile(r"(?<![A-Za-z])(?:in[\s\-]situ|dcis)(?![A-Za-z])", re.IGNORECASE)
_FAMILY_SECTION = re.compile(r"(?im)^[ \t\-*]*(?:family history|family hx|fhx|fh)[ \t]*:[ \t]*$")
_SECTION_END = re.compile(r"\n[ \t]*\n|\n[ \t]*[A-Za-z][A-Za-z /]{2,40}:")
_ROMAN = {"0": "0", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
_ARABIC = {
    "0": "0",
    "1": "I",
    "2": "II",
    "3": "III",
    "4": "IV",
    "zero": "0",
    "one": "I",
    "two": "II",
    "three": "III",
    "four": "IV",
    "1st": "I",
    "2nd": "II",
    "3rd": "III",
    "4th": "IV",
    "first": "I",
    "second": "II",
    "third": "III",
    "fourth": "IV",
}
_ABBREVIATIONS = frozenset({"Dr", "dr", "Mr", "Mrs", "Ms", "vs", "e", "g", "i", "St", "approx", "Fig", "fig"})
_METASTATIC_BEFORE = frozenset({"metastatic", "metastasis", "metastases", "secondary"})
_INVOLVEMENT_GAP = frozenset({"was", "were", "is", "are", "biopsy", "biopsies", "also", "all", "both", "be"})
_PAST_VERB_BREAKERS = frozenset(
    {"for", "surgery", "chemo", "chemotherapy", "radiation", "treatment", "treated"}
)


# ------------------------------------------------------------------------------------- the cache
_cached: tuple[int, Catalogue, _Tables] | None = None


def _tables() -> _Tables:
    """The term tables for the current catalogue, rebuilt when catalogue() returns a new object."""
    global _cached
    cat = catalogue()
    cached = _cached
    # The catalogue object is kept with its id, so the id cannot be reused by a new object meanwhile.
    if cached is None or cached[0] != id(cat) or cached[1] is not cat:
        cached = (id(cat), cat, _build_tables(cat, load_phrasings()))
        _cached = cached
    return cached[2]


# ------------------------------------------------------------------------------------- reading a text
@dataclass
class _Mention:
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
    doubtful: bool = False  # a biomarker name that counts only if a status is written for it
    status: BiomarkerStatus = "unknown"
    value: str | None = None
    status_from: str = "none"


@dataclass(frozen=True)
class _Cue:
    s: int
    e: int
    kinds: frozenset[str]


class _Reader:
    """One text: its words, sentences and cues, and the finders that work on them."""

    def __init__(self, text: str, tables: _Tables) -> None:
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
        self.cues: list[_Cue] = []
        self.cues_by_sentence: dict[int, list[_Cue]] = {}
        self.family_sections = self._family_sections()
        self.mentions_by_sentence: dict[int, list[tuple[int, int, str]]] = {}
        # Filled on first use, once the condition mentions are final.
        self.conditions_by_sentence: dict[int, list[_Mention]] | None = None
        self.cancer_sentences: set[int] | None = None

    # -- words
    def _tokenize(self) -> None:
        t = self.t
        sentence = 0
        previous_end = 0
        previous_raw = ""
        for match in _TOKEN.finditer(self.text):
            raw = match.group()
            if self.words:
                gap = self.text[previous_end : match.start()]
                if _breaks_sentence(gap, previous_raw, raw):
                    sentence += 1
            folded = _fold_token(raw)
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
        if word in vocabulary or len(word) <= 3:
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
                limit = 1 if len(word) < 8 else 2
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
        return self.starts[s], self.ends[e - 1]

    def sentence_of(self, s: int) -> int:
        return self.sentence[min(s, len(self.sentence) - 1)] if self.sentence else 0

    def gap(self, i: int) -> str:
        """The characters between word i-1 and word i."""
        return self.text[self.ends[i - 1] : self.starts[i]] if 0 < i < len(self.words) else ""

    # -- cues and context
    def find_cues(self) -> None:
        for s, e, kinds in self.t.cues.find_overlapping(self.words):
            if any(self.masked[s:e]):
                continue  # "negative" inside "HER2-negative" is the biomarker's status, not a negation
            cue = _Cue(s, e, kinds)
            self.cues.append(cue)
            self.cues_by_sentence.setdefault(self.sentence[s], []).append(cue)
        n = len(self.words)
        terminator = [False] * n
        patient = [False] * n
        for cue in self.cues:
            for i in range(cue.s, cue.e):
                terminator[i] = terminator[i] or "terminator" in cue.kinds
                patient[i] = patient[i] or "patient" in cue.kinds
        self._terminators = [0, *accumulate(int(x) for x in terminator)]
        self._patient = [0, *accumulate(int(x) for x in patient)]
        self._masks = [0, *accumulate(int(x) for x in self.masked)]

    def _any(self, prefix: list[int], a: int, b: int) -> bool:
        return b > a and prefix[b] - prefix[a] > 0

    def cue_text(self, cue: _Cue) -> str:
        start, end = self.chars(cue.s, cue.e)
        return self.text[start:end]

    def note_mentions(self, mentions: Iterable[_Mention]) -> None:
        for m in mentions:
            kind = "metastatic" if m.stage_source == "metastatic" else m.kind
            self.mentions_by_sentence.setdefault(self.sentence_of(m.s), []).append((m.s, m.e, kind))

    def _list_ended(self, a: int, b: int, kind: str) -> bool:
        """Whether a negation's reach from word a to word b ends at a comma after a mention of another
        kind ("no brain mets on MRI, NSCLC stage IIIA"), while lists of one kind stay negated ("no liver,
        lung or bone metastases").
        """
        others = [
            m for m in self.mentions_by_sentence.get(self.sentence_of(a), []) if m[2] != kind and a <= m[0]
        ]
        return any("," in self.gap(k) and any(m_e <= k for _, m_e, _ in others) for k in range(a + 1, b + 1))

    def context(self, s: int, e: int, start: int, kind: str = "") -> tuple[MentionContext, _Cue | None]:
        """How a mention at words [s, e) relates to the patient, and the cue that says so."""
        cues = self.cues_by_sentence.get(self.sentence_of(s), [])
        window = self.t.phrasings.negation.window
        before = [c for c in cues if c.e <= s]
        after = [c for c in cues if c.s >= e]
        negation = next((c for c in reversed(before) if self._negates_forward(c, s, kind, window)), None)
        if negation is None:
            negation = next((c for c in after if self._negates_backward(c, e)), None)
        if negation is not None:
            return "negated", negation
        family = self._family(s, e, start, before, cues)
        if family is not None:
            return family
        for role in ("hypothetical", "uncertain"):
            cue = next((c for c in reversed(before) if self._qualifies(c, role, s, window)), None)
            if cue is not None:
                return ("hypothetical" if role == "hypothetical" else "uncertain"), cue
        return "affirmed", None

    def _negates_forward(self, cue: _Cue, s: int, kind: str, window: int) -> bool:
        if "neg-before" not in cue.kinds or "pseudo" in cue.kinds:
            return False
        reach = SHORT_WINDOW if "short" in cue.kinds else window
        return (
            s - cue.e <= reach
            and not self._any(self._terminators, cue.e, s)
            and not self._list_ended(cue.e, s, kind)
        )

    def _negates_backward(self, cue: _Cue, e: int) -> bool:
        if "neg-after" not in cue.kinds or "pseudo" in cue.kinds or cue.s - e > NEGATION_AFTER_WINDOW:
            return False
        # "NSCLC, EGFR negative": a biomarker in between takes the negation as its own status.
        return not self._any(self._terminators, e, cue.s) and not self._any(self._masks, e, cue.s)

    def _qualifies(self, cue: _Cue, role: str, s: int, window: int) -> bool:
        return (
            role in cue.kinds
            and "neg-before" not in cue.kinds
            and s - cue.e <= window
            and not self._any(self._terminators, cue.e, s)
        )

    def _family(
        self, s: int, e: int, start: int, before: list[_Cue], cues: list[_Cue]
    ) -> tuple[MentionContext, _Cue | None] | None:
        if any(a <= start < b for a, b in self.family_sections):
            return "family-history", None
        caregiver: _Cue | None = None
        for cue in reversed(before):
            if self._any(self._patient, cue.e, s) or self.t.family_breaks & set(self.words[cue.e : s]):
                break
            if "history" in cue.kinds:
                return "family-history", cue
            if "relative" not in cue.kinds:
                continue
            previous = self.cue_before(cue.s, cues)
            if previous is not None and "third-person" in previous.kinds and previous.e == cue.s:
                return "family-history", cue  # "her mother", "his wife": someone else's, in a note
            if self.words[cue.s] in self.t.not_history:
                caregiver = caregiver or cue
                continue
            verb = next(
                (c for c in cues if "past" in c.kinds and cue.e <= c.s <= cue.e + 3 and c.e <= s), None
            )
            if verb is not None and s - verb.e <= 2 and not set(self.words[verb.e : s]) & _PAST_VERB_BREAKERS:
                return "family-history", cue
            caregiver = caregiver or cue
        # "breast cancer in her mother", "colon cancer (father)"
        for k in range(e, min(e + 4, len(self.words))):
            if self.sentence[k] != self.sentence_of(s):
                break
            relative = next((c for c in cues if c.s == k and "relative" in c.kinds), None)
            if relative is None:
                continue
            if self.words[relative.s] in self.t.not_history:
                break
            leading = self.words[e:k]
            if (leading and leading[0] == "in") or "(" in self.gap(k):
                return "family-history", relative
            break
        if caregiver is not None:
            return "caregiver", caregiver
        return None

    def cue_before(self, i: int, cues: list[_Cue]) -> _Cue | None:
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


# ------------------------------------------------------------------------------------- finders
def _condition_mentions(r: _Reader) -> list[_Mention]:
    """Exact terms, organ patterns and inferred organ masses, then typo-corrected terms."""
    t = r.t
    found: list[_Mention] = []
    for s, e, term in t.terms.find(r.words):
        if term.code is None:
            continue
        if term.capital_only and not _capitals(r, s, e):
            continue
        found.append(_condition(r, term.code, s, e, "term"))
        found.extend(_coordinated(r, term, s))
    found = _merge(found, _organ_patterns(r))
    found = _merge(found, _organ_masses(r))
    return _with_typos(r, found)


def _capitals(r: _Reader, s: int, e: int) -> bool:
    start, end = r.chars(s, e)
    letters = [ch for ch in r.text[start:end] if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _condition(
    r: _Reader, code: str, s: int, e: int, source: str, *, exact: bool = True, score: float = 100.0
) -> _Mention:
    start, end = r.chars(s, e)
    return _Mention("condition", code, s, e, start, end, exact=exact, score=score, source=source)


def _coordinated(r: _Reader, term: _Term, s: int) -> list[_Mention]:
    """ "breast and ovarian cancer": the first organ shares the head of the second."""
    t = r.t
    if term.organ is None or term.head is None or s < 2 or r.words[s - 1] not in ("and", "or"):
        return []
    hit = t.organs.ending_at(r.words, s - 1, longest=2)
    if hit is None:
        return []
    code = t.resolve(term.head, hit[1])
    return [_condition(r, code, hit[0], s - 1, "pattern")] if code else []


def _organ_patterns(r: _Reader) -> list[_Mention]:
    """ "carcinoma of the left breast", "adenocarcinoma arising in Barrett's esophagus"."""
    t = r.t
    words = r.words
    found = []
    for i in range(len(words)):
        head = t.heads.match_at(words, i)
        if head is None or head[0] >= len(words):
            continue
        connector = t.connectors.match_at(words, head[0])
        if connector is None:
            continue
        # "metastatic carcinoma in the liver" names where it spread, not where it began.
        if words[head[0]] in ("in", "within", "involving") and (
            _METASTATIC_BEFORE & set(words[max(0, i - 2) : i])
        ):
            continue
        j = connector[0]
        for _ in range(ORGAN_FILLER_LIMIT + 1):
            if j >= len(words) or r.sentence[j] != r.sentence[i]:
                break
            organ = t.organs.match_at(words, j)
            if organ is not None:
                code = t.resolve(head[1], organ[1])
                if code:
                    found.append(_condition(r, code, i, organ[0], "pattern", score=95.0))
                break
            if words[j] not in t.organ_fillers:
                break
            j += 1
    return found


def _organ_masses(r: _Reader) -> list[_Mention]:
    """A mass in an organ and a cancer word in the same or the next sentence ("mass in the sigmoid
    colon; biopsy showed adenocarcinoma"): the cancer of that organ, counted with less weight.
    """
    t = r.t
    words = r.words
    histologies = [
        (s, e, head)
        for s, e, head in t.histology.find(words)
        if not _METASTATIC_BEFORE & set(words[max(0, s - 2) : s])
        and r.context(s, e, r.starts[s])[0] in ("affirmed", "caregiver")
    ]
    if not histologies:
        return []
    by_sentence: dict[int, list[tuple[int, int, int]]] = {}
    for histology in histologies:
        by_sentence.setdefault(r.sentence[histology[0]], []).append(histology)
    found = []
    for m, m_end, _ in t.mass_words.find(words):
        organ: tuple[int, int, str] | None = None
        for k in range(m, max(m - 3, 0), -1):
            hit = t.organs.ending_at(words, k, longest=3)
            if hit is not None:
                organ = (hit[0], m_end, hit[1])
                break
            if words[k - 1] not in t.organ_fillers:
                break
        if organ is None and m_end < len(words) and words[m_end] in ("in", "of", "at", "within", "involving"):
            j = m_end + 1
            for _ in range(5):
                if j >= len(words):
                    break
                organ_hit = t.organs.match_at(words, j)
                if organ_hit is not None:
                    organ = (m, organ_hit[0], organ_hit[1])
                    break
                if words[j] not in t.organ_fillers:
                    break
                j += 1
        if organ is None:
            continue
        sentence = r.sentence[m]
        for s, _e, head in by_sentence.get(sentence, []) + by_sentence.get(sentence + 1, []):
            code = t.resolve(head, organ[2])
            if code:
                mention = _condition(r, code, organ[0], organ[1], "inferred", score=85.0)
                mention.cue_span = (s, _e)
                found.append(mention)
                break
    return found


def _merge(kept: list[_Mention], extra: list[_Mention]) -> list[_Mention]:
    """Adds mentions that overlap nothing kept, or that are longer than everything they overlap."""
    result = list(kept)
    for mention in sorted(extra, key=lambda m: m.s - m.e):
        overlapping = [k for k in result if k.s < mention.e and mention.s < k.e]
        if all(mention.e - mention.s > k.e - k.s for k in overlapping):
            result = [k for k in result if k not in overlapping] + [mention]
    return sorted(result, key=lambda m: m.s)


def _with_typos(r: _Reader, exact: list[_Mention]) -> list[_Mention]:
    """Terms found only once typos are corrected. They never replace an exact hit, except to make it
    more specific ("plueral mesothelioma" around the exact "mesothelioma").
    """
    t = r.t
    changed = {i for i, (a, b) in enumerate(zip(r.words, r.corrected, strict=True)) if a != b}
    if not changed:
        return exact
    result = list(exact)
    for s, e, term in _find_near(t.terms, r.corrected, changed):
        if term.code is None or not changed & set(range(s, e)):
            continue
        score = fuzz.ratio(" ".join(r.words[s:e]), " ".join(r.corrected[s:e]))
        if score < FUZZY_PHRASE_CUTOFF:
            continue
        overlapping = [m for m in result if m.s < e and s < m.e]
        refines = all(
            s <= m.s and m.e <= e and m.label != term.code and m.label in t.ancestors(term.code)
            for m in overlapping
        )
        if overlapping and not refines:
            continue
        result = [m for m in result if m not in overlapping]
        result.append(_condition(r, term.code, s, e, "term", exact=False, score=round(score, 1)))
    return sorted(result, key=lambda m: m.s)


def _find_near(
    table: _Phrases[P], words: list[str], positions: set[int], reach: int = 8
) -> list[tuple[int, int, P]]:
    """Matches that cover one of some positions (the corrected words), looked for only around them."""
    windows: list[list[int]] = []
    for position in sorted(positions):
        if windows and position - reach <= windows[-1][1]:
            windows[-1][1] = position + reach + 1
        else:
            windows.append([max(0, position - reach), position + reach + 1])
    found: list[tuple[int, int, P]] = []
    for start, end in windows:
        for s, e, payload in table.find(words[start:end]):
            if positions & set(range(start + s, start + e)):
                found.append((start + s, start + e, payload))
    return found


def _stage_mentions(r: _Reader) -> list[_Mention]:
    found: list[_Mention] = []
    text = r.text
    for match in _STAGE.finditer(text):
        number = match.group("roman") or match.group("arabic") or match.group("word")
        group = _ROMAN.get(number.lower()) or _ARABIC[number.lower()]
        letter = (match.group("letter") or "").upper()
        substage = f"{group}{letter}{match.group('digit') or ''}" if letter else None
        found.append(_stage(r, match.start(), match.end(), group, "explicit", substage=substage))
    for match in _ORDINAL_STAGE.finditer(text):
        found.append(_stage(r, match.start(), match.end(), _ARABIC[match.group("ord").lower()], "explicit"))
    for match in _TNM.finditer(text):
        found.append(_stage(r, match.start(), match.end(), "IV" if match.group("m") == "1" else None, "tnm"))
    for match in _LIMITED_EXTENSIVE.finditer(text):
        word = (match.group("le") or match.group("abbr") or "").lower()
        group = "limited" if word in ("limited", "ls", "ld") else "extensive"
        mention = _stage(r, match.start(), match.end(), group, "limited-extensive")
        mention.needs_sclc = (match.group("what") or "").lower() == "disease"
        found.append(mention)
    for match in _IN_SITU.finditer(text):
        found.append(_stage(r, match.start(), match.end(), "0", "in-situ"))
    # Stages of other diseases ("CKD stage 3", "Hoehn-Yahr stage I") are not cancer stages.
    kept = []
    for mention in found:
        if mention.stage_source == "explicit":
            a, b = max(0, mention.s - 4), min(len(r.words), mention.e + 4)
            if r.t.stage_contexts.find(r.words[a:b]):
                continue
        kept.append(mention)
    return kept


def _stage(
    r: _Reader, start: int, end: int, group: str | None, source: str, *, substage: str | None = None
) -> _Mention:
    s, e = r.span(start, end)
    return _Mention(
        "stage", group or "", s, e, start, end, stage_source=source, substage=substage, group=_as_group(group)
    )


def _spread_mentions(r: _Reader, conditions: list[_Mention]) -> tuple[list[_Mention], list[_Mention]]:
    """Words of distant spread (as stage mentions) and the sites they name."""
    t = r.t
    words = r.corrected
    stages: list[_Mention] = []
    sites: list[_Mention] = []
    for s, e, kind in t.spread.find(words):
        exact = words[s:e] == r.words[s:e]
        named = _sites_after(r, e, kind == "spread") + _sites_before(r, s)
        if kind != "metastatic" and not named:
            continue  # "amyloid deposits", "spread" alone: not a statement of distant spread
        for site_s, site_e, site in named:
            start, end = r.chars(site_s, site_e)
            mention = _Mention("metastatic-site", site, site_s, site_e, start, end, exact=exact)
            mention.cue_span = (s, e)
            sites.append(mention)
        if kind == "site-only":
            continue
        start, end = r.chars(s, e)
        mention = _Mention("stage", "metastatic", s, e, start, end, exact=exact, stage_source="metastatic")
        mention.group = "IV"
        mention.regional = bool(named) and all(site == "lymph nodes" for _, _, site in named)
        stages.append(mention)
    in_names = {i for c in conditions for i in range(c.s, c.e)}
    sites.extend(m for m in _involved_sites(r) if not in_names & set(range(m.s, m.e)))
    return stages, sites


def _site_chain(r: _Reader, j: int) -> list[tuple[int, int, str]]:
    """Sites from word j on, joined by "and", "or" and commas ("the lungs and liver")."""
    t = r.t
    words = r.corrected
    chain: list[tuple[int, int, str]] = []
    while j < len(words):
        k = j
        while k < len(words) and words[k] in t.site_fillers and k - j < 4:
            k += 1
        hit = t.sites.match_at(words, k) if k < len(words) else None
        if hit is None:
            break
        chain.append((k, hit[0], hit[1]))
        j = hit[0]
        if j < len(words) and words[j] in ("and", "or"):
            j += 1
        elif j < len(words) and "," in r.gap(j):
            continue
        else:
            break
    return chain


def _sites_after(r: _Reader, e: int, connected: bool) -> list[tuple[int, int, str]]:
    """ "metastases to the lungs", "metastatic pancreatic adenocarcinoma to the liver"."""
    t = r.t
    words = r.corrected
    if connected:
        return _site_chain(r, e)
    sentence = r.sentence_of(max(e - 1, 0))
    for j in range(e, min(e + 5, len(words))):
        if r.sentence[j] != sentence or t.spread.match_at(words, j) is not None:
            break
        if words[j] in t.site_connectors:
            return _site_chain(r, j + 1)
    return []


def _sites_before(r: _Reader, s: int) -> list[tuple[int, int, str]]:
    """ "liver and bone metastases", "neck node: metastatic carcinoma"."""
    t = r.t
    words = r.corrected
    chain: list[tuple[int, int, str]] = []
    end = s
    while end > 0:
        k = end
        while (
            k > 0 and words[k - 1] in ("multiple", "several", "new", "distant", "bilateral") and end - k < 2
        ):
            k -= 1
        hit = t.sites.ending_at(words, k, longest=3)
        if hit is None or r.sentence[hit[0]] != r.sentence_of(s):
            break
        chain.append((hit[0], k, hit[1]))
        end = hit[0]
        if end > 0 and words[end - 1] in ("and", "or"):
            end -= 1
        elif not (end > 0 and "," in r.gap(end)):
            break
    return chain


def _involved_sites(r: _Reader) -> list[_Mention]:
    """ "bone marrow involvement", "lymph nodes were positive", "5 positive lymph nodes"."""
    t = r.t
    words = r.words
    found = []
    for s, e, site in t.sites.find(words):
        sentence = r.sentence[s]
        after: list[str] = []
        for i in range(e, min(e + 4, len(words))):
            if r.sentence[i] != sentence:
                break
            after.append(words[i])
            if words[i] not in _INVOLVEMENT_GAP:
                break
        before = words[max(0, s - 2) : s]
        involved = bool(after) and after[-1] in t.involvement
        if site == "lymph nodes" and "positive" in before:
            involved = True
        if involved:
            start, end = r.chars(s, e)
            found.append(_Mention("metastatic-site", site, s, e, start, end, source="involvement"))
    return found


def _qualifiers(r: _Reader) -> list[_Mention]:
    found = []
    for s, e, label in r.t.qualifiers.find(r.words):
        start, end = r.chars(s, e)
        found.append(_Mention("stage", label, s, e, start, end, stage_source="qualifier"))
    return found


def _biomarker_mentions(r: _Reader) -> list[_Mention]:
    status_re, negative_prefix, positive_prefix, therapy = _status_patterns()
    text = r.text
    matches = list(r.t.biomarker_regex.finditer(text))
    triples = [m.start() for m in _TRIPLE.finditer(text)] if matches else []
    found: list[_Mention] = []
    for index, match in enumerate(matches):
        alias = r.t.biomarker_aliases.get(_alias_key(match.group()))
        if alias is None:
            continue
        spec = alias.spec
        limit = 15 if spec.needs_status else 60
        next_start = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        later_triple = bisect.bisect_left(triples, match.end())
        next_start = min(next_start, triples[later_triple]) if later_triple < len(triples) else next_start
        sentence_end = _SENTENCE_END.search(text, match.end())
        window_end = min(next_start, match.end() + limit, sentence_end.start() if sentence_end else len(text))
        post = text[match.end() : window_end]
        cut = _FOR_PREFIX.search(post)
        if cut:
            post = post[: cut.start()]
        if therapy.search(post):
            continue  # "EGFR TKI" names a drug class
        previous_end = max(matches[index - 1].end(), found[-1].end if found else 0) if index else 0
        look_back = max(0, match.start() - 40)
        sentence_start = max(look_back - 1, *(text.rfind(ch, look_back, match.start()) for ch in ".;\n")) + 1
        pre_start = max(previous_end, sentence_start, match.start() - 30)
        pre = text[pre_start : match.start()]
        status, source, evidence_end, value = _biomarker_status(
            spec,
            post,
            negative_prefix.search(pre) is not None,
            positive_prefix.search(pre) is not None,
            status_re,
        )
        word = match.group()
        lower_case = not all(ch.isupper() for ch in word if ch.isalpha())
        mixed_case = lower_case and any(ch.isupper() for ch in word) and alias.alias.isupper()
        doubtful = (
            spec.needs_status
            or (spec.strict and lower_case)
            or mixed_case  # "eGFR" is the kidney filtration rate
            or (lower_case and bool(re.search(r"\s", word)))
        )
        start = match.start()
        prefix_cue = None
        if source == "prefix-negative":
            neg = negative_prefix.search(pre)
            if neg is not None:
                start = pre_start + neg.start()
                prefix_cue = neg.group().strip()
        end = match.end() + evidence_end
        s, e = r.span(start, end)
        mention = _Mention(
            "biomarker", spec.name, s, e, start, end, status=status, value=value, status_from=source
        )
        mention.cue = prefix_cue
        mention.doubtful = doubtful
        found.append(mention)
    _share_list_status(text, found)
    found = [m for m in found if not (m.doubtful and m.status == "unknown")]
    for match in _TRIPLE.finditer(text):
        shared: BiomarkerStatus = (
            "positive" if (match.group("which") or "").lower() == "positive" else "negative"
        )
        s, e = r.span(match.start(), match.end())
        for name in ("ER", "PR", "HER2"):
            found.append(
                _Mention(
                    "biomarker", name, s, e, match.start(), match.end(), status=shared, status_from="triple"
                )
            )
    return sorted(found, key=lambda m: m.start)


def _biomarker_status(
    spec: BiomarkerSpec, post: str, negative_prefix: bool, positive_prefix: bool, status_re: re.Pattern[str]
) -> tuple[BiomarkerStatus, str, int, str | None]:
    """Status, where it came from, how far into `post` the evidence reaches, and a value."""
    value, value_status, value_end = _biomarker_value(spec.name, post)
    if negative_prefix:
        return "negative", "prefix-negative", value_end, value
    symbol = _SYMBOL_STATUS.match(post)
    if symbol:
        return (
            ("positive" if symbol.group("pos") else "negative"),
            "symbol",
            max(symbol.end(), value_end),
            value,
        )
    noun_end: int | None = None
    for hit in status_re.finditer(post):
        kind = hit.lastgroup or ""
        if kind == "noun":
            if noun_end is None:
                noun_end = hit.end()
            continue
        if noun_end is not None and hit.start() - noun_end > 25:
            break
        if value_status is not None and value_end <= hit.start():
            break  # "PD-L1 TPS 50%, triple negative ...": the value came first and decides
        return _as_status(kind), "post", max(hit.end(), value_end), value
    if value_status is not None:
        return value_status, "value", value_end, value
    if positive_prefix:
        return "positive", "prefix-positive", value_end, value
    if noun_end is not None:
        return "positive", "noun", max(noun_end, value_end), value
    if spec.implied is not None:
        return spec.implied, "implied", value_end, value
    return "unknown", "none", value_end, value


def _as_status(kind: str) -> BiomarkerStatus:
    if kind == "negative":
        return "negative"
    if kind == "unknown":
        return "unknown"
    return "positive"


def _biomarker_value(name: str, post: str) -> tuple[str | None, BiomarkerStatus | None, int]:
    """A measured value after the name: a percentage or CPS, an IHC score, an exon or protein change."""
    if name in ("PD-L1", "ER", "PR", "HR"):
        cps = _CPS.search(post) if name == "PD-L1" else None
        percent = _PERCENT.search(post)
        hit = cps or percent
        if hit is not None:
            number = float(hit.group("num"))
            below = (hit.group("cmp") or "").lower() in ("<", "≤", "<=", "less than", "under")
            status: BiomarkerStatus = "negative" if number < 1 or (below and number <= 1) else "positive"
            text = re.sub(r"\s+", " ", hit.group().strip())
            return (f"CPS {hit.group('num')}" if hit is cps else text), status, hit.end()
        return None, None, 0
    if name == "HER2":
        ihc = _IHC.search(post)
        if ihc is not None:
            score = ihc.group("score") or ihc.group("zero")
            status = "positive" if score == "3" else "unknown" if score == "2" else "negative"
            return (f"{score}+" if ihc.group("score") else "0"), status, ihc.end()
        return None, None, 0
    exon = _EXON.search(post)
    if exon is not None:
        return re.sub(r"\s+", " ", exon.group().strip()), None, exon.end()
    protein = _PROTEIN.search(post)
    if protein is not None and protein.start() < 12:
        return protein.group(), None, protein.end()
    return None, None, 0


def _share_list_status(text: str, found: list[_Mention]) -> None:
    """ "ER/PR negative", "negative for EGFR, ALK and ROS1": a list shares the status written once."""
    chains: list[list[_Mention]] = []
    for mention in found:
        if chains and _LIST_GAP.match(text[chains[-1][-1].end : mention.start]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    for chain in chains:
        if len(chain) < 2:
            continue
        for i, mention in enumerate(chain):
            if mention.status_from not in ("none", "implied"):
                continue
            later = next(
                (m for m in chain[i + 1 :] if m.status_from in ("post", "noun", "symbol", "value")), None
            )
            if later is not None:
                mention.status, mention.status_from, mention.end = later.status, "list", later.end
            elif chain[0].status_from in ("prefix-negative", "prefix-positive"):
                mention.status, mention.status_from = chain[0].status, "list"
                mention.cue = chain[0].cue


# ------------------------------------------------------------------------------------- deciding
def explain(text: str) -> Explanation:
    """What `text` (a search phrase or a whole clinical note) says about the patient's cancer."""
    tables = _tables()
    r = _Reader(text, tables)
    biomarkers = _biomarker_mentions(r)
    for mention in biomarkers:
        for i in range(mention.s, min(mention.e, len(r.masked))):
            r.masked[i] = True
    r.find_cues()
    conditions = _condition_mentions(r)
    stages = _stage_mentions(r)
    spread_stages, sites = _spread_mentions(r, conditions)
    stages += spread_stages
    qualifiers = _qualifiers(r)
    r.note_mentions([*conditions, *stages, *sites])
    for mention in [*conditions, *stages, *sites, *biomarkers, *qualifiers]:
        _set_context(r, mention)
    for site in sites:
        # A site is as negated as the spread word that names it ("no liver or bone metastases").
        if site.cue_span is not None and site.context in ("affirmed", "caregiver"):
            spread = next((m for m in spread_stages if (m.s, m.e) == site.cue_span), None)
            if spread is not None and spread.context not in ("affirmed", "caregiver"):
                site.context, site.cue = spread.context, spread.cue
    chosen, others = _choose_condition(r, conditions, stages)
    stage = _choose_stage(r, chosen, conditions, stages, qualifiers)
    return Explanation(
        text=text,
        condition=_condition_finding(r, chosen) if chosen else None,
        stage=stage,
        metastatic_sites=_site_findings(r, sites),
        biomarkers=_biomarker_findings(r, biomarkers),
        negated=_negated(r, [*conditions, *stages, *sites, *biomarkers]),
        matched=_matched(r, [*conditions, *stages, *sites, *biomarkers, *qualifiers]),
        other_conditions=[_condition_finding(r, m) for m in others],
    )


def _set_context(r: _Reader, mention: _Mention) -> None:
    if mention.kind == "biomarker":
        # A biomarker's own negation is its status; only a relative's result is set aside.
        context, cue = r.context(mention.s, mention.e, mention.start)
        if context == "family-history":
            mention.context = context
            mention.cue = r.cue_text(cue) if cue else "family history"
        elif mention.cue is not None and mention.status == "negative":
            mention.context = "negated"
        return
    kind = "metastatic" if mention.stage_source == "metastatic" else mention.kind
    context, cue = r.context(mention.s, mention.e, mention.start, kind)
    mention.context = context
    if cue is not None:
        mention.cue = r.cue_text(cue)
        mention.cue_span = mention.cue_span if mention.kind == "metastatic-site" else (cue.s, cue.e)
    elif context == "family-history":
        mention.cue = "family history"


def _eligible(mention: _Mention) -> bool:
    return mention.context not in _EXCLUDED


def _distance(a: _Mention, b: _Mention) -> int:
    if a.e <= b.s:
        return b.s - a.e
    if b.e <= a.s:
        return a.s - b.e
    return 0


def _attached(r: _Reader, stage: _Mention, conditions: list[_Mention]) -> _Mention | None:
    """The condition mention a stage mention belongs to: the nearest in its sentence, if close."""
    by_sentence = r.conditions_by_sentence
    if by_sentence is None:
        by_sentence = r.conditions_by_sentence = {}
        for c in conditions:
            by_sentence.setdefault(r.sentence_of(c.s), []).append(c)
    near = [
        c for c in by_sentence.get(r.sentence_of(stage.s), []) if _distance(c, stage) <= STAGE_ATTACH_WINDOW
    ]
    return min(near, key=lambda c: _distance(c, stage), default=None)


def _choose_condition(
    r: _Reader, conditions: list[_Mention], stages: list[_Mention]
) -> tuple[_Mention | None, list[_Mention]]:
    """The patient's condition: the lineage (condition and its subtypes) that the text is most about,
    then its most specific mention. Returns it and the best mention of each other lineage.
    """
    t = r.t
    eligible = [m for m in conditions if _eligible(m)]
    if any(m.exact for m in eligible):
        eligible = [m for m in eligible if m.exact]
    if not eligible:
        return None, []
    bonus: dict[int, float] = {}
    for stage in stages:
        if stage.context in ("affirmed", "caregiver") and stage.stage_source != "qualifier":
            owner = _attached(r, stage, conditions)
            if owner is not None:
                bonus[id(owner)] = 1.0
    lineage_score: dict[str, float] = {}
    lineage_first: dict[str, int] = {}
    for n, mention in enumerate(eligible):
        weight = _CONTEXT_WEIGHT.get(mention.context, 1.0) * _SOURCE_WEIGHT.get(mention.source, 1.0)
        weight += bonus.get(id(mention), 0.0) + (0.3 if n == 0 else 0.0)
        weight += 0.5 if _cue_before(r, mention, "diagnostic") else 0.0
        if _cue_before(r, mention, "remote"):
            weight *= 0.3
        root = t.ancestors(mention.label)[-1]
        lineage_score[root] = lineage_score.get(root, 0.0) + weight
        lineage_first.setdefault(root, mention.s)
    ranked = sorted(lineage_score, key=lambda root: (-lineage_score[root], lineage_first[root]))
    best = [_most_specific(r, [m for m in eligible if t.ancestors(m.label)[-1] == root]) for root in ranked]
    chosen = _refined(r, best[0], [m for m in eligible if t.ancestors(m.label)[-1] == ranked[0]])
    return chosen, best[1:]


def _cue_before(r: _Reader, mention: _Mention, role: str) -> bool:
    cues = r.cues_by_sentence.get(r.sentence_of(mention.s), [])
    return any(role in c.kinds and c.e <= mention.s and mention.s - c.e <= SALIENCE_WINDOW for c in cues)


def _most_specific(r: _Reader, mentions: list[_Mention]) -> _Mention:
    """The deepest code named (affirmed mentions first), then the most named, then the first."""
    t = r.t
    sure = [m for m in mentions if m.context in ("affirmed", "caregiver")] or mentions
    counts: dict[str, int] = {}
    for mention in sure:
        counts[mention.label] = counts.get(mention.label, 0) + 1
    return min(sure, key=lambda m: (-len(t.ancestors(m.label)), -counts[m.label], m.s))


def _refined(r: _Reader, chosen: _Mention, lineage: list[_Mention]) -> _Mention:
    """A more specific subtype when a telling word stands in a sentence that names the condition
    ("lung cancer ... adenocarcinoma", "VATS pleural biopsy showed mesothelioma").
    """
    t = r.t
    targets: set[str] = set()
    sentences = {r.sentence_of(m.s) for m in lineage}
    for sources, words, target in t.refinements:
        if chosen.label not in sources or chosen.label not in t.ancestors(target):
            continue
        for s, e, _ in words.find(r.words):
            if r.sentence[s] in sentences and r.context(s, e, r.starts[s])[0] in ("affirmed", "caregiver"):
                targets.add(target)
    if len(targets) != 1:
        return chosen
    return dataclasses.replace(chosen, label=targets.pop())


def _choose_stage(
    r: _Reader,
    chosen: _Mention | None,
    conditions: list[_Mention],
    stages: list[_Mention],
    qualifiers: list[_Mention],
) -> StageFinding | None:
    t = r.t
    lineage = set(t.ancestors(chosen.label)) if chosen else set()
    usable: list[_Mention] = []
    for stage in stages:
        if stage.context not in ("affirmed", "caregiver"):
            continue
        owner = _attached(r, stage, conditions)
        if owner is not None:
            if not _eligible(owner):
                continue  # the stage of a relative's or a negated cancer
            if chosen is not None and not lineage & set(t.ancestors(owner.label)):
                continue  # the stage of another of the patient's cancers
        elif chosen is None and stage.stage_source != "metastatic" and not _about_cancer(r, stage):
            continue  # "breast bulb in stage 1" (Tanner) in a note that names no cancer
        usable.append(stage)
    small_cell = chosen is not None and _is_small_cell(r, chosen.label)
    candidates: list[tuple[StageGroup, _Mention]] = []
    for stage in usable:
        group: StageGroup | None = stage.group
        if group is None or (stage.stage_source == "metastatic" and stage.regional):
            continue
        if stage.needs_sclc and not small_cell:
            continue
        if small_cell and stage.stage_source == "metastatic":
            group = "extensive"  # distant spread of small cell lung cancer is extensive stage
        candidates.append((group, stage))
    if small_cell and any(g in ("limited", "extensive") for g, _ in candidates):
        candidates = [(g, m) for g, m in candidates if g in ("limited", "extensive")]
    tnm = next((m for m in usable if m.stage_source == "tnm"), None)
    labels = []
    for q in qualifiers:
        owner = _attached(r, q, conditions)
        # "Recurrent UTIs" says nothing of the cancer: a qualifier must stand by the condition it qualifies.
        belongs = owner is not None and bool(lineage & set(t.ancestors(owner.label)))
        if chosen is None:
            belongs = len(r.words) <= SHORT_TEXT_WORDS
        if belongs and q.context in ("affirmed", "caregiver") and q.label not in labels:
            labels.append(q.label)
    if not candidates:
        if tnm is None and not labels:
            return None
        shown = tnm or next(q for q in qualifiers if q.label == labels[0])
        return StageFinding(
            group=None,
            substage=None,
            matched_text=r.text[shown.start : shown.end],
            tnm=_tnm_text(r, tnm),
            qualifiers=labels,
        )
    rank = max(_STAGE_RANK[g] for g, _ in candidates)
    best = [(g, m) for g, m in candidates if _STAGE_RANK[g] == rank]
    chosen_group, mention = next(((g, m) for g, m in best if m.substage), best[0])
    return StageFinding(
        group=chosen_group,
        substage=mention.substage if mention.group == chosen_group else None,
        matched_text=r.text[mention.start : mention.end],
        tnm=_tnm_text(r, tnm),
        qualifiers=labels,
    )


def _about_cancer(r: _Reader, stage: _Mention) -> bool:
    """A short text, or a cancer word in the stage's sentence."""
    if len(r.words) <= SHORT_TEXT_WORDS:
        return True
    if r.cancer_sentences is None:
        r.cancer_sentences = {r.sentence[s] for s, _, _ in r.t.heads.find(r.words)}
    return r.sentence_of(stage.s) in r.cancer_sentences


def _as_group(name: str | None) -> StageGroup | None:
    return _GROUPS.get(name) if name else None


def _tnm_text(r: _Reader, mention: _Mention | None) -> str | None:
    return re.sub(r"\s+", "", r.text[mention.start : mention.end]) if mention else None


def _is_small_cell(r: _Reader, code: str) -> bool:
    if "small-cell-lung-cancer" in r.t.ancestors(code):
        return True
    condition = catalogue().conditions.get(code)
    groups = {s.group for s in condition.stages} if condition else set()
    return "extensive" in groups and "IV" not in groups


# ------------------------------------------------------------------------------------- output
def _condition_finding(r: _Reader, mention: _Mention) -> ConditionFinding:
    condition = catalogue().conditions[mention.label]
    return ConditionFinding(
        code=condition.code,
        name=condition.name,
        oncotree=[ref.code for ref in condition.oncotree],
        icd10=list(condition.icd10),
        matched_text=r.text[mention.start : mention.end],
        exact=mention.exact,
        score=mention.score,
    )


def _site_findings(r: _Reader, sites: list[_Mention]) -> list[SiteFinding]:
    found: dict[str, SiteFinding] = {}
    for site in sorted(sites, key=lambda m: m.start):
        if site.context in ("affirmed", "caregiver") and site.label not in found:
            found[site.label] = SiteFinding(site=site.label, matched_text=_spread_text(r, site))
    return list(found.values())


def _spread_text(r: _Reader, site: _Mention) -> str:
    """The site with the words of spread that name it ("brain mets", "spread to the liver")."""
    if site.cue_span is None:
        return r.text[site.start : site.end]
    s, e = min(site.s, site.cue_span[0]), max(site.e, site.cue_span[1])
    start, end = r.chars(s, e)
    return r.text[start:end]


def _biomarker_findings(r: _Reader, mentions: list[_Mention]) -> list[BiomarkerFinding]:
    """One finding per biomarker: the last decisive status written, the last value given."""
    by_name: dict[str, BiomarkerFinding] = {}
    for mention in mentions:
        if mention.context == "family-history":
            continue
        current = by_name.get(mention.label)
        if current is not None and mention.status == "unknown":
            if mention.value and not current.value:
                by_name[mention.label] = current.model_copy(update={"value": mention.value})
            continue
        by_name[mention.label] = BiomarkerFinding(
            name=mention.label,
            status=mention.status,
            value=mention.value or (current.value if current else None),
            matched_text=r.text[mention.start : mention.end],
        )
    return list(by_name.values())


def _negated(r: _Reader, mentions: list[_Mention]) -> list[NegatedMention]:
    found: list[NegatedMention] = []
    seen: set[tuple[str, str, int]] = set()
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.context not in ("negated", "family-history", "hypothetical", "uncertain"):
            continue
        key = (mention.kind, mention.label, mention.start)
        if key in seen:
            continue
        seen.add(key)
        text = (
            _spread_text(r, mention)
            if mention.kind == "metastatic-site"
            else r.text[mention.start : mention.end]
        )
        found.append(
            NegatedMention(
                kind=mention.kind,
                label=mention.label or "metastatic",
                matched_text=text,
                cue=mention.cue or "",
                reason=_REASONS[mention.context],
            )
        )
    return found


def _matched(r: _Reader, mentions: list[_Mention]) -> list[MatchedSpan]:
    spans: dict[tuple[int, int, str, str], MatchedSpan] = {}
    for mention in mentions:
        label = mention.label or (mention.group or "")
        key = (mention.start, mention.end, mention.kind, label)
        spans.setdefault(
            key,
            MatchedSpan(
                text=r.text[mention.start : mention.end],
                start=mention.start,
                end=mention.end,
                kind=mention.kind,
                label=label,
                context=mention.context,
            ),
        )
        if mention.cue_span is not None and mention.context not in ("affirmed",):
            start, end = r.chars(*mention.cue_span)
            cue_key = (start, end, "cue", mention.context)
            spans.setdefault(
                cue_key,
                MatchedSpan(text=r.text[start:end], start=start, end=end, kind="cue", label=mention.context),
            )
    return sorted(spans.values(), key=lambda span: (span.start, -span.end))
