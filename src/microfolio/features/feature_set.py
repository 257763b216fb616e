"""The feature transformer: wide OHLCV bars in, point-in-time long features out.

:class:`FeatureSet` follows the scikit-learn contract. Its parameters are the windows of each
feature family; ``fit`` checks them (and the bars' tickers) into a :class:`FeatureSpec`
``spec_``; ``transform`` is pure: it computes every feature with the vectorised functions of
:mod:`microfolio.features.library` and :mod:`microfolio.features.context` over the whole wide
frames at once, and stacks them into a :class:`FeatureFrame` with one row per (session, ticker)
where the ticker has a bar. The feature at session ``t`` reads only sessions ``<= t``, so
``transform(market.view(t))`` and ``transform(market.view(later))`` agree on every row up to
``t``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from microfolio.errors import NotFoundError
from microfolio.features._checks import check_classes
from microfolio.features.bars import Bars, WideBars, as_wide_bars
from microfolio.features.context import (
    broadcast,
    class_mean,
    compounded_return,
    cross_sectional_rank,
    equal_weight_returns,
)
from microfolio.features.frame import FeatureFrame
from microfolio.features.library import (
    average_log_change,
    daily_returns,
    downside_volatility,
    drawdown,
    momentum,
    moving_average_gap,
    realised_volatility,
    reversal,
    trailing_return,
)
from microfolio.features.spec import Feature, FeatureSpec

__all__ = ["FeatureSet"]


class FeatureSet(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):  # type: ignore[misc,call-arg]
    """Point-in-time features of every ticker, from wide OHLCV bars (a ``MarketView`` or any
    :class:`~microfolio.features.Bars`).

    Per ticker (windows in sessions; an empty tuple leaves a family out):

    * ``ret_{w}``: trailing return ``close_t / close_{t-w} - 1`` for ``return_windows``;
    * ``mom_{l}_{s}``: momentum ``close_{t-s} / close_{t-l} - 1`` for each ``(l, s)`` of
      ``momentum`` (12-1 month: ``(252, 21)``);
    * ``rev_{w}``: short-term reversal, minus the ``w``-session return;
    * ``vol_{w}``, ``downvol_{w}``: annualised realised and downside volatility of daily returns;
    * ``drawdown_{w}``: close over its running ``w``-session maximum, minus 1;
    * ``volume_chg_{w}``, ``dollar_volume_chg_{w}``: log change of the ``w``-session average
      volume (and close x volume) against the ``w`` sessions before;
    * ``ma_gap_{w}``: close over its ``w``-session simple moving average, minus 1.

    Across tickers: ``rank_{f}`` is the per-session percentile rank in [0, 1] of each of
    ``rank_features`` among tickers that have it; ``mkt_ret_{w}`` and ``mkt_vol_{w}`` are the
    return and annualised volatility of the market over ``market_windows``, where the market is
    the ticker ``market`` or, if None, the equal-weight average of the tickers with a return
    each session; ``class_{f}`` is the mean of each of ``class_features`` over the tickers of
    the ticker's class in ``asset_classes`` (a ``{ticker: asset_class}`` mapping that must
    cover exactly the tickers of the bars; None leaves the family out).

    Values are NaN until their window is full; ``dropna=True`` keeps only complete rows (or
    call :meth:`FeatureFrame.dropna`).
    """

    def __init__(
        self,
        return_windows: tuple[int, ...] = (5, 21, 63, 126, 252),
        momentum: tuple[tuple[int, int], ...] = ((252, 21),),
        reversal_windows: tuple[int, ...] = (5,),
        vol_windows: tuple[int, ...] = (21, 63),
        downside_windows: tuple[int, ...] = (63,),
        drawdown_windows: tuple[int, ...] = (252,),
        volume_windows: tuple[int, ...] = (21,),
        ma_windows: tuple[int, ...] = (50, 200),
        rank_features: tuple[str, ...] = ("ret_21", "mom_252_21", "vol_63"),
        market: str | None = None,
        market_windows: tuple[int, ...] = (21, 63),
        asset_classes: Mapping[str, str] | None = None,
        class_features: tuple[str, ...] = ("ret_21",),
        dropna: bool = False,
    ) -> None:
        self.return_windows = return_windows
        self.momentum = momentum
        self.reversal_windows = reversal_windows
        self.vol_windows = vol_windows
        self.downside_windows = downside_windows
        self.drawdown_windows = drawdown_windows
        self.volume_windows = volume_windows
        self.ma_windows = ma_windows
        self.rank_features = rank_features
        self.market = market
        self.market_windows = market_windows
        self.asset_classes = asset_classes
        self.class_features = class_features
        self.dropna = dropna

    def fit(self, bars: Bars, y: object = None) -> Self:
        """Check the parameters into ``spec_`` and the bars against them; learns nothing else."""
        classes = (
            None
            if self.asset_classes is None
            else check_classes("asset_classes", self.asset_classes)
        )
        spec = FeatureSpec(
            return_windows=self.return_windows,
            momentum=self.momentum,
            reversal_windows=self.reversal_windows,
            vol_windows=self.vol_windows,
            downside_windows=self.downside_windows,
            drawdown_windows=self.drawdown_windows,
            volume_windows=self.volume_windows,
            ma_windows=self.ma_windows,
            rank_features=self.rank_features,
            market=self.market,
            market_windows=self.market_windows,
            asset_classes=classes,
            class_features=self.class_features,
            dropna=self.dropna,
        )
        _check_tickers(spec, as_wide_bars(bars).tickers)
        self.spec_ = spec
        return self

    def transform(self, bars: Bars) -> FeatureFrame:
        """The features of every (session, ticker) where the ticker has a bar."""
        check_is_fitted(self, "spec_")
        spec: FeatureSpec = self.spec_
        wide = as_wide_bars(bars)
        _check_tickers(spec, wide.tickers)
        present = wide.close.notna()
        returns = daily_returns(wide.close)
        per_ticker = {
            f.name: _ticker_feature(f, wide, returns).where(present) for f in spec.ticker_features
        }
        ranks = {f"rank_{n}": cross_sectional_rank(per_ticker[n]) for n in spec.rank_features}
        market = _market_features(spec, wide, returns)
        classes = {}
        if spec.asset_classes is not None:
            mapping = dict(spec.asset_classes)
            classes = {
                f"class_{n}": class_mean(per_ticker[n], mapping) for n in spec.class_features
            }
        frame = FeatureFrame.from_wide(
            {**per_ticker, **ranks, **market, **classes}, present, spec.to_json()
        )
        return frame.dropna() if spec.dropna else frame

    def get_feature_names_out(self, input_features: object = None) -> npt.NDArray[np.object_]:
        """The output column names, in order (scikit-learn's naming hook)."""
        check_is_fitted(self, "spec_")
        return np.asarray(self.spec_.names, dtype=object)


def _ticker_feature(feature: Feature, bars: WideBars, returns: pd.DataFrame) -> pd.DataFrame:
    """One per-ticker feature as a wide frame."""
    close = bars.close
    match feature.kind:
        case "return":
            return trailing_return(close, *feature.windows)
        case "momentum":
            return momentum(close, *feature.windows)
        case "reversal":
            return reversal(close, *feature.windows)
        case "volatility":
            return realised_volatility(returns, *feature.windows)
        case "downside_volatility":
            return downside_volatility(returns, *feature.windows)
        case "drawdown":
            return drawdown(close, *feature.windows)
        case "volume_change":
            return average_log_change(bars.volume, *feature.windows)
        case "dollar_volume_change":
            return average_log_change(close * bars.volume, *feature.windows)
        case "ma_gap":
            return moving_average_gap(close, *feature.windows)


def _market_features(
    spec: FeatureSpec, bars: WideBars, returns: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Market return and volatility per window, the same in every ticker's column."""
    if not spec.market_windows:
        return {}
    out: dict[str, pd.DataFrame] = {}
    if spec.market is None:
        market_returns = equal_weight_returns(returns)
        for w in spec.market_windows:
            out[f"mkt_ret_{w}"] = broadcast(compounded_return(market_returns, w), bars.close)
    else:
        market_close = bars.close[[spec.market]]
        for w in spec.market_windows:
            ret = trailing_return(market_close, w).iloc[:, 0]
            out[f"mkt_ret_{w}"] = broadcast(ret, bars.close)
        market_returns = returns[spec.market]
    for w in spec.market_windows:
        vol = realised_volatility(market_returns.to_frame(), w).iloc[:, 0]
        out[f"mkt_vol_{w}"] = broadcast(vol, bars.close)
    return {name: out[name] for name in spec.market_names}


def _check_tickers(spec: FeatureSpec, tickers: pd.Index) -> None:
    """The market ticker and the asset-class map must match the bars' tickers."""
    known = set(tickers)
    if spec.market is not None and spec.market not in known:
        raise NotFoundError(f"market {spec.market!r} is not a ticker of the bars")
    if spec.asset_classes is None:
        return
    mapped = {ticker for ticker, _ in spec.asset_classes}
    unknown = sorted(mapped - known)
    if unknown:
        raise NotFoundError(
            f"asset_classes names tickers that are not in the bars: {', '.join(unknown)}"
        )
    missing = sorted(known - mapped)
    if missing:
        raise NotFoundError(f"asset_classes has no class for tickers: {', '.join(missing)}")
