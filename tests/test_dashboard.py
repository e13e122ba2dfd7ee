"""The dashboard as its users meet it (AppTest on real DuckDB files): every page, the filters in
the URL, choosing an agency, the thresholds, exports and uploads, and the edge states."""

from __future__ import annotations

import io
import subprocess
import sys

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lom.ui import format as fmt
from lom.ui import tables

from .conftest import rows, snapshot, write
from .pages import open_page
from .paths import ROOT
from .test_loading import APPS_HEADER, ORG, funds_line
from .test_rules import FUNDS_HEADER

APP = str(ROOT / "dashboard.py")
PAGES = {
    "overview": "Översikt",
    "watchlist": "Outnyttjade medel",
    "profile": None,  # titled by the agency's name
    "trends": "Utveckling",
    "data": "Data och inläsning",
    "about": "Om måtten",
}


def coverage_grid(app: AppTest):
    """The data page's grid of reported years (agencies by year), wherever it stands on the page."""
    return next(d.value for d in app.dataframe if "2024" in d.value.columns).set_index("Myndighet")


def load_history(app: AppTest):
    """The data page's table of loads."""
    return next(d.value for d in app.dataframe if "Fil" in d.value.columns and "Inlästa" in d.value.columns)


def start(db, monkeypatch, page: str | None = None, **params) -> AppTest:
    monkeypatch.setenv("LOM_DB", str(db))
    app = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    if page:
        open_page(app, page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def charts(app: AppTest) -> list:
    return app.get("vega_lite_chart")


def prognosis(app: AppTest) -> str:
    """The watchlist's heading of the chosen agency's projection (Uppföljning follows it)."""
    return next(s.value for s in app.header if s.value.startswith("Prognos:"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_something_to_see(sample_db, monkeypatch, page):
    app = start(sample_db, monkeypatch, page)
    title = app.title[0].value
    assert title.startswith(PAGES[page] or "") and title
    assert charts(app) or app.dataframe or app.metric
    assert app.caption[0].value.startswith("Underlag: medel 2015–2025")


def test_the_overview_shows_the_year_chosen_with_figures_from_the_data(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch)
    assert app.title[0].value == "Översikt 2025"  # the newest year with funds
    app.sidebar.selectbox(key="year").select(2020).run()
    assert app.title[0].value == "Översikt 2020"
    assert app.query_params["ar"] == "2020"
    metrics = {m.label: m.value for m in app.metric}
    [(applications, unused, unused_before)] = rows(
        sample_db,
        "select (select count(*) from applications where year(received_on) = 2020),"
        " (select sum(closing_balance_sek) from fund_years where year = 2020),"
        " (select sum(closing_balance_sek) from fund_years where year = 2019)",
    )
    assert metrics["Ansökningar"] == fmt.number(applications)
    assert metrics["Outnyttjade medel"] == fmt.short_kronor(unused)
    deltas = {m.label: m.delta for m in app.metric}
    assert deltas["Outnyttjade medel"] == f"{fmt.signed(float(unused - unused_before) / 1e6, 1)} mnkr"
    ranking = app.dataframe[0].value
    assert len(ranking) == rows(sample_db, "select count(*) from fund_years where year = 2020")[0][0]
    assert len(charts(app)) == 1


def test_a_shared_link_opens_the_same_view(sample_db, monkeypatch):
    sector = rows(sample_db, "select min(sector) from agencies")[0][0]
    app = start(sample_db, monkeypatch, ar="2019", sektor=sector, grupp="size")
    assert app.title[0].value == "Översikt 2019"
    assert app.sidebar.selectbox(key="sector").value == sector
    assert app.sidebar.selectbox(key="group").value == "size"
    shown = set(app.dataframe[0].value["Sektor"])
    assert shown == {sector}


def test_values_a_link_cannot_hold_are_ignored(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, ar="1899", grupp="'; drop table loads; --", sektor="Ingen sådan")
    assert app.title[0].value == "Översikt 2025"
    assert app.sidebar.selectbox(key="group").value == "sector"
    assert app.sidebar.selectbox(key="sector").value == "Alla sektorer"


def test_choosing_a_row_of_the_ranking_opens_that_agencys_profile(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch)
    first = app.dataframe[0].value.iloc[0]["Myndighet"]
    app.session_state["ranking-2025-None-sector-reserve_years"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    app.run()
    assert not app.exception
    assert app.title[0].value == f"{first} 2025"
    org_nr = rows(sample_db, f"select org_nr from agencies where name = '{first}'")[0][0]
    assert app.query_params["myndighet"] == org_nr


def test_picking_an_agency_shows_its_measures_beside_its_peers(sample_db, monkeypatch):
    [(org_nr, name, spent, allocated)] = rows(
        sample_db,
        "select a.org_nr, a.name, f.spent_sek, f.allocated_sek from agencies a join fund_years f using (org_nr)"
        " where f.year = 2023 order by f.closing_balance_sek desc limit 1",
    )
    app = start(sample_db, monkeypatch, "profile", ar="2023")
    app.selectbox(key="agency").select(org_nr).run()
    assert app.title[0].value == f"{name} 2023"
    assert app.query_params["myndighet"] == org_nr
    shown = [m.value for m in app.markdown]
    assert f"### {fmt.percent(float(spent) / float(allocated))}" in shown  # utilisation, computed here
    assert any("Median i jämförelsegruppen" in c.value for c in app.caption)
    # trend, handling time, measure mix, the application flow, applicants by gender and by age, funnel, projection
    assert len(charts(app)) == 8
    assert any("95 %-intervall" in m.value for m in app.markdown)


def test_an_agency_with_funds_but_no_applications_is_told_so(measures_db, monkeypatch):
    org_nr = rows(measures_db, "select org_nr from agencies where name = 'Sparverket'")[0][0]
    app = start(measures_db, monkeypatch, "profile", myndighet=org_nr)
    assert app.title[0].value.startswith("Sparverket")
    assert any("inga beslutade ansökningar" in i.value for i in app.info)


def test_thresholds_change_the_watchlist_and_stay_in_the_link(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, "watchlist")
    before = len(app.dataframe[0].value)
    app.select_slider(key="reserve_limit").set_value(10.0)
    app.select_slider(key="low_years").set_value(20).run()  # 11 years of data: no run of 20 low years
    [(expected,)] = rows(
        sample_db,
        "select count(*) from fund_years where year = 2025 and closing_balance_sek > 10 * allocated_sek",
    )
    assert 0 < expected < before
    assert len(app.dataframe[0].value) == expected
    assert {m.label: m.value for m in app.metric}["Myndigheter att erbjuda stöd"] == fmt.number(expected)
    assert app.query_params["saldograns"] == "10" and app.query_params["ar_i_rad"] == "20"
    reasons = app.dataframe[0].value["Skäl"]
    assert all("mer än gränsen 10" in r for r in reasons)
    assert prognosis(app).startswith("Prognos:")


def test_thresholds_no_agency_breaks_give_a_message(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, "watchlist", saldograns="20", nyttjandegrans="5", ar_i_rad="20")
    assert not app.dataframe
    assert "Ingen myndighet" in app.success[0].value


def test_the_watchlist_exports_what_it_shows(sample_db, monkeypatch, downloads):
    app = start(sample_db, monkeypatch, "watchlist")
    shown = app.dataframe[0].value
    csv = downloads["outnyttjade_medel_2025.csv"]()
    assert csv.startswith(b"\xef\xbb\xbf")
    exported = pl.read_csv(io.BytesIO(csv[3:]), separator=";", decimal_comma=True)
    assert exported.height == len(shown)
    assert exported["Myndighet"].to_list() == list(shown["Myndighet"])
    assert exported["Outnyttjade medel (kr)"].to_list() == pytest.approx(list(shown["Outnyttjade medel"]), abs=0.5)
    assert exported["Nyttjandegrad (%)"].to_list() == pytest.approx(list(shown["Nyttjandegrad"] * 100), abs=0.05)
    workbook = pl.read_excel(io.BytesIO(downloads["outnyttjade_medel_2025.xlsx"]()))
    assert workbook.columns == exported.columns and workbook.height == exported.height


def test_an_upload_of_a_good_file_is_loaded_and_shown(sample_copy, monkeypatch, tmp_path):
    app = start(sample_copy, monkeypatch, "data")
    loads_before = len(load_history(app))
    content = f"{FUNDS_HEADER}\n{funds_line(2024, '7000')}\n".encode()
    app.file_uploader[0].upload("medel_rattelse.csv", content, "text/csv").run()
    app.button(key="load_button").click().run()
    assert not app.exception
    assert "medel_rattelse.csv" in app.success[0].value and "1 rad" in app.success[0].value
    assert rows(sample_copy, f"select spent_sek from fund_years where org_nr = '{ORG}' and year = 2024") == [(7000,)]
    history = load_history(app)
    assert len(history) == loads_before + 1 and history.iloc[0]["Fil"] == "medel_rattelse.csv"


def test_an_upload_of_a_bad_file_shows_its_errors_and_changes_nothing(sample_copy, monkeypatch):
    before = snapshot(sample_copy)
    app = start(sample_copy, monkeypatch, "data")
    broken = funds_line(2024, "7000").replace(";2024;", ";20x4;")
    content = f"{FUNDS_HEADER}\n{funds_line(2023, '5000')}\n{broken}\n".encode()
    app.file_uploader[0].upload("medel_fel.csv", content, "text/csv").run()
    app.button(key="load_button").click().run()
    assert not app.exception
    assert "medel_fel.csv" in app.error[0].value and "Inget i filen lästes in" in app.error[0].value
    errors = app.dataframe[0].value
    assert list(errors.columns) == ["Typ", "Blad", "Rad", "Kolumn", "Fel", "Värde", "Regel"]
    row = errors[errors["Typ"] == "fel"].iloc[0]
    assert row["Rad"] == 3 and row["Kolumn"] == "year"  # as the file heads it
    assert row["Värde"] == "20x4"  # shown: the file holds no personal data
    assert snapshot(sample_copy) == before
    rejected = next(d.value for d in app.dataframe if "Första felet" in d.value.columns)
    assert rejected.iloc[0]["Fil"] == "medel_fel.csv"


def test_an_upload_named_with_a_personnummer_is_refused_and_the_name_not_stored(sample_copy, monkeypatch):
    """The file name is part of the file: a personnummer in it, written with an en dash, refuses
    the upload, and neither the page nor the load log shows it."""
    before = snapshot(sample_copy)
    app = start(sample_copy, monkeypatch, "data")
    content = f"{FUNDS_HEADER}\n{funds_line(2024, '7000')}\n".encode()
    app.file_uploader[0].upload("medel 850709\u20132388.csv", content, "text/csv").run()
    app.button(key="load_button").click().run()
    assert not app.exception
    shown = " ".join(e.value for e in [*app.error, *app.markdown, *app.caption]) + " ".join(
        d.value.to_csv() for d in app.dataframe
    )
    assert "filnamnet innehåller en personuppgift" in shown
    assert "8507092388" not in shown.replace("\u2013", "").replace("-", "") and "850709" not in shown
    assert snapshot(sample_copy) == before
    assert rows(sample_copy, "select file_name from loads order by load_id desc limit 1") == [
        ("medel (personuppgift).csv",)
    ]


def test_without_a_database_the_pages_say_how_to_get_one(tmp_path, monkeypatch):
    for page in PAGES:
        app = start(tmp_path / "none.duckdb", monkeypatch, page)
        assert any("python -m pipelines bootstrap" in i.value for i in app.info), page


def test_an_empty_database_says_nothing_is_loaded(tmp_path, monkeypatch):
    from lom.db import models, store

    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    store.apply_schema(con)
    models.build(con)
    con.close()
    app = start(db, monkeypatch)
    assert "inga medel inlästa" in app.info[0].value


def test_outdated_measures_get_a_message_not_a_traceback(sample_copy, monkeypatch):
    con = duckdb.connect(str(sample_copy))
    con.execute("drop table model_build")
    con.close()
    app = start(sample_copy, monkeypatch)
    assert "python -m pipelines bootstrap" in app.error[0].value


def test_the_coverage_grid_tells_missing_from_zero(measures_db, monkeypatch):
    """Sparverket never reports applications (..); Luckverket has an application in 2024 but no
    funds (1*); Ensamverket reported none in 2024 between years with some (0)."""
    app = start(measures_db, monkeypatch, "data")
    grid = coverage_grid(app)
    assert grid.loc["Sparverket", "2025"] == ".."
    assert grid.loc["Luckverket", "2024"] == "1*"
    assert grid.loc["Ensamverket", "2024"] == "0"
    assert grid.loc["Beviljarverket", "2023"] == "–"


def test_a_load_published_while_the_app_runs_is_seen_at_the_next_rerun(sample_copy, monkeypatch, tmp_path):
    app = start(sample_copy, monkeypatch, "data")
    count = len(next(d.value for d in app.dataframe if "Inlästa" in d.value.columns))
    from pipelines.load import load_files

    path = tmp_path / "medel.csv"
    path.write_text(f"{FUNDS_HEADER}\n{funds_line(2024, '1234')}\n")
    load_files([path], sample_copy)
    app.run()
    assert len(next(d.value for d in app.dataframe if "Inlästa" in d.value.columns)) == count + 1


def test_trends_follow_the_measure_chosen(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, "trends")
    app.selectbox(key="trend_measure").select("approval_rate").run()
    table = next(d.value for d in app.dataframe if "Område" in d.value.columns)
    national_2020 = table[(table["År"] == 2020) & (table["Område"] == "Alla rapporterande myndigheter")].iloc[0]
    [(granted, decided)] = rows(
        sample_db,
        "select count(*) filter (where decision in ('beviljad', 'delvis beviljad')),"
        " count(*) filter (where decision in ('beviljad', 'delvis beviljad', 'avslag'))"
        " from applications where year(received_on) = 2020",
    )
    assert national_2020["Beviljandegrad"] == pytest.approx(granted / decided)


def test_the_copy_of_the_sample_is_untouched_by_reading(sample_copy, monkeypatch):
    before = snapshot(sample_copy)
    for page in PAGES:
        start(sample_copy, monkeypatch, page)
    assert snapshot(sample_copy) == before


def test_every_page_every_year_and_every_agency_of_the_edge_case_fixture_renders(measures_db, monkeypatch):
    """The hand-made fixture holds the awkward cases: no applications, no funds, a lone sector,
    no decided applications. No page, year or agency may end in an exception."""
    app = start(measures_db, monkeypatch)
    years = app.sidebar.selectbox(key="year").options
    assert len(years) >= 3
    for year in years:
        app.sidebar.selectbox(key="year").select(year).run()
        for page in PAGES:
            open_page(app, page).run()
            assert not app.exception, (page, year, [e.value for e in app.exception])
            assert app.title and (charts(app) or app.dataframe or app.metric or app.info or app.success)
        open_page(app, "profile").run()
        for (agency,) in rows(measures_db, "select org_nr from agencies"):
            app.selectbox(key="agency").select(agency).run()
            assert not app.exception, (agency, year, [e.value for e in app.exception])


def test_clicking_a_point_of_the_chart_opens_that_agencys_profile(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch)
    [(org_nr, name)] = rows(sample_db, "select org_nr, name from agencies order by org_nr desc limit 1")
    app.session_state["scatter"] = {"selection": {"pick": [{"org_nr": org_nr}]}}
    app.run()
    assert not app.exception
    assert app.title[0].value == f"{name} 2025"


def test_an_upload_reports_each_stage_it_reaches(sample_copy, tmp_path):
    from pipelines.load import load_files

    stages = []
    first, second = tmp_path / "medel_2023.csv", tmp_path / "medel_2024.csv"
    first.write_text(f"{FUNDS_HEADER}\n{funds_line(2023, '4321')}\n")
    second.write_text(f"{FUNDS_HEADER}\n{funds_line(2024, '1234')}\n")
    load_files(
        [first, second], sample_copy, listener=lambda label, stage, fraction: stages.append((label, stage, fraction))
    )
    names = [stage for _, stage, _ in stages]
    assert names[:2] == ["läser", "läser"] and names[-2:] == ["bygger måtten", "klar"]
    assert names.count("kontrollerar") == 2 and names.count("publicerar") == 2
    assert {label for label, stage, _ in stages if stage == "publicerar"} == {"medel_2023.csv", "medel_2024.csv"}
    fractions = [fraction for _, _, fraction in stages]
    assert fractions == sorted(fractions)  # the bar only moves forward


def test_a_fall_from_the_year_before_points_down(sample_db, monkeypatch):
    """2024's allocation fell with the rate (0,3 % to 0,2 %): the change must read as a fall."""
    from streamlit.proto.Metric_pb2 import Metric

    app = start(sample_db, monkeypatch, ar="2024")
    by_label = {m.label: m for m in app.metric}
    [(now, before)] = rows(
        sample_db,
        "select sum(allocated_sek) filter (where year = 2024), sum(allocated_sek) filter (where year = 2023)"
        " from fund_years",
    )
    allocation = by_label["Årets avsättning"]
    assert now < before and allocation.delta.startswith("-")
    assert allocation.proto.direction == Metric.MetricDirection.DOWN


def test_a_row_chosen_before_the_thresholds_change_is_forgotten(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, "watchlist")
    table = app.dataframe[0]
    last = len(table.value) - 1
    app.session_state[table.key] = {"selection": {"rows": [last], "columns": [], "cells": []}}
    app.run()
    assert prognosis(app) == f"Prognos: {table.value.iloc[last]['Myndighet']}"
    app.select_slider(key="reserve_limit").set_value(10.0).run()
    assert not app.exception
    assert prognosis(app) == f"Prognos: {app.dataframe[0].value.iloc[0]['Myndighet']}"


def test_a_file_that_is_no_database_gets_a_message_not_a_traceback(tmp_path, monkeypatch):
    db = tmp_path / "lom.duckdb"
    db.write_bytes(b"not a database at all" * 100)
    app = start(db, monkeypatch)
    assert "Databasen kunde inte läsas" in app.error[0].value


def test_a_link_value_that_does_not_exist_is_told_not_used(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, ar="1999", myndighet="000000-0000")
    told = [w.value for w in app.warning]
    assert app.title[0].value == "Översikt 2025"
    open_page(app, "profile").run()
    told += [w.value for w in app.warning]
    assert any("ett år som inte finns" in w for w in told)
    assert any("en myndighet som inte finns" in w for w in told)
    assert not any("000000-0000" in w or "1999" in w for w in told)  # the value is not repeated
    app.run()
    assert not app.warning  # told once


def test_a_watchlist_link_keeps_the_agency_whose_projection_is_shown(sample_db, monkeypatch):
    app = start(sample_db, monkeypatch, "watchlist")
    table = app.dataframe[0]
    third = table.value.iloc[2]
    app.session_state[table.key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    app.run()
    link = dict(app.query_params)
    assert link["myndighet"] == third["Organisationsnummer"]
    shared = start(sample_db, monkeypatch, "watchlist", **{k: v for k, v in link.items()})
    assert prognosis(shared) == f"Prognos: {third['Myndighet']}"


def test_a_table_is_styled_once_and_replayed_until_its_rows_change(sample_copy, monkeypatch, tmp_path):
    """Tables without row choice are drawn once per content and replayed on reruns; a load that
    changes their rows draws them anew, so a rerun never shows a stale table."""
    styled = []
    draw = tables._draw
    monkeypatch.setattr(
        tables, "_draw", lambda frame, columns, key, *a, **k: styled.append(key) or draw(frame, columns, key, *a, **k)
    )
    app = start(sample_copy, monkeypatch, "data")
    grid = coverage_grid(app)
    assert "coverage" in styled
    styled.clear()
    app.run()
    assert "coverage" not in styled and "history" not in styled
    assert coverage_grid(app).equals(grid)

    [(name, before)] = rows(
        sample_copy,
        f"select name, count(*) from applications join agencies using (org_nr) "
        f"where org_nr = '{ORG}' and year(received_on) = 2024 group by name",
    )
    assert grid.loc[name, "2024"].startswith(str(before))
    line = f"N-1;{ORG};2024-06-01;2024-06-11;mentorskap;beviljad;3000;3000;;"
    write(tmp_path / "a.csv", f"{APPS_HEADER}\n{line}\n")
    from pipelines.load import load_files

    [outcome] = load_files([tmp_path / "a.csv"], sample_copy)
    assert outcome.status == "loaded"
    app.run()
    assert "coverage" in styled
    assert coverage_grid(app).loc[name, "2024"] == "1 (r)"  # one, corrected


def test_a_tables_digest_changes_with_any_value_and_only_then():
    frame = pl.DataFrame({"name": [f"Verket {n}" for n in range(300)], "hidden": [["x"]] * 300})
    changed = frame.with_columns(
        pl.when(pl.int_range(300) == 150).then(pl.lit("Annat")).otherwise("name").alias("name")
    )
    assert tables.content_digest(frame) == tables.content_digest(frame.clone())
    assert tables.content_digest(frame) != tables.content_digest(changed)
    assert tables.content_digest(frame) != tables.content_digest(frame.rename({"name": "namn"}))


SHARED_READS = """
import sys, threading
from pathlib import Path
from lom.queries import overview
from lom.ui import tables
from lom.ui.data import TSN, Source, fetch

source = Source.of(Path(sys.argv[1]))
finished = []

def session():
    for _ in range(300):
        frame = fetch(source, TSN, overview.agency_ranking, 2024)  # one cached result for all
        repr(frame.schema)  # builds Decimal types in Python while holding the frame's lock
        tables.content_digest(frame)  # hash_rows: the frame's lock, exclusively
    finished.append(1)

threads = [threading.Thread(target=session, daemon=True) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(finished))
"""


def test_sessions_reading_one_cached_result_at_once_do_not_deadlock(sample_db):
    # Issue 7's CI run hung here: the served app's sessions shared the cached frame, and Polars
    # takes a frame's lock without letting go of the interpreter lock. A deadlock holds that
    # lock, so it can only be caught from outside the process, by its timeout.
    try:
        run = subprocess.run(
            [sys.executable, "-c", SHARED_READS, str(sample_db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("eight sessions reading one cached result deadlocked")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["8"]
