"""Diagnoses a note implies without naming them: the condition a medicine is taken for ("takes metformin":
diabetes), textbook signs ("barrel chest": COPD, "calf pain when walking": claudication, anti-dsDNA:
lupus, owl's-eye inclusions: CMV), a depressive episode from its DSM-5 symptoms, the acute exacerbation of a
chronic disease whose symptoms the note says are getting worse, and the injury a high-energy accident causes.

Implied conditions are added to the note's mentions as affirmed, in the sentence that implies them, so the
rule families treat them as said. Only clear implications are drawn: a medicine whose main indication is
the condition, signs that are (nearly) pathognomonic, five of the nine DSM-5 symptoms, a chronic disease's
own symptoms worse over hours to weeks, and the accident the patient presents after (never its severity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from onconav.knowledge import service as knowledge
from onconav.trials.verdicts.measures import (
    FAHRENHEIT_FROM,
    NEUTROPHILS_PER_UL_FROM,
    PLATELETS_PER_UL_FROM,
    Reading,
    on_scale_of,
)
from onconav.trials.verdicts.text import Mention, Polarity, Status, Token, ancestors

# A medicine counts as taken when the sentence speaks of taking it, not of an allergy to it or a plan.
_TAKING = re.compile(
    r"\b(?:tak(?:es|ing|en)|took|on|receiv\w*|treated|prescribed|started|medications?|therapy|regimen|controlled?|"
    r"control with|uses?|using|daily|mg|dose|inhaled?|maintained)\b",
    re.I,
)
_ALLERGY_WORDS = frozenset(
    {"allergy", "allergic", "intolerance", "intolerant", "hypersensitivity", "reaction"}
)
_NEGATED_BEFORE = re.compile(r"\b(?:no|not|denie[sd]|without|negative|never)\b[^.;,]{0,25}$", re.I)

_VOMITED_BLOOD = re.compile(
    r"\bvomit\w*\s+(?:up\s+)?(?:\w+\s+){0,2}?blood\b|\bbloody (?:vomit\w*|emesis)", re.I
)
# Signs and findings that are (nearly) pathognomonic of a condition the note does not name.
SIGNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbarrel[- ](?:shaped[- ])?chest", re.I), "copd"),
    (
        re.compile(
            r"\b(?:calf|calves|leg|legs|buttock|thigh)\s+(?:pain|cramp\w*|ache)\b[^.;]{0,40}?"
            r"\b(?:walk\w*|exerti\w*|exercis\w*|uphill)",
            re.I,
        ),
        "peripheral-artery-disease",
    ),
    (re.compile(r"\banti[- ]?ds[- ]?dna\b", re.I), "lupus"),
    (re.compile(r"\bowl'?s?[- ]eye", re.I), "cmv-infection"),
    (re.compile(r"\bhome (?:oxygen|o2)\b|\boxygen at home\b", re.I), "lung-disease"),
    # vomiting blood is haematemesis, whatever its colour; red cells given are a transfusion
    (_VOMITED_BLOOD, "hematemesis"),
    # haematemesis is bleeding above the ligament of Treitz: an upper gastrointestinal bleed
    (
        re.compile(_VOMITED_BLOOD.pattern + r"|\bh(?:a)?ematemesis\b|\bcoffee[- ]grounds?\b", re.I),
        "upper-gi-bleeding",
    ),
    (
        re.compile(
            r"\b(?:units? of|transfus\w+ (?:of |with )?)(?:\w+\s+){0,2}?(?:red (?:blood )?cells|blood|"
            r"prbcs?)\b|\bpacked red (?:blood )?cells\b",
            re.I,
        ),
        "blood-transfusion",
    ),
)

# A gestational age or a trimester is a pregnancy now ("G1P0 at 30 weeks' gestation", "12 weeks pregnant",
# "in her third trimester"), unless the sentence is about a birth: "born at 34 weeks of gestation"
# describes the baby, "delivered at 39 weeks" a pregnancy that is over.
_GESTATION = re.compile(
    r"\b\d{1,2}(?:\s*\d/7)?\s*-?\s*weeks?'?\s*(?:of\s+)?(?:gestation\b|gestational age|pregnan\w*)|"
    r"\bgestational age (?:of |is )?\d|\b(?:first|second|third|1st|2nd|3rd) trimester\b|"
    r"\bintrauterine pregnancy\b",
    re.I,
)
_BIRTH = re.compile(r"\b(?:born|birth|deliver\w*|preterm|premature|postpartum|ex-?\d)", re.I)

# A high-energy injury the patient presents after: a road collision, a fall from a height, a gunshot or a
# stab wound, a crush or a blast. It is trauma, never a severity (no Injury Severity Score is inferred).
_VEHICLE = r"(?:car|vehicle|truck|lorry|bus|van|train|motorcycle|motorbike)"
_INJURY_EVENT = re.compile(
    r"\bmotor[- ]?vehicle (?:collision|accident|crash)|\b(?:mvc|mva)\b|"
    r"\b(?:car|auto(?:mobile)?|motorcycle|motorbike|bicycle|bike|scooter|road traffic|traffic|pedestrian|"
    r"high[- ]speed|head[- ]on|rollover)\s+(?:accident|crash|collision)|\brollover\b|"
    r"\b(?:hit|struck|run over|knocked (?:down|over)) by an? (?:\w+ )?" + _VEHICLE + r"\b|"
    r"\b(?:fell|falls?|falling|fallen|jumped)\s+(?:\w+\s+){0,2}?(?:from|off)\s+(?:a|an|the|his|her)\s+"
    r"(?:\w+[- ])?(?:height|ladder|roof|balcony|scaffold\w*|tree|window|bridge|horse|(?:second|third|fourth|"
    r"upper)[- ](?:floor|stor[e]?y))|"
    r"\bfell\s+(?:about\s+)?\d+\s*(?:feet|ft|foot|metres|meters|m|stor(?:e?ys|ies))\b|"
    r"\bfrom a height\b|\bgunshot|\bgsw\b|\b(?:was|been|got|were) shot (?:in|through)\b|\bstab(?:bed| wound)|"
    r"\bcrush(?:ed)? injur|\bblast injur|\bexplosion\b",
    re.I,
)
# Someone else's accident, or one long past, is not the injury the patient presents with.
_SOMEONE_ELSE = re.compile(
    r"\b(?:husband|wife|spouse|partner|son|daughter|mother|father|brother|sister|friend|child|children|"
    r"parents?|relative|family|boyfriend|girlfriend|fianc\w*)\b",
    re.I,
)
_LONG_AGO = re.compile(
    r"\b(?:months|years|decades)\s+(?:ago|earlier|before|previously)\b|\bhistory of\b|"
    r"\bas an? (?:child|teen\w*)\b|"
    r"\bin (?:19|20)\d\d\b|\b(?:remote|previous|prior|old) (?:accident|injur\w*|trauma|fall|collision)",
    re.I,
)


# A sentence whose subject is a relative with an illness ("Her mother was recently admitted with pneumonia",
# "His son has influenza") is about the relative; one that reports what a relative says or saw ("Her mother
# says she has had a fever") is about the patient.
_RELATIVE_ILL = re.compile(
    r"^\W*(?:(?:her|his|their|the patient's|patient's)\s+)?(?:[\w-]+\s+)?(?:husband|wife|spouse|partner|son|"
    r"daughter|mother|father|sister|brother|sibling|aunt|uncle|grand\w+|cousin|niece|nephew|relatives?|"
    r"family members?|parents?|friend|roommate|colleague|co-?worker)s?\s+"
    r"(?:also\s+|recently\s+|currently\s+)?(?:has|had|have|was|were|is|are|died|suffers?|suffered|developed|tested)\b",
    re.I,
)
_ABOUT_THE_PATIENT = re.compile(
    r"\b(?:reports?|reported|says|said|states?|stated|notes?|noted|noticed|brought|brings|worried|concerned|"
    r"thinks|thought|describes?|described|found (?:him|her)|(?:that|because|when|as) (?:he|she)|(?:he|she) "
    r"(?:has|had|is|was))\b",
    re.I,
)


def about_a_relative(sentence: str) -> bool:
    """Whether a sentence tells a relative's (or another person's) illness, not the patient's."""
    return bool(_RELATIVE_ILL.search(sentence)) and not _ABOUT_THE_PATIENT.search(sentence)


