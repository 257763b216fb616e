from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from microfolio.domain import ZERO
from microfolio.services.trade_log import TRADE_LOG_COLUMNS, write_trade_log
from support.world import DEPOSIT, World, sessions_from


def test_every_fill_is_one_row_and_sales_carry_their_lots_and_gain(
    world: World, tmp_path: Path
) -> None:
    # Arrange: a household through the autumn of 2008
    sessions = sessions_from(world.market, "2008-09-02", 80)
    world.run(sessions, {sessions[0]: dict.fromkeys(world.account_ids, DEPOSIT)})
    path = tmp_path / "trades.csv"
    # Act
    count = write_trade_log(world.store, path)
    # Assert
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    with world.store.unit_of_work() as uow:
        fills = [f for a in world.account_ids for f in uow.fills(a)]
        disposals = [d for a in world.account_ids for d in uow.disposals(a)]
        types = {a.account_id: a.account_type.value for a in uow.accounts()}
    assert count == len(rows) == len(fills)
    assert tuple(rows[0]) == TRADE_LOG_COLUMNS
    sells = [r for r in rows if r["side"] == "sell"]
    assert sells, "autumn 2008 should have forced a rebalance or a harvest"
    assert all(r["lot_ids"] and r["realised_gain"] for r in sells)
    assert all(not r["lot_ids"] and not r["realised_gain"] for r in rows if r["side"] == "buy")
    assert sum(Decimal(r["realised_gain"]) for r in sells) == sum(
        (d.tax_gain for d in disposals), ZERO
    )
    assert all(r["reason"] for r in rows)
    assert {r["account"] for r in rows} == set(world.account_ids)
    assert all(r["account_type"] == types[r["account"]] for r in rows)
    assert {r["household"] for r in rows} == {world.household_id}
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
