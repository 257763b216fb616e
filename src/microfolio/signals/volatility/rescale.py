"""Put forecast volatilities into a covariance matrix, keeping its correlations.

``vol_rescale(cov, vols)`` returns ``D R D`` where ``R`` is the correlation matrix of ``cov`` and
``D = diag(vols)``: each asset's variance becomes its forecast, each correlation is unchanged.
It is the congruence ``S cov S`` with ``S = diag(vols / sqrt(diag(cov)))`` positive, so a
positive (semi-)definite covariance stays so (Sylvester's law of inertia). Assets missing from
``vols`` keep their volatility. ``cov`` and ``vols`` must share units (annualised, as the
estimators and the forecasters give them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microfolio.errors import DataFormatError, NotFoundError

__all__ = ["vol_rescale"]

#: relative asymmetry refused, and relative negative eigenvalue tolerated as round-off
_TOLERANCE = 1e-8


def vol_rescale(covariance: pd.DataFrame, vols: pd.Series) -> pd.DataFrame:
    """``covariance`` with the volatilities of the assets in ``vols`` replaced by ``vols``.

    Refuses a covariance that is not a square, symmetric, finite, positive semi-definite frame
    with the same labels on both axes and positive variances, and vols that are not positive
    and finite or name assets the covariance does not have. Pure: returns a new frame.
    """
    matrix = _checked_covariance(covariance)
    if not isinstance(vols, pd.Series):
        raise DataFormatError(f"vols must be a pandas Series, got {type(vols).__name__}")
    if not vols.index.is_unique:
        raise DataFormatError(
            f"vols have duplicate tickers: {vols.index[vols.index.duplicated()].tolist()}"
        )
    unknown = vols.index.difference(covariance.index)
    if len(unknown) > 0:
        raise NotFoundError(f"vols name tickers not in the covariance: {unknown.tolist()}")
    values = vols.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values <= 0.0):
        bad = vols[~(np.isfinite(values) & (values > 0.0))]
        raise DataFormatError(f"vols must be positive and finite, got {bad.to_dict()}")
    current = np.sqrt(np.diagonal(matrix))
    target = vols.reindex(covariance.index).to_numpy(dtype=np.float64)
    target = np.where(np.isnan(target), current, target)
    factor = target / current
    rescaled = matrix * np.outer(factor, factor)
    rescaled = 0.5 * (rescaled + rescaled.T)
    np.fill_diagonal(rescaled, np.square(target))
    return pd.DataFrame(rescaled, index=covariance.index, columns=covariance.columns)


def _checked_covariance(covariance: pd.DataFrame) -> np.ndarray:
    if not isinstance(covariance, pd.DataFrame):
        raise DataFormatError(f"covariance must be a DataFrame, got {type(covariance).__name__}")
    n_rows, n_columns = covariance.shape
    if n_rows == 0 or n_rows != n_columns:
        raise DataFormatError(
            f"covariance must be square and non-empty, got shape {covariance.shape}"
        )
    if not covariance.index.equals(covariance.columns) or not covariance.index.is_unique:
        raise DataFormatError("covariance must have the same unique tickers on index and columns")
    matrix = covariance.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(matrix)):
        raise DataFormatError("covariance has missing or infinite entries")
    variances = np.diagonal(matrix)
    if np.any(variances <= 0.0):
        bad = covariance.index[variances <= 0.0].tolist()
        raise DataFormatError(f"covariance has non-positive variances for {bad}")
    scale = float(np.max(variances))
    if float(np.max(np.abs(matrix - matrix.T))) > _TOLERANCE * scale:
        raise DataFormatError("covariance is not symmetric")
    smallest = float(np.linalg.eigvalsh(0.5 * (matrix + matrix.T))[0])
    if smallest < -_TOLERANCE * scale:
        raise DataFormatError(
            f"covariance is not positive semi-definite (smallest eigenvalue {smallest:.3e})"
        )
    return matrix
