"""Words for match results in the reader's language: ranking reasons, verdict labels, statuses.

Matching gives codes and numbers; this module is the only place that turns them into sentences.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from babel.support import NullTranslations

from onconav.i18n import N_
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
    return reason.factor
