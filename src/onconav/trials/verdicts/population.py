"""Who a criterion is about, beyond age and sex: menopausal status (from the note, or from age when it
settles it), and requirements addressed to another age group ("Children must be accompanied by a parent"
does not apply to an adult).

"Healthy volunteers" is not met by a patient who presents with an illness (the note names a disease, an
injury or a symptom as the reason for the visit, or a cancer); a note about a well person's visit leaves it
open, and "otherwise healthy" or "healthy volunteers or patients with ..." ask something else.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.implied import is_medication
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.text import ancestors

# Menopause comes between these ages for nearly every woman: before the first, premenopausal; from the second,
# postmenopausal (unless the note says otherwise).
PREMENOPAUSAL_BEFORE = 40.0
POSTMENOPAUSAL_FROM = 55.0
_POST = re.compile(r"\bpost-?menopaus", re.I)
# A woman who still has periods has not reached menopause.
_MENSTRUATING = re.compile(
    r"\b(?:last|regular|normal|irregular) menstrual period|\bmenstruat\w*|\bmenses\b|\blmp\b", re.I
)
_NO_MENSES = re.compile(r"\bno (?:menses|menstrual periods?)\b|\bamenorrh|\bstopped menstruat", re.I)
_PRE = re.compile(r"\bpre-?menopaus", re.I)
_CHILD_REQUIREMENT = re.compile(
    r"^\W*(?:(?:in|for)\s+)?(?:children|minors|infants|adolescents|paediatric patients|pediatric patients)"
    r"(?:\s+under\s+\d+)?\s*(?:[,:]|\s+(?:must|should|need|are required|will|have to)\b)",
    re.I,
)
ADULT_AGE = 18.0
_SWALLOW = re.compile(
    r"\b(?:able|ability) to (?:swallow|take (?:and (?:retain|keep down) )?oral|"
    r"take (?:\w+ )?(?:tablets|pills|capsules|medications?) by mouth)",
    re.I,
)
_NOTHING_BY_MOUTH = re.compile(
    r"\bnpo\b|nil by mouth|intubat|feeding tube|tube[- ]fed|unable to swallow", re.I
)


# A trial for outpatients ("Outpatients with mild asthma", "ambulatory patients") and a note about a
# patient admitted to hospital.
_OUTPATIENTS = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:out-?patients?|ambulatory (?:patients|care|setting))\b", re.I
)
_ADMITTED = re.compile(
    r"\b(?:admitted to (?:the )?(?:hospital|ward|icu|intensive care)|is admitted|was admitted|"
    r"hospitali[sz]ed|inpatient)\b",
    re.I,
)

# A criterion that asks for a stay in hospital in so many words (not "admitted after trauma", which reads
# as "presenting after"), and the words that place the patient in hospital besides being admitted.
_HOSPITALISED = re.compile(r"\bhospitali[sz](?:ed|ation)\b|\bin-?patients?\b", re.I)
_IN_HOSPITAL = re.compile(r"\badmission\b|\b(?:icu|intensive care unit)\b|\bward\b", re.I)

# A trial for patients in hospital, and a note about a visit to a clinic or a doctor's office.
_INPATIENTS = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:hospitali[sz]ed|in-?patients?|admitted)\b|"
    r"\brequiring (?:hospitali[sz]ation|admission)\b",
    re.I,
)
_SEEN_AS_OUTPATIENT = re.compile(
    r"\b(?:primary care|family (?:doctor|physician|practice)|general practitioner|gp|pediatrician|"
    r"paediatrician|outpatient|urgent care)(?:'s)? (?:clinic|office|visit|practice)\b|"
    r"\b(?:clinic|office) visit\b|\bseen in (?:the |an? )?(?:outpatient )?clinic\b|"
    r"\bpresents? to (?:his|her|the|a) (?:clinic|office|"
    r"primary care (?:physician|provider|doctor)|family (?:doctor|physician)|pediatrician)\b",
    re.I,
)


# "Healthy volunteers", "Healthy adult subjects", not "otherwise healthy" nor mixed populations.
_HEALTHY = re.compile(
    r"^\W*(?:(?:normal|adult|male|female|young)\s+)?healthy\s+(?:(?:adult|male|female|young|elderly|older|"
    r"normal|human|non-?smoking)\s+){0,2}(?:volunteers?|subjects?|individuals?|participants?|persons?|people|"
    r"adults?|men|women|males?|females?|controls?)\b",
    re.I,
)
_MIXED = re.compile(r"\bpatients?\b|\bor\b|\botherwise\b", re.I)
# The reason the patient is seen: a presentation with, for or after something, a complaint, a diagnosis.
_PRESENTATION = re.compile(
    r"\b(?:presents?|presented|presenting|comes?|came|brought|admitted|referred|seen|evaluated|arrives?|"
    r"arrived)\b[^.]{0,60}?\b(?:with|after|because of|due to)\b|\bcomplain\w* of\b|\bdiagnosed with\b|"
    r"\bsuffer\w* from\b",
    re.I,
)
# Concepts that are no illness: procedures, treatments, tests, places of care, pregnancy.
_NO_ILLNESS_TEXT = """
    surgery transplant radiotherapy systemic-therapy corticosteroids anticoagulation antibiotics imaging
    ultrasound pet-scan mammogram bone-density-scan ct-scan mri radiograph electrocardiogram echocardiogram
    angiography endoscopy colonoscopy bronchoscopy lumbar-puncture electroencephalogram
    pulmonary-function-test stress-test blood-transfusion oxygen-therapy noninvasive-ventilation ecmo
    plasmapheresis ivig emergency-department hospitalization mechanical-ventilation pregnancy
