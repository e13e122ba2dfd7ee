"""`lom report`: the agency reports and the national report as PDF files (lom/cli.py parses)."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

from lom.db import settings
from lom.db.models import ModelsOutdated
from lom.followup.store import open_store
from lom.queries import access, overview
from lom.queries.connection import connect
from lom.report import agency, national, quiet_streamlit
from lom.ui import format as fmt

EXIT_OK, EXIT_REFUSED = 0, 1


def run(args: argparse.Namespace) -> int:
    """Write the report(s) the arguments ask for and return the exit code: 1, with a message on
    standard error, for an agency or a year not in the database."""
    db = settings.db_path(args.db)
    args.db_path = str(db)
    try:
        with connect(db) as con:
            if args.kind == "national":
                write(Path(args.out), national.report(con, args.year, open_store(), role=access.TSN))
                print(f"Skrev {args.out}")
                return EXIT_OK
            return _agencies(con, args)
    except FileNotFoundError:
        return _refuse(f"databasen {db} finns inte; läs in filer först (lom load) eller ange --db")
    except ModelsOutdated as outdated:
        return _refuse(str(outdated))
    except agency.NotInDatabase as missing:
        return _refuse(str(missing))


def _agencies(con, args: argparse.Namespace) -> int:
    if args.all == bool(args.org_nr):
        return _refuse("ange antingen ett organisationsnummer eller --all")
    if not args.all:
        if not access.ORG_NR.fullmatch(args.org_nr):
            return _refuse(f"{args.org_nr!r} är inte ett organisationsnummer (sex siffror, bindestreck, fyra siffror)")
        write(Path(args.out), agency.report(con, args.org_nr, args.year, args.group, role=access.TSN))
        print(f"Skrev {args.out}")
        return EXIT_OK
    years = overview.years(con, role=access.TSN).filter(pl.col("agencies_with_funds") > 0)["year"].to_list()
    if args.year not in years:
        return _refuse(f"året {args.year} finns inte i databasen")
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    org_nrs = overview.agencies(con, role=access.TSN)["org_nr"].sort().to_list()
    started = time.perf_counter()
    written = sum(_batch(Path(args.db_path), org_nrs, args.year, args.group, folder, args.jobs))
    seconds = time.perf_counter() - started
    print(f"Skrev {written} rapporter i {folder} ({fmt.number(seconds, 1)} s)" if written else "Inga rapporter")
    return EXIT_OK


def _batch(db: Path, org_nrs: list[str], year: int, group: str, folder: Path, jobs: int) -> Iterator[bool]:
    """Write each agency's report into folder, in `jobs` processes; yield whether each was written
    (an agency without figures for the year gets none). Fresh processes (spawn), not forks: Polars'
    thread pool does not survive a fork."""
    work = [(db, org_nr, year, group, folder) for org_nr in org_nrs]
    if jobs <= 1 or len(work) < 2 * jobs:
        yield from (_write_one(*item) for item in work)
        return
    spawn = multiprocessing.get_context("spawn")
    # A process per core, each on one thread: Polars and DuckDB would otherwise each start a thread
    # per core in every process and contend (a sixth of the batch's time). Read when a worker starts.
    with (
        _environment(POLARS_MAX_THREADS="1"),
        ProcessPoolExecutor(jobs, mp_context=spawn, initializer=quiet_streamlit) as pool,
    ):
        # One agency at a time: a worker takes the next as soon as it is done, so that both end
        # together (in chunks, the last one left a core idle for seconds).
        yield from pool.map(_write_one, *zip(*work, strict=True))


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the processes started within, and restore them after."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_connections: dict[Path, duckdb.DuckDBPyConnection] = {}
_opened = contextlib.ExitStack()  # this process's connections, closed when it ends


def _write_one(db: Path, org_nr: str, year: int, group: str, folder: Path) -> bool:
    """One agency's report into folder/ORG_NR.pdf, on this process's connection to the database."""
    if db not in _connections:
        _connections[db] = _opened.enter_context(connect(db, threads=1 if multiprocessing.parent_process() else None))
    try:
        pdf = agency.report(_connections[db], org_nr, year, group, role=access.TSN)
    except agency.NotInDatabase:
        return False
    write(folder / f"{org_nr}.pdf", pdf)
    return True


def write(path: Path, pdf: bytes) -> None:
    """Write a file whole or not at all: to a temporary file beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _refuse(message: str) -> int:
    print(f"fel: {message}", file=sys.stderr)
    return EXIT_REFUSED
