"""Uploads from the app: who may load files, and what the page may show of the result.

The access check lives here, in the query layer, not in the page: only Trygghetsstiftelsen's
staff may load. The files go through the same loader as the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from lom.queries import access
from pipelines import template as contract_template
from pipelines.load import check_files, load_files
from pipelines.personal_data import safe_name
from pipelines.write import Outcome

FINDINGS_SCHEMA = {
    "severity": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "column_name": pl.String,
    "message": pl.String,
    "value": pl.String,
    "rule": pl.String,
}


def load(
    paths: list[Path],
    db: Path,
    *,
    role: str,
    listener: Callable[[str, str, float], None] | None = None,
    sender: str | None = None,
) -> list[dict]:
    """Load files for a viewer who may (TSN staff) and return what the page shows of each;
    `sender`, the agency that submitted them, whose rows alone they may hold."""
    access.require_tsn(role)
    return [summary_of(outcome) for outcome in load_files(paths, db, listener=listener, sender=sender)]


def check_as(paths: list[Path], db: Path, *, role: str) -> list[dict]:
    """Check files as the agency `role` sends them, writing nothing: the loader's own findings, and
    a row of any other agency an error. What the page shows of each, with the sender named."""
    if not access.is_agency(access.check(role)):
        raise PermissionError("only an agency checks files as its own")
    return [{**summary_of(outcome), "sender": role} for outcome in check_files(paths, db, sender=role)]


def template() -> bytes:
    """The template workbook agencies fill in (Mall för inrapportering), from the loader's contract."""
    return contract_template.workbook()


def summary_of(outcome: Outcome) -> dict:
    """What the page shows of one file's outcome; never a cell's value when the file holds personal
    data (as the command line does), and the file name escaped with personal data replaced."""
    findings = outcome.findings
    shown = not findings.personal_data
    items = findings.items
    return {
        "file": safe_name(outcome.path.name),
        "status": outcome.status,
        "kinds": list(outcome.kinds),
        "rows_in_file": outcome.rows_in_file,
        "rows_inserted": outcome.rows_inserted,
        "rows_replaced": outcome.rows_replaced,
        "years": outcome.years,
        "errors": findings.error_count(),
        "warnings": findings.warning_count(),
        "findings": pl.DataFrame(
            {
                "severity": [str(f.severity) for f in items],
                # Empty as empty: a finding of the whole file has no sheet, column or value.
                "sheet": [f.sheet or "" for f in items],
                "row_number": [f.row for f in items],
                "column_name": [f.column or "" for f in items],
                "message": [f.message for f in items],
                "value": [(f.value or "") if shown else "" for f in items],
                "rule": [f.rule for f in items],
            },
            schema=FINDINGS_SCHEMA,
        ),
    }
