"""Words, sentences and concept mentions for the verdict engine: a tokenizer that keeps each word's place
and case, the concept phrase matcher, and the negation, family and uncertainty context of a mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from onconav.knowledge import service as knowledge
from onconav.text import fold

Polarity = Literal["affirmed", "negated", "family", "uncertain"]
# A treatment the note says the patient declined or was not given (negated), or took and no longer takes
# (affirmed: it was had, but is not current); "" for everything else (`verdicts/refusals.py`).
Status = Literal["", "refused", "stopped", "suggested"]

_WORD = re.compile(r"[^\W\d_][\w']*|\d+(?:[.,]\d+)?|[;:()]")
_NUMBERED = re.compile(r"^\s*\d+\.\s+", re.MULTILINE)
# Abbreviations this short only count when written in capitals ("MI", "PE"), never as ordinary words.
_SHORT = 3

NEGATION_BEFORE: tuple[tuple[str, ...], ...] = tuple(
    tuple(cue.split())
    for cue in (
        "no",
        "not",
        "negative",
        "denies",
        "denied",
        "deny",
        "without",
        "negative for",
        "free of",
        "absence of",
        "never",
        "nor",
        "no history of",
        "no evidence of",
        "no sign of",
        "no signs of",
        "ruled out",
        "rules out",
        "none",
        "unremarkable for",
        "no known",
        "neither",
    )
)
NEGATION_AFTER = frozenset({"negative", "absent", "excluded", "unremarkable", "normal", "denied"})
# "... was not seen": the words after "not" that deny a finding; "... is unlikely": only considered.
NOT_FOUND_AFTER = frozenset(
    {"present", "seen", "found", "detected", "identified", "visualized", "visualised"}
)
UNCERTAIN_AFTER = frozenset(
    {"unlikely", "likely", "suspected", "possible", "probable", "considered", "questionable"}
)
UNCERTAIN_BEFORE: tuple[tuple[str, ...], ...] = tuple(
    tuple(cue.split())
    for cue in (
        "suspected",
        "possible",
        "probable",
        "rule out",
        "concern for",
        "differential diagnosis",
        "differential",
        "vs",
        "versus",
        "may",
        "might",
        "query",
        "questionable",
        "suspect",
        "suspicion",
        "likely",
        "risk of",
        "to exclude",
        "worried",
        "if",
    )
)
FAMILY_BEFORE: tuple[tuple[str, ...], ...] = tuple(
    tuple(cue.split())
    for cue in ("family history of", "family history", "mother", "father", "sister", "brother", "parent")
)
# Words that end the reach of a cue before them.
SCOPE_END = frozenset(
    {
        "but",
        "however",
        "although",
        "though",
        "except",
        "which",
        "who",
        "presents",
        "presented",
        "reports",
        "shows",
        "showed",
        "reveals",
        "revealed",
        "because",
        "since",
        "after",
        "while",
        ";",
        ":",
        "(",
        ")",
        "with",
        "has",
        "had",
        "is",
        "was",
    }
)
NEGATION_WINDOW = 8
FAMILY_WINDOW = 6  # "mother" reaches fewer words than "no"
POST_WINDOW = 14


@dataclass(frozen=True)
class Token:
    """One word as written (`raw`) and folded (`word`), with its character offset."""

    raw: str
    word: str
    start: int
    # Whether a sentence ends just before this word ("He denies chest pain. He has diabetes."): a
    # numbered line of a note may hold several sentences, and a cue's reach stops at their ends.
    opens_sentence: bool = False


@dataclass(frozen=True)
class Mention:
    """A concept found in a sentence: where, how, and whether it is the patient's."""

    concept: str
    sentence: int
    first: int  # token index of the first word
    last: int  # token index after the last word
    polarity: Polarity
    status: Status = ""


def other_words(text: str, own: frozenset[str]) -> int:
    """How many words of a text are not among a rule's own words: more, and it asks something else too."""
    return sum(1 for word in re.findall(r"[a-z]+", text.lower()) if word not in own)


