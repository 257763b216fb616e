"""Tax: lot methods, realised gains, wash sales, yearly taxes and the tax alpha of harvesting."""

from microfolio.tax.alpha import TaxAlpha, YearAlpha, harvesting_yield, tax_alpha
from microfolio.tax.gains import (
    AccountGains,
    GainsReport,
    HouseholdGains,
    TermGains,
    YearGains,
    disallowed_losses,
    realised_gains,
)
from microfolio.tax.guard import HouseholdWashGuard
from microfolio.tax.identical import SecurityIdentity
from microfolio.tax.liability import TaxRates, YearTax, annual_taxes
from microfolio.tax.lot_methods import (
    LotMethod,
    SpecificLots,
    TaxMinimising,
    held_long_term,
    hifo,
    selector_for,
    specific,
    tax_minimising,
)
from microfolio.tax.wash_records import LossSale, Purchase, WashSale
from microfolio.tax.wash_sale import WashSaleWindow, apply_to_lots

__all__ = [
    "AccountGains",
    "GainsReport",
    "HouseholdGains",
    "HouseholdWashGuard",
    "LossSale",
    "LotMethod",
    "Purchase",
    "SecurityIdentity",
    "SpecificLots",
    "TaxAlpha",
    "TaxMinimising",
    "TaxRates",
    "TermGains",
    "WashSale",
    "WashSaleWindow",
    "YearAlpha",
    "YearGains",
    "YearTax",
    "annual_taxes",
    "apply_to_lots",
    "disallowed_losses",
    "harvesting_yield",
    "held_long_term",
    "hifo",
    "realised_gains",
    "selector_for",
    "specific",
    "tax_alpha",
    "tax_minimising",
]
