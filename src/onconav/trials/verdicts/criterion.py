"""What can be checked structurally in one eligibility criterion: age, sex, performance status, organ
function thresholds, the cancer named (histology, stage, biomarkers, brain metastases), prior lines of
therapy, the concepts it names and the topic it belongs to (consent, pregnancy, contraception...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from onconav.knowledge import service as knowledge
from onconav.trials import oncotree
from onconav.trials.verdicts.ages import AgeRange, age_range
from onconav.trials.verdicts.measures import Comparator, Threshold, comparator_of, thresholds
from onconav.trials.verdicts.text import Mention, Token, ancestors, mentions, tokenize

_BOTH_SEXES = re.compile(
    r"\b(male and female|female and male|men and women|women and men|both sex(?:es)?|both genders?|"
    r"either sex|"
    r"all sex(?:es)?|all genders?|males? or females?|females? or males?|any gender|any sex)\b",
    re.IGNORECASE,
)
_FEMALE = re.compile(r"\b(females?|wom[ae]n|girls?|ladies)\b", re.IGNORECASE)
_MALE = re.compile(r"\b(males?|m[ae]n|boys?)\b", re.IGNORECASE)
_ECOG = re.compile(
    r"(?:ecog|zubrod|who)(?:[\s/]*(?:performance|ps|status|score|grade|scale|of|\(|\)|:)+)*\s*"
    r"((?:[≤<>≥]=?|of|less than(?: or equal to)?|greater than|up to|at least)?\s*"
    r"[0-4](?:\s*(?:-|–|to|,|or|and)\s*[0-4])*)",
    re.IGNORECASE,
)
_LINES = re.compile(
    r"(at least|no more than|not more than|up to|maximum of|≤|<=|≥|>=|more than|fewer than|less than|>|<)?\s*"
    r"(\d|one|two|three|four|five)\s*(?:or more\s*)?(?:prior|previous|lines?|regimens?)\b"
    r"(?:\s+(?:lines?|regimens?))?"
    r"(?:\s+of)?(?:\s+(?:systemic|chemotherapy|prior|therapy|treatment))*",
    re.IGNORECASE,
)
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NAIVE = re.compile(
    r"\b(treatment[- ]na[iï]ve|chemo(?:therapy)?[- ]?na[iï]ve|previously untreated|no prior (?:systemic )?"
    r"(?:therapy|treatment|chemotherapy)|not (?:been )?(?:previously )?treated|untreated)\b",
    re.IGNORECASE,
)

TOPICS: dict[str, re.Pattern[str]] = {
    "consent": re.compile(
        r"informed consent|consent form|\bconsent\b|\bsign(?:ed|s)?\b.*\b(?:form|consent)|\bvoluntar",
        re.IGNORECASE,
    ),
    "compliance": re.compile(
        r"\bcomply\b|\bcompliance\b|complian|adhere|adherence|follow[- ]?up|"
        r"study (?:visits|procedures|requirements)|"
        r"protocol (?:requirements|procedures|visits)|"
        r"willing|willingness|able to (?:understand|attend|complete|return|participate)|"
        r"ability to (?:understand|attend|complete|comply|participate)|geographical|monitoring|"
        r"\brefus",
        re.IGNORECASE,
    ),
    "pregnancy": re.compile(
        r"pregnan|breast[- ]?feeding|lactat|\bnursing\b|childbearing|child[- ]bearing|"
        r"contracept|birth[- ]control|menarche|fertile|egg donation",
        re.IGNORECASE,
    ),
    "contraception": re.compile(
        r"contracept|birth[- ]control|barrier method|condoms?\b|abstinen|sterili[sz]", re.IGNORECASE
    ),
    "trial-participation": re.compile(
        r"(?:other|another|any|previous|concurrent|simultaneous)\s+(?:\w+\s+){0,3}"
        r"(?:clinical )?(?:trial|study|studies)|"
        r"investigational (?:drug|agent|product|medication|therapy|device)|previous enrollment|"
        r"participat\w+ in (?:a|an|any|another)",
        re.IGNORECASE,
    ),
    "investigator-judgement": re.compile(
        r"investigator'?s? (?:opinion|judgement|judgment|discretion)|in the opinion of|"
        r"judged by the investigator|"
        r"(?:would|may|could) (?:interfere|confound|compromise|put the patient at risk)",
        re.IGNORECASE,
    ),
    "language": re.compile(
        r"\bspeak|\bspeaking|\blanguage\b|english|finnish|swedish|spanish|french|german|translat",
        re.IGNORECASE,
    ),
}


ECOG_SCORES = range(5)  # 0 (fully active) to 4 (completely disabled); 5 is death
KARNOFSKY_SCORES = range(0, 101, 10)


@dataclass(frozen=True)
class PerformanceRange:
    """Scores a performance-status criterion admits."""

    scale: str  # "ecog" or "karnofsky"
    allowed: frozenset[int]


@dataclass(frozen=True)
class PriorLines:
    """How many prior lines of therapy a criterion asks for."""

    op: Comparator
    count: int


@dataclass(frozen=True)
class CriterionFacts:
    """Everything read from one criterion's text, once; judged against many notes."""

    text: str
    words: tuple[str, ...]
    age: AgeRange | None
    sexes: frozenset[str] | None  # {"female"}, {"male"}, {"female", "male"} or None when not said
    performance: PerformanceRange | None
    thresholds: tuple[Threshold, ...]
    topics: frozenset[str]
    mentions: tuple[Mention, ...]
    cancer: str | None  # knowledge catalogue code of the cancer named
    stage: str | None  # stage group named
    metastatic_sites: frozenset[str]
    biomarkers: tuple[tuple[str, str], ...]  # (name, positive|negative|unknown)
    prior_lines: PriorLines | None
    treatment_naive: bool
    negated_subject: bool  # "patients without X", "never received X", "no X"
    histologies: frozenset[str] = frozenset()  # "adenocarcinoma", "squamous", "small-cell", "epithelioid"...
    stages: frozenset[str] = frozenset()  # every stage group named ("stage IIIB-IV": III and IV)
    segments: tuple[int, ...] = ()  # for each word, which alternative of a list ("A, B or C") it is in
    cancer_types: tuple[str, ...] = ()  # OncoTree types named (and the pseudo-types "solid", "any cancer")

    @property
    def concepts(self) -> frozenset[str]:
        """Concepts the criterion names, negated or not."""
        return frozenset(m.concept for m in self.mentions)


