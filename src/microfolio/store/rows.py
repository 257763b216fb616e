"""Domain objects to table rows and back.

Writing refuses values the columns cannot hold exactly (for example a quantity with seven decimal
places) with a :class:`~microfolio.errors.StoreError` that names the record and the field; the
store never rounds. Reading rebuilds the frozen domain objects, so their invariants are checked
again on the way out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from microfolio.domain import (
    Account,
    AccountType,
    Asset,
    AuditEvent,
    Disposal,
    Fill,
    Household,
    JournalEntry,
    Lot,
    Order,
    OrderStatus,
    Posting,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
)
from microfolio.store.types import (
    MONEY_PRECISION,
    MONEY_SCALE,
    PRICE_PRECISION,
    PRICE_SCALE,
    QUANTITY_PRECISION,
    QUANTITY_SCALE,
    check_exact,
)

__all__ = [
    "account_from_row",
    "account_row",
    "asset_from_row",
    "asset_row",
    "audit_event_from_row",
    "audit_event_row",
    "check_money",
    "disposal_from_row",
    "disposal_row",
    "fill_from_row",
    "fill_row",
    "household_from_row",
    "household_row",
    "journal_entry_from_rows",
    "journal_entry_rows",
    "lot_from_row",
    "lot_row",
    "order_from_row",
    "order_row",
    "reasons_from_json",
    "reasons_to_json",
    "ticket_from_row",
    "ticket_row",
    "valuation_row",
]

Row = Sequence[Any]


def check_money(value: Decimal, what: str) -> Decimal:
    check_exact(value, MONEY_PRECISION, MONEY_SCALE, what)
    return value


def _quantity(value: Decimal, what: str) -> Decimal:
    check_exact(value, QUANTITY_PRECISION, QUANTITY_SCALE, what)
    return value


def _price(value: Decimal, what: str) -> Decimal:
    check_exact(value, PRICE_PRECISION, PRICE_SCALE, what)
    return value


def _optional_quantity(value: Decimal | None, what: str) -> Decimal | None:
    return None if value is None else _quantity(value, what)


def _optional_money(value: Decimal | None, what: str) -> Decimal | None:
    return None if value is None else check_money(value, what)


# -- assets, households, accounts ------------------------------------------------------------


def asset_row(asset: Asset) -> dict[str, Any]:
    return {
        "ticker": asset.ticker,
        "asset_class": asset.asset_class,
        "tlh_rank": asset.tlh_rank,
        "tracks": asset.tracks,
    }


def asset_from_row(row: Row) -> Asset:
    ticker, asset_class, tlh_rank, tracks = row
    return Asset(ticker=ticker, asset_class=asset_class, tlh_rank=tlh_rank, tracks=tracks)


def household_row(household: Household) -> dict[str, Any]:
    return {"household_id": household.household_id, "name": household.name}


def household_from_row(row: Row) -> Household:
    household_id, name = row
    return Household(household_id=household_id, name=name)


def account_row(account: Account) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "household_id": account.household_id,
        "name": account.name,
        "account_type": account.account_type.value,
        "fractional": account.fractional,
    }


def account_from_row(row: Row) -> Account:
    account_id, household_id, name, account_type, fractional = row
    return Account(
        account_id=account_id,
        household_id=household_id,
        name=name,
        account_type=AccountType(account_type),
        fractional=bool(fractional),
    )


# -- lots and disposals -----------------------------------------------------------------------


def lot_row(lot: Lot) -> dict[str, Any]:
    what = f"lot {lot.lot_id}:"
    return {
        "lot_id": lot.lot_id,
        "account_id": lot.account_id,
        "ticker": lot.ticker,
        "quantity": _quantity(lot.quantity, f"{what} quantity"),
        "cost": check_money(lot.cost, f"{what} cost"),
        "acquired": lot.acquired,
    }


def lot_from_row(row: Row) -> Lot:
    lot_id, account_id, ticker, qty, cost, acquired = row
    return Lot(
        lot_id=lot_id,
        account_id=account_id,
        ticker=ticker,
        quantity=qty,
        cost=cost,
        acquired=acquired,
    )


def disposal_row(disposal: Disposal) -> dict[str, Any]:
    what = f"disposal {disposal.disposal_id}:"
    return {
        "disposal_id": disposal.disposal_id,
        "account_id": disposal.account_id,
        "lot_id": disposal.lot_id,
        "fill_id": disposal.fill_id,
        "ticker": disposal.ticker,
        "quantity": _quantity(disposal.quantity, f"{what} quantity"),
        "acquired": disposal.acquired,
        "sold": disposal.sold,
        "proceeds": check_money(disposal.proceeds, f"{what} proceeds"),
        "cost": check_money(disposal.cost, f"{what} cost"),
    }


def disposal_from_row(row: Row) -> Disposal:
    (disposal_id, account_id, lot_id, fill_id, ticker, qty, acquired, sold, proceeds, cost) = row
    return Disposal(
        disposal_id=disposal_id,
        account_id=account_id,
        lot_id=lot_id,
        fill_id=fill_id,
        ticker=ticker,
        quantity=qty,
        acquired=acquired,
        sold=sold,
        proceeds=proceeds,
        cost=cost,
    )


# -- orders, fills, tickets -------------------------------------------------------------------


def order_row(order: Order) -> dict[str, Any]:
    what = f"order {order.order_id}:"
    return {
        "order_id": order.order_id,
        "account_id": order.account_id,
        "ticker": order.ticker,
        "side": order.side.value,
        "created": order.created,
        "quantity": _optional_quantity(order.quantity, f"{what} quantity"),
        "notional": _optional_money(order.notional, f"{what} notional"),
        "status": order.status.value,
        "ticket_id": order.ticket_id,
    }


def order_from_row(row: Row) -> Order:
    order_id, account_id, ticker, side, created, qty, notional, status, ticket_id = row
    return Order(
        order_id=order_id,
        account_id=account_id,
        ticker=ticker,
        side=Side(side),
        created=created,
        quantity=qty,
        notional=notional,
        status=OrderStatus(status),
        ticket_id=ticket_id,
    )


def fill_row(fill: Fill) -> dict[str, Any]:
    what = f"fill {fill.fill_id}:"
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "account_id": fill.account_id,
        "ticker": fill.ticker,
        "side": fill.side.value,
        "quantity": _quantity(fill.quantity, f"{what} quantity"),
        "price": _price(fill.price, f"{what} price"),
        "commission": check_money(fill.commission, f"{what} commission"),
        "session": fill.session,
        "reference_price": _price(fill.reference_price, f"{what} reference_price"),
    }


def fill_from_row(row: Row) -> Fill:
    fill_id, order_id, account_id, ticker, side, qty, px, commission, session, ref = row
    return Fill(
        fill_id=fill_id,
        order_id=order_id,
        account_id=account_id,
        ticker=ticker,
        side=Side(side),
        quantity=qty,
        price=px,
        commission=commission,
        session=session,
        reference_price=ref,
    )


def _figure_to_json(value: float) -> float | str:
    # JSON has no NaN or infinity (PostgreSQL refuses them): keep those as their repr
    number = float(value)
    return number if math.isfinite(number) else repr(number)


def reasons_to_json(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    return [
        {
            "kind": reason.kind.value,
            "detail": reason.detail,
            "figures": [[name, _figure_to_json(value)] for name, value in reason.figures],
        }
        for reason in reasons
    ]


def reasons_from_json(data: Sequence[dict[str, Any]]) -> tuple[Reason, ...]:
    return tuple(
        Reason(
            kind=ReasonKind(item["kind"]),
            detail=item["detail"],
            figures=tuple((str(name), float(value)) for name, value in item["figures"]),
        )
        for item in data
    )


def ticket_row(ticket: TradeTicket) -> dict[str, Any]:
    what = f"ticket {ticket.ticket_id}:"
    return {
        "ticket_id": ticket.ticket_id,
        "account_id": ticket.account_id,
        "session": ticket.session,
        "ticker": ticket.ticker,
        "side": ticket.side.value,
        "quantity": _optional_quantity(ticket.quantity, f"{what} quantity"),
        "notional": _optional_money(ticket.notional, f"{what} notional"),
        "reasons": reasons_to_json(ticket.reasons),
    }


def ticket_from_row(row: Row) -> TradeTicket:
    ticket_id, account_id, session, ticker, side, qty, notional, reasons = row
    return TradeTicket(
        ticket_id=ticket_id,
        account_id=account_id,
        session=session,
        ticker=ticker,
        side=Side(side),
        reasons=reasons_from_json(reasons),
        quantity=qty,
        notional=notional,
    )


# -- journal and audit ------------------------------------------------------------------------


def journal_entry_rows(entry: JournalEntry) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The entry's row and its postings' rows (``position`` keeps their order)."""
    head = {
        "entry_id": entry.entry_id,
        "account_id": entry.account_id,
        "session": entry.session,
        "memo": entry.memo,
    }
    postings = [
        {
            "entry_id": entry.entry_id,
            "position": position,
            "ledger_account": posting.ledger_account,
            "amount": check_money(
                posting.amount, f"journal entry {entry.entry_id}: {posting.ledger_account}"
            ),
        }
        for position, posting in enumerate(entry.postings)
    ]
    return head, postings


def journal_entry_from_rows(head: Row, postings: Sequence[tuple[str, Decimal]]) -> JournalEntry:
    entry_id, account_id, session, memo = head
    return JournalEntry(
        entry_id=entry_id,
        account_id=account_id,
        session=session,
        memo=memo,
        postings=tuple(Posting(ledger_account=name, amount=amount) for name, amount in postings),
    )


def audit_event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "session": event.session,
        "actor": event.actor,
        "action": event.action,
        "account_id": event.account_id,
        "detail": event.detail,
    }


def audit_event_from_row(row: Row) -> AuditEvent:
    event_id, session, actor, action, account_id, detail = row
    return AuditEvent(
        event_id=event_id,
        session=session,
        actor=actor,
        action=action,
        account_id=account_id,
        detail=detail,
    )


def valuation_row(
    account_id: str, session: date, cash: Decimal, market_value: Decimal
) -> dict[str, Any]:
    what = f"valuation of {account_id} on {session}:"
    return {
        "account_id": account_id,
        "session": session,
        "cash": check_money(cash, f"{what} cash"),
        "market_value": check_money(market_value, f"{what} market_value"),
    }
