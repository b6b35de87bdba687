"""Diagnoses asked with the test that confirms them, and diagnoses the note only screens for.

- "Acute appendicitis confirmed by imaging", "radiologic evidence of appendicitis", "pneumonia confirmed
  by chest X-ray": the condition rule (`conditions`) wants every word of the criterion in the note, and a
  note reports the scan ("CT shows a dilated appendix"), not the word "confirmed". When the note gives the
  imaging finding that establishes the diagnosis (`findings.key_finding`, in a sentence about a scan), the
  confirmation is met and the rest of the criterion is judged as usual; a diagnosis only named clinically
  stays open.
- A diagnosis the note only considers (a positive screening test: a 50 g glucose challenge for gestational
  diabetes) is not ruled out by a denial of a broader one's history ("no history of diabetes"): the
  pregnancy's diabetes is new. It stays open.
- Diabetes from before the pregnancy ("pre-gestational diabetes", "pre-existing diabetes") is not the
  gestational diabetes a note reports (ADA Standards of Care: gestational diabetes is diabetes first
  diagnosed in the second or third trimester that was not clearly overt before).
- The seizure a note describes and shows to be a febrile seizure (`findings_more`) is not epilepsy:
  epilepsy asked of such a child is not met unless the note speaks of epilepsy itself (AAP guideline,
  2011; ILAE 2014). A febrile seizure the note only names, in the past, leaves later epilepsy open.
"""

from __future__ import annotations

import re
from functools import lru_cache

from onconav.i18n import N_
from onconav.trials.verdicts.answers import (
    NEI,
    Found,
    Kind,
    concept_name,
    concept_named,
    negative_label,
    positive_label,
)
from onconav.trials.verdicts.conditions import conditions, criterion_concepts
from onconav.trials.verdicts.criterion import CriterionFacts, read_criterion
from onconav.trials.verdicts.findings import key_finding
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors, context, tokenize

_IMAGING = (
    r"(?:(?:chest|abdominal|abdomen|pelvic|thoracic|lung|leg|venous|compression|cross-?sectional)\s+)?"
    r"(?:imaging|ct|cta|ctpa|computed tomography|ct (?:scan|angiograph\w*)|ultrasound|ultrasonograph\w*|"
    r"sonograph\w*|duplex(?: ultrasound| scan)?|doppler(?: ultrasound)?|x-?rays?|radiograph\w*|cxr|mri|"
    r"magnetic resonance(?: imaging)?|(?:pulmonary |ct )?angiograph\w*|scan|v/?q scan|"
    r"radiolog\w*(?: imaging)?)"
)
_IMAGINGS = _IMAGING + r"(?:\s*(?:,|/|or|and|and/or)\s*(?:an?\s+)?" + _IMAGING + r")*"
_OBJECTIVELY = r"(?:objectively|radiologically|radiographically|sonographically)"
# The confirmation the criterion adds: by imaging, or "objectively" (a scan is objective).
_CONFIRMED = re.compile(
    r",?\s*\b(?:" + _OBJECTIVELY + r"\s+)?"
    r"(?:confirmed|documented|proven|proved|diagnosed|demonstrated|verified|seen|established)\s+(?:by|on|with)\s+"
    r"(?:an?\s+|the\s+)?" + _IMAGINGS + r"\b"
    r"|,?\s*\b(?:confirmed|documented|proven|diagnosed)\s+" + _OBJECTIVELY + r"\b"
    r"|\b(?:" + _OBJECTIVELY + r"|imaging|ct|ultrasound)[- ](?:confirmed|proven|documented|verified)\b"
    r"|\b(?:radiologic(?:al)?|radiographic|imaging|sonographic|ultrasound|ct)\s+(?:evidence|signs?|"
    r"confirmation)\s+(?:of|for)\b"
    r"|,?\s*\bwith\s+(?:radiologic(?:al)?|radiographic|imaging|sonographic)\s+(?:confirmation|evidence)\b",
    re.I,
)
# A scan word in the sentence of the finding (or just before: "CT abdomen: ..." as its own line).
_SCAN_WORD = re.compile(r"\b" + _IMAGING + r"\b|(?-i:\bUS\b)", re.I)


def _imaged(note: NoteFacts, concept: str) -> int | None:
    """The sentence where a scan shows the key finding of a diagnosis, or None."""
    finding = key_finding(concept)
    if finding is None or not finding.search(note.text):
        return None
    for i, sentence in enumerate(note.sentences):
        for m in finding.finditer(sentence):
            before = note.sentences[i - 1][-60:] if i > 0 else ""
            if not _SCAN_WORD.search(sentence) and not _SCAN_WORD.search(before):
                continue
            tokens = tokenize(sentence)
            inside = [j for j, t in enumerate(tokens) if m.start() <= t.start < m.end()]
            if inside and context(tokens, [t.word for t in tokens], inside[0], inside[-1] + 1) == "affirmed":
                return i
    return None


def _named_without_scan(note: NoteFacts, concept: str) -> int | None:
    """The sentence where the note names a diagnosis (affirmed) when no sentence naming it speaks of a
    scan: a clinical diagnosis."""
    sentences = [
        m.sentence for m in note.mentions if m.polarity == "affirmed" and concept in ancestors(m.concept)
    ]
    if not sentences or any(_SCAN_WORD.search(note.sentences[i]) for i in sentences):
        return None
    return sentences[0]


