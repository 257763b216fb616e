from typing import Self

import numpy as np
import pandas as pd
import pytest
from estimate_helpers import make_returns

from microfolio.errors import MicrofolioError
from microfolio.estimate import (
    TRADING_DAYS,
    CovarianceEstimator,
    EquilibriumReturns,
    EWMAMean,
    ExternalReturns,
    HistoricalMean,
    SampleCovariance,
)


class FixedCovariance(CovarianceEstimator):
    """A covariance estimator that ignores the returns: lets the tests hand-compute."""

    def __init__(self, matrix: pd.DataFrame | None = None) -> None:
        self.matrix = matrix

    def fit(self, returns: pd.DataFrame, y: object = None) -> Self:
        assert self.matrix is not None
        self.covariance_ = self.matrix
        return self


# -- EWMA mean ------------------------------------------------------------------------------------


def test_ewma_mean_weights_each_row_by_its_age_in_half_lives() -> None:
    returns = pd.DataFrame({"A": [0.01, 0.02, 0.04]})

    mu = EWMAMean(half_life=1.0).fit(returns).mu_

    # weights oldest first: 0.25, 0.5, 1 (the newest row counts most)
    expected = (0.25 * 0.01 + 0.5 * 0.02 + 1.0 * 0.04) / 1.75 * TRADING_DAYS
    assert mu["A"] == pytest.approx(expected, rel=1e-12)


def test_ewma_mean_skips_missing_returns_and_renormalises_the_rest() -> None:
    returns = pd.DataFrame({"A": [0.01, np.nan, 0.04], "B": [0.0, 0.0, 0.0]})

    mu = EWMAMean(half_life=1.0).fit(returns).mu_

    assert mu["A"] == pytest.approx((0.25 * 0.01 + 1.0 * 0.04) / 1.25 * TRADING_DAYS)
    assert mu["B"] == 0.0


def test_ewma_mean_with_an_infinite_half_life_is_the_historical_mean() -> None:
    returns = make_returns()

    ewma = EWMAMean(half_life=float("inf")).fit(returns).mu_
    plain = HistoricalMean().fit(returns).mu_

    np.testing.assert_allclose(ewma.to_numpy(), plain.to_numpy(), rtol=1e-12)


# -- equilibrium returns --------------------------------------------------------------------------


def test_equilibrium_returns_are_risk_aversion_times_covariance_times_weights_plus_rf() -> None:
    cov = pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=["A", "B"], columns=["A", "B"])
    estimator = EquilibriumReturns(
        weights={"A": 60.0, "B": 40.0},  # capitalisations: scaled to 0.6 / 0.4
        risk_aversion=2.5,
        cov_estimator=FixedCovariance(cov),
        risk_free_rate=0.02,
    )

    model = estimator.fit(make_returns(n_assets=2).set_axis(["A", "B"], axis=1))

    # pi_A = 2.5 * (0.04 * 0.6 + 0.01 * 0.4) + 0.02 = 0.09
    # pi_B = 2.5 * (0.01 * 0.6 + 0.09 * 0.4) + 0.02 = 0.125
    assert model.mu_["A"] == pytest.approx(0.09, rel=1e-12)
    assert model.mu_["B"] == pytest.approx(0.125, rel=1e-12)
    assert model.weights_.tolist() == pytest.approx([0.6, 0.4])


def test_equilibrium_returns_default_to_equal_weights_and_the_sample_covariance() -> None:
    returns = make_returns()

    model = EquilibriumReturns().fit(returns)

    sigma = SampleCovariance().fit(returns).covariance_.to_numpy()
    expected = 2.5 * sigma @ np.full(6, 1 / 6)
    np.testing.assert_allclose(model.mu_.to_numpy(), expected, rtol=1e-12)
    assert model.cov_estimator_.repaired_ is False


def test_equilibrium_weights_must_cover_exactly_the_returns_tickers() -> None:
    returns = make_returns(n_assets=3)
    partial = {"T000": 0.5, "T001": 0.5}
    extra = {"T000": 0.3, "T001": 0.3, "T002": 0.3, "XYZ": 0.1}

    with pytest.raises(MicrofolioError, match="weights missing for T002"):
        EquilibriumReturns(weights=partial).fit(returns)
    with pytest.raises(MicrofolioError, match="not in the returns: XYZ"):
        EquilibriumReturns(weights=extra).fit(returns)
    with pytest.raises(MicrofolioError, match="sum to a positive number"):
        EquilibriumReturns(weights=pd.Series(0.0, index=returns.columns)).fit(returns)
    with pytest.raises(MicrofolioError, match="risk_aversion must be positive"):
        EquilibriumReturns(risk_aversion=-1.0).fit(returns)


# -- external forecasts ---------------------------------------------------------------------------


def test_external_forecasts_pass_through_aligned_with_the_returns() -> None:
    returns = make_returns(n_assets=3)
    forecasts = pd.Series({"T002": 0.07, "T000": 0.05, "T001": 0.06, "OTHER": 0.5})

    model = ExternalReturns(forecasts).fit(returns)

    assert list(model.mu_.index) == list(returns.columns)  # aligned; OTHER ignored
    assert model.mu_.tolist() == [0.05, 0.06, 0.07]
    assert model.filled_ == ()


def test_external_forecasts_missing_a_ticker_are_refused_by_default() -> None:
    returns = make_returns(n_assets=3)

    with pytest.raises(MicrofolioError, match="no forecast for T001, T002"):
        ExternalReturns({"T000": 0.05, "T001": np.nan}).fit(returns)


def test_external_forecasts_gaps_take_the_fill_number_or_estimator() -> None:
    returns = make_returns(n_assets=3)
    forecasts = {"T000": 0.05}

    by_number = ExternalReturns(forecasts, fill=0.0).fit(returns)
    by_estimator = ExternalReturns(forecasts, fill=HistoricalMean()).fit(returns)

    assert by_number.mu_.tolist() == [0.05, 0.0, 0.0]
    assert by_number.filled_ == ("T001", "T002")
    history = HistoricalMean().fit(returns).mu_
    assert by_estimator.mu_["T000"] == 0.05
    assert by_estimator.mu_["T002"] == pytest.approx(history["T002"])


def test_external_forecasts_that_are_infinite_or_repeat_a_ticker_are_refused() -> None:
    returns = make_returns(n_assets=2)
    repeated = pd.Series([0.1, 0.2, 0.3], index=["T000", "T001", "T000"])

    with pytest.raises(MicrofolioError, match="infinite"):
        ExternalReturns({"T000": np.inf, "T001": 0.1}).fit(returns)
    with pytest.raises(MicrofolioError, match="name a ticker twice"):
        ExternalReturns(repeated).fit(returns)
    with pytest.raises(MicrofolioError, match="forecasts must be numbers by ticker"):
        ExternalReturns({"T000": "high", "T001": 0.1}).fit(returns)  # type: ignore[dict-item]
    with pytest.raises(MicrofolioError, match="fill must be a finite number"):
        ExternalReturns({"T000": 0.1}, fill=np.nan).fit(returns)
