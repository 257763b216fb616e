"""Domain objects to table rows and back.

Writing refuses values the columns cannot hold exactly (for example a quantity with seven decimal
places) with a :class:`~microfolio.errors.StoreError` that names the record and the field; the
store never rounds. Reading rebuilds the frozen domain objects, so their invariants are checked
again on the way out.
"""

from __future__ import annotations

import json
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
    LotMethod,
    Order,
    OrderStatus,
    Posting,
    Reason,
    ReasonKind,
    Side,
    TradeTicket,
    Withdrawal,
)
from microfolio.errors import StoreError
from microfolio.signals.monitor import (
    ModelRecord,
    ModelStatus,
    RegistryAction,
    RegistryEvent,
    ValidationScores,
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
from microfolio.tax.wash_records import LossSale, Purchase, WashSale

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
    "loss_sale_from_row",
    "loss_sale_row",
    "lot_from_row",
    "lot_ids_from_json",
    "lot_ids_to_json",
    "lot_row",
    "model_event_from_row",
    "model_event_row",
    "model_record_from_row",
    "model_record_row",
    "order_from_row",
    "order_row",
    "purchase_from_row",
    "purchase_row",
    "reasons_from_json",
    "reasons_to_json",
    "ticket_from_row",
    "ticket_row",
    "valuation_row",
    "wash_sale_from_row",
    "wash_sale_row",
    "withdrawal_from_row",
    "withdrawal_row",
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


def _optional_price(value: Decimal | None, what: str) -> Decimal | None:
    return None if value is None else _price(value, what)


def lot_ids_to_json(lot_ids: Sequence[str], what: str) -> list[str]:
    """A specific-lot instruction as a JSON list of lot ids (in order)."""
    for lot_id in lot_ids:
        if not isinstance(lot_id, str):
            raise StoreError(f"{what} must be strings, got {lot_id!r}")
    return list(lot_ids)


def lot_ids_from_json(data: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(str(lot_id) for lot_id in data or ())


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
        "lot_method": account.lot_method.value,
        "risk_level": account.risk_level,
    }


def account_from_row(row: Row) -> Account:
    account_id, household_id, name, account_type, fractional, lot_method, risk_level = row
    return Account(
        account_id=account_id,
        household_id=household_id,
        name=name,
        account_type=AccountType(account_type),
        fractional=bool(fractional),
        lot_method=LotMethod(lot_method),
        risk_level=None if risk_level is None else int(risk_level),
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
        "basis_adjustment": check_money(lot.basis_adjustment, f"{what} basis_adjustment"),
        "holding_start": lot.holding_start,
    }


def lot_from_row(row: Row) -> Lot:
    lot_id, account_id, ticker, qty, cost, acquired, adjustment, holding_start = row
    return Lot(
        lot_id=lot_id,
        account_id=account_id,
        ticker=ticker,
        quantity=qty,
        cost=cost,
        acquired=acquired,
        basis_adjustment=adjustment,
        holding_start=holding_start,
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
        "basis_adjustment": check_money(disposal.basis_adjustment, f"{what} basis_adjustment"),
        "tax_acquired": disposal.tax_acquired,
    }


def disposal_from_row(row: Row) -> Disposal:
    (
        disposal_id,
        account_id,
        lot_id,
        fill_id,
        ticker,
        qty,
        acquired,
        sold,
        proceeds,
        cost,
        adjustment,
        tax_acquired,
    ) = row
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
        basis_adjustment=adjustment,
        tax_acquired=tax_acquired,
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
        "limit_price": _optional_price(order.limit_price, f"{what} limit_price"),
        "lot_ids": lot_ids_to_json(order.lot_ids, f"{what} lot_ids"),
    }


