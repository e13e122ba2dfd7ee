"""Measure loading the largest applications file of each scale against DuckDB's raw load of it.

    python -m bench.load_benchmark [--scales 1x 10x 100x] [--runs 3]

The largest applications file of a scale: 100 000 rows at 1x, 1 000 000 at 10x and 10 000 000 at
100x, from the sample-data generator. Each run loads the file twice, each time in a fresh process
so that its peak memory is its own: DuckDB's raw `read_csv` and our load (`load_files`). Times are
taken inside the process (imports excluded); the report gives the medians of the runs and the
median of the runs' ratios. Where the time and memory go: bench.load_memory.
Writes bench/load_results.json (per scale, merged with earlier scales); bench.report writes
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.datasets import APPLICATIONS, generator_sha256
from sample_data.formats import write_agencies_csv, write_applications_csv, write_funds_csv
from sample_data.generate import generate

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "load_results.json"
ROOT = BENCH.parent
DATA = BENCH / "data"
AGENCIES = 300
ROWS_PER_SCALE = 265_000  # applications the generator makes per unit of scale at 300 agencies

# Peak RSS of this process's own memory (VmHWM): ru_maxrss would also count what a child inherits
# from its parent at fork, which is a lot when the parent has just generated the data.
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""
RAW = (
    PEAK
    + """
import duckdb, json, sys, time
con = duckdb.connect(sys.argv[1])
started = time.perf_counter()
con.execute("create table raw as select * from read_csv(?)", [sys.argv[2]]).fetchall()
con.close()
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": peak_mb()}))
"""
)
OURS = (
    PEAK
    + """
import json, sys, time
from pathlib import Path
from pipelines.load import load_files
started = time.perf_counter()
[outcome] = load_files([Path(sys.argv[2])], Path(sys.argv[1]))
assert outcome.status == "loaded", outcome.findings.lines()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": outcome.rows_inserted,
                  "agencies": outcome.agencies, "years": outcome.years, "peak_mb": peak_mb()}))
"""
)


def ensure_data(rows: int) -> tuple[Path, Path]:
    """Generate a scale's applications file once (seeded), and a database holding its agencies and
    funds; every file is named by its row count, so that one scale never overwrites another's."""
    DATA.mkdir(parents=True, exist_ok=True)
    applications = DATA / f"ansokningar_{rows}.csv"
    base = DATA / f"base_{rows}.duckdb"
    stamp = DATA / f"ansokningar_{rows}.json"
    fingerprint = generator_sha256()
    if not applications.exists() or not base.exists() or not stamp.exists() or stamp.read_text() != fingerprint:
        dataset = generate(AGENCIES, scale=rows / ROWS_PER_SCALE)
        agencies, funds = DATA / f"myndigheter_{rows}.csv", DATA / f"medel_{rows}.csv"
        write_agencies_csv(dataset.agencies, agencies)
        write_funds_csv(dataset.funds, funds)
        write_applications_csv(dataset.applications.drop("plan_row"), applications)
        base.unlink(missing_ok=True)
        _python(
            "from pipelines.load import load_files; import sys; from pathlib import Path;"
            "load_files([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]))",
            str(base),
            str(agencies),
            str(funds),
        )
        stamp.write_text(fingerprint)
    # Its measures this code's, as in a deployment: a load then builds again only what it changed.
    _python(
        "from lom.db import models; import sys; from pathlib import Path; models.refresh(Path(sys.argv[1]))", str(base)
    )
    return applications, base


def _python(code: str, *args: str) -> dict:
    env = {**os.environ, "LOM_MAX_FILE_MB": "4000", "PYTHONPATH": str(ROOT)}
    env.setdefault("LOM_KEY_FILE", str(DATA / "bench.key"))
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def measure(applications: Path, base: Path, runs: int) -> dict:
    """Time DuckDB's raw load and ours of one file, `runs` times each."""
    raw, ours = [], []
    with tempfile.TemporaryDirectory(dir=DATA) as scratch:
        our_db = Path(scratch) / "ours.duckdb"
        for _ in range(runs):
            raw_db = Path(scratch) / "raw.duckdb"
            raw.append(_python(RAW, str(raw_db), str(applications)))
            raw_db.unlink()
            our_db.unlink(missing_ok=True)
            shutil.copyfile(base, our_db)
            ours.append(_python(OURS, str(our_db), str(applications)))
    return {"file_mb": applications.stat().st_size / 1e6, "raw": raw, "ours": ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(APPLICATIONS), choices=list(APPLICATIONS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    scales = sorted(set(args.scales), key=APPLICATIONS.get)
    for scale in scales:
        applications, base = ensure_data(APPLICATIONS[scale])
        results[scale] = measure(applications, base, args.runs)
        RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")  # after each scale: 100x takes long
        raw = statistics.median(r["seconds"] for r in results[scale]["raw"])
        ours = statistics.median(r["seconds"] for r in results[scale]["ours"])
        peak = statistics.median(r["peak_mb"] for r in results[scale]["ours"])
        print(f"{scale}: raw {raw:.2f} s, ours {ours:.2f} s ({peak:.0f} MB)", flush=True)


if __name__ == "__main__":
    main()
