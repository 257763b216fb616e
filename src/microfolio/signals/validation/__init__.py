"""Judging return forecasters out of sample, choosing their parameters, explaining them.

* Splits over session dates: :class:`WalkForward` (expanding or rolling, the last ``horizon``
  training dates purged) for out-of-sample evaluation, :class:`PurgedKFold` (purge and
  embargo, López de Prado 2018 ch. 7) for choosing hyper-parameters with
  :func:`choose_params`.
* :func:`walk_forward_predict`: refit per split, collect every out-of-sample score.
* Metrics: :func:`information_coefficient` (per-date Spearman IC, its mean and t-statistic,
  optionally on non-overlapping dates) and :func:`hit_rate`.
* Explanations: :func:`permutation_importance` (IC drop when a feature is shuffled within
  dates) and :func:`top_contributions` (exact for linear models, occlusion otherwise).
"""

from microfolio.signals.validation.contributions import (
    Contribution,
    Explanation,
    top_contributions,
)
from microfolio.signals.validation.importance import FeatureImportance, permutation_importance
from microfolio.signals.validation.metrics import (
    ICSummary,
    hit_rate,
    information_coefficient,
    mean_ic,
)
from microfolio.signals.validation.purged_kfold import PurgedKFold
from microfolio.signals.validation.split import Split
from microfolio.signals.validation.tuning import ParamScore, ParamSearch, choose_params
from microfolio.signals.validation.walk_forward import WalkForward
from microfolio.signals.validation.walk_forward_predict import (
    SplitFit,
    WalkForwardResult,
    walk_forward_predict,
)

__all__ = [
    "Contribution",
    "Explanation",
    "FeatureImportance",
    "ICSummary",
    "ParamScore",
    "ParamSearch",
    "PurgedKFold",
    "Split",
    "SplitFit",
    "WalkForward",
    "WalkForwardResult",
    "choose_params",
    "hit_rate",
    "information_coefficient",
    "mean_ic",
    "permutation_importance",
    "top_contributions",
    "walk_forward_predict",
]
