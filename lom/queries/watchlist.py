"""Outnyttjade medel: the idle-fund watchlist and the projections."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from lom.queries import access, agency
from lom.queries.access import require_tsn
from lom.queries.connection import peer_group, run


@dataclass(frozen=True)
class Thresholds:
    """The watchlist's rules: reserve over reserve_limit years of allocation, or utilisation
    under utilisation_limit in low_years years in a row."""

    reserve_limit: float = 3.0
    utilisation_limit: float = 0.5
    low_years: int = 3

    def __post_init__(self):
        if not self.reserve_limit > 0:
            raise ValueError("reserve_limit must be above 0")
        if not 0 < self.utilisation_limit <= 2:
            raise ValueError("utilisation_limit must be above 0 and at most 2")
        if not (isinstance(self.low_years, int) and 1 <= self.low_years <= 20):
            raise ValueError("low_years must be a whole number from 1 to 20")


def idle_fund_flags(
    con: duckdb.DuckDBPyConnection, year: int, thresholds: Thresholds = Thresholds(), *, role: str
) -> pl.DataFrame:
    """Return the flags of a year, one row per rule an agency breaks, with its reason in Swedish."""
    return run(
        con,
        "idle_fund_flags",
        role=require_tsn(role),
        year=year,
        reserve_limit=thresholds.reserve_limit,
        utilisation_limit=thresholds.utilisation_limit,
        low_years=thresholds.low_years,
    )


def projections(
    con: duckdb.DuckDBPyConnection,
    year: int,
    reserve_limit: float = 3.0,
    group_type: str = "similar",
    *,
    role: str,
) -> pl.DataFrame:
    """Return every agency's projection from a base year: balance in three years, the year the
    reserve limit is crossed, and the extra spending a year that reaches the peer median."""
    return run(
        con,
        "projections",
        role=require_tsn(role),
        year=year,
        reserve_limit=reserve_limit,
        peer_group=peer_group(group_type),
    )


def own_projection(
    con: duckdb.DuckDBPyConnection,
    org_nr: str,
    year: int,
    reserve_limit: float = 3.0,
    group_type: str = "similar",
    *,
    role: str,
) -> pl.DataFrame:
    """Return one agency's projection from a base year (as `projections`): an agency may read its
    own, with the peer median and the gap to it only when its group has enough other agencies."""
    frame = run(
        con,
        "own_projection",
        role=access.require_own(role, org_nr),
        org_nr=org_nr,
        year=year,
        reserve_limit=reserve_limit,
        peer_group=peer_group(group_type),
    )
    return agency.projection(frame, role) if access.is_agency(role) else frame


def balance_path(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, *, role: str) -> pl.DataFrame:
    """Return an agency's closing balances up to a year and the three projected after it; an agency
    may read its own."""
    return run(con, "balance_path", role=access.require_own(role, org_nr), org_nr=org_nr, year=year)
