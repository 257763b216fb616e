"""A view at t is blind to the future: change every price after t and nothing at t moves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from microfolio.data import FIELDS, GateAction, GatePolicy, MarketData, MarketView

#: the perturbation makes jumps at t+1; the gate must let them through to build the market
LENIENT = GatePolicy(outlier=GateAction.WARN, split_like=GateAction.WARN)
SENTINEL = 9_999.0


def _volatility(view: MarketView, sessions: int = 60) -> pd.Series:
    returns = np.log(view.close).diff().iloc[-sessions:]
    return returns.std() * np.sqrt(252)


@pytest.fixture
def pair(make_bars, sessions) -> tuple[MarketData, MarketData, pd.Timestamp]:
    bars = make_bars(tickers=("AAA", "BBB", "CCC"), seed=11)
    t = sessions[200]
    future = bars["date"] > t
    changed = bars.copy()
    rng = np.random.default_rng(5)
    factor = rng.uniform(0.5, 3.0, int(future.sum()))
    for field in ("open", "high", "low", "close"):
        changed.loc[future, field] = changed.loc[future, field] * factor
    changed.loc[future, "volume"] = SENTINEL
    original = MarketData.from_bars(bars, LENIENT, sessions=sessions)
    perturbed = MarketData.from_bars(changed, LENIENT, sessions=sessions)
    return original, perturbed, t


def test_everything_a_view_exposes_is_unchanged_when_the_future_changes(pair) -> None:
    original, perturbed, t = pair

    before, after = original.view(t), perturbed.view(t)

    assert before.as_of == after.as_of == t.date()
    for field in FIELDS:
        pd.testing.assert_frame_equal(before.frame(field), after.frame(field))
        pd.testing.assert_series_equal(before.last(field), after.last(field))
    pd.testing.assert_series_equal(_volatility(before), _volatility(after))
    assert original.data_version != perturbed.data_version


def test_prices_after_t_are_not_reachable_from_the_view(pair) -> None:
    _, perturbed, t = pair

    view = perturbed.view(t)

    assert view.sessions[-1] == t
    for field in FIELDS:
        frame = view.frame(field)
        assert frame.index.max() == t
        assert len(frame) == len(view)
    assert not (view.volume.to_numpy() == SENTINEL).any()
    public = [name for name in dir(view) if not name.startswith("_")]
    assert not any(isinstance(getattr(view, name), MarketData) for name in public)


def test_a_view_at_every_session_sees_exactly_the_sessions_so_far(pair) -> None:
    original, _, _ = pair

    lengths = [len(original.view(s)) for s in original.sessions]

    assert lengths == list(range(1, len(original.sessions) + 1))