# An operation the patient underwent, named by its surgical suffix ("sigmoid colectomy", "laparotomy",
# "rhinoplasty"), is surgery; one planned is not yet had; a needle into a vein, a balloon in a vessel or a
# position on the table is no operation.
_OPERATION = re.compile(
    r"\b(?!phlebotom|venotom|lithotom|dichotom|amniotom|angioplast|valvuloplast)[a-z]{3,}(?:ectomy|ectomies|otomy|ostomy|plasty|"
    r"pexy|rrhaphy)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:scheduled|booked|planned|planning|plan|listed|awaiting|awaits|will (?:undergo|have)|"
    r"(?:is|are) to (?:undergo|have)|candidate for|referred for|consent(?:ed)? for|before (?:his|her|the))\b",
    re.I,
)

# An operation declined, deferred or not done is no operation had ("declined a mastectomy", "a colectomy was
# deferred"; the same reading as `refusals.py` gives a named treatment).
_DECLINED_BEFORE = re.compile(
    r"\b(?:declin\w*|refus\w*|deferr?(?:ed|ing|s)?|opted (?:against|out of)|decided against|instead of|"
    r"rather than|in lieu of|contraindicat\w*|unwilling)\b"
    r"(?:(?!\b(?:but|then|underwent|received)\b)[^.;]){0,40}$",
    re.I,
)
_DECLINED_AFTER = re.compile(
    r"\W*(?:was|were|is|has been)\s+(?:declined|refused|deferred|postponed|cancell?ed|contraindicated|"
    r"not (?:performed|done|feasible|possible|offered|undertaken))\b",
    re.I,
)


