"""Agreement between libraries: largest absolute weight differences, and objective values
computed from each library's weights with one shared set of moments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.problem import PERIODS_PER_YEAR, BlackLittermanSpec, Outcome

__all__ = ["Moments", "max_abs_diff", "objective"]


class Moments:
    """Annualised sample mean and covariance (ddof=1) of one returns frame, and the
    Black-Litterman posterior mean and covariance of the benchmark's views."""

    def __init__(self, returns: pd.DataFrame, bl: BlackLittermanSpec) -> None:
        x = returns.to_numpy(dtype=float)
        self.tickers = returns.columns
        self.mu = x.mean(axis=0) * PERIODS_PER_YEAR
        self.cov = np.cov(x, rowvar=False) * PERIODS_PER_YEAR
        n = len(self.cov)
        p, q = bl.picking(returns.columns), bl.q()
        prior = bl.delta * self.cov @ np.full(n, 1.0 / n)
        tau_sigma_pt = bl.tau * self.cov @ p.T
        a = p @ tau_sigma_pt + np.diag(np.diag(p @ tau_sigma_pt))
        self.mu_bl = prior + tau_sigma_pt @ np.linalg.solve(a, q - p @ prior)
        self.cov_bl = (1 + bl.tau) * self.cov - tau_sigma_pt @ np.linalg.solve(a, tau_sigma_pt.T)

    def aligned(self, weights: pd.Series) -> np.ndarray:
        return weights.reindex(self.tickers).fillna(0.0).to_numpy(dtype=float)


def max_abs_diff(a: pd.Series | pd.DataFrame, b: pd.Series | pd.DataFrame) -> float | None:
    """The largest |a - b| over every asset (and every frontier point); None if the shapes
    cannot be matched (e.g. frontiers with different numbers of points)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            return None
        if a.shape[0] != b.shape[0]:
            return None
        columns = a.columns.union(b.columns)
        left = a.reindex(columns=columns).fillna(0.0).to_numpy()
        right = b.reindex(columns=columns).fillna(0.0).to_numpy()
        return float(np.max(np.abs(left - right)))
    index = a.index.union(b.index)
    return float((a.reindex(index).fillna(0.0) - b.reindex(index).fillna(0.0)).abs().max())


def objective(task: str, outcome: Outcome, moments: Moments) -> dict[str, object]:
    """What the task optimises, evaluated on the shared moments (annualised)."""
    weights = outcome.weights
    if task == "frontier" and isinstance(weights, pd.DataFrame):
        w = weights.reindex(columns=moments.tickers).fillna(0.0).to_numpy(dtype=float)
        vol = np.sqrt(np.einsum("ij,jk,ik->i", w, moments.cov, w))
        return {
            "mean_volatility": float(vol.mean()),
            "volatilities": [float(v) for v in vol],
            "returns": [float(r) for r in w @ moments.mu],
            "infeasibility": [float(max(abs(row.sum() - 1.0), -row.min(), 0.0)) for row in w],
            "first_return": float(w[0] @ moments.mu),
            "last_return": float(w[-1] @ moments.mu),
            "min_weight": float(w.min()),
        }
    if not isinstance(weights, pd.Series):
        return {}
    w = moments.aligned(weights)
    marginal = moments.cov @ w
    variance = float(w @ marginal)
    out = {"volatility": float(np.sqrt(variance)), "min_weight": float(w.min())}
    out["infeasibility"] = float(max(abs(w.sum() - 1.0), -w.min(), 0.0))
    if task == "max_sharpe":
        out["sharpe"] = float(w @ moments.mu / np.sqrt(variance))
    if task == "black_litterman":
        out["posterior_sharpe"] = float(w @ moments.mu_bl / np.sqrt(w @ moments.cov_bl @ w))
    if task == "erc":
        contributions = w * marginal / variance
        out["rc_error"] = float(np.max(np.abs(contributions * len(w) - 1.0)))
    return out
