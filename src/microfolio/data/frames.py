"""Long and wide price frames, and every conversion between them.

*Long* bars are the canonical form: one row per (ticker, session) with columns ``date``
(``datetime64[ns]``, midnight), ``ticker`` (upper-case ``str``), ``open``, ``high``, ``low``,
``close`` and ``volume`` (``float64``), sorted by (ticker, date). *Wide* frames have a session
index and one column per ticker, for one field. This module is the only place that converts
between the two and recognises which one a frame is (column names are case-insensitive); the
column parsers live in :mod:`microfolio.data.parse`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from microfolio.data.parse import DATE_DTYPE, FloatArray, parse_dates, parse_numbers, parse_tickers
from microfolio.errors import DataFormatError

__all__ = [
    "FIELDS",
    "LONG_COLUMNS",
    "PRICE_FIELDS",
    "canonical_long",
    "is_canonical",
    "long_to_arrays",
    "long_to_wide",
    "wide_to_long",
]

PRICE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close")
FIELDS: tuple[str, ...] = (*PRICE_FIELDS, "volume")
LONG_COLUMNS: tuple[str, ...] = ("date", "ticker", *FIELDS)

_TICKER_ALIASES = ("ticker", "symbol")
#: column names that mean "one ticker's bars", so a file with them and no ticker is not wide
_BAR_NAMES = frozenset({*FIELDS, "adj close", "adj_close", "adjclose"})
_DAY_NS = 86_400_000_000_000


def canonical_long(frame: pd.DataFrame, *, source: str = "frame") -> pd.DataFrame:
    """Return ``frame`` (long or wide) as canonical long bars; raise ``DataFormatError`` if not prices.

    Long input needs ``date``, ``ticker`` (or ``symbol``) and ``close``; missing ``open``,
    ``high`` or ``low`` are taken from the close and a missing ``volume`` is NaN; other columns
    are ignored. Input without a ticker column is wide (see :func:`wide_to_long`). ``source``
    names the input in error messages (the loaders pass the file name).
    """
    if is_canonical(frame):
        return frame
    named = _named_columns(frame, source)
    ticker_col = next((c for c in _TICKER_ALIASES if c in named.columns), None)
    if ticker_col is None:
        return wide_to_long(named, source=source)
    missing = [c for c in ("date", "close") if c not in named.columns]
    if missing:
        raise DataFormatError(f"{source}: missing columns {', '.join(missing)}")
    if named.empty:
        raise DataFormatError(f"{source}: no rows")
    close = parse_numbers(named["close"], source, "close")
    fields = {
        f: close if f not in named.columns else parse_numbers(named[f], source, f)
        for f in PRICE_FIELDS
    }
    volume = (
        parse_numbers(named["volume"], source, "volume")
        if "volume" in named.columns
        else np.full(len(named), np.nan)
    )
    return _assemble(
        parse_dates(named["date"], source),
        parse_tickers(named[ticker_col], source),
        {**fields, "volume": volume},
    )


def wide_to_long(wide: pd.DataFrame, *, source: str = "frame") -> pd.DataFrame:
    """Melt a wide close-price frame (a date column or index, one column per ticker) to long bars.

    Each price becomes a bar with open = high = low = close and volume NaN. Empty cells are
    dropped: a wide frame cannot tell "no bar" from "no price", so a hole becomes a gap that the
    gate sees against the exchange calendar.
    """
    named = _named_columns(wide, source)
    if "date" not in named.columns:
        raise DataFormatError(f"{source}: missing columns date")
    tickers = [c for c in named.columns if c != "date"]
    if any(c in _BAR_NAMES for c in tickers):
        raise DataFormatError(f"{source}: missing columns ticker")
    if not tickers:
        raise DataFormatError(f"{source}: no price columns besides date")
    if named.empty:
        raise DataFormatError(f"{source}: no rows")
    names = [t.strip().upper() for t in tickers]
    if len(set(names)) != len(names):
        raise DataFormatError(f"{source}: duplicate ticker columns")
    dates = parse_dates(named["date"], source)
    values = np.column_stack(
        [parse_numbers(named[c], source, n) for c, n in zip(tickers, names, strict=True)]
    )
    n_dates, n_tickers = values.shape
    flat = values.T.ravel()  # ticker-major: all dates of the first ticker, then the next ...
    keep = ~np.isnan(flat)
    close = flat[keep]
    ticker = pd.Series(
        pd.array(names, dtype="str").take(np.repeat(np.arange(n_tickers), n_dates)[keep])
    )
    date = np.tile(dates, n_tickers)[keep]
    prices = dict.fromkeys(PRICE_FIELDS, close)
    return _assemble(date, ticker, {**prices, "volume": np.full(len(close), np.nan)})


def is_canonical(frame: pd.DataFrame) -> bool:
    """True if ``frame`` already has the canonical long columns, dtypes and (ticker, date) order."""
    if tuple(frame.columns) != LONG_COLUMNS or frame["date"].dtype != DATE_DTYPE:
        return False
    if not pd.api.types.is_string_dtype(frame["ticker"].dtype):
        return False
    if any(frame[f].dtype != np.float64 for f in FIELDS):
        return False
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        return False
    codes, uniques = pd.factorize(frame["ticker"], sort=True)
    if (codes < 0).any() or any(not u or u != u.strip().upper() for u in map(str, uniques)):
        return False
    days = frame["date"].to_numpy().view(np.int64)
    if len(days) and bool((days % _DAY_NS).any()):
        return False
    return _is_sorted(codes, days)


def _is_sorted(codes: npt.NDArray[np.intp], days: npt.NDArray[np.int64]) -> bool:
    """True if rows are in (ticker code, day) order; equal (ticker, day) rows may repeat."""
    later_ticker = codes[1:] > codes[:-1]
    same_ticker_later_day = (codes[1:] == codes[:-1]) & (days[1:] >= days[:-1])
    return bool(np.all(later_ticker | same_ticker_later_day))


def long_to_arrays(
    bars: pd.DataFrame, fields: Sequence[str] = FIELDS
) -> tuple[pd.DatetimeIndex, pd.Index, dict[str, FloatArray]]:
    """Scatter canonical long bars into (sessions x tickers) float64 arrays, NaN where no bar.

    Sessions are the sorted distinct dates of the bars; tickers are sorted. Raises
    ``DataFormatError`` if a (ticker, date) repeats: run the gate first.
    """
    bars = canonical_long(bars)
    if _has_duplicates(bars):
        raise DataFormatError("bars repeat a (ticker, date): run the validation gate first")
    row_codes, sessions = pd.factorize(bars["date"], sort=True)
    col_codes, tickers = pd.factorize(bars["ticker"], sort=True)
    shape = (len(sessions), len(tickers))
    arrays: dict[str, FloatArray] = {}
    for field in fields:
        out = np.full(shape, np.nan)
        out[row_codes, col_codes] = bars[field].to_numpy(dtype=np.float64)
        arrays[field] = out
    index = pd.DatetimeIndex(sessions, name="date")
    return index, pd.Index(tickers, dtype="str", name="ticker"), arrays


def long_to_wide(bars: pd.DataFrame, field: str = "close") -> pd.DataFrame:
    """One field of long bars as a wide frame: index sessions, columns tickers, NaN where no bar."""
    if field not in FIELDS:
        raise DataFormatError(f"field must be one of {', '.join(FIELDS)}, got {field!r}")
    sessions, tickers, arrays = long_to_arrays(bars, (field,))
    return pd.DataFrame(arrays[field], index=sessions, columns=tickers, copy=False)


def _has_duplicates(bars: pd.DataFrame) -> bool:
    codes, _ = pd.factorize(bars["ticker"])
    days = bars["date"].to_numpy()
    return bool(((codes[1:] == codes[:-1]) & (days[1:] == days[:-1])).any())


def _named_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Lower-case, stripped column names; a date (or date, ticker) index becomes columns."""
    levels = [str(n).strip().lower() for n in frame.index.names if n is not None]
    if isinstance(frame.index, pd.DatetimeIndex) and not levels:
        frame = frame.reset_index(names="date")
    elif any(n in ("date", *_TICKER_ALIASES) for n in levels):
        frame = frame.reset_index()
    names = [str(c).strip().lower() for c in frame.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataFormatError(f"{source}: duplicate columns {', '.join(duplicated)}")
    renamed = frame.copy(deep=False)
    renamed.columns = pd.Index(names)
    return renamed


def _assemble(
    date: npt.NDArray[np.datetime64],
    ticker: pd.Series,
    fields: dict[str, FloatArray],
) -> pd.DataFrame:
    """Build the canonical frame from parsed columns, sorted by (ticker, date), stable."""
    codes, _ = pd.factorize(ticker, sort=True)
    days = date.view(np.int64)
    order = None if _is_sorted(codes, days) else np.lexsort((days, codes))
    data: dict[str, object] = {
        "date": pd.DatetimeIndex(date if order is None else date[order]),
        "ticker": ticker.array if order is None else ticker.array.take(order),
    }
    for field in FIELDS:
        values = fields[field] if order is None else fields[field][order]
        data[field] = np.ascontiguousarray(values, dtype=np.float64)
    return pd.DataFrame(data)
