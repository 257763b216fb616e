"""The realised-gains report on hand-made disposals spanning the one-year boundary."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from microfolio.domain import Account, AccountType, Disposal
from microfolio.errors import InvariantError, NotFoundError
from microfolio.tax import GainsReport, TermGains, YearGains, realised_gains
from microfolio.tax.gains import disallowed_losses
from microfolio.tax.wash_records import WashSale

ACCOUNTS = (
    Account("t1", "h1", "taxable"),
    Account("t2", "h1", "spouse taxable"),
    Account("ira", "h1", "ira", AccountType.TRADITIONAL_IRA),
    Account("roth", "h2", "roth", AccountType.ROTH_IRA),
)


def _disposal(n: int, account_id: str, acquired: date, sold: date, gain: str) -> Disposal:
    cost = Decimal("1000.00")
    return Disposal(
        disposal_id=f"dsp-{n}",
        account_id=account_id,
        lot_id=f"lot-{n}",
        fill_id=f"fill-{n}",
        ticker="AAA",
        quantity=Decimal("10"),
        acquired=acquired,
        sold=sold,
        proceeds=cost + Decimal(gain),
        cost=cost,
    )


DISPOSALS = (
    _disposal(1, "t1", date(2020, 3, 1), date(2021, 3, 1), "100.00"),  # one year: short
    _disposal(2, "t1", date(2020, 3, 1), date(2021, 3, 2), "-100.00"),  # a day more: long
    _disposal(3, "t2", date(2020, 2, 29), date(2021, 2, 28), "50.00"),  # leap day: short
    _disposal(4, "t2", date(2020, 2, 29), date(2021, 3, 1), "70.00"),  # leap day: long
    _disposal(5, "t1", date(2020, 6, 1), date(2020, 12, 31), "-30.00"),  # 2020, short
    _disposal(6, "ira", date(2019, 1, 2), date(2021, 5, 3), "500.00"),  # IRA, long
    _disposal(7, "roth", date(2021, 1, 4), date(2021, 5, 3), "-40.00"),  # Roth, short
)


@pytest.fixture
def report() -> GainsReport:
    return realised_gains(DISPOSALS, ACCOUNTS)


def test_the_one_year_boundary_and_leap_day_follow_the_disposal_rule() -> None:
    assert [d.long_term for d in DISPOSALS[:4]] == [False, True, False, True]


def test_account_gains_split_by_term_and_year(report: GainsReport) -> None:
    t1 = report.account("t1")

    assert t1.taxable
    assert t1.years == (
        YearGains(2020, short_term=TermGains(losses=Decimal("-30.00"))),
        YearGains(
            2021,
            short_term=TermGains(gains=Decimal("100.00")),
            long_term=TermGains(losses=Decimal("-100.00")),
        ),
    )
    assert t1.year(2021).net == Decimal("0.00")
    assert t1.net == Decimal("-30.00")
    assert t1.year(2019) == YearGains(2019)


def test_leap_day_lots_split_short_and_long(report: GainsReport) -> None:
    t2 = report.account("t2").year(2021)

    assert (t2.short_term.net, t2.long_term.net, t2.net) == (
        Decimal("50.00"),
        Decimal("70.00"),
        Decimal("120.00"),
    )


def test_household_reports_iras_apart_as_not_taxable(report: GainsReport) -> None:
    h1 = report.household("h1")

    assert h1.taxable_year(2020) == YearGains(2020, TermGains(losses=Decimal("-30.00")))
    assert h1.taxable_year(2021) == YearGains(
        2021,
        short_term=TermGains(gains=Decimal("150.00")),
        long_term=TermGains(gains=Decimal("70.00"), losses=Decimal("-100.00")),
    )
    assert h1.taxable_net == Decimal("90.00")
    assert h1.not_taxable == (YearGains(2021, long_term=TermGains(gains=Decimal("500.00"))),)
    assert not report.account("ira").taxable


def test_a_household_with_only_a_roth_has_no_taxable_gains(report: GainsReport) -> None:
    h2 = report.household("h2")

    assert h2.taxable == ()
    assert h2.not_taxable_year(2021).short_term == TermGains(losses=Decimal("-40.00"))


def test_report_lists_accounts_and_households_sorted_even_without_disposals() -> None:
    report = realised_gains((), ACCOUNTS)

    assert [a.account_id for a in report.accounts] == ["ira", "roth", "t1", "t2"]
    assert [h.household_id for h in report.households] == ["h1", "h2"]
    assert all(a.years == () for a in report.accounts)


def test_to_dict_is_plain_json(report: GainsReport) -> None:
    data = report.to_dict()

    assert json.loads(json.dumps(data)) == data
    t1 = report.account("t1").to_dict()
    assert t1["account_type"] == "taxable"
    assert t1["years"] == [
        {
            "year": 2020,
            "short_term": {"gains": "0.00", "losses": "-30.00", "net": "-30.00"},
            "long_term": {"gains": "0.00", "losses": "0.00", "net": "0.00"},
            "net": "-30.00",
        },
        {
            "year": 2021,
            "short_term": {"gains": "100.00", "losses": "0.00", "net": "100.00"},
            "long_term": {"gains": "0.00", "losses": "-100.00", "net": "-100.00"},
            "net": "0.00",
        },
    ]


def test_mapping_of_accounts_is_accepted() -> None:
    by_id = {a.account_id: a for a in ACCOUNTS}

    assert realised_gains(DISPOSALS, by_id) == realised_gains(DISPOSALS, ACCOUNTS)


def test_unknown_account_is_named() -> None:
    with pytest.raises(NotFoundError, match="unknown account 'roth'"):
        realised_gains(DISPOSALS, ACCOUNTS[:3])


def test_unknown_report_lookups_are_named(report: GainsReport) -> None:
    with pytest.raises(NotFoundError, match="no account 'nope'"):
        report.account("nope")
    with pytest.raises(NotFoundError, match="no household 'nope'"):
        report.household("nope")


# --- wash sales: disallowed losses are not deductible -------------------------------------------


def _wash(n: int, loss_disposal_id: str, disallowed: str, *, permanent: bool = False) -> WashSale:
    amount = Decimal(disallowed)
    return WashSale(
        wash_id=f"wash-{n}",
        household_id="h1",
        loss_disposal_id=loss_disposal_id,
        loss_account_id="t1",
        ticker_sold="AAA",
        sold=date(2021, 3, 2),
        replacement_lot_id=f"lot-r{n}",
        replacement_account_id="ira" if permanent else "t1",
        ticker_bought="AAA",
        bought=date(2021, 3, 10),
        shares=Decimal("1"),
        disallowed=amount,
        permanent=permanent,
        basis_added=Decimal(0) if permanent else amount,
        holding_days=0 if permanent else 366,
    )


def test_nothing_disallowed_leaves_the_report_unchanged(report: GainsReport) -> None:
    assert realised_gains(DISPOSALS, ACCOUNTS, {}) == report
    assert realised_gains(DISPOSALS, ACCOUNTS, {"dsp-2": Decimal(0)}) == report
    assert report.household("h1").disallowed == Decimal(0)
    assert "disallowed" not in json.dumps(report.to_dict())


def test_a_disallowed_loss_is_taken_out_of_the_deductible_losses() -> None:
    """IRC 1091(a): a wash sale's loss is not deductible; dsp-2 lost 100.00, 40.00 of it washed."""
    report = realised_gains(DISPOSALS, ACCOUNTS, {"dsp-2": Decimal("40.00")})

    t1 = report.account("t1")
    assert t1.year(2021) == YearGains(
        2021,
        short_term=TermGains(gains=Decimal("100.00")),
        long_term=TermGains(losses=Decimal("-60.00")),
        disallowed=Decimal("40.00"),
    )
    assert t1.net == Decimal("10.00")
    assert t1.disallowed == Decimal("40.00")
    h1 = report.household("h1")
    assert h1.taxable_net == Decimal("130.00")
    assert h1.disallowed == Decimal("40.00")
    assert h1.taxable_year(2021).long_term.losses == Decimal("-60.00")


