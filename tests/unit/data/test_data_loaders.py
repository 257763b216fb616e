"""read_bars: long and wide, CSV, gzip and Parquet in; one clear error for anything else."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from microfolio.data import LONG_COLUMNS, long_to_wide, read_bars
from microfolio.data.frames import is_canonical
from microfolio.errors import DataFormatError


def test_long_csv_reads_to_canonical_bars(make_bars, tmp_path: Path) -> None:
    bars = make_bars(n=30)
    path = tmp_path / "long.csv"
    bars.sample(frac=1.0, random_state=1).to_csv(path, index=False)

    got = read_bars(path)

    assert tuple(got.columns) == LONG_COLUMNS
    assert is_canonical(got)
    assert got["date"].dtype == np.dtype("datetime64[ns]")
    pd.testing.assert_frame_equal(got[["open", "close"]], bars[["open", "close"]], rtol=1e-12)


def test_column_names_are_case_insensitive_and_tickers_upper_case(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("Date,TICKER,Open,High,Low,Close,Volume\n2016-01-05,spy ,1,2,0.5,1.5,100\n")

    got = read_bars(path)

    assert got["ticker"].tolist() == ["SPY"]
    assert got.loc[0, "close"] == 1.5
    assert got.loc[0, "volume"] == 100.0


def test_long_file_with_close_only_fills_open_high_low_from_close(tmp_path: Path) -> None:
    path = tmp_path / "close_only.csv"
    path.write_text("date,ticker,close\n2016-01-05,AAA,10\n2016-01-06,AAA,11\n")

    got = read_bars(path)

    assert got["open"].tolist() == got["close"].tolist() == got["high"].tolist()
    assert got["volume"].isna().all()


def test_wide_csv_becomes_long_bars_without_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("date,AAA,bbb\n2016-01-05,10,\n2016-01-04,9,20\n2016-01-06,11,21\n")

    got = read_bars(path)

    assert got["ticker"].tolist() == ["AAA", "AAA", "AAA", "BBB", "BBB"]
    assert got["date"].dt.day.tolist() == [4, 5, 6, 4, 6]
    assert (got["open"] == got["close"]).all()
    assert got["volume"].isna().all()


def test_gzip_csv_is_recognised_by_content_not_name(make_bars, tmp_path: Path) -> None:
    bars = make_bars(n=10)
    path = tmp_path / "prices.data"
    with gzip.open(path, "wt") as handle:
        bars.to_csv(handle, index=False)

    got = read_bars(path)

    assert len(got) == len(bars)


def test_parquet_long_and_wide_with_date_index(make_bars, tmp_path: Path) -> None:
    bars = make_bars(n=20)
    long_path, wide_path = tmp_path / "long.parquet", tmp_path / "wide.parquet"
    bars.to_parquet(long_path)
    long_to_wide(bars, "close").to_parquet(wide_path)

    long_got, wide_got = read_bars(long_path), read_bars(wide_path)

    assert len(long_got) == len(wide_got) == len(bars)
    np.testing.assert_allclose(wide_got["close"], long_got["close"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv: empty file"),
        (b"   \n\n", "empty.csv: empty file"),
        (b"date,ticker,close\n", "empty.csv: no rows"),
        (b"day,ticker,close\n2016-01-04,AAA,1\n", "empty.csv: missing columns date"),
        (b"date,ticker,open,volume\n2016-01-04,AAA,1,2\n", "empty.csv: missing columns close"),
        (b"Date,Open,High,Low,Close\n2016-01-04,1,1,1,1\n", "empty.csv: missing columns ticker"),
        (
            b"date,ticker,close\nyesterday,AAA,1\n",
            "unparsable dates in column date, e.g. 'yesterday'",
        ),
        (b"date,ticker,close\n2016-01-04,AAA,abc\n", "non-numeric values in column close"),
        (b"date,AAA\n2016-01-04,1.0\n2016-01-05,n/a?\n", "non-numeric values in column AAA"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "empty.csv: binary data, not a CSV or Parquet file"),
        (b"\xff\xfe\xfa\xfb\xfc not utf-8 at all, a longer text", "not UTF-8 text"),
    ],
    ids=[
        "zero-bytes",
        "blank",
        "header-only",
        "no-date",
        "no-close",
        "ohlc-without-ticker",
        "bad-date",
        "text-price",
        "text-in-wide",
        "binary",
        "not-utf8",
    ],
)
def test_a_file_that_is_not_prices_raises_one_line_naming_it(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)

    with pytest.raises(DataFormatError) as caught:
        read_bars(path)

    assert message in str(caught.value)
    assert str(caught.value).startswith("empty.csv: ")
    assert "\n" not in str(caught.value)


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.bin"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())

    with pytest.raises(DataFormatError, match=r"^junk\.bin: "):
        read_bars(path)


def test_a_missing_file_or_a_directory_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"^nope\.csv: no such file$"):
        read_bars(tmp_path / "nope.csv")
    with pytest.raises(DataFormatError, match="is a directory"):
        read_bars(tmp_path)


def test_corrupt_gzip_and_parquet_are_refused(tmp_path: Path) -> None:
    bad_gz = tmp_path / "bad.csv.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    bad_pq = tmp_path / "bad.parquet"
    bad_pq.write_bytes(b"PAR1 this is not parquet PAR1")

    with pytest.raises(DataFormatError, match=r"^bad\.csv\.gz: "):
        read_bars(bad_gz)
    with pytest.raises(DataFormatError, match=r"^bad\.parquet: not a readable Parquet file"):
        read_bars(bad_pq)
