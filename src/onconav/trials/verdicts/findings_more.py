"""More diagnoses a note establishes by their findings (round 10), in pregnancy and early childhood; called
from `findings.implied_by_findings`, whose rules they follow (a diagnosis the note names itself, in any
context, is left to the note's own words). Textbook definitions, not fitted to any record:
- in pregnancy, a 75 g oral glucose tolerance test with a fasting glucose of 92 mg/dL (5.1 mmol/L) or
  more, 1 hour 180 (10.0) or 2 hours 153 (8.5) is gestational diabetes (IADPSG 2010, ADA Standards of
  Care), and so is a 100 g 3-hour test with two values at or above Carpenter-Coustan's 95/180/155/140
  mg/dL; a 50 g 1-hour glucose challenge test of 130 mg/dL or more is only a positive screen, the
  diagnosis left open (ACOG Practice Bulletin 190, 2018); a complete tolerance test under those limits
  rules it out;
- rupture of membranes (pooling, a positive nitrazine or fern test) before 37 weeks is preterm prelabour
  rupture of membranes, and at 37 weeks or later it is not preterm (ACOG Practice Bulletin 217, 2020);
- a transvaginal cervical length under 25 mm is a short cervix (ACOG Practice Bulletin 234, 2021; SMFM
  Consult Series 2016), 25 mm or more is not;
- a seizure with fever (38.0 °C or more) in a child of 6 months to 5 years, with no infection of the
  brain or its meninges and no epilepsy, is a febrile seizure (AAP clinical practice guideline, 2011).
"""

from __future__ import annotations

import re

from onconav.trials.verdicts.text import Mention, ancestors, context, tokenize

# Weeks of gestation: "30", "30.5", "30+2", "30 2/7".
WEEKS = r"(\d{1,2}(?:\.\d)?)(?:\s*\+\s*\d(?:/7)?|\s*\d/7)?"
NOTE_WEEKS = re.compile(
    r"\b" + WEEKS + r"\s*-?\s*weeks?'?\s*(?:of\s+)?(?:gestation\b|gestational age|pregnan\w*)|"
    r"\bgestational age (?:of |is )?" + WEEKS,
    re.I,
)
AT_WEEKS = re.compile(
    r"\bat\s+" + WEEKS + r"\s*weeks?\b(?!\s*(?:ago|old|of age|after|before|postpartum))", re.I
)
# A sentence about a birth gives the baby's weeks or a pregnancy that is over ("born at 34 weeks", "delivered
# at 39 weeks"); "preterm" and "premature" alone ("preterm labour at 32 weeks") are still the pregnancy's.
ABOUT_BIRTH = re.compile(
    r"\b(?:born|birth|deliver\w*|postpartum|ex-?\d|"
    r"(?:preterm|premature) (?:infant|neonate|newborn|baby|boy|girl))",
    re.I,
)
_GRAVIDA = re.compile(r"\bG\s?\d{1,2}\s?P\s?\d{1,2}\b|\bgravida\b|\bprimigravid\w*", re.I)


def gestational_weeks(sentences: tuple[str, ...], pregnant: bool) -> tuple[float, int] | None:
    """The weeks of a current pregnancy the note gives, and the sentence; None when it gives none. "At 30
    weeks" counts in a pregnancy ("a pregnant woman", "G2P1") and never in a sentence about a birth."""
    for i, sentence in enumerate(sentences):
        if ABOUT_BIRTH.search(sentence):
            continue
        m = NOTE_WEEKS.search(sentence)
        if m is not None:
            return float(m.group(1) or m.group(2)), i
    if pregnant or any(_GRAVIDA.search(s) for s in sentences):
        for i, sentence in enumerate(sentences):
            m = AT_WEEKS.search(sentence)
            if m is not None and not ABOUT_BIRTH.search(sentence):
                return float(m.group(1)), i
    return None


def _affirmed_at(sentence: str, start: int, end: int) -> bool:
    tokens = tokenize(sentence)
    inside = [i for i, t in enumerate(tokens) if start <= t.start < end]
    return bool(inside) and context(tokens, [t.word for t in tokens], inside[0], inside[-1] + 1) == "affirmed"


