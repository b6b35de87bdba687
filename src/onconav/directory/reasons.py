"""Sentences for ranking factors, in the reader's language.

The ranking gives numbers and codes; this module is the only place that turns them into words.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from babel.support import NullTranslations

from onconav.directory.ranking import RankingFactor
from onconav.i18n import N_

DESIGNATION_LABELS = {
    "nci": N_("NCI-designated cancer center"),
    "coc": N_("CoC-accredited cancer program"),
    "jci": N_("JCI-accredited"),
}


def _n(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=locale)


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
        if kind == "service":
            return _("Offers %(name)s") % {"name": name}
        if kind == "specialty":
            return _("Specialty: %(name)s") % {"name": name}
        if kind in ("condition-procedure", "condition-service"):
            return _("Offers %(name)s, used for %(condition)s") % {"name": name, "condition": condition}
        return _("Specialty that treats %(condition)s: %(name)s") % {"name": name, "condition": condition}
    if factor.factor == "breadth":
        return _("Offers %(matched)s of the %(total)s kinds of care onconav lists for %(condition)s") % {
            "matched": p["matched"],
            "total": p["total"],
            "condition": _(p["condition"]) if p.get("condition") else "",
        }
    if factor.factor == "volume":
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
