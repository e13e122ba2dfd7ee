"""What the loader promises: corrections replace, nothing half-done, readers never disturbed."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from lom.db import store
from pipelines.load import _check, _context, _read, load_files
from pipelines.progress import Progress
from pipelines.pseudonym import load_key
from pipelines.validate import validate
from pipelines.write import LOADED, UNCHANGED, Outcome, Prepared, _prove_written, write_file

from .conftest import SAMPLE_FILES, rows, run_cli, snapshot, write
from .paths import ROOT
from .test_rules import APPS_HEADER, FUNDS_HEADER, FUNDS_ROWS

ORG = "209900-0016"


def funds_line(year: int, spent: str) -> str:
    """A funds row of ORG whose balances add up, for a given spend."""
    spent_value = int(spent)
    return f"{ORG};{year};120;60 000 000;120 000;{spent_value};500 000;{500_000 + 120_000 - spent_value}"


def test_a_correction_replaces_only_its_slices(sample_copy, tmp_path, capsys):
    """A funds file for one agency and year replaces that row; every other row stays."""
    others_before = rows(
        sample_copy, f"select * from fund_years where not (org_nr = '{ORG}' and year = 2024) order by all"
    )
    first = write(tmp_path / "first.csv", f"{FUNDS_HEADER}\n{funds_line(2024, '1000')}\n")
    second = write(tmp_path / "second.csv", f"{FUNDS_HEADER}\n{funds_line(2024, '2000')}\n")
    assert run_cli(capsys, "load", "--db", sample_copy, first)[0] == 0
    code, output = run_cli(capsys, "load", "--db", sample_copy, second)
    assert code == 0 and "1 rad ersatt" in output
    assert rows(sample_copy, f"select spent_sek from fund_years where org_nr = '{ORG}' and year = 2024") == [(2000,)]
    assert (
        rows(sample_copy, f"select * from fund_years where not (org_nr = '{ORG}' and year = 2024) order by all")
        == others_before
    )
    # Loading the older file again is itself a correction: the newest load wins.
    code, output = run_cli(capsys, "load", "--db", sample_copy, first)
    assert code == 0 and "inläst" in output
    assert rows(sample_copy, f"select spent_sek from fund_years where org_nr = '{ORG}' and year = 2024") == [(1000,)]
    slices = rows(
        sample_copy,
        "select kind, org_nr, year, rows_before, rows_after from load_slices "
        "where load_id = (select max(load_id) from loads)",
    )
    assert slices == [("funds", ORG, 2024, 1, 1)]


def test_an_applications_file_replaces_each_agency_year(sample_copy, tmp_path, capsys):
    """Applications of (agency, year received) are replaced as a whole; other years stay."""
    [(in_2019,)] = rows(
        sample_copy, f"select count(*) from applications where org_nr = '{ORG}' and year(received_on) = 2019"
    )
    [(total,)] = rows(sample_copy, "select count(*) from applications")
    line = f"N-1;{ORG};2024-06-01;2024-06-11;mentorskap;beviljad;3000;3000;;"
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{line}\n"))
    assert code == 0, output
    [(replaced,)] = rows(sample_copy, "select rows_replaced from loads order by load_id desc limit 1")
    assert rows(
        sample_copy, f"select count(*) from applications where org_nr = '{ORG}' and year(received_on) = 2024"
    ) == [(1,)]
    assert rows(
        sample_copy, f"select count(*) from applications where org_nr = '{ORG}' and year(received_on) = 2019"
    ) == [(in_2019,)]
    assert rows(sample_copy, "select count(*) from applications") == [(total - replaced + 1,)]
    assert replaced > 1


def test_an_error_inside_the_transaction_is_never_success(sample_copy, tmp_path):
    """A row the database refuses after validation passed: reported rejected, nothing written."""
    path = write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0]}\n{FUNDS_ROWS[1]}\n")
    before = snapshot(sample_copy)
    with store.writer_lock(sample_copy), store.next_version(sample_copy) as con:
        item: Prepared = _read(path)
        context = _context(con, datetime.date.today(), set())
        with ThreadPoolExecutor(max_workers=1) as hashing:
            _check(con, item, context, load_key, hashing, Progress("f.csv", 0))
        assert not item.findings.has_errors
        # Break the second row behind validation's back: the CHECK on balances must stop it.
        validated = validate(item.whole.tables[0], context)
        validated.frame = validated.frame.with_columns(
            pl.when(pl.col("_row") == 3)
            .then(pl.col("closing_balance_sek") + 5)
            .otherwise(pl.col("closing_balance_sek"))
        )
        con.register("incoming_funds", validated.frame)  # in place of the rows the check staged
        outcome = write_file(con, item, datetime.datetime.now(), Progress("f.csv", 0))
    assert outcome.status == "rejected"
    assert any(f.rule == "skrivfel" for f in outcome.findings.errors)
    assert snapshot(sample_copy) == before
    assert rows(sample_copy, "select status, rows_inserted from loads order by load_id desc limit 1") == [
        ("rejected", 0)
    ]


def test_a_reader_keeps_working_through_a_load(sample_copy, tmp_path, capsys):
    """An open read-only connection neither blocks a load nor sees half of it; a new one sees it all."""
    reader = store.open_read_only(sample_copy)
    try:
        [(before,)] = reader.sql("select count(*) from fund_years").fetchall()
        line = f"{ORG};2026;120;60 000 000;120 000;0;500 000;620 000"
        code, output = run_cli(
            capsys, "load", "--db", sample_copy, write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{line}\n")
        )
        assert code == 0, output
        assert reader.sql("select count(*) from fund_years").fetchall() == [(before,)]
    finally:
        reader.close()
    fresh = store.open_read_only(sample_copy)
    try:
        assert fresh.sql("select count(*) from fund_years").fetchall() == [(before + 1,)]
    finally:
        fresh.close()


def test_leftovers_of_a_dead_load_are_cleaned(sample_copy, tmp_path, capsys):
    leftover = sample_copy.with_name(sample_copy.name + ".next-99999")
    leftover.write_bytes(b"half a database")
    code, _ = run_cli(capsys, "load", "--db", sample_copy, SAMPLE_FILES[0])
    assert code == 0
    assert not leftover.exists()
    assert sorted(p.name for p in sample_copy.parent.iterdir() if p.name.startswith("lom.duckdb")) == [
        "lom.duckdb",
        "lom.duckdb.lock",
    ]


def test_check_writes_nothing(sample_copy, tmp_path, capsys):
    """check validates against the published database and leaves every byte of it alone."""
    before = sample_copy.read_bytes()
    good = write(tmp_path / "good.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0]}\n")
    bad = write(tmp_path / "bad.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0].replace('2024', '2040')}\n")
    assert run_cli(capsys, "check", "--db", sample_copy, good)[0] == 0
    code, output = run_cli(capsys, "check", "--db", sample_copy, bad)
    assert code == 1 and "[år]" in output
    assert sample_copy.read_bytes() == before
    missing = tmp_path / "none.duckdb"
    code, output = run_cli(capsys, "check", "--db", missing, good)
    assert code == 1 and "[okänd myndighet]" in output
    assert not missing.exists()


def test_command_line_exit_codes(tmp_path):
    """The contract's exit codes, from a real process: 0 loaded, 1 rejected, 2 usage."""
    env = {**os.environ, "LOM_DB": str(tmp_path / "cli.duckdb")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "pipelines", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert run().returncode == 2
    assert run("load").returncode == 2
    assert run("load", str(tmp_path / "missing.csv")).returncode == 2
    loaded = run("load", str(SAMPLE_FILES[-1]))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert (tmp_path / "cli.duckdb").exists()
    assert run("load", str(write(tmp_path / "x.csv", "a;b\n1;2\n"))).returncode == 1


def workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), title: bool = False) -> Path:
    with xlsxwriter.Workbook(path) as book:
        for name, table in sheets.items():
            sheet = book.add_worksheet(name)
            start = 2 if title else 0
            if title:
                sheet.write(0, 0, "Rapport till Trygghetsstiftelsen")
            for r, values in enumerate(table):
                for c, value in enumerate(values):
                    if isinstance(value, datetime.date):
                        sheet.write_datetime(
                            start + r,
                            c,
                            datetime.datetime.combine(value, datetime.time()),
                            book.add_format({"num_format": "yyyy-mm-dd"}),
                        )
                    elif value is not None:
                        sheet.write(start + r, c, value)
            if name in hidden:
                sheet.hide()
    return path


