"""A patient note read once for the verdicts (`read_note`): sentences, age and sex, consent, concepts
with their context (and those the note implies), measurements, and the cancer with its stage, spread,
biomarkers, histology and lines of therapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from onconav.knowledge import service as knowledge
from onconav.trials import oncotree
from onconav.trials.verdicts.ages import note_age
from onconav.trials.verdicts.criterion import WORD_NUMBERS, histologies
from onconav.trials.verdicts.findings import implied_by_findings
from onconav.trials.verdicts.implied import (
    about_a_relative,
    implied_by_readings,
    implied_depression,
    implied_exacerbations,
    implied_in_sentence,
    taken_medications,
)
from onconav.trials.verdicts.measures import Reading, readings
from onconav.trials.verdicts.refusals import course_of_treatments
from onconav.trials.verdicts.text import Mention, ancestors, mentions, split_sentences, tokenize

_FEMALE = re.compile(r"\b(woman|female|girl|lady|she|her|mrs|ms|mother of|pregnant|postmenopausal)\b", re.I)
_MALE = re.compile(r"\b(man|male|boy|gentleman|he|his|him|mr)\b", re.I)
# Concepts that say the patient is pregnant now (preeclampsia may be a past pregnancy's).
PREGNANT = frozenset({"pregnancy", "multiple-pregnancy"})
_CONSENT = re.compile(r"informed consent|will comply|consent", re.I)
_REFUSAL = re.compile(
    r"\b(?:refus\w*|declin\w*|unable|cannot|can not|not able|unwilling|won't|will not)\b", re.I
)
_NO_MEDICATIONS = re.compile(
    r"\b(?:takes|taking|on) no (?:regular )?medications?|no (?:current |regular )?medications?\b", re.I
)
_NO_HISTORY = re.compile(
    r"no (?:significant |relevant |previous |prior )?(?:past )?medical (?:history|problems)|"
    r"previously healthy|"
    r"no (?:significant )?past (?:medical )?history|otherwise healthy",
    re.I,
)
_NORMAL_LABS = re.compile(
    r"(?:laborator\w*|labs?|blood (?:count|tests?)|biochemi\w*|chemistr\w*|cbc|blood work)[^.]*"
    r"(?:normal|unremarkable|within normal limits)",
    re.I,
)
# "menopausal" and "postmenopausal", not "premenopausal" or "perimenopausal".
_POSTMENOPAUSAL = re.compile(r"post-?menopaus|(?<!pre)(?<!pre-)(?<!peri)(?<!peri-)\bmenopaus", re.I)
# Operations after which a woman cannot become pregnant.
_STERILE = re.compile(
    r"\bhysterectomy|bilateral (?:salpingo-?)?oophorectomy|tubal ligation|surgically steril", re.I
)
_NOT_SEXUALLY_ACTIVE = re.compile(
    r"no sexual partners?|not sexually active|never (?:been )?sexually active|virgin", re.I
)


def _regimen_parts(found: list[Mention]) -> list[Mention]:
    """Each medicine of a regimen the note names, as named where the regimen is ("FOLFIRI": irinotecan)."""
    regimens = knowledge.clinical_lexicon().regimens
    return [replace(m, concept=part) for m in found for part in regimens.get(m.concept, ())]


@dataclass(frozen=True)
class NoteFacts:
    """What a patient note says, read once and reused for every criterion."""

    text: str
    sentences: tuple[str, ...]
    age: float | None
    age_sentence: int | None
    sex: str | None
    sex_sentence: int | None
    consent_sentence: int | None
    mentions: tuple[Mention, ...]
    readings: tuple[Reading, ...]
    no_medications_sentence: int | None
    no_history_sentence: int | None
    normal_labs_sentence: int | None
    postmenopausal: bool
    not_sexually_active_sentence: int | None
    sterile_sentence: int | None  # a hysterectomy, bilateral oophorectomy or tubal ligation
    cancer: str | None
    cancer_family: tuple[str, ...]  # the cancer's code and its parents' codes in the catalogue
    stage: str | None
    metastatic_sites: frozenset[str]
    biomarkers: dict[str, str]
    histologies: frozenset[str]
    prior_lines: int | None  # lines of systemic therapy had, when the note says
    words: tuple[frozenset[str], ...]  # each sentence's folded words
    sequences: tuple[tuple[str, ...], ...] = ()  # the same words in order
    cancer_types: tuple[str, ...] = ()  # OncoTree types of the patient's cancer, most specific known

    def sentence(self, index: int | None) -> str | None:
        """The text of sentence `index`, or None."""
        return self.sentences[index] if index is not None and 0 <= index < len(self.sentences) else None


def _first(pattern: re.Pattern[str], sentences: tuple[str, ...]) -> int | None:
    return next((i for i, s in enumerate(sentences) if pattern.search(s)), None)


# "54 y/o F", "62 yo M", "a G2P1": sex written short after the age, or an obstetric history.
_FEMALE_SHORT = re.compile(
    r"\b\d{1,3}\s*(?:yo|y/o|y\.o\.|-?year-old)\s*F\b|\bG\d+\s*P\d+|\b(?i:gravida|primigravid)|"
    r"\b(?i:sex|gender)\s*:\s*(?:F\b|(?i:female))"
)
_MALE_SHORT = re.compile(
    r"\b\d{1,3}\s*(?:yo|y/o|y\.o\.|-?year-old)\s*M\b|\b(?i:sex|gender)\s*:\s*(?:M\b|(?i:male))"
)


def _sex(sentences: tuple[str, ...]) -> tuple[str | None, int | None]:
    for i, s in enumerate(sentences):
        short, male = _FEMALE_SHORT.search(s), _MALE.search(s)
        if short and not (male and male.start() < short.start()):  # not "a boy born to a G2P2 mother"
            return "female", i
        if _MALE_SHORT.search(s):
            return "male", i
        female, male = _FEMALE.search(s), _MALE.search(s)
        if female and (not male or female.start() < male.start()):
            return "female", i
        if male:
            return "male", i
    return None, None


def read_note(text: str) -> NoteFacts:
    """Read a patient note once: demographics, concepts with their context, measurements, the cancer."""
    sentences = tuple(split_sentences(text))
    found: list[Mention] = []
    values: list[Reading] = []
    words: list[frozenset[str]] = []
    sequences: list[tuple[str, ...]] = []
    for i, sentence in enumerate(sentences):
        tokens = tokenize(sentence)
        words.append(frozenset(t.word for t in tokens))
        sequences.append(tuple(t.word for t in tokens))
        named = taken_medications(tokens, sentence, mentions(tokens, i))
        if about_a_relative(sentence):
            named = [replace(m, polarity="family") for m in named]
        # what a medicine is given for stands even when it was declined or stopped ("refuses insulin")
        implied = implied_in_sentence(sentence, i, named)
        found.extend(course_of_treatments(tokens, named))
        found.extend(implied)
        values.extend(readings(sentence, i))
    depression = implied_depression(sentences)
    if depression is not None:
        found.append(depression)
    found.extend(implied_exacerbations(sentences, found))
    sex, sex_sentence = _sex(sentences)
    pregnant = any(m.concept in PREGNANT and m.polarity == "affirmed" for m in found)
    age_sentence = next((i for i, s in enumerate(sentences) if note_age(s) is not None), None)
    age = note_age(sentences[age_sentence]) if age_sentence is not None else None
    found.extend(implied_by_readings(tuple(values), sex, pregnant, age))
    found.extend(implied_by_findings(sentences, found, tuple(values), pregnant, age))
    found.extend(_regimen_parts(found))
    explanation = knowledge.explain(text)
    patients = cancer_is_the_patients(sentences, found)
    cancer = explanation.condition.code if explanation.condition and patients is not False else None
    return NoteFacts(
        text=text,
        sentences=sentences,
        age=age,
        age_sentence=age_sentence,
        sex=sex,
        sex_sentence=sex_sentence,
        consent_sentence=next(
            (i for i, s in enumerate(sentences) if _CONSENT.search(s) and not _REFUSAL.search(s)), None
        ),
        mentions=tuple(found),
        readings=tuple(values),
        no_medications_sentence=_first(_NO_MEDICATIONS, sentences),
        no_history_sentence=_first(_NO_HISTORY, sentences),
        normal_labs_sentence=_first(_NORMAL_LABS, sentences),
        postmenopausal=bool(_POSTMENOPAUSAL.search(text)),
        sterile_sentence=_first(_STERILE, sentences),
        not_sexually_active_sentence=_first(_NOT_SEXUALLY_ACTIVE, sentences),
        cancer=cancer,
        cancer_family=cancer_family(cancer),
        stage=explanation.stage.group if explanation.stage else None,
        metastatic_sites=frozenset(s.site for s in explanation.metastatic_sites),
        biomarkers={b.name: b.status for b in explanation.biomarkers},
        histologies=note_histologies(text, cancer),
        prior_lines=note_prior_lines(text) if cancer is not None else None,
        words=tuple(words),
        sequences=tuple(sequences),
        cancer_types=patient_cancer_types(text, cancer, patients),
    )


# A sentence about a relative's illness: "Her husband was recently diagnosed with colon cancer".
_RELATIVE_SUBJECT = re.compile(
    r"^\W*(?:(?:her|his|their|the patient's|patient's|a|an)\s+)?(?:husband|wife|spouse|partner|son|daughter|"
    r"mother|father|sister|brother|sibling|aunt|uncle|grand\w+|cousin|niece|nephew|relatives?|"
    r"family members?)\b",
    re.I,
)


def cancer_is_the_patients(sentences: tuple[str, ...], found: list[Mention] | None = None) -> bool | None:
    """Whether the note says the patient has a cancer: False when every cancer it names is ruled out
    ("biopsy negative for hepatocellular carcinoma") or a relative's; None when it names none."""
    if found is None:
        found = [m for i, s in enumerate(sentences) for m in mentions(tokenize(s), i)]
    named = [m for m in found if "cancer" in ancestors(m.concept)]
    if not named:
        return None
    return any(
        not _RELATIVE_SUBJECT.search(sentences[m.sentence])
        and not (m.polarity == "negated" and _RULED_OUT.search(sentences[m.sentence]))
        and m.polarity != "family"
        for m in named
    )