@lru_cache(maxsize=16_384)
def _confirmation(text: str) -> tuple[int, int] | None:
    """Where the criterion's imaging confirmation stands (cached: a criterion is judged for many notes)."""
    m = _CONFIRMED.search(text)
    return None if m is None else (m.start(), m.end())


def _confirmed_by_imaging(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    confirmation = _confirmation(criterion.text)
    if confirmation is None:
        return None
    start, end = confirmation
    named = [m for m in criterion_concepts(criterion) if m.polarity == "affirmed"]
    imaged = [(m.concept, i) for m in named if (i := _imaged(note, m.concept)) is not None]
    if not imaged:
        clinical = next(
            ((m.concept, n) for m in named if (n := _named_without_scan(note, m.concept)) is not None), None
        )
        if clinical is None or kind == "exclusion":
            # not in the note at all, or named beside its scan: the note's words decide; and an exclusion
            # forgives the confirmation of a diagnosis the note names (`conditions`)
            return None
        concept, sentence = clinical
        return (
            NEI,
            sentence,
            (
                N_("The note names %(concept)s but not the imaging that confirms it."),
                {"concept": concept_name(concept)},
            ),
        )
    rest = (criterion.text[:start] + " " + criterion.text[end:]).strip(" ,;")
    found = conditions(note, read_criterion(rest), kind)
    if found is None or found[0] != positive_label(kind):
        return found
    concept, sentence = imaged[0]
    return (
        found[0],
        sentence,
        (N_("An imaging finding in the note establishes %(concept)s."), {"concept": concept_name(concept)}),
    )


def _screened_only(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A diagnosis the note only considers, with a broader one denied: open, not ruled out."""
    if not any(m.polarity == "uncertain" for m in note.mentions):
        return None
    for asked in criterion_concepts(criterion):
        if asked.polarity != "affirmed":
            continue
        mine = [m for m in note.mentions if asked.concept in ancestors(m.concept)]
        considered = next((m for m in mine if m.polarity == "uncertain"), None)
        if considered is None or any(m.polarity in {"affirmed", "negated"} for m in mine):
            continue
        broader = [
            m
            for m in note.mentions
            if m.polarity == "negated"
            and m.concept != asked.concept
            and m.concept in ancestors(asked.concept)
        ]
        if broader:
            return (
                NEI,
                considered.sentence,
                (
                    N_("The note only considers %(concept)s; it denies a broader condition, not this one."),
                    {"concept": concept_name(asked.concept)},
                ),
            )
    return None


_BEFORE_PREGNANCY = re.compile(
    r"\b(?:pre-?gestational|pre-?existing|pre-?pregnancy|pregravid)\s+(?:\w+\s+){0,2}diabet\w*|"
    r"\bdiabet\w*\s+(?:\w+\s+){0,2}(?:before|prior to)\s+(?:the\s+|this\s+)?pregnancy\b",
    re.I,
)


_TYPED_DIABETES = frozenset({"type-1-diabetes", "type-2-diabetes"})


def _diabetes_before_pregnancy(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Diabetes from before the pregnancy, asked of a note whose only diabetes is gestational."""
    if "diabet" not in criterion.text.lower() or not _BEFORE_PREGNANCY.search(criterion.text):
        return None
    if any("diabetes" not in ancestors(m.concept) for m in criterion_concepts(criterion)):
        return None  # something else is asked too
    diabetes = [m for m in note.mentions if m.polarity == "affirmed" and "diabetes" in ancestors(m.concept)]
    if not diabetes:
        return None
    typed = next((m for m in diabetes if _TYPED_DIABETES & set(ancestors(m.concept))), None)
    gestational = next((m for m in diabetes if m.concept == "gestational-diabetes"), None)
    if gestational is not None and typed is None:
        # the note's diabetes is the pregnancy's (its insulin, too)
        return (
            negative_label(kind),
            gestational.sentence,
            N_("The note's diabetes is gestational: it began in this pregnancy."),
        )
    found = typed or diabetes[0]
    return positive_label(kind), found.sentence, (N_("The note names %(concept)s."), concept_named(found))


_EPILEPSY_WORDS = re.compile(r"epilep|seizure disorder|afebrile|unprovoked", re.I)


def _febrile_not_epilepsy(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Epilepsy asked of a child whose seizure the note shows came with fever."""
    if "epilep" not in criterion.text.lower():
        return None
    if {m.concept for m in criterion_concepts(criterion)} != {"epilepsy"}:
        return None
    # the febrile seizure the findings establish (no words of its own): the seizure the note describes
    febrile = next(
        (
            m
            for m in note.mentions
            if m.polarity == "affirmed" and m.concept == "febrile-seizure" and m.first == m.last
        ),
        None,
    )
    if febrile is None or any(
        m.polarity == "affirmed"
        and "epilepsy" in ancestors(m.concept)
        and _EPILEPSY_WORDS.search(note.sentences[m.sentence])
        for m in note.mentions
    ):
        return None
    return (
        negative_label(kind),
        febrile.sentence,
        N_("The note's seizure came with fever in early childhood: a febrile seizure, not epilepsy."),
    )


def confirmed_findings(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A diagnosis confirmed by the imaging finding the criterion asks for; one only screened for, open."""
    return (
        _confirmed_by_imaging(note, criterion, kind)
        or _screened_only(note, criterion, kind)
        or _diabetes_before_pregnancy(note, criterion, kind)
        or _febrile_not_epilepsy(note, criterion, kind)
    )
