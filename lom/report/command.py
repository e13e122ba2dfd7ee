"""`lom report`: the agency reports and the national report as PDF files (lom/cli.py parses)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from lom.db import settings
from lom.db.models import ModelsOutdated
from lom.followup.store import open_store
from lom.queries import access, overview
from lom.queries.connection import connect
from lom.report import agency, national
from lom.ui import format as fmt

EXIT_OK, EXIT_REFUSED = 0, 1


def run(args: argparse.Namespace) -> int:
    """Write the report(s) the arguments ask for and return the exit code: 1, with a message on
    standard error, for an agency or a year not in the database."""
    db = settings.db_path(args.db)
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
    started, written = time.perf_counter(), 0
    for org_nr in overview.agencies(con, role=access.TSN)["org_nr"].sort():
        try:
            pdf = agency.report(con, org_nr, args.year, args.group, role=access.TSN)
        except agency.NotInDatabase:
            continue  # no figures for the year: no report
        write(folder / f"{org_nr}.pdf", pdf)
        written += 1
    seconds = time.perf_counter() - started
    print(f"Skrev {written} rapporter i {folder} ({fmt.number(seconds, 1)} s)" if written else "Inga rapporter")
    return EXIT_OK


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
