"""Hostile files: each gets a clear Swedish error saying what and where, or a correct load.

Whatever a file holds, memory stays bounded, no message repeats a cell that could be personal
data, a refused file leaves the database exactly as it was, and the next good file still loads.
Encodings already covered by test_read_and_parse.py (UTF-16 LE with and without BOM, bytes 0x81 and
0x8D, a mixture, a binary file, a control character) are not repeated here.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines.report import KEPT_PER_COLUMN_AND_RULE

from .conftest import refused_load, rows, run_cli, snapshot, write
from .paths import ROOT
from .test_dashboard import start
from .test_personal_data import assert_not_revealed, personnummer
from .test_rules import AGENCY_HEADER, APPS_HEADER

SECTOR = "Kultur, utbildning och övrigt"
NAME = "Myndigheten för åäö och ÅÄÖ"
AGENCY = f"209900-0990;{NAME};{SECTOR}"
GOOD_ORG = "209900-1006"
GOOD = f"{GOOD_ORG};Verket för uppföljning;{SECTOR}"
HEADERS = ["organisationsnummer", "namn", "sektor"]


def refused(capsys, db: Path, path: Path, *says: str) -> str:
    """Load a hostile file: exit 1, every phrase said, the database unchanged; then a good file loads."""
    output = refused_load(capsys, db, path, *says)
    assert_good_load_follows(capsys, db, path.parent)
    return output


def assert_good_load_follows(capsys, db: Path, folder: Path) -> None:
    good = write(folder / "god.csv", f"{AGENCY_HEADER}\n{GOOD}\n")
    code, output = run_cli(capsys, "load", "--db", db, good)
    assert code == 0, output
    assert rows(db, f"select name from agencies where org_nr = '{GOOD_ORG}'") == [("Verket för uppföljning",)]


# The CLI in a process of its own, under a parent that reports the peak memory of its only child.
MEASURED = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout + done.stderr)
sys.stderr.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(done.returncode)
"""


def run_measured(*args) -> tuple[int, str, float]:
    """Run `python -m pipelines ARGS` with the default size limit; return exit code, output and
    peak resident memory in MB (a bound that matters for hostile files; times are for bench/)."""
    env = {name: value for name, value in os.environ.items() if name != "LOM_MAX_FILE_MB"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, sys.executable, "-m", "pipelines", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    return done.returncode, done.stdout, peak_mb


# --- Encodings ----------------------------------------------------------------------------------

TEXT = f"{AGENCY_HEADER}\n{GOOD}\n{AGENCY}\n"  # the Swedish letters are on line 3


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("cp1252"),
        TEXT.encode("iso-8859-1"),  # the same bytes as Windows-1252 for every Swedish letter
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "windows-1252 CRLF", "iso-8859-1 = windows-1252 here"],
)
def test_accepted_encodings_keep_every_letter(sample_copy, tmp_path, capsys, data):
    path = tmp_path / "m.csv"
    path.write_bytes(data)
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert rows(sample_copy, "select name from agencies where org_nr = '209900-0990'") == [(NAME,)]


def with_line_3(raw: bytes, encoding: str = "cp1252") -> bytes:
    """A file whose third line holds the given bytes in its name, the rest written in `encoding`."""
    before, after = f"{AGENCY_HEADER}\n{GOOD}\n209900-0990;Verket ", f";{SECTOR}\n"
    return before.encode(encoding) + raw + after.encode(encoding)


