"""Charts over years mark the 2024 change of the allocation rate, and totals say how many agencies
they cover: national and sector figures are sums over the agencies that reported, not the state."""

from __future__ import annotations

import json

import polars as pl
import pyarrow as pa
import pytest

from lom.queries import connection, data_status
from lom.queries.access import TSN
from lom.ui import charts
from lom.ui.pages.about import rate_change_example

from .conftest import rows
from .pages import open_page
from .test_access import login_app

# By hand from sql/schema/01_allocation_rates.sql: 0.30 % of payroll up to 2023, 0.20 % from 2024.
MARK = "2024: 0,3 → 0,2 % av lönesumman"


def test_the_rate_change_is_read_from_the_allocation_rates(sample_db):
    with connection.connect(sample_db) as con:
        rates = data_status.allocation_rates(con, role=TSN)
    assert charts.rate_changes(rates) == [(2024, "0,3 → 0,2 % av lönesumman")]
    # A chart over years without 2024 gets no rule: it would widen the axis.
    assert charts.rate_change_marks(rates, [2019, 2020, 2021]) == []
    assert len(charts.rate_change_marks(rates, [2023, 2024])) == 2
    assert charts.rate_changes(None) == [] and charts.rate_changes(rates.head(1)) == []
    # A third rate adds a second change; the same rate again adds none.
    more = pl.concat(
        [
            rates,
            pl.DataFrame({"first_year": [2030], "last_year": [None], "rate": [rates["rate"][-1]], "source": ["x"]}),
        ],
        how="vertical_relaxed",
    )
    assert [year for year, _ in charts.rate_changes(more)] == [2024]


def _layers(spec: dict) -> list[dict]:
    found = [spec]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            found += _layers(child)
    return found


def _over_years(spec: dict) -> bool:
    return any(
        (layer.get("encoding", {}).get("x") or {}).get("field") == "year" and layer.get("mark") not in ("rule", "text")
        for layer in _layers(spec)
    )


def _marked(spec: dict) -> bool:
    layers = _layers(spec)
    rule = any(
        (layer.get("mark") or {}).get("type") == "rule" for layer in layers if isinstance(layer.get("mark"), dict)
    )
    label = any((layer.get("encoding", {}).get("text") or {}).get("value") == MARK for layer in layers)
    return rule and label


def _datasets(chart) -> list[pl.DataFrame]:
    return [pl.from_arrow(pa.ipc.open_stream(d.data.data).read_all()) for d in chart.proto.datasets]


def charts_of(app) -> list:
    return list(app.get("vega_lite_chart"))


@pytest.mark.parametrize("who", ["tsn", "agency"])
def test_every_chart_over_years_marks_2024(sample_db, monkeypatch, roles, who):
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles[who]}, myndighet=roles["org_nr"])
    pages = ["trends", "profile", "watchlist"] if who == "tsn" else ["trends", "profile"]
    over_years = 0
    for page in pages:
        open_page(app, page).run()
        assert not app.exception, page
        for chart in charts_of(app):
            spec = json.loads(chart.proto.spec)
            if _over_years(spec):
                over_years += 1
                assert _marked(spec), (page, spec.get("title"))
            else:
                assert MARK not in chart.proto.spec  # the mark is for charts over years only
    # Trends: money and sectors; profile: a trend per measure and the projection; watchlist: projection.
    assert over_years >= (6 if who == "tsn" else 4)


def test_totals_name_their_count_of_reporting_agencies(sample_db, monkeypatch, roles):
    # Counted a second way: agencies with a funds row, per year, in the raw funds table.
    counted = dict(rows(sample_db, "select year, count(distinct org_nr) from fund_years group by year"))
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(app, "overview").run()
    year = max(counted)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Rapporterande myndigheter"] == str(counted[year])
    assert any(f"de {counted[year]} rapporterande myndigheterna {year}" in c.value for c in app.caption)

    open_page(app, "trends").run()
    assert app.header[0].value == "Alla rapporterande myndigheter"
    money = charts_of(app)[0]
    spec = json.loads(money.proto.spec)
    assert "rapporterande myndigheter" in spec["title"]["text"]
    assert "antalet rapporterande myndigheter" in spec["title"]["subtitle"]
    per_year = next(frame for frame in _datasets(money) if "agencies" in frame.columns)
    assert dict(per_year.select("year", "agencies").iter_rows()) == counted
    table = app.dataframe[0].value
    national = table[table["Område"] == "Alla rapporterande myndigheter"]
    assert dict(zip(national["År"], national["Rapporterande myndigheter"], strict=True)) == counted


def test_the_definitions_page_works_the_2024_change_through(sample_db, monkeypatch, roles):
    # By hand: 100 Mkr payroll sets aside 300 000 kr at 0.3 % and 200 000 kr at 0.2 %; 250 000 kr
    # spent is 83 % and then 125 %; 600 000 kr is 2.0 and then 3.0 years of allocation.
    text = rate_change_example(0.003, 0.002, 2024)
    for part in ("300 000 kr", "200 000 kr", "83 %", "125 %", "2,0 årsavsättningar", "3,0 efter", "2024"):
        assert part in text.replace("\u00a0", " "), part
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(app, "about").run()
    assert any(m.value.startswith("**Så påverkar ändringen 2024 måtten.**") for m in app.markdown)
