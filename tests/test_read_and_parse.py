"""Encodings, separators, Swedish numbers and dates: read right or refused clearly."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from pipelines import parse
from pipelines.read import BELOW_COMBINING_MARKS, decode, first_bad_utf8, is_utf8
from pipelines.report import FileProblem

from .conftest import rows, run_cli, snapshot, write
from .test_rules import AGENCY_HEADER

AGENCY = "209900-0990;Myndigheten för åäö och ÅÄÖ;Kultur, utbildning och övrigt"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_accepted_encodings_keep_swedish_letters(tmp_path, capsys, encoding, prefix):
    db = tmp_path / "db.duckdb"
    path = tmp_path / "m.csv"
    path.write_bytes(prefix + f"{AGENCY_HEADER}\n{AGENCY}\n".encode(encoding))
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 0, output
    assert rows(db, "select name from agencies") == [("Myndigheten för åäö och ÅÄÖ",)]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (f"{AGENCY_HEADER}\n{AGENCY}\n".encode("utf-16"), "UTF-16"),
        (f"{AGENCY_HEADER}\n{AGENCY}\n".encode("utf-16-le"), "UTF-16"),
        (
            f"{AGENCY_HEADER}\n".encode() + b"209900-0990;Verket \x81\x8d;x\n",
            "varken UTF-8 eller Windows-1252",
        ),
        (
            f"{AGENCY_HEADER}\nMyndigheten för å;".encode() + "ö".encode("cp1252") + b"\n",
            "blandar UTF-8 och Windows-1252",
        ),
        (b"\x00\x01\x02binary", "UTF-16"),
        (f"{AGENCY_HEADER}\n209900-0990;Verket\x07;x\n".encode(), "styrtecken"),
    ],
    ids=["utf-16 with BOM", "utf-16 without BOM", "invalid bytes", "mixed encodings", "binary", "control"],
)
def test_other_encodings_are_refused(sample_copy, tmp_path, capsys, data, says):
    """UTF-16, invalid bytes and mixtures are refused, never stored with replacement characters."""
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, path)
    assert code == 1
    assert says in output and "[teckenkodning]" in output
    assert snapshot(sample_copy) == before
    assert rows(sample_copy, "select count(*) from agencies where name like '%\ufffd%'") == [(0,)]


def test_invalid_bytes_are_located_by_line():
    with pytest.raises(FileProblem) as problem:
        decode(b"a;b\n1;2\n3;\x81\n")
    assert "rad 3" in problem.value.finding.message


def test_text_below_the_combining_marks_is_composed_and_none_of_it_composes():
    """What lets decode() pass text by its bytes alone: every character below U+0300 is in NFC
    and no two of them compose, and the bytes that encode them are exactly those let through."""
    below = [chr(code) for code in range(0x300)]
    assert all(unicodedata.is_normalized("NFC", first + second) for first in below for second in below)
    assert not "".join(below).encode().translate(None, BELOW_COMBINING_MARKS)
    for starts in ("\u0300", "\u0374", "\u1100", "\uac00", "\u212b", "€"):  # marks, Hangul, Ångström
        assert starts.encode().translate(None, BELOW_COMBINING_MARKS)


@pytest.mark.parametrize(
    "text",
    ["Omställning för å, ä och ö", "A\u030angström", "Ko\u0308n;e\u0301;\u1100\u1161", "\u212b och \u0958"],
    ids=["composed", "a + ring", "marks and Hangul", "singletons"],
)
def test_decode_gives_text_in_composed_form(text):
    expected = unicodedata.normalize("NFC", f"a;b\n{text}\n").encode()
    assert decode(f"a;b\n{text}\n".encode()) == expected
    if all(ord(c) < 0x300 for c in text):
        assert decode(f"a;b\n{text}\n".encode("cp1252")) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"a;b\n1;2\n3;\x81\n",
        b"a;b\r\n\xc3\xa5;\xc3\n",  # a character cut by the line's end
        b"a;b\r1;\xed\xa0\x80\r",  # a surrogate, which UTF-8 does not encode
        b"\xc0\xaf;b\n",  # an overlong form of '/'
        b"a;\xf4\x90\x80\x80",  # beyond U+10FFFF
        b"a;\xe2\x82",  # the file ends inside a character
    ],
)
def test_invalid_utf8_is_told_as_python_tells_it(data):
    """The quick check (Polars) and Python's decoder agree on what is UTF-8."""
    assert not is_utf8(data)
    with pytest.raises(UnicodeDecodeError) as python:
        data.decode("utf-8")
    assert first_bad_utf8(data) == python.value.start