# The words that rule a cancer out. A bare "no" or "never" nearby is not enough: in "never smoker, lung
# adenocarcinoma" it negates the smoking.
_RULED_OUT = re.compile(
    r"\b(?:negative for|no (?:evidence|sign|signs|history|histologic evidence) of|free of|ruled out|"
    r"rules out|without (?:evidence of|any)|denies|no (?:known |personal )?(?:cancer|malignan\w*|tumou?r))",
    re.I,
)


def patient_cancer_types(text: str, cancer: str | None, patients: bool | None = None) -> tuple[str, ...]:
    """The OncoTree types of the note's cancer: the catalogue's reading, made more specific when the note
    names a subtype of it ("papillary thyroid carcinoma"); without it, the types the note names. None when
    every cancer the note names is ruled out or a relative's (`cancer_is_the_patients`)."""
    if patients is None:
        patients = cancer_is_the_patients(tuple(split_sentences(text)))
    if patients is False:
        return ()
    named = oncotree.types_named(text)
    base = oncotree.of_catalogue(cancer)
    if base is None:
        # A benign tumour ("pituitary adenoma") is not a cancer, nor is the "tumour" of the same organ.
        benign = {
            t
            for t in named
            if _BENIGN.search(oncotree.name_of(t)) and not _MALIGNANT.search(oncotree.name_of(t))
        }
        organs = {oncotree.lineage(t)[1] for t in benign if len(oncotree.lineage(t)) > 1}
        if _MALIGNANT.search(text) or re.search(r"\bcancer", text, re.I):
            organs = set()  # "carcinoma ex pleomorphic adenoma": the note names the malignant one
        return tuple(
            t
            for t in named
            if t not in (oncotree.SOLID, oncotree.ANY_CANCER)
            and t not in benign
            and not (len(oncotree.lineage(t)) > 1 and oncotree.lineage(t)[1] in organs)
        )[:1]
    specific = tuple(t for t in named if base in oncotree.lineage(t))
    if not specific and base in oncotree.BLOOD_TISSUES:
        # the catalogue's leukaemia spans both blood tissues: a blood cancer the note names is the precise one
        specific = tuple(t for t in named if oncotree.lineage(t)[-1] in oncotree.BLOOD_TISSUES)
    return specific or (base,)


