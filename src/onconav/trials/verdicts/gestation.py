"""How far the pregnancy has gone: a criterion's gestational-age limits ("24 to 34 weeks of gestation",
"gestational age of at least 20 weeks") against the weeks the note gives for a current pregnancy ("G1P0 at
30 weeks' gestation"). Births ("born at 34 weeks") are the baby's history, not a pregnancy now, and are left
to the other rules.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.findings_more import WEEKS, cervical_length_mm, gestational_weeks
from onconav.trials.verdicts.measures import comparator_of, compare
from onconav.trials.verdicts.note import PREGNANT, NoteFacts
from onconav.trials.verdicts.text import other_words

_ABOUT_GESTATION = re.compile(
    r"\bgestation|\bweeks? pregnant\b|\bpregnan\w* of\b|\btrimesters?\b|"
    r"\bpregnan\w*\s+(?:beyond|after|over|before|under|at|>|<|≥|≤|of more than|of less than)\s*\d",
    re.I,
)
# The weeks of each trimester (ACOG: the first ends at 13 weeks 6 days, the second at 27 weeks 6 days).
CHILD_AGE = 10.0  # younger than this, the patient is the baby, never the mother
_TRIMESTERS = {"first": (0.0, 13.9), "second": (14.0, 27.9), "third": (28.0, 42.9)}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd)\b", re.I)
_TRIMESTER = re.compile(
    r"\b(?:(?:first|1st|second|2nd|third|3rd)\s*(?:,|or|and|/|-|to)\s*)*(first|1st|second|2nd|third|3rd)\s+"
    r"trimesters?\b",
    re.I,
)
_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third"}
_ABOUT_BIRTH = re.compile(r"\b(?:born|birth|deliver\w*|preterm|premature|postpartum)", re.I)
GESTATION_RANGE = re.compile(
    WEEKS
    + r"\s*(?:weeks?)?\s*(?:-|–|to|and|through)\s*"
    + WEEKS
    + r"\s*(?:\+\s*\d\s*)?(?:completed\s+)?weeks?",
    re.I,
)
GESTATION_LIMIT = re.compile(
    r"(at or (?:beyond|after|above)|≥|>=|≤|<=|>|<|at least|more than|greater than|less than|fewer than|"
    r"up to|no more than|before|after|"
    r"beyond|over|under)\s*(?:the\s+)?" + WEEKS + r"\s*(?:completed\s+)?weeks?",
    re.I,
)
WORDS_AS_COMPARATORS = {
    "before": "less than",
    "under": "less than",
    "after": "more than",
    "beyond": "more than",
}
# Words of the gestational limit itself; more than this many others and a criterion asks something else too.
_OWN_WORDS_TEXT = """
gestational gestation age weeks week pregnant pregnancy women woman of at between and the or with patients
subjects participants a an from to through completed least more less than below above under over before
after beyond greater fewer up no in during first second third trimester term
"""
_OWN_WORDS = frozenset(_OWN_WORDS_TEXT.split())
OTHER_WORDS = 0


def _other_words(text: str) -> int:
    return other_words(text, _OWN_WORDS)


def note_gestational_weeks(note: NoteFacts) -> tuple[float, int] | None:
    """The weeks of a current pregnancy the note gives, and the sentence; None when it gives none."""
    pregnant = any(m.concept in PREGNANT and m.polarity == "affirmed" for m in note.mentions)
    return gestational_weeks(note.sentences, pregnant)


# A cervical length limit ("cervical length < 25 mm", "cervix of 20 mm or less on transvaginal ultrasound")
# against the length the note gives ("cervical length 18 mm", "the cervix is 1.5 cm long").
_LENGTH_ASKED = re.compile(
    r"\b(?:cervical length|length of the cervix|cervix(?: length)?)\b(?:\s+(?:of|is|measured|measuring))?\s*"
    r"(≥|>=|≤|<=|>|<|=<|at least|more than|greater than|less than|shorter than|longer than|under|over|below|"
    r"above|up to|no more than)?\s*(\d{1,2}(?:\.\d)?)\s*(mm|cm)\b"
    r"(?:\s+(or less|or more|or shorter|or longer))?",
    re.I,
)
_LENGTH_WORDS = {
    "shorter than": "less than",
    "under": "less than",
    "below": "less than",
    "longer than": "more than",
    "over": "more than",
    "above": "more than",
    "=<": "<=",
    "or less": "<=",
    "or shorter": "<=",
    "or more": ">=",
    "or longer": ">=",
}
_LENGTH_OWN_TEXT = """
cervical length cervix of the a an with women woman patients mm cm or less more shorter longer than on by at
transvaginal ultrasound ultrasonography sonography tvus measured measuring short is below under above over up
to no greater least
"""
_LENGTH_OWN = frozenset(_LENGTH_OWN_TEXT.split())


def cervical_length(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A cervical length limit against the length the note measures."""
    if "cervi" not in criterion.text.lower():
        return None
    asked = _LENGTH_ASKED.search(criterion.text)
    if asked is None or not (asked.group(1) or asked.group(4)):
        return None
    if other_words(criterion.text[: asked.start()] + " " + criterion.text[asked.end() :], _LENGTH_OWN):
        return None  # the length is one requirement among others
    measured = cervical_length_mm(note.sentences)
    if measured is None:
        return None
    words = (asked.group(4) or asked.group(1)).lower()
    limit = float(asked.group(2)) * (10.0 if asked.group(3).lower() == "cm" else 1.0)
    inside = compare(measured[0], comparator_of(_LENGTH_WORDS.get(words, words)), limit)
    return (
        positive_label(kind) if inside else negative_label(kind),
        measured[1],
        N_("The note gives the cervical length.")
        if inside
        else N_("The note gives a cervical length outside this limit."),
    )


