"""The real data shipped inside the package: daily bars of 54 ETFs and their universe.

Read through :mod:`importlib.resources`, so the package runs from a wheel or a zip with nothing
outside it. Source: "Huge Stock Market Dataset" (Boris Marjanovic, Kaggle, CC0), adjusted for
splits and dividends, 2005-02-25 to 2017-11-10.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import pandas as pd

from microfolio.data.loaders import read_bars
from microfolio.domain import Asset

__all__ = ["BARS_FILE", "UNIVERSE_FILE", "load_bundled_bars", "load_universe"]

BARS_FILE = "etfs_daily.csv.gz"
UNIVERSE_FILE = "etf_universe.csv"


def _resource(name: str) -> resources.abc.Traversable:
    return resources.files("microfolio.data").joinpath("bundled", name)


def load_bundled_bars() -> pd.DataFrame:
    """The bundled ETF bars as canonical long bars (137,870 rows, 54 tickers)."""
    with resources.as_file(_resource(BARS_FILE)) as path:
        return read_bars(path)


def load_universe() -> tuple[Asset, ...]:
    """The bundled ETFs as assets: ticker, asset class, tax-loss-harvesting rank, index tracked."""
    text = _resource(UNIVERSE_FILE).read_text(encoding="utf-8")
    return tuple(
        Asset(
            ticker=row["ticker"].strip().upper(),
            asset_class=row["asset_class"].strip(),
            tlh_rank=int(row["tlh_rank"]),
            tracks=row["tracks"].strip(),
        )
        for row in csv.DictReader(io.StringIO(text))
    )
