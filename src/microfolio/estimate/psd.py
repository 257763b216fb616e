"""Positive-definiteness repair: every covariance an estimator hands out is usable by a solver.

Pairwise and exponentially weighted estimates can be indefinite, and a sample covariance with
fewer observations than assets (or two funds tracking one index) is singular. Optimisers need a
matrix whose smallest eigenvalue is at least a small positive floor ``eps``.

Method (eigenvalue clipping, then the variances put back):

1. symmetrise ``A = (A + A') / 2``;
2. fast path: if a Cholesky factorisation of ``A - eps I`` succeeds, every eigenvalue is above
   ``eps`` and ``A`` is returned unchanged;
3. otherwise ``A = V diag(l) V'``, eigenvalues below ``eps`` are raised to ``eps`` and the matrix
   is re-assembled symmetrically as ``V diag(max(l, eps)) V'``;
4. the original diagonal (the variances) is restored by the congruence ``D A D`` with
   ``D = diag(sqrt(a_ii / a'_ii))``, which keeps the matrix positive definite (the smallest
   eigenvalue may move off ``eps`` by the factor ``min d_i^2``, near one).

This is the clipping-and-rescaling repair of Rebonato & Jaeckel (1999), cheaper than Higham's
(2002) alternating projections and close to it when few eigenvalues are clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg.lapack import dpotrf

from microfolio.errors import DataFormatError
from microfolio.estimate.moments import gram

__all__ = [
    "PSD_EPS",
    "RepairReport",
    "ensure_positive_definite",
    "is_positive_definite",
    "repair_low_rank",
    "repair_psd",
]

Floats = npt.NDArray[np.float64]

#: default eigenvalue floor, in the units of the matrix (annualised variance)
PSD_EPS = 1e-10

#: a matrix whose asymmetry exceeds this fraction of its largest entry is refused, not averaged
_ASYMMETRY_TOLERANCE = 1e-8


@dataclass(frozen=True, slots=True)
class RepairReport:
    """What :func:`repair_psd` did: nothing (``repaired`` False) or how much it changed."""

    repaired: bool
    eps: float
    n_raised: int = 0  #: eigenvalues raised to the floor
    min_eigenvalue: float | None = None  #: smallest eigenvalue before repair (None: not computed)
    max_change: float = 0.0  #: largest absolute change of an entry

    @property
    def detail(self) -> str:
        """One line for logs and fallback chains; empty when nothing was repaired."""
        if not self.repaired:
            return ""
        return (
            f"{self.n_raised} eigenvalue{'s' if self.n_raised != 1 else ''} below {self.eps:.1e} "
            f"raised (smallest was {self.min_eigenvalue:.2e}); largest change {self.max_change:.2e}"
        )


def is_positive_definite(matrix: Floats, eps: float = PSD_EPS) -> bool:
    """Whether every eigenvalue of the symmetric ``matrix`` exceeds ``eps`` (one Cholesky)."""
    shifted = np.array(matrix.T, dtype=np.float64, order="F", copy=True)  # symmetric: A' = A
    shifted.flat[:: shifted.shape[0] + 1] -= eps
    _, info = dpotrf(shifted, lower=1, clean=0, overwrite_a=1)
    return int(info) == 0


@overload
def repair_psd(matrix: pd.DataFrame, eps: float = ...) -> tuple[pd.DataFrame, RepairReport]: ...


@overload
def repair_psd(matrix: Floats, eps: float = ...) -> tuple[Floats, RepairReport]: ...


def repair_psd(
    matrix: pd.DataFrame | Floats, eps: float = PSD_EPS
) -> tuple[pd.DataFrame | Floats, RepairReport]:
    """The nearest-in-spirit positive-definite matrix (eigenvalues >= ``eps``, variances kept).

    Returns the matrix (same type and labels as given; a DataFrame that needed nothing is
    returned as is, an array comes back symmetrised) and a :class:`RepairReport`.
    """
    if isinstance(matrix, pd.DataFrame):
        values, report = _repair(matrix.to_numpy(dtype=np.float64), eps)
        if not report.repaired:
            return matrix, report
        return pd.DataFrame(values, index=matrix.index, columns=matrix.columns, copy=False), report
    return _repair(np.asarray(matrix, dtype=np.float64), eps)


def _repair(matrix: Floats, eps: float) -> tuple[Floats, RepairReport]:
    if not eps > 0.0:
        raise DataFormatError(f"eps must be positive, got {eps}")
    return ensure_positive_definite(check_symmetric(matrix), eps)


def ensure_positive_definite(
    symmetric: Floats, eps: float = PSD_EPS, eigenvalue_bound: float | None = None
) -> tuple[Floats, RepairReport]:
    """Steps 2 to 4 of the module's method on an exactly symmetric, finite matrix (the
    estimators' path: no validation). A known lower bound on the eigenvalues clearly above
    ``eps`` (a shrinkage target, specific variances) skips the Cholesky check."""
    n = symmetric.shape[0]
    if eigenvalue_bound is not None:
        roundoff = 4.0 * n * np.finfo(np.float64).eps * float(np.abs(np.diagonal(symmetric)).max())
        if eigenvalue_bound > eps + roundoff:
            return symmetric, RepairReport(repaired=False, eps=eps)
    if is_positive_definite(symmetric, eps):
        return symmetric, RepairReport(repaired=False, eps=eps)
    return clip_eigenvalues(symmetric, eps)


def check_symmetric(matrix: Floats) -> Floats:
    """``matrix`` averaged with its transpose; refused when not square, finite and symmetric."""
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise DataFormatError(f"matrix must be square and non-empty, got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise DataFormatError("matrix has missing or infinite entries")
    scale = float(np.abs(matrix).max())
    work = np.subtract(matrix, matrix.T)
    if float(np.abs(work, out=work).max()) > _ASYMMETRY_TOLERANCE * scale:
        raise DataFormatError("matrix is not symmetric")
    symmetric = np.add(matrix, matrix.T, out=work)
    symmetric *= 0.5
    return symmetric


def clip_eigenvalues(symmetric: Floats, eps: float) -> tuple[Floats, RepairReport]:
    """Steps 3 and 4 of the module's method, on a symmetric matrix (always re-assembled;
    ``symmetric`` is consumed)."""
    eigenvalues, vectors = np.linalg.eigh(symmetric)
    low = eigenvalues < eps
    repaired = gram((vectors * np.sqrt(np.where(low, eps, eigenvalues))).T)
    return _restore_variances(repaired, symmetric, eps, int(low.sum()), float(eigenvalues[0]))


def repair_low_rank(factor: Floats, eps: float = PSD_EPS) -> tuple[Floats, RepairReport]:
    """The repair of the Gram matrix ``A = F'F`` of an n x p ``factor`` with n <= p rows (always
    singular, for example a sample covariance with fewer days than assets), equal to
    :func:`clip_eigenvalues` on ``A`` but through the small n x n matrix ``F F'``.

    With ``F F' = U diag(l) U'``, the eigenvectors of ``A`` with non-zero eigenvalue are
    ``F'u / sqrt(l)`` and the rest have eigenvalue zero, so the clipped matrix is
    ``eps I + W W'`` with ``W = F' U diag(sqrt(max(l - eps, 0) / l))``.
    """
    n, p = factor.shape
    original = gram(factor)
    eigenvalues, vectors = np.linalg.eigh(gram(factor.T))
    kept = eigenvalues >= eps
    if kept.all() and n == p:  # full rank (possible only when the factor is not centred)
        return original, RepairReport(repaired=False, eps=eps)
    shrink = np.sqrt((eigenvalues[kept] - eps) / eigenvalues[kept])
    repaired = gram((factor.T @ (vectors[:, kept] * shrink)).T)
    repaired.flat[:: p + 1] += eps
    smallest = min(float(eigenvalues[0]), 0.0) if n < p else float(eigenvalues[0])
    return _restore_variances(repaired, original, eps, p - int(kept.sum()), smallest)


def _restore_variances(
    repaired: Floats, original: Floats, eps: float, n_raised: int, smallest: float
) -> tuple[Floats, RepairReport]:
    """Step 4: the congruence ``D repaired D`` that puts the original (positive) variances back.
    ``original`` is consumed (it holds the differences afterwards: no extra p x p buffer)."""
    variances = np.diagonal(original).copy()
    rebuilt = np.diagonal(repaired)
    keep = (variances > 0.0) & (rebuilt > 0.0)
    scale = np.ones_like(variances)
    scale[keep] = np.sqrt(variances[keep] / rebuilt[keep])
    repaired *= np.outer(scale, scale)  # s_i s_j = s_j s_i: stays exactly symmetric
    change = np.subtract(repaired, original, out=original)
    report = RepairReport(
        repaired=True,
        eps=eps,
        n_raised=n_raised,
        min_eigenvalue=smallest,
        max_change=float(np.abs(change, out=change).max()),
    )
    return repaired, report
