"""A verdict for each eligibility criterion against a patient note, with the note sentence that supports
it: `read_note` reads a note once, `judge` weighs one criterion against it in well under a millisecond.

Labels are those of the TrialGPT criterion annotations. The rules follow how clinicians read criteria:
what a note does not mention about a disease or a treatment counts as absent for an exclusion criterion,
while a measurement the note does not give stays unknown; pregnancy criteria do not apply to men and
children; a note's statement that the patient will consent and comply settles consent criteria. Diagnoses
the note implies without naming them (a medicine's indication, pathognomonic signs, values that are
diagnoses, DSM-5 symptoms) count as said (`verdict_implied`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from onconav.i18n import N_
from onconav.knowledge.understanding import explain
from onconav.trials import verdict_rules as rules
from onconav.trials.verdict_criterion import note_prior_lines, read_criterion
from onconav.trials.verdict_implied import (
    implied_by_readings,
    implied_depression,
    implied_in_sentence,
    taken_medications,
)
from onconav.trials.verdict_measures import Reading, note_age, readings
from onconav.trials.verdict_text import Mention, mentions, split_sentences, tokenize

Kind = Literal["inclusion", "exclusion"]
INCLUSION_LABELS = ("included", "not included", "not enough information", "not applicable")
EXCLUSION_LABELS = ("excluded", "not excluded", "not enough information", "not applicable")

_FEMALE = re.compile(r"\b(woman|female|girl|lady|she|her|mrs|ms|mother of|pregnant|postmenopausal)\b", re.I)
_MALE = re.compile(r"\b(man|male|boy|gentleman|he|his|him|mr)\b", re.I)
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
_POSTMENOPAUSAL = re.compile(r"post-?menopaus|menopaus", re.I)
_NOT_SEXUALLY_ACTIVE = re.compile(
    r"no sexual partners?|not sexually active|never (?:been )?sexually active|virgin", re.I
)


@dataclass(frozen=True)
class Verdict:
    """How one criterion stands for one patient, the note sentence behind it, and why in a few words.

    `reason` is English; pages show `localized_reason(gettext)`, built from the extracted template.
    """

    label: str
    evidence: str | None
    reason: str
    reason_template: str = ""
    reason_details: tuple[tuple[str, str], ...] = ()

    def localized_reason(self, gettext: Callable[[str], str]) -> str:
        """The reason in the reader's language (English when no translation fits)."""
        template = self.reason_template or self.reason
        try:
            return gettext(template) % dict(self.reason_details) if self.reason_details else gettext(template)
        except (KeyError, TypeError, ValueError):
            return self.reason


def _verdict(label: str, evidence: str | None, reason: rules.Reason) -> Verdict:
    template, details = (reason, {}) if isinstance(reason, str) else reason
    return Verdict(
        label=label,
        evidence=evidence,
        reason=template % details if details else template,
        reason_template=template,
        reason_details=tuple(sorted(details.items())),
    )


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
    cancer: str | None
    cancer_family: tuple[str, ...]  # the cancer's code and its parents' codes in the catalogue
    stage: str | None
    metastatic_sites: frozenset[str]
    biomarkers: dict[str, str]
    histologies: frozenset[str]
    prior_lines: int | None  # lines of systemic therapy had, when the note says
    words: tuple[frozenset[str], ...]  # each sentence's folded words
    sequences: tuple[tuple[str, ...], ...] = ()  # the same words in order

    def sentence(self, index: int | None) -> str | None:
        """The text of sentence `index`, or None."""
        return self.sentences[index] if index is not None and 0 <= index < len(self.sentences) else None


def _first(pattern: re.Pattern[str], sentences: tuple[str, ...]) -> int | None:
    return next((i for i, s in enumerate(sentences) if pattern.search(s)), None)


def _sex(sentences: tuple[str, ...]) -> tuple[str | None, int | None]:
    for i, s in enumerate(sentences):
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
        found.extend(named)
        found.extend(implied_in_sentence(sentence, i, named))
        values.extend(readings(sentence, i))
    depression = implied_depression(sentences)
    if depression is not None:
        found.append(depression)
    sex, sex_sentence = _sex(sentences)
    pregnant = any(m.concept == "pregnancy" and m.polarity == "affirmed" for m in found)
    age_sentence = next((i for i, s in enumerate(sentences) if note_age(s) is not None), None)
    age = note_age(sentences[age_sentence]) if age_sentence is not None else None
    found.extend(implied_by_readings(tuple(values), sex, pregnant, age))
    explanation = explain(text)
    cancer = explanation.condition.code if explanation.condition else None
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
        not_sexually_active_sentence=_first(_NOT_SEXUALLY_ACTIVE, sentences),
        cancer=cancer,
        cancer_family=rules.cancer_family(cancer),
        stage=explanation.stage.group if explanation.stage else None,
        metastatic_sites=frozenset(s.site for s in explanation.metastatic_sites),
        biomarkers={b.name: b.status for b in explanation.biomarkers},
        histologies=rules.note_histologies(text, cancer),
        prior_lines=note_prior_lines(text) if cancer is not None else None,
        words=tuple(words),
        sequences=tuple(sequences),
    )


def judge(note: NoteFacts, criterion_text: str, kind: Kind) -> Verdict:
    """The verdict of one inclusion or exclusion criterion for the patient of `note`."""
    criterion = read_criterion(criterion_text.strip())
    for rule in rules.RULES:
        found = rule(note, criterion, kind)
        if found is not None:
            label, sentence, reason = found
            return _verdict(label, note.sentence(sentence), reason)
    if kind == "inclusion":
        return _verdict(
            "not enough information", None, N_("The note does not say whether this criterion is met.")
        )
    return _verdict(
        "not excluded",
        note.sentence(_silence_evidence(note, criterion_text)),
        N_("The note mentions nothing that this criterion excludes."),
    )


_TREATMENT_WORDS = re.compile(
    r"\b(?:treat\w*|therap\w*|medication\w*|drugs?|taking|use of|received|receiving)\b", re.I
)
_HISTORY_WORDS = re.compile(r"\b(?:history|known|diagnos\w*|disease|disorder|chronic)\b", re.I)


def _silence_evidence(note: NoteFacts, criterion_text: str) -> int | None:
    """The sentence that makes a note's silence meaningful: "takes no medications", "no medical history"."""
    if note.no_medications_sentence is not None and _TREATMENT_WORDS.search(criterion_text):
        return note.no_medications_sentence
    if note.no_history_sentence is not None and _HISTORY_WORDS.search(criterion_text):
        return note.no_history_sentence
    return None
