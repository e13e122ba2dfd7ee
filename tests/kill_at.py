"""Run the command line and die at a named moment: `python -m tests.kill_at POINT [fail] ARGS...`.

The process sends itself SIGKILL there, as the kernel's OOM killer or `kill -9` would: no
`finally`, no `atexit`, no flush. With `fail` after the point, the write there fails with EIO
instead, as a bad disk would. Nothing in pipelines/ knows about this: the points are functions
of the loader wrapped from outside.
"""

from __future__ import annotations

import errno
import os
import signal
import sys

from lom.db import keys, models, store
from pipelines import load, write
from pipelines.__main__ import main


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def around(module, name: str, *, before: bool = False, when=lambda *args: True) -> None:
    """Wrap module.name so that the process dies before or after a call for which `when` holds."""
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        if before and when(*args):
            die()
        result = original(*args, **kwargs)
        if when(*args):
            die()
        return result

    setattr(module, name, wrapped)


def is_draft_fsync(descriptor: int) -> bool:
    return ".next-" in os.readlink(f"/proc/self/fd/{descriptor}")


# Each point, in the order a load reaches it.
POINTS = {
    "reading": lambda: around(load, "read_file"),  # the file parsed, nothing validated
    "validating": lambda: around(load, "validate", before=True),
    "copying": lambda: around(store, "_keep_permissions", before=True),  # the draft copied, not opened
    "writing": lambda: around(write, "_replace_slices"),  # rows written inside the open transaction
    "before-commit": lambda: around(write, "_finish_log"),  # the log row written, COMMIT not sent
    "building-measures": lambda: around(models, "_create"),  # one model made in the measures' transaction
    "checkpoint": lambda: around(store, "run", before=True, when=lambda con, query, *rest: query == "checkpoint"),
    "publishing": lambda: around(os, "fsync", when=is_draft_fsync),  # the draft on disk, not renamed
    "published": lambda: around(store.os, "replace"),  # renamed, the directory not yet synced
    "key-file": lambda: around(keys.os, "link", before=True),  # a new key written, not linked
}
# Points where a failing write (EIO) can be injected instead of a kill.
FAILS = {
    "copying": (store.shutil, "copyfile"),
    "publishing": (store.os, "fsync"),
    "published": (store.os, "replace"),
}


def fail(module, name: str) -> None:
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(args[0]) if args else None)

    setattr(module, name, broken)


if __name__ == "__main__":
    point, *rest = sys.argv[1:]
    if rest and rest[0] == "fail":
        fail(*FAILS[point])
        rest = rest[1:]
    else:
        POINTS[point]()
    sys.exit(main(rest))
