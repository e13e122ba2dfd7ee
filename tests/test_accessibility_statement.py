"""The accessibility statement (Tillgänglighetsredogörelse) as every role meets it: in the navigation
after Om måtten, one title, Digg's sections as headings in order, the dates, where to report and the
link to Digg's report form; with or without a database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1.element_tree import HeadingBase

from lom.ui import navigation
from lom.ui.pages import accessibility

from .pages import open_page
from .test_access import login_app
from .test_dashboard import start


def headings(app) -> list[tuple[str, str]]:
    """The page's headings in the order they are drawn, as (tag, text)."""
    return [(node.tag, node.value) for node in app.main if isinstance(node, HeadingBase)]


def text(app) -> str:
    return "\n".join(m.value for m in app.main.markdown)


def test_the_statement_is_the_last_page_and_open_to_every_role():
    spec = navigation.PAGES[-1]
    assert spec.module is accessibility and navigation.PAGES[-2].name == "about"
    assert (spec.title, spec.url_path, spec.icon) == (
        "Tillgänglighetsredogörelse",
        "tillganglighet",
        ":material/accessibility:",
    )
    assert not spec.tsn_only


@pytest.mark.parametrize("who", ["tsn", "agency"])
def test_every_role_reads_the_statement_with_digg_s_sections(sample_db, monkeypatch, roles, who):
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles[who]})
    open_page(app, "accessibility").run()  # refused if the role's navigation does not offer it
    assert not app.exception, [e.value for e in app.exception]
    assert [t.value for t in app.title] == ["Tillgänglighetsredogörelse"]
    assert headings(app) == [("h1", "Tillgänglighetsredogörelse")] + [("h2", s) for s in accessibility.SECTIONS]
    assert [h.value for h in app.header] == [
        "Hur tillgänglig är webbplatsen?",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat webbplatsen",
        "Rapportera brister i webbplatsens tillgänglighet",
        "Tillsyn",
    ]
    shown = text(app)
    assert "Trygghetsstiftelsen står bakom tjänsten" in shown
    assert "delvis förenlig" in shown and "lagen (2018:1937) om tillgänglighet till digital offentlig service" in shown
    assert "WCAG 2.1 på nivå AA" in shown
    assert "Den senaste bedömningen gjordes 2026-12-03." in shown
    assert "Myndigheten för digital förvaltning (Digg)" in shown
    assert "(https://www.digg.se/tdosanmalan)" in shown  # a link to Digg's report form


def test_reports_go_to_the_address_set_else_to_trygghetsstiftelsens_website(sample_db, monkeypatch, roles):
    monkeypatch.delenv(accessibility.CONTACT_ENV, raising=False)
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(app, "accessibility").run()
    website = "kontakta Trygghetsstiftelsen via Trygghetsstiftelsens webbplats [www.tsn.se](https://www.tsn.se)"
    assert website in text(app) and "mailto:" not in text(app)

    monkeypatch.setenv(accessibility.CONTACT_ENV, " tillganglighet@tsn.example ")
    app.run()
    email = "kontakta Trygghetsstiftelsen på [tillganglighet@tsn.example](mailto:tillganglighet@tsn.example)"
    assert email in text(app) and "www.tsn.se" not in text(app)


@pytest.mark.parametrize("value", ["", "Trygghetsstiftelsen", "a@b", "a b@tsn.example", "x@tsn.example)[y](http://z"])
def test_what_is_no_address_is_not_offered_as_one(monkeypatch, value):
    monkeypatch.setenv(accessibility.CONTACT_ENV, value)
    assert accessibility.contact_email() is None


def test_without_a_database_the_statement_is_still_there(tmp_path, monkeypatch):
    app = start(tmp_path / "none.duckdb", monkeypatch, "accessibility")
    assert [t.value for t in app.title] == ["Tillgänglighetsredogörelse"]
    assert [h.value for h in app.header] == list(accessibility.SECTIONS)
    assert not app.info  # nothing about a missing database: the statement needs none
