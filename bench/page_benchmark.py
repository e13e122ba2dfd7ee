"""Time every page of the dashboard through AppTest, on databases of 1x, 10x and 100x the national volume.

    python -m bench.page_benchmark [--scales 1x 10x 100x] [--runs 10]

Cold: the first run of a page with Streamlit's caches empty (every query and chart made anew).
Warm: the median and slowest of --runs reruns after it with the same state, which is what
every rerun costs once its queries and charts are cached (a widget changed back and forth).
Start: a fresh Python process importing the app and drawing the overview once, as a new server
process's first visitor meets it. Writes bench/page_results.json; bench.report
writes bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench import datasets
from bench.query_benchmark import example_arguments
from pipelines.settings import ROOT
from queries.connection import connect

RESULTS = Path(__file__).resolve().parent / "page_results.json"
APP = str(ROOT / "dashboard.py")
PAGES = ["overview", "watchlist", "profile", "trends", "data", "about"]
START = """
import time, sys
started = time.perf_counter()
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=300).run()
assert not app.exception, app.exception
print(time.perf_counter() - started)
"""


def cold_start(db: Path) -> float:
    """Seconds for a new process to import the app and draw its first page."""
    env = {**os.environ, "LOM_DB": str(db)}
    done = subprocess.run([sys.executable, "-c", START, APP], env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def measure(db: Path, runs: int) -> dict:
    with connect(db) as con:
        year, org_nr = example_arguments(con)
    os.environ["LOM_DB"] = str(db)
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params["ar"] = str(year)
    app.query_params["myndighet"] = org_nr
    app.run()
    pages = {}
    for page in PAGES:
        st.cache_data.clear()
        app.switch_page(f"views/{page}.py")
        started = time.perf_counter()
        app.run()
        cold = time.perf_counter() - started
        assert not app.exception, [e.value for e in app.exception]
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        pages[page] = {"cold": cold, "warm_median": statistics.median(warm), "warm_max": max(warm)}
        print(f"  {page}: cold {cold * 1000:.0f} ms, warm {statistics.median(warm) * 1000:.0f} ms", flush=True)
    return {"year": year, "pages": pages, "start_seconds": [cold_start(db) for _ in range(3)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(datasets.APPLICATIONS), choices=list(datasets.APPLICATIONS))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for scale in args.scales:
        print(scale, flush=True)
        db = datasets.database(scale)
        results[scale] = {"applications": datasets.applications_in(db), **measure(db, args.runs)}
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


def section(results: dict, goal_ms: int = 300) -> str:
    """Render the page benchmark for bench/README.md."""
    scales = [s for s in ("1x", "10x", "100x") if s in results]
    header = " | ".join(f"{s} warm (max) | {s} cold" for s in scales)
    lines = []
    for page in PAGES:
        cells = []
        for scale in scales:
            timing = results[scale]["pages"][page]
            cells += [
                f"{timing['warm_median'] * 1000:.0f} ms ({timing['warm_max'] * 1000:.0f})",
                f"{timing['cold'] * 1000:.0f} ms",
            ]
        lines.append(f"| {page} | {' | '.join(cells)} |")
    largest = scales[-1]
    slowest = max((t["warm_median"], page) for page, t in results[largest]["pages"].items())
    met = "met" if slowest[0] * 1000 < goal_ms else "NOT met"
    start = ", ".join(f"{s}: {statistics.median(results[s]['start_seconds']):.1f} s" for s in scales)
    return f"""## Dashboard pages at 1x, 10x and 100x

`python -m bench.page_benchmark`. Every page through Streamlit's AppTest on the same databases,
for the newest year and the agency with the most applications. Cold: the page's first run with
Streamlit's caches empty, every query and chart made anew; warm: the median of 10 reruns after
it with the same state (the slowest in brackets): what a rerun costs once its queries and charts
are cached.

| page | {header} |
|---|{"---|" * (2 * len(scales))}
{chr(10).join(lines)}

Goal: every page under {goal_ms} ms warm at {largest}: **{met}** (slowest: {slowest[1]},
{slowest[0] * 1000:.0f} ms).

Cold start of a new process (importing Streamlit, Polars, DuckDB and Altair, then drawing the
overview with empty caches; median of 3): {start}.

Why warm reruns are cheap: query results are cached by the database file's identity and the
viewer's role (`ui/data.py`), and so are finished Vega-Lite specifications (`ui/charts.py`):
building an Altair chart and validating it cost 20-60 ms a chart, more than the query behind it.
"""


if __name__ == "__main__":
    main()
