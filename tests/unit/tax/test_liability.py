"""Schedule D netting and capital loss carryovers, on hand-worked years.

Rates throughout: 30 % ordinary, 15 % long-term; the $3,000 limit unless a test says otherwise.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from microfolio.errors import InvariantError
from microfolio.tax import TermGains, YearGains
from microfolio.tax.liability import (
    LOSS_DEDUCTION_LIMIT_SEPARATE,
    TaxRates,
    YearTax,
    annual_taxes,
)

RATES = TaxRates(ordinary=Decimal("0.30"), long_term=Decimal("0.15"))


def _year(year: int, short: str = "0", long: str = "0") -> YearGains:
    """A year whose short- and long-term lines net to ``short`` and ``long``."""

    def term(net: str) -> TermGains:
        amount = Decimal(net)
        return TermGains(gains=amount) if amount >= 0 else TermGains(losses=amount)

    return YearGains(year, term(short), term(long))


def _d(value: str) -> Decimal:
    return Decimal(value)


def test_gains_only_are_taxed_each_at_its_rate() -> None:
    """Schedule D lines 7, 15, 16: both terms are gains, so nothing offsets; the short-term gain
    is taxed as ordinary income, the long-term (net capital) gain at the long-term rate
    (Publication 550, "Capital Gain Tax Rates"): 1,000 x 30 % + 2,000 x 15 % = 600."""
    (tax,) = annual_taxes([_year(2021, short="1000", long="2000")], RATES)

    assert tax == YearTax(
        year=2021,
        net_short=_d("1000"),
        net_long=_d("2000"),
        taxable_short=_d("1000"),
        taxable_long=_d("2000"),
        loss_deducted=_d("0"),
        carryforward_short=_d("0"),
        carryforward_long=_d("0"),
        tax=_d("600.00"),
    )


def test_losses_only_deduct_3000_a_year_and_carry_the_rest() -> None:
    """IRC 1211(b): at most $3,000 of net capital loss a year against ordinary income; IRC
    1212(b): the rest carries forward, in years with no sales too. A 10,000 short-term loss:
    3,000 deducted in each of 2020-2022 (a 900 saving each), the last 1,000 in 2023 (300)."""
    taxes = annual_taxes([_year(2020, short="-10000")], RATES, through_year=2024)

    assert [t.year for t in taxes] == [2020, 2021, 2022, 2023, 2024]
    assert [t.net_short for t in taxes] == [
        _d(v) for v in ("-10000", "-7000", "-4000", "-1000", "0")
    ]
    assert [t.loss_deducted for t in taxes] == [
        _d(v) for v in ("3000", "3000", "3000", "1000", "0")
    ]
    assert [t.carryforward_short for t in taxes] == [
        _d(v) for v in ("7000", "4000", "1000", "0", "0")
    ]
    assert all(t.carryforward_long == 0 for t in taxes)
    assert [t.tax for t in taxes] == [
        _d(v) for v in ("-900.00", "-900.00", "-900.00", "-300.00", "0.00")
    ]


def test_a_short_term_loss_offsets_a_long_term_gain() -> None:
    """Schedule D line 16: a net short-term loss of 5,000 against a net long-term gain of 8,000
    leaves a 3,000 net capital gain, taxed at the long-term rate: 450."""
    (tax,) = annual_taxes([_year(2021, short="-5000", long="8000")], RATES)

    assert (tax.taxable_short, tax.taxable_long, tax.loss_deducted) == (_d("0"), _d("3000"), 0)
    assert tax.tax == _d("450.00")


def test_a_short_term_loss_beyond_the_long_term_gain_carries_short_term() -> None:
    """Capital Loss Carryover Worksheet (Publication 550): short-term loss 10,000 less the
    long-term gain 4,000 and the 3,000 deduction leaves a 3,000 short-term carryover."""
    (tax,) = annual_taxes([_year(2021, short="-10000", long="4000")], RATES)

    assert tax.loss_deducted == _d("3000")
    assert (tax.carryforward_short, tax.carryforward_long) == (_d("3000"), _d("0"))
    assert tax.tax == _d("-900.00")


def test_a_long_term_loss_offsets_a_short_term_gain() -> None:
    """Schedule D line 16: a net long-term loss of 2,000 against a net short-term gain of 5,000
    leaves 3,000 of short-term gain, taxed at the ordinary rate: 900."""
    (tax,) = annual_taxes([_year(2021, short="5000", long="-2000")], RATES)

    assert (tax.taxable_short, tax.taxable_long) == (_d("3000"), _d("0"))
    assert tax.tax == _d("900.00")


def test_a_long_term_loss_beyond_the_short_term_gain_carries_long_term() -> None:
    """Capital Loss Carryover Worksheet: long-term loss 10,000 less the short-term gain 4,000 and
    the 3,000 deduction (none of it used by a short-term loss) leaves 3,000 long-term."""
    (tax,) = annual_taxes([_year(2021, short="4000", long="-10000")], RATES)

    assert tax.loss_deducted == _d("3000")
    assert (tax.carryforward_short, tax.carryforward_long) == (_d("0"), _d("3000"))


def test_the_short_term_loss_is_used_first_against_the_limit() -> None:
    """IRC 1212(b)(2) / Carryover Worksheet lines 5-13: with 8,000 short-term and 1,000
    long-term loss, the 3,000 deduction comes out of the short-term loss: 5,000 short-term and
    the whole 1,000 long-term carry over."""
    (tax,) = annual_taxes([_year(2021, short="-8000", long="-1000")], RATES)

    assert (tax.carryforward_short, tax.carryforward_long) == (_d("5000"), _d("1000"))


def test_carryover_keeps_its_character() -> None:
    """IRC 1212(b)(1): a carried loss stays short- or long-term. 2020: 2,000 short-term and
    6,000 long-term loss; the 3,000 deduction takes the 2,000 short-term and 1,000 long-term, so
    5,000 carries as long-term. 2021: 6,000 short-term and 6,000 long-term gain; the carryover
    nets against the long-term gain only: 6,000 x 30 % + 1,000 x 15 % = 1,950 (it would be
    1,200 had it been carried as short-term)."""
    taxes = annual_taxes(
        [_year(2020, short="-2000", long="-6000"), _year(2021, short="6000", long="6000")], RATES
    )

    assert (taxes[0].carryforward_short, taxes[0].carryforward_long) == (_d("0"), _d("5000"))
    assert (taxes[1].net_short, taxes[1].net_long) == (_d("6000"), _d("1000"))
    assert taxes[1].tax == _d("1950.00")


def test_a_year_with_no_sales_still_deducts_the_carried_loss() -> None:
    """IRC 1211(b)/1212(b): 2020 loses 5,000 long-term (3,000 deducted, 2,000 carried); 2021 has
    no sales but deducts the 2,000 (a 600 saving); 2022's 10,000 long-term gain is taxed whole."""
    taxes = annual_taxes([_year(2022, long="10000"), _year(2020, long="-5000")], RATES)

    assert [t.year for t in taxes] == [2020, 2021, 2022]
    assert taxes[1] == YearTax(
        year=2021,
        net_short=_d("0"),
        net_long=_d("-2000"),
        taxable_short=_d("0"),
        taxable_long=_d("0"),
        loss_deducted=_d("2000"),
        carryforward_short=_d("0"),
        carryforward_long=_d("0"),
        tax=_d("-600.00"),
    )
    assert [t.tax for t in taxes] == [_d("-900.00"), _d("-600.00"), _d("1500.00")]


