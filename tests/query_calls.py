"""Every function of the query layer called as a page calls it: for the tests, the concurrent
reader and the benchmarks (bench/ imports this; tests never import bench/)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from lom.queries import data_status, overview, profile, watchlist
from lom.queries.access import TSN


def calls(
    con: duckdb.DuckDBPyConnection, year: int, org_nr: str, role: str = TSN
) -> dict[str, Callable[[], pl.DataFrame]]:
    """Every function of the query layer, called as a page would call it for `role`."""
    return {
        "overview.years": lambda: overview.years(con, role=role),
        "overview.agencies": lambda: overview.agencies(con, role=role),
        "overview.national_summary": lambda: overview.national_summary(con, year, role=role),
        "overview.agency_ranking": lambda: overview.agency_ranking(con, year, "sector", role=role),
        "overview.year_totals": lambda: overview.year_totals(con, role=role),
        "profile.agency_positions": lambda: profile.agency_positions(con, org_nr, year, "similar", role=role),
        "profile.agency_trend": lambda: profile.agency_trend(con, org_nr, "sector", role=role),
        "profile.measure_mix": lambda: profile.measure_mix(con, org_nr, year, role=role),
        "profile.approval_intervals": lambda: profile.approval_intervals(con, year, "size", role=role),
        "profile.similar_agencies": lambda: profile.similar_agencies(con, org_nr, year, role=role),
        "profile.own_figures": lambda: profile.own_figures(con, org_nr, role=role),
        "profile.own_coverage": lambda: profile.own_coverage(con, org_nr, role=role),
        "profile.funnel_band": lambda: profile.funnel_band(con, 0.8, 400, role=role),
        "profile.application_flow": lambda: profile.application_flow(con, org_nr, year, role=role),
        "profile.application_groups": lambda: profile.application_groups(con, org_nr, year, "age_band", role=role),
        "watchlist.idle_fund_flags": lambda: watchlist.idle_fund_flags(con, year, role=role),
        "watchlist.projections": lambda: watchlist.projections(con, year, role=role),
        "watchlist.balance_path": lambda: watchlist.balance_path(con, org_nr, year, role=role),
        "watchlist.own_projection": lambda: watchlist.own_projection(con, org_nr, year, role=role),
        "data_status.coverage": lambda: data_status.coverage(con, role=role),
        "data_status.load_history": lambda: data_status.load_history(con, role=role),
        "data_status.rejected_files": lambda: data_status.rejected_files(con, role=role),
        "data_status.load_messages": lambda: data_status.load_messages(con, 1, role=role),
        "data_status.data_vintage": lambda: data_status.data_vintage(con, role=role),
        "data_status.kpi_definitions": lambda: data_status.kpi_definitions(con, role=role),
        "data_status.allocation_rates": lambda: data_status.allocation_rates(con, role=role),
        "data_status.peer_group_types": lambda: data_status.peer_group_types(con, role=role),
    }


def example_arguments(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The newest year with funds, and the agency with the most applications that year."""
    year = int(overview.years(con, role=TSN).filter(pl.col("agencies_with_funds") > 0)["year"].max())
    ranking = overview.agency_ranking(con, year, role=TSN).sort("applications", descending=True, nulls_last=True)
    return year, ranking["org_nr"][0]