"""
_NO_ILLNESS = frozenset(_NO_ILLNESS_TEXT.split())


def _presenting_illness(note: NoteFacts) -> int | None:
    """The sentence giving an illness as the reason the patient is seen, if the note has one."""
    for i, sentence in enumerate(note.sentences):
        if not _PRESENTATION.search(sentence):
            continue
        for m in note.mentions:
            if m.sentence != i or m.polarity != "affirmed" or is_medication(m.concept):
                continue
            if not _NO_ILLNESS & set(ancestors(m.concept)):
                return i
    return None


def healthy_volunteers(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Healthy volunteers" for a patient who presents with an illness: not met (inclusion), and no reason
    to exclude (exclusion)."""
    if not _HEALTHY.search(criterion.text) or _MIXED.search(criterion.text):
        return None
    sentence = _presenting_illness(note)
    if sentence is None:
        if note.cancer is None:
            return None
        sentence = next((m.sentence for m in note.mentions if "cancer" in ancestors(m.concept)), None)
    if kind == "inclusion":
        return (
            "not included",
            sentence,
            N_("The patient presents with an illness; the criterion asks for healthy volunteers."),
        )
    return "not excluded", sentence, N_("The patient presents with an illness, not as a healthy volunteer.")


def population(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Menopausal status, requirements for children, trials for outpatients or inpatients, and healthy
    volunteers."""
    healthy = healthy_volunteers(note, criterion, kind)
    if healthy is not None:
        return healthy
    if _CHILD_REQUIREMENT.search(criterion.text) and note.age is not None and note.age >= ADULT_AGE:
        return NA, note.age_sentence, N_("The criterion is for children; the patient is an adult.")
    if kind == "inclusion" and _OUTPATIENTS.search(criterion.text):
        admitted = next((i for i, s in enumerate(note.sentences) if _ADMITTED.search(s)), None)
        if admitted is not None:
            return (
                "not included",
                admitted,
                N_("The criterion is for outpatients; the note says the patient was admitted."),
            )
    if kind == "inclusion" and _INPATIENTS.search(criterion.text) and not _ADMITTED.search(note.text):
        seen = next((i for i, s in enumerate(note.sentences) if _SEEN_AS_OUTPATIENT.search(s)), None)
        if seen is not None:
            return (
                "not included",
                seen,
                N_("The criterion is for patients in hospital; the note describes a visit to a clinic."),
            )
        if _HOSPITALISED.search(criterion.text) and not _IN_HOSPITAL.search(note.text):
            return _admission_unsaid(note, criterion, kind)
    if kind == "inclusion" and _SWALLOW.search(criterion.text):
        return _swallowing(note)
    return _menopause(note, criterion, kind)


def _admission_unsaid(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A criterion for patients in hospital ("hospitalized with an acute exacerbation of COPD") the other
    rules would include, for a note that does not say the patient was admitted: the rest is met, the
    admission open."""
    from onconav.trials.verdicts.judging import RULES  # judging imports this module

    rest = RULES[RULES.index(population) + 1 :]
    for rule in rest:
        found = rule(note, criterion, kind)
        if found is None:
            continue
        if found[0] != "included":
            return None  # the other rules settle it without the admission
        return NEI, found[1], N_("The note does not say the patient was admitted to hospital.")
    return None


def _swallowing(note: NoteFacts) -> Found:
    """Taking medicine by mouth: not possible for a patient who takes nothing by mouth; open otherwise."""
    for m in note.mentions:
        if m.polarity == "affirmed" and m.concept in ("dysphagia", "nausea"):
            return NEI, m.sentence, N_("The note reports trouble swallowing or keeping food down.")
    blocked = next((i for i, s in enumerate(note.sentences) if _NOTHING_BY_MOUTH.search(s)), None)
    if blocked is not None:
        return "not included", blocked, N_("The note says the patient takes nothing by mouth.")
    # Experts leave "able to swallow tablets" open when the note is silent (the open development patients:
    # three of four), so silence is not enough to say it is met.
    return None


# "Her last menstrual period was 14 months ago": a year without periods after 40 is the menopause.
_LMP_AGO = re.compile(
    r"\blast (?:menstrual )?period\b[^.;]{0,20}?\b(\d{1,2}|a|one|two|three|four|five|six|ten) "
    r"(months?|years?) ago\b|\blmp\b[^.;]{0,10}?\b(\d{1,2}) (months?|years?) ago\b",
    re.I,
)
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
MENOPAUSE_AFTER_MONTHS = 12


def _months_since_period(sentence: str) -> float | None:
    m = _LMP_AGO.search(sentence)
    if m is None:
        return None
    value, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    number = float(_NUMBER_WORDS.get(value.lower(), 0) or value) if not value.isdigit() else float(value)
    return number * 12 if unit.lower().startswith("year") else number


# Girls before their first period ("premenarchal") and after it.
_PREMENARCHE = re.compile(
    r"\bpre-?menarch\w*|\bbefore (?:the )?(?:onset of )?menarche|\bnot yet (?:had|reached) menarche", re.I
)
_POSTMENARCHE = re.compile(r"\bpost-?menarch\w*|\bafter menarche\b", re.I)
_HAD_MENARCHE = re.compile(
    r"\bmenarche\b(?! (?:has not|not yet))|\bperiods?\b|\bmenstrua\w*|\bmenses\b|\blmp\b", re.I
)
MENARCHE_BY = 16.0  # nearly every girl has had her first period by this age
_NOT_YET = re.compile(
    r"\bnot (?:yet )?(?:started|had|begun|reached)\b[^.;]{0,20}\b(?:periods?|menarche|menstrua\w*)|"
    r"\bpre-?menarch\w*|\bmenarche (?:has not|not yet)",
    re.I,
)


def before_menarche(note: NoteFacts) -> int | None:
    """The sentence saying a girl has not had her first period, if the note has one."""
    if note.age is not None and note.age >= MENARCHE_BY:
        return None
    return next((i for i, s in enumerate(note.sentences) if _NOT_YET.search(s)), None)


def _menarche(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Premenarchal girls" and "post-menarchal": from the periods the note reports, or an age past it."""
    pre, post = _PREMENARCHE.search(criterion.text), _POSTMENARCHE.search(criterion.text)
    if bool(pre) == bool(post) or note.sex != "female":
        return None
    if (before := before_menarche(note)) is not None:
        label = (
            ("not included" if post else "included")
            if kind == "inclusion"
            else ("not excluded" if post else "excluded")
        )
        if not post and len(criterion.words) > 6:
            return None
        return label, before, N_("The note says the patient has not had her first period.")
    said = next(
        (i for i, s in enumerate(note.sentences) if _HAD_MENARCHE.search(s) and not _NO_MENSES.search(s)),
        None,
    )
    if said is None and (note.age is None or note.age < MENARCHE_BY):
        return None
    same = bool(post)
    label = (
        ("included" if same else "not included")
        if kind == "inclusion"
        else ("excluded" if same else "not excluded")
    )
    if same and len(criterion.words) > 6:
        return None
    return (
        label,
        said if said is not None else note.age_sentence,
        N_("The note shows the patient has had her first period."),
    )


def _menopause(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "Postmenopausal women" and "premenopausal women": from the note, or from an age that settles it."""
    menarche = _menarche(note, criterion, kind)
    if menarche is not None:
        return menarche
    post, pre = bool(_POST.search(criterion.text)), bool(_PRE.search(criterion.text))
    if post == pre or note.sex != "female" or "pregnancy" in criterion.topics:
        return None
    months = [m for s in note.sentences if (m := _months_since_period(s)) is not None]
    stopped = bool(months) and months[0] >= MENOPAUSE_AFTER_MONTHS
    if stopped and (note.age is None or note.age < PREMENOPAUSAL_BEFORE) and not note.postmenopausal:
        return None  # a year without periods before 40 is not yet the menopause (pregnancy, ovarian failure)
    menstruating = not stopped and any(
        (_MENSTRUATING.search(s) and not _NO_MENSES.search(s)) or _PRE.search(s) for s in note.sentences
    )
    if note.postmenopausal or stopped:
        status: str | None = "post"
    elif menstruating:
        status = "pre"
    elif note.age is not None and note.age >= POSTMENOPAUSAL_FROM:
        status = "post"
    elif note.age is not None and note.age < PREMENOPAUSAL_BEFORE:
        status = "pre"
    else:
        status = None
    if status is None:
        return None
    same = (status == "post") == post
    label = (
        ("included" if same else "not included")
        if kind == "inclusion"
        else ("excluded" if same else "not excluded")
    )
    if len(criterion.words) > 6:  # "Postmenopausal women with osteoporosis": the rest must be judged too
        if same:
            return None
        return label, note.age_sentence, N_("The patient's menopausal status is not the one named.")
    reason = (
        N_("The patient's menopausal status is the one named.")
        if same
        else N_("The patient's menopausal status is not the one named.")
    )
    return label, note.age_sentence, reason


# "Patients who have been treated with X", "previously received X": the criterion asks for past treatment.
_PREVIOUSLY_TREATED = re.compile(
    r"\b(?:(?:have|has|had)\s+(?:been\s+)?(?:previously\s+)?(?:treated|managed)\s+(?:with|by)|"
    r"(?:have|has|had)\s+(?:previously\s+)?(?:received|undergone)|previously\s+(?:treated|received))\b",
    re.I,
)
# Any sign in a note that the patient has been treated for anything.
_ANY_TREATMENT = re.compile(
    r"\b(?:treat\w*|therap\w*|medicat\w*|received|receiving|takes|taking|underwent|undergone|surgery|"
    r"operat\w*|resect\w*|\w+ectomy|prescri\w*|s/p|status post|mg|chemo\w*|radiat\w*)\b",
    re.I,
)


def previously_treated(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion asking for a past treatment, for a patient whose note reports no treatment of any kind
    (symptoms just presented): not included."""
    if kind != "inclusion" or not _PREVIOUSLY_TREATED.search(criterion.text):
        return None
    if criterion.mentions and concept_state(note, tuple(m.concept for m in criterion.mentions)) is not None:
        return None
    if _ANY_TREATMENT.search(note.text):
        return None
    return "not included", None, N_("The note reports no treatment; the criterion asks for a past one.")
