"""data_version: equal bars, equal version, whatever the source; any change, a new one."""

from __future__ import annotations

import re
from pathlib import Path

from microfolio.data import data_version, long_to_wide, read_bars, wide_to_long


def test_version_is_16_hex_digits_and_pinned_for_the_bundled_file(bundled_bars) -> None:
    version = data_version(bundled_bars)

    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert version == "10d7716b84e492e0"


def test_version_ignores_source_format_and_row_order(make_bars, tmp_path: Path) -> None:
    bars = make_bars(n=40)
    csv_path, parquet_path = tmp_path / "b.csv", tmp_path / "b.parquet"
    bars.sample(frac=1.0, random_state=3).to_csv(csv_path, index=False)
    bars.to_parquet(parquet_path)

    versions = {
        data_version(bars),
        data_version(read_bars(csv_path)),
        data_version(read_bars(parquet_path)),
    }

    assert len(versions) == 1


def test_a_changed_price_changes_the_version(make_bars) -> None:
    bars = make_bars(n=40)
    changed = bars.copy()
    changed.loc[17, "close"] += 0.01

    assert data_version(changed) != data_version(bars)


def test_wide_round_trip_keeps_the_close_only_version(make_bars) -> None:
    closes = long_to_wide(make_bars(n=40), "close")

    assert data_version(wide_to_long(closes)) == data_version(closes)