def _sexes(text: str) -> frozenset[str] | None:
    if _BOTH_SEXES.search(text):
        return frozenset({"female", "male"})
    female, male = bool(_FEMALE.search(text)), bool(_MALE.search(text))
    if female and male:
        return frozenset({"female", "male"})
    if female:
        return frozenset({"female"})
    if male:
        return frozenset({"male"})
    return None


def _ecog_allowed(spec: str) -> frozenset[int] | None:
    spec = spec.strip().lower()
    digits = [int(d) for d in re.findall(r"[0-4]", spec)]
    if not digits:
        return None
    head = re.match(r"(≤|<=|<|≥|>=|>|less than or equal to|less than|greater than|up to|at least|of)?", spec)
    op = head.group(1) if head else None
    if op and op != "of":
        value = digits[0]
        comparator = (
            comparator_of(op)
            if op not in ("≤", "<=", "<", "≥", ">=", ">")
            else {"≤": "<=", "<=": "<=", "<": "<", "≥": ">=", ">=": ">=", ">": ">"}[op]
        )
        return frozenset(
            s
            for s in ECOG_SCORES
            if {"<": s < value, "<=": s <= value, ">": s > value, ">=": s >= value}.get(
                comparator, s == value
            )
        )
    if len(digits) == 2 and re.search(r"-|–|to", spec):
        return frozenset(range(digits[0], digits[1] + 1))
    return frozenset(digits)


def _performance(text: str, found: list[Threshold]) -> PerformanceRange | None:
    m = _ECOG.search(text)
    if m and re.search(r"ecog|zubrod|who (?:performance|ps)", text, re.IGNORECASE):
        allowed = _ecog_allowed(m.group(1))
        if allowed:
            return PerformanceRange("ecog", allowed)
    for t in found:
        if t.measure == "karnofsky":
            return PerformanceRange(
                "karnofsky",
                frozenset(s for s in KARNOFSKY_SCORES if _holds(s, t.op, t.value)),
            )
    return None


def _holds(value: float, op: Comparator, bound: float) -> bool:
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}.get(
        op, value == bound
    )


