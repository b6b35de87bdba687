"""Diagnoses a note establishes by their findings without naming them: case notes often describe a
presentation ("right lower lobe consolidation" with fever and cough) and leave its name (pneumonia) to
the reader, while a criterion asks for the name.

Each diagnosis needs every group of findings it lists, each found affirmed in the note: a key finding
that is (nearly) diagnostic by itself in its setting, and where it is not, the signs that make it so.
Textbook definitions, not fitted to any record:
- ST elevation with chest pain, or a troponin rise with it, is a myocardial infarction (Fourth
  Universal Definition of MI, 2018);
- pregnancy with a pressure of 140/90 or more and proteinuria is preeclampsia (ACOG Practice
  Bulletin 222, 2020);
- diabetes with glucose over 250 mg/dL and ketones or a bicarbonate under 18 is ketoacidosis (ADA
  consensus, Kitabchi et al., Diabetes Care 2009);
- wheeze after a cold in a child under 2 is bronchiolitis (AAP guideline, 2014);
- lipase or amylase raised with epigastric pain is pancreatitis (revised Atlanta classification, 2012);
- a bulging tympanic membrane is acute otitis media (AAP guideline, 2013);
- a raised TSH with a low free T4 is hypothyroidism, a suppressed TSH with a high T4 or T3
  hyperthyroidism (ATA/AACE guideline, 2012).
A bedside sign that other diseases share (a Murphy sign) is not enough. A note that names the diagnosis
itself, in any context (ruled out, only considered), implies nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.trials.verdicts.measures import Reading
from onconav.trials.verdicts.text import Mention, ancestors

# A cue before a finding in its clause that denies it ("no consolidation", "without ST elevation").
_DENIED_BEFORE = re.compile(
    r"\b(?:no|not|without|denies|denied|negative for|absence of|absent|free of|ruled out|rule out|r/o)\b"
    r"[^.;:,]{0,40}$",
    re.I,
)
# A finding a clause goes on to deny ("troponin was negative", "the appendix was normal").
_DENIED_AFTER = re.compile(
    r"^[^.;:]{0,30}\b(?:was|were|is|are)\s+(?:negative|normal|unremarkable|not seen|absent)\b", re.I
)


@dataclass(frozen=True)
class Finding:
    """One group of findings: any of its patterns, affirmed, in some sentence."""

    pattern: re.Pattern[str]


def _any(*patterns: str) -> Finding:
    return Finding(re.compile("|".join(f"(?:{p})" for p in patterns), re.I))


_CHEST_PAIN = _any(r"chest (?:pain|pressure|discomfort|tightness)", r"substernal", r"retrosternal")
_FEVER_OR_COUGH = _any(r"fever", r"febrile", r"cough", r"crackles", r"rales", r"sputum", r"rigors")
_RAISED = r"(?:elevated|raised|increased|high|positive|rising|\d{3,})"
# A TSH of 10 mIU/L or more is raised whatever the laboratory (ATA/AACE guideline, 2012).
_TSH_HIGH = r"(?:[1-9]\d(?:\.\d+)?|\d{3})"

# Findings that take a diagnosis back: coronary arteries without disease are not a myocardial infarction
# of the usual kind (type 1), whatever the ECG showed (takotsubo, myocarditis).
_VETOES = {
    "stemi": _any(r"no (?:significant )?(?:coronary )?(?:stenosis|obstruct\w+)", r"normal coronar\w+"),
    "myocardial-infarction": _any(
        r"no (?:significant )?(?:coronary )?(?:stenosis|obstruct\w+)", r"normal coronar\w+"
    ),
}

# (diagnosis concept, the groups of findings that establish it)
_RULES: tuple[tuple[str, tuple[Finding, ...]], ...] = (
    (
        "pneumonia",
        (
            _any(
                r"consolidation",
                r"(?:lobar|lobe|pulmonary|lung) (?:opacit\w+|infiltrates?)",
                r"infiltrates? (?:in|of|at) the (?:\w+ ){0,2}(?:lobe|lung|base)",
                r"airspace (?:disease|opacit\w+)",
            ),
            _FEVER_OR_COUGH,
        ),
    ),
    (
        "stemi",
        (_any(r"st[- ](?:segment )?elevations?"), _CHEST_PAIN),
    ),
    (
        "myocardial-infarction",
        (
            _any(
                rf"troponin\w*(?: [a-z])?(?: level)?(?: was| is| of)? {_RAISED}",
                rf"{_RAISED} troponin",
            ),
            _CHEST_PAIN,
        ),
    ),
    (
        "otitis-media",
        (
            _any(
                r"bulging (?:\w+ ){0,3}(?:tympanic membrane|tm|eardrum)",
                r"(?:tympanic membrane|eardrum)s? "
                r"(?:is |are |was )?(?:\w+ ){0,2}bulging",
            ),
        ),
    ),
    (
        "appendicitis",
        (
            _any(
                r"(?:dilated|enlarged|inflamed|thickened|non-?compressible|distended) appendix",
                r"appendix (?:is |was |measuring )?(?:\w+ ){0,2}(?:dilated|enlarged|inflamed|thickened|"
                r"non-?compressible)",
                r"periappendiceal",
                r"appendicolith",
            ),
        ),
    ),
    (
        "pulmonary-embolism",
        (
            _any(
                r"filling defects? (?:\w+ ){0,4}pulmonary arter",
                r"pulmonary arter\w* (?:\w+ ){0,4}filling defect",
            ),
        ),
    ),
    (
        "deep-vein-thrombosis",
        (
            _any(
                r"non-?compressib\w+ (?:\w+ ){0,3}vein",
                r"(?:femoral|popliteal|iliac|calf|saphenous) vein "
                r"thromb\w+",
                r"thromb(?:us|i) (?:in|of) the (?:\w+ ){0,3}vein",
            ),
        ),
    ),
    (
        "meningitis",
        (
            _any(
                r"(?:csf|cerebrospinal fluid|lumbar puncture)\b[^.]{0,80}\b(?:pleocytosis|neutrophils|"
                r"neutrophilic|turbid|cloudy|gram[- ](?:positive|negative)|diplococci)",
            ),
        ),
    ),
    (
        "pancreatitis",
        (
            _any(
                rf"(?:lipase|amylase)(?: level)?(?: was| is| of)? {_RAISED}",
                rf"{_RAISED} (?:serum )?(?:lipase|amylase)",
            ),
            _any(r"epigastri\w+", r"abdominal pain", r"radiat\w+ to (?:the|her|his) back"),
        ),
    ),
    (
        "cholecystitis",
        (
            _any(
                r"sonographic murphy",
                r"gallbladder wall thickening",
                r"thicken\w* gallbladder wall",
                r"pericholecystic fluid",
            ),
        ),
    ),
    (
        "urinary-tract-infection",
        (
            _any(
                r"(?:positive|\+) (?:for )?(?:leuko|leuco)cyte esterase",
                r"nitrites? (?:positive|\+)",
                r"positive (?:for )?nitrites?",
                r"pyuria",
                r"bacteriuria",
                r"urine culture (?:grew|positive|growing)",
            ),
            _any(
                r"dysuria",
                r"urinary (?:frequency|urgency)",
                r"suprapubic",
                r"flank pain",
                r"burning (?:on|with) urination",
            ),
        ),
    ),
    (
        "tuberculosis",
        (_any(r"acid[- ]fast bacilli", r"\bafb\b[^.]{0,20}positive", r"caseating granulom\w+"),),
    ),
    ("malaria", (_any(r"plasmodium", r"ring forms", r"parasit(?:a)?emia"),)),
    (
        "celiac-disease",
        (
            _any(
                r"(?:tissue )?transglutaminase[^.]{0,30}(?:positive|elevated|raised)",
                r"(?:positive|elevated|raised) (?:anti-?)?(?:tissue )?transglutaminase",
                r"endomysial antibod\w+[^.]{0,20}positive",
                r"villous atrophy",
            ),
        ),
    ),
    ("gout", (_any(r"negatively birefringent", r"monosodium urate crystals"),)),
    (
        "hypothyroidism",
        (
            _any(
                rf"\btsh\b(?: level)?(?: was| is| of)? (?:elevated|raised|increased|high|{_TSH_HIGH})",
                r"(?:elevated|raised|increased|high) tsh\b",
            ),
            _any(
                r"(?:low|decreased|reduced) (?:free )?(?:t4|thyroxine)",
                r"(?:free )?(?:t4|thyroxine)(?: level)?"
                r"(?: was| is| of)? (?:low|decreased|reduced)",
            ),
        ),
    ),
    (
        "hyperthyroidism",
        (
            _any(
                r"\btsh\b(?: level)?(?: was| is)? (?:suppressed|undetectable|low|decreased)",
                r"(?:suppressed|undetectable|low) tsh\b",
            ),
            _any(
                r"(?:high|elevated|raised|increased) (?:free )?(?:t4|t3|thyroxine)",
                r"(?:free )?(?:t4|t3|thyroxine)(?: level)?(?: was| is)? (?:high|elevated|raised|increased)",
            ),
        ),
    ),
    ("lyme-disease", (_any(r"erythema (?:chronicum )?migrans", r"bull'?s[- ]eye (?:rash|lesion)"),)),
    ("measles", (_any(r"koplik'?s? spots?"),)),
    ("sarcoidosis", (_any(r"non-?caseating granulom\w+"), _any(r"hilar", r"lung", r"pulmonary", r"lymph"))),
    (
        "heart-failure",
        (
            _any(
                rf"\b(?:nt-?pro-?)?bnp\b(?: level)?(?: was| is| of)? {_RAISED}",
                rf"{_RAISED} (?:nt-?pro-?)?bnp\b",
            ),
            _any(
                r"edema", r"oedema", r"orthopnea", r"dyspnea", r"short(?:ness)? of breath", r"jugular venous"
            ),
        ),
    ),
)

# Glucose in mg/dL (or mmol/L below 40) and bicarbonate in mEq/L, for ketoacidosis.
_GLUCOSE = re.compile(
    r"\b(?:glucose|blood sugar|sugar)\b(?: level)?(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I
)
_BICARBONATE = re.compile(
    r"\b(?:bicarbonate|hco3|bicarb)\b(?: level)?(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I
)
_KETONES = re.compile(r"ketone\w*|ketonuria|ketonemia|beta[- ]hydroxybutyrate|anion gap", re.I)
_PROTEINURIA = re.compile(
    r"proteinuria|protein(?:uria)? (?:is |was |of )?[1-4]\+|[1-4]\+ protein|urine protein", re.I
)
DKA_GLUCOSE_MG_DL = 250.0
DKA_BICARBONATE = 18.0
MMOL_GLUCOSE_FACTOR = 18.0
# Wheeze after a cold in a child under 2 is bronchiolitis (AAP clinical practice guideline, 2014).
_WHEEZE = re.compile(r"wheez\w*", re.I)
_CORYZA = re.compile(r"rhinorrh\w*|runny nose|nasal congestion|congested|coryza|cough", re.I)
BRONCHIOLITIS_AGE = 2.0
PREECLAMPSIA_SYSTOLIC = 140.0
PREECLAMPSIA_DIASTOLIC = 90.0


def _affirmed_in(pattern: re.Pattern[str], sentence: str) -> bool:
    for m in pattern.finditer(sentence):
        if _DENIED_BEFORE.search(sentence[: m.start()]) or _DENIED_AFTER.search(sentence[m.end() :]):
            continue
        return True
    return False


def _first_sentence(pattern: re.Pattern[str], sentences: tuple[str, ...]) -> int | None:
    return next((i for i, s in enumerate(sentences) if _affirmed_in(pattern, s)), None)


def _glucose_mg_dl(sentence: str) -> float | None:
    m = _GLUCOSE.search(sentence)
    if m is None:
        return None
    value = float(m.group(1))
    return value * MMOL_GLUCOSE_FACTOR if value < 40 else value


def _ketoacidosis(sentences: tuple[str, ...], found: list[Mention]) -> int | None:
    if not any(m.polarity == "affirmed" and "diabetes" in ancestors(m.concept) for m in found):
        return None
    high = next(
        (i for i, s in enumerate(sentences) if (g := _glucose_mg_dl(s)) and g > DKA_GLUCOSE_MG_DL), None
    )
    if high is None:
        return None
    for s in sentences:
        bicarbonate = _BICARBONATE.search(s)
        if _affirmed_in(_KETONES, s) or (bicarbonate and float(bicarbonate.group(1)) < DKA_BICARBONATE):
            return high
    return None


def _preeclampsia(sentences: tuple[str, ...], readings: tuple[Reading, ...], pregnant: bool) -> int | None:
    if not pregnant:
        return None
    raised = next(
        (
            r.sentence
            for r in readings
            if (r.measure == "systolic-bp" and r.value >= PREECLAMPSIA_SYSTOLIC)
            or (r.measure == "diastolic-bp" and r.value >= PREECLAMPSIA_DIASTOLIC)
        ),
        None,
    )
    if raised is None or _first_sentence(_PROTEINURIA, sentences) is None:
        return None
    return raised


def _bronchiolitis(sentences: tuple[str, ...], age: float | None) -> int | None:
    if age is None or age >= BRONCHIOLITIS_AGE:
        return None
    wheeze = _first_sentence(_WHEEZE, sentences)
    return wheeze if wheeze is not None and _first_sentence(_CORYZA, sentences) is not None else None


def implied_by_findings(
    sentences: tuple[str, ...],
    found: list[Mention],
    readings: tuple[Reading, ...],
    pregnant: bool,
    age: float | None = None,
) -> list[Mention]:
    """The diagnoses the note's findings establish, each as an affirmed mention in the sentence of its key
    finding; none the note names itself."""
    named = {concept for m in found for concept in ancestors(m.concept)}
    out: list[Mention] = []
    for concept, groups in _RULES:
        veto = _VETOES.get(concept)
        if concept in named or (veto is not None and any(veto.pattern.search(x) for x in sentences)):
            continue
        places = [_first_sentence(group.pattern, sentences) for group in groups]
        if all(p is not None for p in places):
            out.append(Mention(concept, places[0] or 0, 0, 0, "affirmed"))
    for concept, place in (
        ("diabetic-ketoacidosis", _ketoacidosis(sentences, found)),
        ("preeclampsia", _preeclampsia(sentences, readings, pregnant)),
        ("bronchiolitis", _bronchiolitis(sentences, age)),
    ):
        if place is not None and concept not in named:
            out.append(Mention(concept, place, 0, 0, "affirmed"))
    return out
