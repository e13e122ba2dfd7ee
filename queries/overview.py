"""Översikt and Utveckling: national figures, the agencies of a year, trends."""

from __future__ import annotations

import duckdb
import polars as pl

from queries.connection import peer_group, run


def years(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the years the data covers, newest first, with how many agencies reported each."""
    return run(con, "years", role=role)


def agencies(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return every agency with data (org_nr, name, sector) in Swedish order."""
    return run(con, "agencies", role=role)


def national_summary(con: duckdb.DuckDBPyConnection, year: int, *, role: str) -> pl.DataFrame:
    """Return the national figures of a year beside the year before's (one row; none if no data)."""
    return run(con, "national_summary", role=role, year=year)


def agency_ranking(con: duckdb.DuckDBPyConnection, year: int, group_type: str = "sector", *, role: str) -> pl.DataFrame:
    """Return every agency of a year with its measures and quartile classes among its peers."""
    return run(con, "agency_ranking", role=role, year=year, group_type=peer_group(group_type))


def year_totals(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return national and per-sector totals for every year."""
    return run(con, "year_totals", role=role)