# DSM-5 major depressive episode: five of these nine, one of them depressed mood or loss of interest.
DEPRESSION_SYMPTOMS: dict[str, re.Pattern[str]] = {
    name: re.compile(rx, re.I)
    for name, rx in {
        "mood": r"depressed mood|feels? (?:sad|down|hopeless|empty)|sadness|hopeless",
        "interest": r"no longer enjoys?|loss of interest|lost interest|anhedonia|no interest|"
        r"no longer interested",
        "sleep": r"insomnia|hypersomnia|(?:increased|excessive|more|poor|difficulty) sleep|"
        r"sleeping (?:more|less)",
        "appetite": r"appetite|weight (?:gain|loss)|(?:gained|lost) weight",
        "psychomotor": r"psychomotor|restless|slowed down",
        "energy": r"fatigue|loss of energy|low energy|tired",
        "worth": r"guilt|worthless",
        "concentration": r"concentrat|indecisive|difficulty (?:thinking|focusing)",
        "suicide": r"suicid|thoughts of death",
    }.items()
}
DSM_MINIMUM = 5


def is_medication(concept: str) -> bool:
    """Whether a concept is a medicine or a class of medicines."""
    return concept in knowledge.clinical_lexicon().medicines


def taken_medications(tokens: list[Token], sentence_text: str, found: list[Mention]) -> list[Mention]:
    """The sentence's mentions without medicines named as an allergy ("allergic to penicillin")."""
    words = [t.word for t in tokens]
    kept = []
    for m in found:
        if is_medication(m.concept) and any(
            w in _ALLERGY_WORDS for w in words[max(0, m.first - 4) : m.first]
        ):
            continue
        kept.append(m)
    return kept


def _medication_condition(concept: str) -> tuple[str, Polarity] | None:
    """The condition taking this medicine (or a medicine of its class) implies ("affirmed") or only makes
    possible ("uncertain"), if any: the entry nearest to the medicine wins."""
    lexicon = knowledge.clinical_lexicon()
    for key in ancestors(concept):
        if key in lexicon.implied_by_medication:
            return lexicon.implied_by_medication[key], "affirmed"
        if key in lexicon.suggested_by_medication:
            return lexicon.suggested_by_medication[key], "uncertain"
    return None


def suggested_by_a_medicine(note_mentions: Iterable[Mention], concept: str, sentence: int) -> bool:
    """Whether a condition is open because a medicine taken in that sentence is often given for it (not
    because the note only considers it)."""
    return any(
        m.status == "suggested" and m.sentence == sentence and concept in ancestors(m.concept)
        for m in note_mentions
    )


