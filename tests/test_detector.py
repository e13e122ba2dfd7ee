"""The personal-data detector on values alone: what it finds, what it leaves, and where it says it
found it. (The files around it are in test_personal_data_hostile.py.)"""

from __future__ import annotations

import datetime
import sys
import unicodedata

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.contract import ROW
from pipelines.normalise import as_read, digit_map, escaped, folded, plain
from pipelines.personal_data import (
    EMAIL_ADDRESS,
    PERSONNUMMER,
    candidates,
    contains_personnummer,
    excel_letter,
    holds_personal_data,
    person_headers,
    redact_headers,
    safe_name,
    scan_cells,
    scan_columns,
    scan_texts,
)
from pipelines.report import safe_value

from .planted import EMAILS, FORMS, PNR, check_digit, personnummer


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_every_form_is_a_personnummer(form):
    assert contains_personnummer(FORMS[form]) and holds_personal_data(FORMS[form])


@pytest.mark.parametrize("form", list(EMAILS), ids=list(EMAILS))
def test_every_form_is_an_e_mail_address(form):
    found = candidates(pl.Series([EMAILS[form]]))
    assert found["what"].to_list() == [EMAIL_ADDRESS]


@pytest.mark.parametrize(
    "value",
    [
        "209900-0016",  # an organisation number: "month" 99
        "202100-5422",
        "2021005422",
        PNR[:-1] + str((int(PNR[-1]) + 1) % 10),  # the check digit one off
        "850732-2384",  # no 32nd day
        "850229-2384",  # 1985 and 2085 have no 29 February
        "12850709-2388",  # twelve digits whose century is no century
        "128507092388",
        "8507092388" + "1",  # eleven digits
        "18507092388",
        "LOM-2024-0001",
        "Dnr 2015/0001",
        "kurs @ Stockholm",  # an at sign between words is no address
        "@",
        "e-post",
        "",
    ],
)
def test_lookalikes_are_no_personal_data(value):
    assert not holds_personal_data(value)


def test_a_leap_day_is_a_date_in_one_century_and_that_is_enough():
    """000229: 2000 had a 29 February, 1900 did not; a ten-digit number may be either."""
    assert contains_personnummer(personnummer("000229"))
    assert not contains_personnummer(personnummer("000229", century="19", separator=""))
    assert contains_personnummer(personnummer("000229", century="20", separator=""))


@pytest.mark.parametrize("century", ["18", "19", "20"])
def test_the_three_centuries_of_a_twelve_digit_number(century):
    assert contains_personnummer(personnummer("850709", century=century, separator="-"))


def test_two_numbers_side_by_side_are_both_found():
    """The character between two numbers belongs to neither: both are seen."""
    other = personnummer("920311", serial="153")
    found = candidates(pl.Series([f"{PNR},{other}", f"{PNR};x"]))
    assert sorted(found["value"].to_list()) == sorted([f"{PNR},{other}", f"{PNR},{other}", f"{PNR};x"])


def test_a_number_inside_a_longer_run_of_digits_is_none():
    assert not contains_personnummer("1" + PNR.replace("-", "") + "1")
    assert not contains_personnummer("0" + PNR)


def test_candidates_give_the_dates_a_number_may_stand_for():
    found = candidates(pl.Series([PNR, personnummer("850709", century="19", separator=""), personnummer("850769")]))
    dates = {value: sorted(d) for value, d in zip(found["value"], found["dates"], strict=True)}
    assert dates[PNR] == [datetime.date(1985, 7, 9), datetime.date(2085, 7, 9)]
    assert dates["19" + PNR.replace("-", "")] == [datetime.date(1985, 7, 9)]
    assert dates[personnummer("850769")] == [datetime.date(1985, 7, 9), datetime.date(2085, 7, 9)]


def frame(values: list[str | None], received: list[str | None] | None = None) -> pl.DataFrame:
    columns = {ROW: list(range(2, 2 + len(values))), "cell": values}
    if received is not None:
        columns["received"] = received
    return pl.DataFrame(
        columns, schema_overrides={ROW: pl.Int64, "cell": pl.String, "received": pl.String}
    ).with_columns(pl.col("received").str.to_date() if received is not None else pl.lit(None))


