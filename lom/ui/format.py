"""Numbers, amounts, shares and dates as a Swedish reader expects them: 12 345 kr, 1,2 mnkr, 45 %;
and each measure by its unit, with its name, from config/measures.toml (lom/db/measures.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from lom import swedish
from lom.db import measures
from lom.db.measures import Unit

NBSP = swedish.NBSP
MISSING = "–"

Number = int | float | Decimal | None


def _missing(x: Number) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: Number, decimals: int = 0) -> str:
    """12345.6 -> '12 346' (decimals=0) or '12 345,6' (decimals=1); missing -> '–'."""
    return MISSING if _missing(x) else swedish.number(float(x), decimals)


def kronor(x: Number) -> str:
    """12345678 -> '12 345 678 kr'."""
    return MISSING if _missing(x) else f"{number(x)}{NBSP}kr"


def short_kronor(x: Number) -> str:
    """An amount in a short form for figures and charts: '1,2 mnkr', '345 tkr', '950 kr'."""
    if _missing(x):
        return MISSING
    value = float(x)
    if abs(value) >= 1e9:
        return f"{number(value / 1e9, 1)}{NBSP}mdkr"
    if abs(value) >= 1e6:
        return f"{number(value / 1e6, 1)}{NBSP}mnkr"
    if abs(value) >= 1e4:
        return f"{number(value / 1e3)}{NBSP}tkr"
    return kronor(value)


def percent(x: Number, decimals: int = 0) -> str:
    """A share as a percentage: 0.453 -> '45 %'."""
    return MISSING if _missing(x) else f"{number(float(x) * 100, decimals)}{NBSP}%"


def percentage_points(x: Number) -> str:
    """A change of a share, signed: 0.021 -> '+2,1 procentenheter'."""
    if _missing(x):
        return MISSING
    return f"{signed(float(x) * 100, 1)}{NBSP}procentenheter"


def signed(x: Number, decimals: int = 0) -> str:
    """A change with its sign: '+1 234', '−56', '±0'."""
    if _missing(x):
        return MISSING
    text = number(x, decimals)
    if text.lstrip("−").replace(NBSP, "").replace(",", "").strip("0") == "":
        return f"±{text}"
    return text if text.startswith("−") else f"+{text}"


def years(x: Number) -> str:
    """A reserve in years of allocation: 3.04 -> '3,0 årsavsättningar' ("3,0 år" reads as a duration)."""
    return MISSING if _missing(x) else f"{number(x, 1)}{NBSP}årsavsättningar"


def day(d: date | datetime | None) -> str:
    """A date as 2024-03-31."""
    return MISSING if d is None else f"{d:%Y-%m-%d}"


def moment(d: datetime | None) -> str:
    """A time as 2024-03-31 14:05."""
    return MISSING if d is None else f"{d:%Y-%m-%d %H:%M}"


def span_by_unit(low: Number, high: Number, unit: str) -> str:
    """A range with its unit once: '38–76 %', '18–30,5 dagar', '3,1–9,8 år'."""
    if _missing(low) or _missing(high):
        return MISSING
    first, last = by_unit(low, unit), by_unit(high, unit)
    suffix = last[len(last.rstrip("abcdefghijklmnopqrstuvwxyzåäö%")) :]
    if suffix and first.endswith(suffix):
        first = first[: -len(suffix)].rstrip(NBSP)
    return f"{first}–{last}"


def by_unit(x: Number, unit: str) -> str:
    """Format a measure by its unit (config/measures.toml): andel, årsavsättningar, kr, dagar, per 100 anställda."""
    if unit == "andel":
        return percent(x)
    if unit == "årsavsättningar":
        return years(x)
    if unit == "kr":
        return kronor(x)
    if unit == "dagar":
        return MISSING if _missing(x) else f"{number(x, 1 if float(x) % 1 else 0)}{NBSP}dagar"
    return number(x, 1)


@dataclass(frozen=True)
class UnitStyle:
    """How values of a unit are shown in charts and tables."""

    axis_format: str  # the d3 format of a chart axis or tooltip
    column_kind: str  # the kind of a table column (ui.tables.SHOWN)
    in_title: str | None  # said after the name in a chart's title of an axis, whose numbers are bare
    in_header: str | None  # said after the name in a table header (an amount's cells say kr themselves)


UNITS = {
    Unit.KRONOR: UnitStyle(",.0f", "kronor", "kr", None),
    Unit.SHARE: UnitStyle(".0%", "percent", None, None),
    Unit.YEARS: UnitStyle(",.1f", "years", None, None),  # the name says it: Saldo i årsavsättningar
    Unit.DAYS: UnitStyle(",.0f", "days", "dagar", "dagar"),
    Unit.PER_100: UnitStyle(",.1f", "number1", None, None),  # the name says it: ... per 100 anställda
}


def style(key: str) -> UnitStyle:
    """How a measure is shown, by its unit."""
    return UNITS[measures.measure(key).unit]


def axis_format(key: str) -> str:
    """The d3 format of a measure on a chart's axis: '.0%' for a share, ',.1f' for years."""
    return style(key).axis_format


def titled(key: str) -> str:
    """A measure's name with its unit where a chart shows bare numbers: 'Beviljat per anställd (kr)'."""
    unit = style(key).in_title
    return f"{measures.label(key)} ({unit})" if unit else measures.label(key)


def header(key: str) -> str:
    """A measure's name as a table's header: 'Handläggningstid (dagar)', 'Nyttjandegrad'."""
    unit = style(key).in_header
    return f"{measures.label(key)} ({unit})" if unit else measures.label(key)


def by_measure(x: Number, key: str) -> str:
    """Format a value of a measure by its unit: by_measure(0.453, "utilisation") -> '45 %'."""
    return by_unit(x, measures.measure(key).unit)


def texts(column: pl.Series, render: Callable[[Number], str], name: str) -> pl.Series:
    """Render every value of a column with one of the functions above, as a text column.

    Done here, on the calling thread, not with `map_elements`: that calls Python from Polars'
    worker threads, and with sixteen sessions rendering at once the served app deadlocked (every
    thread waiting: Polars' pool for the interpreter lock, a lock holder for the pool).
    """
    return pl.Series(name, [None if v is None else render(v) for v in column.to_list()], dtype=pl.String)
