"""A property: a personnummer or samordningsnummer, written in any of the ways people write it and
planted anywhere in a CSV file or a workbook, is refused and never appears, digits normalised, in
any output or table."""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run_cli, write
from .planted import ARABIC_INDIC, FULLWIDTH, assert_nowhere, check_digit, in_digits
from .test_rules import APPS_HEADER, APPS_ROWS

DEVANAGARI = "०१२३४५६७८९"
SEPARATORS = ["-", "", " ", "\u2013", "\u2014", "\u2212", "\u00a0", "\u202f", "\u2011", " - ", " \u2013 "]
COLUMNS = APPS_HEADER.split(";")
TYPED = {2, 3, 6, 7}  # dates and amounts: ASCII digits alone are a number there, by the contract


@st.composite
def written_numbers(draw) -> tuple[str, bool]:
    """A personnummer or samordningsnummer as a person may write it, and whether it is text
    (not ten or twelve ASCII digits alone, which in a number column is a number)."""
    born = draw(st.dates(datetime.date(1930, 1, 1), datetime.date(2006, 12, 31)))
    serial = draw(st.integers(0, 999))
    day = born.day + (60 if draw(st.booleans()) else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    century = f"{born:%Y}"[:2] if draw(st.booleans()) else ""
    separator = draw(st.sampled_from(SEPARATORS))
    text = f"{century}{nine[:6]}{separator}{nine[6:]}{check_digit(nine)}"
    script = draw(st.sampled_from(["0123456789", FULLWIDTH, ARABIC_INDIC, DEVANAGARI]))
    text = in_digits(text, script)
    if draw(st.booleans()):
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] + "\u200b" + text[at:]
    return text, not (text.isascii() and text.isdigit())


PLACES = ["cell", "extra column", "header", "title row", "file name", "sheet name"]


# LOM_PROPERTY_EXAMPLES=1000 searches longer, on a developer's machine.
@settings(
    max_examples=int(os.environ.get("LOM_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    number=written_numbers(),
    place=st.sampled_from(PLACES),
    column=st.sampled_from(range(len(COLUMNS))),
    as_workbook=st.booleans(),
)
def test_a_planted_personnummer_is_refused_and_never_seen(agencies_db, capsys, number, place, column, as_workbook):
    value, is_text = number
    if place == "cell" and column in TYPED and not is_text:
        column = 4  # the contract does not scan a valid amount or date: plant it in a code column
    if place == "sheet name" and not as_workbook:
        place = "file name"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "lom.duckdb"
        shutil.copyfile(agencies_db, db)
        header = [*COLUMNS, "kommentar"]
        table = [[*line.split(";"), ""] for line in APPS_ROWS]
        if place == "cell":
            table[1][column] = value
        elif place == "extra column":
            table[1][-1] = value
        elif place == "header":
            header[-1] = value
        title = f"Ansökningar {value}" if place == "title row" else None
        name = f"ansokningar {value}" if place == "file name" else "ansokningar"
        sheet = f"Blad {value}"[:31] if place == "sheet name" else "Ansökningar"
        path = Path(folder) / (name + (".xlsx" if as_workbook else ".csv"))
        if as_workbook:
            _workbook(path, header, table, title, sheet)
        else:
            lines = ([title] if title else []) + [";".join(header), *(";".join(row) for row in table)]
            write(path, "\n".join(lines) + "\n")
        code, output = run_cli(capsys, "load", "--db", db, path)
        assert code == 1, output
        assert_nowhere(value, output, db)


def _workbook(path: Path, header: list[str], table: list[list[str]], title: str | None, sheet_name: str) -> None:
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_urls": False}) as book:
        sheet = book.add_worksheet(sheet_name)
        start = 2 if title else 0
        if title:
            sheet.write_string(0, 0, title)
        for c, value in enumerate(header):
            sheet.write_string(start, c, value)
        for r, row in enumerate(table, start=start + 1):
            for c, value in enumerate(row):
                if value:
                    sheet.write_string(r, c, value)
