"""Personal data rejects the whole file, and no message, log or table ever repeats it."""

from __future__ import annotations

import re

import pytest

from pipelines.load import load_files
from pipelines.personal_data import contains_personnummer

from .conftest import rows, run_cli, snapshot, write
from .test_rules import APPS_HEADER, APPS_ROWS, FUNDS_HEADER, FUNDS_ROWS


def luhn_check_digit(nine_digits: str) -> str:
    """Compute a check digit the way Skatteverket describes it (written apart from the loader's)."""
    products = [int(d) * w for d, w in zip(nine_digits, [2, 1] * 5, strict=False)]
    return str((10 - sum(p // 10 + p % 10 for p in products) % 10) % 10)


def personnummer(yymmdd: str, serial: str = "238", century: str = "", separator: str = "-") -> str:
    return f"{century}{yymmdd}{separator}{serial}{luhn_check_digit(yymmdd + serial)}"


PNR_10 = personnummer("850709")
PNR_12 = personnummer("850709", century="19", separator="")
PNR_PLUS = personnummer("121212", serial="121", separator="+")  # over 100 years old
SAMORDNING = personnummer("850769")  # day 09 + 60
EMAIL = "anna.andersson@myndighet.example.se"


@pytest.mark.parametrize("value", [PNR_10, PNR_12, PNR_PLUS, SAMORDNING, "Sökande " + PNR_10.replace("-", "")])
def test_personnummer_forms_are_recognised(value):
    assert contains_personnummer(value)


@pytest.mark.parametrize(
    "value",
    [
        "209900-0016",  # organisation numbers: "month" 99 is no month
        "202100-5422",
        "2021005422",
        personnummer("850709")[:-1] + str((int(PNR_10[-1]) + 1) % 10),  # wrong check digit
        "850732-2384",  # no 32nd day
        "LOM-2024-0001",
        "12345678901234",  # longer than any personnummer
    ],
)
def test_lookalikes_are_not_personnummer(value):
    assert not contains_personnummer(value)


def assert_not_revealed(value: str, output: str, db) -> None:
    digits = re.sub(r"\D", "", value)
    assert value not in output and (not digits or digits not in re.sub(r"\D", "", output))
    logged = rows(db, "select coalesce(string_agg(message, ' '), '') from load_messages")[0][0]
    assert value not in logged
    stored = rows(db, "select coalesce(string_agg(file_name, ' '), '') from loads")[0][0]
    assert value not in stored


@pytest.mark.parametrize("value", [PNR_10, PNR_12, PNR_PLUS, SAMORDNING, EMAIL, f"ring {EMAIL}"])
def test_personal_data_in_an_extra_column_rejects_the_file(sample_copy, tmp_path, capsys, value):
    """A personnummer or e-mail in a column outside the contract: rejected by row and column, not echoed."""
    lines = [APPS_ROWS[0] + ";", APPS_ROWS[1] + f";{value}", APPS_ROWS[2] + ";"]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER + ";kommentar", *lines]) + "\n")
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    assert "rad 3, kolumn 'kommentar'" in output and "[personuppgift]" in output
    assert snapshot(sample_copy) == before
    assert_not_revealed(value, output, sample_copy)


def test_personnummer_as_case_number_is_rejected(sample_copy, tmp_path, capsys):
    lines = [APPS_ROWS[0].replace("T-1", PNR_12), *APPS_ROWS[1:]]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "rad 2, kolumn 'ärendenummer'" in output
    assert_not_revealed(PNR_12, output, sample_copy)


def test_values_of_other_errors_are_hidden_too(sample_copy, tmp_path, capsys):
    """Once a file holds personal data, no cell value is echoed, not even of other errors."""
    lines = [APPS_ROWS[0].replace("kompetensutveckling", f"kurs {EMAIL}"), *APPS_ROWS[1:]]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1 and "[format]" in output and "[personuppgift]" in output
    assert "värde:" not in output
    assert_not_revealed(EMAIL, output, sample_copy)


