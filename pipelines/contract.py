"""The three kinds of file of the data contract, and how a header row is recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lom.db.outcomes import FileKind
from pipelines.normalise import folded


def normalise_header(header: str) -> str:
    """Match headers case-insensitively, ignoring a unit in brackets and underscores, as a person
    reads them: look-alike letters of other scripts, any dash, any space and text saved on a Mac
    (decomposed) read as the header they look like.

    "(tkr)" is deliberately not a unit we ignore: thousands of kronor would load 1 000 times too
    small, so such a column is not recognised and the file is refused with a missing column.
    """
    return folded(re.sub(r"\((?:kr|sek|st|antal)\)\s*$", "", folded(header)))


@dataclass(frozen=True)
class Column:
    """One column of the contract: canonical name, accepted headers and value type."""

    name: str
    label: str  # how the column is named to a Swedish user
    type: str  # text, org_nr, integer, amount, decimal, date, code
    aliases: tuple[str, ...] = ()
    required: bool = True
    meaning: str = ""  # what the column holds, in a sentence for the one who fills in the file

    @property
    def heading(self) -> str:
        """The column's header in the template: its label capitalised, amounts with their unit."""
        return self.label[0].upper() + self.label[1:] + (" (kr)" if self.type == "amount" else "")


@dataclass(frozen=True)
class Kind:
    """A kind of file: its columns and the table it loads into."""

    name: FileKind
    label: str
    table: str
    columns: tuple[Column, ...]
    headers: dict[str, str] = field(init=False)

    def label_of(self, name: str) -> str:
        """Return the Swedish label of a column of this kind."""
        return self.column(name).label

    def column(self, name: str) -> Column:
        """Return a column of this kind by its canonical name."""
        return next(c for c in self.columns if c.name == name)

    def __post_init__(self) -> None:
        mapping = {}
        for column in self.columns:
            for header in (column.name, *column.aliases):
                mapping[normalise_header(header)] = column.name
        object.__setattr__(self, "headers", mapping)


ORG_NR = Column(
    "org_nr",
    "organisationsnummer",
    "org_nr",
    ("organisationsnummer", "orgnr"),
    meaning="Myndighetens organisationsnummer, tio siffror.",
)

AGENCIES = Kind(
    FileKind.AGENCIES,
    FileKind.AGENCIES.label,
    "agencies",
    (
        ORG_NR,
        Column("name", "namn", "text", ("namn", "myndighet"), meaning="Myndighetens namn."),
        Column("sector", "sektor", "code", ("sektor",), meaning="Den sektor myndigheten hör till."),
    ),
)

FUNDS = Kind(
    FileKind.FUNDS,
    FileKind.FUNDS.label,
    "fund_years",
    (
        ORG_NR,
        Column("year", "år", "integer", ("år",), meaning="Året som uppgifterna på raden gäller."),
        # Head count and full-time equivalents are different figures: the rates per 100 employees
        # use the head count; the full-time equivalents are kept beside it, when the file has them.
        Column(
            "employees",
            "anställda",
            "integer",
            ("anställda", "antal anställda"),
            meaning="Antal anställda under året (personer, inte årsarbetskrafter).",
        ),
        Column(
            "fte",
            "årsarbetskrafter",
            "decimal",
            ("årsarbetskrafter", "årsarbetare"),
            required=False,
            meaning="Årsarbetskrafter under året; kolumnen får saknas.",
        ),
        Column(
            "payroll_sek", "lönesumma", "amount", ("lönesumma",), meaning="Årets lönesumma, som avsättningen räknas på."
        ),
        Column(
            "allocated_sek",
            "avsättning",
            "amount",
            ("avsättning", "årets avsättning"),
            meaning="Årets avsättning till lokala omställningsmedel.",
        ),
        Column(
            "spent_sek",
            "nyttjat",
            "amount",
            ("nyttjat", "förbrukat"),
            meaning="Det som medlen användes till under året.",
        ),
        Column(
            "opening_balance_sek",
            "ingående saldo",
            "amount",
            ("ingående saldo",),
            meaning="Saldot vid årets början: förra årets utgående saldo.",
        ),
        Column(
            "closing_balance_sek",
            "utgående saldo",
            "amount",
            ("utgående saldo",),
            meaning="Saldot vid årets slut: ingående saldo + avsättning − nyttjat.",
        ),
    ),
)

