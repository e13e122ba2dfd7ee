"""Read agency files (CSV or XLSX) into text frames whose rows know their place in the file.

Every cell stays text here; typing is validation's job, so that a bad cell is reported with its
row and column instead of being silently turned into null.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contract import ROW, Recognised, recognise
from pipelines.personal_data import excel_letter, redact_headers
from pipelines.report import ERROR, WARNING, FileProblem, Finding, Findings
from pipelines.xlsx import read_workbook

# UTF-8 text wrongly decoded as Windows-1252: Ã followed by the second byte of å, ä, ö, é ...
MOJIBAKE = re.compile("Ã[\u00a0-\u00bf\u2013-\u203a\u0152-\u0178]|Â[\u00a0-\u00bf]")
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
QUOTED = re.compile(rb'"(?:[^"]|"")*"')
NOT_CONTROL = bytes(
    sorted(
        set(range(256))
        - set(
            b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
            b"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
        )
    )
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

    def header_of(self, name: str) -> str:
        """Return the header the file uses for a canonical or extra column (its letter if blank)."""
        if name.startswith("extra_"):
            position = int(name.removeprefix("extra_"))
        else:
            position = next(p for p, n in self.recognised.positions.items() if n == name)
        return self.headers[position].strip() or f"kolumn {excel_letter(self.first_column + position)}"


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


def decode(data: bytes) -> bytes:
    """Return a file's text as UTF-8 bytes: it was UTF-8 (with or without BOM) or Windows-1252.

    Anything else is refused, never read with replacement characters.
    """
    if not data or data.isspace():
        raise FileProblem("tom fil", "filen är tom")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise FileProblem(
            "teckenkodning",
            "filen är UTF-16-kodad eller ingen textfil; spara den som CSV UTF-8 eller CSV (semikolonavgränsad)",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if not data or data.isspace():
            raise FileProblem("tom fil", "filen är tom")
    if data.translate(None, NOT_CONTROL):  # any control byte left: the same in both encodings
        line = data[: CONTROL.search(data).start()].count(b"\n") + 1
        raise FileProblem("teckenkodning", f"filen innehåller styrtecken på rad {line}; är det en textfil?")
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError as bad_utf8:
        line = data[: bad_utf8.start].count(b"\n") + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as bad:
        bad_line = data[: bad.start].count(b"\n") + 1
        raise FileProblem(
            "teckenkodning", f"filen är varken UTF-8 eller Windows-1252 (ogiltig byte på rad {bad_line})"
        ) from None
    if found := MOJIBAKE.search(text):
        raise FileProblem(
            "teckenkodning",
            "filen blandar UTF-8 och Windows-1252 (första ogiltiga UTF-8-byte på rad "
            f"{line}, UTF-8-tecken på rad {text[: found.start()].count(chr(10)) + 1})",
        )
    return text.encode("utf-8")


def read_csv_table(source: str, data: bytes) -> RawTable:
    """Read a CSV file's bytes as text columns, checking the field count of every record."""
    utf8 = decode(data)
    first_line = utf8[:65536].split(b"\n", 1)[0].decode("utf-8", errors="ignore")
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    headers = next(csv.reader(io.StringIO(first_line.rstrip("\r")), delimiter=separator), [])
    headers, header_findings = redact_headers(headers, 1, None)
    if header_findings:
        raise FileProblem.of(header_findings)
    recognised = _recognise_or_fail(headers, None)
    names = [f"c{i}" for i in range(len(headers))]
    try:
        frame = _read_text_columns(utf8, separator, names, truncate_long_rows=False)
        long_rows = False
    except pl.exceptions.ComputeError:
        frame, long_rows = _read_text_columns(utf8, separator, names, truncate_long_rows=True), True
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    findings = []
    if long_rows or not _every_record_complete(utf8, separator, len(headers), frame.height):
        findings = _ragged_records(utf8, separator, len(headers), frame.height)
    table = _as_raw_table(source, None, headers, recognised, frame, names)
    table.findings[:0] = findings
    return table


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


