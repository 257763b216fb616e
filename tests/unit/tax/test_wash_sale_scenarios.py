"""Wash-sale scenarios, each citing the rule it tests.

Sources: IRC 1091 (a) disallowance and (d) basis; IRC 1223(3) holding period; Treas. Reg.
1.1091-1 (a) the 61-day period, (b) order of losses, (c)/(d) matching in the order acquired,
(e) a replacement share counts once; Treas. Reg. 1.1091-2 basis examples; IRS Publication 550,
"Wash Sales"; Rev. Rul. 56-602 (part of a lot sold within 30 days of its purchase); Rev. Rul.
2008-5 (a replacement bought in an IRA or Roth IRA).

Histories are replayed with :func:`microfolio.tax.wash_sale.replay`: buys are lots, sales are
disposals; a disposal's cost is re-priced against the tracked (adjusted) lots.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from microfolio.data import load_universe
from microfolio.domain import (
    Account,
    AccountType,
    Disposal,
    Fill,
    Lot,
    SequentialIds,
    Side,
    money,
)
from microfolio.errors import InvariantError
from microfolio.ledger import Book
from microfolio.tax.identical import SecurityIdentity
from microfolio.tax.wash_records import LossSale, Purchase, WashSale
from microfolio.tax.wash_sale import (
    Adjudication,
    WashSaleWindow,
    adjudicate,
    apply_to_lots,
    part_lot_id,
    replay,
)

HOUSEHOLD = "smiths"
ME = Account("me", HOUSEHOLD, "taxable")
SPOUSE = Account("spouse", HOUSEHOLD, "spouse's taxable")
IRA = Account("ira", HOUSEHOLD, "traditional IRA", AccountType.TRADITIONAL_IRA)
ROTH = Account("roth", HOUSEHOLD, "Roth IRA", AccountType.ROTH_IRA)
ACCOUNTS = (ME, SPOUSE, IRA, ROTH)
IDENTITY = SecurityIdentity.default()


D = Decimal


class History:
    """A household's trades, as the events :func:`replay` takes."""

    def __init__(self) -> None:
        self.events: list[Lot | Disposal] = []
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def buy(self, account: Account, ticker: str, shares: str, cost: str, on: date) -> Lot:
        lot = Lot(self._id("L"), account.account_id, ticker, D(shares), D(cost), on)
        self.events.append(lot)
        return lot

    def sell(
        self, lot: Lot, shares: str, proceeds: str, on: date, fill: str | None = None
    ) -> Disposal:
        quantity = D(shares)
        disposal = Disposal(
            disposal_id=self._id("S"),
            account_id=lot.account_id,
            lot_id=lot.lot_id,
            fill_id=fill or self._id("F"),
            ticker=lot.ticker,
            quantity=quantity,
            acquired=lot.acquired,
            sold=on,
            proceeds=D(proceeds),
            cost=money(lot.cost * quantity / lot.quantity),
        )
        self.events.append(disposal)
        return disposal

    def replay(self, identity: SecurityIdentity = IDENTITY) -> Adjudication:
        return replay(self.events, ACCOUNTS, identity, SequentialIds("t"))


def lot_of(result: Adjudication, lot_id: str) -> Lot:
    for lots in result.lots_by_account.values():
        for lot in lots:
            if lot.lot_id == lot_id:
                return lot
    raise AssertionError(f"lot {lot_id} is not held")


def disposal_of(result: Adjudication, disposal_id: str) -> Disposal:
    return next(d for d in result.disposals if d.disposal_id == disposal_id)


def one_loss_with_a_purchase(bought: date, sold: date = date(2023, 6, 1)) -> Adjudication:
    """10 VOO bought 2023-01-03 for $1,000 and sold on ``sold`` for $750; 10 VOO bought on
    ``bought`` for $800 (the Pub. 550 numbers)."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    if bought < sold:
        history.buy(ME, "VOO", "10", "800.00", bought)
        history.sell(old, "10", "750.00", sold)
    else:
        history.sell(old, "10", "750.00", sold)
        history.buy(ME, "VOO", "10", "800.00", bought)
    return history.replay()


# -- the 61-day window ----------------------------------------------------------------------


def test_a_purchase_30_days_before_the_loss_sale_washes_it() -> None:
    """IRC 1091(a): the period begins 30 days before the date of the sale; Treas. Reg.
    1.1091-1(a) calls it the 61-day period. 2023-05-02 is 30 days before 2023-06-01."""
    result = one_loss_with_a_purchase(bought=date(2023, 5, 2))

    (wash,) = result.washes
    assert (wash.shares, wash.disallowed, wash.bought) == (D("10"), D("250.00"), date(2023, 5, 2))


def test_a_purchase_31_days_before_the_loss_sale_is_outside_the_window() -> None:
    """IRC 1091(a): only acquisitions from 30 days before the sale count; 2023-05-01 is 31
    days before 2023-06-01."""
    result = one_loss_with_a_purchase(bought=date(2023, 5, 1))

    assert result.washes == ()


def test_a_purchase_30_days_after_the_loss_sale_washes_it() -> None:
    """IRC 1091(a): the period ends 30 days after the date of the sale (2023-07-01 for a sale
    on 2023-06-01)."""
    result = one_loss_with_a_purchase(bought=date(2023, 7, 1))

    (wash,) = result.washes
    assert wash.disallowed == D("250.00")


def test_a_purchase_31_days_after_the_loss_sale_is_outside_the_window() -> None:
    """IRC 1091(a): 2023-07-02 is 31 days after a sale on 2023-06-01, outside the period."""
    result = one_loss_with_a_purchase(bought=date(2023, 7, 2))

    assert result.washes == ()


@pytest.mark.parametrize("buy_first", [True, False], ids=["bought-then-sold", "sold-then-bought"])
def test_a_purchase_on_the_day_of_the_loss_sale_washes_it(buy_first: bool) -> None:
    """Treas. Reg. 1.1091-1(a): the 61-day period includes the day of the sale itself, so a
    same-day repurchase washes the loss whichever came first."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    if buy_first:
        history.buy(ME, "VOO", "10", "800.00", date(2023, 6, 1))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    if not buy_first:
        history.buy(ME, "VOO", "10", "800.00", date(2023, 6, 1))

    (wash,) = history.replay().washes

    assert wash.disallowed == D("250.00")


