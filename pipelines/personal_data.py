"""Find personal data in a file so that it can be refused; never repeat what was found."""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from pipelines.contract import ROW
from pipelines.report import ERROR, KEPT_PER_COLUMN_AND_RULE, Finding, listed, shortened
from pipelines.settings import normalise

# Cheap vectorised pre-filters; the exact tests run in Python on the few cells they let through.
# A month of 01-12 and a day of 01-31 (or 61-91): organisation numbers, whose "month" is 20 or
# more, never get through.
NUMBER_LIKE = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}"
EMAIL = r"[^\s@<>]+@[^\s@<>]+\.[A-Za-z]{2,}"
PERSONNUMMER = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})(?!\d)")


def is_personnummer(candidate: re.Match) -> bool:
    """Tell whether a match is a valid personnummer or samordningsnummer (day + 60)."""
    century, year, month, day, tail = candidate.groups()
    day_of_month = int(day) - 60 if int(day) > 60 else int(day)
    centuries = [century] if century else ["19", "20"]
    if not any(_is_date(int(c + year), int(month), day_of_month) for c in centuries):
        return False
    return _luhn(year + month + day + tail)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(digits):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def contains_personnummer(value: str) -> bool:
    """Tell whether a text holds a personnummer or samordningsnummer anywhere."""
    return any(is_personnummer(m) for m in PERSONNUMMER.finditer(value))


def holds_personal_data(value: str) -> bool:
    """Tell whether a text holds a personnummer, samordningsnummer or e-mail address."""
    return contains_personnummer(value) or re.search(EMAIL, value) is not None


def safe_name(name: str) -> str:
    """Return a file name fit for messages and logs: never one that holds personal data."""
    return "(filnamnet innehåller en personuppgift och visas inte)" if holds_personal_data(name) else name


def redact_headers(
    headers: list[str], row: int, sheet: str | None, first_column: int = 0
) -> tuple[list[str], list[Finding]]:
    """Replace each header holding personal data by its column letter, with a finding for it."""
    safe, findings = [], []
    for position, header in enumerate(headers):
        if header and holds_personal_data(header):
            letter = f"kolumn {excel_letter(first_column + position)}"
            findings.append(_found(row, letter, sheet, "en personuppgift i rubriken"))
            header = letter
        safe.append(header)
    return safe, findings


def scan_columns(frame: pl.DataFrame, columns: dict[str, str], sheet: str | None) -> list[Finding]:
    """Report each cell holding a personnummer or e-mail address by row and column header.

    Distinct values are tested, then the rows holding them found; past the first rows of a
    column the rest are counted, so a file full of personal data still gives a bounded report.
    """
    findings = []
    nulls = frame.select(pl.col(list(columns)).null_count()).row(0) if columns else ()
    for (name, header), null_count in zip(columns.items(), nulls, strict=True):
        if null_count == frame.height:  # a wide file's empty columns: one pass for all of them
            continue
        distinct = frame.get_column(name).unique().drop_nulls()  # codes and org numbers repeat
        flagged = distinct.filter(distinct.str.contains(f"{NUMBER_LIKE}|{EMAIL}"))
        if flagged.is_empty():
            continue
        is_number = pl.Series([contains_personnummer(value) for value in flagged], dtype=pl.Boolean)
        found = {
            "ett personnummer eller samordningsnummer": flagged.filter(is_number),
            "en e-postadress": flagged.filter(~is_number & flagged.str.contains(EMAIL)),
        }
        for what, values in found.items():
            if not values.is_empty():
                findings += _rows_holding(frame, name, values, header, sheet, what)
    return findings


def _rows_holding(
    frame: pl.DataFrame, name: str, values: pl.Series, header: str, sheet: str | None, what: str
) -> list[Finding]:
    holds = pl.col(name).is_in(values.implode())
    total = frame.select(holds.sum()).item()
    rows = frame.lazy().filter(holds).select(ROW).head(KEPT_PER_COLUMN_AND_RULE).collect()
    return listed([_found(row, header, sheet, what) for row in rows.get_column(ROW)], total)


def scan_cells(frame: pl.DataFrame, sheet: str | None, first_column: int = 0) -> list[Finding]:
    """Scan every cell of a sheet's rows that are not loaded, naming columns by their letter."""
    numbered = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    columns = {c: excel_letter(first_column + i) for i, c in enumerate(frame.columns)}
    text = numbered.with_columns(pl.col(c).cast(pl.String) for c in columns)
    return scan_columns(text, columns, sheet)


def person_headers(headers: list[str], person_words: frozenset[str], sheet: str | None) -> list[Finding]:
    """Report each header that names a person: 'Namn', 'first_name', 'Sökandens e-postadress' ..."""
    pattern = re.compile(
        r"(?<![a-zåäöé0-9])(?:" + "|".join(re.escape(w) for w in sorted(person_words, key=len, reverse=True)) + ")"
    )
    return [
        Finding(
            ERROR,
            "personuppgift: rubrik",
            "kolumnrubriken avser en person; sådana kolumner får inte skickas",
            column=shortened(header),
            sheet=sheet,
        )
        for header in headers
        if pattern.search(normalise(header.replace("_", " ")))
    ]


def excel_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _found(row: int, header: str, sheet: str | None, what: str) -> Finding:
    return Finding(
        ERROR,
        "personuppgift",
        f"cellen innehåller {what}; filen avvisas (värdet visas inte)",
        row=row,
        column=header,
        sheet=sheet,
    )
