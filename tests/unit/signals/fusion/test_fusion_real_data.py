"""Real-data smoke: the bundled ETFs' 12-1 momentum, 2009-2012, calibrated on 2013-01-02."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import EtfMomentum
from microfolio.estimate import SampleCovariance
from microfolio.features import forward_returns
from microfolio.optimize import BlackLitterman
from microfolio.signals.fusion import Calibration, SignalHistory, SignalSource, ViewFusion

AS_OF = pd.Timestamp("2013-01-02")
HORIZON = 21


def _history(
    data: EtfMomentum, sign: float = 1.0, labels: pd.Series | None = None
) -> SignalHistory:
    momentum = sign * data.momentum
    dates = momentum.index.get_level_values("date")
    scored = momentum[(dates >= "2009-01-01") & (dates <= "2012-12-31")]
    name = "momentum" if sign > 0 else "contrarian"
    return SignalHistory.from_scores(scored, data.labels if labels is None else labels, name)


def _returns(data: EtfMomentum, tickers: pd.Index) -> pd.DataFrame:
    close = data.view.close.loc["2010-01-04":AS_OF, list(tickers)].dropna(axis=1)
    return close.pct_change().iloc[1:]


def test_momentum_2009_2012_earns_no_views_and_black_litterman_keeps_its_prior(
    etf_momentum: EtfMomentum,
) -> None:
    history = _history(etf_momentum)

    calibration = Calibration(horizon=HORIZON).fit(history, AS_OF, etf_momentum.view.sessions)
    source = SignalSource.from_forecast(etf_momentum.momentum, AS_OF, calibration)
    returns = _returns(etf_momentum, source.scores.index)
    fused = ViewFusion(kind="absolute").fuse([source], AS_OF, universe=returns.columns)
    model = BlackLitterman(views=fused.views, omega=fused.omega).fit(returns)

    # 986 dates of 2009-2012 have a label known on 2013-01-02 (the last 21 do not)
    assert calibration.n_dates_ == 986
    assert calibration.step_ == HORIZON
    assert calibration.slope_ < 0  # momentum crashed in 2009: no out-of-sample edge
    assert not calibration.usable_
    assert fused.skipped == {"momentum": calibration.reason_}
    assert np.allclose(model.posterior_mu_, model.prior_)


def test_a_weak_real_source_gets_wide_views_that_black_litterman_accepts(
    etf_momentum: EtfMomentum,
) -> None:
    history = _history(etf_momentum, sign=-1.0)
    calibration = Calibration(horizon=HORIZON, min_t_stat=None).fit(
        history, AS_OF, etf_momentum.view.sessions
    )
    source = SignalSource.from_forecast(-etf_momentum.momentum, AS_OF, calibration, "contrarian")
    returns = _returns(etf_momentum, source.scores.index)

    fused = {
        kind: ViewFusion(kind=kind).fuse([source], AS_OF, universe=returns.columns)
        for kind in ("absolute", "centred", "relative")
    }
    models = {
        kind: BlackLitterman(views=views.views, omega=views.omega).fit(returns)
        for kind, views in fused.items()
    }

    assert calibration.usable_
    assert abs(calibration.ic_t_stat_) < 2  # not significant: only the gate was lowered
    assert len(fused["absolute"]) == len(fused["centred"]) == returns.shape[1] == 42
    assert len(fused["relative"]) == 1
    tau_variance = 0.05 * np.diag(SampleCovariance().fit(returns).covariance_)
    for views in fused.values():  # wide: each view is far less certain than the prior
        assert np.median(views.omega) > 5 * np.median(tau_variance)
    for model in models.values():
        assert np.isfinite(model.posterior_mu_).all()
        assert float(model.weights_.sum()) + model.cash_ == pytest.approx(1.0)
    # one wide spread view barely moves the prior; 42 per-ticker views add up to more
    tilt = {k: float((m.posterior_mu_ - m.prior_).abs().max()) for k, m in models.items()}
    assert tilt["relative"] < 0.01
    assert tilt["relative"] < tilt["absolute"]


def test_labels_from_after_the_calibration_date_change_nothing(etf_momentum: EtfMomentum) -> None:
    sessions = etf_momentum.view.sessions
    as_known_then = forward_returns(etf_momentum.market.view(AS_OF), HORIZON)

    full = Calibration(horizon=HORIZON).fit(_history(etf_momentum), AS_OF, sessions)
    then = Calibration(horizon=HORIZON).fit(
        _history(etf_momentum, labels=as_known_then), AS_OF, sessions
    )

    assert then.summary() == full.summary()
    pd.testing.assert_series_equal(then.ticker_variance_, full.ticker_variance_)
