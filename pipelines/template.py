"""Mall för inrapportering: the Excel workbook an agency fills in and sends.

Generated from the contract (pipelines/contract.py: the kinds, their columns, headers, types and
what each column means) and the accepted values of config/lom.toml, so that it cannot drift from
the loader. A sheet per kind of file, with example rows above the header row (the loader reads from
the header row down, so the examples are never loaded), drop-down lists for the coded columns,
date and number formats, and a first sheet of instructions in Swedish. The sheets of instructions
and lists are the template's own: the loader passes them by without a warning.
"""

from __future__ import annotations

import io
from datetime import date

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from lom.db.outcomes import FileKind
from lom.db.settings import Vocabulary, vocabulary
from pipelines.contract import GUIDE, KINDS, LISTS, Column, Kind
from pipelines.validate import PENDING, accepted, value_required

SHEETS = {FileKind.AGENCIES: "Myndigheter", FileKind.FUNDS: "Medel", FileKind.APPLICATIONS: "Ansökningar"}
HEADER_ROW = 6  # zero-based: title, note, examples, a blank row, then the headers
ENTRY_ROWS = 1_048_576 - HEADER_ROW - 1  # every row below the header, to the end of the sheet
EXAMPLE_ORG_NR = "202199-0003"  # a fictitious agency with a valid check digit

FORMATS = {
    "org_nr": "Tio siffror, NNNNNN-NNNN",
    "text": "Text",
    "code": "Välj ur listan",
    "integer": "Heltal",
    "decimal": "Tal med högst två decimaler, t.ex. 1 234,5",
    "amount": "Kronor med högst två decimaler, t.ex. 1 234 567,50",
    "date": "Datum, ÅÅÅÅ-MM-DD",
}
NUMBER_FORMATS = {"org_nr": "@", "text": "@", "code": "@", "integer": "0", "decimal": "#,##0.0#", "amount": "#,##0.00"}


def examples(vocab: Vocabulary) -> dict[FileKind, list[dict[str, object]]]:
    """Two example rows of each kind, of a fictitious agency, that follow every rule."""
    sector = next(iter(dict.fromkeys(vocab.sectors.values())))
    measures = list(dict.fromkeys(vocab.measures.values()))
    granted = vocab.granting[0]
    return {
        FileKind.AGENCIES: [{"org_nr": EXAMPLE_ORG_NR, "name": "Exempelverket", "sector": sector}],
        FileKind.FUNDS: [
            {
                "org_nr": EXAMPLE_ORG_NR,
                "year": 2024,
                "employees": 1200,
                "fte": 1130.5,
                "payroll_sek": 650_000_000,
                "allocated_sek": 1_950_000,
                "spent_sek": 1_500_000.5,
                "opening_balance_sek": 2_000_000,
                "closing_balance_sek": 2_449_999.5,
            }
        ],
        FileKind.APPLICATIONS: [
            {
                "application_id": "Dnr 2024/0001",
                "org_nr": EXAMPLE_ORG_NR,
                "received_on": date(2024, 2, 1),
                "decided_on": date(2024, 3, 1),
                "measure": measures[0],
                "decision": granted,
                "requested_sek": 25_000,
                "granted_sek": 25_000,
                "gender": next(iter(dict.fromkeys(vocab.genders.values()))),
                "age_band": next(iter(dict.fromkeys(vocab.age_bands.values()))),
            },
            {
                "application_id": "Dnr 2024/0002",
                "org_nr": EXAMPLE_ORG_NR,
                "received_on": date(2024, 11, 4),
                "decided_on": None,
                "measure": measures[1],
                "decision": PENDING,
                "requested_sek": 40_000,
                "granted_sek": 0,
                "gender": None,
                "age_band": None,
            },
        ],
    }


