"""Words for match results in the reader's language: ranking reasons, verdict labels, statuses.

Matching gives codes and numbers; this module is the only place that turns them into sentences.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from babel.support import NullTranslations

from onconav.i18n import N_
from onconav.trials.eligibility import SOURCES
from onconav.trials.matching import Reason

LABELS = {
    "included": N_("criterion met"),
    "not included": N_("criterion not met"),
    "excluded": N_("excluded by this criterion"),
    "not excluded": N_("not excluded by this criterion"),
    "not enough information": N_("not enough information"),
    "not applicable": N_("not applicable"),
}
KIND_LABELS = {"inclusion": N_("Inclusion criteria"), "exclusion": N_("Exclusion criteria")}
STATUS_LABELS = {
    "RECRUITING": N_("Recruiting"),
    "NOT_YET_RECRUITING": N_("Not yet recruiting"),
    "ENROLLING_BY_INVITATION": N_("Enrolling by invitation"),
    "ACTIVE_NOT_RECRUITING": N_("Active, not recruiting"),
    "COMPLETED": N_("Completed"),
}
_COUNTED = {
    ("inclusion", "included"): N_("%(count)s inclusion criteria met"),
    ("inclusion", "not included"): N_("%(count)s inclusion criteria not met"),
    ("inclusion", "not enough information"): N_("%(count)s inclusion criteria need more information"),
    ("inclusion", "not applicable"): N_("%(count)s inclusion criteria do not apply"),
    ("exclusion", "excluded"): N_("%(count)s exclusion criteria exclude the patient"),
    ("exclusion", "not excluded"): N_("%(count)s exclusion criteria do not exclude the patient"),
    ("exclusion", "not enough information"): N_("%(count)s exclusion criteria need more information"),
    ("exclusion", "not applicable"): N_("%(count)s exclusion criteria do not apply"),
}


ELIGIBILITY = {
    "likely eligible": N_("likely eligible"),
    "likely not eligible": N_("likely not eligible"),
}
RELATIONS = {
    "same": N_("Trial for the patient's cancer: %(condition)s"),
    "broader": N_("Trial for a group that includes the patient's cancer: %(condition)s"),
    "narrower": N_("Trial for a subtype of the patient's cancer: %(condition)s"),
    "basket": N_("Trial whose eligibility admits the patient's cancer: %(condition)s"),
    "any": N_("Trial open to several cancers: %(condition)s"),
}


def eligibility_text(eligibility: str, questions: int, translations: NullTranslations) -> str:
    """ "likely eligible", "possibly eligible: 4 questions for your care team", "likely not eligible"."""
    if eligibility == "possibly eligible":
        return translations.ngettext(
            "possibly eligible: %(count)s question for your care team",
            "possibly eligible: %(count)s questions for your care team",
            questions,
        ) % {"count": questions}
    return translations.gettext(ELIGIBILITY.get(eligibility, eligibility))


def condition_text(relation: str, condition: str, translations: NullTranslations) -> str:
    """How the trial's cancer relates to the patient's, in words."""
    template = RELATIONS.get(relation, "%(condition)s")
    return translations.gettext(template) % {"condition": condition}


def question_source_text(source: str, translations: NullTranslations) -> str:
    """The test or record that would settle an unknown criterion, in words."""
    return translations.gettext(SOURCES.get(source, SOURCES["record"]))


def status_note_text(last_update: str, translations: NullTranslations) -> str:
    """ "Status last verified DATE" for a record not updated for over a year."""
    return translations.gettext("Status last verified %(date)s") % {"date": last_update or "?"}


def _n(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=locale)


def label_text(label: str, translations: NullTranslations) -> str:
    """A verdict label in words."""
    return translations.gettext(LABELS.get(label, label))


def status_text(status: str, translations: NullTranslations) -> str:
    """A trial or site status in words."""
    return (
        translations.gettext(STATUS_LABELS[status])
        if status in STATUS_LABELS
        else status.replace("_", " ").capitalize()
    )


def describe(reason: Reason, translations: NullTranslations, locale: str) -> str:
    """One reason as a sentence."""
    _ = translations.gettext
    p = reason.params
    if reason.factor == "relevance":
        return _("Trial conditions and title match: %(terms)s") % {"terms": ", ".join(p["terms"])}
    if reason.factor == "recruiting":
        return _("Recruiting now")
    if reason.factor == "criteria":
        template = _COUNTED.get((p["kind"], p["label"]), "%(count)s")
        return _(template) % {"count": p["count"]}
    if reason.factor == "distance":
        return _("Nearest site %(km)s km from %(place)s") % {"km": _n(p["km"], locale), "place": p["place"]}
    if reason.factor == "beyond_travel":
        return _("Nearest site %(km)s km away, farther than %(max)s km") % {
            "km": _n(p["km"], locale),
            "max": _n(p["max_km"], locale),
        }
    if reason.factor == "no_site_location":
        return _("No site location is known")
    if reason.factor == "site_unknown":
        return _("Site unknown: no site of this trial has a known place")
    if reason.factor == "condition":
        return condition_text(p["relation"], p["trial_condition"], translations)
    if reason.factor == "not_eligible":
        return _("Likely not eligible: %(criterion)s") % {"criterion": p["criterion"]}
    if reason.factor == "status_stale":
        return _("Status last verified %(date)s: no points for recruiting") % {"date": p["date"] or "?"}
    return reason.factor
