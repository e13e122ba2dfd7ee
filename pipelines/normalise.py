"""Text as a person reads it: what the personal-data scan and header matching look at.

People write the same number and the same word in many ways: a personnummer with an en dash, a
minus sign, a no-break space or no separator, in fullwidth or Arabic-Indic digits, with a
zero-width space inside; an e-mail address as `namn(at)myndighet.se`; a header with a Cyrillic а
that looks like a Latin a. Everything is normalised before it is scanned or matched: Unicode NFKC,
every decimal digit of any script as its ASCII value, every dash or minus as '-', every kind of
space as one space, zero-width characters dropped, and the common e-mail obfuscations undone.

The steps are Polars expressions (`as_read`), for columns and single texts alike; plain ASCII
text, almost all, takes a short way in Python that tests/test_detector.py holds to the same result.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

import polars as pl

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2796\u02d7\ufe58\ufe63\uff0d"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
# `(at)`, `[at]`, `{at}`, `<at>`, `(snabel-a)` and `(dot)`, `[punkt]` ... with or without spaces.
AT = r"(?i)\s*[\(\[\{<]\s*(?:at|snabel-?a)\s*[\)\]\}>]\s*"
DOT = r"(?i)\s*[\(\[\{<]\s*(?:dot|punkt)\s*[\)\]\}>]\s*"
AT_PY, DOT_PY = (pattern.replace(r"\s", r"[^\S\x1c-\x1f]") for pattern in (AT, DOT))
NOT_ASCII = r"[^\x00-\x7f]"
# Unicode's White_Space, as the Rust regex of Polars reads `\s`; Python's `\s` also takes the
# separators \x1c-\x1f, so it is narrowed here.
SPACES = r"[^\S\x1c-\x1f]+"

# Letters of other scripts that look like the Latin letters of Swedish words (Unicode's
# confusables, the ones a header can be written with): Cyrillic and Greek.
LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁӏԛԝкмнтвАВЕКМНОРСТХУІЈЅӧӓӦӒαεορντικχυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdlqwkmhtbabekmhopctxyijsöäöäaeopvtikxuabezhikmnoptyx",
)


@cache
def digit_map() -> dict[str, str]:
    """Every decimal digit of every script beyond ASCII, mapped to its ASCII digit (NFKC maps the
    fullwidth ones itself, not the Arabic-Indic, Devanagari ... ones)."""
    # Unicode assigns decimal digits (category Nd) only in runs of ten, 0 to 9 (a stability
    # policy): every tenth code point meets each run, and its value says where the run starts.
    # A tenth of the look-ups of every code point; each process that reads a file needs the map.
    zeros = {
        code - unicodedata.decimal(chr(code))
        for code in range(0x80, sys.maxunicode + 1, 10)
        if unicodedata.category(chr(code)) == "Nd"
    }
    return {chr(zero + value): str(value) for zero in sorted(zeros) for value in range(10)}


def plain(text: str) -> str:
    """Normalise one text as the scan reads it (see the module's docstring).

    Text beyond ASCII goes through the same Polars expression as a column (`as_read`), whose
    Unicode tables are newer than this Python's: one implementation, one result.
    """
    if not text.isascii():
        return pl.Series([text], dtype=pl.String).to_frame("text").select(as_read(pl.col("text"))).item()
    return re.sub(DOT_PY, ".", re.sub(AT_PY, "@", re.sub(SPACES, " ", text)))


def as_read(column: pl.Expr) -> pl.Expr:
    """Normalise a text column as `plain` normalises one text."""
    text = column.str.normalize("NFKC").str.replace_many(digit_map())
    text = text.str.replace_all(f"[{ZERO_WIDTH}]", "").str.replace_all(f"[{DASHES}]", "-")
    text = text.str.replace_all(r"\s+", " ")
    return text.str.replace_all(AT, "@").str.replace_all(DOT, ".")


def plain_series(values: pl.Series) -> pl.Series:
    """Normalise a column of texts (none null); the ASCII ones, almost all, take the short way."""
    frame = values.rename("text").to_frame().with_row_index("index")
    other = pl.col("text").str.contains(NOT_ASCII)
    ascii_ = frame.filter(~other).with_columns(
        pl.col("text").str.replace_all(r"\s+", " ").str.replace_all(AT, "@").str.replace_all(DOT, ".")
    )
    wide = frame.filter(other).with_columns(as_read(pl.col("text")))
    return pl.concat([ascii_, wide]).sort("index").get_column("text")


def folded(text: str) -> str:
    """A header as it is matched: normalised, look-alike letters as Latin ones, lower case,
    underscores as spaces, one space between words."""
    text = plain(text).translate(LOOKALIKES).lower()
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.replace("_", " ").split())


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escaped(text: str) -> str:
    """Show control characters as escapes (`\\n`, `\\x1b`), so a file name cannot forge a line of
    output, move the cursor of a terminal or turn text around."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return CONTROL.sub(
        lambda m: named.get(
            m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
