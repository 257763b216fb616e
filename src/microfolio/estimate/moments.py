"""Numerical kernels: (exponentially weighted) means and covariances on plain float64 arrays.

Periodic unless the caller passes its annualisation factor as ``scale``; no pandas. Every Gram product is written ``A.T @ A`` on one buffer so
that BLAS runs ``syrk`` (half the work of a general product) and the result is exactly symmetric.

Weights are reliability weights: with normalised weights ``v`` (sum one), the covariance is
``sum v_t (x_t - m)(x_t - m)' / (1 - sum v_t^2)`` with ``m = sum v_t x_t``, unbiased and equal to
the ddof=1 sample covariance when all weights are equal (and to pandas' ``ewm().cov()``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "covariance_factor",
    "covariance_pairwise",
    "ewma_weights",
    "gram",
    "mean_available",
]

Floats = npt.NDArray[np.float64]


def ewma_weights(n_periods: int, half_life: float) -> Floats:
    """Unnormalised weights of ``n_periods`` rows, oldest first: the newest row weighs 1 and a row
    ``half_life`` rows older weighs half as much, ``w_t = 0.5 ** ((n - 1 - t) / half_life)``.

    An infinite half-life gives equal weights.
    """
    age = np.arange(n_periods - 1, -1, -1, dtype=np.float64)
    return np.exp2(-age / half_life)


def gram(matrix: Floats) -> Floats:
    """``matrix.T @ matrix`` (one BLAS ``syrk``: exactly symmetric)."""
    return matrix.T @ matrix


def covariance_factor(values: Floats, weights: Floats | None = None, scale: float = 1.0) -> Floats:
    """``F`` (rows x assets) whose Gram matrix ``F'F`` is ``scale`` times the unbiased (weighted)
    covariance of rows without missing values: the centred rows, each multiplied by the square
    root of its weight over the bias correction (one pass over the data)."""
    centred: Floats
    if weights is None:
        centred = values - values.mean(axis=0)
        centred *= np.sqrt(scale / (len(values) - 1.0))
        return centred
    v = weights / weights.sum()
    centred = values - v @ values
    centred *= np.sqrt(v * (scale / (1.0 - float(v @ v))))[:, None]
    return centred


def covariance_pairwise(values: Floats, weights: Floats | None = None) -> tuple[Floats, Floats]:
    """The (weighted) covariance of each pair over the rows where both have a value, with that
    pair's own means; and the number of rows each pair shares.

    With ``x`` the returns (0 where missing), ``m`` the presence mask and ``w`` the weights,
    ``cov_ij = (S_ij - s_ij s_ji / W_ij) / (W_ij - Q_ij / W_ij)`` where ``S = x'Wx``, ``s = x'Wm``,
    ``W = m'Wm``, ``Q = m'W^2 m``: the weighted formula of :func:`covariance_factor` on the
    rows of each pair. Columns are first shifted by their mean (covariances do not change) to keep
    the one-pass formula accurate.
    """
    present = ~np.isnan(values)
    mask = present.astype(np.float64)
    x = values - np.nanmean(values, axis=0)
    x[~present] = 0.0
    counts = gram(mask)
    if weights is None:
        sums = x.T @ mask
        cross = gram(x)
        total = counts
        squares = counts
    else:
        root = np.sqrt(weights)[:, None]
        weighted_mask = mask * weights[:, None]
        sums = x.T @ weighted_mask
        cross = gram(x * root)
        total = gram(mask * root)
        squares = gram(weighted_mask)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (cross - sums * sums.T / total) / (total - squares / total)
    return cov, counts


def mean_available(values: Floats, weights: Floats | None = None) -> Floats:
    """The (weighted) mean of each column over its non-missing rows (NaN if it has none)."""
    present = ~np.isnan(values)
    if present.all():
        if weights is None:
            return np.asarray(values.mean(axis=0), dtype=np.float64)
        return np.asarray((weights @ values) / weights.sum(), dtype=np.float64)
    filled = np.where(present, values, 0.0)
    counts = present.astype(np.float64)
    if weights is not None:
        filled *= weights[:, None]
        counts *= weights[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(filled.sum(axis=0) / counts.sum(axis=0), dtype=np.float64)
