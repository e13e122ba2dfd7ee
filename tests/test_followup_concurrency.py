"""Sixteen sessions saving follow-up entries at once, against SQLite and against PostgreSQL: every
entry is stored exactly once, a second save of the same entry included. As separate processes
(each its own connection, as app servers and their sessions are) and as threads of one process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from lom.followup import log, store

from .followup_writer import entry_ids, save
from .paths import ROOT
from .postgres import fresh_database, postgres_server  # noqa: F401  the session's server

SESSIONS, ENTRIES = 16, 8


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request, tmp_path) -> str:
    """A log that does not exist yet: the first saves also create it, all at once."""
    if request.param == "sqlite":
        return str(tmp_path / "followup.sqlite")
    return fresh_database(request.getfixturevalue("postgres_server"))


def assert_each_entry_once(where: str) -> None:
    stored = log.entries(store.open_store(where), role="tsn")
    expected = {entry_id for writer in range(SESSIONS) for entry_id in entry_ids(writer, ENTRIES)}
    assert stored.height == SESSIONS * ENTRIES
    assert set(stored["entry_id"]) == expected
    assert stored["note"].n_unique() == SESSIONS * ENTRIES
    for writer in range(SESSIONS):
        notes = log.history(store.open_store(where), f"209900-{writer:04d}", role="tsn")["note"]
        assert sorted(notes) == sorted(f"skribent {writer} nr {n}" for n in range(ENTRIES))


@pytest.mark.slow
def test_sixteen_processes_saving_at_once_store_every_entry_once(where, tmp_path):
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.followup_writer", where, str(writer), str(ENTRIES), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(SESSIONS)
    ]
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("go.ready-*"))) < SESSIONS:  # every writer has imported and waits
        assert time.monotonic() < deadline and all(w.poll() is None for w in writers), "a writer did not start"
        time.sleep(0.05)
    go.touch()  # and now all sixteen save at once
    results = [writer.communicate(timeout=600) for writer in writers]
    for number, (writer, (out, err)) in enumerate(zip(writers, results, strict=True)):
        assert writer.returncode == 0, err
        assert json.loads(out) == entry_ids(number, ENTRIES)
    assert_each_entry_once(where)


def test_sixteen_threads_saving_at_once_store_every_entry_once(where):
    with ThreadPoolExecutor(SESSIONS) as pool:
        saved = list(pool.map(lambda writer: save(where, writer, ENTRIES), range(SESSIONS)))
    assert saved == [entry_ids(writer, ENTRIES) for writer in range(SESSIONS)]
    assert_each_entry_once(where)
