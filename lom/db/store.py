"""The one module that opens the database: readers, and the single writer that publishes.

A load never writes the published file in place. It copies it, writes the copy, checkpoints and
fsyncs it, then renames it onto the published path. Readers therefore see the old complete file
or the new complete file, never half a load, and never hold a lock a load needs.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from lom.db.settings import SQL_DIR, loader_memory, lock_timeout_seconds


class LoadBusy(Exception):
    """Another load held the writer lock for longer than we were willing to wait."""


class WriteFailed(Exception):
    """The next version could not be written (disk full, I/O error ...); nothing was published.

    The message says what happened, in Swedish; the published database is the one before.
    """

    def __init__(self, db: Path, reason: str):
        super().__init__(
            f"inläsningen kunde inte skrivas i {db.parent}: {reason}. Den publicerade databasen är "
            "oförändrad och inget lästes in; försöket kunde inte föras in i inläsningsloggen"
        )


# What the operating system said, in the words a user needs; by errno and by its English text
# (DuckDB passes the system's message on inside its own).
WRITE_FAILURES = {
    errno.ENOSPC: ("No space left on device", "disken är full"),
    errno.EDQUOT: ("Disk quota exceeded", "diskkvoten är slut"),
    errno.EFBIG: ("File too large", "filen blev större än systemet tillåter"),
    errno.EIO: ("Input/output error", "disken gav ett skrivfel (I/O-fel)"),
    errno.EROFS: ("Read-only file system", "filsystemet är skrivskyddat"),
    errno.ENOMEM: ("Cannot allocate memory", "minnet tog slut"),
}


def write_failure(error: BaseException) -> str | None:
    """Say why a write failed, if the error is the machine's (disk, I/O, memory), not the file's."""
    if isinstance(error, OSError) and not isinstance(error, PermissionError):
        return WRITE_FAILURES.get(error.errno, ("", f"skrivningen misslyckades ({error.strerror})"))[1]
    if isinstance(error, duckdb.OutOfMemoryException):
        return "minnet tog slut"
    if isinstance(error, duckdb.Error):
        text = str(error)
        for system_text, reason in WRITE_FAILURES.values():
            if system_text in text:
                return reason
        if "Could not write" in text or isinstance(error, duckdb.FatalException):
            return "databasen kunde inte skriva sin fil"
    return None


def sql(name: str) -> str:
    """Return the text of a statement kept under sql/, e.g. sql('load/funds_insert')."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, query, params: dict | None = None) -> None:
    """Execute a statement and finish its result, as DuckDB 2 requires before the next one."""
    con.execute(query, params)
    con.complete()


