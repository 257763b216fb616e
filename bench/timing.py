"""Wall-clock timing: one warm-up run, then the median of N runs (time.perf_counter)."""

from __future__ import annotations

import contextlib
import math
import signal
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["CellTimeout", "Timing", "measure", "time_limit"]

T = TypeVar("T")


class CellTimeout(BaseException):
    """A cell ran past its time limit (a BaseException, so no library's ``except Exception``
    swallows it)."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds per run: the median, every timed run, and the warm-up (not in the median)."""

    median: float
    runs: tuple[float, ...]
    warmup: float

    def to_dict(self) -> dict[str, object]:
        return {"median_s": self.median, "runs_s": list(self.runs), "warmup_s": self.warmup}


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CellTimeout` in the main thread after ``seconds`` (SIGALRM; a long call
    into compiled code is interrupted when it returns to Python)."""
    if seconds is None or not hasattr(signal, "setitimer"):
        yield
        return
    if seconds <= 0:
        raise CellTimeout("no time left")

    def expire(signum: int, frame: object) -> None:
        raise CellTimeout(f"did not finish within {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measure(
    fn: Callable[[], T],
    *,
    target_seconds: float = 2.0,
    min_runs: int = 5,
    max_runs: int = 500,
    budget_seconds: float = 40.0,
    limit_seconds: float | None = None,
) -> tuple[T, Timing]:
    """Run ``fn`` once to warm up (its result is returned), then time N more runs.

    N is chosen so the timed runs take about ``target_seconds``, at least ``min_runs``; a slow
    call whose ``min_runs`` would exceed ``budget_seconds`` gets as many runs as fit in it, and
    one slower than the whole budget is not run again: its warm-up is its only sample (at that
    length, what a warm-up saves is noise). The count is recorded.

    ``limit_seconds`` caps the whole cell: a warm-up that does not finish in it raises
    :class:`CellTimeout`; timed runs stop when the next would not fit.
    """
    start = time.perf_counter()
    with time_limit(limit_seconds):
        result = fn()
    warmup = time.perf_counter() - start
    n = min(max_runs, max(min_runs, math.ceil(target_seconds / max(warmup, 1e-9))))
    if n * warmup > budget_seconds:
        n = math.floor(budget_seconds / max(warmup, 1e-9))
    if limit_seconds is not None:
        n = min(n, math.floor((limit_seconds - warmup) / max(warmup, 1e-9)))
    runs: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    if not runs:
        return result, Timing(warmup, (warmup,), warmup)
    return result, Timing(statistics.median(runs), tuple(runs), warmup)
