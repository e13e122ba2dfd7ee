"""What people really send loads with the right values; what cannot be right is refused; one
file's failure never costs another file its result."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from pipelines import load as load_module
from pipelines.personal_data import contains_personnummer

from .conftest import rows, run_cli, snapshot, write
from .planted import check_digit
from .test_personal_data_hostile import applications_book
from .test_rules import APPS_HEADER, APPS_ROWS, FUNDS_HEADER, FUNDS_ROWS, ORG_A, replace_cell

AGENCY_HEADER = "organisationsnummer;namn;sektor"


def loads(capsys, db: Path, *paths: Path) -> str:
    code, output = run_cli(capsys, "load", "--db", db, *paths)
    assert code == 0, output
    return output


def funds_of(db: Path, org_nr: str, year: int) -> tuple:
    return rows(
        db,
        "select employees, payroll_sek, closing_balance_sek from fund_years "
        f"where org_nr = '{org_nr}' and year = {year}",
    )[0]


# --- line endings, Unicode forms, Excel's numbers --------------------------------------------------


@pytest.mark.parametrize("ending", ["\r", "\r\n", "mixed"], ids=["CR (gammal Mac)", "CR LF", "blandat"])
def test_any_line_ending_loads_the_same_values(agencies_copy, tmp_path, capsys, ending):
    lines = [FUNDS_HEADER, *FUNDS_ROWS]
    text = "\n".join(lines) + "\n" if ending == "mixed" else ending.join(lines) + ending
    if ending == "mixed":
        text = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n"
    loads(capsys, agencies_copy, write(tmp_path / "medel.csv", text))
    assert funds_of(agencies_copy, ORG_A, 2024) == (120, Decimal("60000000.00"), Decimal("169999.50"))


def test_a_line_break_inside_a_quoted_header_is_read_as_a_space(agencies_copy, tmp_path, capsys):
    header = FUNDS_HEADER.replace("closing_balance_sek", '"Utgående\rsaldo"')
    loads(capsys, agencies_copy, write(tmp_path / "medel.csv", "\r".join([header, *FUNDS_ROWS]) + "\r"))
    assert funds_of(agencies_copy, ORG_A, 2024)[2] == Decimal("169999.50")


def test_text_saved_on_a_mac_loads_in_composed_form(agencies_copy, tmp_path, capsys):
    """Decomposed å, ä, ö (NFD) match the sectors and are stored as everyone else writes them."""
    name, sector = "Myndigheten för åäö och ÅÄÖ", "Kultur, utbildning och övrigt"
    text = unicodedata.normalize("NFD", f"{AGENCY_HEADER}\n209900-0990;{name};{sector}\n")
    assert text != unicodedata.normalize("NFC", text)
    loads(capsys, agencies_copy, write(tmp_path / "myndigheter.csv", text))
    assert rows(agencies_copy, "select name, sector from agencies where org_nr = '209900-0990'") == [(name, sector)]


def test_an_amount_computed_by_excel_loads_as_excel_shows_it(agencies_copy, tmp_path, capsys):
    """0.1 + 0.2 and a sum stored as 300.29999999999995: Excel shows 0,30 and 300,30."""

    def numbers(book, sheet):
        sheet.write_number(1, 6, 300.29999999999995)
        sheet.write_number(1, 7, 0.1 + 0.2)

    table = [line.split(";") for line in APPS_ROWS]
    table[0][6] = table[0][7] = None
    table[0][5] = "delvis beviljad"
    path = applications_book(tmp_path / "a.xlsx", table, hook=numbers)
    loads(capsys, agencies_copy, path)
    assert rows(
        agencies_copy,
        f"select requested_sek, granted_sek from applications where org_nr = '{ORG_A}' and requested_sek < 1000",
    ) == [(Decimal("300.30"), Decimal("0.30"))]


def test_three_decimals_in_excel_are_still_refused(agencies_copy, tmp_path, capsys):
    def numbers(book, sheet):
        sheet.write_number(1, 6, 300.305)

    table = [line.split(";") for line in APPS_ROWS]
    table[0][6] = None
    code, output = run_cli(
        capsys, "load", "--db", agencies_copy, applications_book(tmp_path / "a.xlsx", table, hook=numbers)
    )
    assert code == 1 and "kolumn 'sökt belopp'" in output and "[format]" in output


def dated_case_numbers(day: datetime.date, count: int) -> list[str]:
    """Case numbers of a received date and a serial whose digits pass the personnummer check digit."""
    found, serial = [], 0
    while len(found) < count:
        serial += 1
        digits = f"{day:%y%m%d}{serial:04d}"
        if check_digit(digits[:9]) == digits[9]:
            found.append(f"{day:%Y%m%d}-{serial:04d}")
    return found


def test_case_numbers_made_of_the_received_date_and_a_serial_load(agencies_copy, tmp_path, capsys):
    """20240103-0019 has a valid date and check digit, but it is the row's own received date: a case."""
    day = datetime.date(2024, 1, 3)
    numbers = dated_case_numbers(day, 5)
    assert all(contains_personnummer(n) for n in numbers)  # alone, each reads as a personnummer
    lines = [f"{n};{ORG_A};{day};2024-01-20;kompetensutveckling;avslag;1000;0;;" for n in numbers]
    later = dated_case_numbers(datetime.date(2024, 11, 20), 1)[0]  # received within a year of its date
    lines.append(f"{later};{ORG_A};2025-02-01;2025-02-20;mentorskap;avslag;1000;0;;")
    loads(capsys, agencies_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n"))
    assert rows(
        agencies_copy, f"select count(*) from applications where org_nr = '{ORG_A}' and requested_sek = 1000"
    ) == [(6,)]


def test_a_dated_number_far_from_its_received_date_is_a_personnummer(agencies_copy, tmp_path, capsys):
    number = dated_case_numbers(datetime.date(1985, 7, 9), 1)[0]
    line = f"{number};{ORG_A};2024-01-03;2024-01-20;kompetensutveckling;avslag;1000;0;;"
    code, output = run_cli(capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{line}\n"))
    assert code == 1 and "[personuppgift]" in output and number[2:8] not in output


def test_case_numbers_are_compared_as_written_any_case_or_spacing(agencies_copy, tmp_path, capsys):
    """'Dnr 2024/7' and 'DNR  2024/7 ' are one case: twice in a file is an error; again in a
    correction it is the same application, so an identical correction changes nothing."""
    first = f"Dnr 2024/7;{ORG_A};2024-01-03;2024-01-20;kompetensutveckling;avslag;1000;0;;"
    twice = f"DNR  2024/7 ;{ORG_A};2024-02-03;2024-02-20;mentorskap;avslag;500;0;;"
    before = snapshot(agencies_copy)
    code, output = run_cli(
        capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{first}\n{twice}\n")
    )
    assert code == 1 and "rad 3, kolumn 'ärendenummer'" in output and "[unik]" in output
    assert snapshot(agencies_copy) == before
    loads(capsys, agencies_copy, write(tmp_path / "b.csv", f"{APPS_HEADER}\n{first}\n"))
    again = first.replace("Dnr 2024/7", "dnr   2024/7")
    assert "c.csv: oförändrad" in loads(capsys, agencies_copy, write(tmp_path / "c.csv", f"{APPS_HEADER}\n{again}\n"))


# --- plausibility ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "2014-12-31"])
def test_dates_before_the_first_year_are_refused(agencies_copy, tmp_path, capsys, day):
    lines = replace_cell(APPS_ROWS, 0, 2, day)
    lines = replace_cell(lines, 0, 3, "")
    lines = replace_cell(lines, 0, 5, "under handläggning")
    lines = replace_cell(lines, 0, 7, "0")
    before = snapshot(agencies_copy)
    code, output = run_cli(
        capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
    )
    assert code == 1 and "rad 2, kolumn 'inkom'" in output and "före 2015" in output and "[för tidigt datum]" in output
    assert snapshot(agencies_copy) == before


def test_the_first_day_of_the_first_year_is_accepted(agencies_copy, tmp_path, capsys):
    lines = replace_cell(replace_cell(APPS_ROWS, 0, 2, "2015-01-01"), 0, 3, "2015-01-01")
    loads(capsys, agencies_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n"))


@pytest.mark.parametrize(
    ("requested", "refused"),
    [("198 000 000 000", True), ("10 000 000,01", True), ("10 000 000", False)],
    ids=["198 miljarder", "en öre över taket", "taket"],
)
def test_an_amount_above_the_ceiling_is_refused(agencies_copy, tmp_path, capsys, requested, refused):
    lines = replace_cell(APPS_ROWS, 2, 6, requested)
    code, output = run_cli(
        capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
    )
    assert code == (1 if refused else 0), output
    assert ("rad 4, kolumn 'sökt belopp'" in output and "10\u00a0000\u00a0000 kr" in output) == refused


def test_the_ceiling_is_configurable(agencies_copy, tmp_path, capsys, monkeypatch):
    from lom.db import settings

    config = tmp_path / "lom.toml"
    config.write_text(
        settings.DEFAULT_CONFIG.read_text(encoding="utf-8").replace("10_000_000", "20_000"), encoding="utf-8"
    )
    monkeypatch.setenv("LOM_CONFIG", str(config))
    settings.vocabulary.cache_clear()
    try:
        lines = replace_cell(APPS_ROWS, 2, 6, "40 000")
        code, output = run_cli(
            capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
        )
        assert code == 1 and "20\u00a0000 kr" in output and "[orimligt belopp]" in output
    finally:
        settings.vocabulary.cache_clear()


def test_a_header_of_two_kinds_is_refused_as_ambiguous(agencies_copy, tmp_path, capsys):
    header = FUNDS_HEADER + ";" + ";".join(h for h in APPS_HEADER.split(";") if h != "orgnr")
    line = FUNDS_ROWS[0] + ";" + ";".join(c for i, c in enumerate(APPS_ROWS[0].split(";")) if i != 1)
    before = snapshot(agencies_copy)
    code, output = run_cli(capsys, "load", "--db", agencies_copy, write(tmp_path / "a.csv", f"{header}\n{line}\n"))
    assert code == 1 and "både medel och ansökningar" in output and "[tvetydig rubrikrad]" in output
    assert snapshot(agencies_copy) == before


# --- every file its outcome ----------------------------------------------------------------------------


def test_one_file_failing_unforeseen_costs_no_other_file_its_result(agencies_copy, tmp_path, capsys, monkeypatch):
    """A failure no rule foresaw in one file: that file is refused, saying where in the code it
    happened but not what it said (its text may quote a cell); the files around it load."""
    original = load_module.read_file

    def failing(path, data):
        if path.name == "trasig.csv":
            raise ValueError("cell 850709-2388 could not be handled")
        return original(path, data)

    monkeypatch.setattr(load_module, "read_file", failing)
    good = write(tmp_path / "medel.csv", "\n".join([FUNDS_HEADER, *FUNDS_ROWS]) + "\n")
    broken = write(tmp_path / "trasig.csv", "\n".join([FUNDS_HEADER, *FUNDS_ROWS]) + "\n")
    other = write(tmp_path / "ansokningar.csv", "\n".join([APPS_HEADER, *APPS_ROWS]) + "\n")
    pipe = tmp_path / "ror.csv"
    import os

    os.mkfifo(pipe)
    code, output = run_cli(capsys, "load", "--db", agencies_copy, good, broken, pipe, other)
    assert code == 1
    assert "medel.csv: inläst" in output and "ansokningar.csv: inläst" in output
    assert "trasig.csv: avvisad" in output and "ValueError" in output and "[internt fel]" in output
    assert "ror.csv: avvisad" in output
    assert "850709" not in output and "could not be handled" not in output
    logged = rows(
        agencies_copy,
        "select file_name, status from loads where load_id > (select max(load_id) - 4 from loads) order by file_name",
    )
    assert logged == [
        ("ansokningar.csv", "loaded"),
        ("medel.csv", "loaded"),
        ("ror.csv", "rejected"),
        ("trasig.csv", "rejected"),
    ]


# --- the deliberate bugs a review found surviving -----------------------------------------------------


def samordningsnummer(yymm: str, day: int, serial: str = "238") -> str:
    digits = f"{yymm}{day:02d}{serial}"
    return f"{yymm}{day:02d}-{serial}{check_digit(digits)}"


@pytest.mark.parametrize(("day", "is_one"), [(61, True), (91, True), (60, False), (92, False), (41, False)])
def test_a_samordningsnummer_is_the_day_of_birth_plus_60(day, is_one):
    """Day 61 to 91 is day 1 to 31 plus 60; 60, 92 and 41 are no day of a samordningsnummer."""
    assert contains_personnummer(samordningsnummer("8507", day)) is is_one


def test_a_refused_workbook_leaves_neither_its_agency_nor_a_second_log_line(agencies_copy, tmp_path, capsys):
    """A workbook bringing a new agency and an application already stored under another year is
    refused whole: the agency is not published and the load log has one line for the attempt."""
    first = f"M-1;{ORG_A};2024-12-30;2025-01-10;mentorskap;beviljad;3000;3000;;"
    loads(capsys, agencies_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{first}\n"))
    path = tmp_path / "flyttad.xlsx"
    with xlsxwriter.Workbook(path) as book:
        agencies = book.add_worksheet("Myndigheter")
        for c, value in enumerate(["Organisationsnummer", "Namn", "Sektor"]):
            agencies.write_string(0, c, value)
        for c, value in enumerate(["209900-0990", "Nya verket", "Kultur, utbildning och övrigt"]):
            agencies.write_string(1, c, value)
        applications = book.add_worksheet("Ansökningar")
        moved = first.replace("2024-12-30", "2025-01-02").split(";")
        for c, value in enumerate(APPS_HEADER.split(";")):
            applications.write_string(0, c, value)
        for c, value in enumerate(moved):
            if value:
                applications.write_string(1, c, value)
    before, log_before = snapshot(agencies_copy), rows(agencies_copy, "select count(*) from loads")[0][0]
    code, output = run_cli(capsys, "load", "--db", agencies_copy, path)
    assert code == 1 and "blad 'Ansökningar', rad 2, kolumn 'ärendenummer'" in output and "[finns redan]" in output
    assert snapshot(agencies_copy) == before
    assert rows(agencies_copy, "select count(*) from agencies where org_nr = '209900-0990'") == [(0,)]
    assert rows(agencies_copy, "select count(*), min(status) from loads where file_name = 'flyttad.xlsx'") == [
        (1, "rejected")
    ]
    assert rows(agencies_copy, "select count(*) from loads")[0][0] == log_before + 1
