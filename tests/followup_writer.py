"""One session saving follow-up entries, for tests/test_followup_concurrency.py.

    python -m tests.followup_writer WHERE WRITER COUNT GO_FILE

Says it is ready (GO_FILE.ready-WRITER) and waits until GO_FILE exists, so that every writer
starts at once; appends COUNT entries with ids
derived from WRITER, saves the first one a second time (a second click), and prints the ids.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

from lom.followup import log, store

NAMESPACE = uuid.UUID("20202020-2020-4020-8020-202020202020")


def entry_ids(writer: int, count: int) -> list[str]:
    """The ids a writer gives its entries, known to the test beforehand."""
    return [str(uuid.uuid5(NAMESPACE, f"{writer}-{number}")) for number in range(count)]


def save(where: str, writer: int, count: int) -> list[str]:
    """Append the writer's entries, one connection each, as sessions of the app do."""
    kept = store.open_store(where)
    ids = entry_ids(writer, count)
    for number, entry_id in enumerate(ids):
        entry = log.Entry(f"209900-{writer:04d}", log.Status.CONTACTED, note=f"skribent {writer} nr {number}")
        log.append(kept, entry, role="tsn", writer=f"skribent{writer}@tsn.example", entry_id=entry_id)
    first = log.Entry(f"209900-{writer:04d}", log.Status.CONTACTED, note=f"skribent {writer} nr 0")
    log.append(kept, first, role="tsn", writer=f"skribent{writer}@tsn.example", entry_id=ids[0])
    return ids


if __name__ == "__main__":
    where, writer, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    go.with_name(f"{go.name}.ready-{writer}").touch()
    while not go.exists():
        time.sleep(0.005)
    print(json.dumps(save(where, writer, count)))