def rules(vocab: Vocabulary) -> list[str]:
    """What the loader refuses and why, in the words of the one who fills in the file."""
    return [
        "Inga personuppgifter. En kolumn som namnger en person (namn, personnummer, e-post, telefon, "
        "handläggare och liknande) avvisar hela filen, och ett personnummer i någon cell likaså. "
        "Värdet visas aldrig i svaret.",
        "Ärendenumret sparas bara som en pseudonym, aldrig i klartext; samma ärendenummer får bara "
        "förekomma en gång per myndighet.",
        "Organisationsnumret ska ha rätt kontrollsiffra och höra till en myndighet som Trygghetsstiftelsen "
        "känner till (eller som står på bladet Myndigheter). En myndighet skickar bara sina egna rader.",
        f"År och datum: från {vocab.first_year} och inte i framtiden. Beslutsdatum får inte ligga före "
        "inkomstdatum och saknas bara för en ansökan under handläggning.",
        "Belopp skrivs i kronor (inte tusental kronor) med högst två decimaler och är aldrig negativa, "
        f"utom saldona. En ansökan kan gälla högst {vocab.max_application_sek:,} kr.".replace(",", " "),
        "Utgående saldo ska vara ingående saldo + avsättning − nyttjat (±1 kr). Ingående saldo som inte är "
        "förra årets utgående saldo ger en varning.",
        "Beviljat belopp ska finnas när beslutet är beviljad eller delvis beviljad, får bara vara större än "
        "0 då, och får inte vara större än sökt belopp.",
        "Kolumnerna med listor tar bara värdena på bladet Listor. Ändra inte rubrikraden; ordningen på "
        "kolumnerna spelar ingen roll.",
        "En fil med fel läses inte in alls: ingenting av den sparas förrän alla fel är rättade.",
    ]


def workbook(vocab: Vocabulary | None = None) -> bytes:
    """The template as the bytes of an .xlsx file."""
    vocab = vocab or vocabulary()
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        book.set_properties(
            {"title": "Mall för inrapportering av lokala omställningsmedel", "author": "Trygghetsstiftelsen"}
        )
        styles = _styles(book)
        guide = book.add_worksheet(GUIDE)
        sheets = {kind.name: book.add_worksheet(SHEETS[kind.name]) for kind in KINDS}
        lists = _write_lists(book.add_worksheet(LISTS), vocab, styles)
        _write_guide(guide, vocab, styles)
        for kind in KINDS:
            _write_kind(sheets[kind.name], kind, vocab, lists, styles)
        guide.activate()
    return out.getvalue()


