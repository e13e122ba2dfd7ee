"""Find personal data in a file so that it can be refused; never repeat what was found.

What is looked for, in text normalised as a person reads it (pipelines/normalise.py):
- a personnummer or samordningsnummer (day + 60): 10 or 12 digits, with '-', '+', a space or
  nothing between date and number, a valid date and a valid check digit. Organisation numbers
  ("month" 20 or more) are no date and never match. In an applications file, a number whose date
  lies within a year of its row's received date is a dated case number (`20240312-0001`), not a
  person's number;
- an e-mail address, also written `namn(at)myndighet.se`, `[at]`/`[dot]` or with a fullwidth ＠;
- a column header that names a person (see `person_headers`).

All of it is vectorised: a million distinct case numbers take seconds, not minutes.
"""

from __future__ import annotations

import re

import polars as pl

from pipelines.contract import ROW
from pipelines.normalise import escaped, folded, plain, plain_series
from pipelines.parse import luhn_valid
from pipelines.report import ERROR, KEPT_PER_COLUMN_AND_RULE, Finding, listed, shortened

PERSONNUMMER = "ett personnummer eller samordningsnummer"
EMAIL_ADDRESS = "en e-postadress"
SAMORDNING_OFFSET = 60  # a samordningsnummer's day is the day of birth plus 60
DATED_WITHIN_DAYS = 366  # a case number dated within a year of its row's received date
# Six or eight digits, then four, apart from other digits, with one separator at most. Matched
# in text whose every non-digit is doubled, so that two numbers never share the character between
# them (the regex engine has no look-around): a separator then reads '--', '++' or two spaces.
SHAPE = r"(?:^|[^0-9])(?:[0-9]{2})?[0-9]{6}(?:  )?(?:--|\+\+)?(?:  )?[0-9]{4}(?:[^0-9]|$)"
EMAIL = r"[\w.%+\-]+@(?:[\w\-]+\.)*[\w\-]*\p{L}[\w\-]*"
NUMBER_LIKE = r"[0-9]{6}.{0,3}[0-9]{4}"
# What a value must hold, before normalising, to be looked at closely: digits like the above, an
# at sign or its obfuscation, or anything beyond ASCII (other digits, dashes and spaces).
PRE_FILTER = r"[0-9]{6}.{0,3}[0-9]{4}|@|(?i:[\(\[\{<]\s*(?:at|snabel))|[^\x00-\x7f]"
CENTURIES = ("18", "19", "20")


def candidates(values: pl.Series) -> pl.DataFrame:
    """Every personnummer or samordningsnummer and e-mail address in the values.

    One row per value and find: `value` (as given), `what` (which kind of personal data), and
    `dates`, the dates the number's digits may stand for (empty for an e-mail address, which is
    personal data wherever it stands).
    """
    distinct = values.drop_nulls().unique().rename("value").to_frame()
    distinct = distinct.filter(pl.col("value").str.contains(PRE_FILTER))
    if distinct.is_empty():  # most columns of most files: none of the steps below has work
        return pl.DataFrame(schema={"value": pl.String, "what": pl.String, "dates": pl.List(pl.Date)})
    texts = distinct.with_columns(plain_series(distinct["value"]).alias("text"))
    emails = texts.filter(pl.col("text").str.contains(EMAIL)).select(
        "value", pl.lit(EMAIL_ADDRESS).alias("what"), pl.lit([], pl.List(pl.Date)).alias("dates")
    )
    doubled = pl.col("text").str.replace_all(r"([^0-9])", "$1$1")
    found = (
        texts.filter(pl.col("text").str.contains(NUMBER_LIKE))
        .select("value", doubled.str.extract_all(SHAPE).alias("match"))
        .explode("match")
        .drop_nulls("match")
    )
    core = pl.col("match").str.replace(r"^[^0-9]+", "").str.replace(r"[^0-9]+$", "")
    numbers = found.select("value", core.str.replace_all(r"[^0-9]", "").alias("digits"))
    return pl.concat([_valid_numbers(numbers), emails])


def _valid_numbers(numbers: pl.DataFrame) -> pl.DataFrame:
    """Keep the numbers with a valid date and check digit, with the dates they may stand for."""
    tail = pl.col("digits").str.slice(-10)
    day = tail.str.slice(4, 2).cast(pl.Int32)
    day = pl.when(day > SAMORDNING_OFFSET).then(day - SAMORDNING_OFFSET).otherwise(day)

    def date_in(century: pl.Expr) -> pl.Expr:
        text = pl.concat_str(century, tail.str.slice(0, 2), pl.lit("-"), tail.str.slice(2, 2), pl.lit("-"))
        return pl.concat_str(text, day.cast(pl.String).str.zfill(2)).str.to_date("%Y-%m-%d", strict=False)

    written = pl.when(pl.col("digits").str.len_chars() == 12).then(pl.col("digits").str.slice(0, 2))
    dates = (
        pl.when(written.is_not_null())
        .then(pl.concat_list(date_in(written)))
        .otherwise(pl.concat_list(date_in(pl.lit("19")), date_in(pl.lit("20"))))
        .list.drop_nulls()
    )
    return (
        numbers.with_columns(dates.alias("dates"))
        .filter(luhn_valid(tail) & (pl.col("dates").list.len() > 0) & (written.is_null() | written.is_in(CENTURIES)))
        .select("value", pl.lit(PERSONNUMMER).alias("what"), "dates")
    )


def holds_personal_data(text: str) -> bool:
    """Tell whether one text holds a personnummer, samordningsnummer or e-mail address."""
    return not candidates(pl.Series([text])).is_empty()


def contains_personnummer(text: str) -> bool:
    """Tell whether one text holds a personnummer or samordningsnummer."""
    return PERSONNUMMER in candidates(pl.Series([text]))["what"].to_list()


