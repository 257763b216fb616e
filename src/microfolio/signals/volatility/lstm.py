"""A small LSTM forecasting tomorrow's log variance from a window of past log variances.

Inputs are ``z = (log(v + offset) - mu) / sd``, the standardised log of the daily variance proxy
``v`` (squared returns by default; ``offset`` is 1 % of its mean, so a zero return stays
finite). One LSTM layer reads the last ``window`` values of ``z`` and a linear head predicts the
next one, trained by Adam on mean squared error in mini-batches. Because ``exp(E[log v])``
understates ``E[v]`` the forecast is multiplied by a smearing factor (Duan 1983): the sample
mean of ``v`` over the mean of the in-sample ``exp`` predictions. The forecast is one-step and
held flat over the horizon.

PyTorch is optional (``pip install 'microfolio[ml]'``) and imported only when a model is fitted
or used, so importing this package does not import it. Training is deterministic for a given
``random_state``: it runs under a forked RNG seeded with it, on one CPU thread (the caller's RNG
state and thread count are restored afterwards).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from microfolio.errors import MicrofolioError
from microfolio.signals.volatility._checks import check_count, check_positive
from microfolio.signals.volatility.base import VolatilityForecaster

if TYPE_CHECKING:
    import torch

__all__ = ["LstmVol"]

Floats = npt.NDArray[np.float64]

#: training windows required beyond the input window
_SPARE_ROWS = 50
#: proxy offset inside the log, as a fraction of the proxy's mean
_OFFSET_FRACTION = 0.01


def _require_torch() -> None:
    if importlib.util.find_spec("torch") is None:
        raise MicrofolioError("LstmVol needs PyTorch, which is not installed: pip install torch")


@contextmanager
def _single_thread() -> Iterator[None]:
    """Run the block on one CPU thread (bit-for-bit repeatable); restore the count after."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextmanager
def _seeded_single_thread(seed: int) -> Iterator[None]:
    """Run the block on one thread under a fresh RNG seeded with ``seed``; restore both after."""
    import torch

    with _single_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class LstmVol(VolatilityForecaster):
    """LSTM volatility on windows of standardised log variance proxies (see the module).

    Learned state: ``lstm_`` and ``head_`` (the trained torch modules), ``offset_``, ``mu_`` and
    ``sd_`` (the input transform), ``smearing_``, ``recent_`` (the last standardised window),
    ``train_loss_`` (the last epoch's mean loss) and ``seed_`` (the seed used).
    """

    uses_variance_proxy = True

    lstm_: torch.nn.LSTM
    head_: torch.nn.Linear
    offset_: float
    mu_: float
    sd_: float
    smearing_: float
    recent_: Floats
    train_loss_: float
    seed_: int

    def __init__(
        self,
        window: int = 22,
        hidden_size: int = 8,
        epochs: int = 10,
        batch_size: int = 128,
        learning_rate: float = 0.01,
        random_state: int | None = 0,
    ) -> None:
        self.window = window
        self.hidden_size = hidden_size
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def min_observations(self) -> int:
        return check_count("window", self.window, 1) + _SPARE_ROWS

    def _check_params(self) -> None:
        check_count("window", self.window, 1)
        check_count("hidden_size", self.hidden_size, 1)
        check_count("epochs", self.epochs, 1)
        check_count("batch_size", self.batch_size, 1)
        check_positive("learning_rate", self.learning_rate)
        if self.random_state is not None:
            check_count("random_state", self.random_state, 0)
        _require_torch()

    def _fit(self, returns: Floats, proxy: Floats | None) -> None:
        import torch

        assert proxy is not None  # the base supplies squared returns
        window = int(self.window)
        offset = _OFFSET_FRACTION * float(proxy.mean())
        logs = np.log(proxy + offset)
        mu, sd = float(logs.mean()), float(logs.std())
        if not sd > 0.0:
            raise MicrofolioError("LstmVol: the variance proxy is constant; nothing to learn")
        z = (logs - mu) / sd
        inputs = np.lib.stride_tricks.sliding_window_view(z[:-1], window)  # rows end at t
        targets = z[window:]  # z[t+1]
        seed = (
            int(np.random.default_rng().integers(2**31))
            if self.random_state is None
            else int(self.random_state)
        )
        with _seeded_single_thread(seed):
            lstm = torch.nn.LSTM(1, int(self.hidden_size), batch_first=True)
            head = torch.nn.Linear(int(self.hidden_size), 1)
            x = torch.tensor(inputs[:, :, None], dtype=torch.float32)
            y = torch.tensor(targets, dtype=torch.float32)
            loss = self._train(lstm, head, x, y)
            with torch.no_grad():
                fitted = _forward(lstm, head, x).numpy().astype(np.float64)
        level = np.exp(mu + sd * fitted)
        self.lstm_, self.head_ = lstm, head
        self.offset_, self.mu_, self.sd_ = offset, mu, sd
        self.smearing_ = float(proxy[window:].mean() / level.mean())
        self.recent_ = z[-window:].copy()
        self.train_loss_ = loss
        self.seed_ = seed

    def _train(
        self,
        lstm: torch.nn.LSTM,
        head: torch.nn.Linear,
        x: torch.Tensor,
        y: torch.Tensor,
    ) -> float:
        import torch

        optimiser = torch.optim.Adam(
            [*lstm.parameters(), *head.parameters()], lr=float(self.learning_rate)
        )
        batch = int(self.batch_size)
        mean_loss = float("nan")
        for _ in range(int(self.epochs)):
            order = torch.randperm(len(x))
            total = 0.0
            for first in range(0, len(x), batch):
                rows = order[first : first + batch]
                optimiser.zero_grad()
                loss = torch.mean(torch.square(_forward(lstm, head, x[rows]) - y[rows]))
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_([*lstm.parameters(), *head.parameters()], 1.0)
                optimiser.step()
                total += float(loss.detach()) * len(rows)
            mean_loss = total / len(x)
        return mean_loss

    def _update(self, returns: Floats, proxy: Floats | None) -> None:
        assert proxy is not None
        logs = np.log(proxy[-len(self.recent_) :] + self.offset_)
        self.recent_ = (logs - self.mu_) / self.sd_

    def _variance_path(self, horizon: int) -> Floats:
        import torch

        x = torch.tensor(self.recent_[None, :, None], dtype=torch.float32)
        with _single_thread(), torch.no_grad():
            z = float(_forward(self.lstm_, self.head_, x)[0])
        return np.full(horizon, self.smearing_ * np.exp(self.mu_ + self.sd_ * z))


def _forward(lstm: torch.nn.LSTM, head: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """Predicted next standardised log variance for each window in ``x`` (batch, window, 1)."""
    output, _ = lstm(x)
    prediction: torch.Tensor = head(output[:, -1, :]).squeeze(-1)
    return prediction
