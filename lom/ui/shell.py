"""What every page shares: the viewer, the database, the filters kept in the URL, the data vintage.

lom/app.py builds a Context once per script run (sidebar filters included) and hands it to the
chosen page's function (lom/ui/navigation.py), which passes it, with the viewer's role, to lom/ui/pages/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import polars as pl
import streamlit as st

from lom.db import settings
from lom.db.keys import KeyProblem
from lom.db.models import ModelsOutdated
from lom.queries import data_status, overview
from lom.ui import format as fmt
from lom.ui.auth import Viewer
from lom.ui.data import TSN, Source, fetch

# Filters and the URL parameters that carry them, so that a view can be shared as a link.
PARAMS = {
    "year": "ar",
    "sector": "sektor",
    "group": "grupp",
    "agency": "myndighet",
    "reserve_limit": "saldograns",
    "utilisation_limit": "nyttjandegrans",
    "low_years": "ar_i_rad",
}
ALL_SECTORS = "Alla sektorer"
LINK_WORDS = {"year": "ett år", "sector": "en sektor", "group": "en jämförelsegrupp", "agency": "en myndighet"}
GROUP_LABELS = {"sector": "Samma sektor", "size": "Samma storleksklass", "similar": "Liknande myndigheter"}
# The peer group in running text: "jämförs med myndigheterna i samma sektor".
GROUP_PHRASES = {
    "sector": "myndigheterna i samma sektor",
    "size": "myndigheterna i samma storleksklass",
    "similar": "de mest liknande myndigheterna",
}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """Everything a page needs besides its own widgets."""

    viewer: Viewer
    source: Source | None
    years: list[int] = field(default_factory=list)
    year: int | None = None
    sector: str | None = None
    group: str = "sector"
    vintage: str = ""
    agencies: pl.DataFrame | None = None
    rates: pl.DataFrame | None = None  # the allocation rate by year, for the 2024 mark on charts

    def fetch(self, function: Callable[..., pl.DataFrame], *args) -> pl.DataFrame:
        """Run a query function on this context's database as its viewer."""
        return fetch(self.source, self.viewer.role, function, *args)

    def chart_key(self, name: str, *args) -> tuple:
        """What a chart of this context depends on, for ui.charts.show's cache."""
        version = None if self.source is None else (self.source.path, self.source.version)
        return (name, version, self.viewer.role, self.year, self.sector, self.group, *args)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def group_phrase(self) -> str:
        return GROUP_PHRASES[self.group]

    def agency_name(self, org_nr: str) -> str:
        names = self.agencies.filter(pl.col("org_nr") == org_nr)["name"]
        return names[0] if len(names) else org_nr


# --- filters in the URL ---------------------------------------------------------------------


def seed(key: str, default, parse: Callable[[str], object | None], what: str | None = None) -> None:
    """Give the widget `key` its value before it is drawn: from the URL when the URL holds a
    value the app did not write itself (a shared link, a click that opens a page), else the
    value it had, else the default. A value the URL cannot hold is not used, and the user is
    told (`what` names it), without repeating the value itself."""
    url = st.query_params.get(PARAMS[key])
    if url is not None and url != st.session_state.get(f"_url_{key}"):
        value = _parsed(parse, url)
        if value is not None:
            st.session_state[key] = value
        else:
            st.session_state[f"_url_{key}"] = url  # told once, not at every rerun
            st.warning(
                f"Länken anger {what or LINK_WORDS[key]} som inte finns i underlaget; sidan visar i stället "
                "det som är valt nedan.",
                icon=":material/link_off:",
            )
    if key not in st.session_state:
        kept = st.session_state.get(f"_kept_{key}")
        st.session_state[key] = kept if kept is not None else default


def _parsed(parse: Callable[[str], object | None], text: str):
    try:
        return parse(text)
    except (ValueError, TypeError):
        return None


def keep(key: str, value, shown: str | None) -> None:
    """Remember a filter's value across pages and write it into the URL (None leaves it out)."""
    st.session_state[f"_kept_{key}"] = value
    name = PARAMS[key]
    if shown is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != shown:
        st.query_params[name] = shown
    st.session_state[f"_url_{key}"] = shown


def one_of(options) -> Callable[[str], object | None]:
    """A parser that accepts only the given options (compared as text)."""
    by_text = {str(option): option for option in options}
    return by_text.get


def one_of_numbers(options) -> Callable[[str], object | None]:
    """A parser of numbers (decimal point or comma) that accepts only the given options."""
    allowed = set(options)

    def parse(text: str):
        value = float(text.replace(",", "."))
        return next((option for option in allowed if option == value), None)

    return parse


# --- the frame of every page -----------------------------------------------------------------