def test_a_zero_year_owes_nothing_and_carries_nothing() -> None:
    """Schedule D: no gain and no loss, nothing to tax, deduct or carry."""
    (tax,) = annual_taxes([YearGains(2021)], RATES)

    assert (tax.net_short, tax.net_long, tax.loss_deducted, tax.carryforward) == (0, 0, 0, 0)
    assert tax.tax == 0
    assert tax.to_dict()["tax"] == "0.00"


def test_offsetting_terms_to_zero_owe_nothing() -> None:
    """Schedule D line 16 is zero: no tax and no deduction."""
    (tax,) = annual_taxes([_year(2021, short="-3000", long="3000")], RATES)

    assert (tax.taxable_short, tax.taxable_long, tax.loss_deducted, tax.tax) == (0, 0, 0, 0)


def test_married_filing_separately_deducts_1500() -> None:
    """IRC 1211(b)(1): $1,500 for a married individual filing a separate return."""
    rates = TaxRates(Decimal("0.30"), Decimal("0.15"), LOSS_DEDUCTION_LIMIT_SEPARATE)

    (tax,) = annual_taxes([_year(2021, long="-2000")], rates)

    assert (tax.loss_deducted, tax.carryforward_long, tax.tax) == (
        _d("1500"),
        _d("500"),
        _d("-450.00"),
    )


def test_no_deduction_limit_carries_everything_and_saves_nothing() -> None:
    rates = TaxRates(Decimal("0.30"), Decimal("0.15"), Decimal(0))

    (tax,) = annual_taxes([_year(2021, short="-100")], rates)

    assert (tax.loss_deducted, tax.carryforward_short) == (0, _d("100"))
    assert tax.to_dict()["tax"] == "0.00"  # not a negative zero


def test_no_years_give_no_taxes() -> None:
    assert annual_taxes([], RATES, through_year=2030) == ()


def test_to_dict_is_plain_json() -> None:
    (tax,) = annual_taxes([_year(2021, short="-10000", long="4000")], RATES)

    data = tax.to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data == {
        "year": 2021,
        "net_short": "-10000.00",
        "net_long": "4000.00",
        "taxable_short": "0.00",
        "taxable_long": "0.00",
        "loss_deducted": "3000.00",
        "carryforward_short": "3000.00",
        "carryforward_long": "0.00",
        "tax": "-900.00",
    }


def test_a_year_given_twice_is_refused() -> None:
    with pytest.raises(InvariantError, match="year 2021 is given twice"):
        annual_taxes([_year(2021), _year(2021)], RATES)


def test_through_year_before_the_last_year_is_refused() -> None:
    with pytest.raises(InvariantError, match="2021 is before the last year given \\(2022\\)"):
        annual_taxes([_year(2022)], RATES, through_year=2021)


@pytest.mark.parametrize(
    ("ordinary", "long_term", "limit", "message"),
    [
        ("1.1", "0.15", "3000", "ordinary must be in 0..1, got 1.1"),
        ("0.3", "-0.01", "3000", "long_term must be in 0..1, got -0.01"),
        ("0.3", "0.15", "-1", "loss_deduction_limit must be >= 0, got -1"),
    ],
)
def test_rates_out_of_range_are_refused(
    ordinary: str, long_term: str, limit: str, message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        TaxRates(Decimal(ordinary), Decimal(long_term), Decimal(limit))


def test_default_limit_is_3000() -> None:
    assert RATES.loss_deduction_limit == Decimal(3000)
