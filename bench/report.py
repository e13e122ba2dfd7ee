"""Write bench/README.md from the benchmarks' last results (bench/*results.json).

python -m bench.report
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import streamlit

from bench import load_benchmark, page_benchmark, query_benchmark

BENCH = Path(__file__).resolve().parent
QUERY_GOAL_MS = 100


def machine() -> str:
    """Describe the machine and the versions the figures were measured with."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Polars {pl.__version__}, fastexcel {fastexcel.__version__}, "
        f"Streamlit {streamlit.__version__}."
    )


def query_section(results: dict) -> str:
    """Render the query benchmark: every dashboard query at every scale, warm and cold."""
    scales = [s for s in ("1x", "10x", "100x") if s in results]
    header = " | ".join(f"{s} warm (max) | {s} cold" for s in scales)
    names = list(results[scales[-1]]["queries"])
    lines = []
    for name in names:
        cells = []
        for scale in scales:
            timing = results[scale]["queries"][name]
            cells.append(f"{timing['warm_median'] * 1000:.1f} ms ({timing['warm_max'] * 1000:.0f})")
            cells.append(f"{timing['cold'] * 1000:.1f} ms")
        lines.append(f"| `{name}` | {' | '.join(cells)} |")
    slowest = max((t["warm_median"], name, scale) for scale in scales for name, t in results[scale]["queries"].items())
    met = "met" if slowest[0] * 1000 < QUERY_GOAL_MS else "NOT met"
    sizes = ", ".join(f"{s}: {results[s]['applications']:,} applications" for s in scales)
    opening = ", ".join(f"{s}: {results[s]['open_connection_median'] * 1000:.0f} ms" for s in scales)
    build = ", ".join(f"{s}: {min(results[s]['build_measures_seconds']):.2f} s" for s in scales)
    return f"""## Dashboard queries at 1x, 10x and 100x the national volume

`python -m bench.query_benchmark`. Databases from the sample-data generator (`bench/datasets.py`):
300 agencies, 20 years (2006-2025); {sizes}. Every function of the query layer (`queries/`), with
the arguments a page passes (the newest year, the agency with the most applications). Warm: the
median of 20 runs on an open connection, the slowest in brackets; cold: the first run on a fresh
connection.

| query | {header} |
|---|{"---|" * (2 * len(scales))}
{chr(10).join(lines)}

Goal: every query under {QUERY_GOAL_MS} ms warm at 100x: **{met}** (slowest: `{slowest[1]}`,
{slowest[0] * 1000:.1f} ms at {slowest[2]}).

Opening a read-only connection (a fresh in-memory DuckDB attaching the published file, and the
check that its measures are this code's), once per page run: {opening}.

Why the queries hardly grow with the data: the one aggregate over every application
(`int_agency_year_applications`, per agency and year, and its siblings per measure type and for
handling times) is a table built when a load publishes, and so are the peer groups, peer
positions and projections. The pages then read a few thousand agency-years, the same at every
scale. Building all of it, as every load that changes data does before it publishes (best of
three): {build}.
"""


def write() -> str:
    """Write bench/README.md from whatever results exist, and return its text."""
    parts = [
        "# Benchmarks",
        "Written by `make bench` (`python -m bench.report` after the benchmarks); do not edit by hand.",
        machine(),
    ]
    if query_benchmark.RESULTS.exists():
        parts.append(query_section(json.loads(query_benchmark.RESULTS.read_text())))
    if page_benchmark.RESULTS.exists():
        parts.append(page_benchmark.section(json.loads(page_benchmark.RESULTS.read_text())))
    if load_benchmark.RESULTS.exists():
        parts.append(load_benchmark.section(json.loads(load_benchmark.RESULTS.read_text())))
    text = "\n\n".join(part.strip() for part in parts) + "\n"
    (BENCH / "README.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(write())
