"""Figure builders: what each trace holds, cash handling, thinning and colours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError
from microfolio.reports import (
    CASH,
    drawdown_figure,
    equity_figure,
    ticker_colours,
    weights_figure,
)


def daily_weights(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2020-01-01", periods=n)
    raw = rng.uniform(0.1, 1.0, size=(n, 3)) * [3.0, 1.0, 2.0]
    frame = pd.DataFrame(raw / raw.sum(axis=1, keepdims=True) * 0.95, index=index)
    frame.columns = ["AAA", "BBB", "CCC"]
    return frame


def test_equity_figure_plots_value_and_cumulative_net_deposits() -> None:
    index = pd.bdate_range("2021-01-04", periods=4)
    values = pd.Series([100.0, 101.0, 603.0, 600.0], index=index)
    flows = pd.Series([100.0, 0.0, 500.0, -10.0], index=index)

    figure = equity_figure(values, flows)

    by_name = {trace.name: trace for trace in figure.data}
    assert list(by_name["Net deposits"].y) == [100.0, 100.0, 600.0, 590.0]
    assert list(by_name["Value"].y) == [100.0, 101.0, 603.0, 600.0]
    assert list(by_name["Value"].x) == ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07"]


def test_drawdown_figure_is_a_filled_area_of_the_series() -> None:
    dd = pd.Series([0.0, -0.1, -0.05], index=pd.bdate_range("2021-01-04", periods=3))

    figure = drawdown_figure(dd)

    (trace,) = figure.data
    assert trace.fill == "tozeroy"
    assert list(trace.y) == [0.0, -0.1, -0.05]
    assert figure.layout.yaxis.tickformat == ".0%"


def test_weights_figure_stacks_tickers_by_average_weight_with_cash_on_top() -> None:
    frame = daily_weights(20)

    figure = weights_figure(frame)

    names = [trace.name for trace in figure.data]
    assert names == ["AAA", "CCC", "BBB", CASH]
    assert {trace.stackgroup for trace in figure.data} == {"weights"}
    cash = np.asarray(figure.data[-1].y)
    np.testing.assert_allclose(cash, 1.0 - frame.sum(axis=1).to_numpy())


def test_weights_figure_uses_a_given_cash_column_as_it_is() -> None:
    frame = daily_weights(5)
    frame[CASH] = 0.05

    figure = weights_figure(frame)

    assert [trace.name for trace in figure.data][-1] == CASH
    assert list(figure.data[-1].y) == [0.05] * 5
    assert len(figure.data) == 4


def test_long_daily_weights_are_thinned_to_the_last_session_of_each_week() -> None:
    frame = daily_weights(3 * 261)

    figure = weights_figure(frame, max_points=300)

    x = list(figure.data[0].x)
    sessions = pd.DatetimeIndex(frame.index)
    expected = sessions[~sessions.to_period("W-FRI").duplicated(keep="last")].strftime("%Y-%m-%d")
    assert x == list(expected)
    assert len(x) <= 300 < len(frame)
    last = frame.iloc[-1]
    assert figure.data[0].y[-1] == pytest.approx(last["AAA"])


def test_a_ticker_keeps_its_colour_across_accounts() -> None:
    colours = ticker_colours(["BBB", "AAA", "CCC", CASH])
    one = weights_figure(daily_weights(10, seed=1), colours=colours)
    two = weights_figure(daily_weights(10, seed=2)[["CCC", "AAA"]], colours=colours)

    first = {trace.name: trace.line.color for trace in one.data}
    second = {trace.name: trace.line.color for trace in two.data}
    assert first["AAA"] == second["AAA"] == colours["AAA"]
    assert first["CCC"] == second["CCC"]
    assert len({colours["AAA"], colours["BBB"], colours["CCC"], colours[CASH]}) == 4


def test_weights_that_are_not_a_dated_frame_are_refused() -> None:
    with pytest.raises(DataFormatError, match="weights must be a pandas DataFrame"):
        weights_figure(pd.Series([1.0]))  # type: ignore[arg-type]
    with pytest.raises(DataFormatError, match="indexed by session dates"):
        weights_figure(pd.DataFrame({"AAA": [1.0]}))
