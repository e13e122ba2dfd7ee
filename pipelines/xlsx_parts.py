"""What a workbook holds outside the cells that are loaded, scanned for personal data.

A workbook is a zip archive of XML parts. Besides its cells it can carry text in comments
(legacy and threaded, with their authors), hyperlink targets, page headers and footers, defined
names, data validation lists, text boxes, charts and document properties; and a number cell can
show a personnummer through its format (the number 101011234 in the format `000000-0000` shows as 010101-1234).
Every such text is read here from the XML itself and scanned like a cell.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from pipelines.personal_data import scan_texts
from pipelines.report import Finding

CHUNK = 4 * 1024 * 1024
TEXT = re.compile(rb">([^<]+)<")
ATTRIBUTE = re.compile(rb"""\s[\w:.\-]+=(?:"([^"]*)"|'([^']*)')""")
GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")
SHEETS_LIST = re.compile(rb"<sheets>.*?</sheets>", re.S)
# Where a part's text shows in Excel, said to the person who has to find it; parts of cells
# (shared strings, the sheets' cell data) are scanned with their rows and columns elsewhere.
PLACES = (
    (re.compile(r"xl/sharedStrings\.xml"), None),
    (re.compile(r"xl/worksheets/[^/]+\.xml"), "sidhuvudet, sidfoten, en hyperlänk eller en lista på bladet"),
    (re.compile(r"xl/(?:threadedComments/.*|comments[^/]*\.xml|drawings/[^/]*\.vml)"), "en kommentar"),
    (re.compile(r"xl/persons/.*"), "namnen på kommentarernas författare"),
    (re.compile(r"xl/worksheets/_rels/.*"), "en hyperlänk"),
    (re.compile(r"xl/workbook\.xml"), "ett definierat namn"),
    (re.compile(r"xl/drawings/.*"), "en textruta eller figur"),
    (re.compile(r"xl/charts/.*"), "ett diagram"),
    (re.compile(r"docProps/.*"), "dokumentegenskaperna (Arkiv > Info)"),
    (re.compile(r"xl/externalLinks/.*"), "en extern länk"),
)
XML_PART = re.compile(r".*\.(?:xml|vml|rels)$")


def place_of(path: str) -> str | None:
    """How a person finds the text of a part in Excel; None for the parts of cells."""
    for pattern, place in PLACES:
        if pattern.fullmatch(path):
            return place
    return f"arbetsbokens del {path}"


def texts_of(xml: bytes) -> Iterator[str]:
    """Every text node and attribute value of a piece of XML, unescaped; GUIDs are left out."""
    for found in TEXT.finditer(xml):
        yield html.unescape(found.group(1).decode("utf-8", "replace"))
    for found in ATTRIBUTE.finditer(xml):
        value = html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace"))
        if value and not GUID.fullmatch(value):
            yield value


def pieces(handle) -> Iterator[bytes]:
    """Read a part in pieces of a few megabytes that never split a tag or a text node."""
    carry = b""
    while chunk := handle.read(CHUNK):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        cut = len(buffer) if cut <= 0 else cut
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def scan_parts(archive: zipfile.ZipFile, sheet_paths: set[str], outside_cells: dict[str, list[str]]) -> list[Finding]:
    """Scan every XML part but the cells': one finding per place that holds personal data.

    `outside_cells` holds, per worksheet, its text outside the cell data (read as the sheet is
    checked, pipelines/xlsx.py); the cell data itself is scanned with rows and columns.
    """
    texts: list[tuple[str, str]] = []
    for member in archive.infolist():
        path = member.filename
        place = place_of(path)
        if place is None or path in sheet_paths or not XML_PART.fullmatch(path):
            continue
        with archive.open(member) as handle:
            for piece in pieces(handle):
                if path == "xl/workbook.xml":
                    piece = SHEETS_LIST.sub(b"", piece)  # sheet names are checked one by one
                texts += [(place, text) for text in texts_of(piece)]
    for path, outside in outside_cells.items():
        texts += [(place_of(path) or path, text) for text in outside]
    return scan_texts(texts)


# --- numbers shown through a format ----------------------------------------------------------


@dataclass(frozen=True)
class DigitFormat:
    """A number format that shows an integer as a run of digits with literal marks: 000000-0000."""

    tokens: tuple[str, ...]  # "0" for a digit place, anything else shown as it is

    def render(self, number: int) -> str:
        places = self.tokens.count("0")
        digits = str(number).zfill(places)
        head, digits = digits[: len(digits) - places], digits[len(digits) - places :]
        shown, used = [], 0
        for token in self.tokens:
            if token == "0":
                shown.append((head if used == 0 else "") + digits[used])
                used += 1
            else:
                shown.append(token)
        return "".join(shown)


FORMAT = re.compile(rb'<numFmt\s[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
CELL_XFS = re.compile(rb"<cellXfs[^>]*>(.*?)</cellXfs>", re.S)
XF = re.compile(rb"<xf\s[^>]*?numFmtId=\"(\d+)\"|<xf\s(?![^>]*numFmtId)")


def digit_formats(archive: zipfile.ZipFile) -> dict[int, DigitFormat]:
    """The cell styles (by index) whose number format pads an integer with zeros into a shape."""
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        return {}
    formats = {}
    for number, code in FORMAT.findall(styles):
        parsed = _digit_format(html.unescape(code.decode("utf-8", "replace")))
        if parsed is not None:
            formats[int(number)] = parsed
    xfs = CELL_XFS.search(styles)
    if not formats or xfs is None:
        return {}
    styled = {}
    for index, found in enumerate(XF.finditer(xfs.group(1))):
        if found.group(1) and int(found.group(1)) in formats:
            styled[index] = formats[int(found.group(1))]
    return styled


def _digit_format(code: str) -> DigitFormat | None:
    """Read a format code made of zero places and literal marks only (its first section)."""
    tokens, index, code = [], 0, code.split(";")[0]
    while index < len(code):
        char = code[index]
        if char == "\\" and index + 1 < len(code):
            tokens.append(code[index + 1])
            index += 2
        elif char == '"':
            end = code.find('"', index + 1)
            end = len(code) if end < 0 else end
            tokens.append(code[index + 1 : end])
            index = end + 1
        elif char == "0":
            tokens.append("0")
            index += 1
        elif char in "-+ /()":
            tokens.append(char)
            index += 1
        else:
            return None  # a decimal point, a date, text or anything else: not a digit shape
    return DigitFormat(tuple(tokens)) if tokens.count("0") >= 6 else None


NUMBER_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?\ss="(\d+)"[^>]*?>(?:<f[^<]*</f>|<f[^>]*/>)?<v>([0-9.E+\-]+)</v>')


def formatted_numbers(piece: bytes, formats: dict[int, DigitFormat]) -> Iterator[tuple[str, int, str]]:
    """The number cells of a piece of sheet XML styled with a digit format: column, row, shown text."""
    for column, row, style, value in NUMBER_CELL.findall(piece):
        shape = formats.get(int(style))
        if shape is None:
            continue
        try:
            number = float(value)
        except ValueError:
            continue
        if number.is_integer() and 0 <= number < 10**14:
            yield column.decode(), int(row), shape.render(int(number))
