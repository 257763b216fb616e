"""The population stability index: how far a sample's distribution moved from a reference.

``psi(expected, actual) = sum over bins of (a_i - e_i) * ln(a_i / e_i)``, where ``e_i`` and
``a_i`` are the shares of the reference (``expected``) and the new (``actual``) sample in bin
``i``. The bins are the deciles (``bins`` quantiles) of the **reference** sample, so each holds
about ``1 / bins`` of it; the outer bins are open, so every value has a bin, and repeated
quantiles (a reference with ties) merge. A share below ``epsilon`` is raised to ``epsilon``
so an empty bin adds a large but finite term instead of an infinite one.

Usual reading: below :data:`PSI_MODERATE` (0.1) the distribution is stable; 0.1 to
:data:`PSI_SIGNIFICANT` (0.25) it moved moderately (watch it); above 0.25 it moved
significantly (the model sees inputs unlike its training data). PSI is symmetric in its two
shares but not in its bins (they come from ``expected``), and it does not depend on the
sample sizes the way a test's p-value does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from microfolio.signals.monitor._checks import check_count, check_sample, check_unit_interval

__all__ = [
    "PSI_EPSILON",
    "PSI_MODERATE",
    "PSI_SIGNIFICANT",
    "bin_shares",
    "psi",
    "psi_of_shares",
    "quantile_edges",
]

Floats = npt.NDArray[np.float64]

#: the usual thresholds: below 0.1 stable, 0.1 to 0.25 moderate shift, above 0.25 significant
PSI_MODERATE = 0.1
PSI_SIGNIFICANT = 0.25
#: the floor on a bin's share, so an empty bin contributes a finite term
PSI_EPSILON = 1e-4


def psi(expected: object, actual: object, bins: int = 10, epsilon: float = PSI_EPSILON) -> float:
    """The population stability index of ``actual`` against ``expected`` (module doc).

    Both are one-dimensional samples of finite numbers (drop missing values first); ``bins``
    quantile bins come from ``expected``.
    """
    reference = check_sample("expected", expected)
    sample = check_sample("actual", actual)
    edges = quantile_edges(reference, bins)
    return psi_of_shares(bin_shares(reference, edges), bin_shares(sample, edges), epsilon)


def quantile_edges(expected: object, bins: int = 10) -> Floats:
    """The inner bin edges: the ``1/bins .. (bins-1)/bins`` quantiles of ``expected``, without
    repeats. Bin ``i`` holds the values in ``(edge_{i-1}, edge_i]``; the outer bins are open."""
    count = check_count("bins", bins, 2)
    reference = check_sample("expected", expected)
    inner = np.quantile(reference, np.linspace(0.0, 1.0, count + 1)[1:-1])
    return np.unique(inner)


def bin_shares(values: object, edges: Floats) -> Floats:
    """The share of ``values`` in each bin of ``edges`` (``len(edges) + 1`` bins, summing to 1)."""
    sample = check_sample("values", values)
    positions = np.searchsorted(edges, sample, side="left")
    counts = np.bincount(positions, minlength=len(edges) + 1)
    return np.asarray(counts / len(sample), dtype=np.float64)


def psi_of_shares(expected: Floats, actual: Floats, epsilon: float = PSI_EPSILON) -> float:
    """PSI from the bin shares of the two samples, each share floored at ``epsilon``."""
    floor = check_unit_interval("epsilon", epsilon)
    e = np.maximum(expected, floor)
    a = np.maximum(actual, floor)
    return float(np.sum((a - e) * np.log(a / e)))
