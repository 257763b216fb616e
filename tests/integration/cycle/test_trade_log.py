from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from microfolio.domain import ZERO
from microfolio.services.trade_log import TRADE_LOG_COLUMNS, write_trade_log
from support.world import DEPOSIT, World


def test_every_fill_is_one_row_and_sales_carry_their_lots_and_gain(
    world: World, tmp_path: Path
) -> None:
    sessions = [
        ts.date() for ts in world.market.sessions[world.market.sessions >= "2008-09-02"][:80]
    ]
    for i, session in enumerate(sessions):
        world.broker.advance(session)
        world.cycle.run("acct-1", session, DEPOSIT if i == 0 else ZERO)
    path = tmp_path / "trades.csv"

    count = write_trade_log(world.store, path)

    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    with world.store.unit_of_work() as uow:
        fills = uow.fills("acct-1")
        disposals = uow.disposals("acct-1")
    assert count == len(rows) == len(fills)
    assert tuple(rows[0]) == TRADE_LOG_COLUMNS
    sells = [r for r in rows if r["side"] == "sell"]
    assert sells, "autumn 2008 should have forced a rebalance"
    assert all(r["lot_ids"] and r["realised_gain"] for r in sells)
    assert sum(Decimal(r["realised_gain"]) for r in sells) == sum((d.gain for d in disposals), ZERO)
    assert all(r["reason"] for r in rows)
    assert all(r["account_type"] == "taxable" for r in rows)
