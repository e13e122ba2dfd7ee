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

import duckdb
import polars as pl

from bench import datasets
from lom.queries import data_status, overview, profile, watchlist
from lom.queries.access import TSN
from lom.queries.connection import connect

RESULTS = Path(__file__).resolve().parent / "query_results.json"
BENCH_KEY = datasets.DATA / "bench.key"  # the pseudonym key of the benchmarks, not a user's


def calls(
    con: duckdb.DuckDBPyConnection, year: int, org_nr: str, role: str = TSN
) -> dict[str, Callable[[], pl.DataFrame]]:
    """Every function of the query layer, called as a page would call it for `role`."""
    return {
        "overview.years": lambda: overview.years(con, role=role),
        "overview.agencies": lambda: overview.agencies(con, role=role),
        "overview.national_summary": lambda: overview.national_summary(con, year, role=role),
        "overview.agency_ranking": lambda: overview.agency_ranking(con, year, "sector", role=role),
        "overview.year_totals": lambda: overview.year_totals(con, role=role),
        "profile.agency_positions": lambda: profile.agency_positions(con, org_nr, year, "similar", role=role),
        "profile.agency_trend": lambda: profile.agency_trend(con, org_nr, "sector", role=role),
        "profile.measure_mix": lambda: profile.measure_mix(con, org_nr, year, role=role),
        "profile.approval_intervals": lambda: profile.approval_intervals(con, year, "size", role=role),
        "profile.similar_agencies": lambda: profile.similar_agencies(con, org_nr, year, role=role),
        "profile.own_figures": lambda: profile.own_figures(con, org_nr, role=role),
        "profile.own_coverage": lambda: profile.own_coverage(con, org_nr, role=role),
        "profile.funnel_band": lambda: profile.funnel_band(con, 0.8, 400, role=role),
        "watchlist.idle_fund_flags": lambda: watchlist.idle_fund_flags(con, year, role=role),
        "watchlist.projections": lambda: watchlist.projections(con, year, role=role),
        "watchlist.balance_path": lambda: watchlist.balance_path(con, org_nr, year, role=role),
        "watchlist.own_projection": lambda: watchlist.own_projection(con, org_nr, year, role=role),
        "data_status.coverage": lambda: data_status.coverage(con, role=role),
        "data_status.load_history": lambda: data_status.load_history(con, role=role),
        "data_status.rejected_files": lambda: data_status.rejected_files(con, role=role),
        "data_status.load_messages": lambda: data_status.load_messages(con, 1, role=role),
        "data_status.data_vintage": lambda: data_status.data_vintage(con, role=role),
        "data_status.kpi_definitions": lambda: data_status.kpi_definitions(con, role=role),
        "data_status.allocation_rates": lambda: data_status.allocation_rates(con, role=role),
        "data_status.peer_group_types": lambda: data_status.peer_group_types(con, role=role),
    }


def example_arguments(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The newest year with funds, and the agency with the most applications that year."""
    year = int(overview.years(con, role=TSN).filter(pl.col("agencies_with_funds") > 0)["year"].max())
    ranking = overview.agency_ranking(con, year, role=TSN).sort("applications", descending=True, nulls_last=True)
    return year, ranking["org_nr"][0]


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