def dated(day: datetime.date) -> str:
    """A case number of a date and a serial whose digits pass the check digit."""
    serial = next(s for s in range(1, 10_000) if check_digit(f"{day:%y%m%d}{s:04d}"[:9]) == f"{s:04d}"[-1])
    return f"{day:%Y%m%d}-{serial:04d}"


@pytest.mark.parametrize(
    ("days_before", "is_case"), [(0, True), (365, True), (366, True), (367, False), (-366, True), (-367, False)]
)
def test_a_number_dated_within_a_year_of_its_row_is_a_case_number(days_before, is_case):
    """366 days either side of the row's received date, the boundary included."""
    received = datetime.date(2024, 6, 1)
    number = dated(received - datetime.timedelta(days=days_before))
    rows_ = frame([number], [received.isoformat()])
    found = scan_columns(rows_, {"cell": "ärendenummer"}, None, pl.col("received"))
    assert (found == []) is is_case


def test_without_a_received_date_a_dated_number_is_a_personnummer():
    number = dated(datetime.date(2024, 6, 1))
    assert scan_columns(frame([number], [None]), {"cell": "ärendenummer"}, None, pl.col("received")) != []
    assert scan_columns(frame([number]), {"cell": "ärendenummer"}, None) != []


def test_an_e_mail_address_is_personal_whatever_the_received_date():
    found = scan_columns(frame([EMAILS["vanlig"]], ["2024-06-01"]), {"cell": "x"}, None, pl.col("received"))
    assert [(f.row, f.column, f.rule) for f in found] == [(2, "x", "personuppgift")]
    assert EMAIL_ADDRESS in found[0].message and "(värdet visas inte)" in found[0].message


def test_findings_name_each_row_once_and_count_past_the_first_thousand():
    values = [PNR] * 1500 + [None, "x"]
    found = scan_columns(frame(values), {"cell": "kommentar"}, "Blad1")
    assert [f.row for f in found] == list(range(2, 1002))
    assert found[-1].more == 500 and {f.sheet for f in found} == {"Blad1"}
    assert all(PERSONNUMMER in f.message for f in found)


def test_a_column_of_nothing_is_skipped_and_others_still_scanned():
    rows_ = pl.DataFrame(
        {ROW: [2, 3], "a": [None, None], "b": [None, PNR]}, schema={ROW: pl.Int64, "a": pl.String, "b": pl.String}
    )
    found = scan_columns(rows_, {"a": "A", "b": "B"}, None)
    assert [(f.row, f.column) for f in found] == [(3, "B")]


def test_unloaded_cells_are_named_by_their_letter():
    """Rows count from 1 and columns from the sheet's first used one (D here): the second is E."""
    sheet = pl.DataFrame({"c0": ["Rapport", None], "c1": [None, f"ring {PNR}"]})
    found = scan_cells(sheet, "Blad1", first_column=3)
    assert [(f.row, f.column, f.sheet, f.rule) for f in found] == [(2, "E", "Blad1", "personuppgift")]
    assert found[0].message == f"cellen innehåller {PERSONNUMMER}; filen avvisas (värdet visas inte)"


def test_texts_outside_the_cells_are_reported_once_per_place():
    found = scan_texts(
        [("en kommentar", PNR), ("en kommentar", f"och {PNR}"), ("sidfoten", EMAILS["(at)"]), ("sidfoten", "ok")]
    )
    assert sorted(f.message.split(" innehåller ")[0] for f in found) == ["en kommentar", "sidfoten"]


def test_a_header_holding_personal_data_is_named_by_its_letter():
    headers, found = redact_headers(["ärende", FORMS["tankstreck"], "x"], 1, "Blad1", first_column=1)
    assert headers == ["ärende", "kolumn C", "x"]
    assert [(f.row, f.column, f.sheet, f.rule) for f in found] == [(1, "kolumn C", "Blad1", "personuppgift")]
    assert found[0].message == f"rubriken innehåller {PERSONNUMMER}; filen avvisas (värdet visas inte)"


