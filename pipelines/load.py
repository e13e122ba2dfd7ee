"""Check and load files: read, validate, protect, then write each file in one transaction."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import parse, store
from pipelines.contract import APPLICATIONS, LOAD_ORDER
from pipelines.parse import AMOUNT, DATE, INTEGER
from pipelines.personal_data import person_headers, safe_name, scan_cells, scan_columns
from pipelines.progress import Progress
from pipelines.pseudonym import application_keys, existing_key, load_key, pseudonymise
from pipelines.read import ReadResult, read_file
from pipelines.report import ERROR, Finding, Findings
from pipelines.settings import max_file_bytes, vocabulary
from pipelines.store import sql
from pipelines.validate import Context, Validated, validate

LOADED, UNCHANGED, REJECTED = "loaded", "unchanged", "rejected"
SCANNED_TYPES = ("text", "code", "org_nr")


@dataclass
class Outcome:
    """What happened to one file."""

    path: Path
    status: str
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

    @property
    def order(self) -> int:
        kinds = [t.recognised.kind.name for t in self.read.tables] if self.read else []
        return min((LOAD_ORDER[k] for k in kinds), default=-1)


def check_files(paths: list[Path], db: Path, today: date | None = None) -> list[Outcome]:
    """Validate files against the published database without writing anything."""
    today = today or date.today()
    con = store.open_read_only(db) if db.exists() else store.open_schema_only()
    try:
        prepared = _read_all(paths)
        extra_agencies: set[str] = set()
        outcomes = []
        for item in prepared:
            if item.read is not None:
                _validate(item, _context(con, today, extra_agencies))
            if not item.findings.has_errors:
                _check_conflicts(con, item)
            if not item.findings.has_errors:
                extra_agencies |= _agencies_in(item)
            outcomes.append(_outcome(item, REJECTED if item.findings.has_errors else LOADED))
        return outcomes
    finally:
        con.close()


def load_files(paths: list[Path], db: Path, today: date | None = None) -> list[Outcome]:
    """Load files into the next version of the database and publish it; one transaction a file."""
    today = today or date.today()
    prepared = _read_all(paths)
    key = None
    outcomes = []
    with ThreadPoolExecutor(max_workers=1) as hashing, store.writer_lock(db), store.next_version(db) as con:
        for item in prepared:
            progress = Progress(safe_name(item.path.name), item.size)
            progress.stage("kontrollerar", 0.3)
            started = datetime.now()
            if item.read is not None:
                cases = [t.frame for t in item.read.tables if t.recognised.kind is APPLICATIONS]
                if cases and not item.findings.has_errors and {"org_nr", "application_id"} <= set(cases[0].columns):
                    key = key or load_key()
                    # Hash while validating: DuckDB and Polars both leave the GIL, and the cores.
                    item.keys = hashing.submit(application_keys, _case_numbers(cases[0]), key)
                _validate(item, _context(con, today, set()))
            if item.findings.has_errors:
                outcomes.append(_record_rejection(con, item, started))
                progress.done()
                continue
            outcomes.append(_write(con, item, key, started, progress))
            progress.done()
    return outcomes


def _case_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Return org_nr and case number as validation will have them (canonical, trimmed)."""
    return frame.select(
        parse.cell("org_nr").str.replace(parse.ORG_NR, "$1-$2").alias("org_nr"),
        parse.cell("application_id").alias("application_id"),
    )


def _read_all(paths: list[Path]) -> list[Prepared]:
    """Read every file, then order them so that agencies are known before their figures."""
    prepared = [_read(path) for path in paths]
    return sorted(prepared, key=lambda item: item.order)


