"""Read agency files (CSV or XLSX) into text frames whose rows know their place in the file.

Every cell stays text here; typing is validation's job, so that a bad cell is reported with its
row and column instead of being silently turned into null.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contract import GUIDE, LISTS, ROW, Ambiguous, Recognised, known_headers, recognise
from pipelines.personal_data import excel_letter, redact_headers
from pipelines.report import (
    ERROR,
    KEPT_PER_COLUMN_AND_RULE,
    WARNING,
    FileProblem,
    Finding,
    Findings,
    listed,
    shortened,
    swedish_int,
)
from pipelines.xlsx import Sheet, read_workbook

# UTF-8 text wrongly decoded as Windows-1252: Ã followed by the second byte of å, ä, ö, é ...
MOJIBAKE = re.compile("Ã[\u00a0-\u00bf\u2013-\u203a\u0152-\u0178]|Â[\u00a0-\u00bf]")
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The bytes of UTF-8 text below U+0300: ASCII, continuation bytes, and the lead bytes C2-CB of
# U+0080-U+02FF. None of those characters is changed by NFC or composes with another (the
# combining marks begin at U+0300, lead byte CC); tests/test_read_and_parse.py checks it.
BELOW_COMBINING_MARKS = bytes(range(0xC0)) + bytes(range(0xC2, 0xCC))
# No honest header row comes near this; the first line is searched no further.
MAX_HEADER_BYTES = 64 * 1024
NAMED_UNKNOWN_COLUMNS = 20
NOT_CONTROL = bytes(
    sorted(
        set(range(256))
        - set(
            b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
            b"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
        )
    )
)
# The characters beyond ASCII that Swedish text in Windows-1252 holds: letters of Swedish and its
# neighbours, the no-break space of thousands, and Excel's typographic punctuation.
SWEDISH_1252 = bytes(range(128)) + (
    "ÅÄÖåäöÉéÈèÊêËëÀàÁáÂâÃãÆæØøÇçÍíÌìÎîÏïÑñÓóÒòÔôÕõÚúÙùÛûÜüÝýß\u00a0§°–—‘’‚“”„…•´€«»×"
).encode("cp1252")
UNLIKELY_1252 = re.compile(b"[" + re.escape(bytes(sorted(set(range(128, 256)) - set(SWEDISH_1252)))) + b"]")
WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big endian)"),
    (b"\xff\xfe", "UTF-16 (little endian)"),
    (b"\xfe\xff", "UTF-16 (big endian)"),
)
# Which of every four bytes are zero in Swedish text without a BOM.
WIDE_ZEROS = (
    ((False, True, True, True), "UTF-32 (little endian)"),
    ((True, True, True, False), "UTF-32 (big endian)"),
    ((False, True, False, True), "UTF-16 (little endian)"),
    ((True, False, True, False), "UTF-16 (big endian)"),
)


@dataclass
class RawTable:
    """One table of a file (a CSV, or one sheet): text columns by canonical name, plus _row."""

    source: str
    sheet: str | None
    recognised: Recognised
    headers: list[str]
    frame: pl.DataFrame
    findings: list[Finding] = field(default_factory=list)

    first_column: int = 0
    records: int = 0  # rows read, blank ones included (a CSV's; a sheet's are not counted)

    def header_of(self, name: str) -> str:
        """Return the header the file uses for a canonical or extra column (its letter if blank)."""
        if name.startswith("extra_"):
            position = int(name.removeprefix("extra_"))
        else:
            position = next(p for p, n in self.recognised.positions.items() if n == name)
        return shortened(self.headers[position].strip()) or f"kolumn {excel_letter(self.first_column + position)}"


@dataclass
class ReadResult:
    """What reading a file gave: its tables, and text seen outside them (to scan, never load)."""

    tables: list[RawTable]
    findings: Findings
    unloaded_text: list[tuple[str | None, pl.DataFrame, int]] = field(default_factory=list)


def read_file(path: Path, data: bytes) -> ReadResult:
    """Read one file's bytes into raw tables; whole-file problems become a single finding."""
    findings = Findings()
    try:
        if data[:4] == b"PK\x03\x04":
            return _from_workbook(path, data, findings)
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raise FileProblem("format", "filen är inte en xlsx-arbetsbok (endast .xlsx stöds)")
        table = read_csv_table(path.name, data)
    except FileProblem as problem:
        findings.extend(problem.findings)
        return ReadResult([], findings)
    findings.extend(table.findings)
    return ReadResult([table], findings)


