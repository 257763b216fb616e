"""Solvers for the mean-variance family: the fast dedicated paths (active set, closed forms),
the general cvxpy path with its solver chain, and the fallback portfolios."""

from microfolio.optimize.solvers.active_set import ActiveSetError, BoxQP, solve_box_qp
from microfolio.optimize.solvers.cvx import CHAIN
from microfolio.optimize.solvers.fallback import FALLBACKS, equal_weight

__all__ = ["CHAIN", "FALLBACKS", "ActiveSetError", "BoxQP", "equal_weight", "solve_box_qp"]
