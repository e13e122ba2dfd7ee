"""Where a load's memory goes: the peak memory (RSS) of each stage of loading one applications file.

    python -m bench.load_memory [--scale 100x]

Loads the largest applications file of a scale (bench.load_benchmark makes it) into a copy of its
base database in a fresh process, while a thread samples the process's resident memory every
20 ms. Each sample is put down to the stage the load is in: the stages are the loader's own
functions, wrapped from outside to note when they start and end. Writes
bench/load_memory_results.json; bench.report shows it under the load benchmark.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from bench.datasets import APPLICATIONS
from bench.load_benchmark import DATA, _python, ensure_data

RESULTS = Path(__file__).resolve().parent / "load_memory_results.json"
PROFILE = """
import json, sys, threading, time
from pathlib import Path

def resident_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

stage = ["starting"]
peaks = {}
done = threading.Event()

def sample():
    while not done.is_set():
        peaks[stage[0]] = max(peaks.get(stage[0], 0), resident_mb())
        time.sleep(0.02)

from pipelines import load, models

def staged(module, name, label):
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        stage[0] = label
        try:
            return function(*args, **kwargs)
        finally:
            stage[0] = "between the stages (sorting files, starting the HMAC, the transaction)"
    setattr(module, name, wrapper)

staged(load, "_read", "read, decode, field counts, personal-data scan")
staged(load, "_validate", "validate every rule (HMAC alongside)")
staged(load, "write_file", "write: slices, insert, load log")
staged(models, "build", "build the measures")
threading.Thread(target=sample, daemon=True).start()
started = time.perf_counter()
[outcome] = load.load_files([Path(sys.argv[2])], Path(sys.argv[1]))
stage[0] = "publish"
seconds = time.perf_counter() - started
done.set()
assert outcome.status == "loaded", outcome.findings.lines()
print(json.dumps({"rows": outcome.rows_inserted, "seconds": seconds, "peaks_mb": peaks}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="100x", choices=list(APPLICATIONS))
    args = parser.parse_args()
    applications, base = ensure_data(APPLICATIONS[args.scale])
    with tempfile.TemporaryDirectory(dir=DATA) as scratch:
        db = Path(scratch) / "ours.duckdb"
        shutil.copyfile(base, db)
        measured = _python(PROFILE, str(db), str(applications))
    measured["scale"] = args.scale
    RESULTS.write_text(json.dumps(measured, indent=2), encoding="utf-8")
    for name, peak in measured["peaks_mb"].items():
        print(f"{peak:8,.0f} MB  {name}")


if __name__ == "__main__":
    main()