@pytest.mark.parametrize(
    ("header", "names_a_person"),
    [
        ("Namn", True),
        ("sökandens_namn", True),
        ("N\u0430mn", True),  # Cyrillic а
        ("\u0415-post", True),  # Cyrillic Е
        ("e\u2011post", True),  # a non-breaking hyphen
        ("HANDLÄGGARE", True),
        ("Kontaktperson", True),
        ("Myndighetsnamn", False),  # a word that only ends in a person word
        ("Insats", False),
        ("Antal anställda", False),
    ],
)
def test_person_headers_are_matched_as_people_read_them(header, names_a_person):
    words = frozenset(["namn", "e-post", "handläggare", "kontaktperson", "sökande"])
    found = person_headers(["Insats", header], words, "Blad1")
    assert bool(found) is names_a_person
    if names_a_person:
        assert [(f.severity, f.rule, f.column, f.sheet) for f in found] == [
            ("error", "personuppgift: rubrik", plain(header), "Blad1")
        ]
        assert found[0].message == "kolumnrubriken avser en person; sådana kolumner får inte skickas"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("medel.csv", "medel.csv"),
        (f"medel {FORMS['tankstreck']}.csv", "medel (personuppgift).csv"),
        (f"{PNR}.csv", "(personuppgift).csv"),
        ("rad\nett\x1b[31m.csv", "rad\\nett\\x1b[31m.csv"),
        (f"ansökan_{EMAILS['vanlig']}.xlsx", "ansökan_(personuppgift).xlsx"),
        (f"lista.{PNR}", "(personuppgift)"),  # personal data after the last dot: the whole name is cut
        (PNR, "(personuppgift)"),
    ],
)
def test_file_names_are_escaped_and_their_personal_data_replaced(name, shown):
    assert safe_name(name) == shown


@pytest.mark.parametrize(
    ("column_type", "value", "shown"),
    [
        ("amount", "1.234", "1.234"),
        ("amount", "12 345 kr", "12 345 kr"),
        ("integer", "20x4", "20x4"),
        ("amount", "123 456 789", "123 456 789"),  # nine digits
        ("amount", "1 234 567 890", None),  # ten: a personnummer would fit
        ("amount", "070-123 45", None),  # a telephone number's shape
        ("amount", "Anna", None),
        ("amount", "", None),
        ("date", "2024-13-01", "2024-13-01"),
        ("date", "2024-03-01 12:30", "2024-03-01 12:30"),
        ("org_nr", "202100-1235", "202100-1235"),
        ("org_nr", PNR, None),
        ("code", "kompetensutvekling", None),
        ("text", "Verket", None),
        ("amount", None, None),
    ],
)
def test_a_value_is_shown_only_when_it_cannot_be_personal(column_type, value, shown):
    assert safe_value(column_type, value) == shown


def test_excel_letters():
    assert [excel_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_folding_reads_look_alikes_dashes_and_spaces():
    assert folded("  Е\u2011POST_adress ") == "e-post adress"
    assert plain("٨٥٠٧٠٩ – ٢٣٨٨") == "850709 - 2388"
    assert escaped("a\tb\u202ec") == "a\\tb\\u202ec"


def test_every_digit_of_every_script_is_read_as_its_ascii_digit():
    """The map found a tenth of the way equals one made by looking at every code point."""
    every = {
        chr(code): str(unicodedata.decimal(chr(code)))
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Nd" and code > 0x7F
    }
    assert digit_map() == every
    assert len(every) > 600 and digit_map()["\u0668"] == "8" and digit_map()["\U0001d7ce"] == "0"


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40) | st.text(max_size=40))
def test_the_column_and_the_single_text_normalise_alike(text):
    """ASCII text takes a short way in Python; it must read as the column's expression reads it."""
    assert pl.Series([text]).to_frame("t").select(as_read(pl.col("t"))).item() == plain(text)