def implied_in_sentence(sentence_text: str, index: int, found: list[Mention]) -> list[Mention]:
    """Conditions one sentence implies through the medicines it says are taken and the signs it reports (none
    when the sentence is about a relative)."""
    out: list[Mention] = []
    if about_a_relative(sentence_text):
        return out
    if _TAKING.search(sentence_text):
        for m in found:
            implied = _medication_condition(m.concept) if m.polarity == "affirmed" else None
            if implied is not None:
                status: Status = "suggested" if implied[1] == "uncertain" else ""
                out.append(Mention(implied[0], index, m.first, m.last, implied[1], status))
    for pattern, condition in SIGNS:
        hit = pattern.search(sentence_text)
        if hit and not _NEGATED_BEFORE.search(sentence_text[: hit.start()]):
            out.append(Mention(condition, index, 0, 0, "affirmed"))
    hit = _OPERATION.search(sentence_text)
    if (
        hit
        and not _NEGATED_BEFORE.search(sentence_text[: hit.start()])
        and not _PLANNED.search(sentence_text[: hit.start()])
        and not _DECLINED_BEFORE.search(sentence_text[: hit.start()])
        and not _DECLINED_AFTER.match(sentence_text, hit.end())
    ):
        out.append(Mention("surgery", index, 0, 0, "affirmed"))
    hit = _INJURY_EVENT.search(sentence_text)
    if (
        hit
        and not _NEGATED_BEFORE.search(sentence_text[: hit.start()])
        and not _SOMEONE_ELSE.search(sentence_text[: hit.start()])
        and not _LONG_AGO.search(sentence_text)
    ):
        out.append(Mention("major-trauma", index, 0, 0, "affirmed"))
    hit = _GESTATION.search(sentence_text)
    if hit and not _BIRTH.search(sentence_text) and not _NEGATED_BEFORE.search(sentence_text[: hit.start()]):
        out.append(Mention("pregnancy", index, 0, 0, "affirmed"))
    return out


def implied_depression(sentences: tuple[str, ...]) -> Mention | None:
    """A major depressive episode when the note reports five DSM-5 symptoms, one of them mood or interest."""
    seen: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        for name, pattern in DEPRESSION_SYMPTOMS.items():
            hit = pattern.search(sentence)
            if hit and name not in seen and not _NEGATED_BEFORE.search(sentence[: hit.start()]):
                seen[name] = i
    if len(seen) < DSM_MINIMUM or not {"mood", "interest"} & set(seen):
        return None
    return Mention("depression", seen.get("mood", seen.get("interest", 0)), 0, 0, "affirmed")


# Values below (or above) which a measurement is itself a diagnosis, by the usual definitions: anaemia
# (WHO: haemoglobin under 13 g/dL in men, 12 in women, 11 in pregnancy), thrombocytopenia (platelets under
# 150 x 10^9/L), neutropenia (neutrophils under 1.5 x 10^9/L), fever (38.0 °C or more) and hypotension
# (systolic pressure under 90 mmHg); in adults tachycardia (heart rate over 100/min) and hypoxaemia (oxygen
# saturation under 90 %), and leukocytosis (white cells over 11 x 10^9/L).
ANEMIA_HB = {"male": 13.0, "female": 12.0, "pregnant": 11.0}
THROMBOCYTOPENIA_PLT = 150.0
NEUTROPENIA_ANC = 1.5
FEVER_C = 38.0
HYPOTENSION_SYSTOLIC = 90.0
TACHYCARDIA_RATE = 100.0
HYPOXIA_SATURATION = 90.0
ADULT = 18.0
LEUKOCYTOSIS_WBC = 11.0
WBC_PER_UL_FROM = 1000.0


