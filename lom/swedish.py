"""Swedish number formatting, defined once for the loader's messages and the app: thousands
grouped with a no-break space, a decimal comma, a true minus sign (12 345,6; −3). The SQL
macros of sql/functions/ (sv_number, sv_kronor ...) write the same form inside the database;
tests/test_ui_format.py holds them to it."""

from __future__ import annotations

from decimal import Decimal

NBSP = "\u00a0"  # between thousands, and between a number and its unit
DECIMAL_MARK = ","
MINUS = "\u2212"


def number(x: int | float | Decimal, decimals: int = 0) -> str:
    """12345.6 -> '12 346' (decimals=0) or '12 345,6' (decimals=1); never '−0'."""
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", NBSP).replace(".", DECIMAL_MARK).replace("-", MINUS)