ENCODINGS = {
    # name: (bytes, what the message must say)
    "utf-16 BE with BOM": (b"\xfe\xff" + TEXT.encode("utf-16-be"), ["kodad som UTF-16 (big endian)"]),
    "utf-16 BE without BOM": (TEXT.encode("utf-16-be"), ["kodad som UTF-16 (big endian)"]),
    "utf-32 with BOM": (TEXT.encode("utf-32"), ["kodad som UTF-32 (little endian)"]),
    "utf-32 LE without BOM": (TEXT.encode("utf-32-le"), ["kodad som UTF-32 (little endian)"]),
    "utf-32 BE without BOM": (TEXT.encode("utf-32-be"), ["kodad som UTF-32 (big endian)"]),
    "iso-8859-15 euro": (
        with_line_3("€".encode("iso-8859-15"), "iso-8859-15"),
        ["byte 0xA4 på rad 3", "'¤'", "ISO-8859-15"],
    ),
    "iso-8859-15 caron": (with_line_3("Šiauliai".encode("iso-8859-15"), "iso-8859-15"), ["byte 0xA6 på rad 3"]),
    "iso-8859-2": (
        with_line_3("Úřad Čeština".encode("iso-8859-2"), "iso-8859-2"),
        ["byte 0xB9 på rad 3", "'¹'", "ISO-8859-2"],
    ),
    "iso-8859-5": (with_line_3("Управление".encode("iso-8859-5")), ["på rad 3", "annan teckenkodning"]),
    "mac roman lower case": (
        with_line_3("för åäö".encode("mac_roman"), "mac_roman"),
        ["byte 0x9A på rad 2", "'š'", "Mac Roman"],
    ),
    "mac roman Å": (
        with_line_3("Åre".encode("mac_roman"), "mac_roman"),
        ["byte 0x81 på rad 3", "varken UTF-8 eller Windows-1252"],
    ),
    "utf-8 then cp1252": (
        f"{AGENCY_HEADER}\n{AGENCY}\n".encode() + with_line_3("Örebro".encode("cp1252")).split(b"\n", 2)[2],
        ["blandar UTF-8 och Windows-1252 (första ogiltiga UTF-8-byte på rad 3, UTF-8-tecken på rad 2)"],
    ),
    "cp1252 then utf-8": (
        f"{AGENCY_HEADER}\n{AGENCY}\n".encode("cp1252") + with_line_3("Örebro".encode()).split(b"\n", 2)[2],
        ["blandar UTF-8 och Windows-1252 (första ogiltiga UTF-8-byte på rad 2, UTF-8-tecken på rad 3)"],
    ),
    "lone BOM": (b"\xef\xbb\xbf", ["filen är tom", "[tom fil]"]),
    "BOM and a line break": (b"\xef\xbb\xbf\r\n", ["filen är tom"]),
    "empty": (b"", ["filen är tom"]),
    "only blanks": (b" \r\n\t\n", ["filen är tom"]),
    "NUL in a row": (with_line_3(b"\x00", "utf-8"), ["nolltecken (byte 0x00) på rad 3"]),
    "NUL deep in the file": (
        (f"{AGENCY_HEADER}\n" + f"{GOOD}\n" * 2000).encode() + with_line_3(b"\x00", "utf-8").split(b"\n", 2)[2],
        ["nolltecken (byte 0x00) på rad 2002"],
    ),
    "PNG named .csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ["styrtecken (byte 0x1A) på rad 2"]),
    "random bytes named .csv": (bytes((i * 7919) % 256 for i in range(5000)), ["nolltecken", "på rad 1"]),
    **{
        f"byte 0x{byte:02X}": (with_line_3(bytes([byte])), [f"byte 0x{byte:02X} på rad 3 finns inte i Windows-1252"])
        for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    },
}


@pytest.mark.parametrize(("data", "says"), ENCODINGS.values(), ids=ENCODINGS.keys())
def test_other_encodings_are_refused_naming_the_problem(sample_copy, tmp_path, capsys, data, says):
    """Never loaded with wrong or replaced letters: refused, saying which encoding or byte and line."""
    path = tmp_path / "fil.csv"
    path.write_bytes(data)
    output = refused(capsys, sample_copy, path, *says)
    assert "[teckenkodning]" in output or "[tom fil]" in output


# --- Ragged rows ----------------------------------------------------------------------------------

