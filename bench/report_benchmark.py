"""Time the PDF reports on the sample database: each agency's one page, by stage, the whole batch
as `lom report agency --all` runs it, and the national report.

    python -m bench.report_benchmark [--runs 3]

Per report: every agency of the sample once per run, after one report to warm up (fonts, the
chart renderer); the median over all of them, and the median of each stage (reading the figures
through the query layer, rendering the two charts to SVG, typesetting with Typst). The batch: the
command in a fresh process, the median of --runs runs, divided by the number of reports. Writes
bench/report_results.json; bench.report adds it to bench/README.md.
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

from lom.queries import access, overview
from lom.queries.connection import connect
from lom.report import agency, national, typeset
from pipelines.load import load_files
from tests.conftest import SAMPLE_FILES

RESULTS = Path(__file__).resolve().parent / "report_results.json"
YEAR = 2025
GOAL_SECONDS = 0.5  # a report, on the two cores of the benchmark machine (issue 21)


def sample_db(folder: Path) -> Path:
    db = folder / "lom.duckdb"
    outcomes = load_files(SAMPLE_FILES, db)
    assert all(o.status == "loaded" for o in outcomes), [o.status for o in outcomes]
    return db


def per_report(db: Path, runs: int) -> dict:
    """Each agency's report in this process, stage by stage."""
    stages: dict[str, list[float]] = {"gather": [], "charts": [], "typeset": [], "total": []}
    with connect(db) as con:
        org_nrs = overview.agencies(con, role=access.TSN)["org_nr"].sort().to_list()
        agency.report(con, org_nrs[0], YEAR, role=org_nrs[0])  # warm: fonts, the chart renderer
        for _ in range(runs):
            for org_nr in org_nrs:
                started = time.perf_counter()
                figures = agency.gather(con, org_nr, YEAR)
                gathered = time.perf_counter()
                charts = {f"{k}.svg": typeset.svg(c) for k, c in agency.trend_charts(figures).items()}
                drawn = time.perf_counter()
                typeset.compile_files("agency", agency.document(figures), charts)
                done = time.perf_counter()
                stages["gather"].append(gathered - started)
                stages["charts"].append(drawn - gathered)
                stages["typeset"].append(done - drawn)
                stages["total"].append(done - started)
    return {"reports": len(stages["total"]), **{k: statistics.median(v) for k, v in stages.items()}}


def batch(db: Path, runs: int) -> dict:
    """`lom report agency --all` in a fresh process, as an operator runs it."""
    times, count = [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, "-m", "lom.cli", "report", "agency", "--all", "--year", str(YEAR)]
            started = time.perf_counter()
            subprocess.run([*command, "--out", out, "--db", str(db)], check=True, capture_output=True)
            times.append(time.perf_counter() - started)
            count = len(list(Path(out).glob("*.pdf")))
    seconds = statistics.median(times)
    return {"reports": count, "seconds": seconds, "per_report": seconds / count, "runs": runs}


def national_report(db: Path, runs: int) -> dict:
    times = []
    with connect(db) as con:
        national.report(con, YEAR, None, role=access.TSN)
        for _ in range(runs):
            started = time.perf_counter()
            national.report(con, YEAR, None, role=access.TSN)
            times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "runs": runs}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = sample_db(Path(folder))
        results = {
            "year": YEAR,
            "cores": os.cpu_count(),
            "goal_seconds": GOAL_SECONDS,
            "per_report": per_report(db, args.runs),
            "batch": batch(db, args.runs),
            "national": national_report(db, args.runs),
        }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
