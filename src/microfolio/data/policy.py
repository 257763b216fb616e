"""The gate policy: what to do with each kind of issue, and the thresholds that define them.

The defaults block anything that could feed a bad trade and repair or report what cannot. They
were calibrated on real data (Kaggle "Huge Stock Market Dataset", CC0, to 2017-11-10):

* the bundled 54 ETFs (137,870 bars) pass with no blocking finding: 68 gaps of 1-3 sessions are
  filled, 2 sharp 2008 moves on heavy volume (JNK, PCY) and one 5-session stale run (SHY) are
  reported as warnings;
* the 500-stock file (1,605,566 bars) is blocked by 59 findings: one-session closes 10x and 100x
  off (AVB, BXP, EIX, HST, NUE, PXD, SLG), decimal-shifted opens/highs/lows (BEN, FITB, HUM,
  PCG, ...), a zero low (WPM), unadjusted consolidations (ASML 2012, VOD 2006), IPO-day first
  bars at the offer price, and 4 split-like moves that happen to be genuine (CAR, GGP, HIG in
  2008-09; CMG's IPO day): an unadjusted split looks the same, so split_like still blocks;
* injected faults (a zero price, a 100x spike, a duplicate row, a 10-session stale run, a high
  below the low) are each found with their ticker and date, and block.

The evidence behind each threshold is in the field's description.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from microfolio.data.issues import GateAction, IssueKind
from microfolio.errors import InvariantError

__all__ = ["REPAIRABLE", "GatePolicy", "load_policy"]

#: the kinds that have a repair (see :mod:`microfolio.data.repair`)
REPAIRABLE: frozenset[IssueKind] = frozenset(
    {
        IssueKind.NON_POSITIVE,
        IssueKind.MISSING,
        IssueKind.DUPLICATE,
        IssueKind.OHLC_INCONSISTENT,
        IssueKind.GAP,
        IssueKind.OFF_CALENDAR,
    }
)

_BLOCK = GateAction.BLOCK


class GatePolicy(BaseModel):
    """Per kind an action (block, repair, drop_ticker or warn), then the detection thresholds.

    A finding below the "actionable" bar of its kind (a short stale run, a volume-confirmed
    move, a gap too long to fill) is always a warning; the kind's action applies to the rest.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    non_positive: GateAction = Field(_BLOCK, description="price <= 0; repair carries the close")
    missing: GateAction = Field(_BLOCK, description="NaN price; repair carries the close")
    duplicate: GateAction = Field(_BLOCK, description="repeated (ticker, date); repair keeps last")
    ohlc_inconsistent: GateAction = Field(_BLOCK, description="repair widens high/low")
    stale: GateAction = Field(_BLOCK, description="applies to runs of stale_long_sessions+")
    gap: GateAction = Field(GateAction.REPAIR, description="repair fills short gaps")
    off_calendar: GateAction = Field(GateAction.WARN, description="repair drops the bar")
    outlier: GateAction = Field(_BLOCK, description="applies to moves volume does not confirm")
    split_like: GateAction = Field(_BLOCK, description="unadjusted split or bad scale")

    ohlc_tolerance: float = Field(
        1e-3,
        ge=0.0,
        le=0.1,
        description=(
            "relative slack before low/high/open/close are called inconsistent, for rounding of "
            "adjusted prices (0.1%: a half-cent on a $5 price). Neither real file has any "
            "violation even at zero tolerance; a high below the low by more is a fault."
        ),
    )
    stale_min_sessions: int = Field(
        5,
        ge=2,
        description=(
            "report a close unchanged for this many sessions or more. Real runs of 5 exist "
            "(SHY, RAD) and of 7 (SIRI at 12 cents), so they are warnings."
        ),
    )
    stale_long_sessions: int = Field(
        10,
        ge=2,
        description=(
            "the stale action applies from this run length: two trading weeks, 3 sessions "
            "beyond the longest genuine run (7) in 2.1 million real bars."
        ),
    )
    gap_fill_max_sessions: int = Field(
        5,
        ge=1,
        description=(
            "when the gap action is repair, gaps up to this many sessions (one trading week) "
            "are forward-filled; longer gaps are warnings. Real gaps are 1-3 sessions long."
        ),
    )
    outlier_window: int = Field(
        63,
        ge=11,
        description="sessions in the centred window of the robust scale (about a quarter)",
    )
    outlier_min_obs: int = Field(
        20,
        ge=5,
        description="returns needed in the window for a robust scale; else only 2x moves count",
    )
    outlier_mads: float = Field(
        8.0,
        gt=0.0,
        description=(
            "a move is an outlier beyond this many robust standard deviations (1.4826 MAD) of "
            "the window's log returns. Daily returns are fat-tailed: the textbook 3 flags 2,559 "
            "days of the bundled ETFs, 8 flags 28, nearly all tiny moves in calm bond funds."
        ),
    )
    outlier_min_move: float = Field(
        0.10,
        gt=0.0,
        description=(
            "and its absolute log return is at least this (about 10%): with 8 robust SD this "
            "leaves 2 ETF days (JNK, PCY in 2008) and 1,010 stock days, 974 of them on 3x+ volume."
        ),
    )
    volume_window: int = Field(
        63, ge=5, description="previous sessions whose median volume a move is compared with"
    )
    volume_confirm_ratio: float = Field(
        1.5,
        gt=0.0,
        description=(
            "a move is confirmed when the session's volume is at least this multiple of the "
            "median of the previous volume_window sessions. No real outlier falls between 1.3x "
            "and 2.0x: the stock file's bad prints and unadjusted corporate actions run at "
            "0.2-1.3x, genuine moves at 2.0x (PCY 2008-09-17, the lowest) to 60x."
        ),
    )
    outlier_unconfirmable_ratio: float = Field(
        5.0,
        gt=1.0,
        description=(
            "a move of this ratio or more, up or down, is never confirmed by volume. The largest "
            "genuine one-day move in the real files is BIDU's IPO day (4.5x); bad prints are "
            "10x-100x, and one can land on a busy day (SPY 2014-03-03 ran at 1.6x)."
        ),
    )
    split_ratios: tuple[float, ...] = Field(
        (2.0, 3.0, 4.0, 5.0, 10.0),
        min_length=1,
        description="close-to-close ratios (and their inverses) that look like a split",
    )
    split_tolerance: float = Field(
        0.02,
        gt=0.0,
        lt=0.2,
        description="how near (in log terms, about 2%) a ratio must be to a split ratio",
    )
    split_hold_sessions: int = Field(
        5,
        ge=1,
        description=(
            "a split-like move must hold this many sessions (closer to the new level than the "
            "old); one that reverts sooner is a spike, reported as an outlier"
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> GatePolicy:
        for kind in IssueKind:
            action = self.action(kind)
            if action is GateAction.REPAIR and kind not in REPAIRABLE:
                raise ValueError(f"{kind.value}: repair is not available for this kind")
        if self.duplicate is GateAction.WARN:
            raise ValueError("duplicate: warn would leave two bars for one date; use repair")
        if self.stale_long_sessions < self.stale_min_sessions:
            raise ValueError(
                f"stale_long_sessions ({self.stale_long_sessions}) must be >= "
                f"stale_min_sessions ({self.stale_min_sessions})"
            )
        if any(r <= 1.0 for r in self.split_ratios):
            raise ValueError(f"split_ratios must all be > 1, got {self.split_ratios}")
        return self

    def dropping(self) -> GatePolicy:
        """This policy with every ``block`` turned into ``drop_ticker``: for research on a large
        universe, where a ticker with a bad price is better left out than stopping the run."""
        update = {
            kind.value: GateAction.DROP_TICKER
            for kind in IssueKind
            if self.action(kind) is GateAction.BLOCK
        }
        return self.model_copy(update=update)

    def action(self, kind: IssueKind) -> GateAction:
        """The action configured for ``kind``."""
        value: GateAction = getattr(self, kind.value)
        return value


def load_policy(path: str | os.PathLike[str]) -> GatePolicy:
    """Read a :class:`GatePolicy` from a JSON or TOML file (by suffix; JSON otherwise).

    Only the fields to change need to be given. Raises ``InvariantError`` with one line naming
    the file and the first problem.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if file.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvariantError(f"{file.name}: cannot read policy ({exc})") from exc
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvariantError(
            f"{file.name}: not valid {file.suffix.lstrip('.') or 'JSON'} ({exc})"
        ) from exc
    if not isinstance(raw, dict):
        raise InvariantError(f"{file.name}: a policy must be an object of GatePolicy fields")
    try:
        return GatePolicy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "policy"
        raise InvariantError(f"{file.name}: {where}: {first['msg']}") from None
