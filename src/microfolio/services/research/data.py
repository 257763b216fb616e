"""The markets a research run reads: the bundled ETFs, or the 500-stock file and AGG.

Stocks are not bundled. :func:`find_stocks_file` looks, in order, at the file given, at the
``MICROFOLIO_STOCKS_FILE`` environment variable, then for ``../shared/data/stocks_daily.csv.gz``
relative to the working directory and to the repository root (a source checkout); it refuses in
one line naming every place it looked. The stock file goes through the validation gate with
``drop_ticker`` for blocking issues (the few tickers it blocks are left out and named), and the
60/40 baseline takes its bond leg, AGG, from the bundled ETFs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from microfolio.data import GatePolicy, MarketData, load_bundled_bars, read_bars
from microfolio.errors import NotFoundError

__all__ = ["STOCKS_ENV", "STOCKS_RELATIVE", "ResearchData", "find_stocks_file", "load_markets"]

STOCKS_ENV = "MICROFOLIO_STOCKS_FILE"
STOCKS_RELATIVE = Path("../shared/data/stocks_daily.csv.gz")


@dataclass(frozen=True, slots=True, eq=False)
class ResearchData:
    """The market of the universe, the market of the 60/40's bond leg and where they came from."""

    market: MarketData
    bonds: MarketData | None
    source: str


def _repository_root() -> Path | None:
    """The source checkout holding this package (src layout), if it is one."""
    root = Path(__file__).resolve().parents[4]
    return root if (root / "pyproject.toml").is_file() else None


def find_stocks_file(
    explicit: Path | None, environ: Mapping[str, str], cwd: Path, root: Path | None = None
) -> Path:
    """The stock file to read (see the module); ``root`` defaults to the repository root."""
    if explicit is not None:
        if not explicit.is_file():
            raise NotFoundError(f"--prices {explicit}: no such file")
        return explicit
    given = environ.get(STOCKS_ENV, "").strip()
    if given:
        path = Path(given)
        if not path.is_file():
            raise NotFoundError(f"{STOCKS_ENV}={given}: no such file")
        return path
    bases = [cwd, root if root is not None else _repository_root()]
    looked: list[str] = []
    for base in bases:
        if base is None:
            continue
        candidate = (base / STOCKS_RELATIVE).resolve()
        if candidate.is_file():
            return candidate
        looked.append(str(candidate))
    raise NotFoundError(
        f"no stock prices found: pass --prices FILE or set {STOCKS_ENV} (looked for "
        f"{' and '.join(dict.fromkeys(looked))})"
    )


def load_markets(
    universe: str, prices: Path | None, environ: Mapping[str, str], cwd: Path
) -> ResearchData:
    """The gated market of ``universe`` (and the bundled ETFs for the stocks' bond leg)."""
    if universe == "etfs":
        if prices is not None:
            raise NotFoundError("--prices applies to --universe stocks (the ETFs are bundled)")
        market = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
        return ResearchData(market, None, "bundled ETFs")
    if universe != "stocks":
        raise NotFoundError(f"universe must be etfs or stocks, got {universe!r}")
    path = find_stocks_file(prices, environ, cwd)
    market = MarketData.from_bars(read_bars(path), policy=GatePolicy().dropping())
    bonds = MarketData.from_bars(load_bundled_bars(), policy=GatePolicy())
    return ResearchData(market, bonds, str(path))