def replaced(text: str) -> str:
    """The text with each run that holds personal data replaced, as far as it can be cut out."""
    pieces = re.split(r"(\s+|[_/\\,;])", text)
    return "".join("(personuppgift)" if holds_personal_data(piece) else piece for piece in pieces)


def safe_name(name: str) -> str:
    """Return a file name fit for messages and logs: control characters escaped, personal data
    replaced (the whole name when it cannot be cut out)."""
    if not holds_personal_data(name):
        return escaped(name)
    stem, dot, suffix = name.rpartition(".")
    shown = replaced(stem) + dot + suffix if dot and not holds_personal_data(suffix) else replaced(name)
    if holds_personal_data(shown):
        return "(filnamnet innehåller en personuppgift och visas inte)"
    return escaped(shown)


def redact_headers(
    headers: list[str], row: int, sheet: str | None, first_column: int
) -> tuple[list[str], list[Finding]]:
    """Replace each header holding personal data by its column letter, with a finding for it."""
    personal = dict(candidates(pl.Series(headers, dtype=pl.String)).select("value", "what").iter_rows())
    safe, findings = [], []
    for position, header in enumerate(headers):
        if header in personal:
            letter = f"kolumn {excel_letter(first_column + position)}"
            findings.append(_found(row, letter, sheet, personal[header], "rubriken"))
            header = letter
        safe.append(header)
    return safe, findings


def scan_columns(
    frame: pl.DataFrame, columns: dict[str, str], sheet: str | None, received: pl.Expr | None = None
) -> list[Finding]:
    """Report each cell holding personal data by row and column header, never by value.

    Distinct values are tested, then the rows holding them found; past the first rows of a column
    the rest are counted, so that a file full of personal data still gives a bounded report.
    `received`, for an applications table, gives each row's received date: a number dated within
    a year of it is a case number, not a person's.
    """
    findings = []
    nulls = frame.select(pl.col(list(columns)).null_count()).row(0) if columns else ()
    for (name, header), null_count in zip(columns.items(), nulls, strict=True):
        if null_count == frame.height:  # a wide file's empty columns: one pass for all of them
            continue
        found = candidates(frame.get_column(name))
        if found.is_empty():
            continue
        rows = frame.select(ROW, pl.col(name).alias("value"), _received(received)).join(found, on="value")
        rows = rows.filter((pl.col("what") != PERSONNUMMER) | ~_near_received())
        for what in (PERSONNUMMER, EMAIL_ADDRESS):
            hits = rows.filter(pl.col("what") == what).select(ROW).unique().sort(ROW)
            if not hits.is_empty():
                first = hits.head(KEPT_PER_COLUMN_AND_RULE).get_column(ROW)
                findings += listed([_found(row, header, sheet, what) for row in first], hits.height)
    return findings


def _received(received: pl.Expr | None) -> pl.Expr:
    return (received if received is not None else pl.lit(None, pl.Date)).alias("received")


def _near_received() -> pl.Expr:
    """Whether any date of a number lies within DATED_WITHIN_DAYS of its row's received date."""
    gaps = pl.col("dates").list.eval(pl.element().cast(pl.Int32)) - pl.col("received").cast(pl.Int32)
    return (gaps.list.eval(pl.element().abs() <= DATED_WITHIN_DAYS).list.any()).fill_null(False)


def scan_cells(frame: pl.DataFrame, sheet: str | None, first_column: int) -> list[Finding]:
    """Scan every cell of a sheet's rows that are not loaded (text, as fastexcel reads them),
    naming columns by their letter; `first_column` is where the sheet's used range starts."""
    columns = {c: excel_letter(first_column + i) for i, c in enumerate(frame.columns)}
    return scan_columns(frame.with_row_index(ROW, offset=1), columns, sheet)


def scan_texts(texts: list[tuple[str, str]], sheet: str | None = None) -> list[Finding]:
    """Scan texts found outside the cells (where, text): comments, headers and footers, names ...

    Each finding says where the text was (`where` is Swedish: "en kommentar i cell B3").
    """
    if not texts:
        return []
    personal = dict(candidates(pl.Series([text for _, text in texts])).select("value", "what").iter_rows())
    seen, findings = set(), []
    for where, text in texts:  # one finding a place and kind, however many texts hold it
        if text in personal and (where, personal[text]) not in seen:
            seen.add((where, personal[text]))
            findings.append(
                Finding(
                    ERROR,
                    "personuppgift",
                    f"{where} innehåller {personal[text]}; filen avvisas (värdet visas inte)",
                    sheet=sheet,
                )
            )
    return findings


def person_headers(headers: list[str], person_words: frozenset[str], sheet: str | None) -> list[Finding]:
    """Report each header that names a person: 'Namn', 'first_name', 'Handläggare', 'Е-пост' with a
    Cyrillic Е ..., matched after normalising and folding look-alike letters."""
    words = sorted({folded(w) for w in person_words})  # any of them found is enough: no order matters
    pattern = re.compile(r"(?<![a-zåäöé0-9])(?:" + "|".join(re.escape(w) for w in words) + ")")
    return [
        Finding(
            ERROR,
            "personuppgift: rubrik",
            "kolumnrubriken avser en person; sådana kolumner får inte skickas",
            column=shortened(plain(header)),
            sheet=sheet,
        )
        for header in headers
        if pattern.search(folded(header))
    ]


def excel_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _found(row: int | None, header: str, sheet: str | None, what: str, place: str = "cellen") -> Finding:
    return Finding(
        ERROR,
        "personuppgift",
        f"{place} innehåller {what}; filen avvisas (värdet visas inte)",
        row=row,
        column=header,
        sheet=sheet,
    )
