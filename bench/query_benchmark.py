"""Time every query the dashboard runs, for TSN and for an agency, on databases of 1x, 10x and 100x
the national volume.

    python -m bench.query_benchmark [--scales 1x 10x 100x] [--runs 20] [--cold-runs 3]

Each query runs through the query layer (lom/queries/), as the pages call it, on a connection opened
the way the app opens one: once as TSN, once as the busiest agency (role = its org_nr); the
functions the query layer refuses to an agency are listed, not timed. Cold: the median of
--cold-runs first runs, each on a fresh connection; warm: the median and the slowest of --runs
runs on an open connection, after one run to warm it. Opening a connection is timed apart.
Writes bench/query_results.json (per scale, merged with earlier scales); bench.report writes
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench import datasets
from lom.queries.access import TSN
from lom.queries.connection import connect
from tests.query_calls import calls, example_arguments

RESULTS = Path(__file__).resolve().parent / "query_results.json"
BENCH_KEY = datasets.DATA / "bench.key"  # the pseudonym key of the benchmarks, not a user's


def seconds_of(call: Callable[[], object]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def open_connection(db: Path) -> None:
    """Open a connection as a page run does, and close it."""
    with connect(db):
        pass


def time_queries(db: Path, year: int, org_nr: str, role: str, runs: int, cold_runs: int) -> tuple[dict, list[str]]:
    """Time every query `role` may run, cold and warm; and name the ones refused to it."""
    timings, refused = {}, []
    with connect(db) as con:
        for name, call in calls(con, year, org_nr, role).items():
            try:
                rows = call().height  # also warms the connection for this query
            except PermissionError:
                refused.append(name)
                continue
            warm = [seconds_of(call) for _ in range(runs)]
            timings[name] = {"rows": rows, "warm_median": statistics.median(warm), "warm_max": max(warm)}
    for name, timing in timings.items():
        cold = []
        for _ in range(cold_runs):
            with connect(db) as fresh:
                cold.append(seconds_of(calls(fresh, year, org_nr, role)[name]))
        timing.update(cold=statistics.median(cold), cold_runs=cold)
    return timings, refused


def measure(db: Path, runs: int, cold_runs: int) -> dict:
    """Time opening a connection, and every query as TSN and as the busiest agency."""
    opened = [seconds_of(lambda: open_connection(db)) for _ in range(runs)]
    with connect(db) as con:
        year, org_nr = example_arguments(con)
    queries, _ = time_queries(db, year, org_nr, TSN, runs, cold_runs)
    agency_queries, refused = time_queries(db, year, org_nr, org_nr, runs, cold_runs)
    return {
        "open_connection_median": statistics.median(opened),
        "year": year,
        "org_nr": org_nr,
        "runs": runs,
        "cold_runs": cold_runs,
        "queries": queries,
        "agency_queries": agency_queries,
        "refused_to_agency": refused,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(datasets.APPLICATIONS), choices=list(datasets.APPLICATIONS))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LOM_KEY_FILE", str(BENCH_KEY))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for scale in args.scales:
        db = datasets.database(scale)
        results[scale] = {
            "applications": datasets.applications_in(db),
            "build_measures_seconds": datasets.rebuild_seconds(db),
            **measure(db, args.runs, args.cold_runs),
        }
        RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
        for role in ("queries", "agency_queries"):
            name, slowest = max(results[scale][role].items(), key=lambda item: item[1]["warm_median"])
            print(f"{scale} {role}: slowest warm {name} {slowest['warm_median'] * 1000:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
