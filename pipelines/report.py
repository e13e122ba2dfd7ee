"""Findings about a file (errors and warnings) and the Swedish text a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ERROR = "error"
WARNING = "warning"
# A report lists every finding, but a broken column in a million-row file would drown the reader:
# past this many of one rule the rest are counted, not listed.
LISTED_PER_RULE = 50


@dataclass(frozen=True)
class Finding:
    """One broken rule: where (sheet, row as the file shows it, column header) and what."""

    severity: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    value: str | None = None  # the cell, shown only when the file holds no personal data

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
            shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
            line += f" (värde: '{shown}')"
        return f"{line} [{self.rule}]"


class FileProblem(Exception):
    """A problem with the whole file that stops reading it."""

    def __init__(self, rule: str, message: str, sheet: str | None = None, row: int | None = None):
        super().__init__(message)
        self.finding = Finding(ERROR, rule, message, row=row, sheet=sheet)


@dataclass
class Findings:
    """The findings of one file, with the rule that values are hidden once personal data is seen."""

    items: list[Finding] = field(default_factory=list)
    overflow: dict[str, int] = field(default_factory=dict)
    _listed: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, finding: Finding) -> None:
        listed = self._listed.get(finding.rule, 0)
        self._listed[finding.rule] = listed + 1
        if listed >= LISTED_PER_RULE:
            self.overflow[finding.rule] = self.overflow.get(finding.rule, 0) + 1
        else:
            self.items.append(finding)

    def extend(self, findings) -> None:
        for finding in findings:
            self.add(finding)

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
        return len(self.errors) + sum(n for rule, n in self.overflow.items() if self._severity_of(rule) == ERROR)

    def warning_count(self) -> int:
        return len(self.warnings) + sum(n for rule, n in self.overflow.items() if self._severity_of(rule) == WARNING)

    def _severity_of(self, rule: str) -> str:
        return next(f.severity for f in self.items if f.rule == rule)

    def lines(self) -> list[str]:
        """Render every finding, errors first, with counts of those not listed."""
        show = not self.personal_data
        ordered = sorted(self.items, key=lambda f: (f.severity != ERROR, f.sheet or "", f.row or 0))
        lines = [("fel: " if f.severity == ERROR else "varning: ") + f.text(show) for f in ordered]
        for rule, count in self.overflow.items():
            lines.append(f"... och {swedish_int(count)} fler rader med samma fel [{rule}]")
        return lines


def swedish_int(number: int) -> str:
    """Format an integer the Swedish way: 12 345."""
    return f"{number:,}".replace(",", "\u00a0")


def swedish_amount(amount: Decimal | float) -> str:
    """Format an amount in kronor with öre: 12 345,50."""
    text = f"{amount:,.2f}"
    return text.replace(",", "\u00a0").replace(".", ",")
