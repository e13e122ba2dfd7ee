"""Corrections of agencies, integers beyond the stored type, the database file's permissions, short
keys, the order of files, and mistakes on the command line: each refused or kept as it should be."""

from __future__ import annotations

import os
import stat

from .conftest import SAMPLE_FILES, rows, run_cli, snapshot, write
from .test_rules import APPS_HEADER, APPS_ROWS, FUNDS_HEADER, FUNDS_ROWS

ORG = "209900-0016"


def test_an_agency_can_be_renamed_and_one_added(sample_copy, tmp_path, capsys):
    """An agencies file corrects a name and a sector and adds an agency; funds stay attached."""
    [(funds_before,)] = rows(sample_copy, f"select count(*) from fund_years where org_nr = '{ORG}'")
    text = (
        "org_nr,name,sector\n"
        f'{ORG},Nytt namn,"Kultur, utbildning och övrigt"\n'
        "209900-0990,Ny myndighet,Universitet och högskolor\n"
    )
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "m.csv", text))
    assert code == 0, output
    assert "1 rad ersatt" in output
    assert rows(sample_copy, f"select name, sector from agencies where org_nr = '{ORG}'") == [
        ("Nytt namn", "Kultur, utbildning och övrigt")
    ]
    assert rows(sample_copy, "select count(*) from agencies") == [(61,)]
    assert rows(sample_copy, f"select count(*) from fund_years where org_nr = '{ORG}'") == [(funds_before,)]


def test_employees_beyond_the_stored_integer_are_a_format_error(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0].replace(';120;', ';99999999999;')}\n")
    for command in ("check", "load"):
        code, output = run_cli(capsys, command, "--db", sample_copy, path)
        assert code == 1 and "rad 2, kolumn 'employees'" in output and "[format]" in output, command


def test_a_load_keeps_the_database_files_permissions(sample_copy, tmp_path, capsys):
    sample_copy.chmod(0o640)
    code, _ = run_cli(
        capsys, "load", "--db", sample_copy, write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0]}\n")
    )
    assert code == 0
    assert stat.S_IMODE(sample_copy.stat().st_mode) == 0o640


def test_a_short_key_file_is_refused(sample_copy, tmp_path, capsys, monkeypatch):
    key = tmp_path / "short.key"
    key.write_text("abcd\n")
    key.chmod(0o600)
    monkeypatch.setenv("LOM_KEY_FILE", str(key))
    before = snapshot(sample_copy)
    code, output = run_cli(
        capsys, "load", "--db", sample_copy, write(tmp_path / "a.csv", f"{APPS_HEADER}\n{APPS_ROWS[0]}\n")
    )
    assert code == 1 and "minst 32 byte" in output
    assert snapshot(sample_copy) == before


def test_opening_balance_warnings_do_not_depend_on_argument_order(sample_copy, tmp_path, capsys):
    """Funds files are taken in year order, so each opening meets the closing of the year before."""
    early = write(tmp_path / "early.csv", f"{FUNDS_HEADER}\n{ORG};2023;120;60 000 000;180 000;0;0;180 000\n")
    late = write(tmp_path / "late.csv", f"{FUNDS_HEADER}\n{ORG};2024;120;60 000 000;120 000;0;999;120 999\n")
    outputs = []
    for order in ((early, late), (late, early)):
        db = tmp_path / f"copy{len(outputs)}.duckdb"
        db.write_bytes(sample_copy.read_bytes())
        code, output = run_cli(capsys, "load", "--db", db, *order)
        assert code == 0, output
        outputs.append(sorted(line for line in output.splitlines() if "[ingående saldo]" in line))
    check_code, check_output = run_cli(capsys, "check", "--db", sample_copy, late, early)
    assert check_code == 0
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 2  # 2023 against the sample's 2022, 2024 against the new 2023
    assert sorted(line for line in check_output.splitlines() if "[ingående saldo]" in line) == outputs[0]


def test_user_errors_on_the_command_line_are_messages(sample_copy, tmp_path, capsys):
    code, output = run_cli(capsys, "load", "--db", sample_copy, tmp_path)
    assert code == 2 and "är en mapp" in output
    code, output = run_cli(capsys, "load", "--db", tmp_path, SAMPLE_FILES[0])
    assert code == 2 and "är en mapp" in output
    not_a_database = write(tmp_path / "fel.duckdb", "det här är ingen databas\n")
    for command in ("load", "check"):
        code, output = run_cli(capsys, command, "--db", not_a_database, SAMPLE_FILES[0])
        assert code == 1 and "kunde inte öppnas som DuckDB-databas" in output, command


