"""Every fill of a store as one CSV row, for anyone to audit the outcome with their own tools."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from microfolio.domain import ZERO
from microfolio.store import Store

__all__ = ["TRADE_LOG_COLUMNS", "write_trade_log"]

TRADE_LOG_COLUMNS = (
    "date",
    "household",
    "account",
    "account_type",
    "ticker",
    "side",
    "quantity",
    "price",
    "commission",
    "realised_gain",
    "lot_ids",
    "reason",
)


def write_trade_log(store: Store, path: Path) -> int:
    """Write every fill of every account to ``path`` (CSV); return the number of rows.

    A buy opens one lot, which the fill does not name, so buys list no lot ids;
    a sale lists the lots it closed and its realised gain (net of commission, as the ledger keeps
    it). ``reason`` is the first reason of the ticket behind the order. Written to a temporary
    file and renamed, so nothing half-written is left.
    """
    rows: list[dict[str, str]] = []
    with store.unit_of_work() as uow:
        for account in uow.accounts():
            tickets = {t.ticket_id: t for t in uow.tickets(account.account_id)}
            orders = {o.order_id: o for o in uow.orders(account.account_id)}
            gains: dict[str, Decimal] = defaultdict(lambda: ZERO)
            lots: dict[str, list[str]] = defaultdict(list)
            for disposal in uow.disposals(account.account_id):
                gains[disposal.fill_id] += disposal.tax_gain
                lots[disposal.fill_id].append(disposal.lot_id)
            for fill in uow.fills(account.account_id):
                order = orders.get(fill.order_id)
                ticket = tickets.get(order.ticket_id or "") if order is not None else None
                reason = ticket.reasons[0].detail if ticket is not None else ""
                rows.append(
                    {
                        "date": fill.session.isoformat(),
                        "household": account.household_id,
                        "account": account.account_id,
                        "account_type": account.account_type.value,
                        "ticker": fill.ticker,
                        "side": fill.side.value,
                        "quantity": str(fill.quantity),
                        "price": str(fill.price),
                        "commission": str(fill.commission),
                        "realised_gain": str(gains[fill.fill_id]) if fill.fill_id in gains else "",
                        "lot_ids": ";".join(lots.get(fill.fill_id, [])),
                        "reason": reason,
                    }
                )
    rows.sort(key=lambda r: (r["date"], r["account"], r["side"] != "sell", r["ticker"]))
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TRADE_LOG_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
    return len(rows)
