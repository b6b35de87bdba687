"""Words for support services: categories, delivery, costs, evidence and each ranking factor, translated.

The ranking gives numbers and codes; this module is the only place that turns them into sentences.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from babel.support import NullTranslations

from onconav.i18n import N_, language_name
from onconav.support.ranking import SupportFactor

CATEGORY_LABELS = {
    "counseling": N_("Counseling"),
    "support_group": N_("Support group"),
    "nutrition": N_("Nutrition"),
    "palliative_care": N_("Palliative care"),
    "hospice": N_("Hospice care"),
    "financial": N_("Financial help"),
    "legal": N_("Legal help"),
    "navigation": N_("Patient navigation"),
}
DELIVERY_LABELS = {"in_person": N_("In person"), "online": N_("Online"), "phone": N_("By phone")}
COST_LABELS = {"free": N_("Free"), "sliding_scale": N_("Sliding scale"), "fee": N_("Fee")}
EVIDENCE_LABELS = {
    "listed": N_("Listed by a source"),
    "demo": N_("Demo listing: fictional, not a real service"),
}


def label(labels: dict[str, str], code: str, translations: NullTranslations) -> str:
    """The translated label of a code (the code itself when it has none)."""
    return translations.gettext(labels[code]) if code in labels else code


def _n(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=locale)


def describe_factor(factor: SupportFactor, translations: NullTranslations, locale: str) -> str:
    """One reason, as a sentence."""
    _ = translations.gettext
    p = factor.params
    if factor.factor == "condition":
        condition = _(p["condition"]) if p.get("condition") else ""
        if p["match"] == "exact":
            return _("Serves people with %(condition)s") % {"condition": condition}
        if p["match"] == "narrower":
            return _("Serves people with %(served)s, a kind of %(condition)s") % {
                "served": _(p["served"]) if p.get("served") else "",
                "condition": condition,
            }
        if p["match"] == "broader":
            return _("Serves a broader group of cancers that includes %(condition)s") % {
                "condition": condition
            }
        return _("Serves people with any cancer (not specific to %(condition)s)") % {"condition": condition}
    if factor.factor == "distance":
        return _("%(km)s km (%(miles)s mi) from %(place)s") % {
            "km": _n(p["km"], locale),
            "miles": _n(p["miles"], locale),
            "place": p["place"],
        }
    if factor.factor == "remote":
        if p.get("reach") == "phone":
            return _("By phone only: no meeting in person near you")
        return _("Online only: no meeting in person near you")
    if factor.factor == "language":
        return _("In %(language)s") % {"language": language_name(p["language"], locale)}
    if factor.factor == "freshness":
        if factor.points > 0:
            return _("Listed by its source within the last year (%(date)s)") % {"date": p["date"]}
        return _("Listed by its source more than three years ago (%(date)s): may be out of date") % {
            "date": p["date"]
        }
    return factor.factor
