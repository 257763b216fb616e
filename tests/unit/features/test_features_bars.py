"""Bars: the wide OHLCV protocol, and WideBars, its checked frozen holder."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from microfolio.data import FIELDS, MarketData, load_bundled_bars, long_to_wide
from microfolio.errors import DataFormatError, MicrofolioError
from microfolio.features import Bars, WideBars, as_wide_bars


def _wide(**overrides: pd.DataFrame) -> dict[str, pd.DataFrame]:
    index = pd.DatetimeIndex(pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06"]))
    close = pd.DataFrame({"BBB": [10.0, 11.0, 12.0], "AAA": [5.0, np.nan, 6.0]}, index=index)
    frames = {f: close.copy() for f in FIELDS}
    frames["volume"] = close * 100.0
    frames.update(overrides)
    return frames


def test_a_market_view_satisfies_the_protocol(market: MarketData) -> None:
    view = market.view("2010-01-04")

    assert isinstance(view, Bars)
    assert as_wide_bars(view).close.equals(view.close)


def test_tickers_are_sorted_on_construction() -> None:
    bars = WideBars(**_wide())

    assert bars.tickers.tolist() == ["AAA", "BBB"]
    assert bars.volume.columns.tolist() == ["AAA", "BBB"]
    assert bars.close.loc["2020-01-06", "AAA"] == 6.0


def test_from_long_reuses_the_data_converter() -> None:
    long = load_bundled_bars()
    long = long[long["ticker"].isin(["GLD", "TLT"])].reset_index(drop=True)

    bars = WideBars.from_long(long)

    pd.testing.assert_frame_equal(bars.close, long_to_wide(long, "close"), check_names=False)
    pd.testing.assert_frame_equal(bars.volume, long_to_wide(long, "volume"), check_names=False)


def test_integer_volume_becomes_float() -> None:
    bars = WideBars(**_wide(volume=pd.DataFrame(_wide()["volume"].fillna(0).astype(int))))

    assert (bars.volume.dtypes == np.float64).all()


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (_wide(close=_wide()["close"].iloc[:0]), "bars.close is empty: 0 sessions x 2 tickers"),
        (_wide(close=_wide()["close"][[]]), "bars.close is empty: 3 sessions x 0 tickers"),
        (_wide(close=_wide()["close"].iloc[::-1]), "strictly increasing session dates"),
        (_wide(close=_wide()["close"].reset_index(drop=True)), "index must be session dates"),
        (
            _wide(close=_wide()["close"] * -1.0),
            "bars.close must be positive and finite, got -5.0 for AAA on 2020-01-02",
        ),
        (_wide(volume=_wide()["volume"] * -1.0), "bars.volume must be non-negative"),
        (
            _wide(volume=_wide()["volume"].iloc[:2]),
            "bars.volume must have the sessions and tickers",
        ),
        (_wide(open=[1.0]), "bars.open must be a DataFrame, got list"),
        (_wide(close=_wide()["close"].set_axis(["A", "A"], axis=1)), "duplicate tickers: A"),
    ],
)
def test_what_is_not_bars_is_refused(frames: dict[str, pd.DataFrame], message: str) -> None:
    with pytest.raises(DataFormatError) as caught:
        WideBars(**frames)

    assert message in str(caught.value)
    assert isinstance(caught.value, MicrofolioError)


def test_something_without_frames_is_refused() -> None:
    with pytest.raises(DataFormatError, match=r"bars must have wide open, .* got dict"):
        as_wide_bars({"close": 1})  # type: ignore[arg-type]


def test_it_is_frozen() -> None:
    bars = WideBars(**_wide())

    with pytest.raises(dataclasses.FrozenInstanceError):
        bars.close = bars.open  # type: ignore[misc]