def build_context(viewer: Viewer) -> Context:
    """Draw the sidebar filters and return the context of this run."""
    source = Source.of(settings.db_path())
    if source is None:
        return Context(viewer, None)
    years_frame = fetch(source, viewer.role, overview.years)
    years = [int(y) for y in years_frame.filter(pl.col("agencies_with_funds") > 0)["year"]]
    agencies = fetch(source, viewer.role, overview.agencies)
    vintage = vintage_text(fetch(source, viewer.role, data_status.data_vintage))
    rates = fetch(source, viewer.role, data_status.allocation_rates)
    if not years:
        return Context(viewer, source, vintage=vintage, agencies=agencies, rates=rates)

    sidebar = st.sidebar
    seed("year", years[0], one_of(years))
    if st.session_state["year"] not in years:
        st.session_state["year"] = years[0]
    year = sidebar.selectbox("År", years, key="year", help="Året som siffrorna avser.")
    keep("year", year, str(year))

    sector = ALL_SECTORS
    if viewer.is_tsn:  # an agency sees itself and its peer group, not a sector's list
        sectors = [ALL_SECTORS, *sorted(set(agencies["sector"].drop_nulls()), key=swedish_key)]
        seed("sector", ALL_SECTORS, one_of(sectors))
        sector = sidebar.selectbox("Sektor", sectors, key="sector")
        keep("sector", sector, None if sector == ALL_SECTORS else sector)

    seed("group", "sector", one_of(GROUP_LABELS))
    group = sidebar.selectbox(
        "Jämförelsegrupp",
        list(GROUP_LABELS),
        format_func=GROUP_LABELS.get,
        key="group",
        help="Myndigheterna som en myndighet jämförs med. Se Om måtten.",
    )
    keep("group", group, group)
    return Context(
        viewer,
        source,
        years=years,
        year=year,
        sector=None if sector == ALL_SECTORS else sector,
        group=group,
        vintage=vintage,
        agencies=agencies,
        rates=rates,
    )


def demo_agencies() -> list[tuple[str, str]]:
    """The agencies the local demo switch offers, as (org_nr, name); none without a database."""
    source = Source.of(settings.db_path())
    if source is None:
        return []
    try:
        frame = fetch(source, TSN, overview.agencies)
    except (FileNotFoundError, ModelsOutdated, duckdb.Error):
        return []  # the page guard tells what is wrong
    return list(zip(frame["org_nr"], frame["name"], strict=True))


def vintage_text(vintage: pl.DataFrame) -> str:
    """Say what the figures rest on: years covered, agencies, the last load, corrections."""
    if vintage.is_empty() or vintage["last_loaded_at"][0] is None:
        return "Underlag: inget inläst ännu."
    row = vintage.row(0, named=True)

    def span(first, last):
        return "–" if first is None else (str(first) if first == last else f"{first}–{last}")

    text = (
        f"Underlag: medel {span(row['first_funds_year'], row['last_funds_year'])}, "
        f"ansökningar {span(row['first_applications_year'], row['last_applications_year'])}, "
        f"{fmt.number(row['agencies'])} myndigheter; senast inläst {fmt.moment(row['last_loaded_at'])}"
    )
    if row["corrected_slices"]:
        text += (
            f"; {fmt.number(row['corrected_slices'])} rättade leveranser, senast {fmt.day(row['last_corrected_at'])}"
        )
    return text + "."


def swedish_key(text: str) -> tuple:
    """Sort key for Swedish order: å, ä, ö after z, case ignored."""
    order = {"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"}
    return tuple(order.get(c, c) for c in text.lower())


@contextmanager
def page_guard():
    """Turn the states a user can meet into Swedish messages instead of tracebacks."""
    try:
        yield
    except ModelsOutdated as outdated:
        st.error(f"Måtten kan inte visas: {outdated}.")
    except FileNotFoundError:
        st.info(NO_DATABASE)
    except KeyProblem as problem:
        logger.error("the pseudonym key cannot be read")
        st.error(f"Jämförelsegruppens kodnamn kan inte visas: {problem}.")
    except duckdb.Error as failure:
        logger.error("the database could not be read: %s", type(failure).__name__)
        st.error(
            "Databasen kunde inte läsas. Kontrollera att LOM_DB pekar på en databas som pipelines har "
            "byggt, eller bygg om den med `python -m pipelines bootstrap`."
        )


NO_DATABASE = (
    "Det finns ingen databas ännu. Bygg den av exempeldata med `python -m pipelines bootstrap`, "
    "eller läs in egna filer under Data och inläsning."
)


def require_data(context: Context) -> bool:
    """Say why a page has nothing to show when there is no database or no year with funds."""
    if context.source is None:
        st.info(NO_DATABASE)
        return False
    if not context.years:
        st.info("Databasen har inga medel inlästa ännu. Läs in filer under Data och inläsning.")
        return False
    return True


def caption_vintage(context: Context) -> None:
    st.caption(context.vintage)


def open_profile(org_nr: str) -> None:
    """Open an agency's profile, keeping the other filters of the link."""
    from lom.ui import navigation  # the pages import this module

    params = {k: v for k, v in st.query_params.to_dict().items() if k != PARAMS["agency"]}
    profile = navigation.page(navigation.BY_NAME["profile"], lambda: None)
    st.switch_page(profile, query_params={**params, PARAMS["agency"]: org_nr})


def sector_filter(frame: pl.DataFrame, context: Context) -> pl.DataFrame:
    """Keep the rows of the chosen sector, if one is chosen."""
    return frame if context.sector is None else frame.filter(pl.col("sector") == context.sector)


def where(context: Context) -> str:
    """Say which agencies a view covers: all, or one sector."""
    return "alla myndigheter" if context.sector is None else context.sector.lower()
