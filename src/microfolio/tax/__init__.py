"""Tax: lot selection methods and the realised-gains report."""

from microfolio.tax.gains import (
    AccountGains,
    GainsReport,
    HouseholdGains,
    TermGains,
    YearGains,
    realised_gains,
)
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

__all__ = [
    "AccountGains",
    "GainsReport",
    "HouseholdGains",
    "LotMethod",
    "SpecificLots",
    "TaxMinimising",
    "TermGains",
    "YearGains",
    "held_long_term",
    "hifo",
    "realised_gains",
    "selector_for",
    "specific",
    "tax_minimising",
]
