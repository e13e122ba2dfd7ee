"""Read .xlsx workbooks with fastexcel, guarding against zip bombs and uncached formulas."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import fastexcel
import polars as pl

from pipelines.contract import ROW, recognise
from pipelines.personal_data import holds_personal_data
from pipelines.report import FileProblem

# Far above any honest workbook of the contract's size limit, far below what would exhaust memory.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
HEADER_SEARCH_ROWS = 20
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
SHEET = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
RELATION = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)\d+')
RELATION_REVERSED = re.compile(rb'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


@dataclass
class Sheet:
    """One sheet: its header row (0-based, None if none is recognised) and its cells."""

    name: str  # as shown in messages: "blad 2" when the real name holds personal data
    hidden: bool
    header_row: int | None
    headers: list[str]
    frame: pl.DataFrame  # data rows: positional text columns and _row
    text: pl.DataFrame  # every cell as text, for the personal-data scan
    first_column: int  # 0-based index of the sheet's first used column (A = 0)
    name_is_personal: bool = False


def read_workbook(data: bytes) -> list[Sheet]:
    """Read every sheet of a workbook; refuse bombs and formulas without a cached value."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem("format", "filen är ingen giltig xlsx-arbetsbok") from None
    with archive:
        _refuse_bombs(archive)
        try:
            files = _sheet_files(archive)
        except KeyError:
            raise FileProblem("format", "arbetsboken saknar sin innehållsförteckning") from None
        _refuse_bad_cells(archive, files)
        first_columns = {name: _first_column(archive, path) for path, name in files.items()}
    try:
        reader = fastexcel.read_excel(data)
    except Exception as error:  # fastexcel raises its own hierarchy for every corrupt workbook
        raise FileProblem("format", f"arbetsboken kunde inte läsas: {type(error).__name__}") from None
    return [
        _read_sheet(reader, index, name, first_columns.get(name, 0)) for index, name in enumerate(reader.sheet_names)
    ]


def shown_sheet_name(name: str, index: int) -> str:
    """Name a sheet in messages, unless its name holds personal data: then by its position."""
    return f"blad {index + 1}" if holds_personal_data(name) else name


def _first_column(archive: zipfile.ZipFile, path: str) -> int:
    """Read where the sheet's used range starts (fastexcel drops empty leading columns)."""
    with archive.open(path) as handle:
        head = handle.read(4096)
    found = DIMENSION.search(head)
    if not found:
        return 0
    index = 0
    for letter in found.group(1).decode():
        index = index * 26 + ord(letter) - 64
    return index - 1


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


def _refuse_bad_cells(archive: zipfile.ZipFile, files: dict[str, str]) -> None:
    """Refuse formulas without a cached value and cells holding an error value."""
    order = list(files.values())
    for path, real_name in files.items():
        sheet = shown_sheet_name(real_name, order.index(real_name))
        xml = archive.read(path)
        if b"<f" not in xml and b't="e"' not in xml:
            continue
        for column, row, attributes, inner in CELL.findall(xml):
            cell = f"cell {column.decode()}{row.decode()}"
            if inner and b"<f" in inner and not re.search(rb"<v>[^<]", inner):
                raise FileProblem(
                    "formel utan värde",
                    f"{cell} har en formel utan beräknat värde; "
                    "öppna och spara arbetsboken i Excel så att värdena beräknas",
                    sheet=sheet,
                    row=int(row),
                )
            if b't="e"' in attributes:
                raise FileProblem(
                    "felvärde", f"{cell} innehåller ett felvärde (som #DIV/0! eller #N/A)", sheet=sheet, row=int(row)
                )


def _read_sheet(reader: fastexcel.ExcelReader, index: int, name: str, first_column: int) -> Sheet:
    loaded = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    text = pl.DataFrame(loaded.to_arrow())
    hidden = loaded.visible != "visible"
    header_row = _find_header(text)
    shown = shown_sheet_name(name, index)
    personal = shown != name
    if header_row is None or hidden:
        return Sheet(shown, hidden, header_row, [], pl.DataFrame(), text, first_column, personal)
    headers = ["" if v is None else str(v) for v in text.row(header_row)]
    typed = reader.load_sheet(index, header_row=header_row, skip_rows=0, schema_sample_rows=None)
    frame = pl.DataFrame(typed.to_arrow())
    frame = frame.select(
        _as_text(pl.col(c), dtype).alias(f"c{i}") for i, (c, dtype) in enumerate(frame.schema.items())
    ).with_row_index(ROW, offset=header_row + 2)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    return Sheet(shown, hidden, header_row, headers, frame, text, first_column, personal)


def _find_header(text: pl.DataFrame) -> int | None:
    for index, row in enumerate(text.head(HEADER_SEARCH_ROWS).iter_rows()):
        if recognise(["" if v is None else str(v) for v in row]) is not None:
            return index
    return None


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Render a typed Excel column as the text a CSV of the same cells would hold.

    Nothing is rounded: a number with more than öre precision, or a date with a time of day,
    reaches validation as such and is reported there.
    """
    if dtype.is_float():
        whole = column.cast(pl.Int64, strict=False)
        return pl.when(whole == column).then(whole.cast(pl.String)).otherwise(column.cast(pl.String))
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    return column.cast(pl.String)
