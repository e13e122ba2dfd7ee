"""The served app under sixteen concurrent sessions, at 1x, 10x and 100x the national volume.

    python -m bench.served_benchmark [--scales 1x 10x 100x] [--sessions 16] [--rounds 3] [--runs 3]
                                     [--reading 2 6] [--reading-rounds 2]

`streamlit run` serves the dashboard on a benchmark database as a deployment does. Sixteen
sessions talk to it over Streamlit's websocket as browser tabs do (`tests/served.py`). Each
session opens the six pages in turn, starting at a different page, `--rounds` times through,
with no pause between pages: every session always has a page run in the server, the hardest
load sixteen people can make. Then the same sixteen sessions as people use a dashboard: each
reads a page for 2-6 s (uniformly drawn, seeded) before it opens the next, `--reading-rounds`
times through. The page time is from the request to the end of the run, every
element received. One session first opens every page once, so the figures are of a running
server whose caches hold the pages; a new server's first visitors are AppTest's cold runs.

Each run gives a p50 and a p95 over all its page times; the report gives the median of the runs.
Writes bench/served_results.json; bench.report writes bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import datasets
from lom.queries.connection import connect
from tests.query_calls import example_arguments
from tests.served import Session, serve

RESULTS = Path(__file__).resolve().parent / "served_results.json"
SESSIONS, ROUNDS, RUNS = 16, 3, 3
READING = (2.0, 6.0)  # seconds a person reads a page before the next


def pages(db: Path) -> list[tuple[str, str]]:
    """The six pages as links name them, for the newest year and the busiest agency."""
    with connect(db) as con:
        year, org_nr = example_arguments(con)
    return [
        ("", f"ar={year}"),
        ("outnyttjade-medel", f"ar={year}"),
        ("myndighetsprofil", f"ar={year}&myndighet={org_nr}"),
        ("utveckling", ""),
        ("data", ""),
        ("om-matten", ""),
    ]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above `share` of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def browse(
    url: str,
    links: list[tuple[str, str]],
    number: int,
    rounds: int,
    start: threading.Barrier,
    reading: tuple[float, float] = (0, 0),
) -> list:
    """One session: wait for the others, then open the pages in turn from page `number`, reading
    each for a time drawn from `reading` (seconds) before the next."""
    opened = []
    pause = random.Random(number)
    with Session(url) as session:
        session.open(*links[number % len(links)])  # the session's first page, before the clock
        start.wait()
        for turn in range(rounds * len(links)):
            page, query = links[(number + turn) % len(links)]
            result = session.open(page, query)
            opened.append({"page": page or "oversikt", "seconds": result.seconds, "failed": result.failed})
            time.sleep(pause.uniform(*reading))
    return opened


def run_sessions(
    url: str, links: list[tuple[str, str]], sessions: int, rounds: int, reading: tuple[float, float] = (0, 0)
) -> dict:
    """Sixteen sessions at once; every page time, and the client's own CPU time."""
    start = threading.Barrier(sessions)
    client_cpu = time.process_time()
    began = time.perf_counter()
    with ThreadPoolExecutor(sessions) as pool:
        opened = [
            p for s in pool.map(lambda n: browse(url, links, n, rounds, start, reading), range(sessions)) for p in s
        ]
    wall = time.perf_counter() - began
    seconds = [p["seconds"] for p in opened]
    return {
        "pages": len(opened),
        "failed": sum(p["failed"] for p in opened),
        "p50": percentile(seconds, 0.50),
        "p95": percentile(seconds, 0.95),
        "max": max(seconds),
        "wall_seconds": wall,
        "pages_per_second": len(opened) / wall,
        "client_cpu_seconds": time.process_time() - client_cpu,
        "by_page": {
            page: statistics.median(p["seconds"] for p in opened if p["page"] == page)
            for page in dict.fromkeys(p["page"] for p in opened)
        },
    }


def measure(
    scale: str, sessions: int, rounds: int, runs: int, reading: tuple[float, float] = READING, reading_rounds: int = 2
) -> dict:
    db = datasets.database(scale)
    links = pages(db)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as scratch, serve(db, Path(scratch) / "streamlit.log") as url:
        with Session(url) as warm:
            for link in links:
                warm.open(*link)
        results = [run_sessions(url, links, sessions, rounds) for _ in range(runs)]
        paused = (
            [run_sessions(url, links, sessions, reading_rounds, reading) for _ in range(runs)] if reading_rounds else []
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # The server is this process's largest child: ru_maxrss of the children is its peak.
    return {
        "runs": results,
        "reading_runs": paused,
        "server_cpu_seconds": server_cpu,
        "server_peak_mb": after.ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(datasets.APPLICATIONS), choices=list(datasets.APPLICATIONS))
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--reading", type=float, nargs=2, default=READING, metavar=("LEAST", "MOST"))
    parser.add_argument("--reading-rounds", type=int, default=2, help="0: no run with reading pauses")
    args = parser.parse_args()
    earlier = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results = {
        "sessions": args.sessions,
        "rounds": args.rounds,
        "reading": list(args.reading),
        "reading_rounds": args.reading_rounds,
        # Scales not measured this time keep their figures, if they were measured the same way.
        "scales": earlier.get("scales", {}) if earlier.get("sessions") == args.sessions else {},
    }
    for scale in args.scales:
        measured = measure(scale, args.sessions, args.rounds, args.runs, tuple(args.reading), args.reading_rounds)
        results["scales"][scale] = measured
        p50 = statistics.median(r["p50"] for r in measured["runs"])
        p95 = statistics.median(r["p95"] for r in measured["runs"])
        print(f"{scale}: p50 {p50:.2f} s, p95 {p95:.2f} s", json.dumps(measured["runs"][-1]["by_page"]))
        RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