A, B, C = (f"209900-{n};Verket {n};{SECTOR}" for n in ("1014", "1022", "1030"))
RAGGED = {
    # name: (text, {row: fields}) with rows as a person counts them (the header is row 1)
    "short row inside": (f"{A}\n209900-1022;Verket\n{C}\n", {3: 2}),
    "long row inside": (f"{A}\n{B};extra\n{C}\n", {3: 4}),
    "short first row": (f"209900-1014\n{B}\n{C}\n", {2: 1}),
    "long row, last, no newline": (f"{A}\n{B}\n{C};x;y", {4: 5}),
    "short row, last, no newline": (f"{A}\n{B}\n209900-1030;Verket", {4: 2}),
    "trailing separator": (f"{A}\n{B};\n{C}\n", {3: 4}),
    "several, long and short": (f"{A};x\n{B}\n209900-1030\n", {2: 4, 4: 1}),
    "quoted separators and line breaks, then ragged": (
        f'{A}\n209900-1022;"Verket; med\nradbrytning; och ""citat""";{SECTOR}\n209900-1030;"a\nb"\n{A};x\n',
        {4: 2, 5: 4},  # the quoted line breaks stay inside rows 3 and 4
    ),
    "quote inside a field, as Polars reads it": (f'{A}\n209900-1022;Verket "A;B";{SECTOR}\n{C}\n', {3: 4}),
    "CRLF with a short row": (f"{A}\r\n{B}\r\n209900-1030\r\n", {4: 1}),
}


@pytest.mark.parametrize(("body", "ragged"), RAGGED.values(), ids=RAGGED.keys())
def test_ragged_rows_are_errors_naming_the_row(sample_copy, tmp_path, capsys, body, ragged):
    """Nothing is padded or cut silently: every row with another field count is named."""
    path = write(tmp_path / "m.csv", f"{AGENCY_HEADER}\n{body}")
    output = refused(capsys, sample_copy, path)
    found = dict(
        (int(row), int(fields))
        for row, fields in re.findall(r"rad (\d+): raden har (\d+) fält men rubrikraden har 3 \[antal fält\]", output)
    )
    assert found == ragged, output


def test_quoted_separators_and_line_breaks_load_as_written(sample_copy, tmp_path, capsys):
    name = 'Verket; med\nradbrytning och "citat"'
    path = write(
        tmp_path / "m.csv", f'{AGENCY_HEADER}\n{GOOD}\n209900-1014;"Verket; med\nradbrytning och ""citat""";{SECTOR}'
    )
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert rows(sample_copy, "select name from agencies where org_nr = '209900-1014'") == [(name,)]


def test_an_open_quote_is_refused(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "m.csv", f'{AGENCY_HEADER}\n{GOOD}\n209900-1014;"Verket utan slut;{SECTOR}\n{A}\n')
    refused(capsys, sample_copy, path, "obalanserade citattecken", "[csv-format]")


# --- Duplicate headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "line", "says"),
    [
        (
            "organisationsnummer;namn;namn;sektor",
            f"209900-1014;Verket;Verket;{SECTOR}",
            "kolumnen 'namn' finns flera gånger: 'namn' (kolumn B), 'namn' (kolumn C)",
        ),
        (
            "org_nr;organisationsnummer;namn;sektor",
            f"209900-1014;209900-1014;Verket;{SECTOR}",
            "kolumnen 'organisationsnummer' finns flera gånger: 'org_nr' (kolumn A), 'organisationsnummer' (kolumn B)",
        ),
        (
            "organisationsnummer;Name;sektor;Myndighet",
            f"209900-1014;Verket;{SECTOR};Verket",
            "kolumnen 'namn' finns flera gånger: 'Name' (kolumn B), 'Myndighet' (kolumn D)",
        ),
    ],
    ids=["same header twice", "English and Swedish", "two aliases"],
)
def test_duplicate_headers_name_the_columns(sample_copy, tmp_path, capsys, header, line, says):
    path = write(tmp_path / "m.csv", f"{header}\n{line}\n")
    refused(capsys, sample_copy, path, f"rad 1: {says} [dubbel kolumn]")


def test_duplicate_headers_in_a_sheet_name_sheet_and_columns(sample_copy, tmp_path, capsys):
    path = text_workbook(
        tmp_path / "m.xlsx", {"Myndigheter": [["Orgnr", "Namn", "Sektor", "ORGNR"], ["209900-1014", "V", SECTOR, "x"]]}
    )
    refused(
        capsys,
        sample_copy,
        path,
        "blad 'Myndigheter', rad 1: kolumnen 'organisationsnummer' finns flera gånger: 'Orgnr' (kolumn A), "
        "'ORGNR' (kolumn D)",
    )