def decode(data: bytes, part: FilePart | None = None) -> bytes:
    """Return a file's text as UTF-8 bytes: it was UTF-8 (with or without BOM) or Windows-1252.

    Anything else is refused, never read with replacement characters. A problem is located by
    its line in the file: a file that cannot be decoded cannot be split into rows yet. `part`
    says where a part of a file read in parts starts, and what the whole file's bytes showed.
    """
    part = part or FilePart()
    if part.first_line == 1 and (not data or data.isspace()):  # a later part may be blank lines
        raise FileProblem("tom fil", "filen är tom")
    if wide := _wide_encoding(data):
        raise FileProblem(
            "teckenkodning",
            f"filen är kodad som {wide}, inte UTF-8 eller Windows-1252; "
            "spara den som CSV UTF-8 eller CSV (semikolonavgränsad)",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if not data or data.isspace():
            raise FileProblem("tom fil", "filen är tom (den har bara en BOM)")
    data = one_line_break(data)
    if data.translate(None, NOT_CONTROL):  # any control byte left: the same in both encodings
        _refuse_control_byte(data, part.first_line)
    line = part.bad_utf8_line
    if line is None:
        if is_utf8(data):  # (checked again in a part: the file may have changed since its survey)
            return _composed(data)
        line = _line_at(data, first_bad_utf8(data), part.first_line)
    elif data.isascii():
        return data  # the same text in both encodings
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as bad:
        raise FileProblem(
            "teckenkodning",
            f"filen är varken UTF-8 eller Windows-1252 (byte 0x{data[bad.start]:02X} på rad "
            f"{_line_at(data, bad.start, part.first_line)} finns inte i Windows-1252); spara den som CSV UTF-8",
        ) from None
    if found := MOJIBAKE.search(text):
        raise FileProblem(
            "teckenkodning",
            "filen blandar UTF-8 och Windows-1252 (första ogiltiga UTF-8-byte på rad "
            f"{line}, UTF-8-tecken på rad {text[: found.start()].count(chr(10)) + part.first_line})",
        )
    if data.translate(None, SWEDISH_1252):
        _refuse_unlikely_8bit(data, part.first_line)
    return _composed(text.encode("utf-8"), text)


def is_utf8(data: bytes) -> bool:
    """Whether bytes are valid UTF-8, checked by Polars (SIMD, some GB a second), not decoded."""
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String, strict=True)
    except pl.exceptions.ComputeError:  # Polars says: invalid utf8
        return False
    return True


def first_bad_utf8(data: bytes) -> int:
    """The position of the first byte of data that is not UTF-8 (data is known not to be)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return bad.start
    raise ValueError("the bytes are UTF-8")


def one_line_break(data: bytes) -> bytes:
    """Make every line end in LF: Windows' CR LF, the old Mac's lone CR, and files that mix them."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _composed(utf8: bytes, text: str | None = None) -> bytes:
    """Return UTF-8 text in composed form (NFC): a Mac saves å as a + ring, which would match no
    sector, measure or header. `text`, the same text decoded, if the caller has it.

    Text whose characters all lie below U+0300 (ASCII, Latin-1 and the Latin extensions: all of
    Swedish) is composed already, and no two of them compose: such text, told by its bytes alone,
    is neither decoded nor checked character by character.
    """
    if not utf8.translate(None, BELOW_COMBINING_MARKS):
        return utf8
    text = utf8.decode("utf-8") if text is None else text
    if unicodedata.is_normalized("NFC", text):
        return utf8
    return unicodedata.normalize("NFC", text).encode("utf-8")


@dataclass(frozen=True)
class FilePart:
    """Where a part of a CSV file read in parts starts, and whether the whole file is UTF-8.

    A part is decoded as the whole file would be: a part that is valid UTF-8 by itself is still
    read as Windows-1252 when another part of the file is not UTF-8 (`bad_utf8_line` names the
    line of the file's first byte that is not).
    """

    first_line: int = 1
    bad_utf8_line: int | None = None


def _line_at(data: bytes, position: int, first_line: int = 1) -> int:
    return line_breaks(data, 0, position) + first_line