_BENIGN = re.compile(r"\badenoma\b|\bbenign\b|\bpapilloma\b|\blipoma\b|\bnevus\b", re.I)
_MALIGNANT = re.compile(r"carcinoma|sarcoma|malignan", re.I)


def cancer_family(code: str | None) -> tuple[str, ...]:
    """A catalogue condition code and its parents' codes, nearest first."""
    return knowledge.condition_lineage(code=code) if code is not None else ()


_NSCLC_TYPES = frozenset({"adenocarcinoma", "squamous", "large-cell"})


def note_histologies(text: str, cancer: str | None) -> frozenset[str]:
    """Histologic types a note names; a lung adenocarcinoma, squamous or large-cell is also non-small-cell."""
    found = set(histologies(text)) if cancer is not None else set()
    if found & _NSCLC_TYPES and "lung" in (cancer or "") and "small-cell" not in found:
        found.add("non-small-cell")
        if "squamous" not in found:
            found.add("non-squamous")
    return frozenset(found)


# "progressed on first-line therapy": the words of progression this many characters before the line.
PROGRESSION_LOOK_BACK = 60
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_NOTE_LINE = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th)[- ]line\b", re.I)
_NOTE_COUNT = re.compile(
    r"\b(\d|one|two|three|four|five) (?:prior|previous) (?:lines?|regimens?|therapies|treatments)", re.I
)
_NOTE_NAIVE = re.compile(
    r"treatment[- ]na[iï]ve|chemo(?:therapy)?[- ]na[iï]ve|previously untreated|newly diagnosed|"
    r"no prior (?:systemic )?(?:therapy|treatment|chemotherapy)|has not (?:yet )?(?:been treated|received)",
    re.I,
)
_NOTE_PROGRESSED = re.compile(r"progress\w* (?:after|on|following|despite)|refractory to|failed\b", re.I)


