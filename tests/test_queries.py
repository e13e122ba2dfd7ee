"""The query layer: every function runs, binds its parameters, and agrees with the views."""

from __future__ import annotations

import inspect
import re

import polars as pl
import pytest

from lom.queries import data_status, overview, profile, watchlist
from lom.queries.access import TSN
from lom.queries.connection import connect

from .conftest import rows
from .measures_fixture import ORG
from .paths import ROOT
from .query_calls import calls, example_arguments

MODULES = (overview, profile, watchlist, data_status)


def public_functions() -> set[str]:
    return {
        f"{module.__name__.split('.')[-1]}.{name}"
        for module in MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


def test_the_benchmark_times_every_query_of_the_layer():
    """bench/query_benchmark.py must call every query function, so that every one is timed."""
    assert set(calls(None, 2025, "")) == public_functions()


def test_every_query_runs_on_the_sample(sample_db):
    with connect(sample_db) as con:
        year, org_nr = example_arguments(con)
        results = {name: call() for name, call in calls(con, year, org_nr).items()}
    assert (year, org_nr) == (
        2025,
        rows(sample_db, "select org_nr from agency_year_kpis where year = 2025 order by applications desc limit 1")[0][
            0
        ],
    )
    empty = {name for name, frame in results.items() if frame.is_empty()}
    assert empty == {"data_status.rejected_files", "data_status.load_messages"}  # the sample loads cleanly


def test_no_sql_is_written_outside_sql():
    for path in [*(ROOT / "lom" / "queries").glob("*.py"), ROOT / "dashboard.py", ROOT / "lom" / "app.py"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(select|insert|update|delete)\b[^\n]*\b(from|into|set)\b", text, re.IGNORECASE), path


def test_parameters_are_bound_not_pasted(sample_db):
    with connect(sample_db) as con:
        assert profile.agency_positions(con, "x' or '1' = '1", 2025, "sector", role=TSN).is_empty()
        assert (
            profile.measure_mix(con, "209900-0016'; drop table agencies; --", 2025, role=TSN)["applications"].sum() == 0
        )
    assert rows(sample_db, "select count(*) from agencies") == [(60,)]


def test_unknown_peer_groups_and_thresholds_are_refused(sample_db):
    with connect(sample_db) as con, pytest.raises(ValueError, match="unknown peer group"):
        overview.agency_ranking(con, 2025, "sektor", role=TSN)
    for bad in [{"reserve_limit": 0}, {"utilisation_limit": 0}, {"low_years": 0}, {"low_years": 2.5}]:
        with pytest.raises(ValueError):
            watchlist.Thresholds(**bad)


def test_no_database_yet(tmp_path):
    with pytest.raises(FileNotFoundError), connect(tmp_path / "none.duckdb"):
        pass


def test_national_summary_is_this_year_beside_last(sample_db):
    with connect(sample_db) as con:
        summary = overview.national_summary(con, 2025, role=TSN).row(0, named=True)
        first = overview.national_summary(con, 2015, role=TSN).row(0, named=True)
        none = overview.national_summary(con, 1999, role=TSN)
    assert (summary["applications"], summary["previous_applications"]) == (
        rows(sample_db, "select count(*) from applications where year(received_on) = 2025")[0][0],
        rows(sample_db, "select count(*) from applications where year(received_on) = 2024")[0][0],
    )
    assert (
        summary["closing_balance_sek"]
        == rows(sample_db, "select sum(closing_balance_sek) from fund_years where year = 2025")[0][0]
    )
    assert first["previous_applications"] is None
    assert none.is_empty()


def test_ranking_has_every_agency_of_the_year_with_its_classes(sample_db):
    with connect(sample_db) as con:
        ranking = overview.agency_ranking(con, 2025, "size", role=TSN)
    assert ranking.height == 60
    assert ranking["closing_balance_sek"].is_sorted(descending=True)
    assert set(ranking["reserve_years_class"].drop_nulls()) == {"best", "middle", "worst"}
    assert set(ranking["approval_rate_class"].drop_nulls()) == {"high", "middle", "low"}
    found = ranking.filter(pl.col("org_nr") == "209900-0016").row(0, named=True)
    assert (
        found["reserve_years_class"]
        == rows(
            sample_db,
            "select quartile_class from peer_positions where org_nr = '209900-0016' and year = 2025 "
            "and group_type = 'size' and kpi = 'reserve_years'",
        )[0][0]
    )


def test_agencies_are_in_swedish_order(sample_db):
    """å, ä and ö come after z."""
    with connect(sample_db) as con:
        names = overview.agencies(con, role=TSN)["name"].to_list()
    swedish = str.maketrans("åäöÅÄÖ", "{|}{|}")
    assert names == sorted(names, key=lambda name: name.lower().translate(swedish))
    assert any(name[0] in "ÅÄÖ" for name in names)


def test_trend_has_the_peer_band_for_every_year(measures_db):
    with connect(measures_db) as con:
        trend = profile.agency_trend(con, ORG["Sparverket"], "sector", role=TSN)
    reserve = trend.filter(pl.col("kpi") == "reserve_years")
    assert reserve["year"].to_list() == [2023, 2024, 2025]
    assert reserve["peer_median"].to_list() == pytest.approx([(9.777777 + 2 / 3) / 2, (9.6 + 1.5) / 2, 2.5], rel=1e-5)
    assert reserve["label_sv"].unique().to_list() == ["Saldo i årsavsättningar"]


def test_funnel_plot_data(measures_db):
    with connect(measures_db) as con:
        funnel = profile.approval_intervals(con, 2025, "sector", role=TSN)
    assert funnel.filter(pl.col("decided") > 0)["name"].to_list() == ["Beviljarverket", "Ensamverket"]


def test_load_history_and_messages_of_a_rejected_file(sample_copy, tmp_path):
    from pipelines.load import load_files

    bad = tmp_path / "trasig.csv"
    bad.write_text("org_nr;name;sector\n209900-0016;;Okänd sektor\n", encoding="utf-8")
    assert [o.status for o in load_files([bad], sample_copy)] == ["rejected"]
    with connect(sample_copy) as con:
        rejected = data_status.rejected_files(con, role=TSN)
        messages = data_status.load_messages(con, rejected["load_id"][0], role=TSN)
        history = data_status.load_history(con, role=TSN)
    assert rejected["file_name"].to_list() == ["trasig.csv"]
    assert rejected["first_error"][0] in messages["message"].to_list()
    assert messages.height == rejected["errors"][0] == 2
    assert history["status"].to_list()[0] == "rejected"


def test_every_query_function_takes_the_viewers_role_and_refuses_one_it_cannot_serve(sample_db):
    import inspect

    functions = [
        f
        for module in (overview, profile, watchlist, data_status)
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__ and not name.startswith("_")
    ]
    assert len(functions) >= 20
    for function in functions:
        role = inspect.signature(function).parameters.get("role")
        assert role is not None and role.kind is role.KEYWORD_ONLY and role.default is role.empty, function
    with connect(sample_db) as con:
        assert overview.years(con, role=TSN).height > 0
        for foreign in ("", "TSN", "tsn ", None, "202100-12345", "2021001234"):
            with pytest.raises(PermissionError):
                overview.years(con, role=foreign)
        agency, other = overview.agencies(con, role=TSN)["org_nr"][:2]
        assert overview.years(con, role=agency).height > 0
        # An agency reads neither the watchlist, nor the loads, nor another agency's profile.
        for refused in (
            lambda: watchlist.idle_fund_flags(con, 2025, role=agency),
            lambda: watchlist.projections(con, 2025, role=agency),
            lambda: watchlist.balance_path(con, other, 2025, role=agency),
            lambda: watchlist.own_projection(con, other, 2025, role=agency),
            lambda: profile.own_figures(con, other, role=agency),
            lambda: profile.own_coverage(con, other, role=agency),
            lambda: data_status.coverage(con, role=agency),
            lambda: data_status.load_history(con, role=agency),
            lambda: data_status.rejected_files(con, role=agency),
            lambda: data_status.load_messages(con, 1, role=agency),
            lambda: profile.similar_agencies(con, agency, 2025, role=agency),
            lambda: profile.agency_positions(con, other, 2025, "sector", role=agency),
            lambda: profile.agency_trend(con, other, "sector", role=agency),
            lambda: profile.measure_mix(con, other, 2025, role=agency),
        ):
            with pytest.raises(PermissionError):
                refused()
        # ...but it reads every figure of its own, and its own projection, whole.
        for own in (
            watchlist.balance_path(con, agency, 2025, role=agency),
            watchlist.own_projection(con, agency, 2025, role=agency),
            profile.own_figures(con, agency, role=agency),
            profile.own_coverage(con, agency, role=agency),
        ):
            assert own.height > 0
            assert set(own["org_nr"]) == {agency} if "org_nr" in own.columns else True