def implied_by_readings(
    readings: tuple[Reading, ...], sex: str | None, pregnant: bool, age: float | None = None
) -> list[Mention]:
    """Conditions the note's own measurements establish (heart rate and saturation only in adults, whose
    normal ranges are fixed)."""
    # Bounds beside the limits leave out values that cannot be real (misread numbers).
    out: list[Mention] = []
    adult = age is not None and age >= ADULT
    for r in readings:
        condition: str | None = None
        if r.measure == "hemoglobin":
            limit = ANEMIA_HB["pregnant" if pregnant else (sex or "female")]
            grams_per_dl = on_scale_of("hemoglobin", r.value, limit)
            condition = "anemia" if 2 < grams_per_dl < limit else None
        elif r.measure == "platelets":
            thousands = r.value if r.value < PLATELETS_PER_UL_FROM else r.value / 1000
            condition = "thrombocytopenia" if 0 < thousands < THROMBOCYTOPENIA_PLT else None
        elif r.measure == "neutrophils":
            billions = r.value if r.value < NEUTROPHILS_PER_UL_FROM else r.value / 1000
            condition = "neutropenia" if 0 < billions < NEUTROPENIA_ANC else None
        elif r.measure == "temperature":
            celsius = r.value if r.value < FAHRENHEIT_FROM else (r.value - 32) * 5 / 9
            condition = "fever" if celsius >= FEVER_C else None
        elif r.measure == "systolic-bp":
            condition = "hypotension" if 30 <= r.value < HYPOTENSION_SYSTOLIC else None
        elif r.measure == "heart-rate" and adult:
            condition = "tachycardia" if TACHYCARDIA_RATE < r.value < 300 else None
        elif r.measure == "leukocytes" and adult:
            billions = r.value if r.value < WBC_PER_UL_FROM else r.value / 1000
            condition = "leukocytosis" if LEUKOCYTOSIS_WBC < billions < 300 else None
        elif r.measure == "oxygen-saturation" and adult:
            condition = "hypoxia" if 40 <= r.value < HYPOXIA_SATURATION else None
        if condition is not None:
            out.append(Mention(condition, r.sentence, 0, 0, "affirmed"))
    return out


