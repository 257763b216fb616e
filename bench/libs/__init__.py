"""One adapter per library: each maps the benchmark tasks to that library's own API.

Every adapter exposes ``NAME``, ``ROLE`` ("subject", "peer" or "bound"), ``version()`` and
``entries(bl)`` (task name to :class:`bench.problem.Entry`). Libraries are imported inside
``entries`` so that a missing one is reported instead of stopping the run.
"""
