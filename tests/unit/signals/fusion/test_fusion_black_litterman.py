"""Fused views in Black-Litterman: a noisy source's wide omega keeps it from dominating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fusion_testdata import HORIZON, SLOPE, daily_returns, panel, standard

from microfolio.optimize import BlackLitterman
from microfolio.signals.fusion import FusedViews, SignalHistory, SignalSource, ViewFusion
from microfolio.signals.volatility import vol_rescale

ANNUAL = 252 / HORIZON


def _rmse(mu: pd.Series, truth: pd.Series) -> float:
    return float(np.sqrt(((mu - truth.reindex(mu.index)) ** 2).mean()))


def _posterior(fused: FusedViews, returns: pd.DataFrame, equal_omega: bool = False) -> pd.Series:
    omega = list(fused.omega)
    if equal_omega:
        omega = [float(np.median(omega))] * len(omega)
    model = BlackLitterman(views=fused.views, omega=omega).fit(returns)
    return model.posterior_mu_


def test_posterior_follows_the_informative_source_not_the_noisy_one() -> None:
    # Arrange: "good" has label = 0.02 z + noise; "weak" is z buried in 4x noise. Today weak
    # says the opposite of good (its scores are -z), with the confidence its record earned.
    data = panel()
    good = data.calibrate(data.history(data.z, "good"))
    weak = data.calibrate(data.history(data.z + 4 * data.noise(), "weak"))
    z = standard(np.random.default_rng(3).standard_normal(len(data.tickers)), data.tickers)
    truth = ANNUAL * SLOPE * z
    returns = daily_returns(data.tickers)
    both = [
        SignalSource("good", data.as_of, z, good),
        SignalSource("weak", data.as_of, -z, weak),
    ]

    # Act
    fused = ViewFusion(kind="absolute").fuse(both, data.as_of)
    alone = ViewFusion(kind="absolute").fuse(both[:1], data.as_of)
    prior = BlackLitterman().fit(returns).prior_
    posterior = _posterior(fused, returns)
    good_only = _posterior(alone, returns)
    ignoring_errors = _posterior(fused, returns, equal_omega=True)

    # Assert: the posterior is near the truth, near good alone, and far better than it would
    # be if both sources were trusted alike
    assert weak.usable_
    assert len(fused) == 2 * len(data.tickers)
    assert np.corrcoef(posterior, truth)[0, 1] > 0.99
    assert _rmse(posterior, truth) < 0.5 * _rmse(prior, truth)
    assert _rmse(posterior, truth) < 1.25 * _rmse(good_only, truth)
    assert _rmse(ignoring_errors, truth) > 1.5 * _rmse(posterior, truth)


def test_a_pure_noise_source_leaves_the_posterior_of_the_good_one_unchanged() -> None:
    data = panel()
    good = data.calibrate(data.history(data.z, "good"))
    noise = data.calibrate(data.history(data.noise(), "noise"))
    z = standard(np.random.default_rng(3).standard_normal(len(data.tickers)), data.tickers)
    returns = daily_returns(data.tickers)

    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, z, good), SignalSource("noise", data.as_of, -z, noise)],
        data.as_of,
    )
    alone = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, z, good)], data.as_of
    )

    pd.testing.assert_series_equal(_posterior(fused, returns), _posterior(alone, returns))


def test_no_views_leave_the_prior_in_place() -> None:
    data = panel()
    noise = data.calibrate(data.history(data.noise(), "noise"))
    z = standard(np.random.default_rng(3).standard_normal(len(data.tickers)), data.tickers)

    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("noise", data.as_of, z, noise)], data.as_of
    )
    model = BlackLitterman(views=fused.views, omega=fused.omega).fit(daily_returns(data.tickers))

    assert len(fused) == 0
    pd.testing.assert_series_equal(
        model.posterior_mu_, model.prior_.rename("posterior"), check_names=False
    )


def test_views_go_with_a_covariance_rescaled_to_forecast_volatility() -> None:
    data = panel()
    good = data.calibrate(data.history(data.z, "good"))
    z = standard(np.random.default_rng(3).standard_normal(len(data.tickers)), data.tickers)
    fused = ViewFusion(kind="absolute").fuse(
        [SignalSource("good", data.as_of, z, good)], data.as_of
    )
    returns = daily_returns(data.tickers)
    cov = returns.cov() * 252
    vols = pd.Series(0.30, index=data.tickers[:5])

    model = BlackLitterman(views=fused.views, omega=fused.omega).fit_moments(vol_rescale(cov, vols))

    assert model.prior_.index.tolist() == data.tickers
    assert float(model.weights_.sum()) + model.cash_ == pytest.approx(1.0)
    # the rescaled assets are riskier in the prior, so the equilibrium asks more of them
    assert model.prior_[data.tickers[:5]].min() > model.prior_[data.tickers[5:]].max()


def test_centred_views_leave_the_level_to_the_prior_and_absolute_ones_pull_it_to_zero() -> None:
    # Arrange: every label also carries the date's market move (mean 1%, sd 3% a horizon),
    # which a per-date standardised score cannot know
    data = panel()
    market = data.rng.normal(0.01, 0.03, len(data.dates))
    moves = pd.Series(market, index=data.dates).reindex(data.index.get_level_values("date"))
    history = SignalHistory(
        pd.Series(data.z, index=data.index), data.labels + moves.to_numpy(), "good"
    )
    calibration = data.calibrate(history)
    z = standard(np.random.default_rng(3).standard_normal(len(data.tickers)), data.tickers)
    source = SignalSource("good", data.as_of, z, calibration)
    returns = daily_returns(data.tickers, common=0.01)

    # Act
    absolute = _posterior(ViewFusion(kind="absolute").fuse([source], data.as_of), returns)
    centred = _posterior(ViewFusion(kind="centred").fuse([source], data.as_of), returns)
    prior = BlackLitterman().fit(returns).prior_

    # Assert: the market's error is common to all absolute views, and the centred ones do
    # not carry it
    assert calibration.common_variance_ > 0.5 * calibration.residual_variance_
    assert calibration.specific_variance_ < 0.2 * calibration.residual_variance_
    assert abs(centred.mean() - prior.mean()) < 0.25 * abs(absolute.mean() - prior.mean())
    assert absolute.mean() < 0.5 * prior.mean()
    # and the cross-sectional signal gets through only when the views do not carry it either
    truth = ANNUAL * SLOPE * z
    assert np.polyfit(truth, centred - prior, 1)[0] > 0.6
    assert np.polyfit(truth, absolute - prior, 1)[0] < 0.2
