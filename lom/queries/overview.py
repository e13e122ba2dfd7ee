"""Översikt and Utveckling: national figures, the agencies of a year, trends."""

from __future__ import annotations

import duckdb
import polars as pl

from lom.queries import access, agency
from lom.queries.connection import peer_group, run


def years(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return the years the data covers, newest first, with how many agencies reported each."""
    return run(con, "years", role=role)


def agencies(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return every agency with data (org_nr, name, sector) in Swedish order; an agency gets its own."""
    frame = run(con, "agencies", role=role)
    return agency.agencies(frame, role) if access.is_agency(role) else frame


def national_summary(con: duckdb.DuckDBPyConnection, year: int, *, role: str) -> pl.DataFrame:
    """Return the national figures of a year beside the year before's (one row; none if no data)."""
    if access.is_agency(role):
        return agency.national_summary(year_totals(con, role=role), year)
    return run(con, "national_summary", role=role, year=year)


def agency_ranking(con: duckdb.DuckDBPyConnection, year: int, group_type: str = "sector", *, role: str) -> pl.DataFrame:
    """Return every agency of a year with its measures and quartile classes among its peers; an
    agency gets itself and its peers under pseudonyms, as ratios, with disclosure control."""
    frame = run(con, "agency_ranking", role=role, year=year, group_type=peer_group(group_type))
    return agency.ranking(con, frame, year, group_type, role) if access.is_agency(role) else frame


def year_totals(con: duckdb.DuckDBPyConnection, *, role: str) -> pl.DataFrame:
    """Return national and per-sector totals for every year (with disclosure control for an agency)."""
    frame = run(con, "year_totals", role=role)
    return agency.year_totals(con, frame, role) if access.is_agency(role) else frame