def fetch_one(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> tuple:
    """Execute a query that returns one row and return that row."""
    rows = con.execute(query, params).fetchall()
    if len(rows) != 1:
        raise RuntimeError(f"expected one row, got {len(rows)}")
    return rows[0]


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """Open a transaction (explicitly: several statements in one string were not atomic)."""
    run(con, "begin transaction")


def commit(con: duckdb.DuckDBPyConnection) -> None:
    """Commit the open transaction. DuckDB may roll back silently: callers check what landed."""
    run(con, "commit")


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write everything of the write-ahead log into the database file."""
    run(con, "checkpoint")


# What model_objects.sql names, and so what a rebuild may drop.
DROPPABLE = ("view", "table", "macro", "macro table")


def drop_object(con: duckdb.DuckDBPyConnection, kind: str, name: str) -> None:
    """Drop a view, table or macro of the main schema by its name, quoted."""
    if kind not in DROPPABLE:
        raise ValueError(f"cannot drop a {kind}")
    run(con, f'drop {kind} "{name.replace(chr(34), chr(34) * 2)}"')


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of sql/schema/ that is missing, in file order, in one transaction."""
    begin(con)
    try:
        for path in sorted((SQL_DIR / "schema").glob("*.sql")):
            for statement in con.extract_statements(path.read_text(encoding="utf-8")):
                run(con, statement)
        commit(con)
    except BaseException:
        rollback(con)
        raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction; one whose COMMIT failed is already rolled back by DuckDB."""
    with suppress(duckdb.TransactionException):
        run(con, "rollback")


def open_read_only(db: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published database read-only, always seeing the newest published file.

    A fresh in-memory connection that attaches the file sees a file swapped in by a load; a plain
    connect() would reuse a database this process already has open and keep the old one.
    `threads`: DuckDB's threads for the connection (a worker of a batch that has a process per core
    wants 1), else DuckDB's default of one per core.
    """
    con = duckdb.connect(config={"threads": threads} if threads else {})
    run(con, f"attach '{_quoted(db)}' as lom (read_only)")
    run(con, "use lom")
    lock_down(con)
    return con


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Leave a connection able to use the databases it has open and nothing else: no other files,
    no ATTACH or COPY, no extensions, no network; and no setting can undo that. Frames handed to
    it from Python (`register`) still work."""
    run(con, "set enable_external_access = false")
    run(con, "set lock_configuration = true")


def open_schema_only() -> duckdb.DuckDBPyConnection:
    """Open an empty in-memory database with the schema, for checks when nothing is published."""
    con = duckdb.connect()
    lock_down(con)
    apply_schema(con)
    return con


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


@contextmanager
def writer_lock(db: Path) -> Iterator[None]:
    """Hold the one-writer lock of a database, waiting for another load to finish."""
    db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_seconds()
    with open(db.with_name(db.name + ".lock"), "a+") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LoadBusy(f"en annan inläsning pågår fortfarande mot {db.name}") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def next_version(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a copy of the database; publish it if the block succeeds.

    The caller must hold writer_lock. Leftovers of loads that died are removed first. A write
    the machine refuses (disk full, I/O error) raises WriteFailed, with the draft removed and the
    published file untouched.
    """
    for leftover in db.parent.glob(db.name + ".next-*"):
        if leftover.is_dir():  # where DuckDB spilled a load's temp data
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    draft = db.with_name(f"{db.name}.next-{os.getpid()}")
    con = None
    try:
        if db.exists():
            shutil.copyfile(db, draft)
            _keep_permissions(db, draft)
        # Past its memory limit DuckDB spills to <draft>.tmp: a load of ten million rows stages them
        # there rather than in memory (pipelines/parts.py).
        con = duckdb.connect(draft, config={"memory_limit": loader_memory()})
        lock_down(con)
        apply_schema(con)
        yield con
        checkpoint(con)
        con.close()
        _publish(draft, db)
    except (OSError, duckdb.Error) as error:
        if reason := write_failure(error):
            raise WriteFailed(db, reason) from error
        raise
    finally:
        if con is not None:
            con.close()
        for path in (draft, draft.with_name(draft.name + ".wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(draft.with_name(draft.name + ".tmp"), ignore_errors=True)


def _keep_permissions(db: Path, draft: Path) -> None:
    """Give the draft the published file's mode and, where allowed, its owner and group."""
    shutil.copymode(db, draft)
    status = db.stat()
    with suppress(PermissionError):
        os.chown(draft, status.st_uid, status.st_gid)


def _publish(draft: Path, db: Path) -> None:
    wal = draft.with_name(draft.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError("the draft database still has a write-ahead log after its checkpoint")
    with open(draft, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(draft, db)
    directory = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def known_agencies(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Return the org_nr of every agency in the database."""
    return frozenset(con.sql(sql("load/known_agencies")).pl()["org_nr"].to_list())


def allocation_rates(con: duckdb.DuckDBPyConnection, years: range) -> dict[int, Decimal]:
    """Return the allocation rate of each year that has one."""
    frame = con.sql(sql("load/allocation_rates")).pl()
    rates = {}
    for first, last, rate in frame.iter_rows():
        for year in years:
            if first <= year and (last is None or year <= last):
                rates[year] = rate
    return rates


def closing_balances(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return each agency's closing balance per year, for the opening-balance check."""
    return con.sql(sql("load/closing_balances")).pl()


def opening_balances(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return each agency's stored opening balance per year: a corrected closing balance of the
    year before must still lead to it."""
    return con.sql(sql("load/opening_balances")).pl()
