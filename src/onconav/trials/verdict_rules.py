"""The rule families `verdicts.judge` tries in order (`RULES`), each answering only the criteria it
understands: conditional criteria, investigator's judgement and plans, consent, language, adult life,
pregnancy, sex and age, onset age, performance status, organ function, the cancer (histology, stage, lines
of therapy, biomarkers, brain metastases), what a note cannot tell (screening-test results, birth history,
complications of a procedure not had), conditions and treatments named (with "one or more of" lists and
current treatments inside time windows), and a word-overlap fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from onconav.i18n import N_
from onconav.knowledge.catalogue import catalogue
from onconav.trials.verdict_criterion import CriterionFacts, histologies, read_criterion
from onconav.trials.verdict_implied import is_medication
from onconav.trials.verdict_lexicon import CONCEPTS, SEVERITY_WORDS
from onconav.trials.verdict_measures import Threshold, compare
from onconav.trials.verdict_text import Mention, ancestors

if TYPE_CHECKING:
    from onconav.trials.verdicts import NoteFacts

Kind = Literal["inclusion", "exclusion"]
# A reason is an English template (marked for translation) and the values of its placeholders.
Reason = str | tuple[str, dict[str, str]]
Found = tuple[str, int | None, Reason] | None  # (label, evidence sentence, reason)
Rule = Callable[["NoteFacts", CriterionFacts, Kind], Found]

NEI = "not enough information"
NA = "not applicable"
CHILDBEARING_AGES = (10.0, 60.0)  # below menarche or past menopause, pregnancy criteria do not apply
# Measures that a note's silence does not make normal: they must be measured ("BMI > 40", "weight > 110 kg").
BODY_MEASURES = frozenset({"bmi", "weight"})
# Measured at every visit: an abnormal value would be in the note.
VITAL_SIGNS = frozenset({"systolic-bp", "diastolic-bp", "heart-rate", "respiratory-rate", "temperature"})
# Organs whose named disease makes a threshold on their function uncertain rather than met.
ORGAN_OF_MEASURE = {
    "creatinine": "kidney-disease",
    "creatinine-clearance": "kidney-disease",
    "bilirubin": "liver-disease",
    "transaminases": "liver-disease",
    "albumin": "liver-disease",
    "inr": "liver-disease",
    "hemoglobin": "anemia",
    "hematocrit": "anemia",
    "platelets": "thrombocytopenia",
    "neutrophils": "neutropenia",
    "leukocytes": "neutropenia",
    "lvef": "heart-failure",
    "qtc": "arrhythmia",
}
# Words that leave an age or sex criterion about age or sex only ("Patients of both sexes aged 18+").
_FILLER_WORDS = """
patient subject participant people person individual healthy volunteer both sex gender male female
men man women woman boy girl and or of the a an age aged year old yr with who are is be must at
least than older younger over under between to from inclusive time adult child minor month any
either all
"""
_RESIDUAL_FILLER = frozenset(_FILLER_WORDS.split())
_AGE_SEX_WORDS = re.compile(r"[\d.,<>≤≥=+–();:-]+")


def cancer_family(code: str | None) -> tuple[str, ...]:
    """A catalogue condition code and its parents' codes, nearest first."""
    chain: list[str] = []
    conditions = catalogue().conditions
    while code is not None and code in conditions and code not in chain:
        chain.append(code)
        code = conditions[code].parent
    return tuple(chain)


_NSCLC_TYPES = frozenset({"adenocarcinoma", "squamous", "large-cell"})


def note_histologies(text: str, cancer: str | None) -> frozenset[str]:
    """Histologic types a note names; a lung adenocarcinoma, squamous or large-cell is also non-small-cell."""
    found = set(histologies(text)) if cancer is not None else set()
    if found & _NSCLC_TYPES and "lung" in (cancer or "") and "small-cell" not in found:
        found.add("non-small-cell")
        if "squamous" not in found:
            found.add("non-squamous")
    return frozenset(found)


def _named(mention: Mention) -> dict[str, str]:
    """The concept's name for a reader: its first phrase in the lexicon ("heart failure")."""
    return {"concept": CONCEPTS[mention.concept][1][0]}


def _measure_name(measure: str) -> str:
    return measure.replace("-", " ")


def _positive(kind: Kind) -> str:
    return "included" if kind == "inclusion" else "excluded"


def _negative(kind: Kind) -> str:
    return "not included" if kind == "inclusion" else "not excluded"