@pytest.mark.parametrize(
    ("bought", "washed"),
    [(date(2024, 2, 14), True), (date(2024, 2, 13), False)],
    ids=["30-days-across-29-feb", "31-days-across-29-feb"],
)
def test_the_window_counts_calendar_days_across_a_leap_day(bought: date, washed: bool) -> None:
    """IRC 1091(a) counts calendar days: 2024 has a 29 February, so 30 days before a sale on
    2024-03-15 is 2024-02-14 (inside) and 2024-02-13 is 31 days before (outside)."""
    result = one_loss_with_a_purchase(bought=bought, sold=date(2024, 3, 15))

    assert bool(result.washes) is washed


@pytest.mark.parametrize(
    ("bought", "washed"),
    [(date(2023, 3, 2), True), (date(2023, 3, 3), False)],
    ids=["30-days-after-31-jan", "31-days-after-31-jan"],
)
def test_the_window_crosses_a_short_february(bought: date, washed: bool) -> None:
    """IRC 1091(a): 30 days after a sale on 2023-01-31 is 2023-03-02 (February 2023 has 28
    days); 2023-03-03 is outside."""
    result = one_loss_with_a_purchase(bought=bought, sold=date(2023, 1, 31))

    assert bool(result.washes) is washed


def test_the_window_crosses_the_tax_year() -> None:
    """IRC 1091(a): the 61-day period ignores the tax year: a December loss is washed by a
    January purchase 30 days later (2023-12-20 -> 2024-01-19), and the basis moves into the
    new year's lot."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 12, 20))
    new = history.buy(ME, "VOO", "10", "800.00", date(2024, 1, 19))

    result = history.replay()

    assert lot_of(result, new.lot_id).tax_cost == D("1050.00")


# -- amounts and basis ----------------------------------------------------------------------


def test_the_disallowed_loss_is_added_to_the_cost_of_the_new_stock() -> None:
    """Pub. 550, Wash Sales: buy 100 shares for $1,000, sell them for $750, buy 100 within 30
    days for $800: the $250 loss is not deductible and the basis of the new stock is $1,050
    (IRC 1091(d))."""
    history = History()
    old = history.buy(ME, "VOO", "100", "1000.00", date(2023, 1, 3))
    sale = history.sell(old, "100", "750.00", date(2023, 3, 1))
    new = history.buy(ME, "VOO", "100", "800.00", date(2023, 3, 20))

    result = history.replay()

    (wash,) = result.washes
    replacement = lot_of(result, new.lot_id)
    assert wash.loss_disposal_id == sale.disposal_id
    assert wash.replacement_lot_id == new.lot_id
    assert (wash.disallowed, wash.basis_added, wash.permanent) == (D("250.00"), D("250.00"), False)
    assert (replacement.cost, replacement.basis_adjustment) == (D("800.00"), D("250.00"))
    assert replacement.tax_cost == D("1050.00")


def test_the_basis_is_the_old_basis_less_the_fall_from_sale_to_repurchase() -> None:
    """Treas. Reg. 1.1091-2(a), Example 2: a share bought for $100 is sold for $80 and a new
    share bought for $70: the new share's basis is $90, the old basis decreased by $10 (here:
    cost $70 plus the $20 disallowed)."""
    history = History()
    old = history.buy(ME, "VOO", "1", "100.00", date(2022, 1, 3))
    history.sell(old, "1", "80.00", date(2023, 1, 16))
    new = history.buy(ME, "VOO", "1", "70.00", date(2023, 2, 1))

    result = history.replay()

    assert lot_of(result, new.lot_id).tax_cost == D("90.00")


def test_fewer_shares_bought_than_sold_disallows_only_the_matched_part() -> None:
    """IRC 1091(b) and Treas. Reg. 1.1091-1(c) (the regulation's example, and Pub. 550's "30
    days before" example): 100 shares bought for $5,000 are sold for $4,000 after 50 ($2,750)
    and 25 ($1,125) shares were bought within 30 days: the loss on 75 shares ($750) is
    disallowed, the loss on the other 25 ($250) is deductible; the 50 shares' basis is $3,250
    and the 25 shares' $1,375."""
    history = History()
    old = history.buy(ME, "VOO", "100", "5000.00", date(2022, 9, 21))
    fifty = history.buy(ME, "VOO", "50", "2750.00", date(2022, 12, 21))
    twenty_five = history.buy(ME, "VOO", "25", "1125.00", date(2022, 12, 27))
    sale = history.sell(old, "100", "4000.00", date(2023, 1, 3))

    result = history.replay()

    assert [(w.replacement_lot_id, w.shares, w.disallowed) for w in result.washes] == [
        (fifty.lot_id, D("50"), D("500.00")),
        (twenty_five.lot_id, D("25"), D("250.00")),
    ]
    allowed = -disposal_of(result, sale.disposal_id).tax_gain - sum(
        w.disallowed for w in result.washes
    )
    assert allowed == D("250.00")
    assert lot_of(result, fifty.lot_id).tax_cost == D("3250.00")
    assert lot_of(result, twenty_five.lot_id).tax_cost == D("1375.00")


def test_more_shares_bought_than_sold_splits_off_only_the_replacement_shares() -> None:
    """IRC 1091(c) and Treas. Reg. 1.1091-1(d): when more shares are bought than were sold,
    the replacement shares are as many as were sold, the first bought; only they take the
    basis and the holding period. The split conserves the cost to the cent."""
    history = History()
    old = history.buy(ME, "VOO", "50", "1000.00", date(2023, 1, 3))
    history.sell(old, "50", "876.55", date(2023, 3, 1))  # a $123.45 loss
    new = history.buy(ME, "VOO", "100", "1000.01", date(2023, 3, 11))

    result = history.replay()

    (wash,) = result.washes
    assert wash.replacement_lot_id == part_lot_id(new.lot_id, wash.wash_id)
    part, rest = result.lots_by_account["me"]
    assert (part.lot_id, part.quantity, part.cost, part.basis_adjustment) == (
        wash.replacement_lot_id,
        D("50"),
        D("500.00"),
        D("123.45"),
    )
    assert part.holding_start == date(2023, 3, 11) - timedelta(days=57)
    assert (rest.lot_id, rest.quantity, rest.cost, rest.basis_adjustment) == (
        new.lot_id,
        D("50"),
        D("500.01"),
        D("0"),
    )
    assert rest.holding_start is None


def test_several_purchases_are_matched_in_the_order_bought() -> None:
    """Pub. 550, Wash Sales: "match the shares bought in the same order that you bought them,
    beginning with the first shares bought" (Treas. Reg. 1.1091-1(d)). 100 shares sold at a
    $1,000 loss after 50 shares were bought on each of four days: the first two purchases take
    $500 each, the last two nothing."""
    history = History()
    old = history.buy(ME, "VOO", "100", "5000.00", date(2021, 9, 24))
    buys = [history.buy(ME, "VOO", "50", "2000.00", date(2022, 2, day)) for day in (9, 10, 11, 12)]
    history.sell(old, "100", "4000.00", date(2022, 2, 14))

    result = history.replay()

    assert [(w.replacement_lot_id, w.disallowed) for w in result.washes] == [
        (buys[0].lot_id, D("500.00")),
        (buys[1].lot_id, D("500.00")),
    ]
    assert [lot_of(result, b.lot_id).basis_adjustment for b in buys] == [
        D("500.00"),
        D("500.00"),
        D("0"),
        D("0"),
    ]


def test_a_purchase_before_the_sale_is_matched_before_one_after_it() -> None:
    """Treas. Reg. 1.1091-1(c)/(d): shares acquired within the 61-day period are matched in the
    order of their acquisition, so a purchase 20 days before the sale comes before one 5 days
    after it."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    before = history.buy(ME, "IVV", "6", "500.00", date(2023, 5, 12))
    history.sell(old, "10", "800.00", date(2023, 6, 1))
    after = history.buy(ME, "VOO", "10", "790.00", date(2023, 6, 6))

    result = history.replay()

    assert [(w.replacement_lot_id, w.shares, w.disallowed) for w in result.washes] == [
        (before.lot_id, D("6"), D("120.00")),
        (part_lot_id(after.lot_id, result.washes[1].wash_id), D("4"), D("80.00")),
    ]


def test_losses_of_one_sale_are_washed_in_the_order_their_shares_were_acquired() -> None:
    """Treas. Reg. 1.1091-1(b): losses are applied in the order of disposition; when shares
    disposed of at a loss on the same day cannot be ordered, in the order originally acquired.
    One fill sells a 2022-06 lot and a 2022-03 lot; 40 replacement shares wash the 2022-03 lot
    first (30 shares), then 10 of the 2022-06 lot."""
    history = History()
    march = history.buy(ME, "VOO", "30", "3000.00", date(2022, 3, 1))
    june = history.buy(ME, "VOO", "30", "3300.00", date(2022, 6, 1))
    sold_june = history.sell(june, "30", "2400.00", date(2023, 2, 1), fill="F-hifo")
    sold_march = history.sell(march, "30", "2400.00", date(2023, 2, 1), fill="F-hifo")
    history.buy(ME, "VOO", "40", "3200.00", date(2023, 2, 10))

    result = history.replay()

    assert [(w.loss_disposal_id, w.shares, w.disallowed) for w in result.washes] == [
        (sold_march.disposal_id, D("30"), D("600.00")),
        (sold_june.disposal_id, D("10"), D("300.00")),
    ]


def test_a_replacement_share_washes_only_one_loss() -> None:
    """Treas. Reg. 1.1091-1(e): the acquisition of a share that made one loss nondeductible is
    disregarded for any other loss. Two losses of 10 shares (1 and 5 March), 10 shares bought
    on 10 March: they wash the first loss (Reg. 1.1091-1(b), order of disposition) only."""
    history = History()
    a = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    b = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 4))
    first = history.sell(a, "10", "900.00", date(2023, 3, 1))
    history.sell(b, "10", "880.00", date(2023, 3, 5))
    history.buy(ME, "VOO", "10", "870.00", date(2023, 3, 10))

    result = history.replay()

    (wash,) = result.washes
    assert wash.loss_disposal_id == first.disposal_id
    assert result.window.losses[-1].unmatched == D("10")  # the second loss stays deductible


def test_a_loss_share_is_washed_only_once() -> None:
    """Treas. Reg. 1.1091-1(d): the shares sold are matched with an *equal number* of shares
    acquired: a second purchase after the loss was fully matched is no replacement."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    history.sell(old, "10", "900.00", date(2023, 3, 1))
    first = history.buy(ME, "VOO", "10", "890.00", date(2023, 3, 5))
    second = history.buy(ME, "VOO", "10", "880.00", date(2023, 3, 8))

    result = history.replay()

    assert [w.replacement_lot_id for w in result.washes] == [first.lot_id]
    assert lot_of(result, second.lot_id).basis_adjustment == D("0")


def test_the_parts_of_a_disallowed_loss_add_up_to_it_to_the_cent() -> None:
    """IRC 1091(a)/(d): the whole loss of fully replaced shares is disallowed and moves into
    the basis; split over three one-share replacements, $100.00 goes as 33.33 + 33.34 + 33.33
    (cumulative rounding), never a cent more or less in total."""
    history = History()
    old = history.buy(ME, "VOO", "3", "400.00", date(2022, 1, 3))
    history.sell(old, "3", "300.00", date(2023, 3, 1))
    buys = [history.buy(ME, "VOO", "1", "99.00", date(2023, 3, day)) for day in (2, 3, 4)]

    result = history.replay()

    assert [w.disallowed for w in result.washes] == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(lot_of(result, b.lot_id).basis_adjustment for b in buys) == D("100.00")


def test_the_basis_adjustment_is_exactly_the_disallowed_loss() -> None:
    """IRC 1091(d): the basis of the replacement is its cost increased by the disallowed loss,
    to the cent: 3 of 7 shares sold at a $77.77 loss are replaced, $33.33 is disallowed."""
    history = History()
    old = history.buy(ME, "VOO", "7", "777.77", date(2022, 1, 3))
    history.sell(old, "7", "700.00", date(2023, 3, 1))
    new = history.buy(ME, "VOO", "3", "301.11", date(2023, 3, 9))

    result = history.replay()

    (wash,) = result.washes
    assert wash.disallowed == wash.basis_added == D("33.33")
    assert lot_of(result, new.lot_id).tax_cost == D("301.11") + D("33.33")


# -- who bought the replacement ---------------------------------------------------------------


def test_a_spouse_purchase_washes_the_loss() -> None:
    """Pub. 550, Wash Sales: "If you sell stock and your spouse or a corporation you control
    buys substantially identical stock, you also have a wash sale." The basis moves into the
    spouse's lot."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    theirs = history.buy(SPOUSE, "IVV", "10", "800.00", date(2023, 6, 15))

    result = history.replay()

    (wash,) = result.washes
    assert (wash.loss_account_id, wash.replacement_account_id) == ("me", "spouse")
    assert lot_of(result, theirs.lot_id).tax_cost == D("1050.00")


@pytest.mark.parametrize("account", [IRA, ROTH], ids=["traditional-ira", "roth-ira"])
def test_a_replacement_bought_in_an_ira_loses_the_loss_for_good(account: Account) -> None:
    """Rev. Rul. 2008-5: a loss sale followed within 30 days by a purchase of substantially
    identical stock in the taxpayer's IRA or Roth IRA is a wash sale, and the basis of the
    IRA's shares is not increased (Pub. 550, Wash Sales, item 4). Nothing is split or moved."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    ira_lot = history.buy(account, "SPY", "4", "320.00", date(2023, 6, 2))

    result = history.replay()

    (wash,) = result.washes
    assert (wash.permanent, wash.shares, wash.disallowed) == (True, D("4"), D("100.00"))
    assert (wash.basis_added, wash.holding_days) == (D("0"), 0)
    assert wash.replacement_lot_id == ira_lot.lot_id
    assert result.lots_by_account[account.account_id] == (ira_lot,)


def test_an_ira_purchase_is_used_up_by_the_loss_it_washes() -> None:
    """Treas. Reg. 1.1091-1(e) applies to IRA replacements too: 10 IRA shares that washed one
    loss for good do not wash a second one."""
    history = History()
    a = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    b = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 4))
    history.sell(a, "10", "900.00", date(2023, 6, 1))
    history.buy(IRA, "VOO", "10", "890.00", date(2023, 6, 2))
    history.sell(b, "10", "880.00", date(2023, 6, 5))

    result = history.replay()

    assert len(result.washes) == 1


