"""Read a large CSV file in parts, so that a load holds one part in memory and never the file.

A survey reads the file once as bytes: its SHA-256, whether all of it is UTF-8, and where parts
may start. A part starts after a line break that lies outside quotes, so that no record is
split. Each part is then read as the whole file would be, with the header line in front and its
rows numbered where they stand in the file; what one part cannot see (a case number twice in
the file) is checked over the staged rows in the database (`pipelines.load`). A file read whole
is the case of one part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract import APPLICATIONS
from pipelines.read import (
    MAX_HEADER_BYTES,
    CsvHeader,
    FilePart,
    ReadResult,
    csv_header,
    decode,
    first_bad_utf8,
    is_utf8,
    line_breaks,
    read_csv_records,
)
from pipelines.report import FileProblem, Findings

BLOCK = 16 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Bounds:
    """Where one part lies in the file: bytes [start, end), starting on line `first_line`."""

    start: int
    end: int
    first_line: int


@dataclass(frozen=True)
class Survey:
    """What one pass over a file's bytes tells before any part is read."""

    sha256: str
    size: int
    bad_utf8_line: int | None  # the line of the first byte that is not UTF-8, if any
    parts: list[Bounds]


def survey(path: Path, part_bytes: int) -> Survey:
    """Read a file once, block by block: hash it, check its UTF-8, and cut it into parts of
    about `part_bytes`, each ending at a line break outside quotes."""
    digest = hashlib.sha256()
    carried = b""  # the bytes of a character cut at the end of the block before
    bad_utf8_line = None
    position = lines_before = quotes_before = 0
    cr_before = False
    parts: list[Bounds] = []
    start, start_line = 0, 1
    # The hash runs in a thread beside the rest (hashlib leaves the GIL), one block behind at most.
    with open(path, "rb") as handle, ThreadPoolExecutor(max_workers=1) as hasher:
        hashed = None
        while block := handle.read(BLOCK):
            if hashed is not None:
                hashed.result()
            hashed = hasher.submit(digest.update, block)
            if bad_utf8_line is None:
                piece = carried + block if carried else block
                whole = _whole_characters(piece)
                if whole < len(piece):  # the block ends inside or just after a character beyond ASCII
                    piece, carried = piece[:whole], piece[whole:]
                else:
                    carried = b""
                if not is_utf8(piece):  # bytes carried at its start hold no line break
                    bad = first_bad_utf8(piece)
                    # The LF of a CR LF split between two blocks: lines_before counted it with the CR.
                    split_crlf = bad > 0 and cr_before and piece.startswith(b"\n")
                    bad_utf8_line = lines_before + line_breaks(piece, 0, bad) - split_crlf + 1
            search = max(start + part_bytes - position, 0)
            counted, quotes = 0, quotes_before  # quotes in the file before block[counted]
            lines_counted, lines = 0, lines_before  # and line breaks before block[lines_counted]
            while search < len(block):
                quotes += block.count(b'"', counted, search)
                found = _record_end(block, search, quotes)
                if found is None:
                    break
                end, quotes = found
                counted = end
                lines += line_breaks(block, lines_counted, end)
                lines_counted = end
                next_line = lines + 1
                parts.append(Bounds(start, position + end, start_line))
                start, start_line = position + end, next_line
                search = end + part_bytes
            quotes_before += block.count(b'"')
            # A CR LF split between two blocks is one line break, not two.
            lines_before += line_breaks(block) - (block.startswith(b"\n") and cr_before)
            cr_before = block.endswith(b"\r")
            position += len(block)
        if hashed is not None:
            hashed.result()
    if bad_utf8_line is None and not is_utf8(carried):  # the file ends inside a character
        bad_utf8_line = lines_before + 1
    if start < position:
        parts.append(Bounds(start, position, start_line))
    return Survey(digest.hexdigest(), position, bad_utf8_line, parts)


def _whole_characters(data: bytes) -> int:
    """Where the last character that the end of data may cut starts (its length when it ends in
    ASCII). UTF-8 checked up to there is checked in whole characters; the rest, three bytes at
    most, is carried to the next block."""
    for position in range(len(data) - 1, max(len(data) - 4, -1), -1):
        if data[position] < 0x80:  # ASCII: a whole character, and what follows starts one
            return position + 1
        if data[position] >= 0xC0:  # the first byte of a character
            return position
    return len(data)  # three bytes that continue a character: the end of four, or not UTF-8


def _record_end(block: bytes, search: int, quotes: int) -> tuple[int, int] | None:
    """The position just after the first line break at or after `search` that ends a record (the
    quotes before it, in the whole file, are even in number), and that count of quotes; `quotes`
    is the count before `search`. Counts are carried forward, so each byte is counted once."""
    while (newline := block.find(b"\n", search)) >= 0:
        quotes += block.count(b'"', search, newline)
        if quotes % 2 == 0:
            return newline + 1, quotes
        search = newline + 1
    return None


def applications_header(path: Path) -> CsvHeader | None:
    """The header of a CSV file of applications, or None when the file is anything else (or its
    first line does not read: the whole-file read reports that)."""
    with open(path, "rb") as handle:
        head = handle.read(MAX_HEADER_BYTES + len(BOM) + 1)
    if head.startswith(b"PK\x03\x04") or b"\n" not in head:
        return None
    first = head[: head.index(b"\n") + 1]
    try:
        header = csv_header(decode(first))
    except FileProblem:
        return None
    return header if header.recognised.kind is APPLICATIONS else None


@dataclass(frozen=True)
class Part:
    """One part of a file, read: bytes [start, end) of the file, rows numbered as in the file.

    A file read whole is one part, from 0 to its size.
    """

    read: ReadResult | None  # None for a part of blank lines, or a file that was not read
    start: int
    end: int


def read_parts(path: Path, found: Survey) -> Iterator[Part]:
    """Read the parts of a surveyed file one at a time; the first holds the header line.

    A problem with a whole part (its encoding, its field counts) raises FileProblem, located by
    the file's line, as a read of the whole file would.
    """
    header: CsvHeader | None = None
    first_row = 2  # the header is row 1
    with open(path, "rb") as handle:
        for bounds in found.parts:
            handle.seek(bounds.start)
            data = handle.read(bounds.end - bounds.start)
            where = FilePart(bounds.first_line, found.bad_utf8_line)
            if header is None:
                utf8 = decode(data, where)
                header = csv_header(utf8)
            elif not data.translate(None, b" \r\n"):  # blank lines: rows that count, but hold nothing
                first_row += line_breaks(data) + (0 if data.endswith((b"\n", b"\r")) else 1)
                yield Part(None, bounds.start, bounds.end)
                continue
            else:
                utf8 = header.line + b"\n" + decode(data, where)
            del data
            table = read_csv_records(path.name, header, utf8, first_row)
            del utf8
            first_row += table.records
            findings = Findings()
            findings.extend(table.findings)  # as a read of the whole file gives them
            yield Part(ReadResult([table], findings), bounds.start, bounds.end)
