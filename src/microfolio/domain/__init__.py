"""Frozen value objects shared by every layer."""

from microfolio.domain.account import MAX_RISK_LEVEL, Account, AccountType, Household, LotMethod
from microfolio.domain.asset import Asset
from microfolio.domain.audit import AuditEvent
from microfolio.domain.disposal import Disposal, held_long_term
from microfolio.domain.fill import Fill
from microfolio.domain.ids import IdFactory, SequentialIds, UuidIds
from microfolio.domain.journal import JournalEntry, LedgerAccount, Posting
from microfolio.domain.lot import Lot
from microfolio.domain.money import CENT, ZERO, money, price, quantity
from microfolio.domain.order import TRANSITIONS, Order, OrderStatus, Side
from microfolio.domain.portfolio import TargetPortfolio
from microfolio.domain.ticket import Reason, ReasonKind, TradeTicket
from microfolio.domain.withdrawal import Withdrawal

__all__ = [
    "CENT",
    "MAX_RISK_LEVEL",
    "TRANSITIONS",
    "ZERO",
    "Account",
    "AccountType",
    "Asset",
    "AuditEvent",
    "Disposal",
    "Fill",
    "Household",
    "IdFactory",
    "JournalEntry",
    "LedgerAccount",
    "Lot",
    "LotMethod",
    "Order",
    "OrderStatus",
    "Posting",
    "Reason",
    "ReasonKind",
    "SequentialIds",
    "Side",
    "TargetPortfolio",
    "TradeTicket",
    "UuidIds",
    "Withdrawal",
    "held_long_term",
    "money",
    "price",
    "quantity",
]
