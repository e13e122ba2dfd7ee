"""Each measure's name, unit and direction is defined once, in config/measures.toml: the file is
checked whole, the database's kpi_definitions is built from it, the pages show its names, and a
changed file outdates a built database until it is rebuilt."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lom import resources
from lom.db import measures, models
from lom.db.measures import Direction, MeasuresFileError, Unit
from lom.queries.connection import connect
from lom.ui import format as fmt
from lom.ui import tables
from lom.ui.pages import overview, trends

from .conftest import rows, run_cli
from .pages import open_page
from .paths import ROOT

APP = str(ROOT / "dashboard.py")
GOOD = """
[[measure]]
key = "utilisation"
label = "Nyttjandegrad"
unit = "andel"
direction = "higher_better"
compared = true
definition = "Nyttjat under året delat med årets avsättning."
"""


@pytest.fixture(autouse=True)
def fresh_digest():
    """Tests that point at another measures file leave no digest of theirs behind."""
    models.digest.cache_clear()
    yield
    models.digest.cache_clear()


def measures_file(tmp_path, text: str, name: str = "measures.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_holds_every_measure_once_typed():
    found = measures.read(resources.measures_file())
    assert [m.key for m in found] == [
        "allocated_sek",
        "spent_sek",
        "utilisation",
        "closing_balance_sek",
        "reserve_years",
        "applications_per_100_employees",
        "approval_rate",
        "granted_per_employee_sek",
        "median_handling_days",
        "measure_mix",
    ]
    reserve = measures.measure("reserve_years")
    assert (reserve.label, reserve.unit, reserve.direction, reserve.compared) == (
        "Saldo i årsavsättningar",
        Unit.YEARS,
        Direction.LOWER_BETTER,
        True,
    )
    assert measures.measure("approval_rate").neutral
    assert all(m.definition.endswith(".") and "  " not in m.definition for m in found)


def test_a_good_literal_file_reads_as_written(tmp_path):
    [only] = measures.read(measures_file(tmp_path, GOOD))
    assert only == measures.Measure(
        "utilisation",
        "Nyttjandegrad",
        Unit.SHARE,
        Direction.HIGHER_BETTER,
        True,
        "Nyttjat under året delat med årets avsättning.",
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (GOOD.replace('"andel"', '"procent"'), "measure 1 (utilisation): unknown unit 'procent'; known: kr, andel"),
        (
            GOOD.replace('"higher_better"', '"up"'),
            "measure 1 (utilisation): unknown direction 'up'; known: higher_better, lower_better, neutral",
        ),
        (GOOD + GOOD.replace("Nyttjandegrad", "Nyttjande"), "measure 2: key 'utilisation' is given twice"),
        (GOOD.replace('unit = "andel"\n', ""), "measure 1: missing unit"),
        (GOOD.replace('label = "Nyttjandegrad"\n', ""), "measure 1: missing label"),
        (GOOD.replace("compared = true\n", "").replace('label = "Nyttjandegrad"\n', ""), "missing label, compared"),
        (GOOD + 'colour = "green"\n', "measure 1 (utilisation): unknown field colour"),
        (GOOD.replace("compared = true", 'compared = "ja"'), "(utilisation): compared must be true or false"),
        (GOOD.replace('"Nyttjandegrad"', '"  "'), "(utilisation): label must be non-empty text"),
        (GOOD.replace('key = "utilisation"', 'key = "Nyttjande grad"'), "a key is lower-case letters, digits and _"),
        (GOOD.replace("[[measure]]", "[measure]"), "expected one or more [[measure]] entries and nothing else"),
        ("", "expected one or more [[measure]] entries and nothing else"),
        (GOOD + "[units]\nkr = 1\n", "expected one or more [[measure]] entries and nothing else"),
        (GOOD.replace('unit = "andel"', "unit = andel"), "measures.toml: not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry_and_the_fault(tmp_path, text, says):
    with pytest.raises(MeasuresFileError) as refused:
        measures.read(measures_file(tmp_path, text))
    assert says in str(refused.value)
    assert str(refused.value).startswith("measures.toml")


def test_the_database_s_definitions_are_the_file_s(sample_db):
    """kpi_definitions holds the file's measures, in its order, with nothing added or left out."""
    expected = [
        (m.key, number, m.label, str(m.unit), str(m.direction), m.compared, m.definition)
        for number, m in enumerate(measures.definitions(), start=1)
    ]
    assert rows(sample_db, "select * from kpi_definitions order by sort_order") == expected


def test_the_measures_compared_in_sql_are_the_file_s_compared_measures_and_each_key_is_a_measure(sample_db):
    """kpi_values unpivots the compared measures: the same set as the file's `compared`; every key
    of the file is a column of agency_year_kpis or a mart of its own (agency_year_measure_mix)."""
    compared = sorted((m.key,) for m in measures.definitions() if m.compared)
    assert rows(sample_db, "select distinct kpi from kpi_values order by kpi") == compared
    assert rows(sample_db, "select distinct kpi from peer_positions order by kpi") == compared
    columns = {name for (name,) in rows(sample_db, "select column_name from (describe agency_year_kpis)")}
    relations = {name for (name,) in rows(sample_db, "select table_name from information_schema.tables")}
    for m in measures.definitions():
        assert m.key in columns or f"agency_year_{m.key}" in relations, m.key


