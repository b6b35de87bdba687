"""The tables `explain` looks words up in, built once per catalogue from the condition files and the
phrasings file: condition terms, organs and head nouns, cues of context, spread, sites, typo targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from onconav.knowledge.catalogue import Catalogue, catalogue
from onconav.knowledge.understanding.phrases import Phrases, Words, alternation, phrase_set, phrase_words
from onconav.knowledge.understanding.phrasings import BiomarkerSpec, Phrasings, load_phrasings
from onconav.text import fold

# Fuzzy matching: only words of 5+ letters are corrected (towards words of as many letters).
FUZZY_MIN_LETTERS = 5
# Head nouns also written after the organ: "carcinoma breast" as well as "breast carcinoma".
POSTFIX_HEADS = ("ca", "carcinoma", "adenocarcinoma")


@dataclass(frozen=True)
class ConditionTerm:
    """A condition phrase: the code it names, where it comes from, and how it may match."""

    code: str | None  # None: a phrase that names no condition we cover ("lobular carcinoma in situ")
    source: str  # "catalogue", "phrasing", "organ"
    capital_only: bool = False
    organ: str | None = None
    head: int | None = None


@dataclass(frozen=True)
class BiomarkerAlias:
    """One way of writing a biomarker's name, and the biomarker it names."""

    spec: BiomarkerSpec
    alias: str


@dataclass
class Tables:
    """Everything `explain` looks words up in, built once per catalogue."""

    catalogue: Catalogue
    phrasings: Phrasings
    codes: frozenset[str]
    terms: Phrases[ConditionTerm]
    organs: Phrases[str]
    heads: Phrases[int]
    connectors: Phrases[bool]
    organ_fillers: frozenset[str]
    mass_words: Phrases[bool]
    histology: Phrases[int]
    cues: Phrases[frozenset[str]]
    spread: Phrases[str]
    sites: Phrases[str]
    site_connectors: frozenset[str]
    site_fillers: frozenset[str]
    involvement: frozenset[str]
    qualifiers: Phrases[str]
    stage_contexts: Phrases[bool]
    refinements: list[tuple[frozenset[str], Phrases[bool], str]]
    parents: dict[str, str | None]
    spellings: dict[str, str]
    vocabulary: frozenset[str]
    not_typos: frozenset[str]
    fuzzy_targets: dict[str, list[str]]
    biomarker_regex: re.Pattern[str]
    biomarker_aliases: dict[str, BiomarkerAlias]
    known: frozenset[str] = frozenset()  # words not to correct: the vocabulary less misspellings
    not_history: frozenset[str] = frozenset()
    family_breaks: frozenset[str] = frozenset()
    corrections: dict[str, str | None] = field(default_factory=dict)

    def parent(self, code: str) -> str | None:
        """The code's parent condition, when the catalogue covers it."""
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


def build_tables(cat: Catalogue, phr: Phrasings) -> Tables:
    """The tables for a catalogue and a phrasings file."""
    sp = phr.spellings
    codes = frozenset(cat.conditions)

    def words(text: str) -> Words:
        return phrase_words(text, sp)

    terms: Phrases[ConditionTerm] = Phrases()
    capital = {words(t) for t in phr.capital_terms}
    for text in phr.not_conditions:
        terms.add(words(text), ConditionTerm(None, "phrasing"))
    for condition in cat.conditions.values():
        for text in (
            condition.name,
            condition.code.replace("-", " "),
            *condition.synonyms,
            *condition.misspellings,
        ):
            phrase = words(text)
            terms.add(phrase, ConditionTerm(condition.code, "catalogue", capital_only=phrase in capital))
    for code, texts in phr.conditions.items():
        if code in codes:
            for text in texts:
                phrase = words(text)
                terms.add(phrase, ConditionTerm(code, "phrasing", capital_only=phrase in capital))

    organs: Phrases[str] = Phrases()
    for key, organ in phr.organs.items():
        for text in organ.words:
            organs.add(words(text), key)
    heads: Phrases[int] = Phrases()
    for index, head in enumerate(phr.heads):
        for text in head.words:
            heads.add(words(text), index)
    tables = Tables(
        catalogue=cat,
        phrasings=phr,
        codes=codes,
        terms=terms,
        organs=organs,
        heads=heads,
        connectors=phrase_set(phr.organ_connectors, sp),
        organ_fillers=frozenset(w for t in phr.organ_fillers for w in words(t)),
        mass_words=phrase_set(phr.mass_words, sp),
        histology=Phrases(),
        cues=Phrases(),
        spread=Phrases(),
        sites=Phrases(),
        site_connectors=frozenset(w for t in phr.site_connectors for w in words(t)),
        site_fillers=frozenset(w for t in phr.site_fillers for w in words(t)),
        involvement=frozenset(w for t in phr.site_involvement_words for w in words(t)),
        qualifiers=Phrases(),
        stage_contexts=phrase_set(phr.stage.non_cancer_contexts, sp),
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
    postfix_heads = {words(t) for t in POSTFIX_HEADS}
    for key, organ in phr.organs.items():
        for index, head in enumerate(phr.heads):
            organ_code = tables.resolve(index, key)
            if organ_code is None:
                continue
            for organ_text in organ.words:
                for head_text in head.words:
                    organ_words, head_words = words(organ_text), words(head_text)
                    payload = ConditionTerm(organ_code, "organ", organ=key, head=index)
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
            tables.refinements.append((frozenset(rule.sources), phrase_set(rule.words, sp), rule.to))
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
    return {
        w for c in cat.conditions.values() for text in c.misspellings for w in phrase_words(text, spellings)
    }


def _add_cues(table: Phrases[frozenset[str]], phr: Phrasings, sp: dict[str, str]) -> None:
    """One table for every context cue, each phrase carrying all the roles it plays."""
    roles: dict[Words, set[str]] = {}

    def put(texts: Iterable[str], role: str) -> None:
        for text in texts:
            roles.setdefault(phrase_words(text, sp), set()).add(role)

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


def _biomarker_regex(specs: list[BiomarkerSpec]) -> tuple[re.Pattern[str], dict[str, BiomarkerAlias]]:
    """One regex for every biomarker alias, and the aliases by key."""
    aliases: dict[str, BiomarkerAlias] = {}
    for spec in specs:
        for alias in spec.aliases:
            aliases.setdefault(alias_key(alias), BiomarkerAlias(spec, alias))
    pattern = r"(?<![A-Za-z0-9])(?:" + alternation(a.alias for a in aliases.values()) + r")(?![A-Za-z0-9])"
    return re.compile(pattern, re.IGNORECASE), aliases


def alias_key(text: str) -> str:
    """The key a biomarker's name is looked up by: its letters and digits, lower case ("pd-l1" -> "pdl1")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_cached: tuple[int, Catalogue, Tables] | None = None


def current_tables() -> Tables:
    """The term tables for the current catalogue, rebuilt when catalogue() returns a new object."""
    global _cached
    cat = catalogue()
    cached = _cached
    # The catalogue object is kept with its id, so the id cannot be reused by a new object meanwhile.
    if cached is None or cached[0] != id(cat) or cached[1] is not cat:
        cached = (id(cat), cat, build_tables(cat, load_phrasings()))
        _cached = cached
    return cached[2]
