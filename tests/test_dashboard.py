"""The dashboard starts on the sample database and on none, without an exception."""

from __future__ import annotations

import duckdb
from streamlit.testing.v1 import AppTest

from pipelines.settings import ROOT

APP = str(ROOT / "dashboard.py")


def test_shows_what_is_loaded(sample_db, monkeypatch):
    monkeypatch.setenv("LOM_DB", str(sample_db))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert app.title[0].value.startswith("Lokala omställningsmedel")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Myndigheter"] == "60"
    assert metrics["Myndighetsår med medel"] == "660"
    assert metrics["År"] == "2015–2025"
    assert len(app.dataframe) == 2


def test_without_a_database_it_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("LOM_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert "python -m pipelines bootstrap" in app.info[0].value


def test_a_database_with_outdated_measures_gets_a_message_not_a_traceback(sample_copy, monkeypatch):
    con = duckdb.connect(str(sample_copy))
    con.execute("drop table model_build")
    con.close()
    monkeypatch.setenv("LOM_DB", str(sample_copy))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert "python -m pipelines bootstrap" in app.error[0].value


def test_the_coverage_grid_tells_missing_from_zero(measures_db, monkeypatch):
    """Sparverket never reports applications (..); Luckverket has an application in 2024 but no
    funds (1*); Ensamverket reported none in 2024 between years with some (0)."""
    monkeypatch.setenv("LOM_DB", str(measures_db))
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    grid = app.dataframe[0].value.set_index("Myndighet")
    assert grid.loc["Sparverket", "2025"] == ".."
    assert grid.loc["Luckverket", "2024"] == "1*"
    assert grid.loc["Ensamverket", "2024"] == "0"
    assert grid.loc["Beviljarverket", "2023"] == "–"
