"""Criteria about the study rather than the patient's body: empty fragments, conditional criteria ("If
female, ..."), the investigator's judgement and the patient's plans, consent and compliance, languages.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials import oncotree
from onconav.trials.verdicts.answers import NA, NEI, Found, Kind
from onconav.trials.verdicts.conditions import concept_state
from onconav.trials.verdicts.criterion import CriterionFacts, read_criterion
from onconav.trials.verdicts.demographics import pregnancy
from onconav.trials.verdicts.note import NoteFacts

# A criterion of this many words or fewer that ends in "no" or "none" is a fragment ("This study has no").
FRAGMENT_WORDS = 4


def trivial(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A fragment with no content ("This study has no") applies to nobody."""
    if (
        len(criterion.words) <= FRAGMENT_WORDS
        and not criterion.mentions
        and criterion.age is None
        and criterion.sexes is None
    ) and re.search(r"\b(?:no|none|not applicable|n/a)\W*$", criterion.text, re.I):
        return NA, None, N_("The criterion has no content.")
    if len(criterion.words) <= HEADING_WORDS and _HEADING.match(criterion.text):
        # "Chemotherapy:", "Biologic therapy:" - the title of the criteria that follow it.
        return NA, None, N_("The criterion is only a heading.")
    if kind == "inclusion" and _is_permission(criterion.text):
        return NA, None, N_("The criterion only says what is allowed; it asks nothing of the patient.")
    return None


# A heading: a few words ending with a colon, with nothing asked after it.
HEADING_WORDS = 4
_HEADING = re.compile(r"^\W*[A-Za-z][\w /,&()-]{0,40}:\s*$")
# "Prior radiotherapy ... are allowed", "Bisphosphonates are permitted.": what a patient may have had or
# take, stated without a condition, rules nobody out.
_PERMISSION = re.compile(
    r"\b(?:is|are)\s+(?:also\s+)?(?:allowed|permitted|acceptable)\W*$|^\W*(?:allowed|permitted)\s*:", re.I
)
_PARENTHESES = re.compile(r"\([^()]*\)")


def _is_permission(text: str) -> bool:
    """Whether the whole criterion only allows something ("... are allowed"); a permission in
    parentheses ("(pneumonitis in the field is permitted)") or after another sentence qualifies what
    precedes."""
    if not _PERMISSION.search(text):
        return False
    bare = _PARENTHESES.sub(" ", _PARENTHESES.sub(" ", text))
    # A second sentence run on without its full stop ("... on CT scan History of X is permitted").
    run_on = re.search(r"[a-z)]\s+[A-Z][a-z]+ (?:of|with|in)\b", bare)
    return (
        bool(_PERMISSION.search(bare))
        and not _REQUIREMENT.search(bare)
        and not re.search(r"[;.]\s", bare)
        and not run_on
    )


_REQUIREMENT = re.compile(r"\b(?:if|provided|as long as|only|unless|must|should|except|but|not)\b", re.I)


_FAILS_TO_PROVIDE = re.compile(
    r"\b(?:inability|unable|failure|fails?|failed|refus\w*)\s+(?:to\s+)?(?:provide|give|obtain|submit)\s+"
    r"(?:\w+\s+){0,3}?(?:samples?|specimens?|tissue|biops(?:y|ies)|diar(?:y|ies)|questionnaires?)\b",
    re.I,
)


# Consent given by parents or guardians only, or a child's assent: asked of children, not of adults.
_FOR_A_CHILD = re.compile(r"\b(?:parents?|parental|guardians?)\b|\bassent\b", re.I)
_BY_THE_PATIENT = re.compile(r"\b(?:patients?|subjects?|participants?|adults?|themselves|legally)\b", re.I)
ADULT_AGE = 18.0


