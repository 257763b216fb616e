"""Execution: costs, the broker protocol and the simulated broker that backtests trade with."""

from microfolio.execution.broker import Broker, BrokerReport
from microfolio.execution.costs import CostModel
from microfolio.execution.custody import Custody
from microfolio.execution.market_prices import MarketOpenPrices
from microfolio.execution.simulated import OpenPrices, SimulatedBroker

__all__ = [
    "Broker",
    "BrokerReport",
    "CostModel",
    "Custody",
    "MarketOpenPrices",
    "OpenPrices",
    "SimulatedBroker",
]
