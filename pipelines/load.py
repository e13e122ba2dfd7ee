"""Check and load files: read, validate, protect, then write each file in one transaction."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import models, parse, store
from pipelines.contract import APPLICATIONS, LOAD_ORDER
from pipelines.parse import AMOUNT, DATE, INTEGER
from pipelines.personal_data import person_headers, safe_name, scan_cells, scan_columns
from pipelines.progress import Progress, StageListener
from pipelines.pseudonym import application_keys, existing_key, load_key, pseudonymise
from pipelines.read import ReadResult, read_file
from pipelines.report import ERROR, Finding, Findings
from pipelines.settings import max_file_bytes, vocabulary
from pipelines.validate import Context, validate
from pipelines.write import (
    LOADED,
    REJECTED,
    Outcome,
    Prepared,
    conflicts,
    incoming_slices,
    outcome_of,
    record_rejection,
    write_file,
)

SCANNED_TYPES = ("text", "code", "org_nr")


def check_files(paths: list[Path], db: Path, today: date | None = None) -> list[Outcome]:
    """Validate files against the published database without writing anything."""
    today = today or date.today()
    con = store.open_read_only(db) if db.exists() else store.open_schema_only()
    try:
        prepared = _read_all(paths)
        extra_agencies: set[str] = set()
        extra_closings: list[pl.DataFrame] = []  # from earlier files of this check, as a load would have
        outcomes = []
        for item in prepared:
            if item.read is not None:
                _validate(item, _context(con, today, extra_agencies, extra_closings))
            if not item.findings.has_errors:
                _check_conflicts(con, item)
            if not item.findings.has_errors:
                extra_agencies |= _agencies_in(item)
                extra_closings += [
                    v.frame.select("org_nr", "year", "closing_balance_sek")
                    for v in item.validated
                    if v.kind.name == "funds"
                ]
            outcomes.append(outcome_of(item, REJECTED if item.findings.has_errors else LOADED))
        return outcomes
    finally:
        con.close()


def load_files(
    paths: list[Path], db: Path, today: date | None = None, listener: StageListener | None = None
) -> list[Outcome]:
    """Load files into the next version of the database and publish it; one transaction a file.

    `listener`, if given, is told each stage a file reaches (the dashboard's progress bar).
    """
    today = today or date.today()
    prepared = _read_all(paths, listener)
    key = None
    outcomes = []
    with ThreadPoolExecutor(max_workers=1) as hashing, store.writer_lock(db), store.next_version(db) as con:
        for index, item in enumerate(prepared):
            share = _share(listener, index, len(prepared))
            progress = Progress(safe_name(item.path.name), item.size, listener=share)
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
                outcomes.append(record_rejection(con, item, started))
                progress.done()
                continue
            outcomes.append(write_file(con, item, key, started, progress))
            progress.done()
        if any(o.status == LOADED for o in outcomes) or not models.is_current(con):
            if listener is not None:
                listener("", "bygger måtten", 0.97)
            models.build(con)
    if listener is not None:
        listener("", "klar", 1.0)
    return outcomes


def _case_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Return org_nr and case number as validation will have them (canonical, trimmed)."""
    return frame.select(
        parse.cell("org_nr").str.replace(parse.ORG_NR, "$1-$2").alias("org_nr"),
        parse.cell("application_id").alias("application_id"),
    )


# Of a listener's bar, reading all files takes the first quarter, then each file an equal share up
# to 0.95; building the measures and publishing take the rest.
READ_SHARE, FILES_SHARE = 0.25, 0.7


def _read_all(paths: list[Path], listener: StageListener | None = None) -> list[Prepared]:
    """Read every file, then order them so that agencies are known before their figures."""
    prepared = []
    for index, path in enumerate(paths):
        if listener is not None:
            listener(safe_name(path.name), "läser", READ_SHARE * index / len(paths))
        prepared.append(_read(path))
    return sorted(prepared, key=lambda item: item.order)


def _share(listener: StageListener | None, index: int, count: int) -> StageListener | None:
    """A listener for one file of several: its stages move the bar only through its own share."""
    if listener is None:
        return None
    return lambda label, stage, fraction: listener(label, stage, READ_SHARE + FILES_SHARE * (index + fraction) / count)


def _read(path: Path) -> Prepared:
    """Read one file and scan it; a file over the size limit is refused unread."""
    findings = Findings()
    limit = max_file_bytes()
    size = path.stat().st_size
    if size > limit:
        return _oversized(path, size, limit, findings)
    progress = Progress(safe_name(path.name), size)
    progress.stage("läser", 0.0)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)  # a file that grew since it was measured is not read past the limit
    if len(data) > limit:
        return _oversized(path, len(data), limit, findings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())  # hashlib frees the GIL
        result = read_file(path, data)
        findings.extend(result.findings)  # with the rows only counted
        findings.extend(_personal_data(result))
        return Prepared(path, digest.result(), len(data), findings, read=result)


def _oversized(path: Path, size: int, limit: int, findings: Findings) -> Prepared:
    shown = format(limit / (1024 * 1024), "g").replace(".", ",")
    findings.add(Finding(ERROR, "för stor", f"filen är större än gränsen {shown} MB och läses inte"))
    return Prepared(path, _sha256_of_file(path), size, findings)


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


def _context(
    con: duckdb.DuckDBPyConnection,
    today: date,
    extra_agencies: set[str],
    extra_closings: list[pl.DataFrame] = (),
) -> Context:
    """What validation needs from the database, plus what earlier files of a check would add."""
    stored = store.closing_balances(con)
    closings = pl.concat([*[c.cast(stored.schema) for c in reversed(extra_closings)], stored])
    return Context(
        today=today,
        vocabulary=vocabulary(),
        known_agencies=store.known_agencies(con) | extra_agencies,
        rates=store.allocation_rates(con, range(2000, today.year + 2)),
        previous_closing=closings.unique(["org_nr", "year"], keep="first", maintain_order=True),
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


def _check_conflicts(con, item: Prepared) -> None:
    """Run the load's cross-year check in a read-only check, when a key to compare with exists."""
    key = existing_key()
    for validated in item.validated:
        if validated.kind is not APPLICATIONS or key is None:
            continue
        with incoming_slices(con, "applications", pseudonymise(validated.frame, key)):
            item.findings.extend(conflicts(con, validated))
