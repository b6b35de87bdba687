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
  hyperthyroidism (ATA/AACE guideline, 2012);
- widespread ST elevation or PR depression with chest pain is acute pericarditis (two of the four
  criteria of the ESC guidelines on pericardial diseases, 2015), never an infarction;
- an infection with two of the qSOFA signs (respiratory rate 22/min or more, systolic pressure 100 mmHg
  or less, altered mentation) or needing vasopressors is sepsis, and with vasopressors and a lactate
  over 2 mmol/L or a systolic pressure under 90 septic shock (Sepsis-3, Singer et al., JAMA 2016);
- bilateral opacities with a PaO2/FiO2 ratio of 300 or less, not from heart failure, are the acute
  respiratory distress syndrome (Berlin definition, JAMA 2012);
- a red, warm and swollen area of skin, not a joint, is cellulitis (IDSA guideline on skin and soft
  tissue infections, Stevens et al., 2014);
- a valve vegetation with positive blood cultures is infective endocarditis (two major modified Duke
  criteria, Li et al., Clin Infect Dis 2000);
- red cell casts in the urine come from bleeding glomeruli: glomerulonephritis (KDIGO guideline for
  the management of glomerular diseases, 2021: the active urinary sediment of nephritis);
- a urine test positive for protein (dipstick 1+ or more) is proteinuria (KDIGO CKD guideline, 2012);
- a PaCO2 over 45 mmHg with a pH under 7.35 is acute hypercapnic respiratory failure (BTS/ICS guideline
  on ventilation in hypercapnic respiratory failure, 2016), a PaO2 under 60 mmHg hypoxaemic respiratory
  failure.
A bedside sign that other diseases share (a Murphy sign) is not enough. A note that names the diagnosis
itself, in any context (ruled out, only considered), implies nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onconav.trials.verdicts.findings_more import more_implied_by_findings
from onconav.trials.verdicts.measures import Reading
from onconav.trials.verdicts.text import Mention, ancestors, context, tokenize


@dataclass(frozen=True)
class Finding:
    """One group of findings: any of its patterns, affirmed, in some sentence."""

    pattern: re.Pattern[str]


def _any(*patterns: str) -> Finding:
    return Finding(re.compile("|".join(f"(?:{p})" for p in patterns), re.I))


_CHEST_PAIN = _any(
    r"chest (?:pain|pressure|discomfort|tightness)",
    r"substernal",
    r"retrosternal",
    r"pleuritic (?:\w+ )?pain",
)
_FEVER_OR_COUGH = _any(r"fever", r"febrile", r"cough", r"crackles", r"rales", r"sputum", r"rigors")
_RAISED = r"(?:elevated|raised|increased|high|positive|rising|rose|risen|\d{3,})"
# A TSH of 10 mIU/L or more is raised whatever the laboratory (ATA/AACE guideline, 2012).
_TSH_HIGH = r"(?:[1-9]\d(?:\.\d+)?|\d{3})"

