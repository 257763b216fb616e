"""Every estimator follows the scikit-learn contract and refuses bad input with one clear line."""

import numpy as np
import pandas as pd
import pytest
from estimate_helpers import make_returns
from sklearn.base import BaseEstimator, clone

import microfolio.estimate
from microfolio.errors import MicrofolioError
from microfolio.estimate import (
    OAS,
    CovarianceEstimator,
    EquilibriumReturns,
    EWMACovariance,
    EWMAMean,
    ExpectedReturnsEstimator,
    ExternalReturns,
    FactorCovariance,
    HistoricalMean,
    LedoitWolf,
    SampleCovariance,
)

FORECASTS = pd.Series({f"T{i:03d}": 0.01 * i for i in range(6)})

ESTIMATORS: list[BaseEstimator] = [
    HistoricalMean(periods_per_year=12),
    EWMAMean(half_life=30.0),
    EquilibriumReturns(
        weights={f"T{i:03d}": 1.0 for i in range(6)},
        risk_aversion=3.0,
        cov_estimator=LedoitWolf(),
        risk_free_rate=0.01,
    ),
    ExternalReturns(FORECASTS, fill=HistoricalMean()),
    SampleCovariance(min_periods=20, missing="pairwise"),
    EWMACovariance(half_life=40.0),
    LedoitWolf(periods_per_year=52),
    OAS(),
    FactorCovariance(n_factors=2),
]


def _name(estimator: BaseEstimator) -> str:
    return type(estimator).__name__


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_name)
def test_parameters_survive_get_params_and_clone(estimator: BaseEstimator) -> None:
    copy = clone(estimator)

    params = estimator.get_params(deep=False)
    copied = copy.get_params(deep=False)
    assert copied.keys() == params.keys()
    for key, value in params.items():
        if isinstance(value, BaseEstimator):
            assert copied[key].get_params() == value.get_params()
        elif isinstance(value, pd.Series):
            pd.testing.assert_series_equal(copied[key], value)
        else:
            assert copied[key] == value


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_name)
def test_fit_returns_self_and_learns_labelled_annualised_state(estimator: BaseEstimator) -> None:
    returns = make_returns()

    fitted = estimator.fit(returns)

    assert fitted is estimator
    if isinstance(estimator, ExpectedReturnsEstimator):
        assert list(fitted.mu_.index) == list(returns.columns)
        assert np.isfinite(fitted.mu_.to_numpy()).all()
    else:
        assert isinstance(estimator, CovarianceEstimator)
        cov = fitted.covariance_
        assert list(cov.index) == list(cov.columns) == list(returns.columns)
        np.testing.assert_array_equal(cov.to_numpy(), cov.to_numpy().T)
        assert np.linalg.eigvalsh(cov.to_numpy()).min() > 0.0
        assert isinstance(fitted.repaired_, bool)
        assert isinstance(fitted.repair_detail_, str)


def test_parameters_are_stored_as_given_and_checked_only_at_fit() -> None:
    estimator = EWMACovariance(half_life=-1.0)  # accepted here, as scikit-learn requires

    assert estimator.get_params()["half_life"] == -1.0
    with pytest.raises(MicrofolioError, match="half_life must be positive"):
        estimator.fit(make_returns())


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_name)
@pytest.mark.parametrize(
    ("returns", "message"),
    [
        (np.zeros((10, 3)), "returns must be a DataFrame, got ndarray"),
        (pd.DataFrame(index=range(5)), "returns have no columns"),
        (pd.DataFrame({"T000": [0.01]}), "returns need at least 2 rows, got 1"),
        (pd.DataFrame({"T000": [0.01, np.inf, 0.0]}), "returns contain infinite values"),
        (pd.DataFrame({"T000": [0.01, 0.02], "T001": [np.nan, np.nan]}), "T001 are all missing"),
    ],
    ids=["ndarray", "no-columns", "one-row", "infinite", "all-missing"],
)
def test_bad_returns_are_refused_with_one_line(
    estimator: BaseEstimator, returns: object, message: str
) -> None:
    with pytest.raises(MicrofolioError, match=message) as caught:
        clone(estimator).fit(returns)

    assert "\n" not in str(caught.value)


def test_the_package_exports_every_public_name() -> None:
    for name in microfolio.estimate.__all__:
        assert hasattr(microfolio.estimate, name), name
