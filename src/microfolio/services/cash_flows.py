"""Client cash flows in the daily cycle: the session's deposits and withdrawals checked, and
withdrawals paid.

A withdrawal is paid whole or not yet, in the order the client asked for them: while the
account's cash covers the oldest one still pending, it is paid (a journal entry, the store marks
it paid, an audit event); what is left pending is what the plan must raise. The caller stores
the records with the rest of its unit of work, and tells the custodian only after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microfolio.domain import (
    ZERO,
    Account,
    AuditEvent,
    IdFactory,
    JournalEntry,
    Withdrawal,
    money,
)
from microfolio.errors import MicrofolioError
from microfolio.ledger import Book
from microfolio.store import UnitOfWork

__all__ = ["Payout", "check_cash_flows", "pay_withdrawals"]


def check_cash_flows(
    household_id: str,
    accounts: Sequence[Account],
    deposits: Mapping[str, Decimal],
    withdrawals: Mapping[str, Decimal],
) -> None:
    """Refuse a negative deposit, a withdrawal that is not a positive amount of whole cents, and
    either for an account that is not one of the household's."""
    for account_id, amount in deposits.items():
        if amount < 0:
            raise MicrofolioError(f"deposit to {account_id} must be >= 0, got {amount}")
    for account_id, amount in withdrawals.items():
        if not (
            isinstance(amount, Decimal)
            and amount.is_finite()
            and amount > 0
            and amount == money(amount)
        ):
            raise MicrofolioError(
                f"withdrawal from {account_id} must be > 0 in whole cents, got {amount}"
            )
    known = {a.account_id for a in accounts}
    for what, flows in (("deposit to", deposits), ("withdrawal from", withdrawals)):
        for account_id in flows:
            if account_id not in known:
                raise MicrofolioError(
                    f"{what} {account_id}: no such account in household {household_id}"
                )


@dataclass(frozen=True, slots=True)
class Payout:
    """One account's withdrawals of one session: the book after the payments, the withdrawals
    paid (oldest first), what is still owed, and the records to store."""

    book: Book
    paid: tuple[Withdrawal, ...]
    owed: Decimal
    entries: tuple[JournalEntry, ...]
    events: tuple[AuditEvent, ...]

    @property
    def amount(self) -> Decimal:
        """What was paid out."""
        return sum((w.amount for w in self.paid), ZERO)


def pay_withdrawals(
    uow: UnitOfWork,
    book: Book,
    session: date,
    requested: Decimal | None,
    ids: IdFactory,
    actor: str,
) -> Payout:
    """Record this session's request (if any), then pay the account's pending withdrawals,
    oldest first, while the book's cash covers each in full (a later, smaller one waits its
    turn). The store's withdrawals are updated through ``uow``; the journal entries and audit
    events are returned for the caller to store."""
    account_id = book.account_id
    events: list[AuditEvent] = []

    def event(action: str, detail: str) -> None:
        events.append(AuditEvent(ids.new("evt"), session, actor, action, account_id, detail))

    if requested is not None:
        request = Withdrawal(ids.new("wd"), account_id, session, requested)
        uow.add_withdrawal(request)
        event(
            "withdrawal_requested",
            f"withdrawal {request.withdrawal_id} of ${requested:,.2f} requested",
        )
    pending = uow.pending_withdrawals(account_id)
    paid: list[Withdrawal] = []
    entries: list[JournalEntry] = []
    for withdrawal in pending:
        if withdrawal.amount > book.cash:
            break
        update = book.withdraw(withdrawal.amount, session, ids)
        book = update.book
        entries.append(update.entry)
        paid.append(uow.mark_withdrawal_paid(withdrawal.withdrawal_id, session))
        event(
            "withdrawal_paid",
            f"withdrawal {withdrawal.withdrawal_id} of ${withdrawal.amount:,.2f} "
            f"(requested {withdrawal.requested}) paid",
        )
    owed = sum((w.amount for w in pending[len(paid) :]), ZERO)
    return Payout(book, tuple(paid), owed, tuple(entries), tuple(events))
