"""QLIKE and squared error on variances, and the realised-variance target."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError, InvariantError
from microfolio.estimate import TRADING_DAYS
from microfolio.signals.volatility import (
    forward_realised_variance,
    mse,
    qlike,
    qlike_loss,
    squared_error,
)


def test_qlike_is_zero_at_a_perfect_forecast() -> None:
    realised = np.array([0.01, 0.04, 0.2])

    assert qlike_loss(0.04, 0.04) == 0.0
    np.testing.assert_array_equal(qlike_loss(realised, realised), np.zeros(3))
    assert qlike(realised, realised) == 0.0


@pytest.mark.parametrize("forecast", [0.001, 0.02, 0.039, 0.041, 0.08, 5.0])
def test_qlike_is_positive_at_any_other_forecast(forecast: float) -> None:
    assert qlike_loss(forecast, 0.04) > 0.0


def test_qlike_is_pattons_normalised_formula() -> None:
    h, rv = 0.05, 0.03

    assert qlike_loss(h, rv) == pytest.approx(rv / h - math.log(rv / h) - 1.0, rel=1e-14)
    assert qlike([h, 2 * h], [rv, rv]) == pytest.approx(
        np.mean([rv / h - math.log(rv / h) - 1.0, rv / (2 * h) - math.log(rv / (2 * h)) - 1.0])
    )


def test_qlike_penalises_under_prediction_more_than_over_prediction() -> None:
    assert qlike_loss(0.5, 1.0) > qlike_loss(2.0, 1.0)


def test_qlike_of_a_zero_realised_variance_is_infinite() -> None:
    assert qlike_loss(0.04, 0.0) == math.inf


def test_squared_error_and_mse() -> None:
    assert squared_error(0.04, 0.04) == 0.0
    assert squared_error(0.05, 0.03) == pytest.approx(0.02**2)
    assert mse([0.05, 0.04], [0.03, 0.04]) == pytest.approx(0.02**2 / 2)


@pytest.mark.parametrize(
    ("forecast", "realised", "message"),
    [
        (0.0, 0.04, "forecast_var must be positive"),
        (-0.01, 0.04, "forecast_var must be positive"),
        (np.nan, 0.04, "forecast_var must be positive"),
        (0.04, -0.01, "realised_var must be non-negative"),
        (0.04, np.inf, "realised_var must be non-negative"),
        ([0.04, 0.05], [0.04], "one shape"),
        ([], [], "empty"),
    ],
)
def test_losses_refuse_bad_inputs(forecast: object, realised: object, message: str) -> None:
    with pytest.raises(DataFormatError, match=message):
        qlike(forecast, realised)  # type: ignore[arg-type]
    with pytest.raises(DataFormatError, match=message):
        mse(forecast, realised)  # type: ignore[arg-type]


# -- the target -----------------------------------------------------------------------------------


def test_realised_variance_uses_only_the_returns_after_the_origin() -> None:
    returns = pd.Series([0.01, -0.02, 0.03, 0.0, -0.01, 0.02])

    target = forward_realised_variance(returns, horizon=2)

    expected = [
        (0.02**2 + 0.03**2),
        (0.03**2 + 0.0**2),
        (0.0**2 + 0.01**2),
        (0.01**2 + 0.02**2),
    ]
    np.testing.assert_allclose(target.iloc[:4], np.array(expected) * TRADING_DAYS / 2, rtol=1e-14)
    assert target.iloc[4:].isna().all()
    assert target.index.equals(returns.index)


def test_realised_variance_ignores_the_origin_and_before() -> None:
    returns = pd.Series([0.01, -0.02, 0.03, 0.0, -0.01, 0.02])
    changed = returns.copy()
    changed.iloc[:3] = [0.5, -0.5, 0.5]  # up to and including origin 2

    assert (
        forward_realised_variance(changed, 2).iloc[2]
        == forward_realised_variance(returns, 2).iloc[2]
    )


@pytest.mark.parametrize("horizon", [0, -1, 1.5, True])
def test_realised_variance_refuses_a_bad_horizon(horizon: object) -> None:
    with pytest.raises(InvariantError, match="horizon must be an integer >= 1"):
        forward_realised_variance(pd.Series([0.01, 0.02, 0.03]), horizon)  # type: ignore[arg-type]