# A chronic disease whose own symptoms the note says have got worse over hours to weeks is in an acute
# exacerbation (COPD, asthma) or decompensated (heart failure). Each disease with its exacerbation and the
# symptoms that worsen in it; a symptom two of the patient's diseases share only counts for either when the
# note names one of them.
EXACERBATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "copd": ("copd-exacerbation", frozenset({"dyspnea", "cough", "sputum", "wheeze"})),
    "asthma": ("asthma-exacerbation", frozenset({"dyspnea", "cough", "wheeze", "tightness"})),
    "heart-failure": ("acute-heart-failure", frozenset({"dyspnea", "orthopnea", "edema", "weight"})),
}
_FLARE_SYMPTOMS: dict[str, str] = {
    "dyspnea": r"dyspn\w*|short(?:ness)? of breath|\bsob\b|breathless\w*|(?:her|his) breathing|winded|"
    r"(?:difficulty|trouble) breathing",
    "cough": r"cough\w*",
    "sputum": r"sputum|phlegm|expectorat\w*",
    "wheeze": r"wheez\w*",
    "tightness": r"chest tightness|tight(?:ness)? (?:in|of) (?:the|his|her) chest",
    "orthopnea": r"orthopn\w*|paroxysmal nocturnal|\bpnd\b|pillows",
    "edema": r"o?edema|(?:leg|ankle|feet|foot|pedal) swelling|swollen (?:legs|ankles|feet)|"
    r"swelling (?:of|in) (?:the |his |her )?(?:legs|ankles|feet)",
    "weight": r"weight gain|gained \d+ ?(?:kg|lbs?|pounds|kilograms)",
}
_SYMPTOM = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _FLARE_SYMPTOMS.items()), re.I)
# Worse, not worse on exertion or lying flat (what the symptom is like, not how it has changed); purulent
# sputum is one of the cardinal signs of an exacerbation.
_WORSE = re.compile(
    r"\b(?:worsen\w*|worse(?!\s+(?:with|on|when|at|after|during|while|upon|if|by|lying|in the))|"
    r"increas\w*|progressive(?:ly)?|deteriorat\w*|escalating|more(?!\s+than)|purulent)\b",
    re.I,
)
_NEAR = 40  # characters between the worsening word and the symptom, in one clause
_FLARE_NEGATED = re.compile(r"\b(?:no|not|denie[sd]|without|never|nor)\b(?:(?!\bbut\b)[^.;])*$", re.I)
# How long it has been worse: an exacerbation takes hours to weeks; months or years is the disease's course.
_SPAN = re.compile(
    r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of)\s*-?\s*"
    r"(hour|hr|day|week|wk|month|year|yr)s?\b(?![- ]old)",
    re.I,
)
FLARE_WEEKS = 4
_WORDS_AS_WEEKS = {"one": 1, "an": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# Without a duration, the sentence must speak of the presentation or of something acute.
_PRESENTING = re.compile(
    r"\b(?:presents?|presented|presenting|comes?|came|brought|arrives?|arrived|admitted|seen|"
    r"complains?|complaining|reports?|acute(?:ly)?|sudden(?:ly)?|today|yesterday|tonight|this morning|"
    r"last night|recent(?:ly)?|now)\b",
    re.I,
)

# A duration that dates the symptoms' onset ("began a week ago", "for three days", "2 days of cough").
_ONSET = re.compile(
    r"\b(?:began|begun|started|developed|onset|since|for|over|past|last)\b|\b(?:days?|weeks?|hours?) of\b",
    re.I,
)


def _span_is_short(sentence: str, at: int) -> bool | None:
    """Whether the duration nearest the worsening is hours to weeks (None: the sentence gives none)."""
    spans = list(_SPAN.finditer(sentence))
    if not spans:
        return None
    nearest = min(spans, key=lambda m: min(abs(m.start() - at), abs(m.end() - at)))
    unit = nearest.group(2).lower()
    if unit in ("hour", "hr", "day"):
        return True
    if unit in ("week", "wk"):
        amount = nearest.group(1).lower()
        weeks = int(amount) if amount.isdigit() else _WORDS_AS_WEEKS.get(amount, FLARE_WEEKS + 1)
        return weeks <= FLARE_WEEKS
    return False


def _worse_symptoms(sentence: str) -> tuple[set[str], int]:
    """The symptoms a sentence says have got worse, and where the first worsening word stands."""
    seen: set[str] = set()
    first = -1
    for worse in _WORSE.finditer(sentence):
        if _FLARE_NEGATED.search(sentence[: worse.start()]):
            continue
        lo, hi = max(0, worse.start() - _NEAR), worse.end() + _NEAR
        for symptom in _SYMPTOM.finditer(sentence, lo, hi):
            between = sentence[min(symptom.end(), worse.end()) : max(symptom.start(), worse.start())]
            if re.search(r"[.;]", between):
                continue
            seen.add(next(name for name, value in symptom.groupdict().items() if value))
            first = worse.start() if first < 0 else first
    return seen, first


# New symptoms without a word of worsening: two of the disease's own at least (a cough with a fever is an
# infection as likely).
NEW_SYMPTOMS = 2


def _new_symptoms(sentence: str) -> tuple[set[str], int]:
    """The symptoms a sentence says began hours to weeks ago ("his symptoms began a week before admission,
    with productive cough and purulent sputum"), and where the first stands: a chronic disease's own
    symptoms, new, are its exacerbation too."""
    seen: set[str] = set()
    first = -1
    for symptom in _SYMPTOM.finditer(sentence):
        if _FLARE_NEGATED.search(sentence[: symptom.start()]):
            continue
        seen.add(next(name for name, value in symptom.groupdict().items() if value))
        first = symptom.start() if first < 0 else first
    if len(seen) < NEW_SYMPTOMS or not _ONSET.search(sentence) or not _span_is_short(sentence, first):
        return set(), -1
    return seen, first


def implied_exacerbations(sentences: tuple[str, ...], found: list[Mention]) -> list[Mention]:
    """The acute exacerbation of a chronic disease the note names, from a sentence saying its symptoms have
    got worse over hours to weeks (or at the presentation, when it gives no duration)."""
    diseases = {
        disease
        for m in found
        if m.polarity == "affirmed"
        for disease in ancestors(m.concept)
        if disease in EXACERBATIONS
    }
    if not diseases:
        return []
    out: list[Mention] = []
    for i, sentence in enumerate(sentences):
        seen, at = _worse_symptoms(sentence)
        if not seen:
            seen, at = _new_symptoms(sentence)
        if not seen:
            continue
        short = _span_is_short(sentence, at)
        if short is False or (short is None and not _PRESENTING.search(sentence)):
            continue
        for disease in sorted(diseases):
            flare, symptoms = EXACERBATIONS[disease]
            others = set().union(*(EXACERBATIONS[d][1] for d in diseases if d != disease))
            own = seen & (symptoms - others) or (len(diseases) == 1 and seen & symptoms)
            if own and not any(m.concept == flare for m in out):
                out.append(Mention(flare, i, 0, 0, "affirmed"))
    return out