AGENCY_SHEET = [
    ["Organisationsnummer", "Namn", "Sektor"],
    ["209900-0990", "Verket för ö-vård", "Kultur, utbildning och övrigt"],
]
FUNDS_SHEET = [
    [
        "Organisationsnummer",
        "År",
        "Anställda",
        "Lönesumma",
        "Årets avsättning",
        "Nyttjat",
        "Ingående saldo",
        "Utgående saldo",
    ],
    ["209900-0990", 2024, 12, 5_000_000.5, 10_000.0, 2_500.25, 1_000, 8_500.75],
]


def test_a_workbook_with_one_kind_per_sheet(tmp_path, capsys):
    """Agencies and funds in two sheets of one workbook, under a title row, load together; a hidden
    sheet is ignored with a warning. Excel numbers arrive exact to the öre."""
    db = tmp_path / "db.duckdb"
    path = workbook(
        tmp_path / "b.xlsx",
        {"Myndigheter": AGENCY_SHEET, "Medel": FUNDS_SHEET, "Gammalt": FUNDS_SHEET},
        hidden=("Gammalt",),
        title=True,
    )
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 0, output
    assert "blad 'Gammalt'" in output and "[blad ignoreras]" in output
    assert rows(
        db,
        "select name, payroll_sek, spent_sek, closing_balance_sek from agencies join fund_years using (org_nr)",
    ) == [("Verket för ö-vård", 5_000_000.5, 2_500.25, 8_500.75)]


