"""Benchmark databases at 1x, 10x and 100x the national volume, from the sample-data generator.

    python -m bench.datasets 100x        # build bench/data/lom_100x.duckdb if missing

The national volume is taken as 300 agencies over 20 years (2006-2025) with 100 000 applications
in all; 100x is the 10 million applications of PRODUCT.md. The generated rows go straight into the
tables with the loader's own insert statements (the loader's speed is measured apart, by
bench.load_benchmark); the measures are then built exactly as a load builds them.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import models, store
from queries import data_status
from queries.connection import connect
from sample_data.generate import generate

DATA = Path(__file__).resolve().parent / "data"
AGENCIES = 300
YEARS = range(2006, 2026)
APPLICATIONS = {"1x": 100_000, "10x": 1_000_000, "100x": 10_000_000}
SEED = 7


def database(scale: str) -> Path:
    """Return the benchmark database of a scale, building it if it is missing and its measures
    if they are not this code's."""
    path = DATA / f"lom_{scale}.duckdb"
    if not path.exists():
        build(scale, path)
    models.refresh(path)
    return path


def build(scale: str, path: Path) -> dict:
    """Generate a scale's data, write it into a new database at path and build the measures."""
    started = time.perf_counter()
    dataset = generate(AGENCIES, scale=_generator_scale(APPLICATIONS[scale]), seed=SEED, years=YEARS)
    generated = time.perf_counter()
    DATA.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(path.name + ".building")
    draft.unlink(missing_ok=True)
    con = duckdb.connect(draft)
    try:
        store.apply_schema(con)
        load_id = store.fetch_one(
            con,
            store.sql("load/insert_load"),
            {
                "file_name": f"bench-{scale}",
                "content_sha256": hashlib.sha256(scale.encode()).hexdigest(),
                "size_bytes": 0,
                "started_at": datetime.now(),
            },
        )[0]
        applications = dataset.applications.with_columns(
            pl.concat_str("org_nr", "application_id").hash().cast(pl.String).str.zfill(32).alias("application_key")
        )
        for kind, frame in [("agencies", dataset.agencies), ("funds", dataset.funds), ("applications", applications)]:
            con.register("incoming", frame)
            store.run(con, store.sql(f"load/{kind}_write"), {"load_id": load_id})
            con.unregister("incoming")
        _finish(con, load_id, dataset)
        inserted = time.perf_counter()
        models.build(con)
        built = time.perf_counter()
        store.run(con, "checkpoint")
    finally:
        con.close()
    draft.rename(path)
    return {
        "applications": dataset.applications.height,
        "generate_seconds": generated - started,
        "insert_seconds": inserted - generated,
        "build_measures_seconds": built - inserted,
    }


def applications_in(db: Path) -> int:
    """Return how many applications a benchmark database holds."""
    with connect(db) as con:
        return int(data_status.data_vintage(con)["applications"][0])


def rebuild_seconds(db: Path, runs: int = 3) -> list[float]:
    """Time building every view and summary table anew on a copy of a database, as a load does."""
    seconds = []
    for run in range(runs):
        copy = db.with_name(f"{db.stem}.rebuild-{run}.duckdb")
        shutil.copyfile(db, copy)
        con = duckdb.connect(copy)
        try:
            started = time.perf_counter()
            models.build(con)
            seconds.append(time.perf_counter() - started)
        finally:
            con.close()
            copy.unlink()
            copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    return seconds


def _finish(con: duckdb.DuckDBPyConnection, load_id: int, dataset) -> None:
    rows = dataset.agencies.height + dataset.funds.height + dataset.applications.height
    store.run(
        con,
        store.sql("load/finish_load"),
        {
            "load_id": load_id,
            "kinds": "agencies,funds,applications",
            "status": "loaded",
            "agencies": dataset.agencies.height,
            "first_year": YEARS.start,
            "last_year": YEARS.stop - 1,
            "rows_in_file": rows,
            "rows_inserted": rows,
            "rows_replaced": 0,
            "errors": 0,
            "warnings": 0,
            "finished_at": datetime.now(),
        },
    )


def _generator_scale(applications: int) -> float:
    """Return the generator's volume multiplier that gives about this many applications."""
    per_unit = generate(AGENCIES, scale=1.0, seed=SEED, years=YEARS).applications.height
    return applications / per_unit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="+", choices=sorted(APPLICATIONS))
    args = parser.parse_args()
    for scale in args.scales:
        path = DATA / f"lom_{scale}.duckdb"
        if path.exists():
            print(f"{path} exists")
            continue
        print(scale, build(scale, path))


if __name__ == "__main__":
    main()
