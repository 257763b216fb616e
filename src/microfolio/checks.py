"""Checks of scalar parameters, shared by every estimator, model and monitor.

Each returns the value in its plain Python type, or refuses it with one
:class:`~microfolio.errors.InvariantError` line that names the parameter and the value. They
run in ``fit`` (and the like): the scikit-learn contract keeps ``__init__`` free of logic.
``bool`` is never taken for a number. The checks of data (samples, returns, frames) stay with
the package whose data they are.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from microfolio.errors import InvariantError

__all__ = [
    "check_bool",
    "check_choice",
    "check_count",
    "check_fraction",
    "check_non_negative",
    "check_positive",
    "check_share",
    "check_text",
    "check_unit_interval",
]


def _real(value: object) -> float:
    """``value`` as a float if it is a real number (not a bool), else NaN."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return math.nan
    return float(value)


def check_count(name: str, value: object, minimum: int) -> int:
    """``value`` as an int, refused unless a whole number at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise InvariantError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(name: str, value: object, *, allow_inf: bool = False) -> float:
    """``value`` as a float, refused unless a real number above zero (finite unless
    ``allow_inf``)."""
    number = _real(value)
    if math.isnan(number):
        raise InvariantError(f"{name} must be a positive number, got {value!r}")
    if number <= 0.0 or (math.isinf(number) and not allow_inf):
        raise InvariantError(
            f"{name} must be positive{'' if allow_inf else ' and finite'}, got {value!r}"
        )
    return number


def check_non_negative(name: str, value: object) -> float:
    """``value`` as a float, refused unless a finite real number at least zero."""
    number = _real(value)
    if not (math.isfinite(number) and number >= 0.0):
        raise InvariantError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def check_unit_interval(name: str, value: object) -> float:
    """``value`` as a float, refused unless strictly between 0 and 1."""
    number = _real(value)
    if not 0.0 < number < 1.0:
        raise InvariantError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return number


def check_fraction(name: str, value: object, *, closed_right: bool = False) -> float:
    """``value`` as a float in ``[0, 1)`` (``[0, 1]`` with ``closed_right``)."""
    number = _real(value)
    if not (number >= 0.0 and (number <= 1.0 if closed_right else number < 1.0)):
        span = "[0, 1]" if closed_right else "[0, 1)"
        raise InvariantError(f"{name} must be a number in {span}, got {value!r}")
    return number


def check_share(name: str, value: object) -> float:
    """``value`` as a float in ``(0, 1]`` (a share of rows or features)."""
    number = _real(value)
    if not 0.0 < number <= 1.0:
        raise InvariantError(f"{name} must be a number in (0, 1], got {value!r}")
    return number


def check_bool(name: str, value: object) -> bool:
    """``value`` refused unless exactly True or False."""
    if not isinstance(value, bool):
        raise InvariantError(f"{name} must be True or False, got {value!r}")
    return value


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """``value`` refused unless one of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        raise InvariantError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def check_text(name: str, value: object) -> str:
    """``value`` refused unless a string with a non-blank character."""
    if not isinstance(value, str) or not value.strip():
        raise InvariantError(f"{name} must be a non-empty string, got {value!r}")
    return value
