"""Exchange rates the operator loads (`onconav rates import FILE`), never fetched: the ECB reference-rate
CSV layout, a header 'Date, USD, JPY, ...' and one row per date with the units of each currency per 1 EUR
('N/A' where the ECB published none).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from onconav.errors import InvalidInput
from onconav.quotes.models import ExchangeRate
from onconav.quotes.money import ISO_4217, RateTable

MISSING = {"", "N/A", "NA", "-"}


@dataclass(frozen=True)
class RateRow:
    """Units of `currency` per 1 EUR on `rate_date`."""

    rate_date: date
    currency: str
    per_eur: Decimal


def _date(text: str, line: int) -> date:
    value = text.strip()
    for candidate in (value, _from_day_month_year(value)):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    raise InvalidInput("Line %(line)s: %(value)s is not a date (YYYY-MM-DD).", line=line, value=value[:20])


def _from_day_month_year(value: str) -> str:
    """'04 December 2026' (the ECB's daily file) as ISO, or the text unchanged."""
    from datetime import datetime

    try:
        return datetime.strptime(value, "%d %B %Y").date().isoformat()
    except ValueError:
        return value


def parse_ecb_csv(text: str) -> list[RateRow]:
    """Every rate of an ECB reference-rate CSV; InvalidInput naming the line of the first problem."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or not rows[0] or rows[0][0].strip().lower() != "date":
        raise InvalidInput("The file must start with a header such as 'Date, USD, JPY, ...'.")
    header = [cell.strip().upper() for cell in rows[0]]
    for code in header[1:]:
        if code and code not in ISO_4217:
            raise InvalidInput(
                "The header names %(code)s, which is not an ISO 4217 currency code.", code=code
            )
    found: list[RateRow] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = _date(row[0], line)
        for code, cell in zip(header[1:], row[1:], strict=False):
            value = cell.strip()
            if not code or value.upper() in MISSING:
                continue
            try:
                rate = Decimal(value)
            except InvalidOperation:
                raise InvalidInput(
                    "Line %(line)s: %(value)s is not a rate.", line=line, value=value[:20]
                ) from None
            if not rate.is_finite() or rate <= 0:
                raise InvalidInput("Line %(line)s: a rate must be above zero.", line=line)
            found.append(RateRow(rate_date=day, currency=code, per_eur=rate))
    if not found:
        raise InvalidInput("The file holds no rates.")
    return found


def import_rates(session: Session, *, rows: list[RateRow], source: str) -> int:
    """Store `rows` (a rate already loaded for the same date and currency is replaced); how many."""
    for row in rows:
        session.execute(
            delete(ExchangeRate).where(
                ExchangeRate.rate_date == row.rate_date, ExchangeRate.currency == row.currency
            )
        )
        session.add(
            ExchangeRate(rate_date=row.rate_date, currency=row.currency, per_eur=row.per_eur, source=source)
        )
    session.flush()
    return len(rows)


def latest_table(session: Session) -> RateTable | None:
    """The most recent date's rates, or None when the operator loaded none."""
    newest = session.scalar(select(func.max(ExchangeRate.rate_date)))
    if newest is None:
        return None
    rates = session.scalars(select(ExchangeRate).where(ExchangeRate.rate_date == newest)).all()
    return RateTable(
        rate_date=newest,
        source=rates[0].source if rates else "",
        per_eur={rate.currency: Decimal(rate.per_eur) for rate in rates},
    )


def loaded_dates(session: Session, *, limit: int = 10) -> list[tuple[date, int]]:
    """The latest dates with rates, newest first, with how many currencies each."""
    query = (
        select(ExchangeRate.rate_date, func.count())
        .group_by(ExchangeRate.rate_date)
        .order_by(ExchangeRate.rate_date.desc())
        .limit(limit)
    )
    return [(day, count) for day, count in session.execute(query).all()]
