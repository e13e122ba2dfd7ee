"""Read .xlsx workbooks with fastexcel, guarding against zip bombs and uncached formulas."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import fastexcel
import polars as pl

from pipelines.contract import ROW, Ambiguous, recognise
from pipelines.personal_data import PERSONNUMMER, candidates, holds_personal_data
from pipelines.report import ERROR, FileProblem, Finding, swedish_int
from pipelines.xlsx_parts import digit_formats, formatted_numbers, scan_parts, texts_of

# Far above any honest workbook of the contract's size limit, far below what would exhaust memory.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECKED_FROM = 10_000_000  # small parts (styles, shared strings of one word) pack tighter
MAX_MEMBERS = 10_000
INFLATE_CHUNK = 64 * 1024
LOCAL_HEADER_SIZE = 30
SHEET_CHUNK = 4 * 1024 * 1024
MAX_CELL_XML = 1024 * 1024
HEADER_SEARCH_ROWS = 20
EXCEL_DIGITS = 15  # Excel keeps and shows numbers to 15 significant digits
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
SHEET_TAG = re.compile(rb"<sheet\s[^>]*>")
RELATION = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)\d+')
RELATION_REVERSED = re.compile(rb'<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


@dataclass(frozen=True)
class SheetEntry:
    """A worksheet as the workbook lists it: real name, position and visibility."""

    name: str
    index: int
    hidden: bool


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


@dataclass
class Workbook:
    """Every sheet of a workbook, and what was found in its parts outside the loaded cells."""

    sheets: list[Sheet]
    findings: list[Finding]


def read_workbook(data: bytes) -> Workbook:
    """Read every sheet of a workbook; refuse bombs and formulas without a cached value; scan
    every part of it for personal data (pipelines/xlsx_parts.py).

    The archive is unpacked once as a stream, counting, before anything else reads it: fastexcel
    unpacks it again, and must never meet a bomb.
    """
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:  # each member has one central directory entry
        raise FileProblem("för stor", f"arbetsboken har fler än {swedish_int(MAX_MEMBERS)} delar och läses inte")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_bombs(data, archive)
            try:
                files = _sheet_files(archive)
            except KeyError:
                raise FileProblem("format", "arbetsboken saknar sin innehållsförteckning") from None
            outside, shown_numbers = _check_sheets(archive, files, digit_formats(archive))
            found = scan_parts(archive, set(files), outside) + _formatted_findings(shown_numbers)
            first_columns = {sheet.name: _first_column(archive, path) for path, sheet in files.items()}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, struct.error):
        # Python's own text may name a part of the archive, never a cell; still, none is passed on.
        raise FileProblem("format", "filen är ingen giltig xlsx-arbetsbok (zip-arkivet är skadat)") from None
    try:
        reader = fastexcel.read_excel(data)
    except Exception as error:  # fastexcel raises its own hierarchy for every corrupt workbook
        raise FileProblem("format", f"arbetsboken kunde inte läsas: {type(error).__name__}") from None
    sheets = [
        _read_sheet(reader, index, name, first_columns.get(name, 0)) for index, name in enumerate(reader.sheet_names)
    ]
    return Workbook(sheets, found)


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


def _refuse_bombs(data: bytes, archive: zipfile.ZipFile) -> None:
    """Unpack every member as a stream, counting what comes out, and refuse a zip bomb.

    The sizes an archive declares are not trusted: an archive can claim a few kilobytes for a
    member that unpacks to gigabytes. What is counted is what deflate really produces, chunk by
    chunk, thrown away as it comes; it stops as soon as a member outgrows its declared size, the
    budget of the whole workbook, or a ratio no spreadsheet reaches.
    """
    total = 0
    for member in archive.infolist():
        if member.flag_bits & 0x1:
            raise FileProblem("format", "arbetsboken är krypterad eller lösenordsskyddad och kan inte läsas")
        total += _unpacked_size(_packed_bytes(data, member), member, MAX_UNPACKED_BYTES - total)


def _packed_bytes(data: bytes, member: zipfile.ZipInfo) -> memoryview:
    """Return a member's compressed bytes, found from its local header."""
    start = member.header_offset
    header = data[start : start + LOCAL_HEADER_SIZE]
    if len(header) < LOCAL_HEADER_SIZE or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    begin = start + LOCAL_HEADER_SIZE + name_length + extra_length
    return memoryview(data)[begin : begin + member.compress_size]


