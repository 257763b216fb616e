"""Every domain type goes into the store and comes back equal, Decimals exact."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_factories import ACCOUNT, ASSETS, DAY, HOUSEHOLD, OTHER_ACCOUNT, Make

from microfolio.domain import (
    Account,
    AccountType,
    Household,
    Order,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
    Withdrawal,
)
from microfolio.errors import InvariantError, NotFoundError, StoreError
from microfolio.store import Store


def test_assets_round_trip_and_adding_again_updates_them(store: Store) -> None:
    # Arrange
    renamed = replace(ASSETS[0], asset_class="us_total_market", tracks="CRSP US Total Market v2")
    # Act
    with store.unit_of_work() as uow:
        uow.add_assets(ASSETS)
    with store.unit_of_work() as uow:
        uow.add_assets([renamed])
        stored = uow.assets()
    # Assert
    expected = sorted([renamed, *ASSETS[1:]], key=lambda asset: asset.ticker)
    assert stored == tuple(expected)


def test_households_and_accounts_of_every_type_round_trip(store: Store) -> None:
    # Arrange
    households = (Household("hh-a", "Ada"), Household("hh-b", "Ben"))
    accounts = (
        Account("acc-1", "hh-a", "Taxable", AccountType.TAXABLE),
        Account("acc-2", "hh-a", "Traditional", AccountType.TRADITIONAL_IRA, fractional=False),
        Account("acc-3", "hh-b", "Roth", AccountType.ROTH_IRA, risk_level=7),
    )
    # Act
    with store.unit_of_work() as uow:
        for household in households:
            uow.add_household(household)
        for account in accounts:
            uow.add_account(account)
    with store.unit_of_work() as uow:
        stored_households = uow.households()
        every_account = uow.accounts()
        of_ada = uow.accounts("hh-a")
        one = uow.account("acc-2")
    # Assert
    assert stored_households == households
    assert every_account == accounts
    assert of_ada == accounts[:2]
    assert one == accounts[1]


def test_a_risk_level_is_set_changed_and_cleared(seeded: Store) -> None:
    # Arrange
    with seeded.unit_of_work() as uow:
        before = uow.account(ACCOUNT)
        # Act
        set_to_4 = uow.set_risk_level(ACCOUNT, 4)
    with seeded.unit_of_work() as uow:
        stored_4 = uow.account(ACCOUNT)
        uow.set_risk_level(ACCOUNT, 10)
        stored_10 = uow.account(ACCOUNT)
        uow.set_risk_level(ACCOUNT, None)
        cleared = uow.account(ACCOUNT)
        other = uow.account(OTHER_ACCOUNT)
    # Assert
    assert before.risk_level is None
    assert set_to_4 == stored_4 == replace(before, risk_level=4)
    assert stored_10.risk_level == 10
    assert cleared == before
    assert other.risk_level is None


def test_a_risk_level_out_of_range_or_of_an_unknown_account_is_refused(seeded: Store) -> None:
    with seeded.unit_of_work() as uow:
        with pytest.raises(NotFoundError, match="account nope not found"):
            uow.set_risk_level("nope", 3)
        with pytest.raises(InvariantError, match=r"risk_level .* 0\.\.10 .* got 11"):
            uow.set_risk_level(ACCOUNT, 11)
        with pytest.raises(InvariantError, match="got -1"):
            uow.set_risk_level(ACCOUNT, -1)
        level = uow.account(ACCOUNT).risk_level
    assert level is None


def test_new_account_starts_with_zero_cash(seeded: Store) -> None:
    with seeded.unit_of_work() as uow:
        cash = uow.cash(ACCOUNT)
    assert cash == Decimal("0")


def test_missing_account_raises_not_found(seeded: Store) -> None:
    with seeded.unit_of_work() as uow:
        with pytest.raises(NotFoundError, match="account nope not found"):
            uow.account("nope")
        with pytest.raises(NotFoundError, match="account nope not found"):
            uow.cash("nope")
        with pytest.raises(NotFoundError, match="account nope not found"):
            uow.set_cash("nope", Decimal("1.00"))


def test_account_of_unknown_household_is_refused(store: Store) -> None:
    with store.unit_of_work() as uow, pytest.raises(NotFoundError, match="household hh-x"):
        uow.add_account(Account("acc-x", "hh-x", "Orphan"))


def test_adding_an_account_twice_is_refused(seeded: Store) -> None:
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="already exists"):
        uow.add_account(Account(ACCOUNT, HOUSEHOLD, "Again"))


def test_cents_added_in_python_stay_exact_in_the_store(seeded: Store) -> None:
    # Arrange: 0.1 + 0.2 style sums are exactly where floats go wrong
    amount = Decimal("0.01") + Decimal("0.02")
    # Act
    with seeded.unit_of_work() as uow:
        uow.set_cash(ACCOUNT, amount)
    for _ in range(7):
        with seeded.unit_of_work() as uow:
            uow.set_cash(ACCOUNT, uow.cash(ACCOUNT) + Decimal("0.01"))
    with seeded.unit_of_work() as uow:
        cash = uow.cash(ACCOUNT)
    # Assert
    assert cash == Decimal("0.10")
    assert str(cash) == "0.10"


@pytest.mark.parametrize(
    "amount",
    ["12345678901234567.89", "-12345678901234567.89", "90000000000000000.01", "0.00"],
)
def test_large_money_values_round_trip_exactly(seeded: Store, amount: str) -> None:
    with seeded.unit_of_work() as uow:
        uow.set_cash(ACCOUNT, Decimal(amount))
    with seeded.unit_of_work() as uow:
        cash = uow.cash(ACCOUNT)
    assert cash == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.001", "more than 2 decimal places"),
        ("100000000000000000.00", "too large"),
        ("NaN", "finite"),
    ],
)
def test_money_the_columns_cannot_hold_is_refused_not_rounded(
    seeded: Store, amount: str, message: str
) -> None:
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match=message):
        uow.set_cash(ACCOUNT, Decimal(amount))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cents=st.integers(min_value=-(10**17), max_value=10**17),
    micro_shares=st.integers(min_value=1, max_value=10**15),
)
def test_any_money_and_quantity_round_trips_exactly(
    seeded: Store, cents: int, micro_shares: int
) -> None:
    # Arrange
    amount = Decimal(cents).scaleb(-2)
    shares = Decimal(micro_shares).scaleb(-6)
    lot = Make().lot(quantity=str(shares), cost="1.00")
    # Act
    with seeded.unit_of_work() as uow:
        uow.set_cash(ACCOUNT, amount)
        uow.replace_lots(ACCOUNT, [lot])
    with seeded.unit_of_work() as uow:
        cash, lots = uow.cash(ACCOUNT), uow.lots(ACCOUNT)
    # Assert
    assert cash == amount
    assert lots == (lot,)


def test_a_millionth_of_a_share_round_trips(seeded: Store, make: Make) -> None:
    lot = make.lot(quantity="0.123456", cost="30.87")
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [lot])
    with seeded.unit_of_work() as uow:
        (stored,) = uow.lots(ACCOUNT)
    assert stored == lot
    assert stored.quantity == Decimal("0.123456")


def test_quantity_finer_than_a_millionth_is_refused(seeded: Store, make: Make) -> None:
    lot = make.lot(quantity="0.1234567")
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match=r"lot .*: quantity"):
        uow.replace_lots(ACCOUNT, [lot])


def test_lots_come_back_oldest_first_then_in_insertion_order(seeded: Store, make: Make) -> None:
    # Arrange
    late = make.lot(acquired=date(2024, 5, 1), lot_id="lot-a")
    early_first = make.lot(acquired=date(2023, 1, 3), lot_id="lot-z")
    early_second = make.lot(acquired=date(2023, 1, 3), lot_id="lot-b")
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [late, early_first, early_second])
    with seeded.unit_of_work() as uow:
        lots = uow.lots(ACCOUNT)
    # Assert
    assert lots == (early_first, early_second, late)


def test_orders_by_quantity_and_by_notional_round_trip(seeded: Store, make: Make) -> None:
    # Arrange
    ticket = make.ticket()
    by_notional = Order(
        order_id="ord-buy",
        account_id=ACCOUNT,
        ticker="VTI",
        side=Side.BUY,
        created=DAY,
        notional=Decimal("500.00"),
        ticket_id=ticket.ticket_id,
    )
    by_quantity = make.order()
    # Act
    with seeded.unit_of_work() as uow:
        uow.add_tickets([ticket])
        uow.save_order(by_notional)
        uow.save_order(by_quantity)
    with seeded.unit_of_work() as uow:
        orders = uow.orders(ACCOUNT)
    # Assert
    assert orders == (by_notional, by_quantity)


def test_fills_round_trip_with_prices_to_a_hundredth_of_a_cent(seeded: Store, make: Make) -> None:
    order = make.order()
    fills = [make.fill(order, quantity="1"), make.fill(order, quantity="0.5")]
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
        uow.add_fills(fills)
    with seeded.unit_of_work() as uow:
        stored = uow.fills(ACCOUNT)
    assert stored == tuple(fills)
    assert stored[0].price == Decimal("251.1234")
    assert stored[0].cash_delta == fills[0].cash_delta


def test_disposals_round_trip_with_their_gain(seeded: Store, make: Make) -> None:
    lot = make.lot(acquired=date(2022, 2, 28))
    order = make.order()
    fill = make.fill(order)
    disposal = make.disposal(fill, lot)
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
        uow.add_fills([fill])
        uow.add_disposals([disposal])
    with seeded.unit_of_work() as uow:
        (stored,) = uow.disposals(ACCOUNT)
    assert stored == disposal
    assert stored.gain == Decimal("76.69")
    assert stored.long_term


def test_tickets_round_trip_with_their_reasons_and_figures(seeded: Store, make: Make) -> None:
    # Arrange
    plain = make.ticket()
    odd_figures = TradeTicket(
        ticket_id="tkt-odd",
        account_id=ACCOUNT,
        session=DAY,
        ticker="VEA",
        side=Side.SELL,
        reasons=(
            Reason(
                ReasonKind.HARVEST,
                "loss of $1,234.56 \u2014 harvest",
                (("loss", -1234.56), ("tiny", 1e-300), ("nan", math.nan), ("inf", math.inf)),
            ),
        ),
        quantity=Decimal("3.000001"),
    )
    # Act
    with seeded.unit_of_work() as uow:
        uow.add_tickets([plain, odd_figures])
    with seeded.unit_of_work() as uow:
        stored_plain, stored_odd = uow.tickets(ACCOUNT)
    # Assert
    assert stored_plain == plain
    assert stored_odd.quantity == Decimal("3.000001")
    figures = dict(stored_odd.reasons[0].figures)
    assert stored_odd.reasons[0].detail == "loss of $1,234.56 \u2014 harvest"
    assert figures["loss"] == -1234.56
    assert figures["tiny"] == 1e-300
    assert math.isnan(figures["nan"])
    assert figures["inf"] == math.inf


def test_journal_entries_round_trip_with_postings_in_order(seeded: Store, make: Make) -> None:
    entries = [make.deposit("1000.00"), make.deposit("0.01", session=date(2024, 3, 4))]
    with seeded.unit_of_work() as uow:
        uow.add_journal_entries(entries)
    with seeded.unit_of_work() as uow:
        stored = uow.journal_entries(ACCOUNT)
        other = uow.journal_entries(OTHER_ACCOUNT)
    assert stored == tuple(entries)
    assert other == ()


def test_audit_events_round_trip_for_one_account_and_all(seeded: Store, make: Make) -> None:
    mine = make.audit("rebalance planned")
    theirs = make.audit("onboarded", account_id=OTHER_ACCOUNT)
    global_event = make.audit("prices loaded", account_id=None)
    unknown_account = make.audit("refused", account_id="acc-never-stored")
    with seeded.unit_of_work() as uow:
        uow.add_audit_events([mine, theirs, global_event, unknown_account])
    with seeded.unit_of_work() as uow:
        everything = uow.audit_events()
        only_mine = uow.audit_events(ACCOUNT)
    assert everything == (mine, theirs, global_event, unknown_account)
    assert only_mine == (mine,)


def test_valuations_round_trip_and_a_session_is_recorded_once(seeded: Store) -> None:
    with seeded.unit_of_work() as uow:
        uow.add_valuation(ACCOUNT, date(2024, 3, 4), Decimal("10.00"), Decimal("990.00"))
        uow.add_valuation(ACCOUNT, DAY, Decimal("1000.00"), Decimal("0.00"))
    with seeded.unit_of_work() as uow:
        uow.add_valuation(ACCOUNT, date(2024, 3, 4), Decimal("10.00"), Decimal("995.55"))
        valuations = uow.valuations(ACCOUNT)
    assert valuations == [
        (DAY, Decimal("1000.00"), Decimal("0.00")),
        (date(2024, 3, 4), Decimal("10.00"), Decimal("995.55")),
    ]


def test_records_may_be_added_before_those_they_reference_within_one_unit_of_work(
    seeded: Store, make: Make
) -> None:
    # Arrange
    ticket = make.ticket()
    order = make.order(ticket_id=ticket.ticket_id)
    fill = make.fill(order)
    disposal = make.disposal(fill, make.lot())
    # Act: children first, parents last; references are checked at commit
    with seeded.unit_of_work() as uow:
        uow.add_disposals([disposal])
        uow.add_fills([fill])
        uow.save_order(order)
        uow.add_tickets([ticket])
    # Assert
    with seeded.unit_of_work() as uow:
        assert uow.disposals(ACCOUNT) == (disposal,)
        assert uow.orders(ACCOUNT) == (order,)


def test_a_fill_of_an_unknown_order_fails_at_commit_and_writes_nothing(
    seeded: Store, make: Make
) -> None:
    # Arrange
    orphan = make.fill(make.order())

    def write() -> None:
        with seeded.unit_of_work() as uow:
            uow.set_cash(ACCOUNT, Decimal("5.00"))
            uow.add_fills([orphan])

    # Act / Assert
    with pytest.raises(StoreError, match=r"commit.*(FOREIGN KEY|foreign key)"):
        write()
    with seeded.unit_of_work() as uow:
        assert uow.fills(ACCOUNT) == ()
        assert uow.cash(ACCOUNT) == Decimal("0")


def test_a_lot_of_an_unknown_account_is_refused(seeded: Store, make: Make) -> None:
    lot = make.lot(account_id="acc-never-stored")
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="replace the lots"):
        uow.replace_lots("acc-never-stored", [lot])


def test_a_ticker_outside_the_asset_catalogue_may_be_held(seeded: Store, make: Make) -> None:
    lot = make.lot(ticker="GLD")
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [lot])
    with seeded.unit_of_work() as uow:
        assert uow.lots(ACCOUNT) == (lot,)


def test_withdrawals_round_trip_and_only_the_unpaid_are_pending_oldest_first(
    seeded: Store,
) -> None:
    # Arrange: stored out of date order, one already paid, one in another account
    later = Withdrawal("wd-b", ACCOUNT, date(2024, 3, 8), Decimal("0.01"))
    paid = Withdrawal("wd-c", ACCOUNT, DAY, Decimal("250.00"), paid=date(2024, 3, 4))
    oldest = Withdrawal("wd-z", ACCOUNT, DAY, Decimal("12345678901234567.89"))
    same_day = Withdrawal("wd-a", ACCOUNT, DAY, Decimal("1.10"))
    theirs = Withdrawal("wd-d", OTHER_ACCOUNT, DAY, Decimal("5.00"))
    # Act
    with seeded.unit_of_work() as uow:
        for withdrawal in (later, paid, oldest, same_day, theirs):
            uow.add_withdrawal(withdrawal)
    with seeded.unit_of_work() as uow:
        every = uow.withdrawals(ACCOUNT)
        pending = uow.pending_withdrawals(ACCOUNT)
        other = uow.pending_withdrawals(OTHER_ACCOUNT)
    # Assert: by request date, then the order stored; amounts exact
    assert every == (paid, oldest, same_day, later)
    assert pending == (oldest, same_day, later)
    assert pending[0].amount == Decimal("12345678901234567.89")
    assert other == (theirs,)


def test_a_withdrawal_marked_paid_is_no_longer_pending(seeded: Store) -> None:
    # Arrange
    first = Withdrawal("wd-1", ACCOUNT, DAY, Decimal("100.00"))
    second = Withdrawal("wd-2", ACCOUNT, DAY, Decimal("200.00"))
    with seeded.unit_of_work() as uow:
        uow.add_withdrawal(first)
        uow.add_withdrawal(second)
    # Act
    with seeded.unit_of_work() as uow:
        returned = uow.mark_withdrawal_paid("wd-2", date(2024, 3, 5))
    with seeded.unit_of_work() as uow:
        pending = uow.pending_withdrawals(ACCOUNT)
        every = uow.withdrawals(ACCOUNT)
    # Assert
    assert returned == replace(second, paid=date(2024, 3, 5))
    assert pending == (first,)
    assert every == (first, returned)


def test_paying_an_unknown_or_paid_withdrawal_or_before_its_request_is_refused(
    seeded: Store,
) -> None:
    # Arrange
    with seeded.unit_of_work() as uow:
        uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, DAY, Decimal("1.00"), paid=DAY))
        uow.add_withdrawal(Withdrawal("wd-2", ACCOUNT, DAY, Decimal("2.00")))
    # Act / Assert
    with seeded.unit_of_work() as uow:
        with pytest.raises(NotFoundError, match="withdrawal wd-nope not found"):
            uow.mark_withdrawal_paid("wd-nope", DAY)
        with pytest.raises(StoreError, match=f"withdrawal wd-1 was already paid on {DAY}"):
            uow.mark_withdrawal_paid("wd-1", date(2024, 3, 4))
        with pytest.raises(InvariantError, match="before it was requested"):
            uow.mark_withdrawal_paid("wd-2", date(2024, 2, 29))
    with seeded.unit_of_work() as uow:
        every = uow.withdrawals(ACCOUNT)
    assert [(w.withdrawal_id, w.paid) for w in every] == [("wd-1", DAY), ("wd-2", None)]


def test_a_withdrawal_of_an_unknown_account_or_with_a_stored_id_is_refused(
    seeded: Store,
) -> None:
    with seeded.unit_of_work() as uow:
        uow.add_withdrawal(Withdrawal("wd-1", ACCOUNT, DAY, Decimal("1.00")))
        with pytest.raises(NotFoundError, match="account acc-nope of withdrawal wd-2 not found"):
            uow.add_withdrawal(Withdrawal("wd-2", "acc-nope", DAY, Decimal("1.00")))
        with pytest.raises(StoreError, match="withdrawal wd-1 already exists"):
            uow.add_withdrawal(Withdrawal("wd-1", OTHER_ACCOUNT, DAY, Decimal("9.00")))
        every = uow.withdrawals(ACCOUNT)
        others = uow.withdrawals(OTHER_ACCOUNT)
    assert every == (Withdrawal("wd-1", ACCOUNT, DAY, Decimal("1.00")),)
    assert others == ()