def order_from_row(row: Row) -> Order:
    (
        order_id,
        account_id,
        ticker,
        side,
        created,
        qty,
        notional,
        status,
        ticket_id,
        limit_price,
        lot_ids,
    ) = row
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
        limit_price=limit_price,
        lot_ids=lot_ids_from_json(lot_ids),
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
        "limit_price": _optional_price(ticket.limit_price, f"{what} limit_price"),
        "lot_ids": lot_ids_to_json(ticket.lot_ids, f"{what} lot_ids"),
    }


def ticket_from_row(row: Row) -> TradeTicket:
    (
        ticket_id,
        account_id,
        session,
        ticker,
        side,
        qty,
        notional,
        reasons,
        limit_price,
        lot_ids,
    ) = row
    return TradeTicket(
        ticket_id=ticket_id,
        account_id=account_id,
        session=session,
        ticker=ticker,
        side=Side(side),
        reasons=reasons_from_json(reasons),
        quantity=qty,
        notional=notional,
        limit_price=limit_price,
        lot_ids=lot_ids_from_json(lot_ids),
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


# -- withdrawals -------------------------------------------------------------------------------


def withdrawal_row(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "withdrawal_id": withdrawal.withdrawal_id,
        "account_id": withdrawal.account_id,
        "requested": withdrawal.requested,
        "amount": check_money(withdrawal.amount, f"withdrawal {withdrawal.withdrawal_id}: amount"),
        "paid": withdrawal.paid,
    }


def withdrawal_from_row(row: Row) -> Withdrawal:
    withdrawal_id, account_id, requested, amount, paid = row
    return Withdrawal(
        withdrawal_id=withdrawal_id,
        account_id=account_id,
        requested=requested,
        amount=amount,
        paid=paid,
    )


# -- wash sales --------------------------------------------------------------------------------


def purchase_row(household_id: str, purchase: Purchase) -> dict[str, Any]:
    what = f"wash-sale purchase {purchase.lot_id}:"
    return {
        "lot_id": purchase.lot_id,
        "household_id": household_id,
        "account_id": purchase.account_id,
        "ticker": purchase.ticker,
        "key": purchase.key,
        "acquired": purchase.acquired,
        "quantity": _quantity(purchase.quantity, f"{what} quantity"),
        "unmatched": _quantity(purchase.unmatched, f"{what} unmatched"),
        "tax_advantaged": purchase.tax_advantaged,
    }


def purchase_from_row(row: Row) -> Purchase:
    lot_id, account_id, ticker, key, acquired, qty, unmatched, tax_advantaged = row
    return Purchase(
        lot_id=lot_id,
        account_id=account_id,
        ticker=ticker,
        key=key,
        acquired=acquired,
        quantity=qty,
        unmatched=unmatched,
        tax_advantaged=bool(tax_advantaged),
    )


def loss_sale_row(household_id: str, loss: LossSale) -> dict[str, Any]:
    what = f"wash-sale loss {loss.disposal_id}:"
    return {
        "disposal_id": loss.disposal_id,
        "household_id": household_id,
        "account_id": loss.account_id,
        "lot_id": loss.lot_id,
        "ticker": loss.ticker,
        "key": loss.key,
        "sold": loss.sold,
        "holding_start": loss.holding_start,
        "quantity": _quantity(loss.quantity, f"{what} quantity"),
        "loss": check_money(loss.loss, f"{what} loss"),
        "unmatched": _quantity(loss.unmatched, f"{what} unmatched"),
    }


def loss_sale_from_row(row: Row) -> LossSale:
    (disposal_id, account_id, lot_id, ticker, key, sold, holding_start, qty, loss, unmatched) = row
    return LossSale(
        disposal_id=disposal_id,
        account_id=account_id,
        lot_id=lot_id,
        ticker=ticker,
        key=key,
        sold=sold,
        holding_start=holding_start,
        quantity=qty,
        loss=loss,
        unmatched=unmatched,
    )


def wash_sale_row(wash: WashSale) -> dict[str, Any]:
    what = f"wash sale {wash.wash_id}:"
    return {
        "wash_id": wash.wash_id,
        "household_id": wash.household_id,
        "loss_disposal_id": wash.loss_disposal_id,
        "loss_account_id": wash.loss_account_id,
        "ticker_sold": wash.ticker_sold,
        "sold": wash.sold,
        "replacement_lot_id": wash.replacement_lot_id,
        "replacement_account_id": wash.replacement_account_id,
        "ticker_bought": wash.ticker_bought,
        "bought": wash.bought,
        "shares": _quantity(wash.shares, f"{what} shares"),
        "disallowed": check_money(wash.disallowed, f"{what} disallowed"),
        "permanent": wash.permanent,
        "basis_added": check_money(wash.basis_added, f"{what} basis_added"),
        "holding_days": wash.holding_days,
    }


def wash_sale_from_row(row: Row) -> WashSale:
    (
        wash_id,
        household_id,
        loss_disposal_id,
        loss_account_id,
        ticker_sold,
        sold,
        replacement_lot_id,
        replacement_account_id,
        ticker_bought,
        bought,
        shares,
        disallowed,
        permanent,
        basis_added,
        holding_days,
    ) = row
    return WashSale(
        wash_id=wash_id,
        household_id=household_id,
        loss_disposal_id=loss_disposal_id,
        loss_account_id=loss_account_id,
        ticker_sold=ticker_sold,
        sold=sold,
        replacement_lot_id=replacement_lot_id,
        replacement_account_id=replacement_account_id,
        ticker_bought=ticker_bought,
        bought=bought,
        shares=shares,
        disallowed=disallowed,
        permanent=bool(permanent),
        basis_added=basis_added,
        holding_days=holding_days,
    )


# -- model registry ----------------------------------------------------------------------------

#: the length of the ``String(128)`` identifier columns, refused alike on both backends
ID_LENGTH = 128


def _identifier(value: str, what: str) -> str:
    if len(value) > ID_LENGTH:
        raise StoreError(f"{what} must be at most {ID_LENGTH} characters, got {len(value)}")
    return value


def _json_text(value: Any) -> str:
    # insertion order kept (no sort_keys): the mapping reads back exactly as it was given
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _json_value(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        raise StoreError(f"{what} is not JSON: {error}") from None


def model_record_row(record: ModelRecord) -> dict[str, Any]:
    """The record's row: its params and validation as JSON text (see ``ModelRecord.to_dict``)."""
    what = f"model {record.model_id!r}:"
    data = record.to_dict()
    return {
        "model_id": _identifier(record.model_id, f"{what} model_id"),
        "kind": _identifier(record.kind, f"{what} kind"),
        "status": record.status.value,
        "created": record.created,
        "train_start": record.train_start,
        "train_end": record.train_end,
        "data_version": record.data_version,
        "params": _json_text(data["params"]),
        "validation": _json_text(data["validation"]),
    }


def model_record_from_row(row: Row) -> ModelRecord:
    model_id, kind, status, created, train_start, train_end, data_version, params, validation = row
    what = f"model {model_id!r}:"
    return ModelRecord(
        model_id=model_id,
        kind=kind,
        train_start=train_start,
        train_end=train_end,
        data_version=data_version,
        params=_json_value(params, f"{what} params"),
        validation=ValidationScores.from_dict(_json_value(validation, f"{what} validation")),
        created=created,
        status=ModelStatus(status),
    )


def model_event_row(
    event: RegistryEvent, session: date | None, previous_champion: str | None
) -> dict[str, Any]:
    """The event's row, with the session it happened on and, on a promotion, the champion it
    replaced (both null when not known or not a promotion)."""
    return {
        "sequence": event.sequence,
        "model_id": event.model_id,
        "action": event.action.value,
        "reason": event.reason,
        "session": session,
        "previous_champion_id": previous_champion,
    }


def model_event_from_row(row: Row) -> RegistryEvent:
    sequence, model_id, kind, action, reason = row
    return RegistryEvent(
        sequence=int(sequence),
        model_id=model_id,
        kind=kind,
        action=RegistryAction(action),
        reason=reason,
    )
