"""Pro rata allocation to the cent: parts add up exactly and stay within a cent of exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microfolio.errors import InvariantError
from microfolio.ledger import allocate


def test_even_split_of_an_odd_cent_goes_to_the_first_part() -> None:
    assert allocate(Decimal("1.00"), [Decimal(1)] * 3) == (
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    )


def test_leftover_cents_go_to_the_largest_remainders() -> None:
    # exact shares: 0.6666.., 0.3333.. of 1.00 -> 0.67, 0.33
    assert allocate(Decimal("1.00"), [Decimal(2), Decimal(1)]) == (Decimal("0.67"), Decimal("0.33"))


def test_negative_totals_mirror_positive_ones() -> None:
    assert allocate(Decimal("-1.00"), [Decimal(2), Decimal(1)]) == (
        Decimal("-0.67"),
        Decimal("-0.33"),
    )


@pytest.mark.parametrize(
    ("total", "weights"),
    [("1.001", ["1"]), ("1", []), ("1", ["0", "0"]), ("1", ["-1", "2"])],
)
def test_invalid_allocations_are_refused(total: str, weights: list[str]) -> None:
    with pytest.raises(InvariantError):
        allocate(Decimal(total), [Decimal(w) for w in weights])


@given(
    total=st.decimals(min_value="-100000", max_value="100000", places=2),
    weights=st.lists(
        st.decimals(min_value="0.000001", max_value="1000", places=6), min_size=1, max_size=8
    ),
)
def test_parts_sum_to_the_total_and_stay_within_a_cent(
    total: Decimal, weights: list[Decimal]
) -> None:
    parts = allocate(total, weights)

    assert sum(parts, Decimal(0)) == total
    weight_sum = sum(weights, Decimal(0))
    for part, weight in zip(parts, weights, strict=True):
        assert part == part.quantize(Decimal("0.01"))
        assert abs(part - total * weight / weight_sum) < Decimal("0.01")
        assert part * total >= 0  # never the opposite sign
