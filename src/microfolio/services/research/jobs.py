"""Run independent jobs in this process or in a pool of worker processes, same results.

A job is a module-level function and its arguments (picklable: plain pandas objects). With
``workers <= 1`` the jobs run here, in order; otherwise in a pool of ``workers`` processes
started fresh (``spawn``: no state forked from the caller, PyTorch included). Every job runs
with the native thread pools (BLAS, OpenMP) limited to one thread, so two workers use two
cores and a job's numbers do not depend on where it ran. Results come back in job order;
``on_done(index, result)`` is called in this process as each finishes (for a progress bar).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from typing import Any

from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

__all__ = ["Job", "run_jobs"]

Job = tuple[Callable[..., Any], tuple[Any, ...]]


def _single_threaded(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    with threadpool_limits(limits=1):
        return function(*args)


def run_jobs(
    jobs: Sequence[Job],
    workers: int = 1,
    on_done: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """The results of ``jobs`` in order (see the module); the first error is raised as is."""
    results: list[Any] = [None] * len(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for index, (function, args) in enumerate(jobs):
            results[index] = _single_threaded(function, args)
            if on_done is not None:
                on_done(index, results[index])
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[Any], int] = {
            pool.submit(_single_threaded, function, args): index
            for index, (function, args) in enumerate(jobs)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                index = futures[future]
                results[index] = future.result()
                if on_done is not None:
                    on_done(index, results[index])
    return results
