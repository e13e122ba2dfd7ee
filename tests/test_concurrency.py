"""Loads while the dashboard is in use: 27 loads from three loader processes, three reader
processes querying as the dashboard does, and sixteen sessions of the served app, all at once.

No reader query fails, none sees half a load, every load is in the log, and the served app shows
every page to every session with no error and no "connection busy".
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import rows
from .paths import ROOT
from .served import Session, serve

pytestmark = pytest.mark.slow

LOADS, LOADERS, READERS, SESSIONS = 27, 3, 3, 16
SLICES = ["209900-0016", "209900-0024", "209900-0032", "209900-0172", "209900-0248", "209900-0404",
          "209900-0271", "209900-0149", "209900-0347"]  # fmt: skip
HEADER = "ärendenummer;orgnr;inkom;beslutsdatum;insats;beslut;sökt belopp;beviljat belopp;kön;åldersgrupp"
DECISIONS = [("beviljad", "{amount}"), ("avslag", "0"), ("under handläggning", "0"), ("delvis beviljad", "500")]
PAGES = [
    ("", "ar=2024"),
    ("outnyttjade-medel", "ar=2024"),
    ("myndighetsprofil", f"ar=2024&myndighet={SLICES[0]}"),
    ("utveckling", ""),
    ("data", ""),
    ("om-matten", ""),
]


def load_file(folder: Path, number: int) -> Path:
    """Load `number`: it replaces 2024 of one agency by 2-5 applications of 1000 + number kr each."""
    org_nr = SLICES[number % len(SLICES)]
    amount = 1000 + number
    lines = [HEADER]
    for row in range(2 + number % 4):
        decision, granted = DECISIONS[row % len(DECISIONS)]
        decided = "" if decision == "under handläggning" else f"2024-04-{row + 10:02d}"
        lines.append(
            f"K{number}-{row};{org_nr};2024-03-{row + 1:02d};{decided};mentorskap;{decision};"
            f"{amount};{granted.format(amount=amount)};;"
        )
    path = folder / f"konkurrens-{number:02d}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_loads(db: Path, files: list[Path]) -> list[subprocess.CompletedProcess]:
    """One loader process after another, each its own `python -m pipelines load`."""
    return [
        subprocess.run(
            [sys.executable, "-m", "pipelines", "load", "--db", str(db), str(file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        for file in files
    ]


def browse(url: str, number: int, stop: threading.Event) -> list:
    """One session: open the pages in turn until the loads are done, then each once more."""
    opened = []
    with Session(url) as session:
        turn = number
        while not stop.is_set():
            page, query = PAGES[turn % len(PAGES)]
            opened.append((page, session.open(page, query)))
            turn += 1
        for page, query in PAGES:
            opened.append((page, session.open(page, query)))
    return opened


def test_readers_and_sessions_during_27_loads(sample_copy, tmp_path, record_property):
    db = sample_copy
    files = [load_file(tmp_path, n) for n in range(LOADS)]
    stop_file = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.concurrent_reader",
                str(db),
                str(stop_file),
                str(tmp_path / f"r{n}.json"),
                *SLICES,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for n in range(READERS)
    ]
    stop_sessions = threading.Event()
    log = tmp_path / "streamlit.log"
    try:
        with serve(db, log) as url, ThreadPoolExecutor(SESSIONS + LOADERS) as pool:
            sessions = [pool.submit(browse, url, n, stop_sessions) for n in range(SESSIONS)]
            loaders = [pool.submit(run_loads, db, files[n::LOADERS]) for n in range(LOADERS)]
            loaded = [result for loader in loaders for result in loader.result()]
            stop_sessions.set()
            opened = [page for session in sessions for page in session.result()]
    finally:
        stop_file.touch()
        for reader in readers:
            reader.wait(timeout=120)

    # Every load succeeded, and each is in the log once, loaded.
    assert [r.returncode for r in loaded] == [0] * LOADS, [r.stderr for r in loaded if r.returncode]
    logged = rows(db, "select file_name, status from loads where file_name like 'konkurrens-%' order by file_name")
    assert logged == [(f.name, "loaded") for f in files]

    # The readers never failed and never saw half a load, and they saw loads land while reading.
    seen = [json.loads((tmp_path / f"r{n}.json").read_text()) for n in range(READERS)]
    for reader in seen:
        assert reader["failures"] == []
        assert reader["half_loads"] == []
        assert reader["snapshots"] > 10
        assert len(reader["loads_seen"]) > 3

    # The end state: each agency's 2024 holds exactly the rows of the last load that replaced it.
    for index, org_nr in enumerate(SLICES):
        last = max(n for n in range(LOADS) if n % len(SLICES) == index)
        assert rows(
            db,
            f"select count(*), min(requested_sek), max(requested_sek) from applications "
            f"where org_nr = '{org_nr}' and year(received_on) = 2024",
        ) == [(2 + last % 4, 1000 + last, 1000 + last)]

    # The served app showed every page to every session, with no error or exception.
    failed = [(page, result.status, result.alerts, result.exceptions) for page, result in opened if result.failed]
    assert failed == []
    assert len(opened) >= SESSIONS * len(PAGES)
    text = log.read_text()
    for sign in ("Traceback", "busy", "could not be read", "Error"):
        assert sign not in text, text
    seconds = sorted(result.seconds for _, result in opened)
    record_property("reader_snapshots", sum(r["snapshots"] for r in seen))
    record_property("reader_queries", sum(r["queries"] for r in seen))
    record_property("pages", len(opened))
    record_property("p50", statistics.median(seconds))
    record_property("p95", seconds[int(len(seconds) * 0.95)])