def line_breaks(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Count the line breaks in data[start:end]: LF, CR LF and a lone CR each end a line."""
    end = len(data) if end is None else end
    breaks = data.count(b"\n", start, end)
    if data.find(b"\r", start, end) < 0:  # most files: a CR is looked for once, not counted twice
        return breaks
    return breaks + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _wide_encoding(data: bytes) -> str | None:
    """Name the UTF-16 or UTF-32 form a file is in, from its BOM or where its zero bytes fall.

    Swedish text in UTF-16 has a zero in every other byte (å is E5 00), in UTF-32 in three of
    four; the zeros fall on the same positions throughout, which no other file shows.
    """
    for bom, name in WIDE_BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if len(head) < 8:
        return None
    zeros = [head[i::4].count(0) / len(head[i::4]) for i in range(4)]
    for pattern, name in WIDE_ZEROS:
        if all((share > 0.8) if zero else (share < 0.3) for share, zero in zip(zeros, pattern, strict=True)):
            return name
    return None


def _refuse_control_byte(data: bytes, first_line: int = 1) -> None:
    """Refuse a file with a control character, naming the byte and its line."""
    found = CONTROL.search(data)
    byte, line = found.group()[0], _line_at(data, found.start(), first_line)
    if byte == 0:
        raise FileProblem(
            "teckenkodning",
            f"filen innehåller nolltecken (byte 0x00) på rad {line}; den är ingen textfil i UTF-8 eller "
            "Windows-1252 (UTF-16, UTF-32 eller en binär fil?)",
        )
    raise FileProblem(
        "teckenkodning", f"filen innehåller styrtecken (byte 0x{byte:02X}) på rad {line}; är det en textfil?"
    )


def _refuse_unlikely_8bit(data: bytes, first_line: int = 1) -> None:
    """Refuse a Windows-1252 reading that gives characters Swedish text does not hold.

    ISO-8859-15, ISO-8859-2 and Mac Roman use the same bytes for other letters (Mac Roman's ö is
    Windows-1252's š); read as Windows-1252 such a file would load with wrong letters.
    """
    found = UNLIKELY_1252.search(data)
    byte = found.group()
    raise FileProblem(
        "teckenkodning",
        f"byte 0x{byte[0]:02X} på rad {_line_at(data, found.start(), first_line)} blir '{byte.decode('cp1252')}' i "
        "Windows-1252, ett tecken som inte väntas i svensk text: filen är troligen sparad i en annan "
        "teckenkodning (ISO-8859-15, ISO-8859-2, Mac Roman ...); spara den som CSV UTF-8",
    )


@dataclass(frozen=True)
class CsvHeader:
    """A CSV file's header line, read once: what every later part of a file read in parts needs."""

    line: bytes  # as UTF-8, without its line break
    separator: str
    headers: list[str]
    recognised: Recognised


def read_csv_table(source: str, data: bytes) -> RawTable:
    """Read a CSV file's bytes as text columns, checking the field count of every record."""
    utf8 = decode(data)
    header = csv_header(utf8)
    return read_csv_records(source, header, utf8)


def csv_header(utf8: bytes) -> CsvHeader:
    """Read and recognise the header line of a decoded CSV file."""
    first_line = _header_line(utf8)
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    headers = next(csv.reader(io.StringIO(first_line.rstrip("\r")), delimiter=separator), [])
    headers, header_findings = redact_headers(headers, 1, None, first_column=0)
    if header_findings:
        raise FileProblem.of(header_findings)
    return CsvHeader(first_line.encode(), separator, headers, _recognise_or_fail(headers, None))


def read_csv_records(source: str, header: CsvHeader, utf8: bytes, first_row: int = 2) -> RawTable:
    """Read the records of decoded CSV text that starts with the header line; the first record is
    row `first_row` of the file (a part of a file read in parts starts further down)."""
    separator, headers = header.separator, header.headers
    names = [f"c{i}" for i in range(len(headers))]
    try:
        frame = _read_text_columns(utf8, separator, names, truncate_long_rows=False)
        long_rows = False
    except pl.exceptions.ComputeError:
        frame, long_rows = _read_text_columns(utf8, separator, names, truncate_long_rows=True), True
    frame = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    findings = []
    if long_rows or not _every_record_complete(utf8, separator, len(headers), frame.height):
        findings = _ragged_records(utf8, separator, len(headers), frame.height, first_row)
    if long_rows and not findings:  # Polars cut a row that the count could not find: never load it
        raise FileProblem(
            "csv-format", "en rad har fler fält än rubrikraden men kunde inte pekas ut; kontrollera citattecknen"
        )
    table = _as_raw_table(source, None, headers, header.recognised, frame, names)
    table.findings[:0] = findings
    table.records = frame.height
    return table


def _header_line(utf8: bytes) -> str:
    """Return the first record, which holds the headers (a quoted header may hold a line break);
    refuse one no honest header row needs."""
    end = _first_record_end(utf8[: MAX_HEADER_BYTES + 1])
    if end < 0 and len(utf8) > MAX_HEADER_BYTES:
        raise FileProblem(
            "rubrikrad",
            f"rubrikraden är längre än {MAX_HEADER_BYTES // 1024} kB och läses inte; "
            "är det en CSV-fil med rubriker på första raden?",
            row=1,
        )
    return utf8[: None if end < 0 else end].decode("utf-8")


def _first_record_end(head: bytes) -> int:
    """Where the first record ends: the first line break outside quotes (-1 when none)."""
    start = 0
    while (end := head.find(b"\n", start)) >= 0:
        if head.count(b'"', 0, end) % 2 == 0:
            return end
        start = end + 1
    return -1


def _read_text_columns(utf8: bytes, separator: str, names: list[str], truncate_long_rows: bool) -> pl.DataFrame:
    try:
        return pl.read_csv(
            utf8,
            separator=separator,
            has_header=True,
            new_columns=names,
            infer_schema=False,
            raise_if_empty=False,
            truncate_ragged_lines=truncate_long_rows,  # long records are then found line by line
        )
    except pl.exceptions.ComputeError as error:
        if not truncate_long_rows and "more fields" in str(error):
            raise
        # Polars' own text may quote a cell, so it is not passed on.
        raise FileProblem("csv-format", "filen kunde inte läsas som CSV (obalanserade citattecken?)") from None


def _every_record_complete(utf8: bytes, separator: str, expected: int, records: int) -> bool:
    """Prove cheaply that no record is short, given that none is long (the strict read passed).

    Without quotes, one line is one record; if the lines hold exactly as many separators as
    complete records would, and none holds more, then none holds fewer.
    """
    if b'"' in utf8:
        return False
    lines = utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)
    return lines == records + 1 and utf8.count(separator.encode()) == lines * (expected - 1)


def _ragged_records(text: bytes, separator: str, expected: int, records: int, first_row: int = 2) -> list[Finding]:
    """Report the records whose field count differs from the header's: the first ones listed,
    the rest counted."""
    # The header comes first, then the records from row first_row on.
    fields = _fields_per_record(text, separator).with_row_index(ROW, offset=first_row - 1)
    ragged = fields.filter((pl.col(ROW) >= first_row) & (pl.col("fields") != expected) & ~pl.col("blank"))
    counted, total, first = pl.collect_all(
        [fields.select(pl.len()), ragged.select(pl.len()), ragged.head(KEPT_PER_COLUMN_AND_RULE)],
        engine="streaming",  # the lines themselves are never all in memory at once
    )
    if counted.item() - 1 != records:
        raise FileProblem("csv-format", "raderna kunde inte räknas säkert (obalanserade citattecken?)")
    hint = " (decimalkomma i en kommaseparerad fil?)" if separator == "," else ""
    found = [
        Finding(ERROR, "antal fält", f"raden har {count} fält men rubrikraden har {expected}{hint}", row=row)
        for row, count in first.select(ROW, "fields").iter_rows()
    ]
    return listed(found, total.item())


def _fields_per_record(text: bytes, separator: str) -> pl.LazyFrame:
    """Count the fields of every record (the header's first), and tell the blank ones, lazily.

    Lines are read as they are, then joined into records where a quoted field runs over a line
    break: a line ends inside quotes when the quotes up to its end are odd in number. Separators
    inside a quoted field do not count; as for Polars, a field is quoted only when its first
    character is a quote (`Verket "A;B"` is two fields). All of it is vectorised and streamed, so
    a file of millions of lines takes seconds and never holds all its lines at once.
    """
    # One column per line: control characters (\x1f among them) were refused by decode().
    lines = pl.scan_csv(
        text,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
        raise_if_empty=False,
    )
    line = pl.col("line").fill_null("")
    blank = line.str.contains(r"^[\r ]*$")
    if b'"' not in text:
        return lines.select((line.str.count_matches(separator, literal=True) + 1).alias("fields"), blank.alias("blank"))
    open_after = line.str.count_matches('"', literal=True).cum_sum() % 2 == 1
    open_before = open_after.shift(1, fill_value=False)
    closed = pl.when(open_before).then(pl.lit('"') + line).otherwise(line)
    closed = pl.when(open_after).then(closed + pl.lit('"')).otherwise(closed)
    return (
        lines.select(
            (~open_before).cum_sum().alias("record"),
            closed.str.replace_all(f'(^|{separator})"(?:[^"]|"")*"', "$1")
            .str.count_matches(separator, literal=True)
            .alias("separators"),
            blank.alias("blank"),
        )
        .group_by("record", maintain_order=True)
        .agg((pl.col("separators").sum() + 1).alias("fields"), pl.col("blank").all())
        .drop("record")
    )


def _recognise_or_fail(headers: list[str], sheet: str | None) -> Recognised:
    """Recognise a header row or refuse the file, saying why.

    An unrecognised first row may be data (a file without headers), so only the headers the
    contract knows are named; no other text of it is repeated.
    """
    where = {"sheet": sheet, "row": 1 if sheet is None else None}
    try:
        recognised = recognise(headers)
    except Ambiguous as both:
        raise FileProblem(
            "tvetydig rubrikrad",
            f"rubrikraden har kolumner för både {both}; en fil (eller ett blad) ska innehålla en sorts "
            "uppgifter: dela upp den",
            **where,
        ) from None
    if recognised is None:
        known = [f"'{shortened(h.strip())}'" for h in known_headers(headers)][:12]
        found = f"; av {swedish_int(len(headers))} kolumner känns {', '.join(known)} igen" if known else ""
        raise FileProblem(
            "okänd filtyp",
            "rubrikraden passar ingen filtyp (myndigheter, medel eller ansökningar)"
            f"{found}. Första raden ska vara rubrikraden, med kolumnernas namn enligt datakontraktet",
            **where,
        )
    return recognised


def _as_raw_table(
    source: str,
    sheet: str | None,
    headers: list[str],
    recognised: Recognised,
    frame: pl.DataFrame,
    names: list[str],
    first_column: int = 0,
    header_row: int = 1,
) -> RawTable:
    """Name columns canonically, drop blank rows and note header problems."""
    findings: list[Finding] = []
    first_position = {}
    for position, name in sorted(recognised.positions.items()):
        first_position.setdefault(name, position)
    renames = {}
    for position, raw_name in enumerate(names):
        name = recognised.positions.get(position)
        renames[raw_name] = name if first_position.get(name) == position else f"extra_{position}"
    frame = frame.rename(renames)
    for name, positions in recognised.duplicates.items():
        shown = ", ".join(f"'{shortened(headers[p])}' (kolumn {excel_letter(first_column + p)})" for p in positions)
        findings.append(
            Finding(
                ERROR,
                "dubbel kolumn",
                f"kolumnen '{recognised.kind.label_of(name)}' finns flera gånger: {shown}",
                row=header_row,
                sheet=sheet,
            )
        )
    for column in recognised.missing:
        findings.append(
            Finding(
                ERROR,
                "kolumn saknas",
                f"kolumnen '{column.label}' ({column.name}) saknas",
                sheet=sheet,
            )
        )
    findings += _unknown_columns(headers, recognised, frame, sheet, first_column)
    cells = [c for c in frame.columns if c != ROW]

    def empty(name: str) -> pl.Expr:
        return pl.col(name).is_null() | pl.col(name).str.contains(r"^\s*$")

    # A blank row is empty in its first column too: the rest are looked at only when one is.
    if not cells or frame.select(empty(cells[0]).any()).item():
        blank = frame.select(pl.all_horizontal(empty(c) for c in cells)).to_series()
        if blank.any():  # a copy of a million-row frame only when there is something to drop
            frame = frame.filter(~blank)
    table = RawTable(source, sheet, recognised, headers, frame, findings)
    table.first_column = first_column
    return table


def _unknown_columns(
    headers: list[str], recognised: Recognised, frame: pl.DataFrame, sheet: str | None, first_column: int
) -> list[Finding]:
    """Warn of each column outside the contract that holds something; past a few, count them."""
    extras = [f"extra_{p}" for p in recognised.extra]
    filled = frame.select(pl.col(extras).count()).row(0) if extras else ()  # one pass for a wide file
    used = [p for p, cells in zip(recognised.extra, filled, strict=True) if headers[p].strip() or cells]
    findings = [
        Finding(
            WARNING,
            "okänd kolumn",
            "kolumnen ingår inte i avtalet och läses inte in",
            column=shortened(headers[p]) or f"kolumn {excel_letter(first_column + p)}",
            sheet=sheet,
        )
        for p in used[:NAMED_UNKNOWN_COLUMNS]
    ]
    if len(used) > NAMED_UNKNOWN_COLUMNS:
        findings.append(
            Finding(
                WARNING,
                "okänd kolumn",
                f"ytterligare {swedish_int(len(used) - NAMED_UNKNOWN_COLUMNS)} kolumner ingår inte i avtalet "
                "och läses inte in",
                sheet=sheet,
            )
        )
    return findings


def _from_workbook(path: Path, data: bytes, findings: Findings) -> ReadResult:
    tables: list[RawTable] = []
    unloaded: list[tuple[str | None, pl.DataFrame, int]] = []
    kinds_seen: dict[str, str] = {}
    hidden_kinds: list[str] = []
    workbook = read_workbook(data)
    findings.extend(workbook.findings)
    for sheet in workbook.sheets:
        if sheet.name_is_personal:
            findings.add(
                Finding(
                    ERROR, "personuppgift", "bladets namn innehåller en personuppgift (visas inte)", sheet=sheet.name
                )
            )
        if sheet.hidden or sheet.header_row is None:
            if sheet.hidden or sheet.name not in (GUIDE, LISTS):  # the template's own sheets: no warning
                findings.add(_ignored_sheet(sheet))
            if sheet.hidden and sheet.header_row is not None:
                hidden_kinds.append(sheet.name)
            unloaded.append((sheet.name, sheet.text, sheet.first_column))
            continue
        unloaded.append((sheet.name, sheet.text.head(sheet.header_row), sheet.first_column))  # rows above
        headers, header_findings = redact_headers(sheet.headers, sheet.header_row + 1, sheet.name, sheet.first_column)
        findings.extend(header_findings)
        recognised = _recognise_or_fail(headers, sheet.name)
        if recognised.kind.name in kinds_seen:
            raise FileProblem(
                "flera blad",
                f"arbetsboken har {recognised.kind.label} på flera blad ('{kinds_seen[recognised.kind.name]}' och "
                f"'{sheet.name}'); samla dem på ett blad eller skicka dem som separata filer",
            )
        kinds_seen[recognised.kind.name] = sheet.name
        names = [f"c{i}" for i in range(len(headers))]
        table = _as_raw_table(
            path.name, sheet.name, headers, recognised, sheet.frame, names, sheet.first_column, sheet.header_row + 1
        )
        findings.extend(table.findings)
        tables.append(table)
    if not tables:
        hidden = f" (dolda blad läses inte: {', '.join(repr(name) for name in hidden_kinds)})" if hidden_kinds else ""
        findings.add(
            Finding(ERROR, "okänd filtyp", f"arbetsboken har inget synligt blad med en känd rubrikrad{hidden}")
        )
    return ReadResult(tables, findings, unloaded)


def _ignored_sheet(sheet: Sheet) -> Finding:
    """Warn of a sheet that is not loaded, saying why; a hidden sheet is still scanned for personal data.

    A hidden sheet is never loaded, even when it holds a kind of the contract: what a person does
    not see in Excel should not reach the database unnoticed. Showing the sheet loads it.
    """
    if not sheet.hidden:
        return Finding(WARNING, "blad ignoreras", "bladet har ingen känd rubrikrad och läses inte in", sheet=sheet.name)
    try:
        recognised = recognise(sheet.headers) if sheet.header_row is not None else None
    except Ambiguous:
        recognised = None
    holds = f", fast det har rubriker för {recognised.kind.label}" if recognised else ""
    return Finding(
        WARNING,
        "blad ignoreras",
        f"bladet är dolt och läses inte in{holds}; visa bladet i Excel och skicka filen igen om det ska läsas in "
        "(dolda blad genomsöks ändå efter personuppgifter)",
        sheet=sheet.name,
    )
