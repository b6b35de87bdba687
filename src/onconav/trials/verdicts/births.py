"""How and when a baby was born: term or preterm ("term infants", "born before 34 weeks") against the weeks
of gestation at birth the note gives ("born at 32 weeks"), and one baby or several ("singleton") against
a note that names twins or triplets. A pregnancy now is `gestation`'s.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.findings_more import TERM_FROM_WEEKS
from onconav.trials.verdicts.gestation import (
    CHILD_AGE,
    GESTATION_LIMIT,
    GESTATION_RANGE,
    WORDS_AS_COMPARATORS,
)
from onconav.trials.verdicts.measures import comparator_of, compare
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import other_words

_TERM = re.compile(
    r"\b(?:full[- ])?term (?:infants?|newborns?|neonates?|babies|birth|delivery)\b|\bborn at term\b", re.I
)
_PRETERM = re.compile(r"\b(?:preterm|premature|prematurely born)\b", re.I)
_BORN_LIMIT = re.compile(
    r"\b(?:born|birth|delivered)\b[^.;]{0,30}?(at or (?:after|beyond|above)|≥|>=|≤|<=|>|<|at least|more than|"
    r"less than|before|after|under|over)\s*(\d{2}(?:\.\d)?)\s*(?:completed\s+)?weeks?",
    re.I,
)
# Words of a birth criterion itself; more than this many others and it asks something else too.
OTHER_WORDS = 1
_OWN_WORDS_TEXT = """
term full preterm premature prematurely born birth delivered delivery infant infants newborn newborns neonate
neonates baby babies at or after before beyond above less more than least under over weeks week completed
gestation gestational age of with who were was a an the and patients prematurity history
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())
_BORN_LIMIT_AFTER = re.compile(
    r"\b(?:born|birth|delivered)\b[^.;]{0,20}?(\d{2}(?:\.\d)?)\s*(?:completed\s+)?weeks?\s+or\s+"
    r"(later|more|after|beyond|earlier|less|before)\b",
    re.I,
)
# The words one of this module's criterion patterns needs (born, birth, term, preterm, premature, gestation,
# fed, formula, singleton, twins, triplets, multiple).
_ABOUT_BIRTHS = re.compile(
    r"born|birth|term\b|prematur|gestation|fed\b|formula|singleton|twin|triplet|multiple", re.I
)
_AS_COMPARATOR = {"before": "less than", "under": "less than", "after": "more than", "over": "more than"}
_NOTE_BORN_AT = re.compile(
    r"\bborn (?:at|after) (\d{2})(?:\s*(?:\+\s*\d|\d/7))?\s*weeks?|"
    r"\b(\d{2})[- ]weeks?'?\s*(?:of\s+)?(?:gestation(?:al age)?)?\s*(?:premature|preterm)?\s*"
    r"(?:infant|baby|newborn|neonate|boy|girl)\b",
    re.I,
)
_NOTE_TERM = re.compile(r"\b(?:full[- ]term|born at term|term (?:infant|baby|newborn|delivery))\b", re.I)
_NOTE_BIRTH = re.compile(r"\b(?:born|birth|term|preterm|prematur\w*|gestation\w*|delivered)\b", re.I)
_SINGLETON = re.compile(r"\bsingletons?\b", re.I)
_MULTIPLE_ASKED = re.compile(r"\btwins?\b|\btriplets?\b|\bmultiple (?:gestation|pregnanc\w*|births?)\b", re.I)
_NOTE_MULTIPLE = re.compile(
    r"\b(?:one of )?(?:twins?|triplets?)\b|\bmultiple (?:gestation|pregnancy)\b|"
    r"\b(?:di|mono)chorionic\b",
    re.I,
)


ADULT_AGE = 18.0  # an adult's note speaks of her babies' births, not her own
_NOTE_PREMATURE = re.compile(
    r"\bprematurity\b|\bborn (?:prematurely|preterm|premature)\b|\bex-?(?:preterm|premature)\b|"
    r"\bpremature (?:infant|baby|birth|neonate)\b|\bpreterm (?:infant|baby|birth|neonate)\b",
    re.I,
)


def _weeks_at_birth(note: NoteFacts) -> tuple[float, int] | None:
    if note.age is not None and note.age >= ADULT_AGE:
        return None
    for i, sentence in enumerate(note.sentences):
        if m := _NOTE_BORN_AT.search(sentence):
            return float(m.group(1) or m.group(2)), i
        if _NOTE_TERM.search(sentence):
            return TERM_FROM_WEEKS + 2, i
    return None


