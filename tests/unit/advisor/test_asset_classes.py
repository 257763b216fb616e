"""Asset classes over the bundled universe: funds in rank order, and which fund is tradable,
primary and proxy at a point in time."""

from __future__ import annotations

import pytest

from microfolio.advisor import AssetClasses
from microfolio.data import MarketData, load_universe
from microfolio.domain import Asset
from microfolio.errors import InvariantError, MicrofolioError, NotFoundError
from support.world import bundled_market


@pytest.fixture(scope="module")
def market() -> MarketData:
    return bundled_market()


@pytest.fixture(scope="module")
def classes() -> AssetClasses:
    return AssetClasses.from_assets(load_universe())


def test_funds_follow_tlh_rank_and_every_ticker_has_one_class(classes: AssetClasses) -> None:
    universe = load_universe()

    assert classes.funds("intl_developed") == ("VEA", "IEFA", "SCHF", "EFA")
    assert classes.funds("us_aggregate_bond") == ("BND", "AGG", "SCHZ")
    assert sorted(classes.class_of) == sorted(a.ticker for a in universe)
    assert all(classes.asset_class(a.ticker) == a.asset_class for a in universe)
    assert classes.replacements("EFA") == ("VEA", "IEFA", "SCHF")


def test_ranks_are_read_not_the_file_order() -> None:
    assets = [Asset("BBB", "x", tlh_rank=2), Asset("CCC", "y"), Asset("AAA", "x", tlh_rank=1)]

    classes = AssetClasses.from_assets(assets)

    assert classes.names == ("x", "y")
    assert classes.funds("x") == ("AAA", "BBB")


def test_a_ticker_given_twice_is_refused() -> None:
    with pytest.raises(InvariantError, match="VTI is given twice"):
        AssetClasses.from_assets([Asset("VTI", "us_total_stock"), Asset("VTI", "other", 2)])


def test_two_funds_with_one_rank_are_refused() -> None:
    with pytest.raises(InvariantError, match="'x': AAA and BBB share tlh_rank 1"):
        AssetClasses.from_assets([Asset("AAA", "x"), Asset("BBB", "x")])


def test_a_ticker_in_two_classes_is_refused() -> None:
    with pytest.raises(InvariantError, match="AAA is in two asset classes"):
        AssetClasses({"x": ("AAA",), "y": ("AAA", "BBB")})


def test_unknown_class_and_ticker_are_named(classes: AssetClasses, market: MarketData) -> None:
    with pytest.raises(NotFoundError, match="unknown asset class 'crypto'"):
        classes.primary("crypto", market.view("2012-06-01"))
    with pytest.raises(NotFoundError, match="'ZZZ' is in no asset class"):
        classes.asset_class("ZZZ")


def test_a_fund_is_tradable_once_it_lists_and_has_the_history_asked(
    classes: AssetClasses, market: MarketData
) -> None:
    # VEA lists 2007-07-26; SCHF (2009) and IEFA (2012) later still
    before = market.view("2007-01-03")
    after = market.view("2007-08-01")

    assert classes.tradable("intl_developed", before) == ("EFA",)
    assert classes.tradable("intl_developed", after) == ("VEA", "EFA")
    assert classes.tradable("intl_developed", after, min_history=252) == ("EFA",)
    assert classes.tradable("intl_developed", market.view("2013-06-03")) == (
        "VEA",
        "IEFA",
        "SCHF",
        "EFA",
    )


def test_primary_is_the_best_ranked_fund_that_trades(
    classes: AssetClasses, market: MarketData
) -> None:
    early, later = market.view("2007-01-03"), market.view("2012-06-01")

    assert classes.primary("intl_developed", early) == "EFA"
    assert classes.primary("intl_developed", later) == "VEA"
    assert classes.primary("us_aggregate_bond", early) == "AGG"  # BND lists 2007-04-10
    assert classes.primary("us_aggregate_bond", later) == "BND"


def test_proxy_is_the_fund_with_most_history_in_the_window(
    classes: AssetClasses, market: MarketData
) -> None:
    early, later = market.view("2007-01-03"), market.view("2012-06-01")

    # VWO (primary) started 2005-03-10, EEM on the first day of the data: EEM has more closes
    assert classes.primary("emerging", early) == "VWO"
    assert classes.proxy("emerging", early, lookback=757) == "EEM"
    # both have the whole window by 2012: the tie goes to the better rank
    assert classes.proxy("emerging", later, lookback=757) == "VWO"
    # VEA (2007-07-26) fills a three-year window by mid-2012, not a five-year one
    assert classes.proxy("intl_developed", later, lookback=757) == "VEA"
    assert classes.proxy("intl_developed", later, lookback=1300) == "EFA"


def test_no_tradable_fund_is_an_error_naming_the_class(
    classes: AssetClasses, market: MarketData
) -> None:
    view = market.view("2005-06-01")  # about 65 sessions into the data

    with pytest.raises(
        MicrofolioError, match="'intl_developed' has no tradable fund on 2005-06-01"
    ):
        classes.primary("intl_developed", view, min_history=252)
    with pytest.raises(MicrofolioError, match="'tips' has no tradable fund"):
        classes.proxy("tips", view, lookback=756, min_history=252)


def test_bad_counts_are_refused(classes: AssetClasses, market: MarketData) -> None:
    view = market.view("2012-06-01")

    with pytest.raises(InvariantError, match="min_history must be an integer >= 1, got 0"):
        classes.tradable("tips", view, min_history=0)
    with pytest.raises(InvariantError, match="lookback must be an integer >= 1"):
        classes.proxy("tips", view, lookback=-5)
