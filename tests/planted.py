"""Personal data as people write it, and the proof that a planted value appears nowhere.

The forms are written here from the description of a personnummer (Skatteverket's check digit,
samordningsnummer with day + 60), apart from the loader's own code.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import duckdb

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
FULLWIDTH = "０１２３４５６７８９"


def check_digit(nine_digits: str) -> str:
    """The Luhn check digit of nine digits, weights 2, 1, 2, 1 ..."""
    products = [int(d) * w for d, w in zip(nine_digits, [2, 1] * 5, strict=False)]
    return str((10 - sum(p // 10 + p % 10 for p in products) % 10) % 10)


def personnummer(yymmdd: str, serial: str = "238", century: str = "", separator: str = "-") -> str:
    """A valid personnummer (or samordningsnummer, with day + 60) in the given form."""
    return f"{century}{yymmdd}{separator}{serial}{check_digit(yymmdd + serial)}"


def in_digits(text: str, digits: str) -> str:
    """The text with its ASCII digits written in another script's digits."""
    return text.translate(str.maketrans("0123456789", digits))


PNR = personnummer("850709")  # 850709-2388
SAMORDNING = personnummer("850769")  # day 09 + 60
# The forms people write, each a personnummer or samordningsnummer the scan must see.
FORMS = {
    "bindestreck": PNR,
    "tankstreck": PNR.replace("-", "\u2013"),
    "minustecken": PNR.replace("-", "\u2212"),
    "mellanslag": PNR.replace("-", " "),
    "hårt mellanslag": PNR.replace("-", "\u00a0"),
    "smalt hårt mellanslag": PNR.replace("-", "\u202f"),
    "utan avgränsare": PNR.replace("-", ""),
    "tolv siffror": personnummer("850709", century="19", separator=""),
    "tolv siffror med tankstreck": personnummer("850709", century="19", separator="\u2013"),
    "plustecken": personnummer("120523", serial="147", separator="+"),
    "samordningsnummer": SAMORDNING,
    "helbreda siffror": in_digits(PNR, FULLWIDTH),
    "arabisk-indiska siffror": in_digits(PNR, ARABIC_INDIC),
    "nollbredd inuti": PNR[:8] + "\u200b" + PNR[8:],
    "hårt bindestreck": PNR.replace("-", "\u2011"),
    "med text omkring": f"Sökande {PNR.replace('-', chr(0x2013))}, se akt",
}
# Forms that are text wherever they stand: not an amount, count or date of the contract's form.
TEXT_FORMS = {name: value for name, value in FORMS.items() if name not in ("utan avgränsare", "tolv siffror")}
EMAILS = {
    "vanlig": "anna.andersson@myndighet.example.se",
    "(at)": "anna.andersson(at)myndighet.se",
    "[at] [dot]": "anna.andersson [at] myndighet [dot] se",
    "helbrett snabel-a": "anna.andersson＠myndighet.se",
    "utan toppdomän": "anna.andersson@myndighet",
}


def digits_of(text: str) -> str:
    """Every digit of a text, of any script, as ASCII digits, and nothing else."""
    plain = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) for c in plain if unicodedata.category(c) == "Nd")


def core(value: str) -> str:
    """What must never be seen of a planted value: its digits (ten at least), or else its text."""
    digits = digits_of(value)
    if len(digits) >= 10:
        return digits[-10:]
    return value.split("@")[0].split("(")[0].split("[")[0].split("＠")[0].strip().lower()


def assert_nowhere(value: str, output: str, db: Path) -> None:
    """The planted value is in no output, no column of any table and no byte of the database."""
    secret = core(value)
    assert secret not in _searchable(output), "the value was printed"
    for table, column, text in _every_cell(db):
        assert secret not in _searchable(text), f"the value is stored in {table}.{column}"
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            raw = path.read_bytes()
            for form in {value, secret, value.lower()}:
                assert form.encode() not in raw, f"the value is in the bytes of {path.name}"


SEPARATORS = re.compile(r"[\s\-+\u2010-\u2015\u2212\u00ad\u200b-\u200d\u2060\ufeff]")


def _searchable(text: str) -> str:
    """Text in lower case with digits of any script as ASCII and the marks people write between
    digits (spaces, dashes, plus, zero-width) taken out, so that 850709 – 2388 reads 8507092388."""
    plain = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).lower()
    if not plain.isascii():
        plain = "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in plain)
    return plain + "\n" + SEPARATORS.sub("", plain)


def _every_cell(db: Path):
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.sql(
            "select table_name, column_name from information_schema.columns "
            "join information_schema.tables using (table_catalog, table_schema, table_name) "
            "where table_type = 'BASE TABLE' and data_type not in ('DOUBLE', 'FLOAT')"  # ratios hold no planted value
        ).fetchall()
        for table, column in tables:
            query = f"select coalesce(string_agg(\"{column}\"::varchar, '|'), '') from \"{table}\""
            text = con.sql(query).fetchall()
            yield table, column, text[0][0]
    finally:
        con.close()