def _prior_lines(text: str) -> PriorLines | None:
    if not re.search(r"\b(?:lines?|regimens?)\b", text, re.IGNORECASE):
        return None
    m = _LINES.search(text)
    if m is None:
        return None
    raw = m.group(2).lower()
    count = WORD_NUMBERS.get(raw) or int(raw)
    op_words = (m.group(1) or "").lower()
    if "or more" in m.group(0).lower():
        return PriorLines(">=", count)
    op: Comparator = comparator_of(op_words) if op_words else "="
    return PriorLines(op, count)


_NEGATED_SUBJECT = re.compile(
    r"^\W*(?:patients?|subjects?|participants?|those|people|individuals?)?\s*(?:who\s+(?:have|has)\s+)?"
    r"(?:(?:without|never|no|not)\b(?!\s+(?:more|less|greater|fewer|longer)\b)|"
    # "Non-diabetic subjects", "non-smokers"; not the names "non-small cell", "non-Hodgkin", "non-squamous"
    r"non-?(?!small|squamous|hodgkin|muscle|invasive|melanoma|english|native|heal|complian|adheren|respon|ambulat|"
    r"union|fasting|"
    # nor "nonalcoholic steatohepatitis", "nonproliferative", "non-epileptic", "non-ST elevation", "NSAIDs"
    r"alcoholic|proliferative|epileptic|st\b|obstructive|valvular|isch|insulin|steroidal|specific)(?=[a-z]))",
    re.IGNORECASE,
)


# Histologic types named in oncology criteria, with the words that name them.
HISTOLOGIES: dict[str, re.Pattern[str]] = {
    name: re.compile(rx, re.IGNORECASE)
    for name, rx in {
        "non-small-cell": r"non[- ]?small[- ]?cell|\bnsclc\b",
        "small-cell": r"(?<!non )(?<!non-)\bsmall[- ]?cell\b|\bsclc\b",
        "adenocarcinoma": r"adenocarcinoma",
        "non-squamous": r"\bnon[- ]?squamous",
        "squamous": r"(?<!non-)(?<!non )(?<!non)squamous",
        "large-cell": r"large[- ]?cell",
        "epithelioid": r"epithelioid",
        "sarcomatoid": r"sarcomatoid",
        "biphasic": r"biphasic|mixed[- ]type mesothelioma",
        "ductal": r"ductal",
        "lobular": r"lobular",
        "clear-cell": r"clear[- ]?cell",
        "urothelial": r"urothelial|transitional[- ]cell",
        "neuroendocrine": r"neuroendocrine|carcinoid",
        "melanoma": r"melanoma",
        "sarcoma": r"(?<!carcino)sarcoma\b",
        "lymphoma": r"lymphoma",
    }.items()
}


def histologies(text: str) -> frozenset[str]:
    """The histologic types a criterion names."""
    found = {name for name, rx in HISTOLOGIES.items() if rx.search(text)}
    if "non-small-cell" in found and not re.search(r"(?<!non[- ])\bsmall[- ]?cell", text, re.I):
        found.discard("small-cell")
    return frozenset(found)


_ROMAN = r"(?:iv|v|i{1,3})[a-c]?\d?"
_STAGES = re.compile(
    rf"\bstages?\s+({_ROMAN}(?:\s*(?:,|or|and|-|–|to|/|through)\s*(?:stage\s+)?{_ROMAN})*)\b", re.I
)
_GROUPS = ("I", "II", "III", "IV")


def stage_groups(text: str) -> frozenset[str]:
    """Stage groups a criterion names: "stage IIIB or IV" gives III and IV; ranges are filled in."""
    found: set[str] = set()
    for m in _STAGES.finditer(text):
        spec = m.group(1)
        numerals = (re.sub(r"[a-c]?\d?$", "", g, flags=re.I).upper() for g in re.findall(_ROMAN, spec, re.I))
        groups = [g for g in numerals if g in _GROUPS]
        if len(groups) == 2 and re.search(r"-|–|to|through", spec, re.I):
            a, b = sorted((_GROUPS.index(groups[0]), _GROUPS.index(groups[1])))
            groups = list(_GROUPS[a : b + 1])
        found.update(groups)
    # Small cell lung cancer's two stages: limited counts as III, extensive as IV (as in `cancer.py`).
    if re.search(r"\blimited[- ](?:stage|disease)\b", text, re.I):
        found.add("III")
    if re.search(r"\bextensive[- ](?:stage|disease)\b", text, re.I):
        found.add("IV")
    return frozenset(found)


