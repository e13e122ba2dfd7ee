"""Cached access to the query layer for the pages.

Every function takes the viewer's role and the database's version as arguments, so both are
part of every cache key: a load that publishes a new file gives new keys, and one role's
results are never served to another. No cached function reads the session, the user or the
role itself (issue 5 relies on that).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st

from lom.queries.access import TSN
from lom.queries.connection import connect

__all__ = ["TSN", "Source", "clear", "fetch"]


@dataclass(frozen=True)
class Source:
    """One published version of the database: its path and what identifies the file on disk."""

    path: str
    version: tuple[int, int, int]

    @classmethod
    def of(cls, db: Path) -> Source | None:
        """The database as it is now, or None when there is none yet."""
        try:
            status = os.stat(db)
        except FileNotFoundError:
            return None
        # A load publishes by os.replace: a new inode and modification time.
        return cls(str(db), (status.st_ino, status.st_mtime_ns, status.st_size))


def fetch(source: Source, role: str, function: Callable[..., pl.DataFrame], *args) -> pl.DataFrame:
    """Call a query function of queries/ as `role`, through the cache; the query layer decides
    what the role may see.

    The caller gets its own shallow copy (`clone` shares the columns' memory). Polars guards each
    frame object with a lock that some methods, `hash_rows` among them, take exclusively while
    holding the interpreter lock; a frame shared by two sessions deadlocked the served app when
    one session hashed it while another read its schema (tests/test_dashboard.py)."""
    return _cached(source.path, source.version, role, function.__module__, function.__name__, args).clone()


# cache_resource keeps one frame for every session: cache_data would unpickle a copy at every
# read, a tenth of the served app's time under sixteen sessions (py-spy). Nothing may change a
# frame in place; tests/test_security.py keeps Polars' in-place methods out of the app's code.
@st.cache_resource(max_entries=1024, show_spinner=False)
def _cached(path: str, version: tuple, role: str, module: str, name: str, args: tuple) -> pl.DataFrame:
    function = getattr(importlib.import_module(module), name)
    with connect(Path(path)) as con:
        return function(con, *args, role=role)


def clear() -> None:
    """Forget every cached result (after an upload, for example)."""
    _cached.clear()
