"""Tables as files a spreadsheet opens safely: CSV (UTF-8 with BOM, semicolons, decimal comma) and
Excel, with every text cell that a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
import xlsxwriter

from lom.queries.disclosure import HIDDEN_SIGN  # a figure hidden by disclosure control (SCB's and Kolada's sign)

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix every text cell (and header) that starts like a formula with an apostrophe."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    guarded = frame.with_columns(
        pl.when(_starts_like_formula(name)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )
    return guarded.rename({name: _safe_text(name) for name in frame.columns if _safe_text(name) != name})


def _starts_like_formula(name: str) -> pl.Expr:
    column = pl.col(name)
    return pl.any_horizontal(column.str.starts_with(start) for start in FORMULA_STARTS)


def _safe_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Decimals as floats and lists as text, which both formats can hold."""
    return frame.with_columns(
        [pl.col(name).cast(pl.Float64) for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)]
        + [
            pl.col(name).cast(pl.List(pl.String)).list.join(", ")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.List)
        ]
    )


def _mark_hidden(frame: pl.DataFrame, hidden: dict[str, set[int]] | None) -> pl.DataFrame:
    """Write `..` into the hidden cells; their columns become text, numbers with a decimal comma."""
    if not hidden:
        return frame
    index = pl.int_range(pl.len())
    for name, rows in hidden.items():
        if not rows or name not in frame.columns:
            continue
        text = pl.col(name).cast(pl.String)
        if frame.schema[name].is_numeric():
            text = text.str.replace(".", ",", literal=True)
        frame = frame.with_columns(
            pl.when(index.is_in(sorted(rows))).then(pl.lit(HIDDEN_SIGN)).otherwise(text).alias(name)
        )
    return frame


def to_csv(frame: pl.DataFrame, hidden: dict[str, set[int]] | None = None) -> bytes:
    """CSV as Swedish Excel opens it by double-click: UTF-8 with BOM, ';' and decimal comma.
    hidden: per column, the rows whose figure disclosure control hides; they read `..`."""
    text = neutralise(_mark_hidden(_plain(frame), hidden)).write_csv(
        separator=";", decimal_comma=True, include_bom=False, datetime_format="%Y-%m-%d %H:%M", date_format="%Y-%m-%d"
    )
    return "\ufeff".encode() + text.encode("utf-8")


def to_excel(frame: pl.DataFrame, sheet: str = "Data", hidden: dict[str, set[int]] | None = None) -> bytes:
    """An .xlsx workbook of one sheet; text is written as text, never as a formula.
    hidden: per column, the rows whose figure disclosure control hides; they read `..`."""
    frame = neutralise(_plain(frame))
    hidden_cells = {(row, name) for name, rows in (hidden or {}).items() for row in rows}
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    sheet_ = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    whole = workbook.add_format({"num_format": "#,##0"})
    decimal = workbook.add_format({"num_format": "#,##0.0#"})
    for column, name in enumerate(frame.columns):
        sheet_.write_string(0, column, name, bold)
        values = frame[name]
        widest = values.cast(pl.String).str.len_chars().max() if values.dtype == pl.String else 12
        number_format = None
        if values.dtype.is_numeric():
            integral = values.drop_nulls().drop_nans() if values.dtype.is_float() else values.drop_nulls()
            number_format = whole if (integral.round(0) == integral).all() else decimal
        sheet_.set_column(column, column, min(max(len(name), widest or 0, 10) + 2, 60), number_format)
    for row, values in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(values):
            if (row - 1, frame.columns[column]) in hidden_cells:
                sheet_.write_string(row, column, HIDDEN_SIGN)
            elif value is None:
                continue
            elif isinstance(value, str):
                sheet_.write_string(row, column, value)
            elif isinstance(value, bool):
                sheet_.write_boolean(row, column, value)
            elif isinstance(value, datetime):
                sheet_.write_datetime(row, column, value, moment)
            elif isinstance(value, date):
                sheet_.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, float) and value != value:
                continue
            else:
                sheet_.write_number(row, column, value)
    sheet_.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
