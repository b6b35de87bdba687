"""Money done properly: Decimal amounts with an ISO 4217 currency, never floats; conversion only with a rate
table the operator loaded, and every converted amount carries the date and source of its rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from onconav.errors import InvalidInput

ISO_4217 = frozenset(list_currencies())  # Babel's CLDR list of ISO 4217 codes
MAX_AMOUNT = Decimal("999999999999.99")  # what the database column holds


def check_currency(code: str) -> str:
    """The ISO 4217 code `code` (upper-cased), or InvalidInput."""
    upper = code.strip().upper()
    if upper not in ISO_4217:
        raise InvalidInput(
            "%(code)s is not an ISO 4217 currency code (such as EUR, USD or CHF).", code=code.strip()[:10]
        )
    return upper


def quantum(currency: str) -> Decimal:
    """The smallest unit of `currency` (0.01 for EUR, 1 for JPY)."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def parse_amount(value: str | Decimal | int, *, currency: str) -> Decimal:
    """A non-negative amount in `currency`, with no more decimals than the currency has; InvalidInput else.
    Floats are refused: they cannot hold most decimal amounts exactly."""
    if isinstance(value, float):  # pragma: no cover - typed callers never pass one
        raise InvalidInput("Amounts are decimal numbers, never floating point.")
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("%(value)s is not an amount: write it like 1250.50.", value=text[:40]) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise InvalidInput("An amount is a number from 0 to %(max)s.", max=str(MAX_AMOUNT))
    if amount != amount.quantize(quantum(currency)):
        raise InvalidInput(
            "%(currency)s amounts have at most %(digits)s decimals.",
            currency=currency,
            digits=get_currency_precision(currency),
        )
    return amount.quantize(quantum(currency))


def show(amount: Decimal, currency: str, locale: str = "en") -> str:
    """`amount` written for a reader in `locale`, with its currency ("€1,250.50", "US$300.00")."""
    return format_currency(amount, currency, locale=locale, currency_digits=True)


@dataclass(frozen=True)
class RateTable:
    """Units of each currency per 1 EUR on one date, from one loaded file."""

    rate_date: date
    source: str
    per_eur: dict[str, Decimal]

    def knows(self, currency: str) -> bool:
        return currency == "EUR" or currency in self.per_eur

    def rate(self, currency: str) -> Decimal:
        return Decimal(1) if currency == "EUR" else self.per_eur[currency]


@dataclass(frozen=True)
class Converted:
    """An amount converted with a loaded rate: the result, and the date and source of the rate used."""

    amount: Decimal
    currency: str
    rate_date: date
    source: str


def convert(amount: Decimal, *, source: str, target: str, table: RateTable) -> Converted | None:
    """`amount` of `source` in `target` through the EUR reference rates of `table` (rounded half-even to
    the target's smallest unit); None when the table lacks either currency."""
    if not (table.knows(source) and table.knows(target)):
        return None
    in_target = amount / table.rate(source) * table.rate(target)
    return Converted(
        amount=in_target.quantize(quantum(target), rounding=ROUND_HALF_EVEN),
        currency=target,
        rate_date=table.rate_date,
        source=table.source,
    )
