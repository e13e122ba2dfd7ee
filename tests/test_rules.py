"""Every rule of the data contract: a file breaking it exits 1, names row, column and rule,
and leaves the database exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import rows, run_cli, snapshot, write

ORG_A = "209900-0016"  # in the sample data
ORG_B = "209900-0024"
UNKNOWN = "209900-9991"  # valid check digit, not loaded

FUNDS_HEADER = "org_nr;year;employees;payroll_sek;allocated_sek;spent_sek;opening_balance_sek;closing_balance_sek"
FUNDS_ROWS = [
    f"{ORG_A};2024;120;60 000 000,00;120 000,00;50 000,50;100 000,00;169 999,50",
    f"{ORG_B};2024;30;15 000 000;30 000;10 000;20 000;40 000",
]
APPS_HEADER = "ärendenummer;orgnr;inkom;beslutsdatum;insats;beslut;sökt belopp;beviljat belopp;kön;åldersgrupp"
APPS_ROWS = [
    f"T-1;{ORG_A};2024-01-03;2024-01-20;kompetensutveckling;beviljad;10 000;10 000;kvinna;30-39",
    f"T-2;{ORG_A};20240205;;mentorskap;under handläggning;5000;0;man;60-",
    f"T-3;{ORG_B};2024-03-01;2024-03-09;Studier;avslag;40 000,00;;;",
]
AGENCY_HEADER = "organisationsnummer;namn;sektor"
AGENCY_ROWS = ["209900-0990;Testverket för åäö;Kultur, utbildning och övrigt"]


def replace_cell(lines: list[str], row: int, column: int, value: str) -> list[str]:
    """Return lines with one cell replaced; row 0 is the first data row."""
    changed = list(lines)
    cells = changed[row].split(";")
    cells[column] = value
    changed[row] = ";".join(cells)
    return changed


def csv_file(tmp_path: Path, header: str, lines: list[str]) -> Path:
    return write(tmp_path / "fil.csv", "\n".join([header, *lines]) + "\n")


# (kind, data row, column index, bad value, header shown, rule)
CELL_RULES = [
    ("agencies", 0, 0, "209900-0991", "organisationsnummer", "format"),  # check digit wrong
    ("agencies", 0, 0, "20990-00990", "organisationsnummer", "format"),
    ("agencies", 0, 1, "  ", "namn", "värde saknas"),
    ("agencies", 0, 2, "Okänd sektor", "sektor", "format"),
    ("funds", 0, 0, UNKNOWN, "org_nr", "okänd myndighet"),
    ("funds", 0, 1, "2014", "year", "år"),
    ("funds", 0, 1, "2031", "year", "år"),
    ("funds", 0, 2, "-3", "employees", "format"),
    ("funds", 0, 2, "12,5", "employees", "format"),
    ("funds", 0, 3, "1.234", "payroll_sek", "format"),  # a thousand or one krona: ambiguous
    ("funds", 0, 3, "1,234", "payroll_sek", "format"),
    ("funds", 0, 3, "1.234.567,00", "payroll_sek", "format"),
    ("funds", 0, 3, "", "payroll_sek", "värde saknas"),
    ("funds", 0, 5, "-5", "spent_sek", "negativt"),
    ("funds", 0, 7, "170 001,00", "closing_balance_sek", "saldo"),
    ("applications", 0, 1, UNKNOWN, "orgnr", "okänd myndighet"),
    ("applications", 0, 2, "2999-01-01", "inkom", "framtida datum"),
    ("applications", 0, 2, "2024-02-30", "inkom", "format"),
    ("applications", 0, 2, "03/01/2024", "inkom", "format"),
    ("applications", 0, 3, "", "beslutsdatum", "beslutsdatum saknas"),
    ("applications", 0, 3, "2023-12-31", "beslutsdatum", "datumordning"),
    ("applications", 0, 4, "yoga", "insats", "format"),
    ("applications", 0, 5, "kanske", "beslut", "format"),
    ("applications", 2, 7, "100", "beviljat belopp", "beviljat belopp"),
    ("applications", 0, 6, "-1", "sökt belopp", "negativt"),
    ("applications", 0, 8, "robot", "kön", "format"),
    ("applications", 0, 9, "12-18", "åldersgrupp", "format"),
    ("applications", 1, 0, "T-1", "ärendenummer", "unik"),
]
FILES = {
    "agencies": (AGENCY_HEADER, AGENCY_ROWS),
    "funds": (FUNDS_HEADER, FUNDS_ROWS),
    "applications": (APPS_HEADER, APPS_ROWS),
}


def test_the_valid_files_load(sample_copy, tmp_path, capsys):
    """The unbroken test files load, so each failure below is due to its one bad cell."""
    for kind, (header, lines) in FILES.items():
        code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, header, lines))
        assert code == 0, output
        assert "inläst" in output, kind
    assert rows(
        sample_copy,
        f"select count(*) from applications where year(received_on) = 2024 and org_nr = '{ORG_B}'",
    ) == [(1,)]


@pytest.mark.parametrize(("kind", "row", "column", "value", "header", "rule"), CELL_RULES)
def test_a_broken_cell_rejects_the_file(sample_copy, tmp_path, capsys, kind, row, column, value, header, rule):
    """A file with one bad cell exits 1, says row, column and rule, and changes nothing."""
    file_header, lines = FILES[kind]
    path = csv_file(tmp_path, file_header, replace_cell(lines, row, column, value))
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1, output
    assert f"rad {row + 2}, kolumn '{header}'" in output
    assert f"[{rule}]" in output
    assert snapshot(sample_copy) == before
    assert rows(sample_copy, "select status from loads order by load_id desc limit 1") == [("rejected",)]


def test_every_error_is_listed_not_only_the_first(sample_copy, tmp_path, capsys):
    """Three bad cells in three rows give three errors."""
    lines = replace_cell(APPS_ROWS, 0, 4, "yoga")
    lines = replace_cell(lines, 1, 2, "igår")
    lines = replace_cell(lines, 2, 1, UNKNOWN)
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, APPS_HEADER, lines))
    assert code == 1
    assert "rad 2, kolumn 'insats'" in output
    assert "rad 3, kolumn 'inkom'" in output
    assert "rad 4, kolumn 'orgnr'" in output
    [(errors,)] = rows(sample_copy, "select errors from loads order by load_id desc limit 1")
    assert errors == 3


def test_only_the_last_row_bad_loads_nothing(sample_copy, tmp_path, capsys):
    """A long file whose only bad row is the last loads none of its rows."""
    good = [f"L-{i};{ORG_A};2024-05-01;2024-05-10;handledning;beviljad;1000;1000;;" for i in range(2000)]
    bad = f"L-last;{ORG_A};2024-05-01;2024-05-10;handledning;beviljad;1000;1000;;99-"
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, APPS_HEADER, [*good, bad]))
    assert code == 1
    assert "rad 2002, kolumn 'åldersgrupp'" in output
    assert snapshot(sample_copy) == before


def test_duplicate_agency_and_year(sample_copy, tmp_path, capsys):
    """(org_nr, year) twice in a funds file is an error on both rows."""
    lines = [FUNDS_ROWS[0], FUNDS_ROWS[0]]
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, FUNDS_HEADER, lines))
    assert code == 1
    assert "rad 2, kolumn 'year'" in output and "rad 3, kolumn 'year'" in output


def test_duplicate_org_nr_in_agencies(sample_copy, tmp_path, capsys):
    lines = [AGENCY_ROWS[0], AGENCY_ROWS[0].replace("Testverket", "Annat verk")]
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, AGENCY_HEADER, lines))
    assert code == 1
    assert "rad 3, kolumn 'organisationsnummer'" in output and "[unik]" in output


def test_warnings_do_not_stop_a_load(sample_copy, tmp_path, capsys):
    """Allocation off by more than 2 %, an opening balance unlike last year's closing, and more
    granted than requested are warnings: the file loads and the warnings are reported and logged."""
    funds = [f"{ORG_A};2026;120;60 000 000;150 000;0;1,00;150 001,00"]
    apps = [f"W-1;{ORG_A};2024-01-03;2024-01-20;kompetensutveckling;beviljad;10 000;12 000;;"]
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, FUNDS_HEADER, funds))
    assert code == 0, output
    assert "[avsättning]" in output and "väntat 120\u00a0000,00 kr" in output
    assert "[ingående saldo]" in output
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, APPS_HEADER, apps))
    assert code == 0 and "[över sökt belopp]" in output
    logged = rows(sample_copy, "select rule from load_messages where severity = 'warning' order by rule")
    assert [r for (r,) in logged] == ["avsättning", "ingående saldo", "över sökt belopp"]


def test_agencies_of_the_same_load_are_known(tmp_path, capsys):
    """A funds file may name an agency that an agencies file in the same command brings."""
    db = tmp_path / "new.duckdb"
    agencies = write(tmp_path / "b_agencies.csv", AGENCY_HEADER + "\n" + AGENCY_ROWS[0] + "\n")
    funds = write(tmp_path / "a_funds.csv", FUNDS_HEADER + "\n209900-0990;2024;5;2 000 000;4 000;0;0;4 000\n")
    code, output = run_cli(capsys, "load", "--db", db, funds, agencies)
    assert code == 0, output
    assert rows(db, "select name, year from agencies join fund_years using (org_nr)") == [("Testverket för åäö", 2024)]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a;b;c\n1;2;3\n", "okänd filtyp"),
        ("", "tom fil"),
        (FUNDS_HEADER + ";extra_x\n" + FUNDS_ROWS[0] + ";note\n", None),  # an extra column: a warning
        (FUNDS_HEADER.replace(";spent_sek", "") + "\n" + FUNDS_ROWS[0] + "\n", "antal fält"),
        (FUNDS_HEADER.replace("employees", "year") + "\n" + FUNDS_ROWS[0] + "\n", "dubbel kolumn"),
        (APPS_HEADER.replace(";beslut;", ";") + "\n", "kolumn saknas"),
    ],
)
def test_file_level_problems(sample_copy, tmp_path, capsys, text, rule):
    """Unknown headers, empty files, ragged rows, duplicate or missing columns: clear messages."""
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "x.csv", text))
    if rule is None:
        assert code == 0 and "[okänd kolumn]" in output and "kolumn 'extra_x'" in output
        return
    assert code == 1, output
    assert f"[{rule}]" in output
    assert snapshot(sample_copy) == before


def test_ragged_rows_are_found_by_row(sample_copy, tmp_path, capsys):
    """A short row and a long row are each reported with their row number."""
    lines = [FUNDS_ROWS[0], FUNDS_ROWS[1] + ";9", f"{ORG_B};2023;30"]
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, FUNDS_HEADER, lines))
    assert code == 1
    assert "rad 3: raden har 9 fält men rubrikraden har 8" in output
    assert "rad 4: raden har 3 fält men rubrikraden har 8" in output


def test_oversized_file_is_refused_before_parsing(sample_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOM_MAX_FILE_MB", "0.001")
    path = csv_file(tmp_path, FUNDS_HEADER, FUNDS_ROWS * 20)
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "[för stor]" in output
    assert rows(sample_copy, "select status, rows_in_file from loads order by load_id desc limit 1") == [
        ("rejected", 0)
    ]


def test_amounts_in_thousands_are_not_taken_for_kronor(sample_copy, tmp_path, capsys):
    """A payroll column headed '(tkr)' is not the contract's payroll in kronor: refused, not scaled."""
    header = FUNDS_HEADER.replace("payroll_sek", "Lönesumma (tkr)")
    code, output = run_cli(capsys, "load", "--db", sample_copy, csv_file(tmp_path, header, FUNDS_ROWS))
    assert code == 1 and "kolumnen 'lönesumma' (payroll_sek) saknas" in output
