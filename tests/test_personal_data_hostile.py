"""Personal data as people really write it: refused wherever it stands, and never repeated.

Each case loads a hand-built file into a copy of the sample database and asserts the exit code,
the message, the unchanged database, and that the planted value is nowhere: not in what was
printed, not in any column of any table, not in the bytes of the database file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import xlsxwriter

from .conftest import refused_load, rows, run_cli, write
from .paths import SAMPLE_DIR
from .planted import EMAILS, FORMS, PNR, TEXT_FORMS, assert_nowhere, personnummer
from .test_rules import APPS_HEADER, APPS_ROWS, FUNDS_HEADER, FUNDS_ROWS, replace_cell

FUNDS = "funds"
APPS = "applications"
TEMPLATES = {FUNDS: (FUNDS_HEADER, FUNDS_ROWS), APPS: (APPS_HEADER, APPS_ROWS)}
# The typed columns of the two kinds, by position: a count, a year, an amount, a code, a date, a decision.
TYPED = {
    "antal anställda": (FUNDS, 2),
    "år": (FUNDS, 1),
    "lönesumma": (FUNDS, 3),
    "ärendenummer": (APPS, 0),
    "inkom": (APPS, 2),
    "beslutsdatum": (APPS, 3),
    "insats": (APPS, 4),
    "beslut": (APPS, 5),
    "sökt belopp": (APPS, 6),
    "kön": (APPS, 8),
}


def refused_unseen(capsys, db: Path, path: Path, value: str, *says: str) -> str:
    """Load a file: exit 1, each phrase said, the database unchanged but for its load log, and the
    planted value nowhere."""
    output = refused_load(capsys, db, path, *says)
    assert_nowhere(value, output, db)
    return output


def planted_csv(tmp_path: Path, kind: str, column: int, value: str, name: str = "fil.csv") -> Path:
    header, lines = TEMPLATES[kind]
    return write(tmp_path / name, "\n".join([header, *replace_cell(lines, 0, column, value)]) + "\n")


# --- echoed before: typed columns, parts, xlsx text cells, names and numbers in code columns ----


@pytest.mark.parametrize("form", list(TEXT_FORMS), ids=list(TEXT_FORMS))
def test_every_written_form_in_an_amount_column_is_refused_unseen(agencies_copy, tmp_path, capsys, form):
    """A personnummer written with a dash of any kind, a space, other digits or a zero-width space,
    in an amount column: personal data, not a badly written amount."""
    path = planted_csv(tmp_path, APPS, 6, TEXT_FORMS[form])
    refused_unseen(capsys, agencies_copy, path, TEXT_FORMS[form], "rad 2, kolumn 'sökt belopp'", "[personuppgift]")


@pytest.mark.parametrize("place", list(TYPED), ids=list(TYPED))
@pytest.mark.parametrize("form", ["tankstreck", "helbreda siffror"])
def test_a_personnummer_in_any_typed_column_is_refused_unseen(agencies_copy, tmp_path, capsys, place, form):
    kind, column = TYPED[place]
    path = planted_csv(tmp_path, kind, column, FORMS[form])
    output = refused_unseen(capsys, agencies_copy, path, FORMS[form], "[personuppgift]")
    assert "rad 2" in output


def test_a_personnummer_in_a_late_part_of_a_large_file_is_refused_unseen(agencies_copy, tmp_path, capsys, monkeypatch):
    """The same in the parts path: a file read part by part is scanned part by part."""
    monkeypatch.setenv("LOM_PART_MB", "0.05")
    lines = (SAMPLE_DIR / "ansokningar_2015-2019.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = lines[30_000].split(";")
    cells[6] = FORMS["tankstreck"]
    lines[30_000] = ";".join(cells)
    path = write(tmp_path / "stor.csv", "\n".join(lines) + "\n")
    refused_unseen(
        capsys, agencies_copy, path, FORMS["tankstreck"], "rad 30001, kolumn 'Sökt belopp'", "[personuppgift]"
    )


def applications_book(path: Path, rows_: list[list], **extras) -> Path:
    """An applications workbook written cell by cell; strings stay strings."""
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_urls": False}) as book:
        sheet = book.add_worksheet(extras.pop("sheet_name", "Ansökningar"))
        header = APPS_HEADER.split(";")
        start = 0
        if title := extras.pop("title", None):
            sheet.write_string(0, 0, title)
            start = 2
        for c, value in enumerate(header):
            sheet.write_string(start, c, value)
        for r, values in enumerate(rows_, start=start + 1):
            for c, value in enumerate(values):
                if value not in (None, ""):
                    sheet.write_string(r, c, str(value))
        if hook := extras.pop("hook", None):
            hook(book, sheet)
    return path


def sample_rows() -> list[list[str]]:
    return [line.split(";") for line in APPS_ROWS]


@pytest.mark.parametrize("column", [2, 6], ids=["datumkolumn", "beloppskolumn"])
def test_a_personnummer_as_text_in_a_number_or_date_cell_of_a_workbook(agencies_copy, tmp_path, capsys, column):
    table = sample_rows()
    table[1][column] = FORMS["minustecken"]
    path = applications_book(tmp_path / "a.xlsx", table)
    refused_unseen(capsys, agencies_copy, path, FORMS["minustecken"], "rad 3", "[personuppgift]")


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        (4, "Anna Andersson", "[format]"),  # a name in the measure column
        (5, "Per-Olof Nilsson", "[format]"),  # in the decision column
        (6, "070-123 45 67", "[format]"),  # a telephone number as an amount
        (8, "+46 70 123 45 67", "[format]"),  # in the gender column
        (5, EMAILS["utan toppdomän"], "[personuppgift]"),  # an address without a top-level domain
    ],
    ids=["namn i insats", "namn i beslut", "telefon i belopp", "telefon i kön", "e-post utan toppdomän"],
)
def test_names_and_numbers_in_coded_columns_are_never_echoed(agencies_copy, tmp_path, capsys, column, value, rule):
    """A name, a telephone number or an address where a code or amount belongs: the rule is said,
    the value is not (a name cannot be told from a misspelt measure)."""
    output = refused_unseen(capsys, agencies_copy, planted_csv(tmp_path, APPS, column, value), value, rule)
    if rule == "[format]":
        assert "(värdet visas inte)" in output
    for word in value.replace("-", " ").split():
        assert not word.isalpha() or word.lower() not in output.lower()


def test_a_misspelt_measure_gets_a_hint_not_an_echo(agencies_copy, tmp_path, capsys):
    output = refused_unseen(
        capsys, agencies_copy, planted_csv(tmp_path, APPS, 4, "kompetensutvekling"), "kompetensutvekling"
    )
    assert "menade du 'kompetensutveckling'?" in output and "(värdet visas inte)" in output


def test_a_badly_written_amount_is_still_shown(agencies_copy, tmp_path, capsys):
    """A value that cannot be personal data is shown where it helps: an ambiguous amount."""
    code, output = run_cli(capsys, "load", "--db", agencies_copy, planted_csv(tmp_path, APPS, 6, "1.234"))
    assert code == 1 and "(värde: '1.234')" in output


def test_a_file_without_headers_is_refused_without_its_first_line(agencies_copy, tmp_path, capsys):
    """Its first line is data: a raw case number must not be printed as a 'header'."""
    rows_ = [line.replace("T-1", "Dnr 2024/0001-hemlig") for line in APPS_ROWS]
    path = write(tmp_path / "utan_rubriker.csv", "\n".join(rows_) + "\n")
    output = refused_unseen(capsys, agencies_copy, path, "Dnr 2024/0001-hemlig", "[okänd filtyp]")
    assert "209900-0016" not in output and "kompetensutveckling" not in output


def test_a_headerless_file_names_only_the_contracts_own_headers(agencies_copy, tmp_path, capsys):
    path = write(tmp_path / "halv.csv", "org_nr;år;Anna Andersson\n209900-0016;2024;x\n")
    output = refused_unseen(capsys, agencies_copy, path, "Anna Andersson", "[okänd filtyp]")
    assert "'org_nr', 'år'" in output


# --- not a regular file ---------------------------------------------------------------------------


def test_a_link_to_the_pseudonym_key_is_refused_without_reading_it(agencies_copy, tmp_path, capsys, private_key_file):
    from pipelines.pseudonym import load_key

    key = load_key().hex()
    link = tmp_path / "nyckel.csv"
    link.symlink_to(private_key_file)
    output = refused_unseen(capsys, agencies_copy, link, key, "symbolisk länk", "[ingen vanlig fil]")
    assert key[:16] not in output


def test_the_key_under_another_name_is_refused(agencies_copy, tmp_path, capsys, private_key_file):
    from pipelines.pseudonym import load_key

    key = load_key().hex()
    alias = tmp_path / "nyckel.csv"
    os.link(private_key_file, alias)
    refused_unseen(capsys, agencies_copy, alias, key, "pseudonymnyckel", "[ingen vanlig fil]")


def test_a_link_to_a_good_file_is_refused_too(agencies_copy, tmp_path, capsys):
    target = planted_csv(tmp_path, FUNDS, 2, "120", name="god.csv")
    link = tmp_path / "lank.csv"
    link.symlink_to(target)
    refused_unseen(capsys, agencies_copy, link, "ingenting-hemligt-här", "symbolisk länk")


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(agencies_copy, tmp_path, capsys):
    pipe = tmp_path / "ror.csv"
    os.mkfifo(pipe)
    result = {}
    worker = threading.Thread(target=lambda: result.update(out=run_cli(capsys, "load", "--db", agencies_copy, pipe)))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the loader waited on the pipe"
    code, output = result["out"]
    assert code == 1 and "ingen vanlig fil" in output


def test_a_device_is_refused(agencies_copy, tmp_path, capsys):
    code, output = run_cli(capsys, "load", "--db", agencies_copy, Path("/dev/zero"))
    assert code == 1 and "ingen vanlig fil" in output


def test_any_other_file_is_refused_without_its_first_line(agencies_copy, tmp_path, capsys):
    secret = "root:x:0:0:Anna Andersson,,,:/root:/bin/bash"
    path = write(tmp_path / "passwd.csv", secret + "\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    output = refused_unseen(capsys, agencies_copy, path, secret, "[okänd filtyp]")
    assert "root" not in output and "Anna" not in output


# --- stored outside the cells: sheet names, headers, file names -----------------------------------


def test_a_personnummer_in_a_sheet_name_is_neither_shown_nor_stored(agencies_copy, tmp_path, capsys):
    path = applications_book(tmp_path / "a.xlsx", sample_rows(), sheet_name=f"Ansökan {FORMS['tankstreck']}")
    refused_unseen(capsys, agencies_copy, path, FORMS["tankstreck"], "blad 'blad 1'", "[personuppgift]")
    assert rows(agencies_copy, "select max(load_id) from load_messages where sheet like '%850709%'") == [(None,)]


def test_a_personnummer_as_a_header_is_neither_shown_nor_stored(agencies_copy, tmp_path, capsys):
    header = APPS_HEADER + f";{FORMS['mellanslag']}"
    path = write(tmp_path / "a.csv", "\n".join([header, *(line + ";x" for line in APPS_ROWS)]) + "\n")
    refused_unseen(capsys, agencies_copy, path, FORMS["mellanslag"], "kolumn 'kolumn K'", "[personuppgift]")


@pytest.mark.parametrize("form", ["tankstreck", "helbreda siffror", "samordningsnummer"])
def test_a_personnummer_in_the_file_name_rejects_the_file_and_is_replaced(agencies_copy, tmp_path, capsys, form):
    path = planted_csv(tmp_path, FUNDS, 2, "120", name=f"medel {FORMS[form]}.csv")
    output = refused_unseen(capsys, agencies_copy, path, FORMS[form], "filnamnet innehåller en personuppgift")
    stored = rows(agencies_copy, "select file_name from loads order by load_id desc limit 1")[0][0]
    assert stored == "medel (personuppgift).csv", stored
    assert "medel (personuppgift).csv" in output


def test_a_file_name_cannot_forge_lines_or_move_the_cursor(agencies_copy, tmp_path, capsys):
    name = "medel\nfel: allt lästes in\x1b[2K\x1b[1A.csv"
    path = planted_csv(tmp_path, FUNDS, 2, "120", name=name)
    code, output = run_cli(capsys, "load", "--db", agencies_copy, path)
    assert code == 0, output
    assert "\x1b" not in output and "\nfel: allt lästes in" not in output
    assert "medel\\nfel: allt lästes in\\x1b[2K\\x1b[1A.csv" in output
    stored = rows(agencies_copy, "select file_name from loads order by load_id desc limit 1")[0][0]
    assert "\n" not in stored and "\x1b" not in stored


# --- accepted before: dropped columns, obfuscations, person headers, the parts of a workbook ------


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_every_written_form_in_a_dropped_column_is_refused(agencies_copy, tmp_path, capsys, form):
    lines = [APPS_ROWS[0] + ";", APPS_ROWS[1] + f";{FORMS[form]}", APPS_ROWS[2] + ";"]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER + ";kommentar", *lines]) + "\n")
    refused_unseen(capsys, agencies_copy, path, FORMS[form], "rad 3, kolumn 'kommentar'", "[personuppgift]")


@pytest.mark.parametrize("form", list(EMAILS), ids=list(EMAILS))
def test_every_written_e_mail_address_is_refused(agencies_copy, tmp_path, capsys, form):
    lines = [APPS_ROWS[0] + f";skriv till {EMAILS[form]}", *(line + ";" for line in APPS_ROWS[1:])]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER + ";kommentar", *lines]) + "\n")
    refused_unseen(capsys, agencies_copy, path, EMAILS[form], "rad 2, kolumn 'kommentar'", "en e-postadress")


@pytest.mark.parametrize(
    "header",
    ["Handläggare", "Kontaktperson", "N\u0430mn", "E\u2011post", "SÖKANDE_NAMN", "Е-post"],
    ids=["handläggare", "kontaktperson", "kyrilliskt a", "hårt bindestreck", "versaler", "kyrilliskt E"],
)
def test_a_person_header_written_any_way_is_refused(agencies_copy, tmp_path, capsys, header):
    lines = [line + ";Anna Andersson" for line in APPS_ROWS]
    path = write(tmp_path / "a.csv", "\n".join([APPS_HEADER + f";{header}", *lines]) + "\n")
    refused_unseen(capsys, agencies_copy, path, "Anna Andersson", "[personuppgift: rubrik]")


def test_a_person_header_in_a_funds_file_is_refused(agencies_copy, tmp_path, capsys):
    lines = [line + ";Anna Andersson" for line in FUNDS_ROWS]
    path = write(tmp_path / "f.csv", "\n".join([FUNDS_HEADER + ";Kontaktperson", *lines]) + "\n")
    refused_unseen(capsys, agencies_copy, path, "Anna Andersson", "[personuppgift: rubrik]")


EMAIL = EMAILS["vanlig"]
# Where in a workbook, how it is put there, what the message says, and what was planted.
WORKBOOK_PARTS = {
    "kommentar": (lambda book, sheet: sheet.write_comment("B2", f"Ring {PNR}"), "en kommentar", PNR),
    "kommentarens författare": (
        lambda book, sheet: sheet.write_comment("B2", "Kolla beloppet", {"author": EMAIL}),
        "en kommentar",
        EMAIL,
    ),
    "hyperlänk": (
        lambda book, sheet: sheet.write_url("K1", f"mailto:{EMAIL}", string="Kontakt"),
        "en hyperlänk",
        EMAIL,
    ),
    "sidhuvud": (lambda book, sheet: sheet.set_header(f"&LHandläggare {EMAIL}"), "sidhuvudet", EMAIL),
    "sidfot": (lambda book, sheet: sheet.set_footer(f"&C{FORMS['tankstreck']}"), "sidfoten", FORMS["tankstreck"]),
    "definierat namn": (lambda book, sheet: book.define_name("Sokande", f'="{PNR}"'), "ett definierat namn", PNR),
    "dokumentegenskaper": (
        lambda book, sheet: book.set_properties({"author": EMAIL, "comments": f"Gäller {PNR}"}),
        "dokumentegenskaperna",
        EMAIL,
    ),
    "talformat 000000-0000": (
        lambda book, sheet: sheet.write_number(
            "K3", int(PNR.replace("-", "")), book.add_format({"num_format": "000000-0000"})
        ),
        "talformat",
        PNR,
    ),
}


@pytest.mark.parametrize("part", list(WORKBOOK_PARTS), ids=list(WORKBOOK_PARTS))
def test_personal_data_in_any_part_of_a_workbook_is_refused(agencies_copy, tmp_path, capsys, part):
    hook, says, secret = WORKBOOK_PARTS[part]
    path = applications_book(tmp_path / "a.xlsx", sample_rows(), hook=hook)
    refused_unseen(capsys, agencies_copy, path, secret, says, "[personuppgift]")


def test_a_number_formatted_000000_0000_that_lost_its_leading_zero(agencies_copy, tmp_path, capsys):
    """Born in 2000s: 000101-2384 is the number 1012384 shown through the format."""
    pnr = personnummer("000101", serial="238")

    def hook(book, sheet):
        sheet.write_number("K2", int(pnr.replace("-", "")), book.add_format({"num_format": "000000\\-0000"}))

    path = applications_book(tmp_path / "a.xlsx", sample_rows(), hook=hook)
    refused_unseen(capsys, agencies_copy, path, pnr, "talformat", "[personuppgift]")


def test_a_title_row_of_a_workbook_is_scanned(agencies_copy, tmp_path, capsys):
    path = applications_book(tmp_path / "a.xlsx", sample_rows(), title=f"Ansökningar, handläggare {EMAIL}")
    refused_unseen(capsys, agencies_copy, path, EMAIL, "rad 1", "[personuppgift]")


def test_a_title_row_of_a_csv_file_is_refused_unseen(agencies_copy, tmp_path, capsys):
    path = write(tmp_path / "a.csv", "\n".join([f"Rapport för {PNR}", APPS_HEADER, *APPS_ROWS]) + "\n")
    refused_unseen(capsys, agencies_copy, path, PNR)
