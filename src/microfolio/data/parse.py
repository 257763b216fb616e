"""Column parsing for price frames: dates, numbers and tickers, with one-line errors.

Each parser refuses what is not data of its kind with a :class:`DataFormatError` naming the
source, the column and the first bad value with its row, so the loaders can report a bad file in
one line.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.errors import DataFormatError

__all__ = ["DATE_DTYPE", "FloatArray", "parse_dates", "parse_numbers", "parse_tickers"]

#: dates are kept as naive midnight timestamps at nanosecond resolution
DATE_DTYPE = np.dtype("datetime64[ns]")
FloatArray = npt.NDArray[np.float64]


def _first_bad(values: pd.Series, bad: npt.NDArray[np.bool_]) -> str:
    position = int(np.flatnonzero(bad)[0])
    return f"{values.iloc[position]!r} (row {position + 1})"


def parse_dates(values: pd.Series, source: str) -> npt.NDArray[np.datetime64]:
    """Parse a date column to midnight ``datetime64[ns]``; refuse unparsable or empty dates.

    Distinct values are parsed once (a price file repeats each date once per ticker).
    """
    empty = values.isna().to_numpy()
    if empty.any():
        raise DataFormatError(
            f"{source}: empty dates in column date on {int(empty.sum())} rows "
            f"(first row {int(np.flatnonzero(empty)[0]) + 1})"
        )
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques)
    if pd.api.types.is_datetime64_any_dtype(distinct.dtype):
        parsed = distinct
    else:
        fmt = "%Y%m%d" if pd.api.types.is_integer_dtype(distinct.dtype) else None
        text = distinct.astype("str").str.strip()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                parsed = pd.to_datetime(text, errors="coerce", format=fmt)
            except (ValueError, TypeError, OverflowError) as exc:
                raise DataFormatError(f"{source}: unparsable dates in column date ({exc})") from exc
        bad = parsed.isna().to_numpy()[codes]
        if bad.any():
            raise DataFormatError(
                f"{source}: unparsable dates in column date, e.g. {_first_bad(values, bad)}"
            )
    if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
        raise DataFormatError(f"{source}: unparsable dates in column date (mixed time zones)")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    days: npt.NDArray[np.datetime64] = parsed.dt.normalize().to_numpy(dtype=DATE_DTYPE)
    return days[codes]


def parse_numbers(values: pd.Series, source: str, column: str) -> FloatArray:
    """Parse a price or volume column to float64; empty cells are NaN, text is refused."""
    if pd.api.types.is_bool_dtype(values.dtype):
        raise DataFormatError(f"{source}: non-numeric values in column {column} (booleans)")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    parsed = pd.to_numeric(values, errors="coerce")
    bad = np.array(parsed.isna() & values.notna(), dtype=bool)
    if bad.any():
        blank = values[bad].astype("str").str.strip().eq("").to_numpy()
        bad[np.flatnonzero(bad)[blank]] = False
    if bad.any():
        raise DataFormatError(
            f"{source}: non-numeric values in column {column}, e.g. {_first_bad(values, bad)}"
        )
    return parsed.to_numpy(dtype=np.float64, na_value=np.nan)


def parse_tickers(values: pd.Series, source: str) -> pd.Series:
    """Tickers as stripped upper-case ``str``; refuse empty ones."""
    codes, uniques = pd.factorize(values)
    names = [str(u).strip().upper() for u in uniques]
    empty = codes < 0
    blank = np.asarray([not n for n in names], dtype=bool)
    if len(names):
        empty |= blank[codes]
    if empty.any():
        first = int(np.flatnonzero(empty)[0]) + 1
        raise DataFormatError(
            f"{source}: empty ticker on {int(empty.sum())} rows (first row {first})"
        )
    return pd.Series(pd.array(names, dtype="str").take(codes))