# --- Huge cells -----------------------------------------------------------------------------------

FILLER = "Lorem ipsum; "  # a separator inside, so that the quoted variants are quoted for a reason
MB = 1024 * 1024


def huge(size: int = 20 * MB) -> str:
    return (FILLER * (size // len(FILLER) + 1))[:size]


@pytest.mark.parametrize("column", ["organisationsnummer", "namn", "sektor"])
def test_a_cell_of_20_mb_is_refused_without_being_shown(sample_copy, tmp_path, capsys, column):
    cells = {"organisationsnummer": "209900-1014", "namn": "Verket", "sektor": SECTOR}
    cells[column] = '"' + huge() + '"'
    path = write(tmp_path / "m.csv", f"{AGENCY_HEADER}\n{GOOD}\n{';'.join(cells.values())}\n")
    before = snapshot(sample_copy)
    code, output, peak_mb = run_measured("load", "--db", sample_copy, path)
    assert code == 1, output
    assert f"rad 3, kolumn '{column}': cellen har fler än 1\u00a0000 tecken" in output and "[för lång]" in output
    assert "Lorem" not in output
    assert snapshot(sample_copy) == before
    assert peak_mb < 1000, peak_mb
    assert_good_load_follows(capsys, sample_copy, tmp_path)


def test_a_quoted_cell_of_20_mb_with_line_breaks_in_an_unknown_column_is_ignored(sample_copy, tmp_path, capsys):
    """Correct handling: the column outside the contract is not loaded, the rows around it are."""
    big = '"' + huge().replace(" ", "\n") + '"'
    path = write(tmp_path / "m.csv", f"{AGENCY_HEADER};Anteckning\n{GOOD};{big}\n209900-1014;Verket;{SECTOR};\n")
    code, output, peak_mb = run_measured("load", "--db", sample_copy, path)
    assert code == 0, output
    assert "kolumn 'Anteckning': kolumnen ingår inte i avtalet" in output and "Lorem" not in output
    assert rows(sample_copy, "select count(*) from agencies where org_nr in ('209900-1006', '209900-1014')") == [(2,)]
    assert peak_mb < 1000, peak_mb


def test_a_header_row_longer_than_64_kb_is_refused(sample_copy, tmp_path, capsys):
    path = write(tmp_path / "m.csv", f"{AGENCY_HEADER};{huge(MB)}\n{GOOD};x\n")
    output = refused(capsys, sample_copy, path, "rad 1: rubrikraden är längre än 64 kB", "[rubrikrad]")
    assert "Lorem" not in output


def test_a_long_header_is_shortened_in_messages(sample_copy, tmp_path, capsys):
    long_header = "Kommentar " + "x" * 30_000
    path = write(tmp_path / "m.csv", f"{AGENCY_HEADER};{long_header}\n{GOOD};ok\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert "x" * 100 not in output and "kolumn 'Kommentar xxx" in output


def test_thousands_of_unknown_columns_are_counted_not_listed(sample_copy, tmp_path, capsys):
    extra = [f"Extra {i}" for i in range(3000)]
    path = write(tmp_path / "m.csv", ";".join([*HEADERS, *extra]) + f"\n{GOOD}" + ";1" * 3000 + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert output.count("[okänd kolumn]") == 21
    assert "ytterligare 2\u00a0980 kolumner ingår inte i avtalet" in output


def test_a_shared_string_of_megabytes_is_refused_like_any_long_cell(sample_copy, tmp_path, capsys):
    path = text_workbook(tmp_path / "m.xlsx", {"Myndigheter": [HEADERS, ["209900-1014", "PLATSHÅLLARE", SECTOR]]})
    replace_in_archive(
        path, "xl/sharedStrings.xml", lambda xml: xml.replace("PLATSHÅLLARE".encode(), huge(3 * MB).encode())
    )
    output = refused(capsys, sample_copy, path, "blad 'Myndigheter', rad 2, kolumn 'namn': cellen har fler än")
    assert "Lorem" not in output


def test_a_sheet_cell_of_megabytes_is_refused_before_fastexcel_reads_it(sample_copy, tmp_path, capsys):
    """Excel holds at most 32 767 characters in a cell; one bigger than the pieces the sheet is
    checked in (4 MB) is refused there, a smaller one by validation (above)."""
    path = text_workbook(tmp_path / "m.xlsx", {"Myndigheter": [HEADERS, ["209900-1014", "Verket", SECTOR]]})
    inline = b'<c r="B2" t="inlineStr"><is><t>' + huge(6 * MB).encode() + b"</t></is></c>"
    replace_in_archive(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<c r="B2"[^>]*>.*?</c>', inline, xml))
    output = refused(
        capsys, sample_copy, path, "blad 'Myndigheter': en cell är orimligt stor (mer än 1 MB", "[för stor]"
    )
    assert "Lorem" not in output


# --- Workbooks: zip bombs -------------------------------------------------------------------------


def text_workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    """A workbook whose strings are text, never formulas (xlsxwriter would otherwise run '=...')."""
    with xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False}) as book:
        for name, table in sheets.items():
            sheet = book.add_worksheet(name)
            for r, values in enumerate(table):
                for c, value in enumerate(values):
                    if value is not None:
                        sheet.write(r, c, value)
            if name in hidden:
                sheet.hide()
    return path


def replace_in_archive(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    changed = change(parts[member])
    assert changed != parts[member]
    parts[member] = changed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def deflated_run(prefix: bytes, filler: bytes, size: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Deflate prefix + size bytes of filler + suffix without ever holding them: one megabyte is
    compressed after a full flush, which makes every such block the same, and repeated."""
    block = filler * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(suffix) + compressor.flush()
    blocks = size // MB
    crc = zlib.crc32(prefix)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return head + middle * blocks + tail, crc, len(prefix) + blocks * MB + len(suffix)


def zip_of(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of deflated members (name, packed bytes, CRC, size declared in both headers)."""
    out, directory = io.BytesIO(), []
    for name, packed, crc, size in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0))
        out.write(encoded + packed)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start, central = out.tell(), b"".join(directory)
    out.write(
        central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0)
    )
    return out.getvalue()


def bomb(path: Path, declared: int | None, size: int = 2_000_000_000) -> Path:
    """A good agencies workbook whose sheet gets a cell of `size` bytes of 'A' (2 GB from 2 MB).

    declared: the size the zip headers claim for the sheet, None for the truth. When it lies,
    the CRC is that of the first `declared` bytes, so that a reader trusting the headers finds
    nothing wrong with the part it reads.
    """
    good = text_workbook(path, {"Myndigheter": [HEADERS, GOOD.split(";")]})
    with zipfile.ZipFile(good) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    members = []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            prefix = data.split(b"</sheetData>")[0] + b'<row r="3"><c r="A3" t="inlineStr"><is><t>'
            packed, crc, real = deflated_run(prefix, b"A", size, b"</t></is></c></row></sheetData></worksheet>")
            if declared is not None:
                crc = zlib.crc32((prefix + b"A" * declared)[:declared])
            members.append((name, packed, crc, real if declared is None else declared))
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            members.append((name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)))
    path.write_bytes(zip_of(members))
    return path


@pytest.mark.parametrize(
    ("declared", "says"),
    [
        (None, "packas upp till orimligt mycket data (zip-bomb?)"),
        (20_000, "en del packas upp till mer än zip-arkivet uppger"),
    ],
    ids=["sizes declared truly", "sizes declared small (lying central directory)"],
)
def test_a_zip_bomb_is_refused_before_anything_unpacks_it(sample_copy, tmp_path, capsys, declared, says):
    """2 GB of sheet from a 2 MB file: refused within a bounded amount of unpacking and memory,
    whatever the archive declares; fastexcel never sees it."""
    path = bomb(tmp_path / "bomb.xlsx", declared)
    assert path.stat().st_size < 5 * MB
    with zipfile.ZipFile(path) as archive:
        declared_size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert declared_size == declared if declared else declared_size > 1_900_000_000
    before = snapshot(sample_copy)
    code, output, peak_mb = run_measured("load", "--db", sample_copy, path)
    assert code == 1 and says in output and "[för stor]" in output, output
    assert peak_mb < 1500, peak_mb
    assert snapshot(sample_copy) == before
    assert_good_load_follows(capsys, sample_copy, tmp_path)


def test_a_workbook_of_many_members_is_refused(sample_copy, tmp_path, capsys):
    path = text_workbook(tmp_path / "m.xlsx", {"Myndigheter": [HEADERS, GOOD.split(";")]})
    with zipfile.ZipFile(path, "a") as archive:
        for index in range(10_001):
            archive.writestr(f"xl/media/{index}.bin", b"")
    refused(capsys, sample_copy, path, "arbetsboken har fler än 10\u00a0000 delar")


def test_a_zip_that_is_no_workbook_is_refused_whatever_its_name(sample_copy, tmp_path, capsys):
    path = tmp_path / "myndigheter.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("myndigheter.csv", f"{AGENCY_HEADER}\n{GOOD}\n")
    refused(capsys, sample_copy, path, "arbetsboken saknar sin innehållsförteckning", "[format]")


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(sample_copy, tmp_path, capsys):
    """The kind of file comes from its content, never from its name alone."""
    path = text_workbook(tmp_path / "m.xlsx", {"Myndigheter": [HEADERS, GOOD.split(";")]})
    code, output = run_cli(capsys, "load", "--db", sample_copy, path.rename(tmp_path / "m.csv"))
    assert code == 0, output
    assert rows(sample_copy, f"select name from agencies where org_nr = '{GOOD_ORG}'") == [("Verket för uppföljning",)]


def test_a_damaged_archive_is_a_clear_error(sample_copy, tmp_path, capsys):
    path = text_workbook(tmp_path / "m.xlsx", {"Myndigheter": [HEADERS, GOOD.split(";")]})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + 40] = bytes(40)  # the sheet's deflate stream broken
    path.write_bytes(bytes(data))
    refused(capsys, sample_copy, path, "[format]")