def _ragged_records(text: bytes, separator: str, expected: int, records: int) -> list[Finding]:
    """Report every record whose field count differs from the header's."""
    if b'"' in text:
        text = QUOTED.sub(b'""', text)
    # One column per line: control characters (\x1f among them) were refused by decode().
    lines = pl.read_csv(
        text,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
        raise_if_empty=False,
    )
    if lines.height - 1 != records:
        raise FileProblem("csv-format", "raderna kunde inte räknas säkert (obalanserade citattecken?)")
    line = pl.col("line").fill_null("")
    frame = (
        lines.slice(1)
        .select(
            (line.str.count_matches(separator, literal=True) + 1).alias("fields"),
            (line.str.strip_chars("\r ").str.len_chars() == 0).alias("blank"),
        )
        .with_row_index(ROW, offset=2)
    )
    ragged = frame.filter((pl.col("fields") != expected) & ~pl.col("blank"))
    return [
        Finding(
            ERROR,
            "antal fält",
            f"raden har {fields} fält men rubrikraden har {expected}"
            + (" (decimalkomma i en kommaseparerad fil?)" if separator == "," else ""),
            row=row,
        )
        for row, fields in ragged.select(ROW, "fields").iter_rows()
    ]


def _recognise_or_fail(headers: list[str], sheet: str | None) -> Recognised:
    recognised = recognise(headers)
    if recognised is None:
        shown = ", ".join(f"'{h}'" for h in headers[:12])
        raise FileProblem(
            "okänd filtyp",
            f"rubrikraden passar ingen filtyp (myndigheter, medel eller ansökningar); rubriker: {shown}",
            sheet=sheet,
            row=1 if sheet is None else None,
        )
    return recognised


def _as_raw_table(
    source: str,
    sheet: str | None,
    headers: list[str],
    recognised: Recognised,
    frame: pl.DataFrame,
    names: list[str],
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
        shown = ", ".join(f"'{headers[p]}'" for p in positions)
        findings.append(
            Finding(
                ERROR,
                "dubbel kolumn",
                f"kolumnen '{recognised.kind.label_of(name)}' finns flera gånger: {shown}",
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
    for position in recognised.extra:
        if headers[position].strip() or frame[f"extra_{position}"].drop_nulls().len():
            findings.append(
                Finding(
                    WARNING,
                    "okänd kolumn",
                    "kolumnen ingår inte i avtalet och läses inte in",
                    column=headers[position] or f"kolumn {position + 1}",
                    sheet=sheet,
                )
            )
    cells = [c for c in frame.columns if c != ROW]
    blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells)
    frame = frame.filter(~blank)
    return RawTable(source, sheet, recognised, headers, frame, findings)


def _from_workbook(path: Path, data: bytes, findings: Findings) -> ReadResult:
    tables: list[RawTable] = []
    unloaded: list[tuple[str | None, pl.DataFrame, int]] = []
    kinds_seen: dict[str, str] = {}
    for sheet in read_workbook(data):
        if sheet.name_is_personal:
            findings.add(
                Finding(
                    ERROR, "personuppgift", "bladets namn innehåller en personuppgift (visas inte)", sheet=sheet.name
                )
            )
        if sheet.hidden or sheet.header_row is None:
            reason = "är dolt" if sheet.hidden else "har ingen känd rubrikrad"
            findings.add(Finding(WARNING, "blad ignoreras", f"bladet {reason} och läses inte in", sheet=sheet.name))
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
        table = _as_raw_table(path.name, sheet.name, headers, recognised, sheet.frame, names)
        table.first_column = sheet.first_column
        findings.extend(table.findings)
        tables.append(table)
    if not tables:
        findings.add(Finding(ERROR, "okänd filtyp", "arbetsboken har inget blad med en känd rubrikrad"))
    return ReadResult(tables, findings, unloaded)
