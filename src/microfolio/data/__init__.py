"""Market data: loading, validation gate, exchange calendar and point-in-time access.

Flow: ``read_bars`` / ``load_bundled_bars`` -> ``apply_gate`` (``find_issues`` under a
``GatePolicy``) -> ``MarketData`` -> ``MarketData.view(as_of)``.
"""

from microfolio.data.bundle import load_bundled_bars, load_universe
from microfolio.data.calendar import xnys_sessions
from microfolio.data.frames import (
    FIELDS,
    LONG_COLUMNS,
    PRICE_FIELDS,
    canonical_long,
    long_to_wide,
    wide_to_long,
)
from microfolio.data.gate import GatedBars, apply_gate
from microfolio.data.issues import DataIssue, GateAction, IssueKind
from microfolio.data.loaders import read_bars
from microfolio.data.market import MarketData
from microfolio.data.policy import GatePolicy, load_policy
from microfolio.data.validate import find_issues
from microfolio.data.version import data_version
from microfolio.data.view import MarketView

__all__ = [
    "FIELDS",
    "LONG_COLUMNS",
    "PRICE_FIELDS",
    "DataIssue",
    "GateAction",
    "GatePolicy",
    "GatedBars",
    "IssueKind",
    "MarketData",
    "MarketView",
    "apply_gate",
    "canonical_long",
    "data_version",
    "find_issues",
    "load_bundled_bars",
    "load_policy",
    "load_universe",
    "long_to_wide",
    "read_bars",
    "wide_to_long",
    "xnys_sessions",
]
