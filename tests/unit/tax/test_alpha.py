"""Tax alpha of harvesting and harvesting yield, on small hand-worked numbers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from microfolio.errors import InvariantError
from microfolio.tax import TermGains, YearGains
from microfolio.tax.alpha import TaxAlpha, harvesting_yield, tax_alpha
from microfolio.tax.liability import TaxRates, YearTax, annual_taxes

ZERO = Decimal(0)


def _tax(year: int, tax: str, carry_short: str = "0", carry_long: str = "0") -> YearTax:
    return YearTax(
        year=year,
        net_short=ZERO,
        net_long=ZERO,
        taxable_short=ZERO,
        taxable_long=ZERO,
        loss_deducted=ZERO,
        carryforward_short=Decimal(carry_short),
        carryforward_long=Decimal(carry_long),
        tax=Decimal(tax),
    )


def _two_years() -> TaxAlpha:
    return tax_alpha(
        [_tax(2021, "600"), _tax(2022, "1000")],
        [_tax(2021, "1500"), _tax(2022, "3000")],
        {2021: Decimal("100000"), 2022: Decimal("200000")},
        unrealised_with=Decimal("50000"),
        unrealised_without=Decimal("40000"),
        long_term_rate=Decimal("0.15"),
    )


def test_yearly_saving_and_alpha() -> None:
    """Savings 1,500 - 600 = 900 on 100,000 (0.9 %) and 3,000 - 1,000 = 2,000 on 200,000 (1 %)."""
    alpha = _two_years()

    assert [line.saving for line in alpha.years] == [Decimal("900"), Decimal("2000")]
    assert [line.alpha for line in alpha.years] == pytest.approx([0.009, 0.01])
    assert alpha.total_saving == Decimal("2900")
    assert alpha.mean_alpha == pytest.approx(0.0095)
    assert alpha.pooled_alpha == pytest.approx(2900 / 300000)


def test_liquidation_alpha_charges_the_extra_deferred_gain() -> None:
    """10,000 more unrealised gain at 15 % is 1,500 of tax on selling at the end:
    (2,900 - 1,500) / 300,000 dollar-years."""
    alpha = _two_years()

    assert alpha.extra_deferred_gain == Decimal("10000")
    assert (alpha.liquidation_tax_with, alpha.liquidation_tax_without) == (
        Decimal("7500.00"),
        Decimal("6000.00"),
    )
    assert alpha.deferred_tax == Decimal("1500.00")
    assert alpha.liquidation_alpha == pytest.approx(1400 / 300000)
    assert alpha.liquidation_alpha < alpha.pooled_alpha


def test_an_unused_carryforward_offsets_the_deferred_gain() -> None:
    """Harvesting 10,000 of short-term loss with no gains deducts 3,000 (900 saved at 30 %) and
    carries 7,000. Sold at the end, the 7,000 offsets the extra 10,000 of gain, so only the 3,000
    deducted comes back, at 15 %: deferred tax 450, liquidation alpha (900 - 450) / 100,000."""
    alpha = tax_alpha(
        [_tax(2021, "-900", carry_short="7000")],
        [_tax(2021, "0")],
        {2021: 100000.0},
        unrealised_with=60000,
        unrealised_without=50000,
        long_term_rate=0.15,
    )

    assert alpha.carryforward_with == Decimal("7000")
    assert alpha.liquidation_tax_with == Decimal("7950.00")  # 15 % of 60,000 - 7,000
    assert alpha.deferred_tax == Decimal("450.00")
    assert alpha.pooled_alpha == pytest.approx(0.009)
    assert alpha.liquidation_alpha == pytest.approx(0.0045)


def test_from_annual_taxes_end_to_end() -> None:
    """With harvesting: 2021 harvests 10,000 short-term (3,000 deducted: -900, 7,000 carried);
    2022 sells 4,000 long-term gain, which the carryover wipes out, and deducts the last 3,000
    (-900). Without: no 2021 sales, 2022 owes 4,000 x 15 % = 600. Savings 900 and 1,500 on
    100,000 each: 0.9 % and 1.5 %, mean 1.2 %; harvesting yield 10 % in 2021."""
    rates = TaxRates(Decimal("0.30"), Decimal("0.15"))
    with_harvest = annual_taxes(
        [
            YearGains(2021, short_term=TermGains(losses=Decimal("-10000"))),
            YearGains(2022, long_term=TermGains(gains=Decimal("4000"))),
        ],
        rates,
    )
    without_harvest = annual_taxes(
        [YearGains(2022, long_term=TermGains(gains=Decimal("4000")))], rates
    )
    starts = {2021: Decimal("100000"), 2022: Decimal("100000")}

    alpha = tax_alpha(
        with_harvest,
        without_harvest,
        starts,
        unrealised_with=Decimal("30000"),
        unrealised_without=Decimal("20000"),
        long_term_rate=rates.long_term,
    )

    assert [t.tax for t in with_harvest] == [Decimal("-900.00"), Decimal("-900.00")]
    assert [line.saving for line in alpha.years] == [Decimal("900.00"), Decimal("1500.00")]
    assert alpha.mean_alpha == pytest.approx(0.012)
    assert alpha.deferred_tax == Decimal("1500.00")
    assert alpha.liquidation_alpha == pytest.approx(900 / 200000)
    assert harvesting_yield({2021: Decimal("10000")}, starts) == {2021: 0.1, 2022: 0.0}


def test_a_year_a_run_has_no_tax_for_counts_as_zero() -> None:
    alpha = tax_alpha(
        [_tax(2021, "-300"), _tax(2022, "100")],
        [_tax(2022, "400")],
        {2021: 10000, 2022: 10000},
        unrealised_with=0,
        unrealised_without=0,
        long_term_rate=Decimal("0.15"),
    )

    assert [line.tax_without for line in alpha.years] == [ZERO, Decimal("400")]
    assert [line.saving for line in alpha.years] == [Decimal("300"), Decimal("300")]


def test_a_missing_year_while_a_loss_is_carried_is_refused() -> None:
    with pytest.raises(InvariantError, match="carries 7000 of loss past 2021 but has no year 2022"):
        tax_alpha(
            [_tax(2021, "-900", carry_short="7000")],
            [],
            {2021: 1, 2022: 1},
            unrealised_with=0,
            unrealised_without=0,
            long_term_rate=0.15,
        )


def test_a_tax_year_without_a_start_value_is_refused() -> None:
    with pytest.raises(InvariantError, match="without_harvest: year 2023 has no start value"):
        tax_alpha(
            [],
            [_tax(2023, "5")],
            {2021: 1},
            unrealised_with=0,
            unrealised_without=0,
            long_term_rate=0.15,
        )


@pytest.mark.parametrize(
    ("starts", "rate", "message"),
    [
        ({}, 0.15, "start_values: needs at least one year"),
        ({2021: 0}, 0.15, "start_value must be > 0"),
        ({2021: float("nan")}, 0.15, "must be a finite number"),
        ({2021: 1}, 1.5, "long_term_rate must be in 0..1"),
    ],
)
def test_bad_inputs_are_refused(starts: dict[int, float], rate: float, message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        tax_alpha([], [], starts, unrealised_with=0, unrealised_without=0, long_term_rate=rate)


def test_floats_and_decimals_give_the_same_alpha() -> None:
    def run(start: float | Decimal) -> TaxAlpha:
        return tax_alpha(
            [_tax(2021, "10")],
            [_tax(2021, "110")],
            {2021: start},
            unrealised_with=0,
            unrealised_without=0,
            long_term_rate=0.2,
        )

    assert run(2500.5) == run(Decimal("2500.5"))
    assert run(2500.5).long_term_rate == Decimal("0.2")


def test_to_dict_is_plain_json() -> None:
    data = _two_years().to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["total_saving"] == "2900.00"
    assert data["deferred_tax"] == "1500.00"
    years = data["years"]
    assert isinstance(years, list)
    assert years[0]["saving"] == "900.00"


def test_harvesting_yield_is_harvested_loss_over_start_value() -> None:
    """2021: 5,000 harvested from 100,000 at the start (5 %); 2022: 1,000 from 50,000 (2 %)."""
    yields = harvesting_yield(
        {2021: Decimal("5000"), 2022: 1000.0}, {2021: Decimal("100000"), 2022: 50000, 2023: 1}
    )

    assert yields == pytest.approx({2021: 0.05, 2022: 0.02, 2023: 0.0})
    assert list(yields) == [2021, 2022, 2023]


@pytest.mark.parametrize(
    ("losses", "starts", "message"),
    [
        ({2020: 1}, {2021: 1}, "year 2020 has no start value"),
        ({2021: -5}, {2021: 1}, "losses are positive amounts, got -5"),
        ({}, {2021: 0}, "start_values\\[2021\\]: must be > 0"),
    ],
)
def test_harvesting_yield_refuses_bad_inputs(
    losses: dict[int, float], starts: dict[int, float], message: str
) -> None:
    with pytest.raises(InvariantError, match=message):
        harvesting_yield(losses, starts)