def test_the_scan_beside_validation_is_told_before_it(sample_copy, tmp_path):
    """The scan for personal data runs in a thread beside validation; what it finds is still told
    first, before the errors validation finds in earlier rows, and those show no value."""
    lines = [APPS_ROWS[0].replace("kompetensutveckling", "kurs X"), *APPS_ROWS[1:3]]
    lines[2] = lines[2].replace(lines[2].split(";")[0], PNR_10, 1)
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")
    (outcome,) = load_files([path], sample_copy)
    assert outcome.status == "rejected"
    told = [(f.rule, f.row) for f in outcome.findings.items]
    assert told == [("personuppgift", 4), ("format", 2)]
    assert all(f.value is None for f in outcome.findings.items)
    assert_not_revealed(PNR_10, "\n".join(outcome.findings.lines()), sample_copy)


@pytest.mark.parametrize("key", ["none yet", "readable by others"])
def test_a_file_refused_for_personal_data_reads_or_makes_no_key(sample_copy, tmp_path, monkeypatch, key):
    """The HMAC waits for the scan beside it: a file refused for personal data never gets to
    the key, so it neither makes one nor fails on one that cannot be used."""
    key_file = tmp_path / "keys" / "pseudonym.key"
    if key == "readable by others":
        key_file.parent.mkdir()
        key_file.write_text("ab" * 32 + "\n")
        key_file.chmod(0o644)
    monkeypatch.setenv("LOM_KEY_FILE", str(key_file))
    lines = [APPS_ROWS[0].replace("T-1", PNR_12), *APPS_ROWS[1:]]
    (outcome,) = load_files([write(tmp_path / "a.csv", "\n".join([APPS_HEADER, *lines]) + "\n")], sample_copy)
    assert outcome.status == "rejected"
    assert [f.rule for f in outcome.findings.items if f.severity == "error"] == ["personuppgift"]
    assert key_file.exists() == (key == "readable by others")


@pytest.mark.parametrize("header", ["Namn", "personnummer", "E-post", "Sökande"])
def test_a_person_header_in_an_applications_file_rejects_it(sample_copy, tmp_path, capsys, header):
    lines = [line + ";x" for line in APPS_ROWS]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER + f";{header}", *lines]) + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    assert f"kolumn '{header}'" in output and "[personuppgift: rubrik]" in output


def test_amounts_and_counts_are_not_scanned(sample_copy, tmp_path, capsys):
    """A payroll whose digits happen to form a valid personnummer is an amount, not a person."""
    payroll = PNR_10.replace("-", "")  # 10 digits, valid date and check digit
    allocated = f"{int(payroll) * 0.002:.2f}".replace(".", ",")
    line = f"209900-0016;2024;120;{payroll};{allocated};0;0;{allocated}"
    path = write(tmp_path / "f.csv", FUNDS_HEADER + "\n" + line + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert rows(sample_copy, "select payroll_sek from fund_years where org_nr = '209900-0016' and year = 2024") == [
        (int(payroll),)
    ]


def test_organisation_numbers_are_never_personnummer(sample_copy, tmp_path, capsys):
    """The funds file of the tests carries org numbers in two forms and loads without complaint."""
    lines = [FUNDS_ROWS[0].replace("209900-0016", "2099000016"), FUNDS_ROWS[1]]
    path = write(tmp_path / "f.csv", "\n".join([FUNDS_HEADER, *lines]) + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0 and "personuppgift" not in output


def test_personal_data_in_a_file_name_is_not_logged(sample_copy, tmp_path, capsys):
    path = write(tmp_path / f"ansokan_{PNR_10}.csv", "a;b\n1;2\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    stored = rows(sample_copy, "select file_name from loads order by load_id desc limit 1")[0][0]
    assert PNR_10 not in stored and "personuppgift" in stored
    assert PNR_10 not in output
