"""Myndighetsprofil: one agency against its peers."""

from __future__ import annotations

import duckdb
import polars as pl

from lom.queries import access, agency
from lom.queries.connection import peer_group, run


def agency_positions(
    con: duckdb.DuckDBPyConnection, org_nr: str, year: int, group_type: str, *, role: str
) -> pl.DataFrame:
    """Return an agency's measures in a year beside its peer group's median and quartiles."""
    frame = run(
        con,
        "agency_positions",
        role=access.require_own(role, org_nr),
        org_nr=org_nr,
        year=year,
        group_type=peer_group(group_type),
    )
    return agency.positions(con, frame, role, group_type, year) if access.is_agency(role) else frame


def agency_trend(con: duckdb.DuckDBPyConnection, org_nr: str, group_type: str, *, role: str) -> pl.DataFrame:
    """Return an agency's measures over the years with its peer group's interquartile band."""
    frame = run(
        con, "agency_trend", role=access.require_own(role, org_nr), org_nr=org_nr, group_type=peer_group(group_type)
    )
    return agency.positions(con, frame, role, group_type) if access.is_agency(role) else frame


def measure_mix(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, *, role: str) -> pl.DataFrame:
    """Return an agency's applications and grants per measure type beside the national mix."""
    if access.is_agency(access.require_own(role, org_nr)):
        return agency.measure_mix(con, role, year)
    return run(con, "measure_mix", role=role, org_nr=org_nr, year=year)


def approval_intervals(con: duckdb.DuckDBPyConnection, year: int, group_type: str, *, role: str) -> pl.DataFrame:
    """Return every agency's approval rate in a year with its Wilson interval, for a funnel plot;
    an agency gets its own only."""
    frame = run(con, "approval_intervals", role=role, year=year, group_type=peer_group(group_type))
    return agency.approval(con, frame, role, group_type, year) if access.is_agency(role) else frame


def funnel_band(con: duckdb.DuckDBPyConnection, peer_median: float, max_decided: int, *, role: str) -> pl.DataFrame:
    """Return the funnel around a peer median: its Wilson 95 % limits for 1 up to max_decided decisions."""
    return run(con, "funnel_band", role=role, peer_median=float(peer_median), max_decided=int(max_decided))


def own_figures(con: duckdb.DuckDBPyConnection, org_nr: str, *, role: str) -> pl.DataFrame:
    """Return every figure of an agency year by year, kronor and counts included: an agency gets
    all of its own, unsuppressed (it holds them)."""
    frame = run(con, "own_figures", role=access.require_own(role, org_nr), org_nr=org_nr)
    return agency.own_only(frame, role) if access.is_agency(role) else frame


def own_coverage(con: duckdb.DuckDBPyConnection, org_nr: str, *, role: str) -> pl.DataFrame:
    """Return which years an agency reported funds and applications for, and when each was loaded."""
    frame = run(con, "own_coverage", role=access.require_own(role, org_nr), org_nr=org_nr)
    return agency.own_only(frame, role) if access.is_agency(role) else frame


def application_flow(con: duckdb.DuckDBPyConnection, org_nr: str | None, year: int, *, role: str) -> pl.DataFrame:
    """Return the application flow of a year (received, decided, granted, rejected, withdrawn,
    pending) with each stage's share of the received, for an agency beside all agencies; an agency
    gets its own in full and the national flow under disclosure control. org_nr None: all
    agencies alone (TSN; an agency's national view always has its own part beside it)."""
    if org_nr is None:
        access.require_tsn(role)
    else:
        access.require_own(role, org_nr)
    flow = run(con, "application_flow", role=role, org_nr=org_nr, year=year)
    return agency.application_flow(flow, protect=access.is_agency(role))


GROUP_DIMENSIONS = ("gender", "age_band")


def application_groups(
    con: duckdb.DuckDBPyConnection, org_nr: str | None, year: int, dimension: str, *, role: str
) -> pl.DataFrame:
    """Return applications, grants and approval rate by the applicant's gender or age band in a
    year, for an agency beside all agencies; as application_flow for who sees what."""
    if dimension not in GROUP_DIMENSIONS:
        raise ValueError(f"no applicant groups by {dimension!r}")
    if org_nr is None:
        access.require_tsn(role)
    else:
        access.require_own(role, org_nr)
    groups = run(con, "application_groups", role=role, org_nr=org_nr, year=year, dimension=dimension)
    return agency.application_groups(groups, protect=access.is_agency(role))


def similar_agencies(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, *, role: str) -> pl.DataFrame:
    """Return the agencies most like an agency in a year, nearest first (TSN only: it names them)."""
    return run(con, "similar_agencies", role=access.require_tsn(role), org_nr=org_nr, year=year)