def test_workbook_errors_name_sheet_and_sheet_row(tmp_path, capsys):
    broken = [FUNDS_SHEET[0], [*FUNDS_SHEET[1][:7], 9_999]]
    path = workbook(tmp_path / "b.xlsx", {"Myndigheter": AGENCY_SHEET, "Medel": broken}, title=True)
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1
    assert "blad 'Medel', rad 4, kolumn 'Utgående saldo'" in output  # title, blank, header, data


def test_a_formula_without_cached_value_is_an_error(tmp_path, capsys):
    path = workbook(tmp_path / "f.xlsx", {"Myndigheter": AGENCY_SHEET})
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<c r="B2"[^>]*>.*?</c>', b'<c r="B2" t="str"><f>UPPER(A2)</f></c>', sheet
    )
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1
    assert "cell B2" in output and "[formel utan värde]" in output


def test_a_file_that_only_pretends_to_be_xlsx(tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04not really a zip")
    code, output = run_cli(capsys, "load", "--db", tmp_path / "db.duckdb", path)
    assert code == 1 and "[format]" in output


def test_an_application_moved_to_another_year_is_refused(sample_copy, tmp_path, capsys):
    """A case number already stored under 2024 cannot arrive again under 2025 without its 2024 file:
    it would be counted twice."""
    first = f"M-1;{ORG};2024-12-30;2025-01-10;mentorskap;beviljad;3000;3000;;"
    moved = f"M-1;{ORG};2025-01-02;2025-01-10;mentorskap;beviljad;3000;3000;;"
    assert run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{first}\n"))[0] == 0
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "b.csv", f"{APPS_HEADER}\n{moved}\n"))
    assert code == 1
    assert "rad 2, kolumn 'ärendenummer'" in output and "inkomstår 2024" in output and "[finns redan]" in output
    assert snapshot(sample_copy) == before


def test_an_unusable_key_is_a_clear_error(sample_copy, tmp_path, capsys, monkeypatch):
    """A key file others can read stops the load with a message, and nothing is written."""
    key = tmp_path / "open.key"
    key.write_text("00" * 32)
    key.chmod(0o644)
    monkeypatch.setenv("LOM_KEY_FILE", str(key))
    before = snapshot(sample_copy)
    line = f"K-1;{ORG};2024-06-01;2024-06-11;mentorskap;beviljad;3000;3000;;"
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{line}\n"))
    assert code == 1 and "chmod 600" in output and "inget lästes in" in output
    assert snapshot(sample_copy) == before