_NON_SQUAMOUS = re.compile(r"\bnon[- ]squamous", re.IGNORECASE)
_ENUMERATION = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)]|[ivx]{1,4}[.)]|[-•*§·])\s+", re.IGNORECASE)


# "Criteria" of this many characters or more are whole sections pasted as one: the knowledge reader is
# not asked.
EXPLAINED_LENGTH_LIMIT = 2000


@lru_cache(maxsize=65_536)
def read_criterion(text: str) -> CriterionFacts:
    """Read one criterion (cached: the same criterion is judged for every patient)."""
    text = _ENUMERATION.sub("", text)
    tokens = tokenize(text)
    found = thresholds(text)
    # The knowledge reader would take "non-squamous" for squamous cell carcinoma.
    explanation = (
        knowledge.explain(_NON_SQUAMOUS.sub("nonsquamous", text))
        if len(text) < EXPLAINED_LENGTH_LIMIT
        else None
    )
    topics = frozenset(name for name, rx in TOPICS.items() if rx.search(text))
    return CriterionFacts(
        text=text,
        words=tuple(t.word for t in tokens),
        age=_age(text),
        sexes=_sexes(text),
        performance=_performance(text, found),
        thresholds=tuple(t for t in found if t.measure not in ("ecog", "karnofsky")),
        topics=topics,
        mentions=tuple(
            _not_anticancer(_shared_heads(text, tokens, mentions(tokens, 0)), [t.word for t in tokens])
        ),
        cancer=_cancer_asked(text, explanation),
        stage=explanation.stage.group if explanation and explanation.stage else None,
        metastatic_sites=frozenset(s.site for s in explanation.metastatic_sites)
        if explanation
        else frozenset(),
        biomarkers=tuple((b.name, b.status) for b in explanation.biomarkers) if explanation else (),
        prior_lines=_prior_lines(text),
        treatment_naive=bool(_NAIVE.search(text)),
        negated_subject=bool(_NEGATED_SUBJECT.search(text)),
        histologies=histologies(text),
        stages=stage_groups(text),
        segments=_segments(text, [t.start for t in tokens], [t.word for t in tokens]),
        cancer_types=oncotree.types_named(_subject_text(text)) if len(text) < EXPLAINED_LENGTH_LIMIT else (),
    )


def _cancer_asked(text: str, explanation: Any) -> str | None:
    """The catalogue code of the cancer the criterion asks, not one named only in a clause about other
    patients ("...; patients with glioblastoma must have been on a stable dose of steroids")."""
    if explanation is None or explanation.condition is None:
        return None
    if (clause := _OTHER_PATIENTS.search(text)) is not None and clause.start() > 0:
        own = knowledge.explain(text[: clause.start()] + text[clause.end() :])
        return str(own.condition.code) if own.condition else None
    return str(explanation.condition.code)


# A clause about other patients, after what the criterion asks of everyone ("...; patients with GBM must").
_OTHER_PATIENTS = re.compile(
    r"[;.]\s*(?:patients|subjects|participants|those) with [^;.]*?"
    r"\b(?:must|are to|should|may|will|need|can)\b[^;]*",
    re.I,
)


# "Hepatitis B or C", "hepatitis B and/or C": the second letter names a concept with the first's head word.
_SHARED_HEAD = re.compile(r"\b(hepatitis)\s+[abc]\s*(?:,|/|or|and|and/or)\s*([abc])\b", re.I)


