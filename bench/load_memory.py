"""Where a load's time and memory go: the time and peak memory (RSS) of each stage of one load.

    python -m bench.load_memory [--scale 100x]

Loads the largest applications file of a scale (bench.load_benchmark makes it) into a copy of its
base database in a fresh process, while a thread samples the process's resident memory every
20 ms. Each sample, and each second, is put down to the stage the load is in: the stages are the
loader's own functions, wrapped from outside to note when they start and end; a stage called
inside another is its own, not the other's. What runs in a thread beside the stages (a part's
scan for personal data and its HMAC, beside its validation) is timed apart, as the sum of its
runs, and its memory is the stage's it runs in. Writes
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
labels = ["the rest: sorting files, the transaction, checkpoint, fsync and rename"]
peaks = {}
seconds = {}
since = [time.perf_counter()]
done = threading.Event()

def switch(label):
    now = time.perf_counter()
    seconds[stage[0]] = seconds.get(stage[0], 0) + now - since[0]
    since[0] = now
    stage[0] = label

def sample():
    while not done.is_set():
        peaks[stage[0]] = max(peaks.get(stage[0], 0), resident_mb())
        time.sleep(0.02)

from lom.db import models

from pipelines import load

beside_seconds = {}
beside_lock = threading.Lock()

def beside(module, name, label):
    # Time `name` apart, in whatever thread it runs: it overlaps the stages of the main thread.
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            with beside_lock:
                beside_seconds[label] = beside_seconds.get(label, 0) + time.perf_counter() - started
    setattr(module, name, wrapper)

def staged(module, name, label):
    # Note the stage while `name` runs; a stage inside another returns to it when it ends.
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        labels.append(label)
        switch(label)
        try:
            return function(*args, **kwargs)
        finally:
            labels.pop()
            switch(labels[-1])
    setattr(module, name, wrapper)

# A file is checked part by part inside _check, a file read whole as its one part (_read reads a
# small file whole, or surveys a file larger than a part, LOM_PART_MB).
staged(load, "_read", "survey (SHA-256, UTF-8, where parts start) or read a small file whole")
staged(load, "_check", "the rest of each part: its read (the next is read ahead in a thread), waits for the threads")
staged(load, "validate", "validate each part (its scan and HMAC beside, in threads)")
beside(load, "_personal_data", "scan each part for personal data")
beside(load, "application_keys", "HMAC of each part's case numbers (polars-hash)")
staged(load, "_stage", "stage each part in DuckDB")
staged(load, "_check_the_file", "check the file: case numbers across parts, applications loaded under another year")
staged(load, "write_file", "write: slices, insert from the staged rows, load log")
staged(models, "build", "build the measures")
threading.Thread(target=sample, daemon=True).start()
switch(labels[-1])
seconds.clear()
started = time.perf_counter()
[outcome] = load.load_files([Path(sys.argv[2])], Path(sys.argv[1]))
switch("done")
total = time.perf_counter() - started
done.set()
peaks.pop("done", None)
assert outcome.status == "loaded", outcome.findings.lines()
print(json.dumps({"rows": outcome.rows_inserted, "seconds": total, "peaks_mb": peaks, "stage_seconds": seconds,
                  "beside_seconds": beside_seconds}))
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
        print(f"{measured['stage_seconds'].get(name, 0):6.1f} s {peak:8,.0f} MB  {name}")
    for name, seconds in measured["beside_seconds"].items():
        print(f"{seconds:6.1f} s             beside: {name}")


if __name__ == "__main__":
    main()
