"""Valuation and weights: Decimal holdings at float prices, and bad prices refused."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from ledger_helpers import D1

from microfolio.domain import Lot
from microfolio.errors import MicrofolioError
from microfolio.ledger import Book, InvalidPriceError, valuation, weights


def _book(cash: str = "250.00") -> Book:
    return Book(
        "acc",
        Decimal(cash),
        (
            Lot("l1", "acc", "AAA", Decimal("3"), Decimal("300.00"), D1),
            Lot("l2", "acc", "AAA", Decimal("1.5"), Decimal("140.00"), D1),
            Lot("l3", "acc", "BBB", Decimal("0.333333"), Decimal("10.00"), D1),
        ),
    )


def test_valuation_is_quantity_times_price_to_the_cent() -> None:
    valued = valuation(_book(), {"AAA": 101.1, "BBB": 33.33, "CCC": math.nan})

    assert valued.values == {"AAA": Decimal("454.95"), "BBB": Decimal("11.11")}
    assert valued.market_value == Decimal("466.06")
    assert valued.total == Decimal("716.06")
    assert valued.cash == Decimal("250.00")


def test_numpy_prices_are_read_exactly() -> None:
    valued = valuation(_book(), {"AAA": np.float64(101.1), "BBB": np.float64(33.33)})
    assert valued.values["AAA"] == Decimal("454.95")


def test_weights_of_holdings_and_cash_sum_to_one() -> None:
    held = weights(_book(), {"AAA": 101.1, "BBB": 33.33})

    assert held.weights == pytest.approx({"AAA": 454.95 / 716.06, "BBB": 11.11 / 716.06})
    assert held.cash == pytest.approx(250 / 716.06)
    assert math.fsum(held.weights.values()) + held.cash == pytest.approx(1.0, abs=1e-12)


def test_an_account_worth_nothing_is_all_cash() -> None:
    empty = weights(Book("acc"), {})
    assert (dict(empty.weights), empty.cash) == ({}, 1.0)


def test_an_all_cash_account_has_cash_weight_one() -> None:
    assert weights(Book("acc", Decimal("10.00")), {"AAA": 1.0}).cash == 1.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 0.0, -3.0])
def test_a_bad_price_for_a_held_ticker_is_refused(bad: float) -> None:
    with pytest.raises(InvalidPriceError, match="BBB") as caught:
        valuation(_book(), {"AAA": 100.0, "BBB": bad})
    assert caught.value.ticker == "BBB"
    assert isinstance(caught.value, MicrofolioError)


def test_a_missing_price_for_a_held_ticker_is_refused() -> None:
    with pytest.raises(InvalidPriceError, match=r"BBB.*no price"):
        weights(_book(), {"AAA": 100.0})
