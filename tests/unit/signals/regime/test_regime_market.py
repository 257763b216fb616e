"""The market series the detectors read: one ticker's returns from its first price, or the
equal-weight average."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import MarketView
from microfolio.errors import DataFormatError, NotFoundError
from microfolio.signals.regime import market_returns


def test_an_unknown_market_ticker_is_refused(regime_view: MarketView) -> None:
    with pytest.raises(NotFoundError, match="market 'NOPE' is not a ticker of close"):
        market_returns(regime_view.close, "NOPE")


def test_market_returns_start_at_the_tickers_first_price(regime_view: MarketView) -> None:
    returns = market_returns(regime_view.close, "BNDX")  # first price 2013-06-07

    assert returns.index[0] > pd.Timestamp("2013-06-07")
    assert returns.notna().all()
    assert returns.name == "BNDX"


def test_the_equal_weight_market_averages_the_tickers_returns(regime_view: MarketView) -> None:
    close = regime_view.close
    returns = market_returns(close, market=None)
    day = pd.Timestamp("2012-03-01")
    expected = float((close.loc[:day].iloc[-1] / close.loc[:day].iloc[-2] - 1.0).mean())

    assert returns.name == "equal_weight"
    assert returns.loc[day] == pytest.approx(expected)


def test_a_gap_after_the_first_price_is_refused(regime_view: MarketView) -> None:
    close = regime_view.close.copy()
    close.loc["2010-03-01", "VTI"] = np.nan

    with pytest.raises(DataFormatError, match="market 'VTI' has no return at 2010-03-01"):
        market_returns(close, "VTI")


def test_close_must_be_a_frame() -> None:
    with pytest.raises(DataFormatError, match="close must be a DataFrame, got Series"):
        market_returns(pd.Series([1.0, 2.0]), "VTI")  # type: ignore[arg-type]