# A birth weight asked ("birth weight < 1500 g", "birthweight of 2.5 kg or more") and given by a note.
_WEIGHT = r"(\d+(?:[.,]\d+)?)\s*(kg|kilograms?|g|grams?|gm)\b"
_BIRTH_WEIGHT_ASKED = re.compile(
    r"\bbirth ?weight\b[^.;]{0,25}?(≥|>=|≤|<=|>|<|at least|more than|less than|greater than|below|above|"
    r"under|over|of)?\s*" + _WEIGHT + r"(?:\s*or\s*(more|greater|above|over|less|below|under))?",
    re.I,
)
_NOTE_BIRTH_WEIGHT = re.compile(
    r"\bbirth ?weight\b\D{0,20}?" + _WEIGHT + r"|\bweigh\w*\s+" + _WEIGHT + r"\s+at birth\b|"
    r"\bborn\b[^.;]{0,40}?\bweigh\w*\s+" + _WEIGHT,
    re.I,
)
_AFTER_WORDS = {
    "more": ">=",
    "greater": ">=",
    "above": ">=",
    "over": ">=",
    "less": "<=",
    "below": "<=",
    "under": "<=",
}
_BEFORE_WORDS = {"below": "<", "above": ">", "under": "<", "over": ">"}


def _grams(value: str, unit: str) -> float:
    number = float(value.replace(",", "."))
    return number * 1000 if unit.lower().startswith("k") else number


