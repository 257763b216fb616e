"""The bundled data ships inside the package and loads on its own."""

from __future__ import annotations

from importlib import resources

from microfolio.data import load_universe
from microfolio.data.bundle import BARS_FILE, UNIVERSE_FILE
from microfolio.data.frames import is_canonical
from microfolio.domain import Asset


def test_bundled_bars_are_canonical_with_54_etfs(bundled_bars) -> None:
    assert len(bundled_bars) == 137_870
    assert bundled_bars["ticker"].nunique() == 54
    assert is_canonical(bundled_bars)
    assert str(bundled_bars["date"].min().date()) == "2005-02-25"
    assert str(bundled_bars["date"].max().date()) == "2017-11-10"


def test_universe_lists_the_same_54_tickers_as_assets(bundled_bars) -> None:
    universe = load_universe()

    assert len(universe) == 54
    assert all(isinstance(a, Asset) for a in universe)
    assert {a.ticker for a in universe} == set(bundled_bars["ticker"].unique())
    spy = next(a for a in universe if a.ticker == "SPY")
    assert (spy.asset_class, spy.tlh_rank, spy.tracks) == ("us_large_cap", 3, "S&P 500")


def test_bundled_files_are_package_data() -> None:
    folder = resources.files("microfolio.data").joinpath("bundled")

    assert folder.joinpath(BARS_FILE).is_file()
    assert folder.joinpath(UNIVERSE_FILE).is_file()
    assert "shared" not in str(folder)
