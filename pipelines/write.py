"""Write one checked file into the draft database in one transaction, and log every attempt."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from lom.db import store
from lom.db.outcomes import FileKind, LoadStatus
from lom.db.store import sql
from pipelines.contract import APPLICATIONS, LOAD_ORDER
from pipelines.parts import Survey
from pipelines.personal_data import safe_name
from pipelines.progress import Progress
from pipelines.read import RawTable, ReadResult
from pipelines.report import ERROR, Finding, Findings
from pipelines.validate import Validated

LOADED, UNCHANGED, REJECTED = LoadStatus.LOADED, LoadStatus.UNCHANGED, LoadStatus.REJECTED
# The loaded tables (sql/schema) a file of each kind writes, and the log that every file writes:
# a load builds again the measures' tables that read them (lom/db/models.py).
KIND_TABLES = {FileKind.AGENCIES: "agencies", FileKind.FUNDS: "fund_years", FileKind.APPLICATIONS: "applications"}
LOG_TABLES = ("loads", "load_slices", "load_messages")


@dataclass
class Outcome:
    """What happened to one file."""

    path: Path
    status: LoadStatus
    findings: Findings
    kinds: list[str] = field(default_factory=list)
    rows_in_file: int = 0
    rows_inserted: int = 0
    rows_replaced: int = 0
    agencies: int = 0
    years: tuple[int, int] | None = None
    load_id: int | None = None


@dataclass
class Prepared:
    """A file read (whole) or surveyed (to be read in parts), then checked and staged."""

    path: Path
    sha256: str
    size: int
    findings: Findings
    whole: ReadResult | None = None  # the file read whole: its one part
    survey: Survey | None = None  # a large applications CSV, read part by part (pipelines.parts)
    staged: Staged | None = None  # what its parts held; its rows in `incoming_<kind>` while it has no error

    @property
    def order(self) -> tuple[int, str]:
        """Agencies before funds before applications; funds files by their first year, so that
        each opening balance is compared with the closing balance of the year before it."""
        if self.survey is not None:
            return LOAD_ORDER[APPLICATIONS.name], ""
        tables = self.whole.tables if self.whole else []
        kind = min((LOAD_ORDER[t.recognised.kind.name] for t in tables), default=-1)
        firsts = [t.frame["year"].drop_nulls().min() for t in tables if "year" in t.frame.columns]
        return kind, min((y for y in firsts if y is not None), default="")


@dataclass
class Staged:
    """What the parts of a file held, counted part by part as they were checked (a file read whole
    is one part). While the file has no error, its rows wait in `incoming_<kind>` to be written."""

    tables: dict[str, RawTable] = field(default_factory=dict)  # each kind's table, without rows, in load order
    rows: dict[str, int] = field(default_factory=dict)  # rows of each kind
    agencies: set[str] = field(default_factory=set)
    years: list[int] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)  # the agencies of an agencies table
    closings: list[pl.DataFrame] = field(default_factory=list)  # of a funds table: org_nr, year, closing balance

    def count(self, validated: Validated) -> None:
        """Count one part's table of a kind."""
        kind, frame = validated.kind.name, validated.frame
        if kind not in self.tables:  # its headers and sheet, for the findings; not its rows
            self.tables[kind] = replace(validated.table, frame=validated.table.frame.clear())
        self.rows[kind] = self.rows.get(kind, 0) + frame.height
        self.agencies |= set(frame["org_nr"].drop_nulls().unique().to_list())
        self.years += years_of(validated)
        if kind == FileKind.AGENCIES:
            self.defined |= set(frame["org_nr"].drop_nulls().to_list())
        elif kind == FileKind.FUNDS:
            self.closings.append(frame.select("org_nr", "year", "closing_balance_sek"))


def outcome_of(item: Prepared, status: str) -> Outcome:
    staged = item.staged or Staged()
    return Outcome(
        path=item.path,
        status=status,
        findings=item.findings,
        kinds=list(staged.tables),
        rows_in_file=sum(staged.rows.values()),
        agencies=len(staged.agencies),
        years=(min(staged.years), max(staged.years)) if staged.years else None,
    )


def written_tables(outcomes: list[Outcome]) -> set[str]:
    """The loaded tables that the files of these outcomes wrote: the tables of the kinds of those
    that loaded, and the log."""
    return {KIND_TABLES[kind] for o in outcomes if o.status == LOADED for kind in o.kinds} | set(LOG_TABLES)


def years_of(validated: Validated) -> list[int]:
    frame = validated.frame
    if "year" in frame.columns:
        column = frame["year"]
    elif "received_on" in frame.columns:
        column = frame["received_on"].dt.year()
    else:
        return []
    column = column.drop_nulls()
    return [column.min(), column.max()] if column.len() else []


