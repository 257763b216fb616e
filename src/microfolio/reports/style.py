"""Fixed text of the HTML report: its stylesheet and the definitions of the numbers shown.

Kept apart from the page builder so that wording and looks change without touching logic.
"""

from __future__ import annotations

__all__ = ["CSS", "DEFINITIONS"]

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #1f5fa8; --neg: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: var(--ink);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 24px; margin: 8px 0 16px; }
h2 { font-size: 18px; margin: 0 0 12px; }
section, footer { background: #fff; border: 1px solid var(--line); border-radius: 8px;
                  padding: 20px 24px; margin: 0 0 20px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); text-align: right;
         white-space: nowrap; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; border-bottom-width: 2px; }
tbody th, thead th:first-child { text-align: left; }
tbody th small, td small { display: block; color: var(--muted); font-weight: 400;
                          font-size: 11px; }
tbody tr:hover { background: #f8fafc; }
.neg { color: var(--neg); }
.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 0 0 8px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font-weight: 600; }
.figure { width: 100%; margin-top: 8px; }
footer ul { margin: 0 0 12px; padding-left: 20px; }
.definitions { color: var(--muted); font-size: 12px; margin: 0; }
"""

DEFINITIONS = (
    "Returns are time-weighted: each session's return is the end-of-session value over the "
    "previous value plus that morning's deposits or withdrawals, so cash flows are never counted "
    "as performance; sessions with nothing invested are left out. CAGR annualises the compounded "
    "return over calendar days / 365.25. Volatility is the daily standard deviation times "
    "&radic;252; Sharpe and Sortino use the same daily returns (Sortino: downside deviation "
    "below 0). Max drawdown is the deepest fall of the time-weighted index from its running peak. "
    "Turnover is buys plus sells (deposits invested included) over the average value, per year. "
    "Costs are commissions plus spread over the whole period, also in basis points of the "
    "average value. P&amp;L is final value minus net deposits."
)