def test_check_reports_an_oversized_file(sample_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOM_MAX_FILE_MB", "0.0001")
    code, output = run_cli(capsys, "check", "--db", sample_copy, write(tmp_path / "f.csv", FUNDS_HEADER * 20))
    assert code == 1 and "[för stor]" in output


def test_progress_bar_on_large_files(monkeypatch):
    """A large file draws a bar through its stages when someone is watching (or LOM_PROGRESS=1)."""
    import io

    monkeypatch.setenv("LOM_PROGRESS", "1")
    stream = io.StringIO()
    progress = Progress("stor.csv", 50 * 1024 * 1024, stream=stream)
    progress.stage("kontrollerar", 0.3)
    progress.done()
    assert "stor.csv: [#########---------------------]  30 % kontrollerar" in stream.getvalue()
    assert stream.getvalue().endswith("100 % klar            \n")
    quiet = io.StringIO()
    Progress("liten.csv", 1000, stream=quiet).stage("läser", 0.0)
    assert quiet.getvalue() == ""


def test_summary_counts_rows_replacements_and_warnings(sample_copy, tmp_path, capsys):
    """Two corrections, each replacing a sample row; five warnings: two opening balances that do
    not follow last year's closing, a 2023 allocation at 0.2 % instead of 0.3 %, and two closing
    balances (2024's, then 2023's) that no longer lead to the stored opening balance of the year after."""
    first = write(tmp_path / "first.csv", f"{FUNDS_HEADER}\n{funds_line(2024, '1000')}\n")
    warned = write(tmp_path / "warned.csv", f"{FUNDS_HEADER}\n{funds_line(2023, '1000')}\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, first, warned)
    assert code == 0, output
    assert output.splitlines()[-1] == (
        "Totalt 2 filer: 2 inlästa, 0 oförändrade, 0 avvisade; 2 rader inlästa, 2 ersatta; 5 varningar"
    )
    assert output.count("[nästa års ingående saldo]") == 2


def test_the_load_log_records_what_each_file_held(agencies_copy, tmp_path, capsys):
    """Each load's row in `loads` holds the file's kinds, agencies, first and last year and row
    counts, counted here by hand; the same rows sent again in other bytes insert and replace
    nothing."""
    other = "209900-0024"
    funds = [funds_line(2021, "2000"), funds_line(2019, "1000"), funds_line(2020, "3000")]
    funds.append(funds_line(2020, "4000").replace(ORG, other))
    first = write(tmp_path / "medel.csv", "\n".join([FUNDS_HEADER, *funds]) + "\n")
    apps = [
        f"L-1;{ORG};2023-02-01;2023-02-20;mentorskap;beviljad;3000;3000;;",
        f"L-2;{ORG};2018-05-02;2018-06-01;studier;avslag;5000;0;;",
    ]
    second = write(tmp_path / "ansokningar.csv", "\n".join([APPS_HEADER, *apps]) + "\n")
    # The funds rows again, in another order and with CRLF line ends: other bytes, the same rows.
    again = write(tmp_path / "medel-igen.csv", "\r\n".join([FUNDS_HEADER, *reversed(funds)]) + "\r\n")
    for path in (first, second, again):
        code, output = run_cli(capsys, "load", "--db", agencies_copy, path)
        assert code == 0, output
    logged = rows(
        agencies_copy,
        "select file_name, kinds, status, agencies, first_year, last_year, rows_in_file, rows_inserted, "
        "rows_replaced, errors from loads where file_name like '%.csv' and file_name <> 'myndigheter.csv' "
        "order by load_id",
    )
    assert logged == [
        ("medel.csv", "funds", "loaded", 2, 2019, 2021, 4, 4, 0, 0),
        ("ansokningar.csv", "applications", "loaded", 1, 2018, 2023, 2, 2, 0, 0),
        ("medel-igen.csv", "funds", "unchanged", 2, 2019, 2021, 4, 0, 0, 0),
    ]


def test_a_load_not_found_as_reported_is_refused(agencies_copy, tmp_path):
    """After the commit the writer counts the load's rows in the database; a count or status that
    differs from what it reports, by one either way, is an error, never a success."""
    path = write(tmp_path / "medel.csv", "\n".join([FUNDS_HEADER, funds_line(2020, "1"), funds_line(2021, "2")]) + "\n")
    (outcome,) = load_files([path], agencies_copy)
    assert outcome.status == LOADED
    con = store.open_read_only(agencies_copy)
    try:
        written = {"agencies": 0, "funds": 2, "applications": 0}
        _prove_written(con, outcome, written)
        for wrong in ({"funds": 1}, {"funds": 3}, {"agencies": 1}):
            with pytest.raises(RuntimeError, match="was not committed as reported"):
                _prove_written(con, outcome, written | wrong)
        reported = Outcome(outcome.path, "unchanged", outcome.findings, load_id=outcome.load_id)
        with pytest.raises(RuntimeError, match="was not committed as reported"):
            _prove_written(con, reported, written)
    finally:
        con.close()
    # The other way round: the same file again is logged as unchanged, and reporting it loaded is an error.
    (again,) = load_files([path], agencies_copy)
    assert again.status == UNCHANGED
    con = store.open_read_only(agencies_copy)
    try:
        nothing = {"agencies": 0, "funds": 0, "applications": 0}
        _prove_written(con, again, nothing)
        with pytest.raises(RuntimeError, match="was not committed as reported"):
            _prove_written(con, Outcome(again.path, LOADED, again.findings, load_id=again.load_id), nothing)
    finally:
        con.close()


def test_the_stages_of_a_load_follow_each_other(agencies_copy, tmp_path):
    """The dashboard's progress bar hears every stage once, in order, each further than the last,
    from 0 to 1."""
    apps = write(
        tmp_path / "ansokningar.csv", f"{APPS_HEADER}\nS-1;{ORG};2023-02-01;2023-02-20;studier;avslag;5000;0;;\n"
    )
    heard = []
    load_files([apps], agencies_copy, listener=lambda *stage: heard.append(stage))
    names = [name for _, name, _ in heard]
    assert names == ["läser", "kontrollerar", "pseudonymiserar", "skriver", "publicerar", "bygger måtten", "klar"]
    fractions = [fraction for *_, fraction in heard]
    assert fractions[0] == 0 and fractions[-1] == 1
    assert all(a < b for a, b in pairwise(fractions))


def test_the_load_log_shows_a_safe_value_only_in_a_file_without_personal_data(agencies_copy, tmp_path, capsys):
    """A refused file's messages in `load_messages` show an ambiguous amount, which cannot be
    personal data, as the command line does; beside a personnummer elsewhere in the file the same
    amount is withheld, since the whole file is then in doubt."""
    amount = f"L-1;{ORG};2023-02-01;2023-02-20;mentorskap;beviljad;1.234;3000;;"
    personal = f"19121212-1212;{ORG};2023-03-01;2023-03-20;mentorskap;beviljad;3000;3000;;"
    plain = write(tmp_path / "belopp.csv", "\n".join([APPS_HEADER, amount]) + "\n")
    doubtful = write(tmp_path / "belopp-och-nummer.csv", "\n".join([APPS_HEADER, amount, personal]) + "\n")
    for path in (plain, doubtful):
        code, output = run_cli(capsys, "load", "--db", agencies_copy, path)
        assert code == 1, output
    messages = rows(
        agencies_copy,
        "select l.file_name, m.message from load_messages m join loads l using (load_id) "
        "where l.file_name like 'belopp%' order by l.load_id, m.row_number",
    )
    shown = [message for name, message in messages if name == "belopp.csv"]
    assert any("(värde: '1.234')" in message for message in shown), shown
    doubted = [message for name, message in messages if name == "belopp-och-nummer.csv"]
    assert doubted and not any("värde:" in message for message in doubted), doubted
    assert not any("1212" in message for _, message in messages)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("okand.csv", "a;b;c\n1;2;3\n"),  # read, but of no kind the contract knows
        ("trasig.xlsx", "not a workbook"),  # not read at all
    ],
)
def test_a_refused_file_is_logged_as_holding_nothing(agencies_copy, tmp_path, capsys, name, content):
    """A file refused before any of its rows was checked is logged with no kind, no agency, no
    year and no rows: counts of 0, not of the file's lines."""
    path = write(tmp_path / name, content)
    code, output = run_cli(capsys, "load", "--db", agencies_copy, path)
    assert code == 1, output
    logged = rows(
        agencies_copy,
        "select status, kinds, agencies, first_year, last_year, rows_in_file, rows_inserted, rows_replaced, errors "
        f"from loads where file_name = '{name}'",
    )
    assert logged == [("rejected", None, 0, None, None, 0, 0, 0, 1)]


