"""A large applications file is loaded in parts (pipelines/parts.py): the same database, the same
findings at the same rows, and the same refusals as a load of the whole file at once.

Each case loads one file twice, into two copies of the sample database: once whole, once in
parts of a few kilobytes, so that the sample's 31 000 rows make dozens of parts.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipelines.load import check_files, load_files
from pipelines.parts import survey

from .conftest import SAMPLE_DIR, rows, snapshot

SAMPLE = SAMPLE_DIR / "ansokningar_2015-2019.csv"
PART_MB = "0.05"  # about 50 kB: some 470 rows a part
LOG = "select status, kinds, agencies, first_year, last_year, rows_in_file, rows_inserted, rows_replaced, errors"


def sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8-sig").splitlines()


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def load_both(sample_db: Path, tmp_path: Path, file: Path, monkeypatch) -> dict[str, tuple]:
    """Load `file` whole and in parts, each into its own copy of the sample database."""
    results = {}
    for how, part_mb in (("whole", "1000"), ("parts", PART_MB)):
        db = tmp_path / how / "lom.duckdb"
        db.parent.mkdir()
        shutil.copyfile(sample_db, db)
        monkeypatch.setenv("LOM_PART_MB", part_mb)
        (outcome,) = load_files([file], db)
        results[how] = (outcome, db)
    return results


def findings_of(outcome) -> list[tuple]:
    """Every finding, in no particular order: a whole load reports the file's rules first, a load
    in parts part by part."""
    return sorted(
        (f.severity, f.rule, f.row or 0, f.column or "", f.sheet or "", f.message, f.more)
        for f in outcome.findings.items
    )


def test_the_sample_makes_many_parts(tmp_path):
    found = survey(SAMPLE, int(float(PART_MB) * 1024 * 1024))
    assert len(found.parts) > 50
    assert found.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_a_file_loaded_in_parts_gives_the_database_a_whole_load_gives(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()
    kept = lines[:10_000] + lines[10_100:]  # a correction: 100 applications of the middle withdrawn
    file = write_lines(tmp_path / "ansokningar.csv", kept)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, whole_db), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.status == whole.status == "loaded"
    assert snapshot(parts_db) == snapshot(whole_db)
    assert rows(parts_db, f"{LOG} from loads order by load_id desc limit 1") == rows(
        whole_db, f"{LOG} from loads order by load_id desc limit 1"
    )
    # Counted by hand: every data line of the file is an application received 2015-2019.
    assert parts.rows_in_file == parts.rows_inserted == len(kept) - 1
    stored = "select count(*) from applications where year(received_on) between 2015 and 2019"
    assert rows(parts_db, stored) == [(len(kept) - 1,)]
    measures = "select * from int_agency_year_applications order by all"
    assert rows(parts_db, measures) == rows(whole_db, measures)


def test_the_same_file_again_in_parts_is_unchanged(sample_copy, monkeypatch):
    before = snapshot(sample_copy)
    monkeypatch.setenv("LOM_PART_MB", PART_MB)
    (outcome,) = load_files([SAMPLE], sample_copy)
    assert (outcome.status, outcome.rows_inserted) == ("unchanged", 0)
    assert outcome.rows_in_file == len(sample_lines()) - 1
    assert snapshot(sample_copy) == before


def test_errors_in_several_parts_are_found_at_their_rows_and_nothing_is_written(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()
    for row, column, value in ((5, 2, "2015-13-01"), (25_000, 6, "-100"), (30_000, 2, "igår")):
        cells = lines[row - 1].split(";")
        cells[column] = value
        lines[row - 1] = ";".join(cells)
    lines[20_000 - 1] = ""  # a blank line is a row that counts, and holds nothing
    lines.append("Dnr 2019/X;209900-0016;2019-05-05")  # a short record, in the last part
    file = write_lines(tmp_path / "ansokningar.csv", lines)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, _), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.status == whole.status == "rejected"
    assert findings_of(parts) == findings_of(whole)
    assert parts.findings.lines() == whole.findings.lines()
    assert sorted({f.row for f in parts.findings.errors}) == [5, 25_000, 30_000, len(lines)]
    assert snapshot(parts_db) == snapshot(sample_db)


def test_a_case_number_in_two_parts_is_found_twice(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()
    lines[30_000 - 1] = lines[3 - 1]  # row 3 again, far into another part
    file = write_lines(tmp_path / "ansokningar.csv", lines)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, _), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.status == whole.status == "rejected"
    # The rows and the rule are the whole load's; the case number itself is not shown, because the
    # parts compare them pseudonymised.
    assert [(f.rule, f.row, f.column) for f in parts.findings.errors] == [
        ("unik", 3, "Ärendenummer"),
        ("unik", 30_000, "Ärendenummer"),
    ]
    assert [(f.rule, f.row, f.column) for f in whole.findings.errors] == [
        (f.rule, f.row, f.column) for f in parts.findings.errors
    ]
    assert snapshot(parts_db) == snapshot(sample_db)


def check_both(db: Path, file: Path, monkeypatch) -> dict[str, object]:
    """Check `file` whole and in parts against the same database."""
    results = {}
    for how, part_mb in (("whole", "1000"), ("parts", PART_MB)):
        monkeypatch.setenv("LOM_PART_MB", part_mb)
        (results[how],) = check_files([file], db)
    return results


def test_a_check_reads_in_parts_and_finds_what_a_load_finds_making_no_key(sample_db, tmp_path, monkeypatch):
    """`check` reads a large file in parts as a load does: a case number in two parts is found at
    both rows; without a key to compare with it pseudonymises with a throwaway key in memory and
    creates no key file."""
    key = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv("LOM_KEY_FILE", str(key))
    lines = sample_lines()
    lines[30_000 - 1] = lines[3 - 1]
    file = write_lines(tmp_path / "ansokningar.csv", lines)
    checked = check_both(sample_db, file, monkeypatch)
    assert not key.exists() and not key.parent.exists()
    (whole, parts) = checked["whole"], checked["parts"]
    assert parts.status == whole.status == "rejected"
    assert [(f.rule, f.row, f.column) for f in parts.findings.errors] == [
        ("unik", 3, "Ärendenummer"),
        ("unik", 30_000, "Ärendenummer"),
    ]
    assert [(f.rule, f.row, f.column) for f in whole.findings.errors] == [
        (f.rule, f.row, f.column) for f in parts.findings.errors
    ]


def test_a_check_in_parts_says_what_the_load_in_parts_does(sample_db, tmp_path, monkeypatch):
    """A check of a file in parts reports the rows, agencies and years the load then loads, and an
    application already loaded under another year as the load refuses it."""
    lines = sample_lines()
    file = write_lines(tmp_path / "ansokningar.csv", lines[:10_000] + lines[10_100:])
    checked = check_both(sample_db, file, monkeypatch)
    (loaded, db) = load_both(sample_db, tmp_path, file, monkeypatch)["parts"]
    for how in ("whole", "parts"):
        outcome = checked[how]
        assert outcome.status == loaded.status == "loaded"
        assert (outcome.kinds, outcome.rows_in_file, outcome.agencies, outcome.years) == (
            loaded.kinds,
            loaded.rows_in_file,
            loaded.agencies,
            loaded.years,
        )
        assert outcome.findings.lines() == loaded.findings.lines()
    # The first application again, received a year later, in a file of its own year: a conflict.
    cells = lines[1].split(";")
    year = int(cells[2][:4])
    cells[2], cells[3] = f"{year + 6}-01-02", ""
    cells[5:8] = ["under handläggning", cells[6], "0"]
    others = [line for line in lines[1:] if line.split(";")[1] != cells[1]][:2_000]  # in two parts or more
    moved = write_lines(tmp_path / "flyttad.csv", [lines[0], ";".join(cells), *others])
    again = check_both(db, moved, monkeypatch)
    assert [(f.rule, f.row) for f in again["parts"].findings.errors] == [("finns redan", 2)]
    assert again["whole"].findings.lines() == again["parts"].findings.lines()
    monkeypatch.setenv("LOM_PART_MB", PART_MB)
    (refused,) = load_files([moved], db)
    assert refused.findings.lines() == again["parts"].findings.lines()


def test_findings_about_the_file_are_told_once_not_once_a_part(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()
    lines = [lines[0] + ";Handläggare"] + [line + ";" for line in lines[1:]]
    lines[12_000 - 1] = lines[12_000 - 1] + "x"  # an unnamed column's only cell, in a later part
    file = write_lines(tmp_path / "ansokningar.csv", lines)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, _), (parts, _) = both["whole"], both["parts"]
    assert parts.findings.lines() == whole.findings.lines()
    assert [f.rule for f in parts.findings.warnings].count("okänd kolumn") == 1


def test_a_windows_1252_file_in_parts_reads_its_letters_as_a_whole_load_does(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()
    file = write_lines(tmp_path / "ansokningar.csv", lines[:10_000], encoding="cp1252")
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, whole_db), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.status == whole.status
    assert snapshot(parts_db) == snapshot(whole_db)


@pytest.mark.parametrize(
    "change",
    [
        "utf8_in_a_windows_1252_file",
        "personnummer_in_a_late_part",
        "control_byte_in_a_late_part",
    ],
)
def test_a_file_refused_whole_is_refused_in_parts_with_the_same_words(sample_db, tmp_path, monkeypatch, change):
    lines = sample_lines()[:20_000]
    if change == "utf8_in_a_windows_1252_file":
        data = ("\n".join(lines[:15_000]) + "\n").encode("cp1252")
        data += ("\n".join(lines[15_000:]).replace("Mentorskap", "Mentorskap ö") + "\n").encode("utf-8")
    elif change == "personnummer_in_a_late_part":
        cells = lines[18_000 - 1].split(";")
        cells[4] = "Mentorskap 19121212-1212"  # a test number with a valid check digit
        lines[18_000 - 1] = ";".join(cells)
        data = ("\n".join(lines) + "\n").encode("utf-8")
    else:
        lines[19_000 - 1] = lines[19_000 - 1].replace(";", "\x07;", 1)
        data = ("\n".join(lines) + "\n").encode("utf-8")
    file = tmp_path / "ansokningar.csv"
    file.write_bytes(data)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, _), (parts, parts_db) = both["whole"], both["parts"]
    assert whole.status == parts.status == "rejected"
    assert parts.findings.lines() == whole.findings.lines()
    assert "19121212" not in "\n".join(parts.findings.lines())
    assert snapshot(parts_db) == snapshot(sample_db)


def test_parts_end_where_records_end_even_inside_quoted_line_breaks(tmp_path):
    header = "ärendenummer;orgnr;inkom;beslutsdatum;insats;beslut;sökt belopp;beviljat belopp;kön;åldersgrupp"
    records = [
        f'K{n};209900-0016;2024-01-01;;"Mentorskap\n{"i två rader" if n % 3 else ""}";under handläggning;1;0;;'
        for n in range(2_000)
    ]
    data = (header + "\n" + "\n".join(records) + "\n").encode()
    file = tmp_path / "ansokningar.csv"
    file.write_bytes(data)
    found = survey(file, 1000)
    assert len(found.parts) > 50
    assert b"".join(data[p.start : p.end] for p in found.parts) == data
    for part in found.parts:
        assert data[: part.end].count(b'"') % 2 == 0 and data[part.end - 1 : part.end] == b"\n"
        assert part.first_line == data[: part.start].count(b"\n") + 1


def test_the_spill_of_a_killed_load_is_removed_by_the_next(sample_db, tmp_path, monkeypatch):
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    leftover = tmp_path / "lom.duckdb.next-999999.tmp"  # the spill of a load that was killed
    leftover.mkdir()
    (leftover / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1024)
    lines = sample_lines()
    file = write_lines(tmp_path / "ansokningar.csv", lines[:5_000] + lines[5_001:])
    monkeypatch.setenv("LOM_PART_MB", PART_MB)
    monkeypatch.setenv("LOM_LOADER_MEMORY", "100MB")
    (outcome,) = load_files([file], db)
    assert (outcome.status, outcome.rows_inserted) == ("loaded", len(lines) - 2)
    assert rows(db, "select count(*) from applications where year(received_on) <= 2019") == [(len(lines) - 2,)]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("lom")) == ["lom.duckdb", "lom.duckdb.lock"]


def load_log(db: Path) -> list[tuple]:
    return rows(db, f"{LOG}, warnings from loads order by load_id desc limit 1")


@pytest.mark.parametrize(
    "tail",
    [
        "\n" * 60_000 + "\x0c\n",  # a part of blank lines but for a form feed: refused
        "\n" * 60_000 + "\t\n",  # ... but for a tab: a record of one field
        ";;;;;;;;;\n" * 6_000,  # Excel's empty rows, a part of them: no "no rows" warning
    ],
)
def test_a_part_that_only_looks_blank_is_read_as_a_whole_load_reads_it(sample_db, tmp_path, monkeypatch, tail):
    file = tmp_path / "ansokningar.csv"
    file.write_bytes(("\n".join(sample_lines()[:2_000]) + "\n" + tail).encode())
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, whole_db), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.status == whole.status
    assert parts.findings.lines() == whole.findings.lines()
    assert load_log(parts_db) == load_log(whole_db)
    assert snapshot(parts_db) == snapshot(whole_db)


def test_a_problem_with_the_whole_file_in_a_late_part_is_all_that_is_reported(sample_db, tmp_path, monkeypatch):
    lines = sample_lines()[:20_000]
    cells = lines[4 - 1].split(";")
    cells[2] = "2015-13-01"  # an error in the first part, which a whole read never gets to
    lines[4 - 1] = ";".join(cells)
    lines[15_000 - 1] = lines[15_000 - 1].replace(";", "\x07;", 1)
    file = write_lines(tmp_path / "ansokningar.csv", lines)
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, whole_db), (parts, parts_db) = both["whole"], both["parts"]
    assert parts.findings.lines() == whole.findings.lines()
    assert [f.rule for f in parts.findings.errors] == ["teckenkodning"]
    assert load_log(parts_db) == load_log(whole_db)
    assert load_log(parts_db)[0][:3] == ("rejected", None, 0)  # no kinds, no agencies: nothing was read


def test_a_csv_named_as_a_workbook_is_refused_in_parts_too(sample_db, tmp_path, monkeypatch):
    file = write_lines(tmp_path / "ansokningar.xlsx", sample_lines()[:5_000])
    both = load_both(sample_db, tmp_path, file, monkeypatch)
    (whole, _), (parts, parts_db) = both["whole"], both["parts"]
    assert whole.status == parts.status == "rejected"
    assert parts.findings.lines() == whole.findings.lines()
    assert snapshot(parts_db) == snapshot(sample_db)


def test_a_stray_quote_is_carried_from_line_to_line(tmp_path):
    header = "ärendenummer;orgnr;inkom"
    lines = [f"K{n};209900-0016;2024-01-01" for n in range(5_000)]
    lines[10] = 'K10;209900-0016;"2024-01-01'  # opens a quote that the file never closes
    data = (header + "\n" + "\n".join(lines) + "\n").encode()
    file = tmp_path / "ansokningar.csv"
    file.write_bytes(data)
    found = survey(file, 1000)
    # No line break after the stray quote ends a record: the rest of the file is one part.
    assert [p.end for p in found.parts][-1] == len(data)
    assert all(data[: p.end].count(b'"') % 2 == 0 for p in found.parts[:-1])
    assert found.parts[-1].start <= data.index(b'"')


def test_the_survey_finds_the_line_of_the_first_byte_that_is_not_utf8_whatever_the_blocks(tmp_path, monkeypatch):
    """The survey checks UTF-8 block by block, carrying a character cut by a block's end to the
    next; with blocks of every size from 1 to 9 bytes, each line break form, and a bad byte
    at every place, it names the line Python's decoder of the whole file names."""
    text = "å;€x\r\nKö 😀;\rb\n\u030a;ÅÄÖ\r\n".encode()

    def line_of_first_bad(data: bytes) -> int | None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            head = data[: bad.start]
            return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        return None

    cases = [text, text[:-3] + b"\xe2\x82", text + b"\xf0"]
    cases += [text[:at] + b"\xff" + text[at:] for at in range(len(text) + 1)]
    cases += [text[:at] + text[at + 1 :] for at in range(len(text)) if text[at] >= 0x80]  # a character cut
    file = tmp_path / "a.csv"
    checked = 0
    for block in range(1, 10):
        monkeypatch.setattr("pipelines.parts.BLOCK", block)
        for data in cases:
            file.write_bytes(data)
            assert survey(file, 10**6).bad_utf8_line == line_of_first_bad(data), (block, data)
            checked += line_of_first_bad(data) is not None
    assert checked > 9 * len(text)  # most cases hold a bad byte
