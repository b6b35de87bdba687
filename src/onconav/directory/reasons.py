"""Sentences for ranking factors, in the reader's language.

The ranking gives numbers and codes; this module is the only place that turns them into words.
"""

from __future__ import annotations

from babel.support import NullTranslations

from onconav.directory.ranking import RankingFactor
from onconav.directory.search import Coverage
from onconav.i18n import N_, format_number

DESIGNATION_LABELS = {
    "nci": N_("NCI-designated cancer center"),
    "coc": N_("CoC-accredited cancer program"),
    "jci": N_("JCI-accredited"),
}


SIGNAL_LABELS = {
    "trials": N_("clinical trial sites"),
    "designation": N_("an NCI designation"),
    "specialists": N_("specialists practising at the address"),
    "inpatient": N_("Medicare inpatient discharges"),
}
EVIDENCE_LABELS = {
    "known": N_("Listed by a source"),
    "likely": N_("Likely: implied by a public signal, not listed"),
    "unknown": N_("Services unknown: call to ask"),
}


def evidence_label(evidence: str, translations: NullTranslations) -> str:
    """How we know, in plain words."""
    return translations.gettext(EVIDENCE_LABELS.get(evidence, evidence))


def describe_coverage(coverage: Coverage, translations: NullTranslations) -> str:
    """The coverage note: what the directory knows about who does what was asked, in one sentence."""
    _ = translations.gettext
    if coverage.by_name:
        return _(
            "Found by name: these providers' names match “%(typed)s”. This says who they are, not what they "
            "treat: their profiles list what sources say they offer."
        ) % {"typed": coverage.asked_for}
    name = _(coverage.asked_for)
    thing = _("care for %(name)s") % {"name": name} if coverage.as_condition else name
    if coverage.known == 0 and coverage.likely == 0:
        if coverage.unknown:
            return _(
                "No provider in this directory is known to offer %(thing)s. These are the nearest general "
                "hospitals, whose services no source lists: call to ask."
            ) % {"thing": thing}
        return _(
            "No provider in this directory is known to offer %(thing)s, and no general hospital lies within "
            "%(cap)s km. A larger radius would not help."
        ) % {"thing": thing, "cap": f"{coverage.expansion_cap_km:,.0f}"}
    if coverage.known == 0:
        return _(
            "No provider in this directory is listed as offering %(thing)s. Those marked likely are "
            "hospitals whose trials, designation or specialists suggest it: call to confirm."
        ) % {"thing": thing}
    note = translations.ngettext(
        "%(num)s result is listed by a source as offering %(thing)s.",
        "%(num)s results are listed by a source as offering %(thing)s.",
        coverage.known,
    ) % {"num": coverage.known, "thing": thing}
    if coverage.likely:
        note += " " + translations.ngettext(
            "%(num)s more is likely to, from public signals: call to confirm.",
            "%(num)s more are likely to, from public signals: call to confirm.",
            coverage.likely,
        ) % {"num": coverage.likely}
    return note


def _n(value: float, locale: str) -> str:
    return format_number(value, "#,##0.#", locale)


def designation_label(code: str, translations: NullTranslations) -> str:
    """The name of a designation, translated."""
    return translations.gettext(DESIGNATION_LABELS.get(code, code))


def describe_factor(factor: RankingFactor, translations: NullTranslations, locale: str) -> str:
    """One reason, as a sentence."""
    _ = translations.gettext
    p = factor.params
    name = _(p["name"]) if "name" in p else ""
    if factor.factor == "match":
        condition = _(p["condition"]) if p.get("condition") else ""
        if condition and p.get("stage"):
            condition = _("%(condition)s, %(stage)s") % {"condition": condition, "stage": _(p["stage"])}
        kind = p["match_kind"]
        if kind == "hospital":
            return _("General hospital: services unknown (no source lists %(name)s here): call to ask") % {
                "name": name
            }
        if kind == "condition":
            if p.get("evidence") == "likely":
                return _("Likely to treat %(condition)s (a public signal, not a listing)") % {
                    "condition": condition or name
                }
            return _("Treats %(condition)s (listed by a public source)") % {"condition": condition or name}
        if kind == "service":
            return _("Offers %(name)s") % {"name": name}
        if kind == "specialty":
            return _("Specialty: %(name)s") % {"name": name}
        if kind in ("condition-procedure", "condition-service"):
            return _("Offers %(name)s, used for %(condition)s") % {"name": name, "condition": condition}
        return _("Specialty that treats %(condition)s: %(name)s") % {"name": name, "condition": condition}
    if factor.factor == "evidence":
        return _("Likely, not listed: implied by %(signals)s") % {
            "signals": ", ".join(_(SIGNAL_LABELS.get(kind, kind)) for kind in p.get("signals", []))
            or _("a public signal")
        }
    if factor.factor == "condition_trials":
        return _("Site of %(count)s trial(s) for %(condition)s: %(trials)s") % {
            "count": p["count"],
            "condition": _(p["condition"]) if p.get("condition") else "",
            "trials": ", ".join(p.get("trials", [])),
        }
    if factor.factor == "condition_volume":
        return _("Medicare inpatient discharges for %(condition)s: %(count)s a year") % {
            "condition": _(p["condition"]) if p.get("condition") else "",
            "count": _n(p["volume"], locale),
        }
    if factor.factor == "breadth":
        return _("Matches %(matched)s of the %(total)s kinds of care onconav lists for %(condition)s") % {
            "matched": p["matched"],
            "total": p["total"],
            "condition": _(p["condition"]) if p.get("condition") else "",
        }
    if factor.factor == "volume":
        if p.get("volume") and p.get("scored") is False:
            return _(
                "Yearly volume of %(name)s: %(count)s (shown, not scored: it counts the procedure, "
                "not the condition searched)"
            ) % {"name": name, "count": _n(p["volume"], locale)}
        if p.get("volume") and p.get("source"):
            return _("Yearly volume of %(name)s: %(count)s services (%(source)s)") % {
                "name": name,
                "count": _n(p["volume"], locale),
                "source": p["source"],
            }
        if p.get("volume"):
            return _("Yearly volume of %(name)s: %(count)s") % {
                "name": name,
                "count": _n(p["volume"], locale),
            }
        return _("Yearly volume of %(name)s not reported") % {"name": name}
    if factor.factor == "designation":
        if factor.points == 0:
            return _("%(designation)s (shown, not scored)") % {
                "designation": designation_label(p["designation"], translations)
            }
        return designation_label(p["designation"], translations)
    if factor.factor == "cms_star_rating":
        return _("CMS overall hospital rating: %(stars)s of 5 stars (shown, not scored)") % {
            "stars": p["stars"]
        }
    if factor.factor == "tumor_board":
        return _("Multidisciplinary tumor board")
    if factor.factor == "clinical_trials":
        return _("Takes part in clinical trials")
    if factor.factor == "distance":
        return _("%(km)s km (%(miles)s mi) from %(place)s") % {
            "km": _n(p["km"], locale),
            "miles": _n(p["miles"], locale),
            "place": p["place"],
        }
    if factor.factor == "name":
        return _("Name matches “%(typed)s”") % {"typed": p["typed"]}
    if factor.factor == "beyond_radius":
        return _("Outside your %(radius)s km radius") % {"radius": _n(p["radius_km"], locale)}
    return factor.factor
