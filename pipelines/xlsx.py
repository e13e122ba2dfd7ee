"""Read .xlsx workbooks with fastexcel, guarding against zip bombs and uncached formulas."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import fastexcel
import polars as pl

from pipelines.contract import ROW, recognise
from pipelines.report import FileProblem

# Far above any honest workbook of the contract's size limit, far below what would exhaust memory.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
HEADER_SEARCH_ROWS = 20
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
SHEET = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
RELATION = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
RELATION_REVERSED = re.compile(rb'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


@dataclass
class Sheet:
    """One sheet: its header row (0-based, None if none is recognised) and its cells."""

    name: str
    hidden: bool
    header_row: int | None
    headers: list[str]
    frame: pl.DataFrame  # data rows: positional text columns and _row
    text: pl.DataFrame  # every cell as text, for the personal-data scan


def read_workbook(data: bytes) -> list[Sheet]:
    """Read every sheet of a workbook; refuse bombs and formulas without a cached value."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem("format", "filen är ingen giltig xlsx-arbetsbok") from None
    with archive:
        _refuse_bombs(archive)
        _refuse_uncached_formulas(archive)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as error:  # fastexcel raises its own hierarchy for every corrupt workbook
        raise FileProblem("format", f"arbetsboken kunde inte läsas: {type(error).__name__}") from None
    return [_read_sheet(reader, name) for name in reader.sheet_names]


def _refuse_bombs(archive: zipfile.ZipFile) -> None:
    total = 0
    for member in archive.infolist():
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (member.file_size > 10_000_000 and ratio > MAX_RATIO):
            raise FileProblem(
                "för stor",
                "arbetsboken packas upp till orimligt mycket data (zip-bomb?) och läses inte",
            )


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each worksheet's XML path in the archive to its sheet name."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = dict(RELATION.findall(rels))
    targets.update({rid: target for target, rid in RELATION_REVERSED.findall(rels)})
    files = {}
    for name, rid in SHEET.findall(workbook):
        target = targets.get(rid, b"").decode()
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        files[path] = name.decode()
    return files


def _refuse_uncached_formulas(archive: zipfile.ZipFile) -> None:
    try:
        files = _sheet_files(archive)
    except KeyError:
        raise FileProblem("format", "arbetsboken saknar sin innehållsförteckning") from None
    for path, sheet in files.items():
        xml = archive.read(path)
        if b"<f" not in xml:
            continue
        for column, row, inner in CELL.findall(xml):
            if inner and b"<f" in inner and not re.search(rb"<v>[^<]", inner):
                raise FileProblem(
                    "formel utan värde",
                    f"cell {column.decode()}{row.decode()} har en formel utan beräknat värde; "
                    "öppna och spara arbetsboken i Excel så att värdena beräknas",
                    sheet=sheet,
                    row=int(row),
                )


def _read_sheet(reader: fastexcel.ExcelReader, name: str) -> Sheet:
    loaded = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    text = pl.DataFrame(loaded.to_arrow())
    hidden = loaded.visible != "visible"
    header_row = _find_header(text)
    if header_row is None or hidden:
        return Sheet(name, hidden, header_row, [], pl.DataFrame(), text)
    headers = ["" if v is None else str(v) for v in text.row(header_row)]
    typed = reader.load_sheet(name, header_row=header_row, skip_rows=0, schema_sample_rows=None)
    frame = pl.DataFrame(typed.to_arrow())
    frame = frame.select(
        _as_text(pl.col(c), dtype).alias(f"c{i}") for i, (c, dtype) in enumerate(frame.schema.items())
    ).with_row_index(ROW, offset=header_row + 2)
    return Sheet(name, hidden, header_row, headers, frame.with_columns(pl.col(ROW).cast(pl.Int64)), text)


def _find_header(text: pl.DataFrame) -> int | None:
    for index, row in enumerate(text.head(HEADER_SEARCH_ROWS).iter_rows()):
        if recognise(["" if v is None else str(v) for v in row]) is not None:
            return index
    return None


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Render a typed Excel column as the text a CSV of the same cells would hold."""
    if dtype.is_float():
        integral = (column.round(0) == column).all()
        return (
            pl.when(integral)
            .then(column.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(column.round(2).cast(pl.String))
        )
    if dtype in (pl.Datetime, pl.Date) or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d")
    return column.cast(pl.String)