def _read(path: Path) -> Prepared:
    findings = Findings()
    size = path.stat().st_size
    if size > max_file_bytes():
        limit = max_file_bytes() // (1024 * 1024)
        findings.add(Finding(ERROR, "för stor", f"filen är större än gränsen {limit} MB och läses inte"))
        return Prepared(path, _sha256_of_file(path), size, findings)
    progress = Progress(safe_name(path.name), size)
    progress.stage("läser", 0.0)
    data = path.read_bytes()
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())  # hashlib frees the GIL
        result = read_file(path, data)
        findings.extend(result.findings.items)
        findings.extend(_personal_data(result))
        return Prepared(path, digest.result(), size, findings, read=result)


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _personal_data(result: ReadResult) -> list[Finding]:
    """Scan every text cell and every column outside the contract for personal data."""
    found = []
    words = vocabulary().person_headers
    for table in result.tables:
        kind = table.recognised.kind
        present = [c for c in kind.columns if c.name in table.frame.columns]
        scanned = [c.name for c in present if c.type in SCANNED_TYPES]
        scanned += [c for c in table.frame.columns if c.startswith("extra_")]
        found += scan_columns(table.frame, {c: table.header_of(c) for c in scanned}, table.sheet)
        for column in (c for c in present if c.type not in SCANNED_TYPES):
            # A valid amount, count or date is not scanned; a cell that is none is text, and is.
            valid = {"amount": AMOUNT, "integer": INTEGER, "date": DATE}[column.type]
            text = table.frame.filter(~pl.col(column.name).str.strip_chars().str.contains(valid).fill_null(True))
            found += scan_columns(text, {column.name: table.header_of(column.name)}, table.sheet)
        if kind is APPLICATIONS:
            found += person_headers(table.headers, words, table.sheet)
    for sheet, text, first_column in result.unloaded_text:
        found += scan_cells(text, sheet, first_column)
    return found


def _context(con: duckdb.DuckDBPyConnection, today: date, extra_agencies: set[str]) -> Context:
    return Context(
        today=today,
        vocabulary=vocabulary(),
        known_agencies=store.known_agencies(con) | extra_agencies,
        rates=store.allocation_rates(con, range(2000, today.year + 2)),
        previous_closing=store.closing_balances(con),
    )


def _validate(item: Prepared, context: Context) -> None:
    """Validate a file's tables, agencies first, so a workbook may bring its own agencies."""
    tables = sorted(item.read.tables, key=lambda t: LOAD_ORDER[t.recognised.kind.name])
    item.validated = []
    for table in tables:
        validated = validate(table, context)
        item.validated.append(validated)
        item.findings.extend(validated.findings)
        if validated.kind.name == "agencies":
            known = context.known_agencies | set(validated.frame["org_nr"].drop_nulls())
            context = replace(context, known_agencies=known)


def _agencies_in(item: Prepared) -> set[str]:
    return {
        org_nr
        for v in item.validated
        if v.kind.name == "agencies"
        for org_nr in v.frame["org_nr"].drop_nulls().to_list()
    }


def _outcome(item: Prepared, status: str) -> Outcome:
    frames = [v.frame for v in item.validated]
    years = [y for v in item.validated for y in _years(v)]
    return Outcome(
        path=item.path,
        status=status,
        findings=item.findings,
        kinds=[v.kind.name for v in item.validated],
        rows_in_file=sum(f.height for f in frames),
        agencies=pl.concat([f["org_nr"] for f in frames]).drop_nulls().n_unique() if frames else 0,
        years=(min(years), max(years)) if years else None,
    )


def _years(validated: Validated) -> list[int]:
    frame = validated.frame
    if "year" in frame.columns:
        column = frame["year"]
    elif "received_on" in frame.columns:
        column = frame["received_on"].dt.year()
    else:
        return []
    column = column.drop_nulls()
    return [column.min(), column.max()] if column.len() else []


