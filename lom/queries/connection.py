"""Read-only connections for the query layer, and running one query of sql/app/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from lom.db import models, store
from lom.queries import access

PEER_GROUPS = ("sector", "size", "similar")


@contextmanager
def connect(db: Path, threads: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-only connection to the published database, closed afterwards (`threads`: see
    store.open_read_only).

    Raises FileNotFoundError when there is no database yet, and models.ModelsOutdated when its
    measures were built from other SQL than this code's.
    """
    if not db.is_file():
        raise FileNotFoundError(db)
    con = store.open_read_only(db, threads)  # locked down: it reads this file and nothing else
    try:
        models.require_current(con)
        yield con
    finally:
        con.close()


# The queries an agency's role may run. Their results pass through queries/agency.py (pseudonyms,
# disclosure control) inside the query function before they leave the query layer.
AGENCY_SQL = frozenset(
    {
        "agencies",
        "agency_positions",
        "agency_ranking",
        "agency_trend",
        "agency_vintage",
        "allocation_rates",
        "application_flow",
        "application_groups",
        "approval_difference",
        "approval_intervals",
        "balance_path",
        "funnel_band",
        "kpi_definitions",
        "measure_mix_counts",
        "own_counts",
        "own_coverage",
        "own_figures",
        "own_projection",
        "peer_counts",
        "peer_group_types",
        "shown_peer_positions",
        "year_totals",
        "years",
    }
)


def run(con: duckdb.DuckDBPyConnection, name: str, *, role: str, **params) -> pl.DataFrame:
    """Run sql/app/<name>.sql for a viewer's role, with its parameters bound, and return the result."""
    if access.check(role) != access.TSN and name not in AGENCY_SQL:
        raise PermissionError(f"an agency's role may not run {name}")
    return con.sql(store.sql(f"app/{name}"), params=params or None).pl()


def peer_group(group_type: str) -> str:
    """Return a kind of peer group after checking it is one: sector, size or similar."""
    if group_type not in PEER_GROUPS:
        raise ValueError(f"unknown peer group {group_type!r}; expected one of {', '.join(PEER_GROUPS)}")
    return group_type
