"""`judge`: the verdict of one criterion for one patient. The rule families are tried in order (`RULES`),
each answering only the criteria it understands; when none answers, the experts' default reading holds
(inclusion: not enough information; exclusion: not excluded, for a thorough note says what there is).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from onconav.i18n import N_
from onconav.trials.verdicts.adequacy import normal_value, soundness
from onconav.trials.verdicts.answers import Kind, Reason, Rule
from onconav.trials.verdicts.births import births
from onconav.trials.verdicts.cancer import cancer
from onconav.trials.verdicts.conditions import conditions
from onconav.trials.verdicts.confirmation import confirmed_findings
from onconav.trials.verdicts.contraception import contraception_used
from onconav.trials.verdicts.criterion import read_criterion
from onconav.trials.verdicts.demographics import childhood, demographics, onset_age, pregnancy, sex_subject
from onconav.trials.verdicts.disease_status import measurable_disease, progression_after_treatment
from onconav.trials.verdicts.doses import daily_dose
from onconav.trials.verdicts.durations import illness_duration
from onconav.trials.verdicts.episodes import episodes
from onconav.trials.verdicts.family import family_history
from onconav.trials.verdicts.gestation import gestational_age
from onconav.trials.verdicts.heredity import family_cancer
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.opposites import opposite_states
from onconav.trials.verdicts.organs import organ_function, performance
from onconav.trials.verdicts.other_sex import organ_of_other_sex
from onconav.trials.verdicts.overlap import overlap
from onconav.trials.verdicts.population import population, previously_treated
from onconav.trials.verdicts.protocol import conditional, consent, judgement, language, trivial
from onconav.trials.verdicts.psa import psa_progression
from onconav.trials.verdicts.reproductive import parity
from onconav.trials.verdicts.results import reported_result
from onconav.trials.verdicts.scores import bedside_score
from onconav.trials.verdicts.smoking import smoking
from onconav.trials.verdicts.statements import blanket_statements
from onconav.trials.verdicts.subtypes import subtypes
from onconav.trials.verdicts.symptoms import pain_score
from onconav.trials.verdicts.systemic import systemic_for_other_condition
from onconav.trials.verdicts.unknowable import unknowable
from onconav.trials.verdicts.windows import event_window

RULES: tuple[Rule, ...] = (
    trivial,
    conditional,
    judgement,
    consent,
    language,
    population,
    childhood,
    gestational_age,
    births,
    contraception_used,
    parity,
    pregnancy,
    sex_subject,
    organ_of_other_sex,
    soundness,
    normal_value,
    opposite_states,
    demographics,
    smoking,
    onset_age,
    performance,
    pain_score,
    organ_function,
    psa_progression,
    family_cancer,
    measurable_disease,
    cancer,
    bedside_score,
    unknowable,
    previously_treated,
    blanket_statements,
    illness_duration,
    episodes,
    reported_result,
    daily_dose,
    event_window,
    subtypes,
    systemic_for_other_condition,
    family_history,
    confirmed_findings,
    progression_after_treatment,
    conditions,
    overlap,
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


def _verdict(label: str, evidence: str | None, reason: Reason) -> Verdict:
    template, details = (reason, {}) if isinstance(reason, str) else reason
    return Verdict(
        label=label,
        evidence=evidence,
        reason=template % details if details else template,
        reason_template=template,
        reason_details=tuple(sorted(details.items())),
    )


def judge(note: NoteFacts, criterion_text: str, kind: Kind) -> Verdict:
    """The verdict of one inclusion or exclusion criterion for the patient of `note`."""
    criterion = read_criterion(criterion_text.strip())
    for rule in RULES:
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
