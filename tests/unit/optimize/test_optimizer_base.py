from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from microfolio.errors import DataFormatError
from microfolio.optimize import MaxSharpe, MinVariance


def _cov() -> pd.DataFrame:
    tickers = ["A", "B", "C"]
    return pd.DataFrame(
        [[0.04, 0.006, 0.0], [0.006, 0.09, 0.01], [0.0, 0.01, 0.0225]],
        index=tickers,
        columns=tickers,
    )


def test_an_asymmetric_covariance_is_refused() -> None:
    cov = _cov()
    cov.loc["A", "B"] = 0.02

    with pytest.raises(DataFormatError, match="not symmetric"):
        MinVariance().fit_moments(cov)


def test_a_method_that_needs_returns_refuses_to_run_without_them() -> None:
    with pytest.raises(DataFormatError, match="needs expected returns"):
        MaxSharpe().fit_moments(_cov())


def test_explain_gives_risk_contributions_that_sum_to_one_and_the_volatility() -> None:
    model = MinVariance().fit_moments(_cov())

    explanation = model.explain()

    w = model.weights_.to_numpy()
    assert explanation.volatility == pytest.approx(float(np.sqrt(w @ _cov().to_numpy() @ w)))
    assert explanation.risk_contributions.sum() == pytest.approx(1.0)
    # at the minimum-variance portfolio every held asset has the same marginal risk
    marginal = _cov().to_numpy() @ w
    assert np.ptp(marginal[w > 1e-9]) == pytest.approx(0.0, abs=1e-10)
    assert explanation.expected_return is None


def test_to_target_keeps_weights_and_cash() -> None:
    model = MinVariance().fit_moments(_cov())

    target = model.to_target(date(2020, 1, 2))

    assert target.method == "min_variance"
    assert sum(target.weights.values()) + target.cash == pytest.approx(1.0)
    assert target.fallback_chain == model.fallback_chain_