def _shared_heads(text: str, tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """The criterion's mentions with those a shared head word names ("hepatitis B or C": hepatitis C)."""
    out = list(found)
    for match in _SHARED_HEAD.finditer(text):
        place = next((i for i, t in enumerate(tokens) if t.start == match.start(2)), None)
        named = mentions(tokenize(f"{match.group(1)} {match.group(2)}"), 0)
        if place is None or not named or any(m.first == place for m in found):
            continue
        before = [m for m in found if m.last <= place]
        polarity = before[-1].polarity if before else "affirmed"
        out.append(Mention(named[0].concept, 0, place, place + 1, polarity))
    return sorted(out, key=lambda m: m.first)


# "Systemic treatment" is anticancer therapy unless the criterion says it is for something else:
# "systemic corticosteroids", "systemic treatment for psoriasis", "an autoimmune disease that required
# systemic treatment".
_OTHER_SYSTEMIC_BEFORE = frozenset(
    {
        "immunosuppressive",
        "immunosuppressant",
        "steroid",
        "corticosteroid",
        "antibiotic",
        "antifungal",
        "antiviral",
        "antimicrobial",
        "inflammatory",
        "glucocorticoid",
        "anticoagulant",
        "antibacterial",
    }
)
_FOR_WORDS = frozenset({"for", "of", "to", "treat", "against"})
OTHER_PURPOSE_REACH = 4  # words after "systemic treatment for" where the condition it treats is named
REQUIRED_REACH = 8  # words before "required systemic treatment" where that condition is named


def _not_anticancer(found: list[Mention], words: list[str]) -> list[Mention]:
    """The criterion's mentions without "systemic treatment" when it treats something other than cancer."""
    kept = []
    for m in found:
        if m.concept == "systemic-therapy" and _for_another_condition(m, found, words):
            continue
        kept.append(m)
    return kept


def _for_another_condition(m: Mention, found: list[Mention], words: list[str]) -> bool:
    if m.first > 0 and words[m.first - 1] in _OTHER_SYSTEMIC_BEFORE:
        return True
    if m.last < len(words) and words[m.last] in _FOR_WORDS:
        after = [o for o in found if m.last < o.first <= m.last + OTHER_PURPOSE_REACH]
        if after and not any(_is_cancer_concept(o.concept) for o in after):
            return True
    required = {"required", "requiring", "require", "need", "needed", "needing", "requires"}
    if any(w in required for w in words[max(0, m.first - 3) : m.first]):
        before = [o for o in found if m.first - REQUIRED_REACH <= o.last <= m.first and o is not m]
        return bool(before) and not any(_is_cancer_concept(o.concept) for o in before)
    return False


def _is_cancer_concept(concept: str) -> bool:
    chain = ancestors(concept)
    return "cancer" in chain or "systemic-therapy" in chain or "radiotherapy" in chain


# Clauses about other patients ("patients with glioblastoma must ...") and exceptions ("except for skin
# cancer") name cancers that are not what the criterion asks of this patient.
_CLAUSES_ABOUT_OTHERS = re.compile(
    r"(?:(?:patients|subjects|participants|those) with [^;.]*?\b(?:must|are to|should|may|will|need|can)\b"
    r"|\b(?:except|other than|excluding|apart from)\b)[^;]*",
    re.I,
)


# The name of the response criteria for solid tumours (RECIST) names no cancer: "measurable disease per
# Response Evaluation Criteria in Solid Tumors" asks a measurement, not for a solid tumour.
_RESPONSE_CRITERIA = re.compile(r"\bresponse evaluation criteria in solid tumou?rs?\b", re.I)


def _subject_text(text: str) -> str:
    """The criterion without clauses about other patients, its exceptions and the names of response
    criteria."""
    return _RESPONSE_CRITERIA.sub(" ", _CLAUSES_ABOUT_OTHERS.sub(" ", text))


# A time since or before an event ("at least 5 years since prior chemotherapy", "2 years after the
# transplant") is an interval, not the patient's age, unless the criterion also speaks of age.
_INTERVAL = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:years?|yrs?|months?|weeks?|days?)\s+(?:since|after|from|before|prior to|"
    r"elapsed|ago|following)\b",
    re.I,
)
_AGE_NAMED = re.compile(r"\bages?d?\b|\bold\b|\badults?\b|\bbirthday", re.I)


def _age(text: str) -> AgeRange | None:
    """The ages a criterion admits, not taking an interval after an event for an age."""
    if _INTERVAL.search(text) and not _AGE_NAMED.search(text):
        return None
    return age_range(text)


def _segments(text: str, starts: list[int], words: list[str]) -> tuple[int, ...]:
    """Number the alternatives of a list: a comma, semicolon, "or" or "and/or" starts a new one."""
    segment = 0
    out = []
    previous_end = 0
    for start, word in zip(starts, words, strict=True):
        if re.search(r"[,;/]", text[previous_end:start]) or word in ("or", ";"):
            segment += 1
        out.append(segment)
        previous_end = start + len(word)
    return tuple(out)