def _styles(book: xlsxwriter.Workbook) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "heading": book.add_format({"bold": True, "font_size": 12}),
        "bold": book.add_format({"bold": True}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "note": book.add_format({"italic": True, "font_color": "#404040", "text_wrap": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "example": {
            t: book.add_format({"italic": True, "font_color": "#595959", "num_format": f}) for t, f in _formats()
        },
        "entry": {t: book.add_format({"num_format": f}) for t, f in _formats()},
    }


def _formats() -> list[tuple[str, str]]:
    return [*NUMBER_FORMATS.items(), ("date", "yyyy-mm-dd")]


def _write_guide(sheet, vocab: Vocabulary, styles: dict) -> None:
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 36)
    sheet.set_column(3, 3, 16)
    sheet.write(0, 0, "Mall för inrapportering av lokala omställningsmedel (LOM)", styles["title"])
    row = 2
    for text in (
        "Fyll i bladen Medel (en rad per år) och Ansökningar (en rad per ansökan) under rubrikraden. "
        "Bladet Myndigheter behövs bara för en myndighet som är ny för Trygghetsstiftelsen eller har bytt namn "
        "eller sektor.",
        "Raderna ovanför rubrikraden är exempel på en påhittad myndighet och läses aldrig in. "
        "Skicka arbetsboken som den är; bladen Anvisningar och Listor hoppas över.",
        "Kontrollera filen på sidan Skicka in uppgifter innan ni skickar den: den visar samma fel som "
        "inläsningen, med rad och kolumn.",
    ):
        sheet.merge_range(row, 0, row, 3, text, styles["wrap"])
        sheet.set_row(row, 45)
        row += 1
    row += 1
    sheet.write(row, 0, "Det här avvisas, och varför", styles["heading"])
    row += 1
    for text in rules(vocab):
        sheet.merge_range(row, 0, row, 3, f"• {text}", styles["wrap"])
        sheet.set_row(row, 45)
        row += 1
    for kind in KINDS:
        row += 1
        sheet.write(row, 0, f"Bladet {SHEETS[kind.name]}", styles["heading"])
        row += 1
        for col, text in enumerate(("Kolumn", "Betyder", "Skrivs som", "Måste finnas")):
            sheet.write(row, col, text, styles["header"])
        row += 1
        for column in kind.columns:
            sheet.write(row, 0, column.heading, styles["bold"])
            sheet.write(row, 1, column.meaning, styles["wrap"])
            sheet.write(row, 2, FORMATS[column.type], styles["wrap"])
            sheet.write(row, 3, _required(column), styles["wrap"])
            row += 1


def _required(column: Column) -> str:
    if not column.required:
        return "Nej"
    return "Ja" if value_required(column) else "Ja, värdet får vara tomt"


def _write_lists(sheet, vocab: Vocabulary, styles: dict) -> dict[str, str]:
    """One column per coded column of the contract, with its accepted values; return each list's range."""
    ranges: dict[str, str] = {}
    coded: dict[str, Column] = {}
    for kind in KINDS:
        for column in kind.columns:
            if column.type == "code":
                coded.setdefault(column.name, column)
    for col, (name, column) in enumerate(coded.items()):
        values = list(dict.fromkeys(accepted(column, vocab).values()))
        sheet.write(0, col, column.heading, styles["header"])
        sheet.write_column(1, col, values, styles["entry"]["text"])
        sheet.set_column(col, col, max(14, *(len(v) + 2 for v in values)))
        letter = xl_col_to_name(col)
        ranges[name] = f"='{LISTS}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_kind(sheet, kind: Kind, vocab: Vocabulary, lists: dict[str, str], styles: dict) -> None:
    sheet.write(
        0,
        0,
        f"{kind.label[0].upper()}{kind.label[1:]}: fyll i under rubrikraden (rad {HEADER_ROW + 1})",
        styles["title"],
    )
    sheet.write(1, 0, "Exempel på en påhittad myndighet; raderna ovanför rubrikraden läses inte in.", styles["note"])
    for offset, values in enumerate(examples(vocab)[kind.name]):
        for col, column in enumerate(kind.columns):
            value = values.get(column.name)
            if value is not None:
                _write(sheet, 2 + offset, col, column, value, styles["example"])
    first, last = HEADER_ROW + 1, HEADER_ROW + ENTRY_ROWS
    for col, column in enumerate(kind.columns):
        sheet.write(HEADER_ROW, col, column.heading, styles["header"])
        sheet.set_column(col, col, max(14, len(column.heading) + 4), styles["entry"][column.type])
        sheet.write_comment(HEADER_ROW, col, f"{column.meaning} {FORMATS[column.type]}.")
        validation = _validation(column, vocab, lists)
        if validation:
            sheet.data_validation(first, col, last, col, validation)
    sheet.set_row(HEADER_ROW, 30)
    sheet.freeze_panes(HEADER_ROW + 1, 0)


def _write(sheet, row: int, col: int, column: Column, value, formats: dict) -> None:
    if column.type == "date":
        sheet.write_datetime(row, col, value, formats["date"])
    elif column.type in ("integer", "decimal", "amount"):
        sheet.write_number(row, col, value, formats[column.type])
    else:
        sheet.write_string(row, col, str(value), formats[column.type])


def _validation(column: Column, vocab: Vocabulary, lists: dict[str, str]) -> dict | None:
    """Excel's own check of a cell as it is typed: a list, a date or a whole number in range."""
    if column.type == "code":
        return {
            "validate": "list",
            "source": lists[column.name],
            "error_title": column.heading,
            "error_message": f"Välj ett värde ur listan (bladet {LISTS}).",
        }
    if column.type == "date":
        return {
            "validate": "date",
            "criteria": ">=",
            "value": date(vocab.first_year, 1, 1),
            "error_title": column.heading,
            "error_message": f"Skriv ett datum ÅÅÅÅ-MM-DD, från {vocab.first_year}.",
        }
    if column.name == "year":
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": vocab.first_year,
            "error_title": column.heading,
            "error_message": f"Skriv året med fyra siffror, från {vocab.first_year}.",
        }
    return None
