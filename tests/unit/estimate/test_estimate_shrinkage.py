import numpy as np
import pytest
import sklearn.covariance
from estimate_helpers import make_returns

from microfolio.estimate import OAS, TRADING_DAYS, LedoitWolf


@pytest.mark.parametrize(("n_rows", "n_assets"), [(300, 6), (120, 40), (30, 80)])
def test_ledoit_wolf_matches_scikit_learn(n_rows: int, n_assets: int) -> None:
    returns = make_returns(n_rows, n_assets)

    model = LedoitWolf().fit(returns)

    expected, shrinkage = sklearn.covariance.ledoit_wolf(returns.to_numpy())
    np.testing.assert_allclose(
        model.covariance_.to_numpy(), expected * TRADING_DAYS, rtol=1e-10, atol=1e-14
    )
    assert model.shrinkage_ == pytest.approx(shrinkage, rel=1e-10)


@pytest.mark.parametrize(("n_rows", "n_assets"), [(300, 6), (120, 40), (30, 80)])
def test_oas_matches_scikit_learn(n_rows: int, n_assets: int) -> None:
    returns = make_returns(n_rows, n_assets)

    model = OAS().fit(returns)

    expected, shrinkage = sklearn.covariance.oas(returns.to_numpy())
    np.testing.assert_allclose(
        model.covariance_.to_numpy(), expected * TRADING_DAYS, rtol=1e-10, atol=1e-14
    )
    assert model.shrinkage_ == pytest.approx(shrinkage, rel=1e-10)


def test_shrinkage_keeps_more_assets_than_days_positive_definite_without_repair() -> None:
    returns = make_returns(n_rows=30, n_assets=80)

    model = LedoitWolf().fit(returns)

    assert model.shrinkage_ > 0.0
    assert np.linalg.eigvalsh(model.covariance_.to_numpy()).min() > 0.0
    assert model.repaired_ is False


def test_one_asset_is_not_shrunk() -> None:
    returns = make_returns(n_assets=1)

    model = OAS().fit(returns)

    assert model.shrinkage_ == 0.0
    variance = returns.var(ddof=0).iloc[0] * TRADING_DAYS  # the maximum-likelihood variance
    assert model.covariance_.iloc[0, 0] == pytest.approx(variance, rel=1e-12)


def test_shrinkage_uses_complete_rows() -> None:
    returns = make_returns()
    returns.iloc[:40, 0] = np.nan

    model = LedoitWolf().fit(returns)

    expected, _ = sklearn.covariance.ledoit_wolf(returns.iloc[40:].to_numpy())
    np.testing.assert_allclose(model.covariance_.to_numpy(), expected * TRADING_DAYS, rtol=1e-10)
    assert model.n_observations_ == 260