# The time since a birth: asked ("within 12 weeks of delivery", "up to 6 weeks postpartum") and given by a
# mother's note ("seen 6 weeks after the vaginal delivery", "on day 3 postpartum").
_SINCE_BIRTH_ASKED = re.compile(
    r"\b(?:within|up to|less than|no more than|<|≤)\s*(\d{1,3})\s*(days?|weeks?|months?)\s*"
    r"(?:of|after|following|from)?\s*(?:the\s+)?(?:delivery|birth|childbirth|giving birth|post-?partum)\b",
    re.I,
)
_SINCE_BIRTH_NOTE = re.compile(
    r"\b(\d{1,3}) (days?|weeks?|months?) (?:after|since|following) (?:the |her )?(?:[\w-]+ ){0,2}"
    r"(?:delivery|birth)\b|\b(\d{1,3}) (days?|weeks?) post-?partum\b|\b(day|week) (\d{1,3}) post-?partum\b",
    re.I,
)
_DAYS_IN = {"day": 1.0, "week": 7.0, "month": 30.4}


def _days(value: str, unit: str) -> float:
    return float(value) * _DAYS_IN[unit.lower().rstrip("s")]


def since_birth(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Within 12 weeks of delivery" against the days or weeks since the birth the note gives."""
    asked = _SINCE_BIRTH_ASKED.search(criterion.text)
    if asked is None or note.sex != "female" or (note.age is not None and note.age < CHILD_AGE):
        return None
    for i, sentence in enumerate(note.sentences):
        if m := _SINCE_BIRTH_NOTE.search(sentence):
            if m.group(1):
                days = _days(m.group(1), m.group(2))
            elif m.group(3):
                days = _days(m.group(3), m.group(4))
            else:
                days = _days(m.group(6), m.group(5))
            if days <= _days(asked.group(1), asked.group(2)):
                return positive_label(kind), i, N_("The note gives how long ago the patient gave birth.")
            return negative_label(kind), i, N_("The note says the birth was longer ago than this limit.")
    return None


def gestational_age(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Gestational-age limits against the note's weeks of pregnancy; the time since a birth; the length of
    the cervix."""
    text = criterion.text
    if (length := cervical_length(note, criterion, kind)) is not None:
        return length
    if (after_birth := since_birth(note, criterion, kind)) is not None:
        return after_birth
    if not _ABOUT_GESTATION.search(text) or _ABOUT_BIRTH.search(text):
        return None
    if note.sex == "male" and note.age is not None and note.age >= CHILD_AGE:
        # "His wife is 20 weeks pregnant": the weeks are not his.
        return NA, note.sex_sentence, N_("The criterion is about pregnancy; the patient is male.")
    if note.age is not None and note.age < CHILD_AGE:
        return None  # a child's gestational age is the one at birth (`births`)
    found = note_gestational_weeks(note)
    if found is None:
        return None
    weeks, sentence = found
    if m := _TRIMESTER.search(text):
        # "In the second or third trimester": every trimester named before the word.
        named = [_ORDINALS.get(w.lower(), w.lower()) for w in _ORDINAL.findall(m.group(0))]
        inside = any(_TRIMESTERS[w][0] <= weeks <= _TRIMESTERS[w][1] for w in named)
    elif m := GESTATION_RANGE.search(text):
        inside = float(m.group(1)) <= weeks <= float(m.group(2))
    elif m := GESTATION_LIMIT.search(text):
        words = "at least" if m.group(1).lower().startswith("at or") else m.group(1).lower()
        inside = compare(weeks, comparator_of(WORDS_AS_COMPARATORS.get(words, words)), float(m.group(2)))
    else:
        return None
    if inside and _other_words(text[: m.start()] + text[m.end() :]) > OTHER_WORDS:
        return None  # "singleton pregnancy before 34 weeks" asks more than the weeks
    return (
        positive_label(kind) if inside else negative_label(kind),
        sentence,
        N_("The note gives the weeks of pregnancy.")
        if inside
        else N_("The note gives weeks of pregnancy outside this limit."),
    )
