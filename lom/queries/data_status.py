"""Data och inläsning, and Om måtten: coverage, the load log, definitions, the data vintage."""

from __future__ import annotations

import duckdb
import polars as pl

from lom.queries import access
from lom.queries.connection import run


def coverage(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return which agency reported funds and applications for which year, corrections marked."""
    return run(con, "coverage", role=access.require_tsn(role))


def load_history(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return every load attempt, newest first."""
    return run(con, "load_history", role=access.require_tsn(role))


def rejected_files(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the refused files, newest first, each with its first error."""
    return run(con, "rejected_files", role=access.require_tsn(role))


def load_messages(con: duckdb.DuckDBPyConnection, load_id: int, *, role: str) -> pl.DataFrame:
    """Return the errors and warnings of one load."""
    return run(con, "load_messages", role=access.require_tsn(role), load_id=load_id)


def data_vintage(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return what the figures rest on: years covered, agencies, the last load, corrections; for an
    agency, the loads and corrections of its own agency only."""
    if access.is_agency(role):
        return run(con, "agency_vintage", role=role, org_nr=role)
    return run(con, "data_vintage", role=role)


def kpi_definitions(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the definitions of the measures in the order they are shown."""
    return run(con, "kpi_definitions", role=role)


def allocation_rates(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the allocation rate by year with its source."""
    return run(con, "allocation_rates", role=role)


def peer_group_types(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the kinds of peer group, how each is formed, and the settings of similar agencies."""
    return run(con, "peer_group_types", role=role)
