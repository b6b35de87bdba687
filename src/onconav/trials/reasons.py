"""Words for match results in the reader's language: ranking reasons, verdict labels, statuses.

Matching gives codes and numbers; this module is the only place that turns them into sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.numbers import format_decimal
from babel.support import NullTranslations

from onconav.geo import service as geo
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
# Each count with its singular and plural (gettext plural forms: languages have more than two), written as
# ngettext calls so that extraction sees both forms.
_COUNTED: dict[tuple[str, str], Callable[[NullTranslations, int], str]] = {
    ("inclusion", "included"): lambda t, n: t.ngettext(
        "%(count)s inclusion criterion met",
        "%(count)s inclusion criteria met",
        n,
    ),
    ("inclusion", "not included"): lambda t, n: t.ngettext(
        "%(count)s inclusion criterion not met",
        "%(count)s inclusion criteria not met",
        n,
    ),
    ("inclusion", "not enough information"): lambda t, n: t.ngettext(
        "%(count)s inclusion criterion needs more information",
        "%(count)s inclusion criteria need more information",
        n,
    ),
    ("inclusion", "not applicable"): lambda t, n: t.ngettext(
        "%(count)s inclusion criterion does not apply",
        "%(count)s inclusion criteria do not apply",
        n,
    ),
    ("exclusion", "excluded"): lambda t, n: t.ngettext(
        "%(count)s exclusion criterion excludes the patient",
        "%(count)s exclusion criteria exclude the patient",
        n,
    ),
    ("exclusion", "not excluded"): lambda t, n: t.ngettext(
        "%(count)s exclusion criterion does not exclude the patient",
        "%(count)s exclusion criteria do not exclude the patient",
        n,
    ),
    ("exclusion", "not enough information"): lambda t, n: t.ngettext(
        "%(count)s exclusion criterion needs more information",
        "%(count)s exclusion criteria need more information",
        n,
    ),
    ("exclusion", "not applicable"): lambda t, n: t.ngettext(
        "%(count)s exclusion criterion does not apply",
        "%(count)s exclusion criteria do not apply",
        n,
    ),
}
# Evidence longer than this is cut at a word boundary (a criterion's evidence is one sentence or phrase).
EVIDENCE_MAX_CHARACTERS = 220
_SENTENCES = re.compile(r"(?<=[.;!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+")


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
        return count_text(p["kind"], p["label"], p["count"], translations)
    if reason.factor == "distance":
        return _("Nearest site %(distance)s from %(place)s") % {
            "distance": distance_text(p["km"], translations, locale),
            "place": p["place"],
        }
    if reason.factor == "beyond_travel":
        return _("Nearest site %(distance)s away, farther than %(max)s") % {
            "distance": distance_text(p["km"], translations, locale),
            "max": distance_text(p["max_km"], translations, locale),
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


def count_text(kind: str, label: str, count: int, translations: NullTranslations) -> str:
    """ "1 inclusion criterion not met", "3 inclusion criteria not met" (the language's plural forms)."""
    counted = _COUNTED.get((kind, label))
    if counted is None:
        return str(count)
    return counted(translations, count) % {"count": count}


def distance_text(km: float, translations: NullTranslations, locale: str) -> str:
    """ "644 km (400 mi)"; below 10 km with one decimal ("3.2 km (2 mi)")."""
    pattern = "#,##0" if km >= 10 else "#,##0.#"
    return translations.gettext("%(km)s km (%(miles)s mi)") % {
        "km": format_decimal(km, format=pattern, locale=locale),
        "miles": format_decimal(geo.km_to_miles(km), format="#,##0", locale=locale),
    }


def site_place_text(city: str | None, state: str | None, country: str | None) -> str:
    """ "Salem, Oregon, United States": a US state's code spelled out, empty parts left out."""
    region = state
    if state and len(state.strip()) == 2 and (country or "").strip() in ("United States", "US", "USA"):
        region = geo.us_state_name(state) or state
    return ", ".join(part.strip() for part in (city, region, country) if part and part.strip())


def evidence_phrase(evidence: str | None, criterion: str) -> str | None:
    """The sentence of `evidence` that decided the criterion: when the evidence holds several sentences
    (a whole note), the one sharing most words with the criterion; cut at a word boundary when long."""
    if not evidence or not evidence.strip():
        return None
    sentences = [s.strip() for s in _SENTENCES.split(evidence) if s.strip()]
    if len(sentences) > 1:
        wanted = set(_WORD.findall(criterion.lower()))
        sentences.sort(key=lambda s: -len(wanted & set(_WORD.findall(s.lower()))))
    chosen = sentences[0] if sentences else evidence.strip()
    if len(chosen) <= EVIDENCE_MAX_CHARACTERS:
        return chosen
    cut = chosen[:EVIDENCE_MAX_CHARACTERS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