# --- Workbooks: hidden sheets and formulas --------------------------------------------------------


def test_a_hidden_sheet_of_a_known_kind_is_not_loaded_and_the_warning_says_so(sample_copy, tmp_path, capsys):
    """What a person does not see in Excel does not reach the database unnoticed."""
    path = text_workbook(
        tmp_path / "m.xlsx",
        {"Synligt": [HEADERS, GOOD.split(";")], "Gammalt": [HEADERS, ["209900-1014", "Dolt verk", SECTOR]]},
        hidden=("Gammalt",),
    )
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    assert (
        "varning: blad 'Gammalt': bladet är dolt och läses inte in, fast det har rubriker för myndigheter; "
        "visa bladet i Excel" in output
    )
    assert rows(sample_copy, "select count(*) from agencies where org_nr = '209900-1014'") == [(0,)]


def test_a_workbook_whose_only_data_is_hidden_says_so(sample_copy, tmp_path, capsys):
    path = text_workbook(
        tmp_path / "m.xlsx", {"Info": [["Rapport"]], "Myndigheter": [HEADERS, GOOD.split(";")]}, hidden=("Myndigheter",)
    )
    refused(
        capsys, sample_copy, path, "inget synligt blad med en känd rubrikrad (dolda blad läses inte: 'Myndigheter')"
    )


