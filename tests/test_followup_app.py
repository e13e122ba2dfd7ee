"""Uppföljning as Trygghetsstiftelsen's staff meet it (AppTest on real files): an entry saved through
the form is in the history and the watchlist's columns, and stays there through a load; overdue
follow-ups at the top of the watchlist; contacts on the profile's trend charts; the log exported."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import polars as pl
import pytest

from lom.followup import log, store
from lom.followup.section import today
from pipelines.load import load_files

from .conftest import rows, write
from .postgres import fresh_database, postgres_server  # noqa: F401  the session's server
from .test_dashboard import start
from .test_loading import ORG, funds_line
from .test_rules import FUNDS_HEADER

NOTE = "Reserven är avsatt för en flytt 2027; ny kontakt efter budgetbeslutet."
PLAN = "Informationsinsats till alla chefer under våren."


@pytest.fixture(params=["sqlite", "postgresql"])
def followup_db(request, tmp_path, monkeypatch) -> str:
    """LOM_FOLLOWUP_DB for one test: a new SQLite file, or a new database on the PostgreSQL server."""
    where = (
        str(tmp_path / "logg" / "followup.sqlite")
        if request.param == "sqlite"
        else fresh_database(request.getfixturevalue("postgres_server"))
    )
    monkeypatch.setenv(store.ENV, where)
    return where


def key(place: str, org_nr: str, name: str) -> str:
    return f"followup-{place}-{org_nr}-{name}"


def fill(app, place: str, org_nr: str, status: str, note: str, plan: str = "", next_date: date | None = None):
    app.selectbox(key=key(place, org_nr, "status")).select(status)
    if next_date:
        app.date_input(key=key(place, org_nr, "next")).set_value(next_date)
    app.text_area(key=key(place, org_nr, "note")).input(note)
    app.text_area(key=key(place, org_nr, "plan")).input(plan)
    app.button(key=key(place, org_nr, "submit")).click().run()
    assert not app.exception, [e.value for e in app.exception]


def table_with(app, column: str):
    return next(d.value for d in app.dataframe if column in d.value.columns)


def watchlist_row(app, org_nr: str):
    listed = table_with(app, "Skäl")
    return listed[listed["Organisationsnummer"] == org_nr].iloc[0]


def test_an_entry_saved_through_the_form_is_in_the_history_and_the_watchlist_and_survives_a_load(
    sample_copy, followup_db, monkeypatch, tmp_path
):
    app = start(sample_copy, monkeypatch, "watchlist")
    org_nr = app.query_params["myndighet"]  # the agency whose projection and follow-up are shown
    assert app.header[-1].value == "Uppföljning"
    assert [f.label for f in app.text_area] == ["Anteckning", "Myndighetens plan"]
    assert {"Status", "Nästa uppföljning"} <= {w.label for w in [*app.selectbox, *app.date_input]}
    assert any("personnummer" in c.value for c in app.caption)  # the form says so beside the fields
    assert pd.isna(watchlist_row(app, org_nr)["Status"])

    due = today() + timedelta(days=30)
    fill(app, "watchlist", org_nr, "Möte bokat", NOTE, PLAN, due)
    assert "Sparat" in app.success[0].value
    history = table_with(app, "Anteckning")
    assert list(history["Anteckning"]) == [NOTE] and list(history["Myndighetens plan"]) == [PLAN]
    assert list(history["Status"]) == ["Möte bokat"]
    assert list(history["Skrivet av"]) == ["lokal användare (ingen inloggning)"]
    row = watchlist_row(app, org_nr)
    assert row["Status"] == "Möte bokat"
    assert str(row["Senaste kontakt"])[:10] == str(today())
    assert str(row["Nästa uppföljning"])[:10] == str(due)
    assert app.text_area(key=key("watchlist", org_nr, "note")).value == ""  # the form is ready for the next

    # A correction file loaded afterwards replaces the published database; the log is not in it.
    before = rows(sample_copy, f"select spent_sek from fund_years where org_nr = '{ORG}' and year = 2024")
    correction = write(tmp_path / "medel_rattelse.csv", f"{FUNDS_HEADER}\n{funds_line(2024, '4321')}\n")
    [outcome] = load_files([correction], sample_copy)
    assert outcome.status == "loaded"
    assert rows(sample_copy, f"select spent_sek from fund_years where org_nr = '{ORG}' and year = 2024") != before
    app.run()
    assert not app.exception
    assert list(table_with(app, "Anteckning")["Anteckning"]) == [NOTE]
    assert watchlist_row(app, org_nr)["Status"] == "Möte bokat"

    # A correction of the entry is a new entry: both are in the history, newest first.
    fill(app, "watchlist", org_nr, "Plan finns", "Planen är klar.")
    assert list(table_with(app, "Anteckning")["Status"]) == ["Plan finns", "Möte bokat"]
    assert watchlist_row(app, org_nr)["Status"] == "Plan finns"
    assert pd.isna(watchlist_row(app, org_nr)["Nästa uppföljning"])  # as the newest entry says


def test_a_note_with_a_personnummer_is_refused_through_the_form_and_not_stored(sample_copy, tmp_path, monkeypatch):
    where = tmp_path / "followup.sqlite"
    monkeypatch.setenv(store.ENV, str(where))
    app = start(sample_copy, monkeypatch, "watchlist")
    org_nr = app.query_params["myndighet"]
    fill(app, "watchlist", org_nr, "Kontaktad", "Vi talade med handläggaren.")
    fill(app, "watchlist", org_nr, "Kontaktad", "Ring tillbaka till 850709\u20132388 på måndag.")
    [error] = app.error
    assert "Inget sparades" in error.value and "Anteckning innehåller ett personnummer" in error.value
    shown = " ".join(e.value for e in [*app.error, *app.success, *app.markdown, *app.caption])
    shown += " ".join(d.value.to_csv() for d in app.dataframe)
    assert "850709" not in shown and "2388" not in shown
    assert list(table_with(app, "Anteckning")["Anteckning"]) == ["Vi talade med handläggaren."]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("followup.sqlite*"))
    assert b"850709" not in stored and b"Ring tillbaka" not in stored


def test_overdue_follow_ups_are_listed_at_the_top_of_the_watchlist(sample_copy, tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV, str(tmp_path / "followup.sqlite"))
    kept = store.open_store()
    late, closed, coming = "209900-0016", "209900-0024", "209900-0032"
    written = datetime.now(UTC) - timedelta(days=60)
    for org_nr, status, due in [
        (late, log.Status.CONTACTED, today() - timedelta(days=10)),
        (closed, log.Status.CLOSED, today() - timedelta(days=20)),
        (coming, log.Status.MEETING_BOOKED, today() + timedelta(days=5)),
    ]:
        log.append(kept, log.Entry(org_nr, status, due), role="tsn", writer="staff@tsn.example", now=written)
    app = start(sample_copy, monkeypatch, "watchlist")
    assert app.markdown[0].value.startswith("**Försenade uppföljningar (1)**")
    overdue = app.dataframe[0].value
    name = rows(sample_copy, f"select name from agencies where org_nr = '{late}'")[0][0]
    assert list(overdue["Myndighet"]) == [name] and list(overdue["Dagar sedan"]) == [10]


def test_the_log_is_exported_formula_safe(sample_copy, tmp_path, monkeypatch, downloads):
    monkeypatch.setenv(store.ENV, str(tmp_path / "followup.sqlite"))
    note = '=HYPERLINK("http://example.invalid")'
    log.append(store.open_store(), log.Entry(ORG, log.Status.CONTACTED, note=note), role="tsn", writer="a@tsn.example")
    start(sample_copy, monkeypatch, "watchlist")
    csv = downloads["uppfoljningslogg.csv"]()
    assert csv.startswith(b"\xef\xbb\xbf")
    exported = pl.read_csv(io.BytesIO(csv[3:]), separator=";")
    assert exported["Anteckning"].to_list() == ["'" + note]
    assert exported["Organisationsnummer"].to_list() == [ORG]
    workbook = pl.read_excel(io.BytesIO(downloads["uppfoljningslogg.xlsx"]()))
    assert workbook["Anteckning"].to_list() == ["'" + note]


def test_the_profile_shows_the_section_and_marks_contacts_on_the_trend_charts(sample_db, tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV, str(tmp_path / "followup.sqlite"))
    kept = store.open_store()
    log.append(kept, log.Entry(ORG, log.Status.NOT_CONTACTED), role="tsn", writer="a@tsn.example")
    log.append(
        kept,
        log.Entry(ORG, log.Status.CONTACTED, note="Samtal"),
        role="tsn",
        writer="a@tsn.example",
        now=datetime(2024, 3, 15, 12, tzinfo=UTC),
    )
    app = start(sample_db, monkeypatch, "profile", myndighet=ORG)
    assert "Uppföljning" in [s.value for s in app.header]
    assert list(table_with(app, "Anteckning")["Status"]) == ["Ej kontaktad", "Kontaktad"]
    sent = [c.proto.SerializeToString() for c in app.get("vega_lite_chart")]  # the spec and its data
    marked = [s for s in sent if "Kontakt från Trygghetsstiftelsen".encode() in s]
    assert len(marked) == 2  # the measure's trend and the handling time
    assert all(b"2024-03-15" in s and b"Ej kontaktad" not in s and b"Samtal" not in s for s in marked)
