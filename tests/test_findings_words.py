"""Findings in the sender's words (issue 22): the column as the file headed it, a number cell's value
in Swedish form as the spreadsheet shows it, an empty cell as empty (never "None"), the same on
the command line and on the data page."""

from __future__ import annotations

import shutil
from pathlib import Path

import xlsxwriter

from lom.queries import uploads

from .conftest import run_cli

NBSP = "\u00a0"
HEADERS = ["Organisationsnummer", "År", "Anställda", "Lönesumma", "Årets avsättning", "Nyttjat"]
HEADERS += ["Ingående saldo", "Utgående saldo"]


def funds_workbook(path: Path) -> Path:
    """Two years of one agency typed into Excel: the closing balance of 2025 does not add up
    (1 000 000 + 3 000 − 1 000 = 1 002 000, not 999 567,77), and 2024 has no head count."""
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Medel")
        sheet.write_row(0, 0, HEADERS)
        sheet.write_row(1, 0, ["209900-0016", 2025, 100, 1_000_000, 3000, 1000, 1_000_000, 999_567.77])
        sheet.write_row(2, 0, ["209900-0016", 2024, None, 1_000_000, 3000, 1000, 1_000_000, 1_002_000])
    return path


def test_a_finding_names_the_column_as_headed_and_the_value_as_the_sheet_shows_it(sample_db, tmp_path, capsys):
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    book = funds_workbook(tmp_path / "medel.xlsx")

    code, said = run_cli(capsys, "check", "--db", db, book)
    assert code == 1
    assert "rad 2, kolumn 'Utgående saldo': utgående saldo ska vara" in said
    assert f"(värde: '999{NBSP}567,77')" in said and "999567.77" not in said
    assert "closing_balance_sek" not in said and "None" not in said

    [result] = uploads.load([book], db, role="tsn")
    findings = result["findings"]
    balance = findings.filter(findings["rule"] == "saldo").row(0, named=True)
    assert (balance["column_name"], balance["value"], balance["row_number"]) == (
        "Utgående saldo",
        f"999{NBSP}567,77",
        2,
    )
    missing = findings.filter(findings["rule"] == "värde saknas").row(0, named=True)
    assert (missing["column_name"], missing["value"], missing["row_number"]) == ("Anställda", "", 3)
    for column in ("sheet", "column_name", "value", "message", "rule"):
        assert findings[column].null_count() == 0, column
        assert "None" not in findings[column].to_list()


def test_a_finding_of_the_whole_file_has_empty_places(sample_db, tmp_path):
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    [result] = uploads.load([empty], db, role="tsn")
    [finding] = result["findings"].iter_rows(named=True)
    assert (finding["sheet"], finding["column_name"], finding["value"]) == ("", "", "")
    assert finding["row_number"] is None  # a number column: the table draws its placeholder, –
