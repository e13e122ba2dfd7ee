"""Time every query the dashboard runs, on databases of 1x, 10x and 100x the national volume.

    python -m bench.query_benchmark [--scales 1x 10x 100x] [--runs 20]

Each query runs through the query layer (queries/), as the pages will call it, on a connection
opened the way the app opens one. The first run on a fresh connection is reported as cold; then
the median and the slowest of --runs further runs as warm. Opening a connection is timed apart.
Writes bench/query_results.json; bench.report writes bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from bench import datasets
from queries import data_status, overview, profile, watchlist
from queries.access import TRS
from queries.connection import connect

RESULTS = Path(__file__).resolve().parent / "query_results.json"


def calls(con: duckdb.DuckDBPyConnection, year: int, org_nr: str) -> dict[str, Callable[[], pl.DataFrame]]:
    """Every function of the query layer, called as a page would call it."""
    return {
        "overview.years": lambda: overview.years(con, role=TRS),
        "overview.agencies": lambda: overview.agencies(con, role=TRS),
        "overview.national_summary": lambda: overview.national_summary(con, year, role=TRS),
        "overview.agency_ranking": lambda: overview.agency_ranking(con, year, "sector", role=TRS),
        "overview.year_totals": lambda: overview.year_totals(con, role=TRS),
        "profile.agency_positions": lambda: profile.agency_positions(con, org_nr, year, "similar", role=TRS),
        "profile.agency_trend": lambda: profile.agency_trend(con, org_nr, "sector", role=TRS),
        "profile.measure_mix": lambda: profile.measure_mix(con, org_nr, year, role=TRS),
        "profile.approval_intervals": lambda: profile.approval_intervals(con, year, "size", role=TRS),
        "profile.similar_agencies": lambda: profile.similar_agencies(con, org_nr, year, role=TRS),
        "watchlist.idle_fund_flags": lambda: watchlist.idle_fund_flags(con, year, role=TRS),
        "watchlist.projections": lambda: watchlist.projections(con, year, role=TRS),
        "watchlist.balance_path": lambda: watchlist.balance_path(con, org_nr, year, role=TRS),
        "data_status.coverage": lambda: data_status.coverage(con, role=TRS),
        "data_status.load_history": lambda: data_status.load_history(con, role=TRS),
        "data_status.rejected_files": lambda: data_status.rejected_files(con, role=TRS),
        "data_status.load_messages": lambda: data_status.load_messages(con, 1, role=TRS),
        "data_status.data_vintage": lambda: data_status.data_vintage(con, role=TRS),
        "data_status.kpi_definitions": lambda: data_status.kpi_definitions(con, role=TRS),
        "data_status.allocation_rates": lambda: data_status.allocation_rates(con, role=TRS),
        "data_status.peer_group_types": lambda: data_status.peer_group_types(con, role=TRS),
    }


def example_arguments(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The newest year with funds, and the agency with the most applications that year."""
    year = int(overview.years(con, role=TRS).filter(pl.col("agencies_with_funds") > 0)["year"].max())
    ranking = overview.agency_ranking(con, year, role=TRS).sort("applications", descending=True, nulls_last=True)
    return year, ranking["org_nr"][0]


def measure(db: Path, runs: int) -> dict:
    """Time opening a connection and every query, cold and warm."""
    opened = []
    for _ in range(runs):
        started = time.perf_counter()
        with connect(db):
            opened.append(time.perf_counter() - started)
    timings = {}
    with connect(db) as con:
        year, org_nr = example_arguments(con)
    with connect(db) as con:
        for name, call in calls(con, year, org_nr).items():
            started = time.perf_counter()
            result = call()
            cold = time.perf_counter() - started
            warm = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                warm.append(time.perf_counter() - started)
            timings[name] = {
                "rows": result.height,
                "cold": cold,
                "warm_median": statistics.median(warm),
                "warm_max": max(warm),
            }
    return {"open_connection_median": statistics.median(opened), "year": year, "queries": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(datasets.APPLICATIONS), choices=list(datasets.APPLICATIONS))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for scale in args.scales:
        db = datasets.database(scale)
        results[scale] = {
            "applications": datasets.applications_in(db),
            "build_measures_seconds": datasets.rebuild_seconds(db),
            **measure(db, args.runs),
        }
        slowest = max(results[scale]["queries"].items(), key=lambda item: item[1]["warm_median"])
        print(f"{scale}: slowest warm query {slowest[0]} {slowest[1]['warm_median'] * 1000:.1f} ms")
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