def test_personal_data_in_a_hidden_sheet_rejects_the_file_unshown(sample_copy, tmp_path, capsys):
    secret = personnummer("850709")
    path = text_workbook(
        tmp_path / "m.xlsx",
        {"Myndigheter": [HEADERS, GOOD.split(";")], "Underlag": [["Kontakt"], ["Anna"], [secret]]},
        hidden=("Underlag",),
    )
    output = refused(capsys, sample_copy, path, "blad 'Underlag', rad 3, kolumn 'A'", "[personuppgift]")
    assert_not_revealed(secret, output, sample_copy)


def test_a_formula_without_value_in_a_hidden_sheet_is_an_error(sample_copy, tmp_path, capsys):
    path = tmp_path / "m.xlsx"
    with xlsxwriter.Workbook(path) as book:
        visible = book.add_worksheet("Myndigheter")
        for c, value in enumerate(HEADERS):
            visible.write_string(0, c, value)
        for c, value in enumerate(GOOD.split(";")):
            visible.write_string(1, c, value)
        hidden = book.add_worksheet("Beräkning")
        hidden.write_formula("B4", "=CONCATENATE(A1,A2)", None, "")  # written without a cached value
        hidden.hide()
    assert b"<v></v>" in zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml")
    refused(
        capsys,
        sample_copy,
        path,
        "blad 'Beräkning', rad 4: cell B4 har en formel utan beräknat värde",
        "(bladet är dolt men kontrolleras ändå)",
        "[formel utan värde]",
    )