def test_the_directions_the_peer_positions_use_are_the_file_s(sample_db):
    """A measure where lower is better puts its highest values in the worst quarter, and the
    neutral approval rate is placed high or low, never judged."""
    classes = dict(
        rows(
            sample_db,
            "select kpi, list(distinct quartile_class order by quartile_class) from peer_positions group by kpi",
        )
    )
    for m in measures.definitions():
        if m.compared and m.neutral:
            assert set(classes[m.key]) <= {"high", "middle", "low", None}, m.key
        elif m.compared:
            assert set(classes[m.key]) <= {"best", "middle", "worst", "question", None}, m.key
            assert {"best", "worst"} <= set(classes[m.key]), m.key
    [(lowest_class,)] = rows(
        sample_db,
        "select quartile_class from peer_positions where kpi = 'reserve_years' and quartile_class is not null "
        "and quartile_class <> 'question' order by value limit 1",
    )
    assert lowest_class == "best"  # reserve_years: lower is better, as the file says


def test_the_pages_and_tables_show_the_file_s_labels_and_units():
    assert [c.label for c in overview.RANKING_COLUMNS if c.source in overview.RANK_BY] == [
        "Outnyttjade medel",
        "Saldo i årsavsättningar",
        "Nyttjandegrad",
        "Ansökningar per 100 anställda",
        "Beviljandegrad",
        "Handläggningstid (dagar)",  # a table shows days as bare numbers: the header says the unit
    ]
    for column in [*overview.RANKING_COLUMNS, *trends.COLUMNS]:
        if column.source in {m.key for m in measures.definitions()}:
            assert column == tables.measure_column(column.source, column.help)
            assert column.label.startswith(measures.label(column.source))
    assert fmt.titled("granted_per_employee_sek") == "Beviljat per anställd (kr)"  # an axis's numbers are bare
    assert fmt.axis_format("approval_rate") == ".0%" and fmt.by_measure(0.453, "approval_rate") == "45\u00a0%"
    assert fmt.by_measure(3.04, "reserve_years") == "3,0\u00a0årsavsättningar"  # "3,0 år" reads as a duration


def test_a_page_shows_the_label_the_file_gives(sample_db, monkeypatch):
    """Utveckling offers the measures by the file's names; Översikt ranks by them."""
    monkeypatch.setenv("LOM_DB", str(sample_db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    open_page(app, "trends").run()
    assert not app.exception, [e.value for e in app.exception]
    options = app.selectbox(key="trend_measure").options
    assert options == [fmt.titled(key) for key in trends.MEASURES]
    assert options[0] == measures.label("utilisation") == "Nyttjandegrad"
    open_page(app, "overview").run()
    assert app.selectbox(key="rank_by").options == [measures.label(key) for key in overview.RANK_BY]
    ranking = app.dataframe[0].value
    assert {measures.label("reserve_years"), measures.label("utilisation")} <= set(ranking.columns)


def test_a_changed_file_outdates_the_database_until_a_rebuild_takes_its_labels(
    sample_copy, tmp_path, monkeypatch, capsys
):
    """One edit of the file reaches the database (refused until rebuilt, then built with it) and the
    pages (Om måtten's table from the database, Utveckling's choice from the file)."""
    original = resources.measures_file().read_text(encoding="utf-8")
    assert original.count('label = "Nyttjandegrad"') == 1
    changed = measures_file(tmp_path, original.replace('label = "Nyttjandegrad"', 'label = "Nyttjandegrad i år"'))
    monkeypatch.setattr(resources, "measures_file", lambda: changed)
    models.digest.cache_clear()

    with pytest.raises(models.ModelsOutdated), connect(sample_copy):
        pass
    code, output = run_cli(capsys, "bootstrap", "--db", sample_copy)
    assert (code, "måtten är ombyggda" in output) == (0, True)
    assert rows(sample_copy, "select label_sv from kpi_definitions where kpi = 'utilisation'") == [
        ("Nyttjandegrad i år",)
    ]
    with connect(sample_copy) as con:
        assert models.is_current(con)

    monkeypatch.setenv("LOM_DB", str(sample_copy))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    open_page(app, "about").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Nyttjandegrad i år" in set(app.dataframe[0].value["Mått"])
    open_page(app, "trends").run()
    assert "Nyttjandegrad i år" in app.selectbox(key="trend_measure").options


def test_comments_and_spacing_in_the_file_do_not_outdate_a_database(sample_copy, tmp_path, monkeypatch):
    original = resources.measures_file().read_text(encoding="utf-8")
    respaced = measures_file(tmp_path, "# another comment\n" + original.replace("\n[[measure]]", "\n\n\n[[measure]]"))
    monkeypatch.setattr(resources, "measures_file", lambda: respaced)
    models.digest.cache_clear()
    with connect(sample_copy) as con:
        assert models.is_current(con)
