"""What the pages draw, tested on the builders themselves (frame in, table or chart out): a hidden figure
reads `..` in a table, the agency's scatter keeps every peer and names the viewer, one far outlier
does not squeeze the others, ticks are whole numbers, and the funnel keeps a width at 100 %."""

from __future__ import annotations

import polars as pl
import pytest

from lom.queries import overview, profile
from lom.queries.access import TSN
from lom.queries.connection import connect
from lom.ui import charts, scatter, tables
from lom.ui.tables import Column

from .conftest import rows


def test_a_column_holding_a_hidden_figure_is_drawn_as_text_and_others_keep_their_numbers():
    frame = pl.DataFrame(
        {
            "name": ["Myndighet KQX", "Myndighet BCD", "Egna verket"],
            "approval_rate": [None, None, 0.5],
            "utilisation": [0.25, None, 1.0],
            "hidden": [["approval_rate"], [], []],
        }
    )
    columns = [Column("name", "Myndighet"), Column("approval_rate", "Beviljandegrad", "percent"),
               Column("utilisation", "Nyttjandegrad", "percent")]  # fmt: skip
    drawn = tables.drawn_frame(frame, columns)
    assert drawn["Beviljandegrad"].to_list() == ["..", "–", "50\u00a0%"]  # hidden, missing, shown
    assert drawn["Nyttjandegrad"].dtype == pl.Float64  # no hidden figure: numbers, sorted as numbers
    assert drawn["Nyttjandegrad"].to_list() == [0.25, None, 1.0]  # the empty cell draws the placeholder '–'


def test_one_far_outlier_ends_the_axis_early_and_ticks_are_whole_numbers():
    assert charts.axis_limit([2, 3, 4, 5, 6, 40]) == 12  # twice the third quartile (6)
    assert charts.axis_limit([2, 3, 4, 5, 6, 7]) is None  # nothing far out: the whole range
    assert charts.axis_limit([0, 0, 0, 0, 9]) is None  # a quartile of 0 clips nothing
    assert charts.tick_values(3.2) == [0, 1, 2, 3]  # never 0, 0.5, 1 printed as "0 1 1"
    assert charts.tick_values(40) == [0, 5, 10, 15, 20, 25, 30, 35, 40]
    assert charts.tick_values(180) == [0, 50, 100, 150]


def peers_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": ["Egna verket", "Myndighet B", "Myndighet C", "Myndighet D", "Myndighet E", "Myndighet F",
                     "Myndighet G", "Myndighet H"],
            "is_self": [True, False, False, False, False, False, False, False],
            "applications_per_100_employees": [5.6, 2.0, None, None, 40.0, 3.0, 3.0, 4.0],
            "approval_rate": [0.91, None, 0.8, None, 1.0, None, 0.7, 0.75],
            "reserve_years_class": ["best", "middle", None, "worst", "middle", "question", "middle", "best"],
            "hidden": [[], ["approval_rate"], ["applications_per_100_employees"],
                       ["approval_rate", "applications_per_100_employees"], [], [], [], []],
        }
    )  # fmt: skip


def test_the_agencys_scatter_keeps_every_peer_and_moves_only_what_it_must():
    data, limit = scatter.placed(peers_frame())
    # F has no approval rate at all (missing, not hidden): left out; every other agency is drawn.
    assert "Myndighet F" not in data["name"].to_list() and data.height == 7
    assert limit == pytest.approx(11.2)  # E's 40 is more than 3 x the third quartile (5.6 of 2, 3, 4, 5.6, 40)
    by_name = {r["name"]: r for r in data.iter_rows(named=True)}
    assert by_name["Myndighet B"]["y_plot"] == scatter.HIDDEN_Y and by_name["Myndighet B"]["y_text"] == ".."
    assert by_name["Myndighet C"]["x_plot"] < 0 and by_name["Myndighet C"]["y_plot"] == pytest.approx(0.8)
    assert by_name["Myndighet D"]["in_strip"] and by_name["Myndighet D"]["x_text"] == ".."
    assert by_name["Myndighet E"]["clipped"] and by_name["Myndighet E"]["x_plot"] == pytest.approx(11.2)
    assert by_name["Egna verket"]["x_plot"] == pytest.approx(5.6) and not by_name["Egna verket"]["in_strip"]


def test_the_agencys_scatter_names_the_agency_itself_and_no_value_it_may_not_see():
    spec = scatter.peers(peers_frame(), charts.title("Titel", "Underlag")).to_dict()
    [values] = [d for d in spec["datasets"].values() if any("is_self" in v for v in d)]
    assert {v["name"] for v in values} >= {"Egna verket", "Myndighet B", "Myndighet C", "Myndighet D"}
    own = [v for v in values if v["is_self"]]
    assert [v["name"] for v in own] == ["Egna verket"]
    names = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"
             and layer.get("encoding", {}).get("text", {}).get("field") == "name"]  # fmt: skip
    assert names and names[0]["transform"] == [{"filter": "datum.is_self"}]
    # A hidden value is nowhere in the data: B's and D's rates and C's and D's applications are '..'.
    assert not [v for v in values if v["y_text"] == ".." and v["y_plot"] != scatter.HIDDEN_Y]
    assert "approval_rate" not in values[0] and "applications_per_100_employees" not in values[0]


def test_trygghetsstiftelsens_scatter_clips_the_outlier_of_the_sample(sample_db):
    """Åsmora fjärrverk's 40 applications per 100 employees (2025) sits at the axis' end with its value."""
    with connect(sample_db) as con:
        ranking = overview.agency_ranking(con, 2025, "sector", role=TSN)
    data, limit = scatter.placed(ranking)
    [(far,)] = rows(
        sample_db,
        "select a.name from applications p join agencies a using (org_nr) join fund_years f using (org_nr) "
        "where year(p.received_on) = 2025 and f.year = 2025 group by a.name, f.employees "
        "having 100.0 * count(*) / f.employees = 40",
    )
    assert limit is not None and limit < 40
    assert data.filter(pl.col("clipped"))["name"].to_list() == [far]


@pytest.mark.parametrize(("median", "decided", "low"), [(1.0, 20, 20 / (20 + 1.959963984540054**2)), (0.0, 20, 0.0)])
def test_the_funnel_keeps_a_width_at_a_median_of_100_or_0(sample_db, median, decided, low):
    with connect(sample_db) as con:
        band = profile.funnel_band(con, median, decided, role=TSN)
    assert band["decided"].min() == 1 and band["decided"].max() == decided
    row = band.filter(pl.col("decided") == decided).row(0, named=True)
    assert row["funnel_low"] == pytest.approx(low)
    assert row["funnel_high"] - row["funnel_low"] > 0.1  # a visible width, not a line
