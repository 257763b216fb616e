"""The honest verdict: a walk-forward study of the return models, out of sample only.

``run_research(config, market)`` forecasts every session of the test period with models refitted
on the past only, judges the forecasts (information coefficient, hit rate) and the volatility
models (QLIKE), turns each model's views into Black-Litterman portfolios next to the baselines
(equal weight, inverse volatility, 60/40, minimum variance), backtests them all net of costs,
deflates their Sharpe ratios for the number of strategies tried and says in one sentence
whether any model beat the baselines, and how surely. Modules:

* :mod:`.config`: :class:`ResearchConfig`, every choice fixed before the run, and its hash;
* :mod:`.data`: the markets of each universe (the stock file is found, not bundled);
* :mod:`.models`: the models by name; :mod:`.forecasts` and :mod:`.volatility`: the jobs that
  walk them forward; :mod:`.jobs`: running jobs here or in worker processes;
* :mod:`.portfolios`: the portfolios of one rebalance date; :mod:`.scores`: the tables;
  :mod:`.verdict`: the sentence; :mod:`.result`: :class:`ResearchResult`;
* :mod:`.provenance`: which period was used for what, and the design in words;
* :mod:`.report`: the HTML page and JSON of a result; :mod:`.run`: :func:`run_research`.
"""

from microfolio.services.research.config import (
    MODEL_NAMES,
    UNIVERSES,
    VOL_MODEL_NAMES,
    ResearchConfig,
)
from microfolio.services.research.data import (
    STOCKS_ENV,
    ResearchData,
    find_stocks_file,
    load_markets,
)
from microfolio.services.research.report import ResearchFiles, write_outputs
from microfolio.services.research.result import Period, ResearchResult, VolScore
from microfolio.services.research.run import Progress, run_research
from microfolio.services.research.scores import ModelScore, StrategyScore
from microfolio.services.research.verdict import CONFIDENCE, Verdict

__all__ = [
    "CONFIDENCE",
    "MODEL_NAMES",
    "STOCKS_ENV",
    "UNIVERSES",
    "VOL_MODEL_NAMES",
    "ModelScore",
    "Period",
    "Progress",
    "ResearchConfig",
    "ResearchData",
    "ResearchFiles",
    "ResearchResult",
    "StrategyScore",
    "Verdict",
    "VolScore",
    "find_stocks_file",
    "load_markets",
    "run_research",
    "write_outputs",
]