def _affirmed(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    return next((m for m in pattern.finditer(sentence) if _affirmed_at(sentence, m.start(), m.end())), None)


# Gestational diabetes: the glucose tolerance tests and the challenge test that screens for them.
_OGTT = re.compile(
    r"\b(?:o?gtt|glucose tolerance tests?)\b|"
    r"\b(?:3|three)[- ]?(?:h|hr|hour) (?:glucose |oral glucose )?test\b|"
    r"\b100[- ]?(?:g|gm|grams?) (?:oral )?glucose\b",
    re.I,
)
_GCT = re.compile(
    r"\b(?:gct|glucola)\b|\bglucose (?:challenge|screen\w*|loading)(?: tests?)?\b|"
    r"\b(?:50|fifty)[- ]?(?:g|gm|grams?)\b[^.]{0,30}\bglucose\b",
    re.I,
)
_HUNDRED_GRAMS = re.compile(r"\b100[- ]?(?:g|gm|grams?)\b|\b(?:3|three)[- ]?(?:h|hr|hours?)\b", re.I)
_FAILED_OGTT = re.compile(r"\b(?:failed|abnormal)\b[^.]{0,30}\b(?:o?gtt|glucose tolerance)", re.I)
_FAILED_TEST = re.compile(r"\b(?:failed|abnormal|positive|elevated)\b", re.I)
_NUMBER = r"(\d{1,3}(?:\.\d)?)"
# "fasting 96", "1-hour 192", "2 h: 160", "at 3 hours 142"
_TIMED = re.compile(
    r"\b(fasting|fbg|fpg|(?:1|one|2|two|3|three)[- ]?(?:h|hr|hrs|hours?))\b(?:\s*(?:value|plasma|blood|"
    r"serum|glucose|sugar|level|reading|post[- ]?load)){0,2}\s*(?:of|was|were|is|=|:)?\s*"
    + _NUMBER
    + r"\b(?!\s*-?\s*(?:g|gm|grams?|h|hr|hours?)\b)",
    re.I,
)
_SLASHED = re.compile(r"\b(\d{2,3}(?:\.\d)?)(?:\s*/\s*(\d{2,3}(?:\.\d)?)){2,3}\b")
# "values of 85, 175 and 150 mg/dL": fasting, then each hour, in order
_LISTED = re.compile(
    r"\bvalues?\s*(?:of|were|was|:)?\s*\d{1,3}(?:\.\d)?(?:\s*(?:,|and|,\s*and)\s*\d{1,3}(?:\.\d)?){2,3}\b",
    re.I,
)
_HOURS = {"1": 1, "one": 1, "2": 2, "two": 2, "3": 3, "three": 3}
# Limits in mg/dL, and in mmol/L when the values are under 30.
IADPSG_MG = (92.0, 180.0, 153.0)
IADPSG_MMOL = (5.1, 10.0, 8.5)
CARPENTER_COUSTAN_MG = (95.0, 180.0, 155.0, 140.0)
CARPENTER_COUSTAN_MMOL = (5.3, 10.0, 8.6, 7.8)
CARPENTER_COUSTAN_VALUES = 2
MMOL_BELOW = 30.0
GCT_POSITIVE_MG = 130.0  # 130, 135 or 140 mg/dL, as programmes choose; every one is only a screen
GCT_POSITIVE_MMOL = 7.2


def _timed_values(sentence: str) -> dict[int, float]:
    values: dict[int, float] = {}
    for m in _TIMED.finditer(sentence):
        key = m.group(1).lower()
        hour = re.match(r"\d|one|two|three", key)
        place = _HOURS[hour.group(0)] if hour else 0  # fasting
        values.setdefault(place, float(m.group(2)))
    if not values and (listed := _SLASHED.search(sentence) or _LISTED.search(sentence)):
        values = {i: float(v) for i, v in enumerate(re.findall(r"\d{1,3}(?:\.\d)?", listed.group(0)))}
    return values


def _tolerance_test(sentence: str) -> bool | None:
    """Whether a glucose tolerance test shows gestational diabetes: True, False when every value of the
    test is given and under its limit, None when it cannot tell."""
    values = _timed_values(sentence)
    if not values:
        return True if _affirmed(_FAILED_OGTT, sentence) else None
    mmol = max(values.values()) < MMOL_BELOW
    if 3 in values or _HUNDRED_GRAMS.search(sentence):
        limits = CARPENTER_COUSTAN_MMOL if mmol else CARPENTER_COUSTAN_MG
        high = sum(1 for place, v in values.items() if place < len(limits) and v >= limits[place])
        if high >= CARPENTER_COUSTAN_VALUES:
            return True
        return False if len(values) - high >= len(limits) - 1 else None
    two_hour = IADPSG_MMOL if mmol else IADPSG_MG
    if any(place < len(two_hour) and v >= two_hour[place] for place, v in values.items()):
        return True
    return False if len(values) >= len(two_hour) else None


_NOT_GLUCOSE = re.compile(r"\s*-?\s*(?:h|hrs?|hours?|g|gm|grams?|weeks?|wks?|days?|/7)\b", re.I)


def _challenge_positive(sentence: str, test: re.Match[str]) -> bool:
    after = sentence[test.end() :]
    for m in re.finditer(r"\d{1,3}(?:\.\d)?", after):
        value = float(m.group(0))
        if _NOT_GLUCOSE.match(after[m.end() :]):
            continue  # the test's own hour and load, the weeks of the pregnancy
        return value >= (GCT_POSITIVE_MMOL if value < MMOL_BELOW else GCT_POSITIVE_MG)
    return bool(_FAILED_TEST.search(sentence[: test.start()] + " " + after[:30]))


def _gestational_diabetes(sentences: tuple[str, ...], pregnant: bool) -> Mention | None:
    """Gestational diabetes established by a tolerance test (affirmed), or only screened for (uncertain)."""
    if not pregnant:
        return None
    screened: int | None = None
    normal: int | None = None
    for i, sentence in enumerate(sentences):
        if "gluc" not in sentence.lower() and not re.search(r"gtt|gct", sentence, re.I):
            continue
        shown = _tolerance_test(sentence) if _OGTT.search(sentence) else None
        if shown:
            return Mention("gestational-diabetes", i, 0, 0, "affirmed")
        if shown is False and normal is None:
            normal = i
        elif (test := _GCT.search(sentence)) and screened is None and _challenge_positive(sentence, test):
            screened = i
    if normal is not None:
        # the diagnostic test, complete and normal, answers what the screen asked
        return Mention("gestational-diabetes", normal, 0, 0, "negated")
    return None if screened is None else Mention("gestational-diabetes", screened, 0, 0, "uncertain")


# Rupture of membranes, seen or tested, or named ("PROM", "SROM", "her membranes ruptured").
_RUPTURE = re.compile(
    r"\bpooling (?:of )?(?:clear |amniotic |watery )?fluid\b|\bpooling (?:in|of) (?:the )?(?:posterior )?"
    r"(?:fornix|vault|vagina)\b|\bpositive pooling\b|"
    r"\bnitrazine\b[^.]{0,20}\b(?:positive|turned blue|blue)\b|\bpositive nitrazine\b|"
    r"\bfern(?:ing)?\b[^.]{0,20}\b(?:present|positive|seen|noted)\b|\bpositive fern\w*|\bferning\b|"
    r"\bamnisure\b[^.]{0,20}\bpositive\b|\bpositive amnisure\b|"
    r"\b(?:spontaneous )?rupture of (?:the )?(?:fetal )?membranes\b|\bruptured (?:her |the )?membranes\b|"
    r"\bmembranes (?:have |had )?ruptured\b",
    re.I,
)
# "SROM", "PROM" only in capitals ("ROM" alone is as often the range of motion)
_RUPTURE_ABBREVIATION = re.compile(r"\b(?:SROM|PROM)\b")
_CONCEPT_RUPTURE = "rupture-of-membranes"
_PRETERM_RUPTURE = "preterm-rupture-of-membranes"
TERM_FROM_WEEKS = 37.0  # WHO: born before 37 completed weeks is preterm


def _ruptured(sentences: tuple[str, ...], found: list[Mention]) -> int | None:
    named = next(
        (m.sentence for m in found if m.polarity == "affirmed" and _CONCEPT_RUPTURE in ancestors(m.concept)),
        None,
    )
    if named is not None:
        return named
    for i, sentence in enumerate(sentences):
        if re.search(r"membran|pooling|nitrazine|fern|amnisure", sentence, re.I) and _affirmed(
            _RUPTURE, sentence
        ):
            return i
        if "ROM" in sentence and _affirmed(_RUPTURE_ABBREVIATION, sentence):
            return i
    return None


def _membranes(
    sentences: tuple[str, ...], found: list[Mention], named: set[str], pregnant: bool
) -> list[Mention]:
    """Rupture of membranes before 37 weeks is preterm (affirmed); at term it is not (the preterm kind
    negated, the rupture itself affirmed)."""
    if _PRETERM_RUPTURE in named:
        return []
    rupture = _ruptured(sentences, found)
    weeks = gestational_weeks(sentences, pregnant) if rupture is not None else None
    if rupture is None or weeks is None:
        return []
    if weeks[0] < TERM_FROM_WEEKS:
        return [Mention(_PRETERM_RUPTURE, rupture, 0, 0, "affirmed")]
    out = [Mention(_PRETERM_RUPTURE, weeks[1], 0, 0, "negated")]
    if _CONCEPT_RUPTURE not in named:
        out.append(Mention(_CONCEPT_RUPTURE, rupture, 0, 0, "affirmed"))
    return out


_CERVICAL_LENGTH = re.compile(
    r"\bcervical length\b(?: (?:is|was|of|measur\w+|at))*\s*:?\s*(\d{1,2}(?:\.\d)?)\s*(mm|cm)\b|"
    r"\bcervix\b(?: (?:is|was))* measur\w+\s*(\d{1,2}(?:\.\d)?)\s*(mm|cm)\b(?! dilat)|"
    r"\bcervix\b(?: (?:is|was))*\s*(\d{1,2}(?:\.\d)?)\s*(mm|cm) (?:long|in length)\b",
    re.I,
)
SHORT_CERVIX_MM = 25.0


def cervical_length_mm(sentences: tuple[str, ...]) -> tuple[float, int] | None:
    """The cervical length the note gives, in millimetres, and its sentence."""
    for i, sentence in enumerate(sentences):
        if "cervi" not in sentence.lower():
            continue
        if m := _CERVICAL_LENGTH.search(sentence):
            value, unit = next((m.group(g), m.group(g + 1)) for g in (1, 3, 5) if m.group(g))
            return float(value) * (10.0 if unit.lower() == "cm" else 1.0), i
    return None


def _short_cervix(sentences: tuple[str, ...], named: set[str]) -> list[Mention]:
    length = None if "short-cervix" in named else cervical_length_mm(sentences)
    if length is None:
        return []
    short = length[0] < SHORT_CERVIX_MM
    return [Mention("short-cervix", length[1], 0, 0, "affirmed" if short else "negated")]


# Febrile seizures: 6 months to 5 years (AAP, 2011).
FEBRILE_SEIZURE_AGES = (0.5, 5.0)
_SEIZURE = re.compile(r"\bseiz\w*|\bconvuls\w*|\btonic[- ]clonic\b", re.I)
FEVER_NEAR = 2  # the fever in the seizure's sentence or at most two sentences away
_EPILEPSY = re.compile(
    r"\bepilep\w*|\bseizure disorder\b|\bafebrile seizures?\b|\bunprovoked seizures?\b|"
    r"\b(?:previous|prior|past|earlier|recurrent) (?:\w+ ){0,2}seizures?\b|"
    r"\bhistory of (?:\w+ ){0,2}seizures?\b",
    re.I,
)
_BRAIN_INFECTIONS = frozenset({"meningitis", "encephalitis"})


def _febrile_seizure(
    sentences: tuple[str, ...], found: list[Mention], age: float | None, named: set[str]
) -> list[Mention]:
    youngest, oldest = FEBRILE_SEIZURE_AGES
    if age is None or not youngest <= age <= oldest or "febrile-seizure" in named:
        return []
    fevers = [m.sentence for m in found if m.polarity == "affirmed" and m.concept == "fever"]
    if not fevers:
        return []
    if any(m.polarity == "affirmed" and _BRAIN_INFECTIONS & set(ancestors(m.concept)) for m in found):
        return []
    seizure = next((i for i, s in enumerate(sentences) if _affirmed(_SEIZURE, s)), None)
    if seizure is None or any(_affirmed(_EPILEPSY, s) for s in sentences):
        return []
    if all(abs(f - seizure) > FEVER_NEAR for f in fevers):
        return []  # a fever at another time
    return [Mention("febrile-seizure", seizure, 0, 0, "affirmed")]


def more_implied_by_findings(
    sentences: tuple[str, ...], found: list[Mention], named: set[str], pregnant: bool, age: float | None
) -> list[Mention]:
    """The diagnoses of this module the note's findings establish (or, for a screening test, suggest), and
    the preterm rupture or short cervix its measures rule out."""
    out: list[Mention] = []
    if "gestational-diabetes" not in named:
        weeks = gestational_weeks(sentences, pregnant) if not pregnant else None
        diabetes = _gestational_diabetes(sentences, pregnant or weeks is not None)
        if diabetes is not None:
            out.append(diabetes)
    out.extend(_membranes(sentences, found, named, pregnant))
    out.extend(_short_cervix(sentences, named))
    out.extend(_febrile_seizure(sentences, found, age, named))
    return out
