"""The dashboard starts on the sample database and on none, without an exception."""

from __future__ import annotations

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
