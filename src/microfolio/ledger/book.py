"""The book: what one client account holds (cash and tax lots), and how it changes.

A :class:`Book` is frozen. Each change (deposit, withdrawal, fill) returns a :class:`BookUpdate`:
the new book plus the records the change created (its balanced journal entry, the lot a buy
opened, the disposals a sale made), so the caller stores them together or not at all.

Accounting choices: a buy's commission is part of the lot's cost basis and a sale's commission is
netted from its proceeds, as the IRS treats them (Publication 550), so the realised gain is the
taxable gain and no separate commission expense is posted. The journal keeps

- deposit:    Dr asset:cash / Cr equity:contributions
- withdrawal: Dr equity:contributions / Cr asset:cash
- buy:        Dr asset:securities:T (basis) / Cr asset:cash
- sell:       Dr asset:cash (net proceeds) / Cr asset:securities:T (basis released),
              the difference to income:realized_gain (a credit for a gain, a debit for a loss)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from microfolio.domain.disposal import Disposal
from microfolio.domain.fill import Fill
from microfolio.domain.ids import IdFactory
from microfolio.domain.journal import JournalEntry, LedgerAccount, Posting
from microfolio.domain.lot import Lot
from microfolio.domain.money import ZERO, money
from microfolio.domain.order import Side
from microfolio.errors import InsufficientHoldingsError, InvariantError
from microfolio.ledger.allocation import allocate
from microfolio.ledger.lot_selection import LotSelector, checked_picks, fifo

__all__ = ["Book", "BookUpdate"]


@dataclass(frozen=True, slots=True)
class BookUpdate:
    """A changed book and the records the change created."""

    book: Book
    entry: JournalEntry
    lot: Lot | None = None
    disposals: tuple[Disposal, ...] = ()


def _check_amount(what: str, amount: Decimal) -> None:
    if amount <= 0 or amount != money(amount):
        raise InvariantError(f"{what}: amount must be positive whole cents, got {amount}")


@dataclass(frozen=True, slots=True)
class Book:
    """Cash (whole cents, never negative) and the open tax lots of one account."""

    account_id: str
    cash: Decimal = ZERO
    lots: tuple[Lot, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lots", tuple(self.lots))
        if not self.account_id:
            raise InvariantError("book: account_id must be non-empty")
        if self.cash < 0 or self.cash != money(self.cash):
            raise InvariantError(
                f"book {self.account_id}: cash must be >= 0 whole cents, got {self.cash}"
            )
        for lot in self.lots:
            if lot.account_id != self.account_id:
                raise InvariantError(
                    f"book {self.account_id}: lot {lot.lot_id} belongs to {lot.account_id}"
                )
        if len({lot.lot_id for lot in self.lots}) != len(self.lots):
            raise InvariantError(f"book {self.account_id}: lot ids must be unique")

    # -- queries ----------------------------------------------------------------------------

    def lots_of(self, ticker: str) -> tuple[Lot, ...]:
        return tuple(lot for lot in self.lots if lot.ticker == ticker)

    def position(self, ticker: str) -> Decimal:
        """Shares of ``ticker`` held: the sum of its lots."""
        return sum((lot.quantity for lot in self.lots_of(ticker)), ZERO)

    def positions(self) -> dict[str, Decimal]:
        """Shares held by ticker (only tickers with lots)."""
        held: dict[str, Decimal] = {}
        for lot in self.lots:
            held[lot.ticker] = held.get(lot.ticker, ZERO) + lot.quantity
        return held

    def cost_basis(self, ticker: str) -> Decimal:
        """Total cost basis of ``ticker``'s lots."""
        return sum((lot.cost for lot in self.lots_of(ticker)), ZERO)

    def total_cost(self) -> Decimal:
        """Total cost basis of every lot: with cash, what the account holds at cost."""
        return sum((lot.cost for lot in self.lots), ZERO)

    # -- changes ----------------------------------------------------------------------------

    def deposit(self, amount: Decimal, session: date, ids: IdFactory) -> BookUpdate:
        """Cash contributed to the account."""
        _check_amount(f"deposit to {self.account_id}", amount)
        entry = self._entry(
            ids,
            session,
            f"deposit {amount}",
            (LedgerAccount.CASH, amount),
            (LedgerAccount.CONTRIBUTIONS, -amount),
        )
        return BookUpdate(replace(self, cash=self.cash + amount), entry)

    def withdraw(self, amount: Decimal, session: date, ids: IdFactory) -> BookUpdate:
        """Cash taken out of the account; more than its cash raises InsufficientHoldingsError."""
        _check_amount(f"withdrawal from {self.account_id}", amount)
        if amount > self.cash:
            raise InsufficientHoldingsError(
                f"withdrawal of {amount} from {self.account_id} exceeds its cash {self.cash}"
            )
        entry = self._entry(
            ids,
            session,
            f"withdrawal {amount}",
            (LedgerAccount.CONTRIBUTIONS, amount),
            (LedgerAccount.CASH, -amount),
        )
        return BookUpdate(replace(self, cash=self.cash - amount), entry)

    def apply_fill(self, fill: Fill, ids: IdFactory, selector: LotSelector = fifo) -> BookUpdate:
        """Book a fill: a buy opens a lot, a sale relieves lots (``selector``, FIFO by default).

        A sale of more than is held raises InsufficientHoldingsError; a fill that would make cash
        negative raises InvariantError. Either way the book is unchanged.
        """
        if fill.account_id != self.account_id:
            raise InvariantError(
                f"fill {fill.fill_id} is for account {fill.account_id}, not {self.account_id}"
            )
        if fill.side is Side.BUY:
            return self._buy(fill, ids)
        return self._sell(fill, ids, selector)

    # -- internals --------------------------------------------------------------------------

    def _cash_after(self, fill: Fill) -> Decimal:
        cash = self.cash + fill.cash_delta
        if cash < 0:
            raise InvariantError(
                f"fill {fill.fill_id} needs {-fill.cash_delta} but book {self.account_id} "
                f"has cash {self.cash}"
            )
        return cash

    def _buy(self, fill: Fill, ids: IdFactory) -> BookUpdate:
        cash = self._cash_after(fill)
        basis = -fill.cash_delta  # gross plus commission
        lot = Lot(ids.new("lot"), self.account_id, fill.ticker, fill.quantity, basis, fill.session)
        entry = self._entry(
            ids,
            fill.session,
            f"buy {fill.quantity} {fill.ticker} @ {fill.price} (fill {fill.fill_id})",
            (LedgerAccount.securities(fill.ticker), basis),
            (LedgerAccount.CASH, -basis),
        )
        return BookUpdate(replace(self, cash=cash, lots=(*self.lots, lot)), entry, lot=lot)

    def _sell(self, fill: Fill, ids: IdFactory, selector: LotSelector) -> BookUpdate:
        picks = checked_picks(selector, self.lots_of(fill.ticker), fill.ticker, fill.quantity)
        cash = self._cash_after(fill)
        net = fill.cash_delta  # gross less commission
        proceeds = allocate(net, [take for _, take in picks])
        remaining: dict[str, Lot | None] = {}
        disposals: list[Disposal] = []
        for (lot, take), lot_proceeds in zip(picks, proceeds, strict=True):
            released, remaining[lot.lot_id] = lot.split(take)
            disposals.append(
                Disposal(
                    disposal_id=ids.new("dsp"),
                    account_id=self.account_id,
                    lot_id=lot.lot_id,
                    fill_id=fill.fill_id,
                    ticker=fill.ticker,
                    quantity=take,
                    acquired=lot.acquired,
                    sold=fill.session,
                    proceeds=lot_proceeds,
                    cost=released,
                    basis_adjustment=lot.adjustment_released(take),
                    tax_acquired=lot.holding_start,
                )
            )
        lots = _replace_lots(self.lots, remaining)
        basis = sum((d.cost for d in disposals), ZERO)
        postings = [(LedgerAccount.CASH, net), (LedgerAccount.securities(fill.ticker), -basis)]
        if net != basis:
            postings.append((LedgerAccount.REALIZED_GAIN, basis - net))
        entry = self._entry(
            ids,
            fill.session,
            f"sell {fill.quantity} {fill.ticker} @ {fill.price} (fill {fill.fill_id})",
            *postings,
        )
        return BookUpdate(replace(self, cash=cash, lots=lots), entry, disposals=tuple(disposals))

    def _entry(
        self, ids: IdFactory, session: date, memo: str, *postings: tuple[str, Decimal]
    ) -> JournalEntry:
        return JournalEntry(
            entry_id=ids.new("je"),
            account_id=self.account_id,
            session=session,
            memo=memo,
            postings=tuple(Posting(account, amount) for account, amount in postings),
        )


def _replace_lots(lots: Sequence[Lot], changed: dict[str, Lot | None]) -> tuple[Lot, ...]:
    """``lots`` with each changed lot replaced in place by its remainder, or dropped if none."""
    kept: list[Lot] = []
    for lot in lots:
        if lot.lot_id not in changed:
            kept.append(lot)
        elif (rest := changed[lot.lot_id]) is not None:
            kept.append(rest)
    return tuple(kept)