def singular(word: str) -> str:
    """Fold a plural to its singular the crude way: enough for "metastases"/"seizures"/"diseases"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# A sentence end between two words: a full stop (or ! ?) then space, before a capital. Not after an
# abbreviation ("Dr. Lee", "vs. asthma") or an initial ("J. Smith", "e.g. Asthma"); a decimal ("1.5") is
# one word.
_SENTENCE_END = re.compile(r"\s*[.!?]+[\"')\]]*\s+")
_ABBREVIATIONS = frozenset(
    {"dr", "drs", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "vs", "approx", "fig", "pt", "no", "vol"}
)


def _opens_sentence(text: str, previous: Token | None, raw: str, start: int) -> bool:
    if previous is None or not raw[0].isupper():
        return False
    if not _SENTENCE_END.fullmatch(text, previous.start + len(previous.raw), start):
        return False
    return not (previous.raw.lower() in _ABBREVIATIONS or (len(previous.raw) == 1 and previous.raw.isalpha()))


def tokenize(text: str) -> list[Token]:
    """Words and numbers of `text`, folded and singularised, each with its place."""
    tokens: list[Token] = []
    for m in _WORD.finditer(text):
        raw = m.group()
        opens = _opens_sentence(text, tokens[-1] if tokens else None, raw, m.start())
        tokens.append(Token(raw=raw, word=singular(fold(raw)) or raw, start=m.start(), opens_sentence=opens))
    return tokens


def split_sentences(note: str) -> list[str]:
    """The note's sentences: its numbered lines when it has them, else sentence ends."""
    lines = [line.strip() for line in note.splitlines() if line.strip()]
    if len(lines) > 1 and all(_NUMBERED.match(line) for line in lines):
        return [_NUMBERED.sub("", line, count=1) for line in lines]
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", note.strip())
    return [p.strip() for p in parts if p.strip()]


@cache
def _phrase_table() -> dict[tuple[str, ...], str]:
    """Each concept phrase's words -> the concept (a phrase two concepts share names the later one)."""
    table: dict[tuple[str, ...], str] = {}
    for key, concept in knowledge.clinical_lexicon().concepts.items():
        for phrase in concept.phrases:
            words = tuple(t.word for t in tokenize(phrase))
            table[words] = key
    return table


@cache
def _longest_phrase() -> int:
    return max(len(words) for words in _phrase_table())


@cache
def ancestors(concept: str) -> tuple[str, ...]:
    """The concept and every broader concept it implies through any of its parents, each once, nearest
    first (breadth first; at equal distance in the order the parents are written): rheumatoid arthritis ->
    inflammatory arthritis -> autoimmune disease, arthritis. Read once per concept: the lexicon is read once
    per process (knowledge.clinical_lexicon)."""
    concepts = knowledge.clinical_lexicon().concepts
    chain = [concept]
    for code in chain:  # grows as it is read
        chain.extend(p for p in concepts[code].parents if p not in chain)
    return tuple(chain)


# Abbreviations with another meaning that their neighbours give away: "PE" is a pulmonary embolism,
# but "on PE", "PE: lungs clear", "PE was unremarkable" are a physical examination. (words just before,
# words just after; "was"/"is" after are skipped).
_OTHER_MEANING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "pe": (
        frozenset({"on", "upon", "during", "physical", "exam", "examination"}),
        frozenset(
            {
                ":",
                "unremarkable",
                "notable",
                "remarkable",
                "significant",
                "reveal",
                "revealed",
                "show",
                "showed",
                "normal",
                "exam",
                "examination",
                "finding",
                "wnl",
                "otherwise",
            }
        ),
    ),
}
_COPULAS = frozenset({"was", "is", "were", "wa"})


def _other_meaning(tokens: list[Token], i: int) -> bool:
    """Whether the abbreviation at `i` has, by its neighbours, its other meaning."""
    cues = _OTHER_MEANING.get(tokens[i].word)
    if cues is None:
        return False
    before = [t.word for t in tokens[max(0, i - 2) : i] if t.word != "("]
    after = [t.word for t in tokens[i + 1 : i + 3] if t.word not in _COPULAS and t.word != ")"]
    return bool(before and before[-1] in cues[0]) or bool(after and after[0] in cues[1])