def consent(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Consent and compliance: the note's statement that the patient will consent and comply settles them."""
    for_a_child = ("consent" in criterion.topics or re.search(r"\bassent\b", criterion.text, re.I)) and bool(
        _FOR_A_CHILD.search(criterion.text)
    )
    if (
        for_a_child
        and not _BY_THE_PATIENT.search(criterion.text)
        and note.age is not None
        and note.age >= ADULT_AGE
    ):
        return (
            NA,
            note.age_sentence,
            N_("The criterion is about consent for a child; the patient is an adult."),
        )
    if kind == "exclusion" and _FAILS_TO_PROVIDE.search(criterion.text) and not criterion.mentions:
        # Failing to give the study a sample or a diary is a step the patient has not reached.
        return NA, None, N_("The criterion is about a study step the patient has not reached.")
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
# Prognosis: how long the patient will live is a clinician's forecast, not something a note reports.
_PROGNOSIS = re.compile(
    r"\bmoribund\b|\b(?:affect|limit|shorten|compromise|reduce)s?\b[^.;]{0,30}\bsurvival\b", re.I
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
        if "pregnancy" in criterion.topics and (found := pregnancy(note, criterion, kind)) and found[0] == NA:
            return found  # "intention of becoming pregnant" for a man or after menopause
        return NEI, None, N_("The note cannot say what the patient plans or what will happen.")
    if kind == "exclusion" and _PROGNOSIS.search(criterion.text):
        return NEI, None, N_("The note cannot say what the patient plans or what will happen.")
    return None


_CONDITIONAL = re.compile(
    r"^\W*(?:if\s+(?:the\s+)?(?:patient|subject)?\s*(?:has|have|had|is|was|received)?\s*|"
    r"(?:for|in) (?:patients|subjects|participants|those) (?:with|on|receiving|taking|treated with|using|"
    r"who (?:have|had|received|underwent)(?: been treated with| had| received| undergone)?)\s+|"
    r"(?:cohort|arm|part|group)\s+[A-Z0-9]{1,3}\b\s*[(:-]?\s*(?:patients with\s+)?|"
    r"for (?=\w+(?:\s\w+)?\s+(?:patients|subjects|participants)\b)|"
    r"(?:patients|subjects|participants|those|individuals) (?:on|receiving|taking|treated with|using|with) "
    r"(?=[^,;:]{3,80}?\s+(?:must|should|need)\b)|"
    r"(?:patients|subjects|recipients|participants|those) who (?:(?:have|has|had) "
    r"(?:had |received |undergone |been treated with )?|received |underwent ))"
    r"(?P<condition>[^,;:]{3,80}?)(?:,|;|:|\s+must\b|\s+should\b|\s+need\b|\s+then\b|"
    r"\s+(?:patients|subjects|participants)\s*[,:])",
    re.I,
)


# A whole criterion naming a cohort and who it is for: "Cohort B: patients with breast cancer".
_COHORT = re.compile(
    r"^\W*(?:cohort|arm|part|group)\s+[A-Z0-9]{1,3}\b\s*[(:-]?\s*"
    r"(?:(?:patients|subjects|participants) with\s+)?(?P<condition>[^,;:]{3,80}?)\W*$",
    re.I,
)


_SEX_REQUIREMENT = re.compile(
    r"^\W*(?:(?P<male>men|males?|male (?:patients|participants|subjects))|"
    r"(?P<female>women|females?|female (?:patients|participants|subjects)))\s+"
    r"(?:must|should|need|are required|will be required|agree|have to|who)\b",
    re.I,
)


# "Patients who are HIV-positive are eligible if:", "Patients with hepatitis B are eligible provided":
# what follows is asked only of the patients named.
_ELIGIBLE_IF = re.compile(
    r"^\W*(?:patients|subjects|participants|those) (?:who are|with) (?P<condition>[^,;:.]{3,80}?) "
    r"(?:are|will be|may be) (?:also )?eligible (?:if|provided|only if|as long as)\b",
    re.I,
)


def conditional(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """ "If X, ...", "Patients who have had X must ...", "Cohort B (NSCLC): ..." or "Men must ...": not
    applicable (inclusion or exclusion) when the note rules X out, never mentions it, or names another
    cancer or sex."""
    required = _SEX_REQUIREMENT.search(criterion.text)
    if required and note.sex is not None and note.sex != ("male" if required.group("male") else "female"):
        return NA, note.sex_sentence, N_("The criterion is for patients of the other sex.")
    m = (
        _CONDITIONAL.search(criterion.text)
        or _COHORT.search(criterion.text)
        or _ELIGIBLE_IF.search(criterion.text)
    )
    if m is None:
        return None
    condition = read_criterion(m.group("condition"))
    if condition.cancer_types and note.cancer_types:
        related = any(oncotree.best_relation(p, condition.cancer_types) for p in note.cancer_types)
        if not related:
            return NA, None, N_("The criterion is for patients with another cancer.")
        return None
    if condition.sexes is not None and note.sex is not None and len(condition.sexes) == 1:
        if note.sex not in condition.sexes:
            return NA, note.sex_sentence, N_("The criterion is for patients of the other sex.")
        return None
    concepts = [c.concept for c in condition.mentions]
    if not concepts:
        return None
    state = concept_state(note, tuple(concepts))
    if state is None or state[0] == "negated":
        # A requirement (inclusion or exclusion) for patients in a situation this one is not in does not
        # apply to this patient: "not applicable" is the annotation for exactly that.
        return (
            NA,
            state[1] if state else None,
            N_("The condition this criterion depends on does not apply."),
        )
    return None
