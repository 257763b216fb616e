from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from microfolio.advisor import InverseVolModel
from microfolio.data import GatePolicy, MarketData, xnys_sessions
from microfolio.errors import MicrofolioError


def _bars(seed: int = 3, sessions: int = 400) -> pd.DataFrame:
    # XNYS sessions only, so the gate has no gaps to repair
    dates = xnys_sessions(pd.Timestamp("2015-01-02"), pd.Timestamp("2017-12-29"))[:sessions]
    rng = np.random.default_rng(seed)
    frames = []
    for ticker, vol in (("AAA", 0.005), ("BBB", 0.01), ("CCC", 0.02)):
        close = 100 * np.exp(np.cumsum(rng.normal(0, vol, len(dates))))
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "ticker": ticker,
                    "open": close,
                    "high": close * 1.001,
                    "low": close * 0.999,
                    "close": close,
                    "volume": rng.integers(90_000, 110_000, len(dates)).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_target_weights_follow_inverse_volatility_and_keep_cash() -> None:
    market = MarketData.from_bars(_bars(), policy=GatePolicy())
    model = InverseVolModel(("AAA", "BBB", "CCC"), lookback=252, cash=0.01)

    target = model.target(market.view(market.sessions[-1]))

    assert target.weights["AAA"] > target.weights["BBB"] > target.weights["CCC"]
    assert sum(target.weights.values()) + target.cash == pytest.approx(1.0)
    assert target.cash == 0.01
    assert target.method == "inverse_vol"


def test_monthly_model_uses_the_first_session_of_the_month() -> None:
    market = MarketData.from_bars(_bars(), policy=GatePolicy())
    model = InverseVolModel(("AAA", "BBB", "CCC"), refresh="monthly")
    sessions = market.sessions
    june = sessions[(sessions.year == 2016) & (sessions.month == 6)]

    first = model.target(market.view(june[0]))
    later = model.target(market.view(june[-1]))

    assert later == first
    assert first.as_of == june[0].date()


def test_target_at_t_does_not_change_when_the_future_does() -> None:
    bars = _bars()
    t = pd.Timestamp("2016-03-15")
    changed = bars.copy()
    future = changed["date"] > t
    # a different but plausible future: a random walk of scale factors on every price after t
    rng = np.random.default_rng(11)
    scale = np.exp(np.cumsum(rng.normal(0.0, 0.01, int(future.sum()))))
    for column in ("open", "high", "low", "close"):
        changed.loc[future, column] = changed.loc[future, column].to_numpy() * scale
    as_of = date(2016, 3, 15)

    original = InverseVolModel(("AAA", "BBB", "CCC"), refresh="daily").target(
        MarketData.from_bars(bars, policy=GatePolicy()).view(as_of)
    )
    perturbed = InverseVolModel(("AAA", "BBB", "CCC"), refresh="daily").target(
        MarketData.from_bars(
            changed,
            policy=GatePolicy(),
        ).view(as_of)
    )

    assert perturbed == original


def test_unknown_model_ticker_is_a_clear_error() -> None:
    market = MarketData.from_bars(_bars(), policy=GatePolicy())
    model = InverseVolModel(("AAA", "ZZZ"))

    with pytest.raises(MicrofolioError, match="not in the market data: ZZZ"):
        model.target(market.view(market.sessions[-1]))
