"""Mall för inrapportering (issue 22): the template workbook, written by `lom template`, filled in
by this test with the sample's rows (openpyxl, as a person's spreadsheet program would, not by the
template code) and loaded without change; its drop-down lists are the configuration's accepted
values, read here from config/lom.toml itself."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl

from pipelines.contract import KINDS, recognise

from .conftest import SAMPLE_FILES, rows, run_cli
from .pages import open_page
from .paths import ROOT
from .test_access import login_app

SHEETS = {"agencies": "Myndigheter", "fund_years": "Medel", "applications": "Ansökningar"}
CONFIG = tomllib.loads((ROOT / "config" / "lom.toml").read_text(encoding="utf-8"))
ACCEPTED = {
    "Sektor": CONFIG["sectors"],
    "Insats": list(CONFIG["measures"]),
    "Beslut": list(CONFIG["decisions"]),
    "Kön": list(CONFIG["genders"]),
    "Åldersgrupp": list(CONFIG["age_bands"]),
}
AMOUNT = re.compile(r"^-?[0-9]{1,3}(?:[  ][0-9]{3})*(?:,[0-9]{1,2})?$|^-?[0-9]+(?:[.,][0-9]{1,2})?$")


def sample_tables() -> dict[str, list[dict[str, str]]]:
    """The sample files' rows as text, by the table they load into, keyed by the contract's column
    names (the header matching is the loader's; the values are the files' own)."""
    tables: dict[str, list[dict[str, str]]] = {}
    for path in SAMPLE_FILES:
        if path.suffix == ".csv":
            raw = path.read_bytes()
            encoding = "utf8" if raw.startswith(b"\xef\xbb\xbf") or path.name == "myndigheter.csv" else "windows-1252"
            text = raw.decode("utf-8-sig" if encoding == "utf8" else "cp1252")
            separator = ";" if text.splitlines()[0].count(";") else ","
            frame = pl.read_csv(text.encode(), separator=separator, infer_schema=False)
        else:
            cells = pl.read_excel(path, read_options={"header_row": None, "dtypes": "string"})
            top = next(i for i, row in enumerate(cells.iter_rows()) if recognise([v or "" for v in row]))
            frame = cells.slice(top + 1).rename(dict(zip(cells.columns, cells.row(top), strict=True)))
        recognised = recognise(frame.columns)
        names = {frame.columns[p]: name for p, name in recognised.positions.items()}
        table = recognised.kind.table
        tables.setdefault(table, []).extend(
            {names[c]: v for c, v in row.items() if c in names} for row in frame.iter_rows(named=True)
        )
    return tables


def typed(value: str | None, column_type: str):
    """A cell's value as a person types it into the template: numbers as numbers, dates as dates."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if column_type in ("amount", "decimal", "integer") and AMOUNT.match(value):
        number = float(re.sub(r"[  ]", "", value).replace(",", "."))
        return int(number) if number.is_integer() else number
    if column_type == "date" and re.match(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$", value):
        return date.fromisoformat(value[:10])
    return value


def header_row(sheet) -> tuple[int, dict[str, int]]:
    """The row of the sheet's headers (1-based) and the column (1-based) of each heading."""
    for row in sheet.iter_rows(min_row=1, max_row=20):
        headings = {cell.value: cell.column for cell in row if isinstance(cell.value, str)}
        if recognise(list(headings)) is not None:
            return row[0].row, headings
    raise AssertionError(f"no header row on {sheet.title}")


def fill(template: Path, filled: Path) -> int:
    """Write every row of the sample below the template's header rows; return how many."""
    book = openpyxl.load_workbook(template)
    written = 0
    tables = sample_tables()
    for kind in KINDS:
        sheet = book[SHEETS[kind.table]]
        top, headings = header_row(sheet)
        where = {kind.headers[re.sub(r"\s*\(kr\)$", "", h).lower()]: col for h, col in headings.items()}
        for offset, values in enumerate(tables[kind.table], start=1):
            for column in kind.columns:
                value = typed(values.get(column.name), column.type)
                if value is not None:
                    sheet.cell(top + offset, where[column.name], value)
            written += 1
    book.save(filled)
    return written


def test_the_template_filled_with_the_sample_loads_as_the_sample_does(sample_db, tmp_path, capsys):
    template, filled, db = tmp_path / "mall.xlsx", tmp_path / "ifylld.xlsx", tmp_path / "lom.duckdb"
    code, said = run_cli(capsys, "template", "--out", template)
    assert code == 0 and template.is_file(), said
    written = fill(template, filled)
    code, said = run_cli(capsys, "load", "--db", db, filled)
    assert code == 0, said
    assert "0 fel, 0 varningar" in said, said  # the instructions and the lists are passed by
    queries = [
        "select count(*), count(distinct sector) from agencies",
        "select count(*), sum(closing_balance_sek), sum(allocated_sek), sum(employees) from fund_years",
        "select count(*), sum(requested_sek), sum(granted_sek), count(decided_on), count(gender) from applications",
        "select decision, measure, count(*) from applications group by all order by all",
    ]
    for query in queries:
        assert rows(db, query) == rows(sample_db, query), query
    assert written == sum(rows(db, f"select count(*) from {t}")[0][0] for t in SHEETS)
    assert rows(db, "select count(*) from agencies where org_nr = '202199-0003'") == [(0,)]  # the examples


def test_the_drop_down_lists_are_the_configurations_accepted_values(tmp_path, capsys):
    template = tmp_path / "mall.xlsx"
    assert run_cli(capsys, "template", "--out", template)[0] == 0
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[0] == "Anvisningar" and "Listor" in book.sheetnames
    checked = set()
    for kind in KINDS:
        sheet = book[SHEETS[kind.table]]
        top, headings = header_row(sheet)
        by_column = {col: h for h, col in headings.items()}
        for validation in sheet.data_validations.dataValidation:
            (first,) = validation.sqref.ranges
            assert first.min_row == top + 1 and first.max_row == 1_048_576
            heading = by_column[first.min_col]
            if validation.type == "list":
                listed_sheet, cells = re.fullmatch(
                    r"'?([^'!]+)'?!(\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?\d+)", validation.formula1
                ).groups()
                values = [c.value for row in book[listed_sheet][cells.replace("$", "")] for c in row]
                assert values == ACCEPTED[heading], heading
                assert validation.showErrorMessage
                checked.add(heading)
            elif validation.type == "date":
                assert heading in ("Inkom", "Beslutsdatum")
        coded = {c.heading for c in kind.columns if c.type == "code"}
        assert coded <= checked
        # Dates and amounts formatted as Swedish Excel shows them, in the rows to fill in.
        for column in kind.columns:
            col = headings[column.heading]
            (cell_format,) = [d for d in sheet.column_dimensions.values() if d.min <= col <= d.max]
            if column.type == "amount":
                assert cell_format.number_format == "#,##0.00"
            if column.type == "date":
                assert cell_format.number_format == "yyyy-mm-dd"
            if column.type == "org_nr":
                assert cell_format.number_format == "@"  # text: the dash and the digits kept as typed
    assert checked == set(ACCEPTED)


def test_the_guide_says_what_each_column_means_and_what_is_refused(tmp_path, capsys):
    template = tmp_path / "mall.xlsx"
    assert run_cli(capsys, "template", "--out", template)[0] == 0
    guide = openpyxl.load_workbook(template)["Anvisningar"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value is not None)
    for kind in KINDS:
        for column in kind.columns:
            assert column.heading in text and column.meaning in text
    for phrase in ("personuppgifter", "pseudonym", f"från {CONFIG['first_year']}", "ingående saldo + avsättning"):
        assert phrase in text, phrase


def test_trygghetsstiftelsen_downloads_the_template_from_the_data_page(sample_db, monkeypatch, roles, downloads):
    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(staff, "data").run()
    assert not staff.exception
    made = downloads["lom-mall-for-inrapportering.xlsx"]()
    assert made[:2] == b"PK"
