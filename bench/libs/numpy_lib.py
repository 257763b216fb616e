"""Plain NumPy/SciPy lower bounds: the least work each task needs, without its constraints.

Not a competitor. Each bound estimates the moments from the returns frame (as every library
does here) and then does the core linear algebra of the task, without the long-only bounds:

- min variance: ``np.cov`` and one solve ``Sigma w = 1`` (shorting allowed);
- max Sharpe: mean, ``np.cov`` and one solve ``Sigma w = mu``;
- HRP: ``np.corrcoef``, SciPy single linkage, leaf order, a plain recursive bisection
  (the same problem as the libraries': its weights are compared);
- ERC: Newton's method on Spinu's convex problem, run to convergence (the same problem);
- frontier: 50 solves of the (n + 2) KKT system of min variance at a target return;
- Black-Litterman: the closed-form posterior and one solve with the posterior covariance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy

from bench.problem import (
    PERIODS_PER_YEAR,
    BlackLittermanSpec,
    Entry,
    Outcome,
    Task,
    frontier_targets,
)

NAME = "NumPy bound"
ROLE = "bound"

UNCONSTRAINED = "lower bound: unconstrained (shorting allowed), not the same problem"


def version() -> str:
    return f"numpy {np.__version__}, scipy {scipy.__version__}"


def _moments(returns: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    x = returns.to_numpy(dtype=float)
    return x.mean(axis=0) * PERIODS_PER_YEAR, np.cov(x, rowvar=False) * PERIODS_PER_YEAR


def _normalised(w: np.ndarray, returns: pd.DataFrame) -> pd.Series:
    return pd.Series(w / w.sum(), index=returns.columns)


def min_variance(returns: pd.DataFrame) -> Outcome:
    cov = np.cov(returns.to_numpy(dtype=float), rowvar=False) * PERIODS_PER_YEAR
    return Outcome(_normalised(np.linalg.solve(cov, np.ones(len(cov))), returns))


def max_sharpe(returns: pd.DataFrame) -> Outcome:
    mu, cov = _moments(returns)
    return Outcome(_normalised(np.linalg.solve(cov, mu), returns))


def hrp(returns: pd.DataFrame) -> Outcome:
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    x = returns.to_numpy(dtype=float)
    cov = np.cov(x, rowvar=False)
    corr = np.corrcoef(x, rowvar=False)
    dist = np.sqrt(np.clip((1.0 - corr) / 2.0, 0.0, 1.0))
    order = leaves_list(linkage(squareform(dist, checks=False), "single"))
    inv_var = 1.0 / np.diag(cov)
    weights = np.ones(len(cov))

    def cluster_variance(items: np.ndarray) -> float:
        w = inv_var[items] / inv_var[items].sum()
        return float(w @ cov[np.ix_(items, items)] @ w)

    clusters = [order]
    while clusters:
        clusters = [
            c[s]
            for c in clusters
            if len(c) > 1
            for s in (slice(None, len(c) // 2), slice(len(c) // 2, None))
        ]
        for left, right in zip(clusters[0::2], clusters[1::2], strict=True):
            v_left, v_right = cluster_variance(left), cluster_variance(right)
            alpha = 1.0 - v_left / (v_left + v_right)
            weights[left] *= alpha
            weights[right] *= 1.0 - alpha
    return Outcome(pd.Series(weights, index=returns.columns))


def erc(returns: pd.DataFrame) -> Outcome:
    cov = np.cov(returns.to_numpy(dtype=float), rowvar=False) * PERIODS_PER_YEAR
    n = len(cov)
    b = np.full(n, 1.0 / n)
    y = b / np.sqrt(np.diag(cov))
    y *= np.sqrt(b.sum() / (y @ cov @ y))
    for _ in range(50):
        grad = cov @ y - b / y
        step = np.linalg.solve(cov + np.diag(b / y**2), grad)
        decrement = float(np.sqrt(grad @ step))
        t = 1.0 if decrement < 0.25 else 1.0 / (1.0 + decrement)
        y = y - t * step
        if decrement < 1e-10:
            break
    return Outcome(_normalised(y, returns))


def frontier(returns: pd.DataFrame) -> Outcome:
    mu, cov = _moments(returns)
    n = len(cov)
    ones = np.ones(n)
    w_min = np.linalg.solve(cov, ones)
    w_min /= w_min.sum()
    kkt = np.zeros((n + 2, n + 2))
    kkt[:n, :n] = 2.0 * cov
    kkt[:n, n], kkt[n, :n] = mu, mu
    kkt[:n, n + 1], kkt[n + 1, :n] = ones, ones
    rows = []
    for target in frontier_targets(float(mu @ w_min), float(mu.max())):
        rhs = np.zeros(n + 2)
        rhs[n], rhs[n + 1] = target, 1.0
        rows.append(np.linalg.solve(kkt, rhs)[:n])
    return Outcome(pd.DataFrame(rows, columns=returns.columns))


def make_black_litterman(bl: BlackLittermanSpec) -> Task:
    def black_litterman(returns: pd.DataFrame) -> Outcome:
        cov = np.cov(returns.to_numpy(dtype=float), rowvar=False) * PERIODS_PER_YEAR
        n = len(cov)
        p, q = bl.picking(returns.columns), bl.q()
        prior = bl.delta * cov @ np.full(n, 1.0 / n)
        tau_sigma_pt = bl.tau * cov @ p.T
        omega = np.diag(np.diag(p @ tau_sigma_pt))
        a = p @ tau_sigma_pt + omega
        posterior = prior + tau_sigma_pt @ np.linalg.solve(a, q - p @ prior)
        post_cov = cov + bl.tau * cov - tau_sigma_pt @ np.linalg.solve(a, tau_sigma_pt.T)
        w = np.linalg.solve(post_cov, posterior)
        return Outcome(
            _normalised(w, returns), {"posterior_mu": pd.Series(posterior, index=returns.columns)}
        )

    return black_litterman


def entries(bl: BlackLittermanSpec) -> dict[str, Entry]:
    return {
        "min_variance": Entry(min_variance, UNCONSTRAINED),
        "max_sharpe": Entry(max_sharpe, UNCONSTRAINED),
        "hrp": Entry(hrp),
        "erc": Entry(erc),
        "frontier": Entry(frontier, UNCONSTRAINED),
        "black_litterman": Entry(make_black_litterman(bl), UNCONSTRAINED, "posterior_mu"),
    }
