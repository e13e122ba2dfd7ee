"""Write one checked file into the draft database in one transaction, and log every attempt."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
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
from pipelines.pseudonym import pseudonymise
from pipelines.read import ReadResult
from pipelines.report import ERROR, Finding, Findings
from pipelines.validate import Validated

LOADED, UNCHANGED, REJECTED = LoadStatus.LOADED, LoadStatus.UNCHANGED, LoadStatus.REJECTED


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
    """A file read and checked, ready to be written if it has no errors."""

    path: Path
    sha256: str
    size: int
    findings: Findings
    validated: list[Validated] = field(default_factory=list)
    read: ReadResult | None = None
    keys: Future | None = None  # application keys, hashed while the file is validated
    parts: Survey | None = None  # a large applications CSV, read part by part (pipelines.parts)
    staged: Staged | None = None  # its rows, staged in the loader's temp table `incoming`

    @property
    def order(self) -> tuple[int, str]:
        """Agencies before funds before applications; funds files by their first year, so that
        each opening balance is compared with the closing balance of the year before it."""
        if self.parts is not None:
            return LOAD_ORDER[APPLICATIONS.name], ""
        tables = self.read.tables if self.read else []
        kind = min((LOAD_ORDER[t.recognised.kind.name] for t in tables), default=-1)
        firsts = [t.frame["year"].drop_nulls().min() for t in tables if "year" in t.frame.columns]
        return kind, min((y for y in firsts if y is not None), default="")


@dataclass
class Staged:
    """What the parts of a file read in parts held, counted as they were staged."""

    rows: int = 0
    agencies: set[str] = field(default_factory=set)
    years: list[int] = field(default_factory=list)


def outcome_of(item: Prepared, status: str) -> Outcome:
    if item.staged is not None:
        staged = item.staged
        return Outcome(
            path=item.path,
            status=status,
            findings=item.findings,
            kinds=[APPLICATIONS.name],
            rows_in_file=staged.rows,
            agencies=len(staged.agencies),
            years=(min(staged.years), max(staged.years)) if staged.years else None,
        )
    frames = [v.frame for v in item.validated]
    years = [y for v in item.validated for y in years_of(v)]
    return Outcome(
        path=item.path,
        status=status,
        findings=item.findings,
        kinds=[v.kind.name for v in item.validated],
        rows_in_file=sum(f.height for f in frames),
        agencies=pl.concat([f["org_nr"] for f in frames]).drop_nulls().n_unique() if frames else 0,
        years=(min(years), max(years)) if years else None,
    )


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


def write_file(con, item: Prepared, key: bytes | None, started: datetime, progress: Progress) -> Outcome:
    """Write one checked file in one transaction, then prove from the database that it landed."""
    outcome = outcome_of(item, UNCHANGED)
    expected = dict.fromkeys(FileKind, 0)
    store.begin(con)
    try:
        outcome.load_id = _begin_log(con, item, started)
        for validated in item.validated:
            incoming = validated.frame
            if item.staged is not None:
                incoming = None  # already pseudonymised, in the temp table `incoming`
            elif validated.kind is APPLICATIONS:
                progress.stage("pseudonymiserar", 0.6)
                incoming = pseudonymise(incoming, key, item.keys.result() if item.keys else None)
            progress.stage("skriver", 0.75)
            inserted, replaced = _replace_slices(con, validated, incoming, outcome.load_id)
            expected[validated.kind.name] += inserted
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
    except Conflict as conflict:
        store.rollback(con)
        item.findings.extend(conflict.findings)
        return record_rejection(con, item, started)
    progress.stage("publicerar", 0.95)
    _prove_written(con, outcome, expected)
    return outcome


class Conflict(Exception):
    """Rows that pass every rule of the file alone but clash with what the database holds."""

    def __init__(self, findings: list[Finding]):
        super().__init__(f"{len(findings)} conflicts")
        self.findings = findings


@contextmanager
def incoming_slices(con, kind: str, incoming: pl.DataFrame | None) -> Iterator[None]:
    """Register a file's rows as `incoming` (unless they are staged there already) and the slices
    they cover as `slices`."""
    if incoming is not None:
        con.register("incoming", incoming)
    try:
        store.run(con, sql(f"load/{kind}_slices"))
        yield
    finally:
        if incoming is not None:
            with suppress(duckdb.Error):  # in an aborted transaction; the error that aborted it is raised
                con.unregister("incoming")


def _replace_slices(con, validated: Validated, incoming: pl.DataFrame | None, load_id: int) -> tuple[int, int]:
    """Replace the slices that incoming holds, unless they already hold exactly its rows."""
    kind = validated.kind.name
    with incoming_slices(con, kind, incoming):
        if kind == FileKind.APPLICATIONS:
            _refuse_conflicts(con, validated)
        (replaced,) = store.fetch_one(con, sql("load/replaced_rows"))
        # Only slices that hold rows can already hold exactly these rows.
        if replaced and not store.fetch_one(con, sql(f"load/{kind}_changed"))[0]:
            return 0, 0
        if kind != FileKind.AGENCIES:
            store.run(con, sql(f"load/{kind}_delete"))
        store.run(con, sql(f"load/{kind}_write"), {"load_id": load_id})
        store.run(con, sql("load/insert_slices"), {"load_id": load_id, "kind": kind})
        rows = incoming.height if incoming is not None else store.fetch_one(con, sql("load/incoming_rows"))[0]
        return rows, int(replaced)


def _refuse_conflicts(con, validated: Validated) -> None:
    if found := conflicts(con, validated):
        raise Conflict(found)


def conflicts(con, validated: Validated) -> list[Finding]:
    """Find applications stored under another year received (incoming and slices registered)."""
    clashes = con.sql(sql("load/applications_conflicts")).pl()
    header = validated.table.header_of("application_id")
    return [
        Finding(
            ERROR,
            "finns redan",
            f"ärendet är redan inläst med inkomstår {year}; rätta inkomstdatum eller läs in det årets fil igen",
            row=row,
            column=header,
            sheet=validated.table.sheet,
        )
        for row, year in clashes.iter_rows()
    ]


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
