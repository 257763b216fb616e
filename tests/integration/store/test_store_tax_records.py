"""The tax overlay (lot and disposal adjustments, lot methods, limit prices, named lots) and the
wash-sale records go into the store and come back equal, Decimals exact, on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

import pytest
from store_factories import ACCOUNT, DAY, HOUSEHOLD, OTHER_ACCOUNT, Make

from microfolio.domain import Account, AccountType, Household, LotMethod, Order, Side
from microfolio.errors import NotFoundError, StoreError
from microfolio.store import Store

OTHER_HOUSEHOLD = "hh-2"
THEIR_ACCOUNT = "acc-theirs"


def _add_other_household(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.add_household(Household(OTHER_HOUSEHOLD, "Cy"))
        uow.add_account(Account(THEIR_ACCOUNT, OTHER_HOUSEHOLD, "Cy taxable"))


# -- lots and disposals ------------------------------------------------------------------------


def test_lots_round_trip_with_their_basis_adjustment_and_holding_start(
    seeded: Store, make: Make
) -> None:
    # Arrange
    plain = make.lot(acquired=date(2023, 1, 3))
    washed = make.lot(
        acquired=date(2024, 2, 1),
        basis_adjustment="12345678901234567.89",
        holding_start=date(2023, 10, 19),
    )
    cents = make.lot(acquired=date(2024, 2, 2), basis_adjustment="0.01")
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [plain, washed, cents])
    with seeded.unit_of_work() as uow:
        lots = uow.lots(ACCOUNT)
    # Assert
    assert lots == (plain, washed, cents)
    assert lots[0].basis_adjustment == Decimal("0")
    assert lots[0].holding_start is None
    assert str(lots[1].basis_adjustment) == "12345678901234567.89"
    assert lots[1].tax_acquired == date(2023, 10, 19)
    assert str(lots[2].basis_adjustment) == "0.01"


def test_replacing_lots_stores_a_change_of_the_tax_overlay_alone(seeded: Store, make: Make) -> None:
    # Arrange
    lot = make.lot(acquired=date(2024, 1, 2))
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [lot])
    washed = replace(lot, basis_adjustment=Decimal("68.58"), holding_start=date(2023, 5, 2))
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_lots(ACCOUNT, [washed])
    with seeded.unit_of_work() as uow:
        after_wash = uow.lots(ACCOUNT)
        uow.replace_lots(ACCOUNT, [lot])
    with seeded.unit_of_work() as uow:
        after_undo = uow.lots(ACCOUNT)
    # Assert
    assert after_wash == (washed,)
    assert after_undo == (lot,)


def test_a_basis_adjustment_in_fractions_of_a_cent_is_refused(seeded: Store, make: Make) -> None:
    lot = make.lot()
    object.__setattr__(lot, "basis_adjustment", Decimal("0.005"))  # past the domain's check
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=r"lot .*: basis_adjustment 0.005 has more than 2"),
    ):
        uow.replace_lots(ACCOUNT, [lot])


def test_disposals_round_trip_with_their_basis_adjustment_and_tax_acquired(
    seeded: Store, make: Make
) -> None:
    # Arrange
    order = make.order()
    fill = make.fill(order)
    plain = make.disposal(fill, make.lot(acquired=date(2023, 3, 1)))
    washed = replace(
        make.disposal(fill, make.lot(acquired=date(2024, 1, 5))),
        basis_adjustment=Decimal("76.70"),
        tax_acquired=date(2022, 12, 30),
    )
    # Act
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
        uow.add_fills([fill])
        uow.add_disposals([plain, washed])
    with seeded.unit_of_work() as uow:
        stored = uow.disposals(ACCOUNT)
    # Assert
    assert stored == (plain, washed)
    assert stored[0].basis_adjustment == Decimal("0")
    assert stored[0].tax_acquired is None
    assert stored[1].tax_gain == Decimal("-0.01")
    assert stored[1].long_term
    assert not plain.long_term


def test_the_disposals_of_a_household_cover_its_accounts_only(seeded: Store, make: Make) -> None:
    # Arrange
    _add_other_household(seeded)
    orders = [make.order(account_id=account) for account in (ACCOUNT, OTHER_ACCOUNT, THEIR_ACCOUNT)]
    fills = [make.fill(order) for order in orders]
    mine, roth, theirs = (make.disposal(fill, make.lot()) for fill in fills)
    late_mine = replace(make.disposal(fills[0], make.lot()), sold=date(2024, 3, 5))
    early_roth = replace(make.disposal(fills[1], make.lot()), sold=date(2024, 2, 28))
    with seeded.unit_of_work() as uow:
        for order in orders:
            uow.save_order(order)
        uow.add_fills(fills)
        uow.add_disposals([late_mine, mine, theirs, roth, early_roth])
    # Act
    with seeded.unit_of_work() as uow:
        of_household = uow.disposals_of_household(HOUSEHOLD)
        of_other = uow.disposals_of_household(OTHER_HOUSEHOLD)
        of_nobody = uow.disposals_of_household("hh-never-stored")
    # Assert: by sale date, then the order they were stored
    assert of_household == (early_roth, mine, roth, late_mine)
    assert of_other == (theirs,)
    assert of_nobody == ()


# -- lot methods -------------------------------------------------------------------------------


def test_accounts_round_trip_with_every_lot_method(store: Store) -> None:
    # Arrange
    accounts = tuple(
        Account(f"acc-{method.value}", HOUSEHOLD, method.value, lot_method=method)
        for method in LotMethod
    )
    default = Account("acc-default", HOUSEHOLD, "default", AccountType.ROTH_IRA)
    # Act
    with store.unit_of_work() as uow:
        uow.add_household(Household(HOUSEHOLD, "Ada"))
        for account in (*accounts, default):
            uow.add_account(account)
    with store.unit_of_work() as uow:
        stored = {account.account_id: account for account in uow.accounts(HOUSEHOLD)}
    # Assert
    assert [stored[account.account_id] for account in accounts] == list(accounts)
    assert [stored[account.account_id].lot_method for account in accounts] == list(LotMethod)
    assert stored["acc-default"].lot_method is LotMethod.FIFO


class _NotALotMethod(StrEnum):
    LIFO = "lifo"


def test_the_database_refuses_an_unknown_lot_method(seeded: Store) -> None:
    # Arrange: smuggle past the domain's own check to reach the CHECK constraint
    account = Account("acc-lifo", HOUSEHOLD, "LIFO")
    object.__setattr__(account, "lot_method", _NotALotMethod.LIFO)
    # Act / Assert
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=r"could not add an account: .*lot_method") as caught,
    ):
        uow.add_account(account)
    assert "\n" not in str(caught.value)
    with seeded.unit_of_work() as uow:
        assert [account.account_id for account in uow.accounts()] == [OTHER_ACCOUNT, ACCOUNT]


# -- limit prices and named lots ---------------------------------------------------------------


def test_orders_round_trip_with_limit_prices_and_named_lots(seeded: Store, make: Make) -> None:
    # Arrange
    market = make.order()
    limited = replace(
        make.order(), limit_price=Decimal("251.1234"), lot_ids=("lot-b", "lot-a", "lot-c")
    )
    one_lot = replace(make.order(), lot_ids=("lot-only",))
    buy_limit = Order(
        order_id="ord-buy",
        account_id=ACCOUNT,
        ticker="VTI",
        side=Side.BUY,
        created=DAY,
        notional=Decimal("500.00"),
        limit_price=Decimal("0.0001"),
    )
    # Act
    with seeded.unit_of_work() as uow:
        for order in (market, limited, one_lot, buy_limit):
            uow.save_order(order)
    with seeded.unit_of_work() as uow:
        stored = uow.orders(ACCOUNT)
    # Assert
    assert stored == (market, limited, one_lot, buy_limit)
    assert stored[0].limit_price is None
    assert stored[0].lot_ids == ()
    assert str(stored[1].limit_price) == "251.1234"
    assert stored[1].lot_ids == ("lot-b", "lot-a", "lot-c")
    assert stored[3].limit_price == Decimal("0.0001")


def test_a_status_update_keeps_the_limit_price_and_named_lots(seeded: Store, make: Make) -> None:
    order = replace(make.order(), limit_price=Decimal("99.99"), lot_ids=("lot-1", "lot-2"))
    with seeded.unit_of_work() as uow:
        uow.save_order(order)
    accepted = order.transition(order.status.ACCEPTED)
    with seeded.unit_of_work() as uow:
        uow.save_order(accepted)
    with seeded.unit_of_work() as uow:
        assert uow.orders(ACCOUNT) == (accepted,)


def test_a_limit_price_finer_than_a_hundredth_of_a_cent_is_refused(
    seeded: Store, make: Make
) -> None:
    order = replace(make.order(), limit_price=Decimal("251.12345"))
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=r"order .*: limit_price 251.12345 has more than 4"),
    ):
        uow.save_order(order)


def test_tickets_round_trip_with_limit_prices_and_named_lots(seeded: Store, make: Make) -> None:
    # Arrange
    plain = make.ticket()
    sell = replace(
        make.ticket(),
        side=Side.SELL,
        notional=None,
        quantity=Decimal("3.000001"),
        limit_price=Decimal("12345678901234.5678"),
        lot_ids=("lot-z", "lot-a"),
    )
    # Act
    with seeded.unit_of_work() as uow:
        uow.add_tickets([plain, sell])
    with seeded.unit_of_work() as uow:
        stored = uow.tickets(ACCOUNT)
    # Assert
    assert stored == (plain, sell)
    assert stored[0].limit_price is None
    assert stored[0].lot_ids == ()
    assert str(stored[1].limit_price) == "12345678901234.5678"
    assert stored[1].lot_ids == ("lot-z", "lot-a")


# -- the wash-sale window ----------------------------------------------------------------------


def test_a_wash_window_round_trips_in_date_then_id_order(seeded: Store, make: Make) -> None:
    # Arrange
    late = make.purchase(acquired=date(2024, 3, 4), lot_id="lot-a")
    same_day_b = make.purchase(
        acquired=DAY, lot_id="lot-b", quantity="0.000001", unmatched="0.000001"
    )
    same_day_a = make.purchase(
        account_id=OTHER_ACCOUNT,
        acquired=DAY,
        lot_id="lot-0",
        quantity="9223372036854.775807",
        unmatched="0",
        tax_advantaged=True,
    )
    loss_late = make.loss(sold=date(2024, 3, 2), disposal_id="dsp-a")
    loss_b = make.loss(disposal_id="dsp-b", loss="0.01", unmatched="0")
    loss_a = make.loss(
        disposal_id="dsp-a2", quantity="0.5", unmatched="0.25", loss="12345678901234567.89"
    )
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_wash_window(
            HOUSEHOLD, [late, same_day_b, same_day_a], [loss_late, loss_b, loss_a]
        )
    with seeded.unit_of_work() as uow:
        purchases, losses = uow.wash_window(HOUSEHOLD)
    # Assert
    assert purchases == (same_day_a, same_day_b, late)
    assert losses == (loss_a, loss_b, loss_late)
    assert str(purchases[0].quantity) == "9223372036854.775807"
    assert purchases[0].tax_advantaged is True
    assert purchases[1].tax_advantaged is False
    assert str(losses[0].loss) == "12345678901234567.89"
    assert losses[0].unmatched == Decimal("0.25")
    assert losses[0].holding_start == date(2023, 11, 20)


def test_replacing_a_wash_window_drops_what_is_not_given_again(seeded: Store, make: Make) -> None:
    # Arrange
    kept = make.purchase()
    dropped = make.purchase()
    loss = make.loss()
    with seeded.unit_of_work() as uow:
        uow.replace_wash_window(HOUSEHOLD, [kept, dropped], [loss])
    matched = replace(kept, unmatched=Decimal("5.5"))
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_wash_window(HOUSEHOLD, [matched], [])
    with seeded.unit_of_work() as uow:
        after = uow.wash_window(HOUSEHOLD)
        uow.replace_wash_window(HOUSEHOLD, [], [])
    with seeded.unit_of_work() as uow:
        emptied = uow.wash_window(HOUSEHOLD)
    # Assert
    assert after == ((matched,), ())
    assert emptied == ((), ())


def test_replacing_one_households_window_leaves_the_others_alone(seeded: Store, make: Make) -> None:
    # Arrange
    _add_other_household(seeded)
    theirs = (make.purchase(account_id=THEIR_ACCOUNT),), (make.loss(account_id=THEIR_ACCOUNT),)
    with seeded.unit_of_work() as uow:
        uow.replace_wash_window(OTHER_HOUSEHOLD, *theirs)
        uow.replace_wash_window(HOUSEHOLD, [make.purchase()], [make.loss()])
    # Act
    with seeded.unit_of_work() as uow:
        uow.replace_wash_window(HOUSEHOLD, [], [])
    # Assert
    with seeded.unit_of_work() as uow:
        assert uow.wash_window(OTHER_HOUSEHOLD) == theirs
        assert uow.wash_window(HOUSEHOLD) == ((), ())
        assert uow.wash_window("hh-never-stored") == ((), ())


def test_a_wash_window_of_an_unknown_household_is_refused(seeded: Store) -> None:
    with seeded.unit_of_work() as uow, pytest.raises(NotFoundError, match="household hh-x"):
        uow.replace_wash_window("hh-x", [], [])


def test_a_wash_window_entry_of_another_households_account_is_refused(
    seeded: Store, make: Make
) -> None:
    _add_other_household(seeded)
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=f"account {THEIR_ACCOUNT} is not an account of"),
    ):
        uow.replace_wash_window(HOUSEHOLD, [], [make.loss(account_id=THEIR_ACCOUNT)])
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=f"account {THEIR_ACCOUNT} is not an account of"),
    ):
        uow.replace_wash_window(HOUSEHOLD, [make.purchase(account_id=THEIR_ACCOUNT)], [])


def test_a_wash_window_entry_given_twice_is_refused(seeded: Store, make: Make) -> None:
    purchase = make.purchase()
    loss = make.loss()
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="given twice"):
        uow.replace_wash_window(HOUSEHOLD, [purchase, purchase], [])
    with seeded.unit_of_work() as uow, pytest.raises(StoreError, match="given twice"):
        uow.replace_wash_window(HOUSEHOLD, [], [loss, replace(loss, unmatched=Decimal(0))])


def test_a_wash_window_the_columns_cannot_hold_is_refused_not_rounded(
    seeded: Store, make: Make
) -> None:
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=r"wash-sale loss .*: loss 1.005 has more than 2"),
    ):
        uow.replace_wash_window(HOUSEHOLD, [], [make.loss(loss="1.005")])
    with (
        seeded.unit_of_work() as uow,
        pytest.raises(StoreError, match=r"wash-sale purchase .*: quantity 1.0000001 has more"),
    ):
        uow.replace_wash_window(HOUSEHOLD, [make.purchase(quantity="1.0000001", unmatched="1")], [])


# -- wash sales --------------------------------------------------------------------------------


def test_wash_sales_round_trip_by_sale_date_then_id(seeded: Store, make: Make) -> None:
    # Arrange
    _add_other_household(seeded)
    late = make.wash(sold=date(2024, 3, 5), wash_id="wash-a")
    first_b = make.wash(wash_id="wash-b", shares="0.000001", disallowed="0.01")
    first_a = make.wash(wash_id="wash-a2", permanent=True, disallowed="12345678901234567.89")
    theirs = make.wash(household_id=OTHER_HOUSEHOLD, sold=date(2024, 3, 2), disallowed="0")
    # Act
    with seeded.unit_of_work() as uow:
        uow.add_wash_sales([late, first_b])
        uow.add_wash_sales([theirs, first_a])
        uow.add_wash_sales([])
    with seeded.unit_of_work() as uow:
        everything = uow.wash_sales()
        ours = uow.wash_sales(HOUSEHOLD)
        none = uow.wash_sales("hh-never-stored")
    # Assert
    assert everything == (first_a, first_b, theirs, late)
    assert ours == (first_a, first_b, late)
    assert none == ()
    assert everything[0].permanent is True
    assert everything[0].basis_added == Decimal("0")
    assert str(everything[0].disallowed) == "12345678901234567.89"
    assert everything[1].permanent is False
    assert str(everything[1].shares) == "0.000001"
    assert everything[1].holding_days == 102


def test_a_wash_sale_recorded_twice_is_refused(seeded: Store, make: Make) -> None:
    wash = make.wash()
    with seeded.unit_of_work() as uow:
        uow.add_wash_sales([wash])

    def write_again() -> None:
        with seeded.unit_of_work() as uow:
            uow.add_wash_sales([wash])

    with pytest.raises(StoreError, match="could not add wash sales") as caught:
        write_again()
    assert "\n" not in str(caught.value)
    with seeded.unit_of_work() as uow:
        assert uow.wash_sales() == (wash,)


def test_a_wash_sale_of_an_unknown_household_is_refused(seeded: Store, make: Make) -> None:
    def write() -> None:
        with seeded.unit_of_work() as uow:
            uow.add_wash_sales([make.wash(household_id="hh-never-stored")])

    with pytest.raises(StoreError, match=r"(FOREIGN KEY|foreign key)"):
        write()
    with seeded.unit_of_work() as uow:
        assert uow.wash_sales() == ()