def _residual_words(criterion: CriterionFacts) -> list[str]:
    return [w for w in criterion.words if w not in _RESIDUAL_FILLER and not _AGE_SEX_WORDS.fullmatch(w)]


# ------------------------------------------------------------------------------------- rule families
def trivial(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A fragment with no content ("This study has no") applies to nobody."""
    if (
        len(criterion.words) <= 4
        and not criterion.mentions
        and criterion.age is None
        and criterion.sexes is None
    ) and re.search(r"\b(?:no|none|not applicable|n/a)\W*$", criterion.text, re.I):
        return NA, None, N_("The criterion has no content.")
    return None


def consent(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Consent and compliance: the note's statement that the patient will consent and comply settles them."""
    topics = criterion.topics
    if not topics & {"consent", "compliance"} or "pregnancy" in topics or criterion.thresholds:
        return None
    if criterion.mentions and "consent" not in topics:
        return None  # "unable to comply because of dementia": the condition decides
    if kind == "inclusion":
        if note.consent_sentence is not None and (
            "consent" in topics or re.search(r"compl|willing|adhere", criterion.text, re.I)
        ):
            return "included", note.consent_sentence, N_("The note says the patient will consent and comply.")
        return None
    return "not excluded", note.consent_sentence, N_("The note says the patient will consent and comply.")


def language(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """The languages a patient speaks are not in clinical notes."""
    if "language" in criterion.topics and not criterion.mentions:
        return NEI, None, N_("The note does not say which languages the patient speaks.")
    return None


_FUTURE = re.compile(
    r"\b(?:planning|plans? to|intends?|intention|likely to|will not survive|estimates?|anticipated)\b", re.I
)


_PLANNED_PREGNANCY = re.compile(
    r"(?:planning|plans?|intends?) to (?:become|get) pregnant|planned pregnancy", re.I
)


def judgement(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Exclusions left to the investigator's judgement, or about the patient's plans and prognosis to come,
    cannot be settled from a note."""
    if kind == "exclusion" and "investigator-judgement" in criterion.topics:
        return NEI, None, N_("The criterion is left to the investigator's judgement.")
    if (
        kind == "exclusion"
        and _FUTURE.search(criterion.text)
        and not _PLANNED_PREGNANCY.search(criterion.text)
    ):
        return NEI, None, N_("The note cannot say what the patient plans or what will happen.")
    return None


_CONDITIONAL = re.compile(
    r"^\W*(?:if\s+(?:the\s+)?(?:patient|subject)?\s*(?:has|have|had|is|was|received)?\s*|"
    r"for (?:patients|subjects|participants|those) (?:with|who (?:have|had|received))\s+|"
    r"(?:patients|subjects|recipients|participants|those) who (?:have|had) (?:had |received |undergone )?)"
    r"(?P<condition>[^,;:]{3,80}?)(?:,|;|:|\s+must\b|\s+should\b|\s+then\b)",
    re.I,
)


def conditional(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "If X, ..." or "Patients who have had X must ...": not applicable when the note rules X out or
    never mentions it among the patient's conditions and treatments."""
    m = _CONDITIONAL.search(criterion.text)
    if m is None:
        return None
    condition = read_criterion(m.group("condition"))
    if condition.sexes is not None and note.sex is not None and len(condition.sexes) == 1:
        if note.sex not in condition.sexes:
            return NA, note.sex_sentence, N_("The criterion is for patients of the other sex.")
        return None
    concepts = [c.concept for c in condition.mentions]
    if not concepts:
        return None
    state = _concept_state(note, tuple(concepts))
    if state is None or state[0] == "negated":
        # An inclusion requirement for others does not apply; an exclusion for others does not exclude.
        verdict = NA if kind == "inclusion" else "not excluded"
        return (
            verdict,
            state[1] if state else None,
            N_("The condition this criterion depends on does not apply."),
        )
    return None


def pregnancy(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Pregnancy, breast-feeding and contraception: not for men and children, unknown for other women."""
    if "pregnancy" not in criterion.topics:
        return None
    if note.sex == "male":
        return NA, note.sex_sentence, N_("The criterion is about pregnancy; the patient is male.")
    if note.age is not None and note.age < CHILDBEARING_AGES[0]:
        return NA, note.age_sentence, N_("The criterion is about pregnancy; the patient is a child.")
    if note.sex is None:
        return NEI, None, N_("The note does not say the patient's sex.")
    if note.postmenopausal or (note.age is not None and note.age >= CHILDBEARING_AGES[1]):
        return NA, note.age_sentence, N_("The criterion is about pregnancy; the patient is past menopause.")
    state = _concept_state(note, ("pregnancy",))
    about_pregnancy = len(_stems(criterion.words) - _PREGNANCY_STEMS) <= PREGNANCY_WORDS
    wants_pregnancy = re.search(r"\bpregnan", criterion.text, re.I) and not re.search(
        r"non-?pregnan|not pregnan", criterion.text, re.I
    )
    if (
        kind == "inclusion"
        and state
        and state[0] == "affirmed"
        and wants_pregnancy
        and about_pregnancy
        and not criterion.negated_subject
    ):
        return "included", state[1], N_("The note says the patient is pregnant.")
    contraception_only = "contraception" in criterion.topics and not re.search(
        r"pregnan|lactat|breast", criterion.text, re.I
    )
    if note.not_sexually_active_sentence is not None:
        if contraception_only:
            return NA, note.not_sexually_active_sentence, N_("The patient is not sexually active.")
        if kind == "exclusion":
            return (
                "not excluded",
                note.not_sexually_active_sentence,
                N_("The patient is not sexually active."),
            )
    if state is not None and state[0] == "affirmed" and kind == "exclusion" and not about_pregnancy:
        return None  # "pregnant women with thalassemia": pregnancy is who, not what, is excluded
    if state is not None and state[0] != "uncertain" and kind == "exclusion" and not contraception_only:
        polarity, sentence = state
        if polarity == "affirmed":
            return "excluded", sentence, N_("The note says the patient is pregnant.")
        if polarity == "negated":
            return "not excluded", sentence, N_("The note says a pregnancy test was negative.")
    return (
        NEI,
        None,
        N_("The note does not say whether the patient is pregnant, nursing or using contraception."),
    )


_ADULT_ONLY = re.compile(
    r"alcohol|drunk|drinking|drug abuse|substance|smok|tobacco|army|military|recruit|prisoner|employ|"
    r"shift work|college|universit|driv(?:e|ing) |menopaus|sexual|erectile|lactat|breast[- ]?feed",
    re.I,
)
CHILD_AGE = 12.0
MIRROR_WORDS = 12
PREGNANCY_WORDS = 2  # other content words beyond which a pregnancy criterion is about something else too
_PREGNANCY_STEMS = frozenset(
    {"pregn", "lacta", "breas", "feedi", "nursi", "women", "woman", "femal", "plann"}
)


def childhood(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Criteria about adult life (alcohol, smoking, work, military service) do not apply to a child."""
    if note.age is None or note.age >= CHILD_AGE or not _ADULT_ONLY.search(criterion.text):
        return None
    return NA, note.age_sentence, N_("The criterion is about adult life; the patient is a child.")


_SEX_SUBJECT = re.compile(
    r"^\W*(?:(?:adult|postmenopausal|premenopausal|pregnant|healthy|non-?pregnant)\s+)?"
    r"(women|woman|females?|girls?|men|man|males?|boys?)\b",
    re.I,
)


def sex_subject(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion criterion whose subject is one sex ("Women aged 40-75 with ...")."""
    m = _SEX_SUBJECT.search(criterion.text)
    if kind != "inclusion" or m is None or note.sex is None or criterion.sexes == {"female", "male"}:
        return None
    wanted = "female" if re.match(r"wom|fem|girl", m.group(1), re.I) else "male"
    if wanted != note.sex:
        return (
            "not included",
            note.sex_sentence,
            (
                N_("The criterion is for female patients.")
                if wanted == "female"
                else N_("The criterion is for male patients.")
            ),
        )
    return None


def demographics(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Age and sex criteria, when age or sex is all the criterion asks."""
    if criterion.age is None and criterion.sexes is None:
        return None
    residual = _residual_words(criterion)
    age_only = criterion.age is not None and len(residual) <= (4 if kind == "inclusion" else 2)
    sex_only = criterion.sexes is not None and len(residual) <= 1 and not criterion.mentions
    if (
        criterion.age is not None
        and note.age is not None
        and (age_only or not criterion.age.admits(note.age))
    ):
        if not criterion.age.admits(note.age):
            if kind == "inclusion":
                return "not included", note.age_sentence, N_("The patient's age is outside the range.")
            return "not excluded", note.age_sentence, N_("The patient's age is not the excluded age.")
        if criterion.sexes is not None and note.sex is not None and note.sex not in criterion.sexes:
            return _negative(kind), note.sex_sentence, N_("The patient's sex is not the one named.")
        if age_only:
            return _positive(kind), note.age_sentence, N_("The patient's age is within the range.")
    if sex_only and note.sex is not None:
        assert criterion.sexes is not None
        if note.sex in criterion.sexes:
            return _positive(kind), note.sex_sentence, N_("The patient's sex is the one named.")
        return _negative(kind), note.sex_sentence, N_("The patient's sex is not the one named.")
    return None


_AFTER_AGE = re.compile(r"\b(?:after|beyond|from|since|starting at) (?:the )?age (?:of )?(\d{1,2})\b", re.I)


def onset_age(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Wheezing after age 6", "diabetes diagnosed after the age of 40": what begins after an age the
    patient has not reached cannot have happened."""
    m = _AFTER_AGE.search(criterion.text)
    if m is None or note.age is None or note.age >= float(m.group(1)):
        return None
    return (
        _negative(kind),
        note.age_sentence,
        (N_("The patient is younger than %(age)s years."), {"age": m.group(1)}),
    )


_KPS_TO_ECOG = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4}


def performance(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ECOG and Karnofsky performance status, converting between the scales when needed."""
    wanted = criterion.performance
    if wanted is None:
        return None
    score: int | None = None
    sentence: int | None = None
    for reading in note.readings:
        if reading.measure == wanted.scale:
            score, sentence = int(reading.value), reading.sentence
        elif reading.measure == "karnofsky" and wanted.scale == "ecog" and score is None:
            score, sentence = _KPS_TO_ECOG.get(int(round(reading.value, -1))), reading.sentence
    if score is None:
        return NEI, None, N_("The note gives no performance status.")
    if score in wanted.allowed:
        return _positive(kind), sentence, N_("The performance status is in the range.")
    return _negative(kind), sentence, N_("The performance status is outside the range.")


def _threshold_met(note: NoteFacts, threshold: Threshold) -> tuple[bool, int] | None:
    for reading in note.readings:
        if reading.measure != threshold.measure or threshold.times_uln:
            continue
        value = reading.value
        if threshold.measure == "platelets" and threshold.value > 1000 and value < 1000:
            value *= 1000  # "150 x 10^3/uL" against "100,000"
        if threshold.measure == "hemoglobin" and threshold.unit == "g/l" and value < 30:
            value *= 10
        return compare(value, threshold.op, threshold.value), reading.sentence
    return None


def organ_function(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Lab and body-measure thresholds: compared when the note gives the value, else judged by the organ."""
    if not criterion.thresholds:
        return None
    results = [(t, _threshold_met(note, t)) for t in criterion.thresholds]
    known = [(t, r) for t, r in results if r is not None]
    if known:
        if kind == "inclusion":
            failed = [(t, r) for t, r in known if not r[0]]
            if failed:
                return (
                    "not included",
                    failed[0][1][1],
                    (
                        N_("The note's %(measure)s is outside the limit."),
                        {"measure": _measure_name(failed[0][0].measure)},
                    ),
                )
            if len(known) == len(results):
                return "included", known[0][1][1], N_("The note's values are within the limits.")
            return None
        met = [(t, r) for t, r in known if r[0]]
        if met:
            return (
                "excluded",
                met[0][1][1],
                (
                    N_("The note's %(measure)s is beyond the limit."),
                    {"measure": _measure_name(met[0][0].measure)},
                ),
            )
        if len(known) == len(results):
            return "not excluded", known[0][1][1], N_("The note's values do not reach the limits.")
    if kind == "inclusion":
        if _ANY_OF.search(criterion.text) and _criterion_concepts(criterion):
            return None  # "one or more of: diabetes, obesity (BMI > 25), ...": a condition named may do
        return NEI, note.normal_labs_sentence, N_("The note does not give these values.")
    if any(t.measure in BODY_MEASURES for t in criterion.thresholds):
        return NEI, None, N_("The note does not give the patient's weight or BMI.")
    vital = all(t.measure in VITAL_SIGNS for t in criterion.thresholds)
    named = [m for m in _criterion_concepts(criterion) if m.polarity != "negated"]
    if not named and note.normal_labs_sentence is None and not vital:
        return NEI, None, N_("The note does not give these values.")
    for t in criterion.thresholds:
        organ = ORGAN_OF_MEASURE.get(t.measure)
        state = _concept_state(note, (organ,)) if organ else None
        if state is not None and state[0] == "affirmed":
            return NEI, state[1], N_("The note names a disease of this organ but not the value.")
    return "not excluded", note.normal_labs_sentence, N_("Nothing in the note suggests these values.")


def cancer(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """The cancer named (histology), stage, biomarkers and brain metastases, when the note has a cancer."""
    if note.cancer is None:
        return None
    if "brain" in criterion.metastatic_sites or "brain-metastases" in criterion.concepts:
        if "brain" in note.metastatic_sites:
            return (
                _positive(kind),
                _sentence_naming(note, ("brain",)),
                N_("The note reports brain metastases."),
            )
        if kind == "exclusion" and _concept_state(note, ("brain-metastases",)) is not None:
            state = _concept_state(note, ("brain-metastases",))
            assert state is not None
            return "not excluded", state[1], N_("The note says there are no brain metastases.")
        return NEI, None, N_("The note does not say whether the cancer has reached the brain.")
    if kind == "inclusion":
        found = _cancer_type(note, criterion)
        if found is not None:
            return found
    if criterion.stages and note.stage in _GROUP_OF_STAGE and criterion.cancer is None:
        inside = _GROUP_OF_STAGE[note.stage] in criterion.stages
        return (
            (_positive(kind) if inside else _negative(kind)),
            _cancer_sentence(note),
            N_("The note gives the stage."),
        )
    found = _therapy_lines(note, criterion, kind)
    if found is not None:
        return found
    for name, status in criterion.biomarkers:
        if name in note.biomarkers and status != "unknown" and note.biomarkers[name] != "unknown":
            same = note.biomarkers[name] == status
            return (
                (_positive(kind) if same else _negative(kind)),
                None,
                (N_("The note gives the %(biomarker)s status."), {"biomarker": name}),
            )
    return None


_SCREENING = re.compile(
    r"\b(?:on|at|during|upon|by) (?:the )?screening\b|"
    r"\bscreening (?:tests?|results?|visit|laborator\w*|assessments?)|"
    r"\bpass\w* (?:the )?(?:[\w-]+ ){0,2}screening\b|\bpositive (?:result )?(?:on|at|in) (?:the )?screening",
    re.I,
)
_BIRTH_HISTORY = re.compile(
    r"\b(?:premature(?:ly)? (?:birth|born|delivery)|born prematurely|prematurity|"
    r"preterm (?:birth|born|infant)|"
    r"born preterm|birth ?weight)\b",
    re.I,
)
_NOTE_BIRTH = re.compile(r"\b(?:born|birth|term|preterm|prematur\w*|gestation\w*|delivered)\b", re.I)
# Conditions that only exist after a procedure: without the procedure the criterion does not apply.
PRESUPPOSES = {"graft-versus-host-disease": "transplant"}


def unknowable(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """What a clinical note cannot tell: the results of the trial's own screening tests and a patient's
    birth history (prematurity, birth weight) when the note does not speak of the birth; and complications
    of a procedure the patient never had (graft-versus-host disease without a transplant)."""
    screening = bool(_SCREENING.search(criterion.text)) and not re.search(
        r"\b(?:prior to|before) screening", criterion.text, re.I
    )
    birth = bool(_BIRTH_HISTORY.search(criterion.text))
    if not (screening or birth or criterion.concepts & PRESUPPOSES.keys()):
        return None
    named = _criterion_concepts(criterion)
    said = [m for m in named if (state := _concept_state(note, (m.concept,))) and state[0] == "affirmed"]
    if said:
        if screening and kind == "exclusion" and not _qualified(criterion, said[0]):
            # A screening test for a disease the patient is known to have will be positive.
            state = _concept_state(note, (said[0].concept,))
            evidence = state[1] if state else None
            return "excluded", evidence, (N_("The note names %(concept)s."), _named(said[0]))
        return None
    if kind == "exclusion" and named:
        for m in named:
            needed = PRESUPPOSES.get(m.concept)
            if needed is not None and _concept_state(note, (needed,)) is None:
                return (
                    NA,
                    None,
                    N_("The criterion is about a complication of a procedure the patient has not had."),
                )
    if screening:
        return NEI, None, N_("The results of the trial's screening tests are not in the note.")
    if birth and not _NOTE_BIRTH.search(note.text):
        return NEI, None, N_("The note does not describe the patient's birth.")
    return None


_GROUP_OF_STAGE = {"I": "I", "II": "II", "III": "III", "IV": "IV", "limited": "III", "extensive": "IV"}


def _cancer_type(note: NoteFacts, criterion: CriterionFacts) -> Found:
    """Inclusion by the cancer named, its histologic type and its stage."""
    if criterion.histologies and note.histologies and criterion.histologies.isdisjoint(note.histologies):
        return "not included", _cancer_sentence(note), N_("The note gives a different histologic type.")
    if criterion.cancer is None:
        if criterion.histologies & note.histologies and not criterion.stages:
            return "included", _cancer_sentence(note), N_("The note gives this histologic type.")
        return None
    family = note.cancer_family
    if criterion.cancer in family:
        stage = _GROUP_OF_STAGE.get(note.stage or "")
        if criterion.stages and stage is not None and stage not in criterion.stages:
            return "not included", _cancer_sentence(note), N_("The note gives a different stage.")
        return "included", _cancer_sentence(note), N_("The note names this cancer.")
    if not set(cancer_family(criterion.cancer)) & set(family):
        return "not included", _cancer_sentence(note), N_("The note names a different cancer.")
    return None


def _therapy_lines(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Prior lines of systemic therapy, and treatment-naive criteria, against what the note says."""
    if note.prior_lines is None:
        return None
    if criterion.prior_lines is not None:
        met = compare(note.prior_lines, criterion.prior_lines.op, criterion.prior_lines.count)
        return (
            (_positive(kind) if met else _negative(kind)),
            None,
            N_("The note says how many lines were given."),
        )
    if criterion.treatment_naive and not criterion.negated_subject:
        naive = note.prior_lines == 0
        return (
            (_positive(kind) if naive else _negative(kind)),
            None,
            N_("The note says whether treatment was given."),
        )
    return None


def _cancer_sentence(note: NoteFacts) -> int | None:
    return next(
        (m.sentence for m in note.mentions if m.concept == "cancer" and m.polarity == "affirmed"), None
    )


def _sentence_naming(note: NoteFacts, words: tuple[str, ...]) -> int | None:
    for i, sentence_words in enumerate(note.words):
        if words and all(w in sentence_words for w in words):
            return i
    return None


def _concept_state(note: NoteFacts, concepts: tuple[str, ...]) -> tuple[str, int] | None:
    """Whether the note affirms or negates a concept (or a narrower one); affirmations win."""
    negated: int | None = None
    uncertain: int | None = None
    for m in note.mentions:
        lineage = ancestors(m.concept)
        for concept in concepts:
            if concept in lineage and m.polarity == "affirmed":
                return "affirmed", m.sentence
            if m.polarity == "negated" and (concept in lineage or m.concept in ancestors(concept)):
                negated = m.sentence if negated is None else negated
            if m.polarity == "uncertain" and concept in lineage:
                uncertain = m.sentence if uncertain is None else uncertain
    if negated is not None:
        return "negated", negated
    return ("uncertain", uncertain) if uncertain is not None else None


# Broad concepts that only count when the criterion names nothing more specific ("HIV infection").
GENERIC = frozenset({"infection", "cancer", "heart-disease", "lung-disease", "surgery", "allergy", "imaging"})
_EXCEPTION = re.compile(r"\b(?:other than|except(?: for)?|excluding|apart from|besides|aside from)\b", re.I)


def _criterion_concepts(criterion: CriterionFacts) -> list[Mention]:
    """The criterion's concepts, without those named as exceptions ("other than SLE")."""
    cut = _EXCEPTION.search(criterion.text)
    named = [
        m
        for m in criterion.mentions
        if not any(
            o is not m
            and o.concept != m.concept
            and (m.concept in ancestors(o.concept) or m.concept in GENERIC)
            for o in criterion.mentions
        )
    ]
    if cut is None:
        return named
    words_before = len(
        [
            w
            for w in re.findall(
                r"[A-Za-z][A-Za-z0-9']*|\d+(?:[.,]\d+)?|[;:()]", criterion.text[: cut.start()]
            )
        ]
    )
    return [m for m in named if m.first < words_before]


def _qualified(criterion: CriterionFacts, mention: Mention) -> bool:
    before = criterion.words[max(0, mention.first - 3) : mention.first]
    return (
        any(w in SEVERITY_WORDS for w in before)
        or bool(criterion.thresholds)
        or bool(re.search(r"\d", criterion.text))
    )


def _has_numbers(criterion: CriterionFacts) -> bool:
    text = criterion.text
    if criterion.age is not None:
        text = re.sub(r"\d+\s*(?:years?|yrs?|months?)", " ", text)
    return bool(re.search(r"\d", text))


def _allowance(criterion: CriterionFacts, mention: Mention) -> int:
    """One unsupported word ("typical chest pain") is forgiven beside a specific concept, none beside a
    broad one ("cardiac surgery")."""
    return 0 if mention.concept in GENERIC else 1


def _unsupported(note: NoteFacts, criterion: CriterionFacts, mention: Mention) -> int:
    """How many content words of the criterion neither the concept matched nor the note accounts for."""
    concept_words = set(criterion.words[mention.first : mention.last])
    note_stems = set().union(*(_stems(w) for w in note.words)) if note.words else set()
    segment = criterion.segments[mention.first] if criterion.segments else 0
    own = [
        w for i, w in enumerate(criterion.words) if not criterion.segments or criterion.segments[i] == segment
    ]
    wanted = _stems(tuple(w for w in own if w not in concept_words))
    return len(wanted - note_stems - _stems(tuple(concept_words)))


def conditions(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Conditions and treatments the criterion names, looked up in the note with their context."""
    named = _criterion_concepts(criterion)
    if not named:
        return None
    inverted = criterion.negated_subject or all(m.polarity == "negated" for m in named)
    if inverted and kind == "inclusion":
        # "No history of X" as an inclusion criterion is "X" as an exclusion criterion, mirrored.
        mirrored = _mirror(_weigh_concepts(note, criterion, named, "exclusion", inverted=False))
        if mirrored is not None:
            return mirrored
        if ";" in criterion.text or len(criterion.words) > MIRROR_WORDS or _TEST.search(criterion.text):
            return None
        return "included", None, N_("The note mentions nothing this criterion rules out.")
    return _weigh_concepts(note, criterion, named, kind, inverted=inverted)


def _weigh_concepts(
    note: NoteFacts, criterion: CriterionFacts, named: list[Mention], kind: Kind, *, inverted: bool
) -> Found:
    affirmed: list[tuple[Mention, int]] = []
    negated: list[tuple[Mention, int]] = []
    uncertain: list[tuple[Mention, int]] = []
    for mention in named:
        state = _concept_state(note, (mention.concept,))
        if state is None:
            continue
        {"affirmed": affirmed, "negated": negated, "uncertain": uncertain}[state[0]].append(
            (mention, state[1])
        )
    if affirmed:
        mention, sentence = affirmed[0]
        if kind == "inclusion":
            if inverted:
                return "not included", sentence, (N_("The note names %(concept)s."), _named(mention))
            if _any_of(note, criterion, affirmed):
                mention, sentence = _any_of(note, criterion, affirmed) or affirmed[0]
                return "included", sentence, (N_("The note names %(concept)s."), _named(mention))
            if _unsupported(note, criterion, mention) > _allowance(criterion, mention) or _has_numbers(
                criterion
            ):
                return (
                    NEI,
                    sentence,
                    (N_("The note names %(concept)s but not all this criterion asks."), _named(mention)),
                )
            return "included", sentence, (N_("The note names %(concept)s."), _named(mention))
        # The same one-word slack as for inclusion, except beside a test result ("CMV seronegative").
        slack = (
            0
            if _TEST.search(criterion.text) or _TEST_RESULT.search(criterion.text)
            else _allowance(criterion, mention)
        )
        if not inverted and _current_treatment(note, criterion, mention, sentence):
            return (
                "excluded",
                sentence,
                (N_("The patient currently takes %(concept)s, within any time window."), _named(mention)),
            )
        if inverted or _qualified(criterion, mention) or _unsupported(note, criterion, mention) > slack:
            return None
        return "excluded", sentence, (N_("The note names %(concept)s."), _named(mention))
    if uncertain:
        return NEI, uncertain[0][1], (N_("The note only considers %(concept)s."), _named(uncertain[0][0]))
    if negated and len(negated) == len(named):
        sentence = negated[0][1]
        if kind == "inclusion":
            return ("included" if inverted else "not included"), sentence, N_("The note rules this out.")
        return "not excluded", sentence, N_("The note rules this out.")
    return None


_TIME_WINDOW = re.compile(
    r"\b(?:(?:within|in|during|over|for)\s+)?(?:the\s+)?(?:past|last|previous|preceding|prior)?\s*"
    r"(?:\d+|one|two|three|four|six|twelve)\s*(?:days?|weeks?|months?|years?|wks?|mos?)\b",
    re.I,
)
_CURRENTLY = re.compile(
    r"\b(?:is|are|was) (?:currently )?on\b|\bcurrently\b|\btak(?:es|ing)\b|\breceiv(?:es|ing)\b|"
    r"\bmedications? (?:include|are|is)\b|\bmaintained on\b",
    re.I,
)
_TREATMENTS = frozenset(
    {"corticosteroids", "anticoagulation", "antibiotics", "immunodeficiency", "chemotherapy", "immunotherapy"}
)
_WINDOW_FILLER_WORDS = """
treatment treated therapy use used dose dosing first study medication drug administration administered
entry enrollment enrolment randomization randomisation baseline start starting receipt received receiving
prior before systemic oral intravenous
"""
_WINDOW_FILLER = frozenset(_WINDOW_FILLER_WORDS.split())


def _current_treatment(note: NoteFacts, criterion: CriterionFacts, mention: Mention, sentence: int) -> bool:
    """ "Corticosteroids within 3 months before the first dose" for a patient who takes them now: a
    current treatment falls within any window that ends today."""
    lineage = ancestors(mention.concept)
    if not (_TREATMENTS & set(lineage) or any(is_medication(c) for c in lineage)):
        return False
    if not _TIME_WINDOW.search(criterion.text) or re.search(r"\d", _TIME_WINDOW.sub(" ", criterion.text)):
        return False  # a dose or another number is a requirement the note may not meet
    before = criterion.words[max(0, mention.first - 3) : mention.first]
    if any(w in SEVERITY_WORDS for w in before) or not _CURRENTLY.search(note.sentences[sentence]):
        return False
    concept_words = set(criterion.words[mention.first : mention.last])
    note_stems = set().union(*(_stems(w) for w in note.words)) if note.words else set()
    wanted = _stems(tuple(w for w in criterion.words if w not in concept_words and w not in _WINDOW_FILLER))
    return len(wanted - note_stems - _stems(tuple(concept_words))) <= _allowance(criterion, mention)


_ANY_OF = re.compile(r"\b(?:one or more|at least one|any of|any one of)\b", re.I)


def _any_of(
    note: NoteFacts, criterion: CriterionFacts, affirmed: list[tuple[Mention, int]]
) -> tuple[Mention, int] | None:
    """In "one or more of: A, B, C" one alternative the note states fully is enough, whatever the others ask
    (numbers included)."""
    if not _ANY_OF.search(criterion.text):
        return None
    for mention, sentence in affirmed:
        if _unsupported(note, criterion, mention) <= _allowance(criterion, mention):
            return mention, sentence
    return None


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


def _stems(words: frozenset[str] | tuple[str, ...]) -> set[str]:
    return {w[:5] for w in words if len(w) > 2 and w not in _STOP and not w[0].isdigit()}


def _denied(sequence: tuple[str, ...], stems: set[str]) -> bool:
    """Whether a negating word stands shortly before any of the shared words ("unable to give consent")."""
    for i, word in enumerate(sequence):
        if word[:5] in stems and any(w in _NEGATING_WORDS for w in sequence[max(0, i - 4) : i]):
            return True
    return False


def overlap(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion criterion most of whose content words one note sentence states (fallback)."""
    if kind != "inclusion" or criterion.negated_subject or _TEST_RESULT.search(criterion.text):
        return None
    wanted = _stems(criterion.words)
    if len(wanted) < 2:
        return None
    best: tuple[float, int] | None = None
    for i, words in enumerate(note.words):
        if i == note.consent_sentence:
            continue
        shared = wanted & _stems(words)
        if shared and _denied(note.sequences[i], shared):
            continue
        share = len(shared) / len(wanted)
        if len(shared) >= 2 and share >= OVERLAP_SHARE and (best is None or share > best[0]):
            best = (share, i)
    if best is None:
        return None
    return "included", best[1], N_("A note sentence states most of this criterion.")


OVERLAP_SHARE = 0.5
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
_TEST = re.compile(r"\b(?:tests?|challenge|assay|score|scale|sensiti[sz]ation|sero\w+)\b|\d", re.I)
_TEST_RESULT = re.compile(r"\b(?:negative|positive|test|score|scale|sensiti[sz]ation|\d)", re.I)


def _mirror(found: Found) -> Found:
    if found is None:
        return None
    label, sentence, reason = found
    return {"excluded": "not included", "not excluded": "included"}.get(label, label), sentence, reason


RULES: tuple[Rule, ...] = (
    trivial,
    conditional,
    judgement,
    consent,
    language,
    childhood,
    pregnancy,
    sex_subject,
    demographics,
    onset_age,
    performance,
    organ_function,
    cancer,
    unknowable,
    conditions,
    overlap,
)