def test_a_loss_inside_an_ira_is_never_a_wash_sale() -> None:
    """IRC 1091(a) disallows a deduction for a loss; a loss inside an IRA is no deductible loss
    (IRC 408(e)(1): the account is exempt from tax), so buying it back elsewhere washes
    nothing."""
    history = History()
    lot = history.buy(IRA, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(lot, "10", "750.00", date(2023, 6, 1))
    history.buy(ME, "VOO", "10", "800.00", date(2023, 6, 2))
    history.buy(IRA, "VOO", "10", "800.00", date(2023, 6, 2))

    result = history.replay()

    assert result.washes == ()
    assert result.window.losses == ()


def test_a_sale_at_a_gain_is_never_a_wash_sale() -> None:
    """IRC 1091(a) applies to "any loss claimed": a gain sale followed by a repurchase is no
    wash sale."""
    history = History()
    lot = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(lot, "10", "1200.00", date(2023, 6, 1))
    history.buy(ME, "VOO", "10", "1190.00", date(2023, 6, 2))

    assert history.replay().washes == ()


# -- substantially identical ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sold", "bought"),
    [("VOO", "IVV"), ("SPY", "VOO"), ("AGG", "SCHZ"), ("GLD", "IAU")],
)
def test_funds_that_track_the_same_index_are_substantially_identical(
    sold: str, bought: str
) -> None:
    """Pub. 550, Wash Sales, "substantially identical" (facts and circumstances); this
    project's versioned reading tracks-v1: funds that track one index (S&P 500, Bloomberg US
    Aggregate, gold bullion) are one security for the rule."""
    history = History()
    old = history.buy(ME, sold, "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    history.buy(ME, bought, "10", "800.00", date(2023, 6, 5))

    (wash,) = history.replay().washes

    assert (wash.ticker_sold, wash.ticker_bought, wash.disallowed) == (sold, bought, D("250.00"))


@pytest.mark.parametrize(
    ("sold", "bought"),
    [("VTI", "ITOT"), ("BND", "AGG"), ("VEA", "IEFA"), ("TIP", "SCHP")],
)
def test_funds_of_one_class_that_track_different_indexes_are_not_identical(
    sold: str, bought: str
) -> None:
    """Pub. 550, Wash Sales: securities are substantially identical on the facts; tracks-v1
    holds that funds of one asset class tracking different indexes (CRSP vs S&P total market,
    the float-adjusted vs the plain aggregate bond index) are not, so harvesting into them is
    no wash sale."""
    history = History()
    old = history.buy(ME, sold, "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    history.buy(ME, bought, "10", "800.00", date(2023, 6, 5))

    assert history.replay().washes == ()


def test_declaring_more_funds_identical_is_a_new_version_of_the_data() -> None:
    """Pub. 550 leaves "substantially identical" to the facts: a stricter reading that makes
    VTI and ITOT one security is a different, versioned identity, and under it the same
    history is a wash sale."""
    stricter = SecurityIdentity.from_assets(load_universe(), extra_groups=[("VTI", "ITOT")])
    history = History()
    old = history.buy(ME, "VTI", "10", "1000.00", date(2023, 1, 3))
    history.sell(old, "10", "750.00", date(2023, 6, 1))
    history.buy(ME, "ITOT", "10", "800.00", date(2023, 6, 5))

    assert IDENTITY.version == "tracks-v1"
    assert stricter.version.startswith("tracks-v1+")
    assert stricter.identical("VTI", "ITOT")
    assert not IDENTITY.identical("VTI", "ITOT")
    assert history.replay().washes == ()
    assert len(history.replay(stricter).washes) == 1


def test_a_security_is_identical_to_itself_even_when_unknown() -> None:
    """IRC 1091(a) covers the same stock before "substantially identical" ones: a ticker the
    universe does not list is its own key, and is not identical to anything else."""
    assert IDENTITY.identical("XYZ", "xyz ")
    assert not IDENTITY.identical("XYZ", "VOO")
    assert IDENTITY.key("VOO") == IDENTITY.key("IVV") == IDENTITY.key("SPY")
    assert IDENTITY.group("IVV") == ("IVV", "SPY", "VOO")


# -- replacements sold again, holding periods -------------------------------------------------


def test_a_replacement_sold_at_a_loss_is_washed_again_with_its_adjusted_basis() -> None:
    """IRC 1091(d) and IRC 1223(3), twice: VOO bought for $1,000 is sold for $800 after 57
    days; IVV bought 9 days later for $790 has basis $990 and a holding period 57 days longer.
    Sold for $700 ten days later, its tax loss is $290 (not the $90 of cash), and SPY bought
    within 30 days takes all $290 and the 67 days held so far."""
    history = History()
    voo = history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 3))
    history.sell(voo, "10", "800.00", date(2023, 3, 1))
    ivv = history.buy(ME, "IVV", "10", "790.00", date(2023, 3, 10))
    second_sale = history.sell(ivv, "10", "700.00", date(2023, 3, 20))
    spy = history.buy(ME, "SPY", "10", "705.00", date(2023, 4, 1))

    result = history.replay()

    first, second = result.washes
    assert (first.disallowed, first.holding_days) == (D("200.00"), 57)
    assert disposal_of(result, second_sale.disposal_id).tax_gain == D("-290.00")
    assert disposal_of(result, second_sale.disposal_id).holding_start == date(2023, 1, 12)
    assert (second.loss_disposal_id, second.disallowed) == (second_sale.disposal_id, D("290.00"))
    assert second.holding_days == 67
    replacement = lot_of(result, spy.lot_id)
    assert replacement.tax_cost == D("995.00")
    assert replacement.holding_start == date(2023, 1, 24)