def note_prior_lines(text: str) -> int | None:
    """How many lines of systemic therapy a note says the patient has had, when it says."""
    counts = [WORD_NUMBERS.get(m.group(1).lower()) or int(m.group(1)) for m in _NOTE_COUNT.finditer(text)]
    if counts:
        return max(counts)
    lines = []
    for m in _NOTE_LINE.finditer(text):
        before = text[max(0, m.start() - PROGRESSION_LOOK_BACK) : m.start()]
        ordinal = _ORDINALS[m.group(1).lower()]
        lines.append(ordinal if _NOTE_PROGRESSED.search(before) else ordinal - 1)
    if lines:
        return max(lines)
    if _NOTE_NAIVE.search(text):
        return 0
    counted = counted_lines(split_sentences(text))
    if counted:
        return counted
    if _NOTE_PROGRESSED.search(text):
        return 1
    return None


# Where one line of therapy ends and the next begins in a note's account: "progressed on
# carboplatin/pemetrexed, then on docetaxel"; "FOLFOX followed by FOLFIRI".
_LINE_BREAK = re.compile(
    r"\bthen\b|\bfollowed by\b|\bsubsequently\b|\bafter that\b|\blater\b|;|"
    r",?\s\band\s+(?=(?:he|she|they|the patient)\b)",
    re.I,
)
# A line given before now; a line started now or planned is not a prior line; (neo)adjuvant treatment is
# not a line for advanced disease.
_GIVEN = re.compile(
    r"\bprogress\w*|\brefractory|\bfail\w*|\breceived|\btreated|\bcompleted|\bwas given|\bintoleran\w*|"
    r"\bstopped|\bdiscontinued|\bprior\b|\bprevious\w*",
    re.I,
)
_NOT_PRIOR = re.compile(
    r"\b(?:now|currently|is on|is receiving|started|starting|will|plan\w*|recommend\w*|consider\w*|"
    r"candidate|(?:neo)?adjuvant|perioperative|never|no)\b",
    re.I,
)


def counted_lines(sentences: tuple[str, ...] | list[str]) -> int:
    """Lines of anticancer therapy a note lists as given: each stretch between "then", "followed by" or
    ";" that names a medicine (or regimen) not named before is one line; medicines named together
    ("carboplatin/pemetrexed", "FOLFIRI with bevacizumab") are one line; classes ("chemotherapy") count
    nothing, nor do lines started now, planned or (neo)adjuvant."""
    seen: set[str] = set()
    lines = 0
    for sentence in sentences:
        if not _GIVEN.search(sentence):
            continue
        for stretch in _LINE_BREAK.split(sentence):
            found = mentions(tokenize(stretch), 0)
            agents = {
                m.concept for m in found if m.polarity == "affirmed" and _is_anticancer_agent(m.concept)
            }
            if agents - seen and not _NOT_PRIOR.search(stretch):
                lines += 1
            seen |= agents
    return lines


def _is_anticancer_agent(concept: str) -> bool:
    """A medicine or regimen given against cancer, not a class of them."""
    return "systemic-therapy" in ancestors(concept) and concept not in _parents()


@cache
def _parents() -> frozenset[str]:
    """The concepts some other concept is a kind of, through any of its parents: classes, not agents."""
    concepts = knowledge.clinical_lexicon().concepts
    return frozenset(p for c in concepts.values() for p in c.parents)
