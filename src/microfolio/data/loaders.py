"""Read price files (CSV, gzip-compressed CSV, Parquet; long or wide) into canonical long bars.

The format is recognised from the file's first bytes, not its name. Anything that is not
prices raises :class:`~microfolio.errors.DataFormatError` with one line that names the file and
the problem, so that the CLI can print it as it is.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import pandas as pd

from microfolio.data.frames import canonical_long
from microfolio.errors import DataFormatError

__all__ = ["read_bars"]

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 65_536


def read_bars(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV (optionally gzip-compressed) or Parquet file of prices into canonical long bars.

    Long files have ``date, ticker, open, high, low, close, volume`` (any case); wide files have
    a date column and one close-price column per ticker. See
    :func:`~microfolio.data.frames.canonical_long` for the form of the result.
    """
    file = Path(path)
    name = file.name or str(file)
    if not file.exists():
        raise DataFormatError(f"{name}: no such file")
    if file.is_dir():
        raise DataFormatError(f"{name}: is a directory, not a file")
    try:
        with file.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise DataFormatError(f"{name}: cannot be read ({exc.strerror})") from exc
    if not head:
        raise DataFormatError(f"{name}: empty file")
    if head == _PARQUET_MAGIC:
        frame = _read_parquet(file, name)
    else:
        gzipped = head[:2] == _GZIP_MAGIC
        _refuse_binary(file, gzipped, name)
        frame = _read_csv(file, gzipped, name)
    return canonical_long(frame, source=name)


def _refuse_binary(file: Path, gzipped: bool, name: str) -> None:
    """Refuse files whose first bytes are not text (NUL bytes or invalid UTF-8)."""
    try:
        if gzipped:
            with gzip.open(file, "rb") as handle:
                sample = handle.read(_SNIFF_BYTES)
        else:
            with file.open("rb") as handle:
                sample = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(f"{name}: corrupt gzip data ({exc})") from exc
    if not sample.strip():
        raise DataFormatError(f"{name}: empty file")
    if b"\x00" in sample:
        raise DataFormatError(f"{name}: binary data, not a CSV or Parquet file")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:  # not just a character cut at the sample's end
            raise DataFormatError(f"{name}: not UTF-8 text, not a CSV or Parquet file") from exc


def _read_csv(file: Path, gzipped: bool, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(file, compression="gzip" if gzipped else None, low_memory=False)
    except pd.errors.EmptyDataError as exc:
        raise DataFormatError(f"{name}: empty file") from exc
    except pd.errors.ParserError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "parse error"
        raise DataFormatError(f"{name}: not a CSV table ({reason})") from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{name}: not UTF-8 text, not a CSV or Parquet file") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(f"{name}: cannot be read ({exc})") from exc


def _read_parquet(file: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(file)
    except (
        Exception
    ) as exc:  # pyarrow raises its own types (ArrowInvalid, ...); all mean "not read"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"{name}: not a readable Parquet file ({reason})") from exc