def test_a_granting_decision_needs_its_amount_and_dates_are_not_future(sample_copy, tmp_path, capsys):
    empty_grant = APPS_ROWS[0].replace(";10 000;kvinna", ";;kvinna")
    future_decision = APPS_ROWS[2].replace("2024-03-09", "2999-01-01")
    path = write(tmp_path / "a.csv", f"{APPS_HEADER}\n{empty_grant}\n{future_decision}\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    assert "rad 2, kolumn 'beviljat belopp': beviljat belopp saknas" in output
    assert "rad 3, kolumn 'beslutsdatum': beslutsdatum ligger i framtiden" in output


def test_small_edge_files(sample_copy, tmp_path, capsys):
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "bom.csv", "\ufeff"))
    assert code == 1 and "[tom fil]" in output
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "h.csv", FUNDS_HEADER + "\n"))
    assert code == 0 and "[inga rader]" in output
    doubled = FUNDS_HEADER.replace("employees", "payroll_sek")
    code, output = run_cli(capsys, "load", "--db", sample_copy, write(tmp_path / "d.csv", doubled + "\n"))
    assert code == 1 and "kolumnen 'lönesumma' finns flera gånger" in output


def test_unreadable_input_is_a_message(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "f.csv", f"{FUNDS_HEADER}\n{FUNDS_ROWS[0]}\n")
    path.chmod(0)
    try:
        readable = os.access(path, os.R_OK)  # root may read it anyway
        code, output = run_cli(capsys, "load", "--db", sample_copy, path)
        assert code == (0 if readable else 2), output
        assert "Traceback" not in output
    finally:
        path.chmod(0o600)


def test_a_corrected_closing_balance_warns_when_the_next_years_stored_opening_no_longer_follows(
    sample_copy, tmp_path, capsys
):
    """A file that corrects 2023 alone: its closing balance must still lead to the opening balance
    stored for 2024; where it does not, a warning names both years (and the file still loads)."""
    [(employees, payroll, allocated, spent, opening, closing)] = rows(
        sample_copy,
        "select employees, payroll_sek, allocated_sek, spent_sek, opening_balance_sek, closing_balance_sek "
        f"from fund_years where org_nr = '{ORG}' and year = 2023",
    )
    [(next_opening,)] = rows(
        sample_copy, f"select opening_balance_sek from fund_years where org_nr = '{ORG}' and year = 2024"
    )
    assert next_opening == closing  # the sample's years follow each other

    def year_2023(spent_now):
        closing_now = opening + allocated - spent_now
        line = f"{ORG};2023;{employees};{payroll};{allocated};{spent_now};{opening};{closing_now}"
        return write(tmp_path / "rattelse.csv", f"{FUNDS_HEADER}\n{line}\n".replace(".", ","))

    unchanged = year_2023(spent)
    code, output = run_cli(capsys, "check", "--db", sample_copy, unchanged)
    assert code == 0 and "[nästa års ingående saldo]" not in output, output

    corrected = year_2023(spent + 1000)  # 1 000 kr more used: the closing balance 1 000 kr lower
    code, output = run_cli(capsys, "load", "--db", sample_copy, corrected)
    assert code == 0, output
    assert "utgående saldo 2023 leder inte längre till det inlästa ingående saldot för 2024" in output
    assert "[nästa års ingående saldo]" in output and "1 varning" in output
    assert rows(sample_copy, f"select closing_balance_sek from fund_years where org_nr = '{ORG}' and year = 2023") == [
        (closing - 1000,)
    ]

    # 2023 and 2024 sent together: 2024 follows 2023 within the file; now 2025 is the year behind.
    [(row_2024,)] = rows(
        sample_copy,
        "select concat_ws(';', org_nr, year, employees, payroll_sek, allocated_sek, spent_sek, "
        "opening_balance_sek - 1000, closing_balance_sek - 1000) from fund_years "
        f"where org_nr = '{ORG}' and year = 2024",
    )
    both = write(
        tmp_path / "bada.csv",
        (
            f"{FUNDS_HEADER}\n"
            f"{ORG};2023;{employees};{payroll};{allocated};{spent + 1000};{opening};{closing - 1000}\n{row_2024}\n"
        ).replace(".", ","),
    )
    code, output = run_cli(capsys, "check", "--db", sample_copy, both)
    assert code == 0 and "[ingående saldo]" not in output, output
    assert "utgående saldo 2024 leder inte längre till det inlästa ingående saldot för 2025" in output
    assert "saldo 2023" not in output and "1 varning" in output