def test_valid_utf8_at_the_edges_is_told_valid():
    """At each length's edges, beside the surrogates and at the last code point, the quick check
    lets a character through whole and refuses it with its last byte cut off."""
    for character in ("\u007f", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "\U00010000", "\U0010ffff"):
        assert is_utf8(f"a;{character}\n".encode())
        assert not is_utf8(f"a;{character}\n".encode()[:-2]) or len(character.encode()) == 1


def test_comma_separated_file_with_quoted_sectors(tmp_path, capsys):
    db = tmp_path / "db.duckdb"
    path = write(
        tmp_path / "m.csv",
        'org_nr,name,sector\n209900-0990,"Verket, med komma","Ekonomi, skatt och finans"\n',
    )
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 0, output
    assert rows(db, "select name, sector from agencies") == [("Verket, med komma", "Ekonomi, skatt och finans")]


def frame(values: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame({"x": values}, schema={"x": pl.String})


def parsed(parser, values):
    result = frame(values).select(parser("x").value.alias("value"), parser("x").bad.alias("bad"))
    return result["value"].to_list(), result["bad"].to_list()


def test_amounts_in_swedish_and_english_forms():
    """Decimal comma or point; space, no-break space or narrow no-break space between thousands."""
    values, bad = parsed(
        parse.amount,
        ["1 234 567,50", "1\u00a0234\u00a0567,5", "1\u202f234", "1234567.50", "-12,00", " 7 ", None, ""],
    )
    assert values == [
        Decimal("1234567.50"),
        Decimal("1234567.50"),
        Decimal("1234.00"),
        Decimal("1234567.50"),
        Decimal("-12.00"),
        Decimal("7.00"),
        None,
        None,
    ]
    assert not any(bad)


@pytest.mark.parametrize(
    "text", ["1.234", "1,234", "1 234.567", "1.234,50", "1,234.50", "12 34", "1e6", "12 kr", "0,125"]
)
def test_ambiguous_or_malformed_amounts_are_refused(text):
    values, bad = parsed(parse.amount, [text])
    assert values == [None] and bad == [True]


def test_dates_and_integers():
    values, bad = parsed(parse.date, ["2024-03-31", "20240331", "2024-02-29", "2023-02-29", "31/03/2024"])
    assert values == [date(2024, 3, 31), date(2024, 3, 31), date(2024, 2, 29), None, None]
    assert bad == [False, False, False, True, True]
    values, bad = parsed(parse.integer, ["12", "1 200", "12,0", "-1", "1 2"])
    assert values == [12, 1200, None, None, None] and bad == [False, False, True, True, True]


def test_org_nr_forms_and_check_digit():
    values, bad = parsed(parse.org_nr, ["209900-0016", "2099000016", "209900-0017", "20990-00016", "abc"])
    assert values == ["209900-0016", "209900-0016", None, None, None]
    assert bad == [False, False, True, True, True]


def test_codes_match_case_and_aliases():
    accepted = {"kompetensutveckling": "kompetensutveckling", "kurs": "kompetensutveckling"}
    values, bad = parsed(lambda c: parse.code(c, accepted), ["Kompetensutveckling", " KURS ", "yoga"])
    assert values == ["kompetensutveckling", "kompetensutveckling", None] and bad == [False, False, True]
