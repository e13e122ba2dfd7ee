"""Polars expressions that type text cells, each paired with a mask of the cells it cannot read."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

AMOUNT_TYPE = pl.Decimal(18, 2)
_SPACE = "[ \u00a0\u202f]"
# Digits are ASCII only: a fullwidth or Arabic-Indic digit is no amount but text, and text is
# scanned for personal data (pipelines/personal_data.py) before any rule may speak of it.
_GROUPED = rf"[0-9]{{1,3}}(?:{_SPACE}[0-9]{{3}})+"
# Thousands grouped by a space (or no grouping), then at most öre after a comma or a point.
# "1.234" and "1,234" could be a thousand or one krona: ambiguous, so refused.
AMOUNT = rf"^-?(?:{_GROUPED}|[0-9]+)(?:[.,][0-9]{{1,2}})?$"
INTEGER = rf"^(?:{_GROUPED}|[0-9]+)$"
DATE = r"^([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?: 00:00:00)?$"
ORG_NR = r"^([0-9]{6})-?([0-9]{4})$"


class Parsed(NamedTuple):
    """A typed value and a mask that is true where a non-empty cell could not be read."""

    value: pl.Expr
    bad: pl.Expr


def cell(name: str) -> pl.Expr:
    """Return a column's text with spaces trimmed and empty cells as null."""
    text = pl.col(name).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def amount(name: str) -> Parsed:
    """Read an amount in kronor: 1 234 567,50 or 1234567.5."""
    text = cell(name)
    readable = text.str.contains(AMOUNT)
    digits = text.str.replace_all(_SPACE, "").str.replace(",", ".", literal=True)
    value = pl.when(readable).then(digits).cast(AMOUNT_TYPE, strict=False)
    return Parsed(value, text.is_not_null() & value.is_null())  # unreadable, or too large


def integer(name: str) -> Parsed:
    """Read a whole number, with or without a space as thousands separator."""
    text = cell(name)
    readable = text.str.contains(INTEGER)
    value = pl.when(readable).then(text.str.replace_all(_SPACE, "")).cast(pl.Int32, strict=False)  # as stored
    return Parsed(value, text.is_not_null() & value.is_null())


def date(name: str) -> Parsed:
    """Read a date written 2024-03-31 or 20240331 (or an Excel date cell)."""
    text = cell(name)
    iso = text.str.replace(DATE, "$1-$2-$3")
    value = pl.when(text.str.contains(DATE)).then(iso).str.to_date("%Y-%m-%d", strict=False)
    return Parsed(value, text.is_not_null() & value.is_null())


def org_nr(name: str) -> Parsed:
    """Read an organisation number as NNNNNN-NNNN, checking its Luhn check digit."""
    text = cell(name)
    digits = text.str.replace_all("-", "", literal=True)
    readable = text.str.contains(ORG_NR) & luhn_valid(digits)
    value = pl.when(readable).then(text.str.replace(ORG_NR, "$1-$2"))
    return Parsed(value, text.is_not_null() & ~readable.fill_null(False))


def one_org_nr(text: str) -> str | None:
    """One organisation number read as a file's cell is read, as NNNNNN-NNNN; None when it is none."""
    return pl.DataFrame({"org_nr": [text]}, schema={"org_nr": pl.String}).select(org_nr("org_nr").value).item()


def luhn_valid(digits: pl.Expr) -> pl.Expr:
    """Check the mod-10 (Luhn) digit of a ten-digit string."""
    total = pl.lit(0, dtype=pl.Int32)
    for position in range(10):
        digit = digits.str.slice(position, 1).cast(pl.Int32, strict=False)
        if position % 2 == 0:
            digit = digit * 2
            digit = pl.when(digit > 9).then(digit - 9).otherwise(digit)
        total = total + digit
    return (digits.str.len_chars() == 10) & (total % 10 == 0)


def code(name: str, accepted: dict[str, str]) -> Parsed:
    """Map a value onto its canonical spelling through a table of normalised aliases."""
    text = cell(name)
    key = text.str.to_lowercase().str.replace_all(r"\s+", " ")
    value = key.replace_strict(accepted, default=None, return_dtype=pl.String)
    return Parsed(value, text.is_not_null() & value.is_null())


def text(name: str) -> Parsed:
    """Keep a text cell as it is, trimmed."""
    return Parsed(cell(name), pl.lit(False))
