"""Content words shared by a criterion and a note: stems without stop words, denials near shared words,
and the fallback rule for an inclusion criterion most of whose words one note sentence states.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import Found, Kind
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import about_a_relative
from onconav.trials.verdicts.note import NoteFacts

_STOP_WORDS = """
a an the and or of in on at to for with without by from as is are was were be been being has have
had who which that this these those their his her its it patient subject participant individual
people person history diagnosis diagnosed clinical evidence presence present any other than such e g
eg i ie etc must should will can may least more less one two three four five use using used based
defined according following study trial current currently known new prior previous previously day
week month year hour time within after before during including include suspicion suspected suspect
state condition disorder disease syndrome sign signs symptom symptoms documented confirmed test
screening all every included eligible enrolled
"""
_STOP = frozenset(_STOP_WORDS.split())
_NEGATING_WORDS = frozenset(
    {
        "no",
        "not",
        "denie",
        "denied",
        "deny",
        "without",
        "negative",
        "unable",
        "never",
        "refuse",
        "refused",
        "declined",
    }
)
# Words of a test and its result: a criterion about one asks what a note seldom gives.
TEST = re.compile(
    r"\b(?:tests?|challenge|assay|score|scale|sensiti[sz]ation|sero\w+|antigens?|antibod\w+|pcr|cultures?|"
    r"swabs?|titers?|titres?)\b|\d",
    re.I,
)
TEST_RESULT = re.compile(r"\b(?:negative|positive|test|score|scale|sensiti[sz]ation|\d)", re.I)
# Words compare by their first letters ("diabetes", "diabetic"); shorter words do not count.
STEM_LETTERS = 5
SHORTEST_WORD = 3
# A negating word this many words before a shared word denies it.
DENIAL_REACH = 4
# The fallback includes when one sentence states at least this share of the criterion's content words,
# and at least this many of them.
OVERLAP_SHARE = 0.5
OVERLAP_MIN_WORDS = 2


def stems(words: frozenset[str] | tuple[str, ...]) -> set[str]:
    """The content words' stems: no stop words, no numbers."""
    return {
        w[:STEM_LETTERS] for w in words if len(w) >= SHORTEST_WORD and w not in _STOP and not w[0].isdigit()
    }


def note_stems(note: NoteFacts) -> set[str]:
    """The stems of every content word of the note."""
    return set().union(*(stems(words) for words in note.words)) if note.words else set()


def _denied(sequence: tuple[str, ...], shared: set[str]) -> bool:
    """Whether a negating word stands shortly before any of the shared words ("unable to give consent")."""
    for i, word in enumerate(sequence):
        if word[:STEM_LETTERS] in shared and any(
            w in _NEGATING_WORDS for w in sequence[max(0, i - DENIAL_REACH) : i]
        ):
            return True
    return False


# A criterion of this many words or fewer with one content word is a single term ("Hemoptysis", "Stridor
# at rest"): met when a note sentence says the same word, not denied.
SINGLE_TERM_WORDS = 3
SINGLE_TERM_LETTERS = 6


def _single_term(note: NoteFacts, criterion: CriterionFacts) -> Found:
    term = next(w for w in criterion.words if w[:STEM_LETTERS] in stems(criterion.words))
    if len(term) < SINGLE_TERM_LETTERS:
        return None
    denial: int | None = None
    for i, sequence in enumerate(note.sequences):
        if i == note.consent_sentence or term not in sequence or about_a_relative(note.sentences[i]):
            continue
        if not _denied(sequence, {term[:STEM_LETTERS]}):
            return "included", i, N_("A note sentence names what this criterion asks.")
        denial = i if denial is None else denial
    if denial is not None:
        return "not included", denial, N_("The note rules this out.")
    return None


def overlap(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion criterion most of whose content words one note sentence states (fallback)."""
    if kind != "inclusion" or criterion.negated_subject or TEST_RESULT.search(criterion.text):
        return None
    wanted = stems(criterion.words)
    if len(wanted) == 1 and len([w for w in criterion.words if w not in _STOP]) <= SINGLE_TERM_WORDS:
        return _single_term(note, criterion)
    if len(wanted) < OVERLAP_MIN_WORDS:
        return None
    best: tuple[float, int] | None = None
    for i, words in enumerate(note.words):
        if i == note.consent_sentence or about_a_relative(note.sentences[i]):
            continue
        shared = wanted & stems(words)
        if shared and _denied(note.sequences[i], shared):
            continue
        share = len(shared) / len(wanted)
        if len(shared) >= OVERLAP_MIN_WORDS and share >= OVERLAP_SHARE and (best is None or share > best[0]):
            best = (share, i)
    if best is None:
        return None
    return "included", best[1], N_("A note sentence states most of this criterion.")