def _unpacked_size(packed: memoryview, member: zipfile.ZipInfo, budget: int) -> int:
    """Inflate one member, counting its bytes without keeping them; refuse it past a limit."""
    if member.compress_type == zipfile.ZIP_STORED:
        _check_unpacked(len(packed), len(packed), member, budget)
        return len(packed)
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise FileProblem("format", "arbetsboken använder en komprimering som inte stöds (endast deflate)")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    for start in range(0, len(packed), INFLATE_CHUNK):
        pending = packed[start : start + INFLATE_CHUNK]
        while pending and not inflater.eof:
            size += len(inflater.decompress(pending, INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
            _check_unpacked(size, start + INFLATE_CHUNK, member, budget)
        if inflater.eof:
            break
    return size


def _check_unpacked(size: int, packed: int, member: zipfile.ZipInfo, budget: int) -> None:
    if size > member.file_size:
        raise FileProblem(
            "för stor",
            "arbetsboken är manipulerad: en del packas upp till mer än zip-arkivet uppger (zip-bomb?) och läses inte",
        )
    if size > budget or (size > RATIO_CHECKED_FROM and size > MAX_RATIO * packed):
        raise FileProblem("för stor", "arbetsboken packas upp till orimligt mycket data (zip-bomb?) och läses inte")


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, SheetEntry]:
    """Map each worksheet's XML path in the archive to its name and whether it is hidden."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = dict(RELATION.findall(rels))
    targets.update({rid: target for target, rid in RELATION_REVERSED.findall(rels)})
    files = {}
    for index, tag in enumerate(SHEET_TAG.findall(workbook)):
        name, rid, state = (_attribute(tag, attribute) for attribute in (b"name", b"r:id", b"state"))
        target = targets.get(rid.encode(), b"").decode()
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        files[path] = SheetEntry(name, index, state in ("hidden", "veryHidden"))
    return files


def _attribute(tag: bytes, name: bytes) -> str:
    found = re.search(rb"\s" + re.escape(name) + rb'="([^"]*)"', tag)
    return found.group(1).decode() if found else ""


def _check_sheets(
    archive: zipfile.ZipFile, files: dict[str, SheetEntry], formats: dict
) -> tuple[dict[str, list[str]], list[tuple[str, str, int, str]]]:
    """Refuse formulas without a cached value and cells holding an error value, on every sheet;
    collect each sheet's text outside its cells (headers, footers, hyperlinks) and the numbers
    shown through a digit format, for the personal-data scan.

    A hidden sheet is checked too: it is not loaded, but it is scanned for personal data, and a
    formula without a value could hide anything. The sheet is read in pieces that split no cell.
    """
    outside: dict[str, list[str]] = {}
    shown: list[tuple[str, str, int, str]] = []
    for path, entry in files.items():
        sheet = shown_sheet_name(entry.name, entry.index)
        texts = outside.setdefault(path, [])
        in_cells = False
        with archive.open(path) as handle:
            for piece in _whole_cells(handle, sheet):
                in_cells = _outside_cells(piece, in_cells, texts)
                if formats:
                    shown += [(sheet, *cell) for cell in formatted_numbers(piece, formats)]
                _refuse_bad_values(piece, sheet, entry.hidden)
    return outside, shown


def _outside_cells(piece: bytes, in_cells: bool, texts: list[str]) -> bool:
    """Add the text of a sheet's XML outside <sheetData> to texts; return whether the piece ends
    inside it."""
    if not in_cells:
        start = piece.find(b"<sheetData")
        if start < 0:
            texts += texts_of(piece)
            return False
        texts += texts_of(piece[:start])
        if piece.startswith(b"<sheetData/>", start):
            texts += texts_of(piece[start + len(b"<sheetData/>") :])
            return False
        piece, in_cells = piece[start:], True
    end = piece.find(b"</sheetData>")
    if end < 0:
        return True
    texts += texts_of(piece[end:])
    return False


def _formatted_findings(shown: list[tuple[str, str, int, str]]) -> list[Finding]:
    """A number cell that shows a personnummer through its format (000000-0000) is one."""
    found = candidates(pl.Series([text for *_, text in shown], dtype=pl.String))
    personal = set(found.filter(pl.col("what") == PERSONNUMMER)["value"])
    return [
        Finding(
            ERROR,
            "personuppgift",
            f"cellen {column}{row} är ett tal som med sitt talformat visas som ett personnummer; "
            "filen avvisas (värdet visas inte)",
            row=row,
            column=f"kolumn {column}",
            sheet=sheet,
        )
        for sheet, column, row, text in shown
        if text in personal
    ]


def _refuse_bad_values(piece: bytes, sheet: str, hidden_sheet: bool) -> None:
    """Refuse a formula without a cached value, or a cell holding an error value."""
    hidden = " (bladet är dolt men kontrolleras ändå)" if hidden_sheet else ""
    if b"<f" not in piece and b't="e"' not in piece:
        return
    for column, row, attributes, inner in CELL.findall(piece):
        cell = f"cell {column.decode()}{row.decode()}"
        if inner and b"<f" in inner and not re.search(rb"<v>[^<]", inner):
            raise FileProblem(
                "formel utan värde",
                f"{cell} har en formel utan beräknat värde; "
                f"öppna och spara arbetsboken i Excel så att värdena beräknas{hidden}",
                sheet=sheet,
                row=int(row),
            )
        if b't="e"' in attributes:
            raise FileProblem(
                "felvärde",
                f"{cell} innehåller ett felvärde (som #DIV/0! eller #N/A){hidden}",
                sheet=sheet,
                row=int(row),
            )


def _whole_cells(handle, sheet: str) -> Iterator[bytes]:
    """Yield a sheet's XML in pieces of a few megabytes, each ending before a cell starts.

    What follows the last cell start of a piece is carried over to the next; a cell that
    outgrows MAX_CELL_XML is refused (Excel holds at most 32 767 characters in a cell).
    """
    carry = b""
    while chunk := handle.read(SHEET_CHUNK):
        buffer = carry + chunk
        cut = max(buffer.rfind(b"<c "), 0)
        yield buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_CELL_XML:
            end = _cell_end(carry)
            if end < 0:
                raise FileProblem(
                    "för stor",
                    f"en cell är orimligt stor (mer än {MAX_CELL_XML // (1024 * 1024)} MB; "
                    "Excel rymmer högst 32 767 tecken i en cell); arbetsboken läses inte",
                    sheet=sheet,
                )
            yield carry[:end]
            carry = carry[end:][-2:]  # no cell starts after it, unless split as "<c" + " r=..."
    yield carry


def _cell_end(xml: bytes) -> int:
    """Return where the cell starting xml ends, -1 if it does not end there; non-cells end at 0."""
    if not xml.startswith(b"<c "):
        return 0
    start_tag_end = xml.find(b">")
    if start_tag_end < 0:
        return -1
    if xml[start_tag_end - 1 : start_tag_end] == b"/":
        return start_tag_end + 1
    end = xml.find(b"</c>", start_tag_end)
    return -1 if end < 0 else end + len(b"</c>")


def _read_sheet(reader: fastexcel.ExcelReader, index: int, name: str, first_column: int) -> Sheet:
    loaded = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
    text = pl.DataFrame(loaded.to_arrow())
    hidden = loaded.visible != "visible"
    header_row = _find_header(text)
    shown = shown_sheet_name(name, index)
    personal = shown != name
    if header_row is None:
        return Sheet(shown, hidden, header_row, [], pl.DataFrame(), text, first_column, personal)
    headers = ["" if v is None else str(v) for v in text.row(header_row)]
    if hidden:  # not loaded: its headers only say what it holds
        return Sheet(shown, hidden, header_row, headers, pl.DataFrame(), text, first_column, personal)
    typed = reader.load_sheet(index, header_row=header_row, skip_rows=0, schema_sample_rows=None)
    frame = pl.DataFrame(typed.to_arrow())
    frame = frame.select(
        _as_text(pl.col(c), dtype).alias(f"c{i}") for i, (c, dtype) in enumerate(frame.schema.items())
    ).with_row_index(ROW, offset=header_row + 2)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    return Sheet(shown, hidden, header_row, headers, frame, text, first_column, personal)


def _find_header(text: pl.DataFrame) -> int | None:
    for index, row in enumerate(text.head(HEADER_SEARCH_ROWS).iter_rows()):
        try:
            if recognise(["" if v is None else str(v) for v in row]) is not None:
                return index
        except Ambiguous:
            return index  # a header row, of two kinds: reading it says so
    return None


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Render a typed Excel column as the text a CSV of the same cells would hold.

    A number is written as Excel shows it, to 15 significant digits: an amount computed by a
    formula is stored as 300.29999999999995 and shown as 300,30, and that is what the cell says.
    Nothing else is rounded: a number with more than öre precision, or a date with a time of day,
    reaches validation as such and is reported there.
    """
    if dtype.is_float():
        shown = column.round_sig_figs(EXCEL_DIGITS)
        whole = shown.cast(pl.Int64, strict=False)
        return pl.when(whole == shown).then(whole.cast(pl.String)).otherwise(shown.cast(pl.String))
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    return _number_cells_as_written(column.cast(pl.String)).str.normalize("NFC")  # text saved on a Mac


def _number_cells_as_written(text: pl.Expr) -> pl.Expr:
    """Undo fastexcel's rendering of number cells in a column that also holds text.

    There a number cell of 123456789.01 arrives as "123456789.010000005": 18 significant digits,
    more than a double holds. A decimal of over 15 significant digits is written back as the
    shortest text that gives the same double, which is what the cell holds ("123456789.01").
    Text a person typed never has that many digits in an amount, and integers (org numbers,
    case numbers) are left alone.
    """
    digits = text.str.replace_all(r"^-?0*|\.", "").str.len_chars()
    noisy = text.str.contains(r"^-?[0-9]+\.[0-9]+$") & (digits > EXCEL_DIGITS)
    shortest = text.cast(pl.Float64, strict=False).round_sig_figs(EXCEL_DIGITS).cast(pl.String)
    return pl.when(noisy).then(shortest.str.replace(r"\.0$", "")).otherwise(text)
