"""Parameter checks shared by the estimators: run in ``fit`` (the scikit-learn contract keeps
``__init__`` free of logic), each refusing with one line that names the parameter and value."""

from __future__ import annotations

import math
from numbers import Integral, Real

from microfolio.errors import InvariantError

__all__ = ["check_choice", "check_count", "check_positive"]


def check_positive(name: str, value: object, *, allow_inf: bool = False) -> float:
    """``value`` as a float, refused unless a real number above zero (finite unless allowed)."""
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise InvariantError(f"{name} must be a positive number, got {value!r}")
    number = float(value)
    if number <= 0.0 or (math.isinf(number) and not allow_inf):
        raise InvariantError(
            f"{name} must be positive{'' if allow_inf else ' and finite'}, got {value!r}"
        )
    return number


def check_count(name: str, value: object, minimum: int) -> int:
    """``value`` as an int, refused unless a whole number at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise InvariantError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """``value`` refused unless one of ``choices``."""
    if value not in choices:
        raise InvariantError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return str(value)
