import numpy as np
import pandas as pd
import pytest

from microfolio.errors import MicrofolioError
from microfolio.optimize import InverseVolatility


def _returns(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scales = np.array([0.01, 0.02, 0.04])
    return pd.DataFrame(rng.normal(0.0, 1.0, (500, 3)) * scales, columns=["A", "B", "C"])


def test_weights_are_proportional_to_inverse_volatility() -> None:
    returns = _returns()

    model = InverseVolatility().fit(returns)

    inverse = 1.0 / returns.std(ddof=1)
    expected = inverse / inverse.sum()
    pd.testing.assert_series_equal(model.weights_, expected, check_names=False)
    assert model.weights_["A"] > model.weights_["B"] > model.weights_["C"]


def test_cash_is_kept_and_weights_plus_cash_sum_to_one() -> None:
    model = InverseVolatility(cash=0.02).fit(_returns())

    assert model.cash_ == 0.02
    assert model.weights_.sum() + model.cash_ == pytest.approx(1.0)


def test_assets_with_too_little_history_get_no_weight() -> None:
    returns = _returns()
    returns.loc[:480, "C"] = np.nan  # listed late: only 19 returns

    model = InverseVolatility(min_observations=60).fit(returns)

    assert model.weights_["C"] == 0.0
    assert model.weights_.sum() == pytest.approx(1.0)


def test_no_usable_asset_is_a_clear_error() -> None:
    returns = _returns().iloc[:10]

    with pytest.raises(MicrofolioError, match="no asset has 60 returns"):
        InverseVolatility().fit(returns)


def test_parameters_follow_the_estimator_contract() -> None:
    assert InverseVolatility(cash=0.1).get_params() == {
        "cash": 0.1,
        "min_observations": 60,
        "constraints": None,
    }
