"""A stable fingerprint of bars, recorded with every result that used them."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from microfolio.data.frames import FIELDS, LONG_COLUMNS, canonical_long

__all__ = ["data_version"]

_SCHEME = b"microfolio-bars-v1"
_LENGTH = 16


def data_version(bars: pd.DataFrame) -> str:
    """The first 16 hex digits of a SHA-256 over the canonical long form of ``bars``.

    Equal bars give equal versions whatever their source (CSV, Parquet, long or wide) or row
    order; any changed price, volume, date or ticker gives a different one. Byte order, NaN and
    negative zero are normalised so the version is the same on every machine.
    """
    frame = canonical_long(bars)
    digest = hashlib.sha256(_SCHEME)
    digest.update(",".join(LONG_COLUMNS).encode())
    codes, tickers = pd.factorize(frame["ticker"], sort=True)
    digest.update("\0".join(str(t) for t in tickers).encode())
    digest.update(codes.astype("<i8").tobytes())
    digest.update(
        frame["date"].to_numpy(dtype="datetime64[ns]").view(np.int64).astype("<i8").tobytes()
    )
    for field in FIELDS:
        values = frame[field].to_numpy(dtype=np.float64)
        values = np.where(np.isnan(values), np.nan, values + 0.0)
        digest.update(values.astype("<f8").tobytes())
    return digest.hexdigest()[:_LENGTH]