APPLICATIONS = Kind(
    FileKind.APPLICATIONS,
    FileKind.APPLICATIONS.label,
    "applications",
    (
        Column(
            "application_id",
            "ärendenummer",
            "text",
            ("ärendenummer", "ärende", "ansökan"),
            meaning="Ert diarie- eller ärendenummer för ansökan; det sparas bara som pseudonym.",
        ),
        ORG_NR,
        Column(
            "received_on",
            "inkom",
            "date",
            ("inkom", "inkommen", "ansökningsdatum"),
            meaning="Dagen då ansökan kom in.",
        ),
        Column(
            "decided_on",
            "beslutsdatum",
            "date",
            ("beslutsdatum",),
            meaning="Dagen för beslutet; tom för en ansökan under handläggning.",
        ),
        Column("measure", "insats", "code", ("insats", "insatstyp"), meaning="Vilken sorts insats ansökan gäller."),
        Column("decision", "beslut", "code", ("beslut",), meaning="Beslutet, eller att ansökan är under handläggning."),
        Column("requested_sek", "sökt belopp", "amount", ("sökt belopp",), meaning="Beloppet som söktes."),
        Column(
            "granted_sek",
            "beviljat belopp",
            "amount",
            ("beviljat belopp",),
            meaning="Beloppet som beviljades; tomt eller 0 vid avslag.",
        ),
        Column("gender", "kön", "code", ("kön",), required=False, meaning="Den sökandes kön; kolumnen får saknas."),
        Column(
            "age_band",
            "åldersgrupp",
            "code",
            ("åldersgrupp",),
            required=False,
            meaning="Den sökandes åldersgrupp; kolumnen får saknas.",
        ),
    ),
)

# The sheets of the template (pipelines/template.py) that are no kind of file: the instructions and
# the lists of accepted values. A workbook's sheet of either name is passed by without a warning.
GUIDE, LISTS = "Anvisningar", "Listor"

ROW = "_row"  # the row number a person sees in the file (the header of a CSV is row 1)

KINDS = (AGENCIES, FUNDS, APPLICATIONS)
# Agencies must be known before their funds and applications are checked.
LOAD_ORDER = {FileKind.AGENCIES: 0, FileKind.FUNDS: 1, FileKind.APPLICATIONS: 2}


@dataclass(frozen=True)
class Recognised:
    """A header row matched to a kind: canonical name for each matched column position."""

    kind: Kind
    positions: dict[int, str]  # column position -> canonical name
    missing: tuple[Column, ...]
    duplicates: dict[str, list[int]]  # canonical name -> positions, where more than one
    extra: tuple[int, ...]  # positions outside the contract


class Ambiguous(Exception):
    """A header row that fits more than one kind of file: which one is meant cannot be known."""

    def __init__(self, kinds: list[Kind]):
        super().__init__(" och ".join(k.label for k in kinds))
        self.kinds = kinds


def known_headers(headers: list[str]) -> list[str]:
    """The headers of a row that name a column of some kind of file (the contract's own words)."""
    return [h for h in headers if any(normalise_header(h or "") in kind.headers for kind in KINDS)]


def recognise(headers: list[str]) -> Recognised | None:
    """Recognise the kind of a file from its header row, or None when no kind fits.

    A kind fits when more than half of its required columns are there. When several fit, the one
    whose required columns are all there is meant (an applications file with a column `Namn` is
    an applications file, whose extra column is then looked at); a row that has every column of
    two kinds, or fits two kinds equally without completing either, raises Ambiguous: loading it
    as one would drop the other's columns.
    """
    keys = [normalise_header(h or "") for h in headers]
    fitting = []
    for kind in KINDS:
        matched = {kind.headers[k] for k in keys if k in kind.headers}
        required = [c for c in kind.columns if c.required]
        score = sum(c.name in matched for c in required)
        if score * 2 > len(required):
            fitting.append((score == len(required), score / len(required), kind))
    if not fitting:
        return None
    fitting.sort(key=lambda fit: fit[:2], reverse=True)
    if (len(fitting) > 1 and fitting[0][:2] == fitting[1][:2]) or sum(complete for complete, _, _ in fitting) > 1:
        raise Ambiguous([kind for *_, kind in fitting])
    kind = fitting[0][2]
    positions: dict[int, str] = {}
    seen: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        if key in kind.headers:
            name = kind.headers[key]
            seen.setdefault(name, []).append(position)
            positions.setdefault(position, name)
    missing = tuple(c for c in kind.columns if c.required and c.name not in seen)
    duplicates = {name: found for name, found in seen.items() if len(found) > 1}
    extra = tuple(p for p, key in enumerate(keys) if key not in kind.headers)
    return Recognised(kind, positions, missing, duplicates, extra)