def test_the_carried_holding_period_can_make_a_later_sale_long_term() -> None:
    """IRC 1223(3) and Pub. 550, Wash Sales: the holding period of the replacement includes
    that of the shares sold. 302 days carried over plus 64 held make a sale on 2023-01-18 long
    term (more than one year from 2022-01-17), while one on 2023-01-17 is not."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    history.sell(old, "10", "900.00", date(2022, 11, 1))
    new = history.buy(ME, "VOO", "10", "880.00", date(2022, 11, 15))

    result = history.replay()

    replacement = lot_of(result, new.lot_id)
    assert replacement.holding_start == date(2022, 1, 17)
    book = Book("me", lots=(replacement,))
    for session, long_term in ((date(2023, 1, 17), False), (date(2023, 1, 18), True)):
        fill = Fill(
            "fill", "ord", "me", "VOO", Side.SELL, D("10"), D("95"), D("0"), session, D("95")
        )
        (disposal,) = book.apply_fill(fill, SequentialIds()).disposals
        assert disposal.long_term is long_term
        assert disposal.basis_adjustment == D("100.00")


def test_selling_the_very_shares_just_bought_is_not_a_wash_sale() -> None:
    """IRC 1091(a) requires a replacement: selling all of a lot bought 11 days earlier at a
    loss, with nothing else bought, washes nothing (the purchase is the sale's own lot)."""
    history = History()
    lot = history.buy(ME, "VOO", "200", "10000.00", date(2023, 6, 1))
    history.sell(lot, "200", "8000.00", date(2023, 6, 12))

    assert history.replay().washes == ()


def test_selling_part_of_a_lot_bought_inside_the_window_is_not_washed_by_its_rest() -> None:
    """Rev. Rul. 56-602: a loss on shares that are part of a lot bought less than 30 days
    before the sale is not disallowed because of the rest of that lot: it is a bona fide
    reduction of the holding, not a repurchase."""
    history = History()
    lot = history.buy(ME, "VOO", "200", "10000.00", date(2023, 6, 1))
    history.sell(lot, "100", "4000.00", date(2023, 6, 12))

    result = history.replay()

    assert result.washes == ()
    (rest,) = result.lots_by_account["me"]
    assert (rest.quantity, rest.basis_adjustment) == (D("100"), D("0"))


def test_the_rest_of_that_lot_still_replaces_another_lots_loss() -> None:
    """Rev. Rul. 56-602 excludes only the sale's own lot; for another lot's loss, the shares
    kept were acquired within 30 days before and are replacement shares (IRC 1091(a), Treas.
    Reg. 1.1091-1(d)). One fill sells an old lot at a $2,000 loss and half of a new one."""
    history = History()
    old = history.buy(ME, "VOO", "100", "6000.00", date(2022, 1, 3))
    new = history.buy(ME, "VOO", "200", "10000.00", date(2023, 6, 1))
    sold_old = history.sell(old, "100", "4000.00", date(2023, 6, 12), fill="F1")
    history.sell(new, "100", "4000.00", date(2023, 6, 12), fill="F1")

    result = history.replay()

    (wash,) = result.washes
    assert (wash.loss_disposal_id, wash.replacement_lot_id) == (sold_old.disposal_id, new.lot_id)
    assert (wash.shares, wash.disallowed) == (D("100"), D("2000.00"))
    assert lot_of(result, new.lot_id).tax_cost == D("7000.00")


def test_shares_sold_before_the_loss_sale_are_not_its_replacement() -> None:
    """IRC 1091(d) puts the disallowed loss into the basis of replacement shares the taxpayer
    holds; shares bought and sold again before the loss sale are a closed position. This
    project's reading (see the module docstring): they replace nothing."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    flip = history.buy(ME, "VOO", "10", "800.00", date(2023, 1, 2))
    history.sell(flip, "10", "850.00", date(2023, 1, 5))
    history.sell(old, "10", "790.00", date(2023, 1, 10))

    assert history.replay().washes == ()


def test_a_split_off_replacement_sold_at_a_loss_is_not_washed_by_the_rest_of_its_lot() -> None:
    """Rev. Rul. 56-602 with IRC 1091(d): 10 of 30 new shares replaced an earlier loss and were
    split off with the basis; selling those 10 at a loss is a sale of part of the lot bought
    on 5 March, so its other 20 shares are no replacement for it."""
    history = History()
    old = history.buy(ME, "VOO", "10", "1000.00", date(2022, 1, 3))
    history.sell(old, "10", "900.00", date(2023, 3, 1))
    new = history.buy(ME, "VOO", "30", "2700.00", date(2023, 3, 5))
    (wash,) = history.replay().washes
    part = lot_of(history.replay(), wash.replacement_lot_id)
    sale = history.sell(part, "10", "850.00", date(2023, 3, 15))

    result = history.replay()

    assert result.washes == (wash,)
    sold = disposal_of(result, sale.disposal_id)
    assert (sold.lot_id, sold.tax_gain) == (part.lot_id, D("-150.00"))
    rest = lot_of(result, new.lot_id)
    assert (rest.quantity, rest.basis_adjustment) == (D("20"), D("0"))
    assert result.window.purchases[-1].unmatched == D("20")  # still there for other losses


# -- the window and the planner's guard -------------------------------------------------------


def _purchase(lot_id: str, acquired: date, unmatched: str = "10", key: str = "k") -> Purchase:
    return Purchase(lot_id, "me", "VOO", key, acquired, D("10"), D(unmatched), False)


def _loss(disposal_id: str, sold: date, unmatched: str = "10", key: str = "k") -> LossSale:
    return LossSale(
        disposal_id, "me", "L0", "VOO", key, sold, date(2022, 1, 3), D("10"), D("50"), D(unmatched)
    )


def test_pruning_drops_only_what_can_no_longer_match() -> None:
    """IRC 1091(a): an event on or after 31 March can match only purchases and losses dated
    from 1 March (30 days before); fully matched records are used up (Treas. Reg.
    1.1091-1(e))."""
    window = WashSaleWindow(
        HOUSEHOLD,
        purchases=(
            _purchase("edge", date(2023, 3, 1)),
            _purchase("old", date(2023, 2, 28)),
            _purchase("used", date(2023, 3, 20), unmatched="0"),
        ),
        losses=(
            _loss("edge", date(2023, 3, 1)),
            _loss("old", date(2023, 2, 28)),
            _loss("used", date(2023, 3, 20), unmatched="0"),
        ),
    )

    pruned = window.pruned(date(2023, 3, 31))

    assert [p.lot_id for p in pruned.purchases] == ["edge"]
    assert [loss.disposal_id for loss in pruned.losses] == ["edge"]


def test_blocking_losses_lists_what_a_purchase_on_or_after_the_trade_date_could_wash() -> None:
    """IRC 1091(a), for the planner: a purchase on any trade date >= earliest_trade washes
    losses sold from earliest_trade - 30 days on (same day included); a loss already fully
    washed (Treas. Reg. 1.1091-1(e)) or of another security blocks nothing."""
    t = date(2023, 6, 1)
    window = WashSaleWindow(
        HOUSEHOLD,
        losses=(
            _loss("30-before", t - timedelta(days=30)),
            _loss("31-before", t - timedelta(days=31)),
            _loss("same-day", t),
            _loss("washed", t - timedelta(days=3), unmatched="0"),
            _loss("other", t - timedelta(days=3), key="other"),
        ),
    )

    blocking = window.blocking_losses("k", t)

    assert [loss.disposal_id for loss in blocking] == ["30-before", "same-day"]


def test_blocking_purchases_lists_what_could_wash_a_loss_sale_on_or_after_the_trade_date() -> None:
    """IRC 1091(a), for the planner: purchases bought from earliest_trade - 30 days on could
    wash the sale, except one sold whole in this very sale (sold shares replace nothing) or
    whose own lot is all the sale sells (Rev. Rul. 56-602); selling part of a purchase, or it
    with another lot, still blocks."""
    t = date(2023, 6, 1)
    window = WashSaleWindow(
        HOUSEHOLD,
        purchases=(
            _purchase("P30", t - timedelta(days=30)),
            _purchase("P31", t - timedelta(days=31)),
            _purchase("Pused", t - timedelta(days=2), unmatched="0"),
            _purchase("Pother", t - timedelta(days=2), key="other"),
        ),
    )

    def blocking(selling: dict[str, str]) -> list[str]:
        found = window.blocking_purchases("k", t, {k: D(v) for k, v in selling.items()})
        return [p.lot_id for p in found]

    assert blocking({"L0": "5"}) == ["P30"]
    assert blocking({"P30": "10", "L0": "5"}) == []  # sold whole in this sale
    assert blocking({"P30": "4", "L0": "5"}) == ["P30"]  # its rest could replace L0's loss
    assert blocking({"P30": "4"}) == []  # only its own lot is sold
    assert blocking({part_lot_id("P30", "wash-1"): "4"}) == []  # a part split off it, too


def test_the_guard_is_conservative_for_any_later_trade_date() -> None:
    """IRC 1091(a), 30 days either side: orders planned after the close of 31 May trade on 1
    June at the earliest; whatever the fill date, a purchase washes only losses that
    blocking_losses listed, and a loss sale is washed only by purchases blocking_purchases
    listed."""
    ids = SequentialIds()
    earliest = date(2023, 6, 1)
    losses = WashSaleWindow(HOUSEHOLD)  # the household's recent loss sales ...
    purchases = WashSaleWindow(HOUSEHOLD)  # ... and, separately, its recent purchases
    for n, day in enumerate((date(2023, 4, 25), date(2023, 5, 2), date(2023, 5, 30))):
        sold = Disposal(f"S{n}", "me", f"X{n}", f"F{n}", "VOO", D("1"), date(2022, 1, 3), day,
                        D("90.00"), D("100.00"))  # fmt: skip
        losses, _ = losses.record_disposals([sold], ME, IDENTITY, ids)
        bought = Lot(f"B{n}", "spouse", "IVV", D("1"), D("95.00"), day)
        purchases, _ = purchases.record_purchase(bought, SPOUSE, IDENTITY, ids)
    key = IDENTITY.key("VOO")
    listed_losses = {loss.disposal_id for loss in losses.blocking_losses(key, earliest)}
    listed_buys = {p.lot_id for p in purchases.blocking_purchases(key, earliest, {})}

    for offset in range(45):
        day = earliest + timedelta(days=offset)
        probe = Lot("probe", "me", "SPY", D("100"), D("1.00"), day)
        _, washes = losses.record_purchase(probe, ME, IDENTITY, ids)
        assert {w.loss_disposal_id for w in washes} <= listed_losses
        if day <= date(2023, 6, 29):  # 30 days after the latest loss: the guard was needed
            assert "S2" in {w.loss_disposal_id for w in washes}
        loss = Disposal("probe", "me", "Y", "FY", "SPY", D("100"), date(2022, 1, 3), day,
                        D("1.00"), D("100.00"))  # fmt: skip
        _, washes = purchases.record_disposals([loss], ME, IDENTITY, ids)
        assert {w.replacement_lot_id for w in washes} <= listed_buys
    assert listed_losses == {"S1", "S2"}
    assert listed_buys == {"B1", "B2"}


# -- applying washes to a book's lots ---------------------------------------------------------


def _wash(wash_id: str, lot_id: str, shares: str, basis: str, days: int, account: str = "me"):
    return WashSale(
        wash_id=wash_id,
        household_id=HOUSEHOLD,
        loss_disposal_id="S0",
        loss_account_id="me",
        ticker_sold="VOO",
        sold=date(2023, 3, 1),
        replacement_lot_id=lot_id,
        replacement_account_id=account,
        ticker_bought="VOO",
        bought=date(2023, 3, 5),
        shares=D(shares),
        disallowed=D(basis),
        permanent=False,
        basis_added=D(basis),
        holding_days=days,
    )


def test_apply_to_lots_splits_parts_first_whatever_the_order_of_the_washes() -> None:
    """IRC 1091(d) and IRC 1223(3), one replacement lot for two losses with different holding
    periods: 30 shares bought on 5 March replace 10 shares of one loss (a part is split off)
    and 20 of another (the rest takes it whole). Cost $1,000.01 is conserved to the cent."""
    lot = Lot("B", "me", "VOO", D("30"), D("1000.01"), date(2023, 3, 5))
    part = _wash("w1", part_lot_id("B", "w1"), "10", "100.00", 40)
    rest = _wash("w2", "B", "20", "50.01", 400)
    other_account = _wash("w3", "B", "20", "9.99", 1, account="spouse")

    forward = apply_to_lots([lot], [part, rest, other_account], SequentialIds())
    backward = apply_to_lots([lot], [other_account, rest, part], SequentialIds())

    assert forward == backward
    first, second = forward
    assert (first.lot_id, first.quantity, first.cost, first.basis_adjustment) == (
        "B.w1",
        D("10"),
        D("333.34"),
        D("100.00"),
    )
    assert first.holding_start == date(2023, 3, 5) - timedelta(days=40)
    assert (second.lot_id, second.quantity, second.cost, second.basis_adjustment) == (
        "B",
        D("20"),
        D("666.67"),
        D("50.01"),
    )
    assert second.holding_start == date(2023, 3, 5) - timedelta(days=400)


def test_apply_to_lots_ignores_permanent_washes_and_other_lots() -> None:
    """Rev. Rul. 2008-5: an IRA replacement's basis is not increased, so a permanent wash
    changes no lot; lots no wash names are returned as they were."""
    lot = Lot("B", "ira", "VOO", D("10"), D("900.00"), date(2023, 3, 5))
    bystander = Lot("C", "ira", "VTI", D("1"), D("200.00"), date(2023, 1, 5))
    permanent = WashSale(
        "w1", HOUSEHOLD, "S0", "me", "VOO", date(2023, 3, 1), "B", "ira", "VOO",
        date(2023, 3, 5), D("10"), D("100.00"), True, D("0"), 0,
    )  # fmt: skip

    assert apply_to_lots([lot, bystander], [permanent], SequentialIds()) == (lot, bystander)


def test_apply_to_lots_keeps_the_whole_adjustment_when_shares_were_already_sold() -> None:
    """IRC 1091(d), when a replacement lot lost shares before the wash was applied (which the
    engine avoids): the shares still held take the whole disallowed loss, none is dropped; a
    part whose source holds too few shares becomes the whole source."""
    whole = Lot("B", "me", "VOO", D("6"), D("600.00"), date(2023, 3, 5))
    source = Lot("C", "me", "VOO", D("3"), D("300.00"), date(2023, 3, 5))
    washes = [
        _wash("w1", "B", "10", "80.00", 9),
        _wash("w2", part_lot_id("C", "w2"), "5", "7.00", 9),
    ]

    b, c = apply_to_lots([whole, source], washes, SequentialIds())

    assert (b.lot_id, b.quantity, b.basis_adjustment) == ("B", D("6"), D("80.00"))
    assert (c.lot_id, c.quantity, c.basis_adjustment) == ("C.w2", D("3"), D("7.00"))


# -- bad input ------------------------------------------------------------------------------


def test_events_out_of_date_order_are_refused() -> None:
    """Treas. Reg. 1.1091-1(b) orders losses by disposition: a history must be in date order."""
    history = History()
    history.buy(ME, "VOO", "10", "1000.00", date(2023, 2, 1))
    history.buy(ME, "VOO", "10", "1000.00", date(2023, 1, 1))

    with pytest.raises(InvariantError, match="date order"):
        history.replay()


def test_an_account_of_another_household_is_refused() -> None:
    """IRC 1091 applies per taxpayer: the household's window takes only its own accounts."""
    stranger = Account("x", "other", "taxable")
    lot = Lot("B", "x", "VOO", D("1"), D("1.00"), date(2023, 1, 1))

    with pytest.raises(InvariantError, match="household"):
        WashSaleWindow(HOUSEHOLD).record_purchase(lot, stranger, IDENTITY, SequentialIds())


def test_adjudicate_returns_the_washes_and_the_lots_by_account() -> None:
    """IRC 1091(a)/(d) after the fact: auditing a history gives its wash sales and the lots it
    ends with, the replacement carrying the disallowed loss (Pub. 550 example numbers)."""
    history = History()
    old = history.buy(ME, "VOO", "100", "1000.00", date(2023, 1, 3))
    history.sell(old, "100", "750.00", date(2023, 3, 1))
    new = history.buy(SPOUSE, "VOO", "100", "800.00", date(2023, 3, 20))

    washes, lots = adjudicate(history.events, ACCOUNTS, IDENTITY, SequentialIds())

    assert [w.disallowed for w in washes] == [D("250.00")]
    assert lots["me"] == ()
    assert [lot.tax_cost for lot in lots["spouse"]] == [D("1050.00")]
    assert lots["spouse"][0].lot_id == new.lot_id
