"""Money: Decimal amounts with ISO 4217 codes, exchange rates from an ECB-layout file the operator loads
(`onconav rates import FILE`, on a real SQLite file), conversions that carry the date of their rate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from onconav.errors import InvalidInput
from onconav.quotes import service
from onconav.quotes.money import RateTable, convert

# Constructed for these tests in the ECB's layout (header 'Date, USD, JPY, ...', per 1 EUR, trailing comma,
# N/A where no rate was published); the figures are made up, not ECB data.
ECB_SAMPLE = """Date, USD, JPY, CHF, GBP, ISK,
2026-12-03, 1.0500, 160.20, 0.9400, 0.8300, N/A,
2026-12-02, 1.0480, 159.90, 0.9390, 0.8310, N/A,
"""
TABLE = RateTable(
    rate_date=date(2026, 12, 3),
    source="test",
    per_eur={"USD": Decimal("1.0500"), "JPY": Decimal("160.20"), "CHF": Decimal("0.9400")},
)


def test_the_ecb_layout_is_read_with_every_rate_and_date() -> None:
    rows = service.parse_ecb_csv(ECB_SAMPLE)
    assert len(rows) == 8  # N/A is no rate
    first = rows[0]
    assert (first.rate_date, first.currency, first.per_eur) == (date(2026, 12, 3), "USD", Decimal("1.0500"))
    assert all(isinstance(row.per_eur, Decimal) for row in rows)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("USD, JPY\n1, 2\n", "header"),
        ("Date, USD, XXQ\n2026-12-03, 1, 2\n", "XXQ"),
        ("Date, USD\nyesterday, 1.05\n", "Line 2"),
        ("Date, USD\n2026-12-03, -1\n", "above zero"),
        ("Date, USD\n2026-12-03, one\n", "not a rate"),
        ("Date, USD\n", "no rates"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.parse_ecb_csv(text)
    assert problem in refused.value.message


def test_conversion_goes_through_the_euro_and_carries_the_rate_date() -> None:
    done = convert(Decimal("1000.00"), source="CHF", target="USD", table=TABLE)
    assert done is not None
    assert done.amount == Decimal("1117.02")  # 1000 / 0.94 * 1.05 = 1117.021..., half-even to the cent
    assert (done.rate_date, done.source) == (date(2026, 12, 3), "test")
    in_yen = convert(Decimal("10.00"), source="EUR", target="JPY", table=TABLE)
    assert in_yen is not None and in_yen.amount == Decimal("1602")  # the yen has no minor unit
    assert convert(Decimal("1"), source="EUR", target="GBP", table=TABLE) is None  # no rate: no guess


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_there_and_back_stays_within_a_cent(amount: Decimal) -> None:
    there = convert(amount, source="EUR", target="USD", table=TABLE)
    assert there is not None
    back = convert(there.amount, source="USD", target="EUR", table=TABLE)
    assert back is not None
    assert abs(back.amount - amount) <= Decimal("0.01")
    assert back.amount == back.amount.quantize(Decimal("0.01"))


def test_amounts_are_checked_against_their_currency() -> None:
    assert service.parse_amount("1250.50", currency="EUR") == Decimal("1250.50")
    with pytest.raises(InvalidInput, match="at most 0 decimals"):
        service.parse_amount("100.5", currency="JPY")
    for bad in ("-1", "NaN", "Infinity", "1e20", "twelve"):
        with pytest.raises(InvalidInput):
            service.parse_amount(bad, currency="EUR")
    with pytest.raises(InvalidInput, match="ISO 4217"):
        service.check_currency("EURO")
    assert service.show(Decimal("1250.5"), "EUR", "en") == "€1,250.50"


runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_rates_import_from_the_command_line(data_dir: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    listed = runner.invoke(app, ["rates", "list"])
    assert "No exchange rates are loaded" in listed.output
    sample = data_dir / "eurofxref-hist.csv"
    sample.write_text(ECB_SAMPLE, encoding="utf-8")
    loaded = runner.invoke(app, ["rates", "import", str(sample)])
    assert loaded.exit_code == 0, loaded.output
    assert "8 rate(s) for 2 date(s), 2026-12-02 to 2026-12-03" in loaded.output
    again = runner.invoke(app, ["rates", "import", str(sample)])  # a rate loaded again replaces the old one
    assert again.exit_code == 0, again.output
    listed = runner.invoke(app, ["rates", "list"])
    assert "2026-12-03" in listed.output and "4" in listed.output
    bad = data_dir / "bad.csv"
    bad.write_text("Date, USD\n2026-12-03, -1\n", encoding="utf-8")
    refused = runner.invoke(app, ["rates", "import", str(bad)])
    assert refused.exit_code == 2 and "above zero" in refused.output
    missing = runner.invoke(app, ["rates", "import", str(data_dir / "none.csv")])
    assert missing.exit_code == 2 and "cannot be read" in missing.output