@pytest.mark.parametrize("order", ["later first", "earlier first"])
def test_funds_files_are_loaded_by_their_first_year(agencies_copy, tmp_path, capsys, order):
    """Whatever the order on the command line, 2020 is loaded before 2021, so 2021's opening
    balance (500 000) is compared with 2020's closing balance (619 000): one balance warning, both ways."""
    earlier = write(tmp_path / "medel-2020.csv", f"{FUNDS_HEADER}\n{funds_line(2020, '1000')}\n")
    later = write(tmp_path / "medel-2021.csv", f"{FUNDS_HEADER}\n{funds_line(2021, '1000')}\n")
    files = [later, earlier] if order == "later first" else [earlier, later]
    code, output = run_cli(capsys, "load", "--db", agencies_copy, *files)
    assert code == 0, output
    balances = [line for line in output.splitlines() if line.endswith("[ingående saldo]")]
    assert len(balances) == 1 and "619\u00a0000,00 kr" in balances[0], output


@pytest.mark.parametrize("whole_first", [True, False], ids=["whole first", "parts first"])
def test_a_whole_file_and_a_file_in_parts_load_in_one_command(agencies_copy, tmp_path, monkeypatch, whole_first):
    """With parts of 2 kB, an applications file of 2 rows is read whole and one of 60 rows in parts;
    given together, in either order, each loads its own rows and neither sees the other's."""
    monkeypatch.setenv("LOM_PART_MB", "0.002")
    small = [f"H-{i};{ORG};2022-03-01;2022-03-20;studier;avslag;5000;0;;" for i in range(2)]
    large = [f"D-{i};{ORG};2023-02-01;2023-02-20;mentorskap;beviljad;3000;3000;;" for i in range(60)]
    whole = write(tmp_path / "hela.csv", "\n".join([APPS_HEADER, *small]) + "\n")
    parts = write(tmp_path / "delar.csv", "\n".join([APPS_HEADER, *large]) + "\n")
    assert whole.stat().st_size < 2048 < parts.stat().st_size
    outcomes = load_files([whole, parts] if whole_first else [parts, whole], agencies_copy)
    assert sorted((o.path.name, o.status, o.rows_in_file, o.rows_inserted) for o in outcomes) == [
        ("delar.csv", LOADED, 60, 60),
        ("hela.csv", LOADED, 2, 2),
    ]
    counted = "select year(received_on), count(*) from applications group by 1 order by 1"
    assert rows(agencies_copy, counted) == [(2022, 2), (2023, 60)]


def test_a_file_not_read_is_refused_beside_funds_files_that_load(agencies_copy, tmp_path, capsys):
    """A file that could not be read has no kind and no year; beside funds files, which are ordered
    by their years, it is refused on its own and they load."""
    broken = write(tmp_path / "trasig.xlsx", "not a workbook")
    funds = [write(tmp_path / f"medel-{y}.csv", f"{FUNDS_HEADER}\n{funds_line(y, '1000')}\n") for y in (2021, 2020)]
    code, output = run_cli(capsys, "load", "--db", agencies_copy, funds[0], broken, funds[1])
    assert code == 1, output
    logged = rows(
        agencies_copy, "select file_name, status from loads where file_name like 'medel-%' or file_name like 'trasig%'"
    )
    assert sorted(logged) == [("medel-2020.csv", "loaded"), ("medel-2021.csv", "loaded"), ("trasig.xlsx", "rejected")]