def test_a_disallowance_above_the_loss_stops_at_zero() -> None:
    """dsp-5 lost 30.00; 50.00 disallowed (rounding of pro-rated washes) leaves it at zero, not
    a 20.00 gain, and only the 30.00 actually taken out is reported."""
    report = realised_gains(DISPOSALS, ACCOUNTS, {"dsp-5": Decimal("50.00")})

    assert report.account("t1").year(2020) == YearGains(
        2020, short_term=TermGains(), disallowed=Decimal("30.00")
    )


def test_disallowed_shows_in_the_dict_where_not_zero() -> None:
    report = realised_gains(DISPOSALS, ACCOUNTS, {"dsp-2": Decimal("40.00")})

    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    t1 = report.account("t1").to_dict()
    years = t1["years"]
    assert isinstance(years, list)
    assert "disallowed" not in years[0]
    assert years[1]["disallowed"] == "40.00"
    assert years[1]["long_term"] == {"gains": "0.00", "losses": "-60.00", "net": "-60.00"}
    assert t1["disallowed"] == "40.00"
    assert report.household("h1").to_dict()["disallowed"] == "40.00"
    assert "disallowed" not in report.account("t2").to_dict()


def test_disallowed_ids_of_other_disposals_are_ignored(report: GainsReport) -> None:
    assert realised_gains(DISPOSALS, ACCOUNTS, {"dsp-elsewhere": Decimal("5")}) == report


@pytest.mark.parametrize(
    ("disallowed", "message"),
    [
        ({"dsp-1": Decimal("10")}, "tax gain 100.00 is not a loss"),
        ({"dsp-7": Decimal("10")}, "which is not taxable"),
        ({"dsp-2": Decimal("-1")}, "negative amount -1"),
    ],
)
def test_impossible_disallowances_are_refused(disallowed: dict[str, Decimal], message: str) -> None:
    with pytest.raises(InvariantError, match=message):
        realised_gains(DISPOSALS, ACCOUNTS, disallowed)


def test_disallowed_losses_sums_wash_sales_by_loss_disposal_permanent_ones_too() -> None:
    """Rev. Rul. 2008-5: a loss washed into an IRA is disallowed for good, so not deductible
    either; two washes of one loss sale add up."""
    washes = (
        _wash(1, "dsp-2", "25.00"),
        _wash(2, "dsp-2", "15.00", permanent=True),
        _wash(3, "dsp-5", "10.00"),
    )

    totals = disallowed_losses(washes)

    assert totals == {"dsp-2": Decimal("40.00"), "dsp-5": Decimal("10.00")}
    report = realised_gains(DISPOSALS, ACCOUNTS, totals)
    assert report.household("h1").disallowed == Decimal("50.00")
    assert report.account("t1").year(2020).short_term.losses == Decimal("-20.00")