def write_file(con, item: Prepared, started: datetime, progress: Progress) -> Outcome:
    """Write one checked file from its staged rows (`incoming_<kind>`) in one transaction, then
    prove from the database that it landed."""
    outcome = outcome_of(item, UNCHANGED)
    expected = dict.fromkeys(FileKind, 0)
    store.begin(con)
    try:
        outcome.load_id = _begin_log(con, item, started)
        for kind, rows in item.staged.rows.items():
            progress.stage("skriver", 0.75)
            inserted, replaced = _replace_slices(con, kind, rows, outcome.load_id)
            expected[kind] += inserted
            outcome.rows_inserted += inserted
            outcome.rows_replaced += replaced
        outcome.status = LOADED if outcome.rows_inserted else UNCHANGED
        _finish_log(con, outcome, item.findings)
        store.commit(con)
    except duckdb.Error as error:
        store.rollback(con)
        if store.write_failure(error):
            raise  # the machine's failure, not the file's: the whole load stops, nothing is published
        # DuckDB's own text may quote a value of the file: only its kind is said.
        item.findings.add(
            Finding(ERROR, "skrivfel", f"databasen vägrade skriva filen ({type(error).__name__}); inget lästes in")
        )
        return record_rejection(con, item, started)
    progress.stage("publicerar", 0.95)
    _prove_written(con, outcome, expected)
    return outcome


def _replace_slices(con, kind: str, rows: int, load_id: int) -> tuple[int, int]:
    """Replace the slices that `incoming_<kind>` holds, unless they already hold exactly its rows."""
    store.run(con, sql(f"load/{kind}_slices"))
    (replaced,) = store.fetch_one(con, sql("load/replaced_rows"))
    # Only slices that hold rows can already hold exactly these rows.
    if replaced and not store.fetch_one(con, sql(f"load/{kind}_changed"))[0]:
        return 0, 0
    if kind != FileKind.AGENCIES:
        store.run(con, sql(f"load/{kind}_delete"))
    store.run(con, sql(f"load/{kind}_write"), {"load_id": load_id})
    store.run(con, sql("load/insert_slices"), {"load_id": load_id, "kind": kind})
    return rows, int(replaced)


def _prove_written(con, outcome: Outcome, expected: dict[str, int]) -> None:
    """Refuse to report success unless the committed rows are really there."""
    agencies, funds, applications, status = store.fetch_one(con, sql("load/rows_of_load"), {"load_id": outcome.load_id})
    found = {FileKind.AGENCIES: agencies, FileKind.FUNDS: funds, FileKind.APPLICATIONS: applications}
    if status != outcome.status or any(found[k] != n for k, n in expected.items()):
        raise RuntimeError(
            f"load {outcome.load_id} of {outcome.path.name} was not committed as reported: "
            f"expected {expected}, found {found} with status {status}"
        )


def _begin_log(con, item: Prepared, started: datetime) -> int:
    params = {
        "file_name": safe_name(item.path.name),
        "content_sha256": item.sha256,
        "size_bytes": item.size,
        "started_at": started,
    }
    return store.fetch_one(con, sql("load/insert_load"), params)[0]


def _finish_log(con, outcome: Outcome, findings: Findings) -> None:
    store.run(
        con,
        sql("load/finish_load"),
        {
            "load_id": outcome.load_id,
            "kinds": ",".join(outcome.kinds) or None,
            "status": outcome.status,
            "agencies": outcome.agencies,
            "first_year": outcome.years[0] if outcome.years else None,
            "last_year": outcome.years[1] if outcome.years else None,
            "rows_in_file": outcome.rows_in_file,
            "rows_inserted": outcome.rows_inserted,
            "rows_replaced": outcome.rows_replaced,
            "errors": findings.error_count(),
            "warnings": findings.warning_count(),
            "finished_at": datetime.now(),
        },
    )
    messages = pl.DataFrame(
        [
            {
                "severity": f.severity,
                "sheet": f.sheet,
                "row_number": f.row,
                "column_name": f.column,
                "rule": f.rule,
                "message": f.text(show_value=not findings.personal_data),
            }
            for f in findings.items
        ],
        schema={
            "severity": pl.String,
            "sheet": pl.String,
            "row_number": pl.Int64,
            "column_name": pl.String,
            "rule": pl.String,
            "message": pl.String,
        },
    )
    con.register("messages", messages)
    try:
        store.run(con, sql("load/insert_message"), {"load_id": outcome.load_id})
    finally:
        con.unregister("messages")


def record_rejection(con, item: Prepared, started: datetime) -> Outcome:
    """Log a rejected file: one row in loads, its messages, and no data."""
    outcome = outcome_of(item, REJECTED)
    store.begin(con)
    try:
        outcome.load_id = _begin_log(con, item, started)
        _finish_log(con, outcome, item.findings)
        store.commit(con)
    except BaseException:
        store.rollback(con)
        raise
    _prove_written(con, outcome, {})
    return outcome
