"""Every agency of the sample, logged in as itself (AppTest with `user` and `secrets`), sees every
figure of its own on its profile, equal to what is counted here from the raw tables, and no table an
agency sees draws an empty cell as "None": a hidden figure reads `..`, a missing one `–`.

What the data grid draws is decided here from what the browser gets (tests/test_browser.py looks at
the pixels): an empty cell draws the table's placeholder (Streamlit's default is "None"), any other
cell the text the Styler gives it, else its value.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from lom.queries import overview
from lom.queries.connection import connect
from lom.ui import auth
from lom.ui import format as fmt
from lom.ui.pages.overview import PEER_COLUMNS

from .conftest import rows
from .pages import open_page
from .test_access import login_app

PAGES = ["overview", "profile", "trends", "about"]
EMPTY = {"None", "none", "nan", "NaN", "NaT", "<NA>", "null", ""}


def drawn(element) -> pd.DataFrame:
    """The text the data grid draws in each cell of an st.dataframe element."""
    data = element.value.reset_index(drop=True)
    styled = element.proto.arrow_data.styler.display_values
    display = dataframe_util.convert_arrow_bytes_to_pandas_df(styled).reset_index(drop=True) if styled else None
    placeholder = element.proto.placeholder if element.proto.HasField("placeholder") else "None"
    cells = {}
    for column in data.columns:
        texts = []
        for row, value in enumerate(data[column]):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                texts.append(placeholder)
            elif display is not None and isinstance(display.at[row, column], str) and display.at[row, column]:
                texts.append(display.at[row, column])
            else:
                texts.append(str(value))
        cells[column] = texts
    return pd.DataFrame(cells)


def figures_from_the_raw_tables(db) -> dict[str, dict]:
    """Per agency, 2025: approval rate, applications per 100 employees and closing balance, counted here."""
    found = rows(
        db,
        """
        with apps as (
            select
                org_nr,
                min(year(received_on)) as first_year,
                count(*) filter (where year(received_on) = 2025) as received,
                count(*) filter (where year(received_on) = 2025 and decision in ('beviljad', 'delvis beviljad'))
                    as granted,
                count(*) filter (
                    where year(received_on) = 2025 and decision in ('beviljad', 'delvis beviljad', 'avslag')
                ) as decided
            from applications
            group by org_nr
        )
        select f.org_nr, f.closing_balance_sek, f.employees, a.first_year, a.received, a.granted, a.decided
        from fund_years as f
        left join apps as a on a.org_nr = f.org_nr
        where f.year = 2025
        """,
    )
    expected = {}
    for org_nr, closing, employees, first_year, received, granted, decided in found:
        reports = first_year is not None and first_year <= 2025  # from its first year, a year without is 0
        expected[org_nr] = {
            "closing": int(closing),
            "approval_rate": granted / decided if reports and decided else None,
            "per_100": 100 * received / employees if reports and employees else None,
        }
    return expected


def same(found, expected) -> bool:
    """A table's number against one counted here; a missing figure (None) is an empty cell."""
    if expected is None:
        return found is None or math.isnan(found)
    return found == pytest.approx(expected)


def card(app: AppTest, label: str) -> str:
    """The value of a profile card: the markdown after its bold label."""
    texts = [m.value for m in app.markdown]
    return texts[texts.index(f"**{label}**") + 1].removeprefix("### ")


def table(app: AppTest, *columns: str):
    return next(d for d in app.dataframe if set(columns) <= set(d.value.columns))


@pytest.fixture
def every_agency(sample_db, tmp_path, monkeypatch) -> dict[str, str]:
    """A roles file with one user for each agency of the sample: address -> org_nr."""
    users = {f"lom@{org_nr}.example": org_nr for (org_nr,) in rows(sample_db, "select org_nr from agencies")}
    path = tmp_path / "roles.toml"
    path.write_text("[roles]\n" + "".join(f'"{u}" = "{o}"\n' for u, o in users.items()), encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE, str(path))
    return users


@pytest.mark.slow
def test_every_agency_sees_every_figure_of_its_own_and_no_table_draws_none(sample_db, monkeypatch, every_agency):
    expected = figures_from_the_raw_tables(sample_db)
    assert len(expected) == 60 == len(every_agency)
    # In the sample, 29 agencies' own 2025 approval rate rests on 1-4 persons; they see it all the same.
    assert sum(1 for (small,) in rows(sample_db, SMALL_2025) if small) == 29
    peers_hidden = 0
    for user, org_nr in sorted(every_agency.items()):
        mine = expected[org_nr]
        app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": user})
        for page in PAGES:
            open_page(app, page).run()
            assert not app.exception, (org_nr, page, [e.value for e in app.exception])
            for element in app.dataframe:
                cells = drawn(element)
                assert not cells.isin(EMPTY).any().any(), (org_nr, page, list(cells.columns))
            if page == "overview":
                peers_hidden += hidden_as_in_the_query_layer(app, sample_db, org_nr)
            if page != "profile":
                continue
            assert card(app, "Beviljandegrad") == fmt.percent(mine["approval_rate"]), org_nr
            assert card(app, "Ansökningar per 100 anställda") == fmt.number(mine["per_100"], 1), org_nr
            metrics = {m.label: m.value for m in app.metric}
            assert metrics["Utgående saldo"] == fmt.kronor(mine["closing"]), org_nr
            years = table(app, "År", "Utgående saldo", "Beviljandegrad")
            this_year = years.value[years.value["År"] == 2025].iloc[0]
            assert this_year["Utgående saldo"] == mine["closing"]
            assert same(this_year["Beviljandegrad"], mine["approval_rate"]), org_nr
            assert same(this_year["Ansökningar per 100 anställda"], mine["per_100"]), org_nr
            # Nothing of its own reads `..`: no card, no figure, no cell of its own tables.
            assert not [m.value for m in app.markdown if m.value.startswith("### ") and ".." in m.value]
            assert ".." not in metrics.values()
            for own in (years, table(app, "År", "Medel inlästa")):
                assert not drawn(own).isin([".."]).any().any(), org_nr
    assert peers_hidden > 0  # the peers' small figures are hidden, and the test saw them


SMALL_2025 = """
    select bool_or(n between 1 and 4)
    from (
        select org_nr, decision in ('beviljad', 'delvis beviljad') as granted, count(*) as n
        from applications
        where year(received_on) = 2025 and decision in ('beviljad', 'delvis beviljad', 'avslag')
        group by all
    )
    group by org_nr
"""


def hidden_as_in_the_query_layer(app: AppTest, db, org_nr: str) -> int:
    """The peers table draws `..` exactly where the query layer hid a figure; return how many."""
    ranking = next((d for d in app.dataframe if "Myndighet" in d.value.columns), None)
    if ranking is None:  # a peer group with fewer than 5 other agencies: no table
        return 0
    with connect(db) as con:
        frame = overview.agency_ranking(con, 2025, "sector", role=org_nr)
    labels = {c.source: c.label for c in PEER_COLUMNS}
    expected = {(r["name"], labels[c]) for r in frame.iter_rows(named=True) for c in r["hidden"] if c in labels}
    cells = drawn(ranking)
    shown = {
        (cells.at[i, "Myndighet"], column)
        for column in cells.columns
        for i in range(len(cells))
        if cells.at[i, column] == ".."
    }
    assert shown == expected, org_nr
    own_row = cells[cells["Myndighet"] == frame.filter(frame["is_self"])["name"][0]]
    assert not own_row.isin([".."]).any().any(), org_nr
    return len(shown)
