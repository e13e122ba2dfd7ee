"""Time every page of the dashboard through AppTest, for TSN and for an agency, on databases of 1x,
10x and 100x the national volume.

    python -m bench.page_benchmark [--scales 1x 10x 100x] [--runs 10] [--cold-runs 3]

Each role is logged in as in a deployment (an `[auth]` section in the secrets, a roles file, a
logged-in user): TSN staff see the six pages, the busiest agency its four. Cold: the median of
--cold-runs runs of a page each with Streamlit's caches empty (every query and chart made anew).
Warm: the median and slowest of --runs reruns after them with the same state, which is what every
rerun costs once its queries and charts are cached (a widget changed back and forth). Start: a
fresh Python process importing the app and drawing the overview once, as a new server process's
first visitor meets it. Writes bench/page_results.json (per scale, merged with earlier scales);
bench.report writes bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench import datasets
from bench.query_benchmark import BENCH_KEY
from lom.queries.access import TSN
from lom.queries.connection import connect
from lom.ui import auth
from tests.pages import open_page
from tests.paths import ROOT
from tests.query_calls import example_arguments

RESULTS = Path(__file__).resolve().parent / "page_results.json"
APP = str(ROOT / "dashboard.py")
PAGES = ["overview", "watchlist", "profile", "trends", "data", "about"]
AGENCY_PAGES = ["overview", "profile", "trends", "about"]  # the watchlist and the loads are TSN's only
# A login as a deployment configures one; AppTest's user stands in for the identity provider, which
# is never contacted.
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "bench-only-not-a-secret",
    "client_id": "lom-bench",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
}
TSN_USER, AGENCY_USER = "staff@tsn.example", "hr@agency.example"
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


def logged_in(email: str, year: int, org_nr: str) -> AppTest:
    """The app with a logged-in user, on the overview of `year` (and TSN on the busiest agency)."""
    app = AppTest.from_file(APP, default_timeout=300)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": email}
    app.query_params["ar"] = str(year)
    app.query_params["myndighet"] = org_nr  # an agency's pages ignore it: it sees its own
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def time_pages(app: AppTest, pages: list[str], runs: int, cold_runs: int) -> dict:
    """Time each page cold (caches emptied before each run) and warm (reruns after them)."""
    timings = {}
    for page in pages:
        open_page(app, page)
        cold = []
        for _ in range(cold_runs):
            clear_caches()
            started = time.perf_counter()
            app.run()
            cold.append(time.perf_counter() - started)
            assert not app.exception, [e.value for e in app.exception]
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        timings[page] = {
            "cold": statistics.median(cold),
            "cold_runs": cold,
            "warm_median": statistics.median(warm),
            "warm_max": max(warm),
        }
        print(
            f"  {page}: cold {timings[page]['cold'] * 1000:.0f} ms, warm {statistics.median(warm) * 1000:.0f} ms",
            flush=True,
        )
    return timings


def measure(db: Path, runs: int, cold_runs: int) -> dict:
    """Time every page as TSN staff and as the busiest agency, and a new process's first page."""
    with connect(db) as con:
        year, org_nr = example_arguments(con)
    os.environ["LOM_DB"] = str(db)
    with tempfile.TemporaryDirectory() as folder:
        roles = Path(folder) / "roles.toml"
        roles.write_text(f'[roles]\n"{TSN_USER}" = "{TSN}"\n"{AGENCY_USER}" = "{org_nr}"\n', encoding="utf-8")
        os.environ[auth.ROLES_FILE] = str(roles)
        print("  as TSN", flush=True)
        pages = time_pages(logged_in(TSN_USER, year, org_nr), PAGES, runs, cold_runs)
        print(f"  as {org_nr}", flush=True)
        agency_pages = time_pages(logged_in(AGENCY_USER, year, org_nr), AGENCY_PAGES, runs, cold_runs)
        del os.environ[auth.ROLES_FILE]
    return {
        "year": year,
        "org_nr": org_nr,
        "runs": runs,
        "cold_runs": cold_runs,
        "pages": pages,
        "agency_pages": agency_pages,
        "start_seconds": [cold_start(db) for _ in range(3)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(datasets.APPLICATIONS), choices=list(datasets.APPLICATIONS))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LOM_KEY_FILE", str(BENCH_KEY))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for scale in args.scales:
        print(scale, flush=True)
        db = datasets.database(scale)
        results[scale] = {"applications": datasets.applications_in(db), **measure(db, args.runs, args.cold_runs)}
        RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
