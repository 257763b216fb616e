"""``microfolio optimize``: one optimiser over a window of daily returns, explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from microfolio.cli.common import fail, option_date
from microfolio.errors import MicrofolioError

__all__ = ["optimize"]


def optimize(
    method: Annotated[
        str,
        typer.Option(
            help="equal, inverse_vol, min_variance, max_sharpe, target_vol, target_return, hrp, "
            "erc or black_litterman."
        ),
    ],
    prices: Annotated[
        Path | None,
        typer.Option(help="CSV or Parquet bars (long or wide); default: the bundled ETFs."),
    ] = None,
    tickers: Annotated[
        str | None, typer.Option(help="Comma-separated tickers (default: all with full history).")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First date of the window (YYYY-MM-DD).")
    ] = None,
    end: Annotated[str | None, typer.Option(help="Last date (default: the last session).")] = None,
    max_weight: Annotated[float | None, typer.Option(help="Cap on each asset's weight.")] = None,
    target_vol: Annotated[
        float | None, typer.Option(help="Annual volatility for target_vol (0.10 = 10%).")
    ] = None,
    target_return: Annotated[
        float | None, typer.Option(help="Annual return for target_return (0.06 = 6%).")
    ] = None,
    views: Annotated[
        Path | None, typer.Option(help="Views file for black_litterman (format in the README).")
    ] = None,
    min_cash: Annotated[float, typer.Option(help="Cash weight kept aside.")] = 0.0,
    risk_free_rate: Annotated[float, typer.Option(help="Annual risk-free rate.")] = 0.0,
    drop_bad_tickers: Annotated[
        bool,
        typer.Option(
            "--drop-bad-tickers",
            help="Leave out tickers whose data the validation gate would block.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Optimise a portfolio over a window of daily returns (default: the last three years)."""
    from microfolio.services.optimize import METHODS, OptimizeRequest, optimise

    if method not in METHODS:
        fail(f"--method must be one of {', '.join(METHODS)}; got {method!r}")
    request = OptimizeRequest(
        method=method,
        prices=prices,
        tickers=None if tickers is None else tickers.split(","),
        start=option_date(start, "--start"),
        end=option_date(end, "--end"),
        max_weight=max_weight,
        target_vol=target_vol,
        target_return=target_return,
        views=views,
        min_cash=min_cash,
        risk_free_rate=risk_free_rate,
        drop_bad_tickers=drop_bad_tickers,
    )
    err = Console(stderr=True)
    try:
        with err.status(f"optimising ({method}) ..."):
            result = optimise(request)
    except MicrofolioError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    out = Console()
    ex = result.explanation
    table = Table(
        title=f"{method}, {result.start} to {result.end}",
        caption=f"{len(result.weights)} assets held, from {result.sessions} daily returns",
    )
    for column in ("ticker", "weight", "risk contribution"):
        table.add_column(column, justify="left" if column == "ticker" else "right")
    contributions = {str(t): float(v) for t, v in ex.risk_contributions.items()}
    for ticker, weight in result.weights.items():
        table.add_row(str(ticker), f"{weight:.2%}", f"{contributions[str(ticker)]:.2%}")
    if result.cash:
        table.add_row("cash", f"{result.cash:.2%}", "0.00%")
    out.print(table)
    stats = [f"volatility {ex.volatility:.2%}"]
    if ex.expected_return is not None:
        stats.insert(0, f"expected return {ex.expected_return:.2%}")
    if ex.sharpe is not None:
        stats.append(f"Sharpe {ex.sharpe:.2f}")
    out.print("ex ante (annualised, from the window): " + ", ".join(stats), markup=False)
    out.print("path: " + " -> ".join(result.fallback_chain), markup=False)
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