# --- Formulas in text cells -----------------------------------------------------------------------

FUNDS_HEADER_SV = "orgnr;år;anställda;lönesumma;avsättning;nyttjat;ingående saldo;utgående saldo"
FORMULAS = ['=HYPERLINK("http://x";"y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
FORMULA_ORGS = ["209900-1014", "209900-1022", "209900-1030", "209900-1048"]


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def formula_agencies_csv(folder: Path) -> Path:
    lines = [f"{org};{quoted(text)};{SECTOR};{quoted(text)}" for org, text in zip(FORMULA_ORGS, FORMULAS, strict=True)]
    return write(folder / "m.csv", "\n".join([f"{AGENCY_HEADER};Kommentar", *lines]) + "\n")


def formula_agencies_xlsx(folder: Path) -> Path:
    table = [[*HEADERS, "Kommentar"]] + [
        [org, text, SECTOR, text] for org, text in zip(FORMULA_ORGS, FORMULAS, strict=True)
    ]
    return text_workbook(folder / "m.xlsx", {"Myndigheter": table})


@pytest.mark.parametrize("make", [formula_agencies_csv, formula_agencies_xlsx], ids=["csv", "xlsx"])
def test_formula_text_is_stored_verbatim_never_run(sample_copy, tmp_path, capsys, make):
    code, output = run_cli(capsys, "load", "--db", sample_copy, make(tmp_path))
    assert code == 0, output
    stored = rows(sample_copy, f"select name from agencies where org_nr in {tuple(FORMULA_ORGS)} order by org_nr")
    assert [name for (name,) in stored] == FORMULAS
    assert "kolumn 'Kommentar': kolumnen ingår inte i avtalet" in output


def test_formula_text_as_case_number_is_pseudonymised_like_any_other(sample_copy, tmp_path, capsys):
    lines = [
        f"{quoted(text)};209900-0016;2024-0{i + 1}-03;2024-0{i + 1}-20;mentorskap;beviljad;1000;1000;;;{quoted(text)}"
        for i, text in enumerate(FORMULAS)
    ]
    path = write(tmp_path / "a.csv", "\n".join([f"{APPS_HEADER};Extra", *lines]) + "\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 0, output
    stored = rows(sample_copy, "select application_key from applications")
    assert all(not value.startswith(("=", "+", "-", "@")) for (value,) in stored)
    assert not {text for text in FORMULAS} & {value for (value,) in stored}


def test_formula_text_leaves_the_dashboard_exports_inert(sample_copy, tmp_path, capsys, monkeypatch, downloads):
    """The overview's ranking exports agency names: a spreadsheet opening them runs nothing."""
    funds = "\n".join(f"{org};2025;10;1 000 000;3 000;0;0;3 000" for org in FORMULA_ORGS)
    funds_path = write(tmp_path / "f.csv", f"{FUNDS_HEADER_SV}\n{funds}\n")
    code, output = run_cli(capsys, "load", "--db", sample_copy, formula_agencies_csv(tmp_path), funds_path)
    assert code == 0, output
    start(sample_copy, monkeypatch, "overview", ar="2025")
    csv = downloads["myndigheter_2025.csv"]()
    names = pl.read_csv(io.BytesIO(csv[3:]), separator=";", infer_schema=False)["Myndighet"].to_list()
    assert {f"'{text}" for text in FORMULAS} <= set(names)
    assert not [name for name in names if name.startswith(("=", "+", "-", "@"))]
    sheet = zipfile.ZipFile(io.BytesIO(downloads["myndigheter_2025.xlsx"]())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


# --- Size: ten million rows, and a file over the limit --------------------------------------------

# Five bogus rows, 13 errors: org numbers (5), sectors (4), a name (1), a missing sector (1), and
# two rows of the wrong field count (short and long).
BOGUS = "1;a;b\n2;;b\n3;a\n4;a;b;c\n5;a;b\n"


@pytest.mark.slow
def test_ten_million_bad_rows_give_a_bounded_exact_report(sample_copy, tmp_path, capsys):
    """A 58 MB file of 10 M bad rows (under the 100 MB limit): the report lists the first rows of
    each rule and column and counts the rest exactly, in bounded memory and time."""
    path = tmp_path / "myndigheter.csv"
    with open(path, "w") as handle:
        handle.write(AGENCY_HEADER + "\n")
        for _ in range(10):
            handle.write(BOGUS * 200_000)
    assert 50 * MB < path.stat().st_size < 100 * MB
    before = snapshot(sample_copy)
    code, output, peak_mb = run_measured("load", "--db", sample_copy, path)
    assert code == 1, output[-2000:]
    assert "myndigheter.csv: avvisad – myndigheter, 26\u00a0000\u00a0000 fel, 0 varningar" in output
    for count, where, rule in [
        ("9\u00a0999\u00a0980", " i kolumn 'organisationsnummer'", "format"),
        ("7\u00a0999\u00a0980", " i kolumn 'sektor'", "format"),
        ("1\u00a0999\u00a0980", " i kolumn 'namn'", "värde saknas"),
        ("1\u00a0999\u00a0980", " i kolumn 'sektor'", "värde saknas"),
        ("3\u00a0999\u00a0980", "", "antal fält"),
    ]:
        assert f"... och {count} fler rader med samma fel{where} [{rule}]" in output
    assert len(output.splitlines()) < 200
    assert peak_mb < 2500, peak_mb
    assert snapshot(sample_copy) == before
    [(errors, messages)] = rows(
        sample_copy,
        "select errors, (select count(*) from load_messages m where m.load_id = l.load_id) "
        "from loads l order by load_id desc limit 1",
    )
    assert errors == 26_000_000 and messages <= 5 * KEPT_PER_COLUMN_AND_RULE
    assert_good_load_follows(capsys, sample_copy, tmp_path)


def test_a_file_full_of_personnummer_is_reported_bounded_and_unshown(sample_copy, tmp_path, capsys):
    """Every row holding personal data is counted, the first ones named by row, none shown."""
    numbers = [personnummer(f"8507{day:02d}", serial=f"{serial:03d}") for day in range(1, 29) for serial in range(200)]
    lines = [f"209900-1014;Verket {number};{SECTOR}" for number in numbers]
    path = write(tmp_path / "m.csv", "\n".join([AGENCY_HEADER, *lines]) + "\n")
    output = refused(capsys, sample_copy, path, "rad 2, kolumn 'namn': cellen innehåller ett personnummer")
    hidden = len(numbers) - 20
    assert (
        f"... och {hidden // 1000}\u00a0{hidden % 1000:03d} fler rader med samma fel i kolumn 'namn' [personuppgift]"
        in output
    )
    for number in numbers[:50]:
        assert_not_revealed(number, output, sample_copy)


def test_a_file_over_the_size_limit_is_refused_unread(sample_copy, tmp_path, capsys):
    """101 MB (sparse, so cheap to make): refused before parsing, never read into memory."""
    path = tmp_path / "stor.csv"
    with open(path, "wb") as handle:
        handle.write(f"{AGENCY_HEADER}\n{GOOD}\n".encode())
        handle.truncate(101 * MB)
    before = snapshot(sample_copy)
    code, output, peak_mb = run_measured("load", "--db", sample_copy, path)
    assert code == 1 and "filen är större än gränsen 100 MB och läses inte [för stor]" in output, output
    assert peak_mb < 101 + 400, peak_mb  # the interpreter and its libraries, not the file
    assert snapshot(sample_copy) == before
    assert_good_load_follows(capsys, sample_copy, tmp_path)
