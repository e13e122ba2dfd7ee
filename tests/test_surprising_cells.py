"""Cells that could change value silently (amounts, Excel numbers and dates, error cells), personal
data outside the data rows (headers, title rows, sheet names), workbooks with surprising sheets,
and check agreeing with load."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import xlsxwriter

from pipelines.progress import Progress

from .conftest import rows, run_cli, snapshot, write
from .test_loading import AGENCY_SHEET, FUNDS_SHEET, ORG, workbook
from .test_personal_data import EMAIL, PNR_10, PNR_12
from .test_rules import APPS_HEADER, APPS_ROWS, FUNDS_HEADER, FUNDS_ROWS


def rejected_without_trace(db, output: str, value: str) -> None:
    digits = re.sub(r"\D", "", value)
    assert value not in output and (not digits or digits not in re.sub(r"\D", "", output))
    logged = rows(
        db, "select coalesce(string_agg(concat_ws(' ', sheet, column_name, message), ' '), '') from load_messages"
    )
    assert value not in logged[0][0]


def test_an_amount_too_large_is_an_error_not_zero(sample_copy, tmp_path, capsys):
    line = APPS_ROWS[0].replace(";10 000;kvinna", ";99 999 999 999 999 999;kvinna")
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{line}\n"))
    assert code == 1 and "rad 2, kolumn 'beviljat belopp'" in output and "[format]" in output


@pytest.mark.parametrize(("column", "value"), [(2, PNR_12), (3, PNR_10), (6, PNR_10)])
def test_personal_data_in_a_date_or_amount_cell(sample_copy, tmp_path, capsys, column, value):
    """A personnummer where a date or an amount belongs is found, and not echoed as a bad value.
    (Twelve bare digits in an amount column are an amount: the contract does not scan those.)"""
    cells = APPS_ROWS[0].split(";")
    cells[column] = value
    path = write(tmp_path / "a.csv", f"{APPS_HEADER}\n{';'.join(cells)}\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "[personuppgift]" in output
    rejected_without_trace(sample_copy, output, value)


def test_a_personnummer_as_a_header(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "a.csv", f"{APPS_HEADER};{PNR_10}\n{APPS_ROWS[0]};x\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "rad 1, kolumn 'kolumn K'" in output and "[personuppgift]" in output
    rejected_without_trace(sample_copy, output, PNR_10)


def test_a_file_without_header_does_not_echo_its_first_row(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "a.csv", f"{PNR_10};209900-0016;2024-01-01\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    rejected_without_trace(sample_copy, output, PNR_10)


def test_unbalanced_quotes_do_not_leak_the_cell(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "a.csv", f'{FUNDS_HEADER}\n209900-0016;"Anna {PNR_10}" x;1;2;3;4;5;6\n')
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    rejected_without_trace(sample_copy, output, PNR_10)


def test_a_duplicate_case_number_is_not_repeated(sample_copy, tmp_path, capsys):
    lines = [APPS_ROWS[0], APPS_ROWS[0].replace("2024-01-03", "2024-01-04")]
    code, output = run_cli(
        capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]))
    )
    assert code == 1 and "[unik]" in output and "T-1" not in output


def test_the_progress_bar_hides_a_personal_file_name(monkeypatch):
    monkeypatch.setenv("LOM_PROGRESS", "1")
    from pipelines.personal_data import safe_name

    stream = io.StringIO()
    Progress(safe_name(f"big_{PNR_10}.csv"), 10**8, stream=stream).stage("läser", 0.1)
    assert PNR_10 not in stream.getvalue()


def test_personal_data_above_the_header_of_a_sheet(tmp_path, capsys):
    path = tmp_path / "b.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Myndigheter")
        sheet.write(0, 0, f"Kontakt: {EMAIL}")
        for r, values in enumerate(AGENCY_SHEET):
            sheet.write_row(2 + r, 0, values)
    db = tmp_path / "db.duckdb"
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 1 and "blad 'Myndigheter', rad 1, kolumn 'A'" in output
    rejected_without_trace(db, output, EMAIL)


def test_a_sheet_named_after_a_person(tmp_path, capsys):
    path = workbook(tmp_path / "b.xlsx", {PNR_10: AGENCY_SHEET})
    db = tmp_path / "db.duckdb"
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 1 and "blad 'blad 1'" in output
    rejected_without_trace(db, output, PNR_10)


def test_column_letters_of_an_ignored_sheet_with_empty_leading_columns(tmp_path, capsys):
    path = tmp_path / "b.xlsx"
    with xlsxwriter.Workbook(path) as book:
        data = book.add_worksheet("Myndigheter")
        for r, values in enumerate(AGENCY_SHEET):
            data.write_row(r, 0, values)
        notes = book.add_worksheet("Anteckningar")
        notes.write(3, 2, f"ring {PNR_10}")
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1 and "blad 'Anteckningar', rad 4, kolumn 'C'" in output


def test_two_sheets_of_one_kind_are_refused(tmp_path, capsys):
    path = workbook(tmp_path / "b.xlsx", {"Myndigheter": AGENCY_SHEET, "Del 1": FUNDS_SHEET, "Del 2": FUNDS_SHEET})
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1 and "[flera blad]" in output and "'Del 1' och 'Del 2'" in output


@pytest.mark.parametrize(
    ("value", "column"),
    [(1234.567, 3), (12.5, 2)],
    ids=["amount with three decimals", "fractional employees"],
)
def test_excel_numbers_are_never_rounded(tmp_path, capsys, value, column):
    """The bad cell is an error in its row only; the good row below it is read as it is."""
    broken = [*FUNDS_SHEET[1]]
    broken[column] = value
    good = [*FUNDS_SHEET[1]]
    good[1] = 2023
    path = workbook(tmp_path / "b.xlsx", {"Myndigheter": AGENCY_SHEET, "Medel": [FUNDS_SHEET[0], broken, good]})
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1
    assert f"rad 2, kolumn '{FUNDS_SHEET[0][column]}'" in output and "[format]" in output
    assert output.count("fel: ") == 1


def test_an_excel_error_cell_is_refused(tmp_path, capsys):
    path = workbook(tmp_path / "b.xlsx", {"Myndigheter": AGENCY_SHEET})
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<c r="B2"[^>]*>.*?</c>', b'<c r="B2" t="e"><v>#DIV/0!</v></c>', parts["xl/worksheets/sheet1.xml"]
    )
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1 and "cell B2" in output and "[felvärde]" in output


@pytest.mark.parametrize(
    "header", ["first_name", "Sökandens namn", "Personnummer (ÅÅÅÅMMDD-NNNN)", "Namn:", "E-postadress till sökande"]
)
def test_person_headers_in_other_spellings(sample_copy, tmp_path, capsys, header):
    path = write(tmp_path / "a.csv", f"{APPS_HEADER};{header}\n{APPS_ROWS[0]};x\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "[personuppgift: rubrik]" in output


def test_check_agrees_with_load_on_moved_applications(sample_copy, tmp_path, capsys):
    first = f"C-1;{ORG};2024-12-30;2025-01-10;mentorskap;beviljad;3000;3000;;"
    moved = f"C-1;{ORG};2022-01-02;2022-01-10;mentorskap;beviljad;3000;3000;;"
    assert run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{first}\n"))[0] == 0
    moved_file = write(tmp_path / "b.csv", f"{APPS_HEADER}\n{moved}\n")
    check_code, check_output = run_cli(capsys, "check", "--db", sample_copy, moved_file)
    load_code, load_output = run_cli(capsys, "load", "--db", sample_copy, moved_file)
    assert check_code == load_code == 1
    assert "[finns redan]" in check_output and "[finns redan]" in load_output


def test_errors_in_different_columns_are_all_kept(sample_copy, tmp_path, capsys):
    """Sixty bad dates and sixty bad amounts: all 120 are counted and stored, 20 of each printed."""
    lines = [f"E-{i};{ORG};igår;;kompetensutveckling;under handläggning;mycket;0;;" for i in range(60)]
    code, output = run_cli(
        capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]))
    )
    assert code == 1
    assert rows(sample_copy, "select errors from loads order by load_id desc limit 1") == [(120,)]
    assert rows(
        sample_copy,
        "select column_name, count(*) from load_messages where load_id = (select max(load_id) from loads) "
        "group by all order by all",
    ) == [("inkom", 60), ("sökt belopp", 60)]
    assert "... och 40 fler rader med samma fel i kolumn 'inkom' [format]" in output


def test_funds_rows_unchanged(sample_copy, tmp_path, capsys):
    """Guard for the fixtures above: the funds test rows still load as they are."""
    before = snapshot(sample_copy)
    code, _ = run_cli(
        capsys, "check", "--db", sample_copy, write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0]}\n")
    )
    assert code == 0 and snapshot(sample_copy) == before


def test_an_excel_date_with_a_time_of_day_is_not_cut_to_the_date(sample_copy, tmp_path, capsys):
    import datetime

    path = tmp_path / "a.xlsx"
    header = APPS_HEADER.split(";")
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Ansökningar")
        sheet.write_row(0, 0, header)
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.write_row(1, 0, ["X-1", ORG])
        sheet.write_datetime(1, 2, datetime.datetime(2024, 1, 3, 14, 30), when)
        sheet.write_datetime(1, 3, datetime.datetime(2024, 1, 20), when)
        sheet.write_row(1, 4, ["studier", "beviljad", 100, 100])
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "rad 2, kolumn 'inkom'" in output and "[format]" in output
    assert output.count("fel: ") == 1