# Findings that take a diagnosis back: coronary arteries without disease are not a myocardial infarction
# of the usual kind (type 1), whatever the ECG showed (takotsubo, myocarditis).
# Widespread ST elevation, or PR depression, is pericarditis (ESC guidelines on pericardial diseases, 2015).
_PERICARDIAL_ECG = (
    r"(?:diffuse|widespread|generali[sz]ed|global|concave) (?:\w+ ){0,2}st[- ](?:segment )?elevations?",
    r"st[- ](?:segment )?elevations? (?:in|across) (?:all|most|multiple|many) (?:\w+ )?leads",
    r"pr[- ](?:segment )?depressions?",
)
_NOT_CORONARY = (
    r"no (?:significant )?(?:coronary )?(?:stenosis|obstruct\w+)",
    r"normal coronar\w+",
    *_PERICARDIAL_ECG,
)
_ST_ELEVATION = _any(r"(?<!non )(?<!non-)st[- ](?:segment )?elevations?")
_VETOES = {
    "stemi": _any(*_NOT_CORONARY),
    "nstemi": _any(*_NOT_CORONARY),
    # acute respiratory distress is not the opacities of heart failure (Berlin definition)
    "ards": _any(r"cardiogenic", r"heart failure", r"pulmonary (?:o)?edema", r"fluid overload"),
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
    ("stemi", (_ST_ELEVATION, _CHEST_PAIN)),
    (
        # a troponin rise with chest pain and no ST elevation (Fourth Universal Definition of MI)
        "nstemi",
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
                r"filling defects? (?:\w+ ){0,6}pulmonary arter",
                r"pulmonary arter\w* (?:\w+ ){0,6}filling defect",
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
    (
        "pericarditis",
        (_any(*_PERICARDIAL_ECG, r"pericardial (?:friction )?rub"), _CHEST_PAIN),
    ),
    (
        "endocarditis",
        (
            _any(
                r"vegetations? (?:\w+ ){0,2}(?:on|of|attached to|involving) (?:the )?(?:\w+ ){0,2}"
                r"(?:valve|leaflet)",
                r"(?:valve|valvular|leaflet) vegetations?",
            ),
            _any(r"blood cultures? (?:\w+ ){0,4}(?:grew|positive|growing|grow)", r"bacter(?:a)?emia"),
        ),
    ),
    (
        "glomerulonephritis",
        (
            _any(
                r"(?:red (?:blood )?cell|rbc|erythrocyte) casts?",
                r"casts? of (?:red (?:blood )?cells|rbcs?)",
            ),
        ),
    ),
    (
        "proteinuria",
        (
            _any(
                r"positive for (?:\w+ ){0,2}protein",
                r"protein(?:uria)? (?:is |was |of )?[1-4] ?\+",
                r"[1-4] ?\+ (?:of )?protein",
            ),
            _any(r"urin", r"dipstick"),
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


def key_finding(concept: str) -> re.Pattern[str] | None:
    """The key finding by which this module establishes a diagnosis ("a dilated appendix"), or None."""
    return next((groups[0].pattern for name, groups in _RULES if name == concept), None)


def _affirmed_in(pattern: re.Pattern[str], sentence: str) -> bool:
    """Whether a finding stands in the sentence in the patient's own, affirmed context: the notes' shared
    reading of context (`text.polarity`: "no consolidation", "troponin was negative", "his brother had")."""
    matches = list(pattern.finditer(sentence))
    if not matches:
        return False
    tokens = tokenize(sentence)
    words = [t.word for t in tokens]
    for m in matches:
        inside = [i for i, t in enumerate(tokens) if m.start() <= t.start < m.end()]
        if inside and context(tokens, words, inside[0], inside[-1] + 1) == "affirmed":
            return True
    return False


def first_affirmed(pattern: re.Pattern[str], sentences: tuple[str, ...]) -> int | None:
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
    if raised is None or first_affirmed(_PROTEINURIA, sentences) is None:
        return None
    return raised


def _bronchiolitis(sentences: tuple[str, ...], age: float | None) -> int | None:
    if age is None or age >= BRONCHIOLITIS_AGE:
        return None
    wheeze = first_affirmed(_WHEEZE, sentences)
    return wheeze if wheeze is not None and first_affirmed(_CORYZA, sentences) is not None else None


# Sepsis-3: the qSOFA signs, vasopressors and lactate.
QSOFA_RESPIRATORY_RATE = 22.0
QSOFA_SYSTOLIC = 100.0
SHOCK_SYSTOLIC = 90.0
SHOCK_LACTATE = 2.0
LACTATE_MMOL_MAX = 30.0  # above this the value is not in mmol/L
QSOFA_SEPSIS = 2
_MENTATION = re.compile(
    r"confus\w*|altered (?:mental|mentation|level of consciousness|sensorium)|disorient\w*|obtunded|"
    r"somnolen\w*|stupor\w*|unresponsive|delirium|delirious|\bgcs\b(?: of| is| was)? (?:[3-9]|1[0-4])\b",
    re.I,
)
_VASOPRESSOR = re.compile(
    r"norepinephrine|noradrenaline|vasopressin|phenylephrine|vasopressors?|\bpressors?\b|"
    r"(?:dopamine|epinephrine|adrenaline) (?:infusion|drip)",
    re.I,
)
_LACTATE = re.compile(r"\b(?:lactate|lactic acid)\b(?: level)?(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I)
_LACTATE_RAISED = re.compile(r"(?:elevated|raised|high|increased) (?:serum )?(?:lactate|lactic acid)", re.I)


# Chronic infections a patient lives with are not the suspected infection of sepsis.
_CHRONIC_INFECTIONS = frozenset(
    {"hiv", "hepatitis", "hpv-infection", "herpes-simplex", "tuberculosis", "syphilis"}
)


def _lactate_raised(sentences: tuple[str, ...]) -> bool:
    for s in sentences:
        m = _LACTATE.search(s)
        if m and SHOCK_LACTATE < float(m.group(1)) <= LACTATE_MMOL_MAX:
            return True
        if _affirmed_in(_LACTATE_RAISED, s):
            return True
    return False


def _sepsis(
    sentences: tuple[str, ...], readings: tuple[Reading, ...], infected: int | None
) -> tuple[int, bool] | None:
    """Where the note shows sepsis (the sentence of its infection) and whether it is septic shock."""
    if infected is None:
        return None
    fast = any(r.measure == "respiratory-rate" and r.value >= QSOFA_RESPIRATORY_RATE for r in readings)
    low = any(r.measure == "systolic-bp" and 30 <= r.value <= QSOFA_SYSTOLIC for r in readings)
    shocked = any(r.measure == "systolic-bp" and 30 <= r.value < SHOCK_SYSTOLIC for r in readings)
    confused = first_affirmed(_MENTATION, sentences) is not None
    pressors = first_affirmed(_VASOPRESSOR, sentences) is not None
    if fast + low + confused < QSOFA_SEPSIS and not pressors:
        return None
    return infected, pressors and (shocked or _lactate_raised(sentences))


_PF_RATIO = re.compile(
    r"\b(?:pao2\s*/\s*fio2|p\s*/\s*f|pf)(?: ratio)?(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I
)
_BILATERAL = re.compile(
    r"bilateral (?:\w+ ){0,2}(?:infiltrates?|opacit\w+|opacification|airspace disease|consolidation)", re.I
)
ARDS_PF = 300.0


def _ards(sentences: tuple[str, ...]) -> int | None:
    low = next(
        (i for i, s in enumerate(sentences) if (m := _PF_RATIO.search(s)) and float(m.group(1)) <= ARDS_PF),
        None,
    )
    return low if low is not None and first_affirmed(_BILATERAL, sentences) is not None else None


_RED = re.compile(r"\b(?:red|redness|erythema\w*|reddened)\b", re.I)
_WARM = re.compile(r"\bwarm(?:th)?\b|\bhot\b", re.I)
_SWOLLEN = re.compile(r"\bswollen\b|\bswelling\b|\bo?edema\w*|\bindurat\w*", re.I)
_JOINT = re.compile(
    r"\b(?:joints?|knees?|ankles?|wrists?|elbows?|shoulders?|hips?|toes?|fingers?|knuckles?|"
    r"metatarsophalangeal|mtp|podagra|eyes?|eyelids?|breasts?|scrot\w*|testi\w*|parotid|throat|tonsils?)\b",
    re.I,
)


# A red, warm, swollen limb the note explains otherwise: a clot, or an inflamed joint.
_CELLULITIS_MIMICS = frozenset({"venous-thromboembolism", "gout", "arthritis", "septic-arthritis"})


def _mimics_cellulitis(found: list[Mention]) -> bool:
    return any(m.polarity == "affirmed" and _CELLULITIS_MIMICS & set(ancestors(m.concept)) for m in found)


def _cellulitis(sentences: tuple[str, ...]) -> int | None:
    """A sentence with skin both red, warm and swollen, none denied, that is not about a joint."""
    for i, s in enumerate(sentences):
        if _JOINT.search(s):
            continue
        if all(_affirmed_in(p, s) for p in (_RED, _WARM, _SWOLLEN)):
            return i
    return None


_PH = re.compile(r"\bph\b(?: was| is| of)?\s*:?\s*(\d\.\d+)", re.I)
_PACO2 = re.compile(r"\b(?:pa?co2|pco2)\b(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I)
_PAO2 = re.compile(r"\bpao2\b(?! ?/)(?: was| is| of)?\s*:?\s*(\d+(?:\.\d+)?)", re.I)
ACIDAEMIA_PH = 7.35
HYPERCAPNIA_PACO2 = 45.0
HYPOXAEMIA_PAO2 = 60.0


def _respiratory_failure(sentences: tuple[str, ...]) -> int | None:
    """The blood gas sentence showing hypercapnia with acidaemia, or a PaO2 under 60 mmHg (values in mmHg)."""
    for i, s in enumerate(sentences):
        ph, co2, o2 = _PH.search(s), _PACO2.search(s), _PAO2.search(s)
        if ph and co2 and float(ph.group(1)) < ACIDAEMIA_PH and HYPERCAPNIA_PACO2 < float(co2.group(1)) < 200:
            return i
        if o2 and 15 < float(o2.group(1)) < HYPOXAEMIA_PAO2:
            return i
    return None


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
    whole = "\n".join(sentences)
    out: list[Mention] = []
    for concept, groups in _RULES:
        if not groups[0].pattern.search(whole):
            continue  # the key finding is nowhere in the note: no sentence need be read for it
        veto = _VETOES.get(concept)
        if concept in named or (veto is not None and any(veto.pattern.search(x) for x in sentences)):
            continue
        if concept == "nstemi" and first_affirmed(_ST_ELEVATION.pattern, sentences) is not None:
            continue  # with ST elevation it is the other kind
        places = [first_affirmed(group.pattern, sentences) for group in groups]
        if all(p is not None for p in places):
            out.append(Mention(concept, places[0] or 0, 0, 0, "affirmed"))
    for concept, place in (
        ("diabetic-ketoacidosis", _ketoacidosis(sentences, found)),
        ("preeclampsia", _preeclampsia(sentences, readings, pregnant)),
        ("bronchiolitis", _bronchiolitis(sentences, age)),
        ("ards", _ards(sentences)),
        ("respiratory-failure", _respiratory_failure(sentences)),
        ("cellulitis", None if _mimics_cellulitis([*found, *out]) else _cellulitis(sentences)),
    ):
        veto = _VETOES.get(concept)
        if veto is not None and any(veto.pattern.search(x) for x in sentences):
            continue
        if place is not None and concept not in named:
            out.append(Mention(concept, place, 0, 0, "affirmed"))
    out.extend(more_implied_by_findings(sentences, [*found, *out], named, pregnant, age))
    infected = next(
        (
            m.sentence
            for m in (*found, *out)
            if m.polarity == "affirmed"
            and "infection" in ancestors(m.concept)
            and not _CHRONIC_INFECTIONS & set(ancestors(m.concept))
        ),
        None,
    )
    sepsis = _sepsis(sentences, readings, infected)
    if sepsis is not None and "sepsis" not in named:
        place, shock = sepsis
        out.append(Mention("septic-shock" if shock else "sepsis", place, 0, 0, "affirmed"))
    return out
