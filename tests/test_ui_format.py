"""Swedish number formats and safe exports, checked against values written out by hand."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import polars as pl
import pytest

from lom.ui import export
from lom.ui import format as fmt
from lom.ui.tables import Column, export_frame

S = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345678, 0, f"12{S}345{S}678"),
        (1234.56, 1, f"1{S}234,6"),
        (-1234.5, 0, f"−1{S}234"),
        (-0.01, 0, "0"),
        (Decimal("999.5"), 0, f"1{S}000"),
        (None, 0, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_numbers(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_amounts_shares_and_dates():
    assert fmt.kronor(12345678) == f"12{S}345{S}678{S}kr"
    assert fmt.short_kronor(1_234_567) == f"1,2{S}mnkr"
    assert fmt.short_kronor(345_400) == f"345{S}tkr"
    assert fmt.short_kronor(950) == f"950{S}kr"
    assert fmt.short_kronor(2_500_000_000) == f"2,5{S}mdkr"
    assert fmt.percent(0.453) == f"45{S}%"
    assert fmt.percent(0.4567, 1) == f"45,7{S}%"
    assert fmt.percentage_points(-0.006) == f"−0,6{S}procentenheter"
    assert fmt.signed(59) == "+59" and fmt.signed(-3) == "−3" and fmt.signed(0) == "±0"
    assert fmt.day(date(2024, 3, 31)) == "2024-03-31"
    assert fmt.moment(datetime(2024, 3, 31, 14, 5)) == "2024-03-31 14:05"
    assert fmt.by_unit(53.5, "dagar") == f"53,5{S}dagar" and fmt.by_unit(21.0, "dagar") == f"21{S}dagar"
    assert fmt.by_unit(3.04, "årsavsättningar") == f"3,0{S}årsavsättningar"
    assert fmt.years(0.6) == f"0,6{S}årsavsättningar"  # not "0,6 år", which reads as a duration


HOSTILE = ["=1+1", "+46 8 123", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x")']


def test_every_cell_a_spreadsheet_would_run_is_neutralised():
    frame = pl.DataFrame({"Myndighet": [*HOSTILE, "Åre tingsrätt", "a=b"], "Belopp": list(range(9))})
    guarded = export.neutralise(frame)["Myndighet"].to_list()
    assert guarded[: len(HOSTILE)] == [f"'{v}" for v in HOSTILE]
    assert guarded[len(HOSTILE) :] == ["Åre tingsrätt", "a=b"]
    assert export.neutralise(pl.DataFrame({"=x": [1]})).columns == ["'=x"]


def test_csv_is_utf8_with_bom_semicolons_and_decimal_comma():
    frame = pl.DataFrame(
        {
            "Myndighet": ["Öland", "=evil()"],
            "Andel": [0.5, 1.25],
            "Belopp": [Decimal("1234.50"), None],
            "Dag": [date(2024, 3, 31), date(2025, 1, 2)],
        },
        schema_overrides={"Belopp": pl.Decimal(18, 2)},
    )
    data = export.to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.splitlines() == [
        "Myndighet;Andel;Belopp;Dag",
        "Öland;0,5;1234,5;2024-03-31",
        "'=evil();1,25;;2025-01-02",
    ]


def test_excel_holds_text_as_text_and_numbers_as_numbers():
    frame = pl.DataFrame({"Myndighet": ["=1+1", "Åre"], "Belopp": [1234.5, None]})
    read_back = pl.read_excel(io.BytesIO(export.to_excel(frame, sheet="Lista")), sheet_name="Lista")
    assert read_back["Myndighet"].to_list() == ["'=1+1", "Åre"]
    assert read_back["Belopp"].to_list() == [1234.5, None]
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(export.to_excel(frame))).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere


def test_an_export_has_the_tables_headers_with_units_and_shares_in_per_cent():
    frame = pl.DataFrame({"name": ["A"], "share": [0.4567], "sek": [100.0], "cls": ["best"]})
    columns = [
        Column("name", "Myndighet"),
        Column("share", "Nyttjandegrad", "percent"),
        Column("sek", "Outnyttjade medel", "kronor"),
        Column("cls", "Läge", "class"),
    ]
    exported = export_frame(frame, columns)
    assert exported.columns == ["Myndighet", "Nyttjandegrad (%)", "Outnyttjade medel (kr)", "Läge"]
    assert exported.row(0) == ("A", 45.7, 100.0, "▲ Bästa fjärdedelen")  # 0,4567 as 45,7 %


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..", "fil_3"),
        ("C:\\Users\\hr\\medel.csv", "medel.csv"),
        (".dold.csv", "dold.csv"),
        ("a;b|c.csv", "a_b_c.csv"),
        ("ansökningar 2024.xlsx", "ansökningar 2024.xlsx"),
        ("medel 850709\u20132388.csv", "medel 850709\u20132388.csv"),  # the loader must see the dash
        ("rad\nett\x1b[1A.csv", "rad_ett_[1A.csv"),
    ],
)
def test_an_uploaded_files_name_cannot_leave_its_folder(sent, kept):
    from lom.ui.pages.data import upload_name

    assert upload_name(sent, 3) == kept


def test_the_deployment_settings_send_no_details_or_statistics_and_bound_uploads():
    import tomllib

    from .paths import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 100  # MB, as the loader's own LOM_MAX_FILE_MB default
    assert config["server"]["fileWatcherType"] == "none"  # a served app never reloads modules mid-run


def test_the_sql_macros_write_numbers_as_the_python_formatting_does():
    """Swedish number formatting is one rule: sv_number in the database writes what lom.swedish
    writes in Python (numbers of the measures are not negative inside the database's texts)."""
    import duckdb

    from lom import swedish
    from lom.db.settings import SQL_DIR

    con = duckdb.connect()
    con.execute((SQL_DIR / "functions" / "sv_number.sql").read_text(encoding="utf-8"))
    for value in (0, 7, 999.5, 12345.6, 1234567.891):
        for decimals in (0, 1, 2):
            (sql_text,) = con.execute("select sv_number($x, $d)", {"x": value, "d": decimals}).fetchall()[0]
            assert sql_text == swedish.number(value, decimals), (value, decimals)
    con.close()
