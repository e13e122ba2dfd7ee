"""Findings about a file (errors and warnings) and the Swedish text a person reads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from lom import swedish
from pipelines.normalise import escaped, plain

ERROR = "error"
WARNING = "warning"
# A broken column in a million-row file would drown the reader and the load log: past this many
# findings of one rule in one column the rest are counted, not kept; fewer still are printed.
KEPT_PER_COLUMN_AND_RULE = 1000
PRINTED_PER_COLUMN_AND_RULE = 20
# A value is shown up to this many characters; a longer one is cut and marked "...".
SHOWN_VALUE_CHARS = 40
SHOWN_HEADER_CHARS = 80


@dataclass(frozen=True)
class Finding:
    """One broken rule: where (sheet, row as the file shows it, column header) and what."""

    severity: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    value: str | None = None  # the cell, when it is safe to show (`safe_value`) and the file holds no personal data
    more: int = 0  # further rows breaking the same rule in the same column: counted, not listed
    withheld: bool = False  # the finding is about a cell whose value is not shown

    def where(self) -> str:
        """Say where the finding is, as a person looks for it in the file."""
        parts = []
        if self.sheet:
            parts.append(f"blad '{self.sheet}'")
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.column:
            parts.append(f"kolumn '{self.column}'")
        return ", ".join(parts) or "filen"

    def text(self, show_value: bool) -> str:
        """Render the finding as one line of Swedish."""
        line = f"{self.where()}: {self.message}"
        if show_value and self.value is not None:
            cut = self.value[: SHOWN_VALUE_CHARS - 3] + "..."
            shown = self.value if len(self.value) <= SHOWN_VALUE_CHARS else cut
            line += f" (värde: '{shown}')"
        elif (self.withheld or self.value is not None) and NOT_SHOWN not in self.message:
            line += f" {NOT_SHOWN}"
        return f"{line} [{self.rule}]"


NOT_SHOWN = "(värdet visas inte)"
# What a cell of a number or date column may hold to be shown in a message: digits, the marks of
# numbers and dates, and letters only as units or typing slips (no two letters in a row but a
# unit: a name needs more); few enough digits that no personnummer (10 or 12) fits, and not
# shaped like a telephone number (a leading 0 or + and seven digits or more).
NUMBER_SHOWN = re.compile(r"[-+]?[0-9A-Za-z .,:/-]*[0-9][0-9A-Za-z .,:/-]*")
UNITS = {"kr", "sek", "tkr", "mnkr", "st"}
MOMENT_SHOWN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?")
MAX_SHOWN_DIGITS = 9


def safe_value(column_type: str, value: str | None) -> str | None:
    """Return a cell's text if a message may show it, else None.

    A value is shown only where it helps and is known to be safe: a number, date or organisation
    number written wrongly, in a form that cannot be a personnummer, e-mail address, telephone
    number or name. Free text, codes and case numbers are never shown: a name typed into a
    measure column cannot be told from a misspelt measure.
    """
    if value is None:
        return None
    text = plain(value).strip()
    if not text.isascii():
        return None
    if column_type == "date" and MOMENT_SHOWN.fullmatch(text):
        return text
    if column_type not in ("amount", "decimal", "integer", "date", "org_nr") or not NUMBER_SHOWN.fullmatch(text):
        return None
    if any(len(word) > 1 and word.lower() not in UNITS for word in re.findall(r"[A-Za-z]+", text)):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    if column_type == "org_nr" and len(digits) == 10 and digits[2] in "23456789":
        return text  # an organisation number's "month" is 20 or more: no date, no person
    phone_like = text[0] in "0+" and len(digits) >= 7
    return text if len(digits) <= MAX_SHOWN_DIGITS and not phone_like else None


class FileProblem(Exception):
    """A problem with the whole file that stops reading it."""

    def __init__(self, rule: str, message: str, sheet: str | None = None, row: int | None = None):
        super().__init__(message)
        self.findings = [Finding(ERROR, rule, message, row=row, sheet=sheet)]

    @property
    def finding(self) -> Finding:
        return self.findings[0]

    @classmethod
    def of(cls, findings: list[Finding]) -> FileProblem:
        """Stop reading with several findings at once."""
        problem = cls(findings[0].rule, findings[0].message)
        problem.findings = findings
        return problem


@dataclass
class Findings:
    """The findings of one file, with the rule that values are hidden once personal data is seen."""

    items: list[Finding] = field(default_factory=list)
    overflow: dict[tuple, int] = field(default_factory=dict)
    _listed: dict[tuple, int] = field(default_factory=dict, repr=False)

    def add(self, finding: Finding) -> None:
        key = (finding.severity, finding.rule, finding.sheet, finding.column)
        listed = self._listed.get(key, 0)
        self._listed[key] = listed + 1
        if listed >= KEPT_PER_COLUMN_AND_RULE:
            self._count(key, 1)
        else:
            self.items.append(replace(finding, more=0) if finding.more else finding)
        self._count(key, finding.more)  # kept here, so that merging two Findings counts it once

    def extend(self, findings: Iterable[Finding] | Findings) -> None:
        """Add findings one by one; another Findings brings the rows it only counted too."""
        if isinstance(findings, Findings):
            for finding in findings.items:
                self.add(finding)
            for key, count in findings.overflow.items():
                self._count(key, count)
            return
        for finding in findings:
            self.add(finding)

    def _count(self, key: tuple, count: int) -> None:
        if count:
            self.overflow[key] = self.overflow.get(key, 0) + count

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def personal_data(self) -> bool:
        return any(f.rule.startswith("personuppgift") for f in self.items)

    def error_count(self) -> int:
        return len(self.errors) + sum(n for key, n in self.overflow.items() if key[0] == ERROR)

    def warning_count(self) -> int:
        return len(self.warnings) + sum(n for key, n in self.overflow.items() if key[0] == WARNING)

    def lines(self, per_column_and_rule: int = PRINTED_PER_COLUMN_AND_RULE) -> list[str]:
        """Render the findings, errors first; past a few of one rule in one column, count the rest."""
        show = not self.personal_data
        ordered = sorted(self.items, key=lambda f: (f.severity != ERROR, f.sheet or "", f.row or 0))
        printed: dict[tuple, int] = {}
        lines = []
        for f in ordered:
            key = (f.severity, f.rule, f.sheet, f.column)
            printed[key] = printed.get(key, 0) + 1
            if printed[key] <= per_column_and_rule:
                lines.append(("fel: " if f.severity == ERROR else "varning: ") + f.text(show))
        for key, count in printed.items():
            hidden = max(count - per_column_and_rule, 0) + self.overflow.get(key, 0)
            if hidden:
                where = f" i kolumn '{key[3]}'" if key[3] else ""
                lines.append(f"... och {swedish_int(hidden)} fler rader med samma fel{where} [{key[1]}]")
        return lines


def shortened(text: str, limit: int = SHOWN_HEADER_CHARS) -> str:
    """Cut a header to a length fit for a message, control characters escaped; a header of
    megabytes is no name to print, and one holding a line break must not forge a line."""
    text = escaped(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed(findings: list[Finding], total: int) -> list[Finding]:
    """Mark the last of the findings listed with how many more of the same were only counted.

    A rule broken in millions of rows is reported with its first rows in full and an exact count
    of the rest, so that neither memory nor the report grows with the file.
    """
    if total > len(findings) and findings:
        findings[-1] = replace(findings[-1], more=total - len(findings))
    return findings


PROGRAM_NUMBER = re.compile(r"-?[0-9]+(?:\.([0-9]+))?")  # how an Excel number cell reaches the loader
MIDNIGHT = " 00:00:00"  # the time of day an Excel date cell reaches the loader with


def as_written(column_type: str | None, value: str | None) -> str | None:
    """A readable cell's value as its sender sees it in the spreadsheet: a number of an amount
    column in Swedish form (999567.77 reads 999 567,77), a date without the midnight Excel stores
    with it; anything else as it was written. For a value already found safe to show."""
    if value is None:
        return None
    if column_type in ("amount", "decimal") and (number := PROGRAM_NUMBER.fullmatch(value)):
        return swedish.number(Decimal(value), len(number.group(1) or ""))
    if column_type == "date" and value.endswith(MIDNIGHT):
        return value.removesuffix(MIDNIGHT)
    return value


def swedish_int(number: int) -> str:
    """Format an integer the Swedish way: 12 345."""
    return swedish.number(number)


def swedish_amount(amount: Decimal | float) -> str:
    """Format an amount in kronor with öre: 12 345,50."""
    return swedish.number(amount, 2)