def _write(con, item: Prepared, key: bytes | None, started: datetime, progress: Progress) -> Outcome:
    """Write one checked file in one transaction, then prove from the database that it landed."""
    outcome = _outcome(item, UNCHANGED)
    expected = {"agencies": 0, "funds": 0, "applications": 0}
    store.run(con, "begin transaction")
    try:
        outcome.load_id = _begin_log(con, item, started)
        for validated in item.validated:
            incoming = validated.frame
            if validated.kind is APPLICATIONS:
                progress.stage("pseudonymiserar", 0.6)
                incoming = pseudonymise(incoming, key, item.keys.result() if item.keys else None)
            progress.stage("skriver", 0.75)
            inserted, replaced = _replace_slices(con, validated, incoming, outcome.load_id)
            expected[validated.kind.name] += inserted
            outcome.rows_inserted += inserted
            outcome.rows_replaced += replaced
        outcome.status = LOADED if outcome.rows_inserted else UNCHANGED
        _finish_log(con, outcome, item.findings)
        store.run(con, "commit")
    except duckdb.Error as error:
        store.run(con, "rollback")
        item.findings.add(
            Finding(ERROR, "skrivfel", f"databasen vägrade skriva filen ({type(error).__name__}); inget lästes in")
        )
        return _record_rejection(con, item, started)
    except Conflict as conflict:
        store.run(con, "rollback")
        item.findings.extend(conflict.findings)
        return _record_rejection(con, item, started)
    progress.stage("publicerar", 0.95)
    _prove_written(con, outcome, expected)
    return outcome


class Conflict(Exception):
    """Rows that pass every rule of the file alone but clash with what the database holds."""

    def __init__(self, findings: list[Finding]):
        super().__init__(f"{len(findings)} conflicts")
        self.findings = findings


def _replace_slices(con, validated: Validated, incoming: pl.DataFrame, load_id: int) -> tuple[int, int]:
    """Replace the slices that incoming holds, unless they already hold exactly its rows."""
    kind = validated.kind.name
    con.register("incoming", incoming)
    try:
        store.run(con, sql(f"load/{kind}_slices"))
        if kind == "applications":
            _refuse_conflicts(con, validated)
        (replaced,) = store.fetch_one(con, sql("load/replaced_rows"))
        # Only slices that hold rows can already hold exactly these rows.
        if replaced and not store.fetch_one(con, sql(f"load/{kind}_changed"))[0]:
            return 0, 0
        if kind != "agencies":
            store.run(con, sql(f"load/{kind}_delete"))
        store.run(con, sql(f"load/{kind}_write"), {"load_id": load_id})
        store.run(con, sql("load/insert_slices"), {"load_id": load_id, "kind": kind})
        return incoming.height, int(replaced)
    finally:
        con.unregister("incoming")


def _refuse_conflicts(con, validated: Validated) -> None:
    if conflicts := _conflicts(con, validated):
        raise Conflict(conflicts)


def _conflicts(con, validated: Validated) -> list[Finding]:
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


def _check_conflicts(con, item: Prepared) -> None:
    """Run the load's cross-year check in a read-only check, when a key to compare with exists."""
    key = existing_key()
    for validated in item.validated:
        if validated.kind is not APPLICATIONS or key is None:
            continue
        con.register("incoming", pseudonymise(validated.frame, key))
        try:
            store.run(con, sql("load/applications_slices"))
            item.findings.extend(_conflicts(con, validated))
        finally:
            con.unregister("incoming")


def _prove_written(con, outcome: Outcome, expected: dict[str, int]) -> None:
    """Refuse to report success unless the committed rows are really there."""
    agencies, funds, applications, status = store.fetch_one(con, sql("load/rows_of_load"), {"load_id": outcome.load_id})
    found = {"agencies": agencies, "funds": funds, "applications": applications}
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


def _record_rejection(con, item: Prepared, started: datetime) -> Outcome:
    """Log a rejected file: one row in loads, its messages, and no data."""
    outcome = _outcome(item, REJECTED)
    store.run(con, "begin transaction")
    try:
        outcome.load_id = _begin_log(con, item, started)
        _finish_log(con, outcome, item.findings)
        store.run(con, "commit")
    except BaseException:
        store.run(con, "rollback")
        raise
    _prove_written(con, outcome, {})
    return outcome
