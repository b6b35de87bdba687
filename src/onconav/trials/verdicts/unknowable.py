"""What a clinical note cannot tell: the results of the trial's own screening tests, a patient's birth
history when the note does not speak of the birth, and complications of a procedure the patient never had.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind, concept_named
from onconav.trials.verdicts.conditions import concept_state, criterion_concepts, qualified
from onconav.trials.verdicts.criterion import CriterionFacts, read_criterion
from onconav.trials.verdicts.note import NoteFacts

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
# A clinical score with a threshold ("ASA score above 2", "injury severity score > 15") that the note does
# not report is not known.
_SCORE = re.compile(
    r"\b(?P<name>[a-z][\w-]*)\s+score\s*(?:of\s*)?(?:[<>≤≥]=?|(?:greater|more|higher|less|lower) than|"
    r"above|below|at least|over|under|\d)",
    re.I,
)
# "... after (following, since) percutaneous coronary intervention", "... post hip replacement": a situation
# that exists only once the patient has had the procedure.
_AFTER_PROCEDURE = re.compile(
    r"\b(?:after|following|since|post)[- ](?:an?\s+|the\s+|recent\s+|prior\s+|previous\s+)?"
    r"(?P<procedure>(?:[a-z-]+\s+){0,3}?(?P<term>surgery|operation|intervention|transplant\w*|"
    r"[a-z]+ectomy|[a-z]+plasty|[a-z]+otomy|[a-z]+ostomy|implantation|resection|bypass|grafting|"
    r"stenting|catheteri[sz]ation|pci|cabg))\b"
    r"(?:\s*\((?P<abbreviation>[a-z]{2,6})\))?",
    re.I,
)
# How long ago the disease was diagnosed ("less than a year from first diagnosis", "diagnosed within the
# last 6 months"): unknown unless the note dates the diagnosis (symptoms of two weeks are not a diagnosis;
# how long the symptoms have lasted is the durations rule's).
_SINCE_DIAGNOSIS = re.compile(
    r"\b(?:from|since|after|of)\s+(?:the\s+)?(?:first|initial|original)?\s*diagnosis\b|"
    r"\bdiagnos\w*\s+(?:within|in the (?:last|past)|(?:less|more|fewer) than|at least|over)\b|"
    r"\b(?:disease|illness) duration\b|\bduration of (?:the )?(?:disease|illness)\b",
    re.I,
)
_NOTE_DATES_DIAGNOSIS = re.compile(
    r"\bdiagnos\w*\b[^.]{0,60}\b(?:ago|in \d{4}|at (?:the )?age|since)\b|"
    r"\b(?:ago|in \d{4})\b[^.]{0,40}\bdiagnos\w*|"
    r"\b(?:\d+|one|two|three|four|five|ten)[- ]years?[- ](?:history|duration)\b|"
    r"\bsince (?:\d{4}|childhood|birth|infancy)\b",
    re.I,
)
# Ties to the people running the study (employees, the investigators' relatives) are never in a note.
_STUDY_STAFF = re.compile(
    r"\b(?:employees?|staff|relatives?|family members?|children|spouses?)\b[^.;]{0,60}\b(?:of|at|for)\s+"
    r"(?:the\s+)?(?:investigators?|sponsor|study (?:site|staff|team)|sub-?investigators?)\b|"
    r"\b(?:investigators?|sponsor|study site)\b[^.;]{0,40}\b(?:employees?|staff)\b",
    re.I,
)
# A finding on an examination the criterion names ("chest CT shows ...") when the note reports no such
# examination.
_EXAM_FINDING = re.compile(
    r"\b(?P<exam>ct|mri|x-?ray|radiograph\w*|ultrasound|echocardiogra\w*|ecg|ekg|scan|biopsy|endoscopy)\s+"
    r"(?:\w+\s+)?(?:shows?|showing|reveals?|revealing|demonstrat\w*|with evidence of)\b",
    re.I,
)
# Names of one examination that notes use interchangeably.
_EXAMINATION_NAMES = (
    r"\b(?:ecg|ekg|electrocardiogra\w*)",
    r"\b(?:x-?rays?|radiograph\w*|cxr)",
    r"\b(?:ct|computed tomography|cat scan)\b",
    r"\b(?:mri|magnetic resonance)",
    r"\b(?:ultrasound|sonograph\w*|echograph\w*|us)\b",
)


def _same_examination(exam: str) -> str:
    """A pattern for the examination named and its other names."""
    for names in _EXAMINATION_NAMES:
        if re.match(names, exam, re.I):
            return names
    return rf"\b{re.escape(exam)}"


# Conditions that only exist after a procedure: without the procedure the criterion does not apply.
PRESUPPOSES = {"graft-versus-host-disease": "transplant"}


def unknowable(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """What a clinical note cannot tell: the results of the trial's own screening tests and a patient's
    birth history (prematurity, birth weight) when the note does not speak of the birth; and complications
    of a procedure the patient never had (graft-versus-host disease without a transplant)."""
    if kind == "exclusion" and _procedure_not_had(note, criterion):
        return NA, None, N_("The criterion is about a situation after a procedure the patient has not had.")
    if _STUDY_STAFF.search(criterion.text):
        return NEI, None, N_("The note does not say whether the patient is tied to the study's staff.")
    exam = _EXAM_FINDING.search(criterion.text)
    if (
        exam
        and not re.search(_same_examination(exam.group("exam")), note.text, re.I)
        and not _affirmed(note, criterion)
    ):
        return NEI, None, N_("The note reports no such examination.")
    if _SINCE_DIAGNOSIS.search(criterion.text) and not _NOTE_DATES_DIAGNOSIS.search(note.text):
        return NEI, None, N_("The note does not say how long ago the disease was diagnosed.")
    assessed = _unreported_score(note, criterion)
    if assessed is not None:
        return assessed
    screening = bool(_SCREENING.search(criterion.text)) and not re.search(
        r"\b(?:prior to|before) screening", criterion.text, re.I
    )
    birth = bool(_BIRTH_HISTORY.search(criterion.text))
    if not (screening or birth or criterion.concepts & PRESUPPOSES.keys()):
        return None
    named = criterion_concepts(criterion)
    said = [m for m in named if (state := concept_state(note, (m.concept,))) and state[0] == "affirmed"]
    if said:
        if screening and kind == "exclusion" and not qualified(criterion, said[0]):
            # A screening test for a disease the patient is known to have will be positive.
            state = concept_state(note, (said[0].concept,))
            evidence = state[1] if state else None
            return "excluded", evidence, (N_("The note names %(concept)s."), concept_named(said[0]))
        return None
    if kind == "exclusion" and named:
        for m in named:
            needed = PRESUPPOSES.get(m.concept)
            if needed is not None and concept_state(note, (needed,)) is None:
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


def _unreported_score(note: NoteFacts, criterion: CriterionFacts) -> Found:
    """A clinical score the note does not report: not enough information, unless the note names a condition
    the criterion names."""
    named = criterion_concepts(criterion)
    if any((state := concept_state(note, (m.concept,))) and state[0] == "affirmed" for m in named):
        return None
    score = _SCORE.search(criterion.text)
    if score and not named and not criterion.cancer_types:
        name = score.group("name").lower()
        if not re.search(rf"\b{re.escape(name)}\b[^.]{{0,20}}(?:\bscore\b|\d)", note.text, re.I):
            return NEI, None, N_("The note does not report this score.")
    return None


def _procedure_not_had(note: NoteFacts, criterion: CriterionFacts) -> bool:
    """Whether the criterion speaks of the time after a procedure the note never mentions."""
    m = _AFTER_PROCEDURE.search(criterion.text)
    if m is None:
        return False
    words = {m.group("term").lower()}
    if m.group("abbreviation"):
        words.add(m.group("abbreviation").lower())
    procedure = read_criterion(m.group("procedure"))
    if procedure.mentions and concept_state(note, tuple(c.concept for c in procedure.mentions)) is not None:
        return False
    return not any(re.search(rf"\b{re.escape(w)}", note.text, re.I) for w in words)


def _affirmed(note: NoteFacts, criterion: CriterionFacts) -> bool:
    """Whether the note affirms a concept the criterion names."""
    return any(
        (state := concept_state(note, (m.concept,))) is not None and state[0] == "affirmed"
        for m in criterion.mentions
    )
