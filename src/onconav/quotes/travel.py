"""Travel and stay estimates for the total cost of care: distance-based, always labelled estimates, and
only from figures someone supplied (the patient's own, else the operator's settings); with none, unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from gettext import NullTranslations

from onconav.config import get_settings
from onconav.directory.schemas import OrganizationRead
from onconav.errors import InvalidInput
from onconav.geo import service as geo
from onconav.quotes.money import quantum
from onconav.quotes.schemas import CostPart, Money, RequestWishes


@dataclass(frozen=True)
class Figure:
    """A unit cost someone supplied, in its currency, and whose it is."""

    amount: Decimal
    currency: str
    patients_own: bool


def travel_figure(wishes: RequestWishes) -> Figure | None:
    """Cost per km and person, one way: the patient's own figure, else the operator's, else None."""
    if wishes.travel_per_km is not None:
        return Figure(wishes.travel_per_km, wishes.currency, True)
    settings = get_settings()
    if settings.quotes_travel_per_km is not None:
        return Figure(settings.quotes_travel_per_km, settings.quotes_estimate_currency, False)
    return None


def stay_figure(wishes: RequestWishes) -> Figure | None:
    """Cost per night and person: the patient's own figure, else the operator's, else None."""
    if wishes.stay_per_night is not None:
        return Figure(wishes.stay_per_night, wishes.currency, True)
    settings = get_settings()
    if settings.quotes_stay_per_night is not None:
        return Figure(settings.quotes_stay_per_night, settings.quotes_estimate_currency, False)
    return None


def distance_km(wishes: RequestWishes, center: OrganizationRead) -> Decimal | None:
    """Great-circle km from the patient's home city to the center's first placed location, or None."""
    if not wishes.home_city:
        return None
    text = f"{wishes.home_city}, {wishes.home_country}" if wishes.home_country else wishes.home_city
    try:
        home = geo.resolve_place(text).place
    except InvalidInput:
        return None
    for location in center.locations:
        if location.lat is not None and location.lon is not None:
            km = geo.haversine_km(home.lat, home.lon, location.lat, location.lon)
            return Decimal(str(round(km)))
    return None


def _whose(figure: Figure, t: NullTranslations) -> str:
    return t.gettext("your own figure") if figure.patients_own else t.gettext("the site's figure")


def travel_part(km: Decimal | None, figure: Figure | None, *, persons: int, t: NullTranslations) -> CostPart:
    """Return travel for `persons`: km x 2 x cost per km and person; unknown without both numbers."""
    if km is None:
        return CostPart(
            part="travel",
            knowledge="unknown",
            amount=None,
            converted=None,
            basis=t.gettext("Unknown: the distance from your home city could not be worked out."),
        )
    if figure is None:
        return CostPart(
            part="travel",
            knowledge="unknown",
            amount=None,
            converted=None,
            basis=t.gettext(
                "Unknown: no cost per km was given. Add your own figure to the request to see one."
            ),
        )
    amount = (km * 2 * figure.amount * persons).quantize(quantum(figure.currency), rounding=ROUND_HALF_EVEN)
    basis = t.ngettext(
        "Estimate: %(km)s km each way, there and back, for %(persons)s person at %(rate)s per km "
        "(%(whose)s).",
        "Estimate: %(km)s km each way, there and back, for %(persons)s people at %(rate)s per km "
        "(%(whose)s).",
        persons,
    )
    return CostPart(
        part="travel",
        knowledge="estimated",
        amount=Money(amount=amount, currency=figure.currency),
        converted=None,
        basis=basis % {"km": km, "persons": persons, "rate": figure.amount, "whose": _whose(figure, t)},
    )


def stay_part(nights: int, figure: Figure | None, *, persons: int, t: NullTranslations) -> CostPart:
    """The stay for `persons` over the offered nights; unknown without a cost per night."""
    if figure is None:
        return CostPart(
            part="stay",
            knowledge="unknown",
            amount=None,
            converted=None,
            basis=t.gettext(
                "Unknown: no cost per night was given. Add your own figure to the request to see one."
            ),
        )
    amount = (nights * figure.amount * persons).quantize(quantum(figure.currency), rounding=ROUND_HALF_EVEN)
    basis = t.ngettext(
        "Estimate: %(nights)s nights for %(persons)s person at %(rate)s per night (%(whose)s).",
        "Estimate: %(nights)s nights for %(persons)s people at %(rate)s per night (%(whose)s).",
        persons,
    )
    return CostPart(
        part="stay",
        knowledge="estimated",
        amount=Money(amount=amount, currency=figure.currency),
        converted=None,
        basis=basis
        % {"nights": nights, "persons": persons, "rate": figure.amount, "whose": _whose(figure, t)},
    )