def birth_weight(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A birth-weight limit against the birth weight the note gives (grams and kilograms told apart)."""
    asked = _BIRTH_WEIGHT_ASKED.search(criterion.text)
    if asked is None:
        return None
    given = next(((m, i) for i, s in enumerate(note.sentences) if (m := _NOTE_BIRTH_WEIGHT.search(s))), None)
    if given is None:
        return None
    m, sentence = given
    value, unit = next((m.group(g), m.group(g + 1)) for g in (1, 3, 5) if m.group(g))
    grams = _grams(value, unit)
    words = (asked.group(1) or "").lower()
    op = _AFTER_WORDS.get((asked.group(4) or "").lower()) or _BEFORE_WORDS.get(words) or words
    if op in ("", "of"):
        return None
    inside = compare(grams, comparator_of(op), _grams(asked.group(2), asked.group(3)))
    if inside and other_words(criterion.text, _OWN_WORDS | {"weight", "birthweight", "g", "grams", "kg"}) > (
        OTHER_WORDS
    ):
        return None
    if inside:
        return positive_label(kind), sentence, N_("The note gives the birth weight.")
    return negative_label(kind), sentence, N_("The note gives a birth weight outside this limit.")


def _gestation_at_birth(note: NoteFacts, text: str) -> re.Match[str] | None:
    """For a baby or child, a gestational-age limit is the one at birth ("gestational age 24 to 31 weeks")."""
    if note.age is None or note.age >= CHILD_AGE or not re.search(r"\bgestation", text, re.I):
        return None
    return GESTATION_RANGE.search(text) or GESTATION_LIMIT.search(text)


def _premature_without_weeks(note: NoteFacts, text: str, kind: Kind) -> Found:
    """A child born prematurely, weeks not given ("after extreme prematurity"): not term; before 37 weeks."""
    if note.age is None or note.age >= ADULT_AGE:
        return None
    said = next((i for i, s in enumerate(note.sentences) if _NOTE_PREMATURE.search(s)), None)
    if said is None:
        return None
    reason = N_("The note says the patient was born prematurely.")
    if m := _BORN_LIMIT.search(text):
        words = m.group(1).lower()
        if float(m.group(2)) >= TERM_FROM_WEEKS and words in ("before", "less than", "<", "under"):
            return (
                (positive_label(kind), said, reason) if other_words(text, _OWN_WORDS) <= OTHER_WORDS else None
            )
        if float(m.group(2)) >= TERM_FROM_WEEKS and words not in ("≤", "<="):
            return negative_label(kind), said, reason
        return None
    if _BORN_LIMIT_AFTER.search(text):
        return None
    if _TERM.search(text) and not _PRETERM.search(text):
        return negative_label(kind), said, reason
    return None


# How a baby is fed: breast milk or formula.
_ASKS_BREASTFED = re.compile(r"\b(?:exclusively |fully )?breast[- ]?fed\b", re.I)
_ASKS_FORMULA = re.compile(r"\bformula[- ]?fed\b|\bformula[- ]feeding\b|\bbottle[- ]?fed\b", re.I)
_NOTE_BREASTFED = re.compile(r"\b(?:exclusively |fully )?breast[- ]?fed\b|\bbreast milk\b", re.I)
_NOTE_FORMULA = re.compile(r"\bformula[- ]?fed\b|\bformula\b|\bbottle[- ]?fed\b", re.I)
_EXCLUSIVELY = re.compile(r"\bexclusive(?:ly)?\b", re.I)


def feeding(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Breastfed infants", "formula-fed": against how the note says the baby is fed; open if unsaid."""
    text = criterion.text
    breast, formula = _ASKS_BREASTFED.search(text), _ASKS_FORMULA.search(text)
    if bool(breast) == bool(formula) or note.age is None or note.age >= ADULT_AGE:
        return None
    on_breast = next((i for i, s in enumerate(note.sentences) if _NOTE_BREASTFED.search(s)), None)
    on_formula = next((i for i, s in enumerate(note.sentences) if _NOTE_FORMULA.search(s)), None)
    reason = N_("The note says how the baby is fed.")
    if on_breast is None and on_formula is None:
        if kind == "exclusion":
            return "not excluded", None, N_("The note does not say how the baby is fed.")
        return NEI, None, N_("The note does not say how the baby is fed.")
    if breast:
        exclusive = bool(_EXCLUSIVELY.search(text))
        holds = on_breast is not None and not (exclusive and on_formula is not None)
    else:
        holds = on_formula is not None
    sentence = on_breast if (breast and holds) or (formula and not holds) else on_formula
    return (positive_label(kind) if holds else negative_label(kind)), sentence, reason


def births(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Term, preterm and weeks at birth; birth weight; how a baby is fed; one baby or several."""
    text = criterion.text
    if not _ABOUT_BIRTHS.search(text):
        return None  # a cheap test: every pattern below needs one of these words
    weight = birth_weight(note, criterion, kind) or feeding(note, criterion, kind)
    if weight is not None:
        return weight
    if _SINGLETON.search(text) or _MULTIPLE_ASKED.search(text):
        multiple = next((i for i, s in enumerate(note.sentences) if _NOTE_MULTIPLE.search(s)), None)
        single = next((i for i, s in enumerate(note.sentences) if _SINGLETON.search(s)), None)
        if _SINGLETON.search(text) and multiple is not None:
            return (
                negative_label(kind),
                multiple,
                N_("The note names twins or more; the criterion asks one baby."),
            )
        if not _SINGLETON.search(text) and single is not None:
            return (
                negative_label(kind),
                single,
                N_("The note names one baby; the criterion asks twins or more."),
            )
    if not (
        _BORN_LIMIT.search(text)
        or _BORN_LIMIT_AFTER.search(text)
        or _PRETERM.search(text)
        or _TERM.search(text)
        or _gestation_at_birth(note, text)
    ):
        return None  # asks nothing of the birth: the note's birth need not be read
    born = _weeks_at_birth(note)
    if born is None and (preterm := _premature_without_weeks(note, text, kind)) is not None:
        return preterm
    if born is None:
        if (_BORN_LIMIT.search(text) or _BORN_LIMIT_AFTER.search(text)) and not _NOTE_BIRTH.search(note.text):
            return NEI, None, N_("The note does not describe the patient's birth.")
        return None
    weeks, sentence = born
    if m := _BORN_LIMIT_AFTER.search(text):
        later = m.group(2).lower() in ("later", "more", "after", "beyond")
        inside = weeks >= float(m.group(1)) if later else weeks <= float(m.group(1))
    elif m := _BORN_LIMIT.search(text):
        words = m.group(1).lower()
        words = "at least" if words.startswith("at or") else _AS_COMPARATOR.get(words, words)
        inside = compare(weeks, comparator_of(words), float(m.group(2)))
    elif m := _gestation_at_birth(note, text):
        if m.re is GESTATION_RANGE:
            inside = float(m.group(1)) <= weeks <= float(m.group(2))
        else:
            words = "at least" if m.group(1).lower().startswith("at or") else m.group(1).lower()
            inside = compare(weeks, comparator_of(WORDS_AS_COMPARATORS.get(words, words)), float(m.group(2)))
    elif _PRETERM.search(text):
        inside = weeks < TERM_FROM_WEEKS
    elif _TERM.search(text):
        inside = weeks >= TERM_FROM_WEEKS
    else:
        return None
    if inside:
        if other_words(text, _OWN_WORDS) > OTHER_WORDS:
            return None  # "preterm infants with bronchopulmonary dysplasia" asks more
        return positive_label(kind), sentence, N_("The note gives the weeks of gestation at birth.")
    return (
        negative_label(kind),
        sentence,
        N_("The note gives weeks of gestation at birth outside this limit."),
    )
