"""Names of hospitals, centers and doctors: how a typed name matches a directory name (typos,
abbreviations, initials, hyphen and spacing variants) and how a source's spelling is shown
("DANA - FARBER" -> "Dana-Farber").

Pure text functions: `name_search.py` runs them over the directory, importers use `display_name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from onconav.text import fold

# Words a name may be typed short in; both sides of a comparison are expanded the same way.
ABBREVIATIONS = {
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "hosp": "hospital",
    "hsp": "hospital",
    "med": "medical",
    "mem": "memorial",
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "univ": "university",
    "inst": "institute",
    "reg": "regional",
    "natl": "national",
    "comm": "community",
    "ft": "fort",
    "hlth": "health",
    "sys": "system",
    "childrens": "children",
}
# Words that say nothing about which place is meant; never required, never counted.
STOP_WORDS = frozenset({"the", "of", "and", "at", "for", "in", "a", "an", "inc", "llc", "corp", "co", "pc"})
# What people type in front of a person's name; the query then asks for practitioners only.
DOCTOR_WORDS = frozenset({"dr", "doctor", "drs"})
_DOTTED_INITIALS = re.compile(r"\b(?:[A-Za-z]\.\s?){2,}")
EXACT, PREFIX, JOINED, INITIALS = 1.0, 0.9, 1.0, 0.9  # quality of one typed word's match
TYPO_SIMILARITY = 80.0  # rapidfuzz ratio for a word typed with a typo ("farbre" for "farber")
PREFIX_MIN = 3  # "mass" finds "massachusetts", "ge" finds nothing


def name_words(text: str) -> list[str]:
    """Folded words of a name, initials joined ("M.D." -> "md"), abbreviations expanded, stop words out."""
    text = _DOTTED_INITIALS.sub(lambda found: found.group().replace(".", "").replace(" ", "") + " ", text)
    words = []
    for word in fold(text).split():
        word = ABBREVIATIONS.get(word, word)
        if word not in STOP_WORDS:
            words.append(word)
    return words


@dataclass(frozen=True)
class TypedName:
    """What someone typed to find a place or a person by name."""

    text: str
    words: tuple[str, ...]
    doctor: bool  # "Dr. Lee": a practitioner is meant

    @property
    def usable(self) -> bool:
        return bool(self.words)


def read_typed_name(text: str) -> TypedName:
    """The words of a typed name, without the "Dr." that only says a person is meant."""
    words = name_words(text)
    doctor = bool(words) and words[0] in DOCTOR_WORDS
    return TypedName(text=text, words=tuple(w for w in words if w not in DOCTOR_WORDS), doctor=doctor)


@lru_cache(maxsize=65536)
def _name_key(name: str) -> tuple[tuple[str, ...], str]:
    words = tuple(name_words(name))
    return words, "".join(w[0] for w in words)


def _word_quality(typed: str, words: tuple[str, ...], initials: str) -> tuple[float, set[int]]:
    """How well one typed word matches the best word (or pair of words, or initials) of a name (0: not at
    all), and which words of the name it covers."""
    best, covered = 0.0, set[int]()
    for index, word in enumerate(words):
        quality, span = 0.0, {index}
        if typed == word:
            quality = EXACT
        elif len(typed) >= PREFIX_MIN and word.startswith(typed):
            quality = PREFIX
        elif index + 1 < len(words) and typed == word + words[index + 1]:
            quality, span = JOINED, {index, index + 1}  # "danafarber", "healthpartners"
        elif len(typed) >= 4 and len(word) >= 4:
            similarity = fuzz.ratio(typed, word)
            if similarity >= TYPO_SIMILARITY:
                quality = 0.85 * similarity / 100
        if quality > best:
            best, covered = quality, span
    start = initials.find(typed) if 2 <= len(typed) <= 6 else -1
    if start >= 0 and best < INITIALS:  # "mgh", "bidmc", "dfci"
        best, covered = INITIALS, set(range(start, start + len(typed)))
    return best, covered


def match_score(typed: TypedName, name: str) -> float:
    """0-100: how well `name` matches what was typed; 0 unless every typed word matches a word of it.

    Every typed word scores its best match (exact 1, joined words 1, prefix or initials 0.9, typo up to
    0.85); the mean loses 3 points for each word of the name left uncovered, so "Dana-Farber" prefers
    "Dana-Farber Cancer Institute" to a longer name that also contains it.
    """
    words, initials = _name_key(name)
    if not typed.words or not words:
        return 0.0
    qualities, covered = [], set[int]()
    for word in typed.words:
        quality, span = _word_quality(word, words, initials)
        if quality <= 0:
            return 0.0
        qualities.append(quality)
        covered |= span
    uncovered = len(words) - len(covered)
    return max(0.0, 100.0 * sum(qualities) / len(qualities) - 3.0 * uncovered)


# Display forms of a source's upper-case spelling: the words keep their meaning, the page reads well.
_SPACED_HYPHEN = re.compile(r"\s+-\s+(?=\S)")
_UPPER_WORDS = {
    "md": "M.D.",
    "llc": "LLC",
    "va": "VA",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
    "usc": "USC",
    "uc": "UC",
    "ucla": "UCLA",
    "ucsf": "UCSF",
    "nyu": "NYU",
    "ut": "UT",
    "unc": "UNC",
    "lac": "LAC",
    "pc": "PC",
    "pllc": "PLLC",
    "lp": "LP",
    "llp": "LLP",
    "cmc": "CMC",
    "hca": "HCA",
    "us": "US",
    "usa": "USA",
}
_VOWELS = set("aeiouy")
_SHORT_WORDS = {"st", "mt", "ft", "dr", "jr", "sr", "hwy", "blvd"}  # abbreviated words, not initials
_SMALL_WORDS = {"and", "of", "the", "at", "for", "in", "on", "de", "la", "del"}


_WORD_PARTS = re.compile(r"^(\W*)(.*?)([,;:)]*)$")


def _display_word(word: str, first: bool) -> str:
    lead, core, trail = _WORD_PARTS.match(word).groups()  # type: ignore[union-attr]
    bare = core.lower().replace(".", "")
    if bare in _UPPER_WORDS:
        return lead + _UPPER_WORDS[bare] + trail
    if 2 <= len(bare) <= 5 and bare.isalpha() and not _VOWELS & set(bare) and bare not in _SHORT_WORDS:
        return lead + core.upper() + trail  # initials: "CSP", "BWH"
    if not first and word.lower() in _SMALL_WORDS:
        return word.lower()
    return "".join(_capitalise(part) for part in re.split(r"([-/(])", word.lower()))


def _capitalise(part: str) -> str:
    if not part or not part[0].isalpha():
        return part
    if part.startswith(("mc",)) and len(part) > 3:
        return "Mc" + part[2:].capitalize()
    if "'" in part:  # "women's" stays "Women's"; "o'connor" becomes "O'Connor"
        head, _, tail = part.partition("'")
        return head.capitalize() + "'" + (tail.capitalize() if len(head) == 1 else tail)
    return part.capitalize()


def display_name(source_name: str) -> str:
    """How a name the source spells in capitals is shown: "DANA - FARBER CANCER INSTITUTE" ->
    "Dana-Farber Cancer Institute", "UNIVERSITY OF TEXAS M.D. ANDERSON" -> "University of Texas M.D.
    Anderson", "ACME HEALTH, LLC" -> "Acme Health, LLC". Names already in mixed case are kept as written
    (their source chose the case), apart from a spaced hyphen.
    """
    text = _SPACED_HYPHEN.sub("-", " ".join(source_name.split()))
    letters = [c for c in text if c.isalpha()]
    if letters and not all(c.isupper() for c in letters) and not all(c.islower() for c in letters):
        return text
    return " ".join(_display_word(word, index == 0) for index, word in enumerate(text.split(" ")))