def find_concepts(tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(first, last, concept) for the longest concept phrase at each place, left to right."""
    table = _phrase_table()
    found = []
    i = 0
    while i < len(tokens):
        for size in range(min(_longest_phrase(), len(tokens) - i), 0, -1):
            words = tuple(t.word for t in tokens[i : i + size])
            key = table.get(words)
            if key is None:
                continue
            if size == 1 and len(words[0]) <= _SHORT and not tokens[i].raw.isupper():
                continue
            if size == 1 and _other_meaning(tokens, i):
                continue
            found.append((i, i + size, key))
            i += size - 1
            break
        i += 1
    return found


def _cue_before(
    words: list[str], first: int, cues: tuple[tuple[str, ...], ...], window: int = NEGATION_WINDOW
) -> bool:
    start = first
    steps = 0
    while start > 0 and steps < window:
        start -= 1
        steps += 1
        # "never had", "has not been": the verb is the negation's own, not the end of its reach
        if words[start] in SCOPE_END and not (start and words[start - 1] in {"never", "not"}):
            return False
        for cue in cues:
            if tuple(words[start : start + len(cue)]) == cue:
                return True
    return False


def _verdict_after(words: list[str], last: int) -> list[str]:
    """The two words after the first copula closing the clause of words first..last ("... is negative")."""
    for i in range(last, min(len(words), last + POST_WINDOW)):
        if words[i] in {"but", "however", ";", "and", "which"} and i > last:
            return []
        if words[i] in {"is", "was", "were", "are", "came", "returned", "seems", "seemed"} and i + 1 < len(
            words
        ):
            return words[i + 1 : i + 3]
    return []


def _negated_after(words: list[str], last: int) -> bool:
    """ "pregnancy test with a cut-off of 25 mIU/ml is negative", "pneumonia was ruled out", "an effusion is
    not seen": a verdict closing the clause."""
    after = _verdict_after(words, last)
    return (
        any(w in NEGATION_AFTER for w in after)
        or after == ["ruled", "out"]
        or (len(after) == 2 and after[0] == "not" and after[1] in NOT_FOUND_AFTER)
    )


def _uncertain_after(words: list[str], last: int) -> bool:
    """ "Pneumonia is unlikely", "a pulmonary embolism was suspected": only considered."""
    after = _verdict_after(words, last)
    return bool(after) and after[0] in UNCERTAIN_AFTER


_RELATIVE = frozenset(
    {"mother", "father", "sister", "brother", "sibling", "son", "daughter", "husband", "wife", "spouse"}
    | {"aunt", "uncle", "grandmother", "grandfather", "cousin", "parent"}
)


_SEEN = frozenset(
    {"noticed", "notice", "noted", "observed", "reported", "report", "said", "say", "state", "stated"}
    | {"brought", "found"}
)
_PATIENT = frozenset({"he", "she", "patient", "child", "boy", "girl", "infant", "baby", "toddler", "him"})


def _relative_subject(before: list[str]) -> bool:
    """ "His brother has Alzheimer disease", "Her mother had a DVT": a sentence whose subject is a relative
    who has the illness; not what the relative saw ("Mother has noticed a rash") nor the patient's own
    further on ("his mother has diabetes and he has asthma")."""
    lead = [w for w in before if w not in {"her", "his", "their", "the", "a", "patient"}]
    if len(lead) < 2 or lead[0] not in _RELATIVE or lead[1] not in {"has", "had", "died", "suffered", "with"}:
        return False
    return not (_SEEN & set(lead[1:3]) or _PATIENT & set(lead[2:]))


# A relative named beside the illness rather than as the sentence's subject: "a man whose wife had gestational
# diabetes", "a sister with lupus", "her mother, who died of ovarian cancer" (the relative before), and
# "gestational diabetes in his wife", "breast cancer in her mother and sister", "diabetes runs in the
# family", "colon cancer (maternal aunt)" (after).
_KIN = _RELATIVE | frozenset(
    {"grandparent", "niece", "nephew", "relative", "twin", "family", "grandma", "grandpa", "stepmother"}
    | {"stepfather", "partner", "fiance", "fiancee", "girlfriend", "boyfriend"}
)
# Words that tie a relative to the illness after it ("whose wife had", "a sister with", "who died of").
_KIN_LINKS = frozenset(
    {"who", "whose", "that", "has", "had", "have", "with", "died", "of", "from", "suffered", "suffer"}
    | {"suffers", "developed", "diagnosed", "was", "is", "been", "also", "recently", "both", "history"}
    | {"a", "an", "the", "her", "his", "their", "known", "late", "from", "in", "at", "age"}
)
_KIN_VERBS = frozenset({"who", "whose", "has", "had", "have", "died", "suffered", "suffer", "developed"})
# "a sister with lupus", "two brothers with": a relative brought in as someone with the illness; "brought by
# his mother with fever" is the child's fever.
_KIN_COUNT = frozenset({"a", "an", "one", "two", "three", "another", "several", "whose"})
# Words between "in"/"on"/"(" and a relative after the illness ("in both her maternal aunts").
_KIN_MODIFIERS = frozenset(
    {"her", "his", "their", "the", "a", "an", "both", "two", "three", "four", "several", "multiple"}
    | {"maternal", "paternal", "first", "second", "degree", "older", "younger", "elder", "patient", "one"}
    | {"of", "biological", "identical", "late", "many", "some", "other", "two", "and", "her", "own"}
)
_KIN_AFTER_STOP = frozenset(
    {"but", "however", "which", ";", ":", ")", "she", "he", "patient", "presents", "presented", "now"}
    | {"reports", "reported", "denies", "because", "since", "while", "although", "him", "her"}
)
KIN_REACH = 7


def _relative_before(words: list[str], first: int) -> bool:
    """ "whose wife had gestational diabetes", "a sister with lupus", "his mother, who had breast cancer"."""
    for r in range(first - 1, max(-1, first - KIN_REACH - 1), -1):
        if words[r] not in _KIN:
            continue
        path = words[r + 1 : first]
        # up to two words of the illness's own ("gestational", "early-onset") just before it
        while path and path[-1] not in _KIN_LINKS and len(words[r + 1 : first]) - len(path) < 2:
            path = path[:-1]
        if not path or any(w not in _KIN_LINKS for w in path) or _SEEN & set(path) or _PATIENT & set(path):
            return False
        before = words[r - 1] if r else ""
        if path[0] == "with":
            return before in _KIN_COUNT or (
                r > 1 and words[r - 2] in _KIN_COUNT and before not in {"his", "her"}
            )
        return bool(_KIN_VERBS & set(path)) and (before == "whose" or path[0] in _KIN_VERBS)
    return False


def _relative_after(words: list[str], last: int) -> bool:
    """ "gestational diabetes in his wife", "breast cancer in her mother and sister", "(maternal aunt)"."""
    for i in range(last, min(len(words), last + KIN_REACH)):
        word = words[i]
        if word in {"in", "on", "("}:
            j = i + 1
            while j < len(words) and j - i <= 4 and words[j] in _KIN_MODIFIERS:
                j += 1
            if j < len(words) and words[j] in _KIN:
                return True
        if word in _KIN_AFTER_STOP or word in _KIN:
            return False
    return False


_RESULT_WORDS = frozenset(
    {"antibody", "antigen", "serology", "test", "pcr", "screen", "ab", "ag", "igg", "rna"}
)


def _result_after(words: list[str], last: int) -> str | None:
    """The result written right after a test or infection: "HBsAg negative", "HCV antibody positive"."""
    i = last
    while i < min(len(words), last + 2) and words[i] in _RESULT_WORDS:
        i += 1
    return words[i] if i < len(words) else None


def polarity(words: list[str], first: int, last: int) -> Polarity:
    """Whether the words first..last are affirmed, negated, a relative's, or only considered."""
    if _cue_before(words, first, FAMILY_BEFORE, window=FAMILY_WINDOW) or _relative_subject(words[:first]):
        return "family"
    if not _KIN.isdisjoint(words) and (_relative_before(words, first) or _relative_after(words, last)):
        return "family"
    result = _result_after(words, last)
    if result in {"positive", "negative", "nonreactive"}:
        return "affirmed" if result == "positive" else "negated"
    if _cue_before(words, first, NEGATION_BEFORE):
        return "negated"
    if _negated_after(words, last):
        return "negated"
    if _cue_before(words, first, UNCERTAIN_BEFORE) or _uncertain_after(words, last):
        return "uncertain"
    return "affirmed"


def mentions(tokens: list[Token], sentence: int) -> list[Mention]:
    """Every concept named in one sentence's tokens with its context."""
    words = [t.word for t in tokens]
    return [
        Mention(concept=key, sentence=sentence, first=a, last=b, polarity=context(tokens, words, a, b))
        for a, b, key in find_concepts(tokens)
    ]


def context(tokens: list[Token], words: list[str], first: int, last: int) -> Polarity:
    """The context of words first..last within their own sentence ("He denies chest pain. He has
    diabetes."): affirmed, negated, a relative's, or only considered."""
    starts = [i for i, t in enumerate(tokens) if t.opens_sentence]
    begin = max((i for i in starts if i <= first), default=0)
    end = min((i for i in starts if i >= last), default=len(words))
    return polarity(words[begin:end], first - begin, last - begin)
