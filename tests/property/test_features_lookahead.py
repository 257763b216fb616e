"""Point in time, shown: changing the future never changes a feature at t or before; it always
changes the forward label at t, which reads nothing before t but the close of t.

The bars are ten bundled ETFs through 2009 (two start after the first session). The future is
perturbed by random factors on every price and volume, or replaced by noise and holes; features
at and before t must stay bit-identical.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microfolio.data import FIELDS, GatePolicy, MarketData, load_bundled_bars, load_universe
from microfolio.features import FeatureFrame, FeatureSet, WideBars, forward_returns

TICKERS = ("AGG", "DBC", "EEM", "GLD", "IAU", "IVV", "SPY", "TLT", "VTI", "BND")
END = "2009-12-31"
HORIZON = 21
N_SESSIONS = 1222  # sessions from 2005-02-25 to 2009-12-31

SETTINGS = settings(max_examples=15, deadline=None, print_blob=True)


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())


@pytest.fixture(scope="module")
def bars(market: MarketData) -> WideBars:
    view = market.view(END)
    return WideBars(**{field: view.frame(field)[list(TICKERS)] for field in FIELDS})


@pytest.fixture(
    scope="module",
    params=["equal_weight_market_and_classes", "ticker_market"],
)
def feature_set(request: pytest.FixtureRequest) -> FeatureSet:
    """Every feature family, with each kind of market context."""
    if request.param == "ticker_market":
        return FeatureSet(market="SPY")
    classes = {a.ticker: a.asset_class for a in load_universe() if a.ticker in TICKERS}
    return FeatureSet(asset_classes=classes, class_features=("ret_21", "vol_63", "mom_252_21"))


@pytest.fixture(scope="module")
def baseline(bars: WideBars, feature_set: FeatureSet) -> FeatureFrame:
    return feature_set.fit_transform(bars)


def _scaled(bars: WideBars, rows: np.ndarray, seed: int, fields: tuple[str, ...]) -> WideBars:
    """``bars`` with the cells of ``rows`` (a boolean mask over sessions) of ``fields``
    multiplied by random factors in [0.5, 0.95] or [1.05, 2] (never 1)."""
    rng = np.random.default_rng(seed)
    changed = {}
    for field in fields:
        values = getattr(bars, field).to_numpy(copy=True)
        shape = (int(rows.sum()), values.shape[1])
        factors = np.where(
            rng.random(shape) < 0.5, rng.uniform(0.5, 0.95, shape), rng.uniform(1.05, 2.0, shape)
        )
        values[rows] *= factors
        changed[field] = pd.DataFrame(values, index=bars.sessions, columns=bars.tickers)
    return dataclasses.replace(bars, **changed)


def _noise_after(bars: WideBars, t: int, seed: int) -> WideBars:
    """``bars`` with every session after ``t`` replaced by noise, with random holes."""
    rng = np.random.default_rng(seed)
    changed = {}
    for field in FIELDS:
        values = getattr(bars, field).to_numpy(copy=True)
        tail = values[t + 1 :]
        noise = rng.lognormal(4.0 if field != "volume" else 12.0, 1.0, tail.shape)
        noise[rng.random(tail.shape) < 0.1] = np.nan
        values[t + 1 :] = noise
        changed[field] = pd.DataFrame(values, index=bars.sessions, columns=bars.tickers)
    return dataclasses.replace(bars, **changed)


def _through(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    return frame.loc[frame.index.get_level_values("date") <= day]


def _assert_bit_identical(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert left.index.equals(right.index)
    assert list(left.columns) == list(right.columns)
    a, b = left.to_numpy(dtype=np.float64), right.to_numpy(dtype=np.float64)
    assert np.array_equal(a.view(np.uint64), b.view(np.uint64))


def _after(bars: WideBars, t: int) -> np.ndarray:
    return np.arange(len(bars.sessions)) > t


def test_the_panel_is_the_one_described(bars: WideBars) -> None:
    assert len(bars.sessions) == N_SESSIONS
    assert bars.close.iloc[0].isna().sum() == 2  # BND and DBC start later


@pytest.mark.parametrize("t", [0, 20, 251, 252, 600, N_SESSIONS - 22, N_SESSIONS - 2])
def test_features_up_to_t_ignore_scaled_future_prices_and_volumes(
    bars: WideBars, feature_set: FeatureSet, baseline: FeatureFrame, t: int
) -> None:
    day = bars.sessions[t]

    perturbed = feature_set.transform(_scaled(bars, _after(bars, t), seed=t, fields=FIELDS))

    _assert_bit_identical(_through(perturbed.frame, day), _through(baseline.frame, day))
    assert not perturbed.frame.equals(baseline.frame)  # the future did change


@pytest.mark.parametrize("t", [300, 900])
def test_features_up_to_t_ignore_a_future_of_noise_and_holes(
    bars: WideBars, feature_set: FeatureSet, baseline: FeatureFrame, t: int
) -> None:
    day = bars.sessions[t]

    perturbed = feature_set.transform(_noise_after(bars, t, seed=t))

    _assert_bit_identical(_through(perturbed.frame, day), _through(baseline.frame, day))


@pytest.mark.parametrize("as_of", ["2006-01-03", "2007-06-29", "2008-10-10", "2009-12-31"])
def test_features_from_a_view_at_t_equal_those_computed_later(
    market: MarketData, as_of: str
) -> None:
    features = FeatureSet()
    view = market.view(as_of)

    at_t = features.fit_transform(view)
    later = features.transform(market.view("2012-12-31"))

    _assert_bit_identical(at_t.frame, _through(later.frame, view.sessions[-1]))


@SETTINGS
@given(
    t=st.integers(min_value=0, max_value=N_SESSIONS - 2),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_any_t_any_future_leaves_features_up_to_t_unchanged(
    bars: WideBars, feature_set: FeatureSet, baseline: FeatureFrame, t: int, seed: int
) -> None:
    day = bars.sessions[t]

    perturbed = feature_set.transform(_scaled(bars, _after(bars, t), seed=seed, fields=FIELDS))

    _assert_bit_identical(_through(perturbed.frame, day), _through(baseline.frame, day))


@SETTINGS
@given(
    t=st.integers(min_value=0, max_value=N_SESSIONS - HORIZON - 1),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_a_label_at_t_changes_when_prices_after_t_change(bars: WideBars, t: int, seed: int) -> None:
    day = bars.sessions[t]
    labels = forward_returns(bars, HORIZON).xs(day, level="date")

    changed = forward_returns(
        _scaled(bars, _after(bars, t), seed=seed, fields=("close",)), HORIZON
    ).xs(day, level="date")

    known = labels.notna()
    assert known.any()
    assert (changed[known] != labels[known]).all()


@SETTINGS
@given(
    t=st.integers(min_value=1, max_value=N_SESSIONS - HORIZON - 1),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_a_label_at_t_reads_no_price_before_t_and_nothing_but_closes(
    bars: WideBars, t: int, seed: int
) -> None:
    day = bars.sessions[t]
    labels = forward_returns(bars, HORIZON).xs(day, level="date")
    before = np.arange(len(bars.sessions)) < t
    everywhere = np.ones(len(bars.sessions), dtype=bool)
    past_changed = _scaled(bars, before, seed=seed, fields=FIELDS)
    others_changed = _scaled(
        past_changed, everywhere, seed=seed + 1, fields=FIELDS[:3] + FIELDS[4:]
    )
    close_t_changed = _scaled(
        bars, np.arange(len(bars.sessions)) == t, seed=seed, fields=("close",)
    )

    unchanged = forward_returns(others_changed, HORIZON).xs(day, level="date")
    moved = forward_returns(close_t_changed, HORIZON).xs(day, level="date")

    assert FIELDS[3] == "close"
    _assert_bit_identical(unchanged.to_frame(), labels.to_frame())
    known = labels.notna()
    assert (moved[known] != labels[known]).all()
