"""Översikt: the national figures of a year, the agencies ranked, and applications against approvals."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from lom.db import measures
from lom.queries import disclosure, overview
from lom.ui import charts, reports, shell, tables
from lom.ui import format as fmt
from lom.ui import scatter as plots
from lom.ui.tables import Column, measure_column

# The measures the agencies can be ranked by, named by config/measures.toml.
RANK_BY = [
    "reserve_years",
    "closing_balance_sek",
    "utilisation",
    "applications_per_100_employees",
    "approval_rate",
    "median_handling_days",
]

RANKING_COLUMNS = [
    Column("name", "Myndighet"),
    Column("sector", "Sektor"),
    Column("size_class_label", "Storlek", help="Storleksklass efter antal anställda"),
    measure_column("closing_balance_sek", "Utgående saldo vid årets slut"),
    measure_column("reserve_years", "Utgående saldo / årets avsättning"),
    Column("reserve_years_class", "Läge saldo", "class"),
    measure_column("utilisation", "Nyttjat / årets avsättning"),
    Column("utilisation_class", "Läge nyttjande", "class"),
    measure_column("applications_per_100_employees"),
    measure_column("approval_rate", "(Beviljade + delvis beviljade) / beslutade"),
    measure_column("median_handling_days", "Median, dagar från ansökan till beslut"),
    Column("org_nr", "Organisationsnummer"),
]
# An agency sees itself and its peers under pseudonyms, as ratios: no kronor, sector, size or org_nr.
PEER_COLUMNS = [
    Column("name", "Myndighet", help="Din myndighet med namn, de andra under kodnamn"),
    *(c for c in RANKING_COLUMNS if c.kind not in ("text", "kronor")),
]


def render(context: shell.Context) -> None:
    st.title(f"Översikt {context.year or ''}".strip())
    if not shell.require_data(context):
        return
    shell.caption_vintage(context)
    year = context.year
    summary = context.fetch(overview.national_summary, year)
    if summary.is_empty():
        st.info(f"Det finns inga siffror för {year}.")
        return
    key_figures(summary.row(0, named=True))
    reports.national_button(context)  # Trygghetsstiftelsen only

    ranking = shell.sector_filter(context.fetch(overview.agency_ranking, year, context.group), context)
    if ranking.is_empty():
        st.info(f"Inga myndigheter i {shell.where(context)} har medel för {year}.")
        return
    if not context.viewer.is_tsn:
        peers(ranking, context)
        return
    st.header(f"Myndigheterna {year}, rangordnade")
    chosen = st.selectbox("Rangordna efter", RANK_BY, format_func=measures.label, key="rank_by")
    descending = worst_first(chosen)
    ranking = ranking.sort(chosen, descending=descending, nulls_last=True)
    st.caption(
        f"{fmt.number(ranking.height)} myndigheter ({shell.where(context)}), "
        f"sorterade efter {measures.label(chosen).lower()}, "
        f"{'högst' if descending else 'lägst'} först. Läget jämförs med {context.group_phrase}. "
        f"{charts.CLASS_CAVEAT} Klicka på en rad för att öppna myndighetens profil (med tangentbordet: gå till "
        "raden med piltangenterna och tryck Skift+Mellanslag)."
    )
    picked = tables.show(
        ranking,
        RANKING_COLUMNS,
        key=f"ranking-{year}-{context.sector}-{context.group}-{chosen}",  # a new table, a new choice
        file_stem=f"myndigheter_{year}",
        selectable=True,
        height=420,
    )
    if picked is not None:
        shell.open_profile(ranking["org_nr"][picked])

    st.header(f"Ansökningar och beviljandegrad {year}")
    event = charts.show(
        lambda: scatter(ranking, context),
        context.chart_key("scatter"),
        scatter_description(ranking, context),
        on_select="rerun",
        key="scatter",
        width="stretch",
    )
    points = (event.get("selection") or {}).get("pick") or []
    if points and points[0].get("org_nr"):
        shell.open_profile(points[0]["org_nr"])
    st.caption(
        "Varje punkt är en myndighet; punktens storlek visar outnyttjade medel och formen och färgen läget "
        f"för saldot jämfört med {context.group_phrase}. Klicka på en punkt för att öppna profilen. "
        + scatter_note(ranking)
    )


def peers(ranking: pl.DataFrame, context: shell.Context) -> None:
    """An agency's view: itself beside its peer group, the peers under pseudonyms."""
    year = context.year
    st.header(f"Din myndighet bland {context.group_phrase}, {year}")
    if ranking.height - 1 < disclosure.MIN_OTHER_AGENCIES:
        st.info(
            f"Jämförelsegruppen har färre än {disclosure.MIN_OTHER_AGENCIES} andra myndigheter {year}, "
            "så den visas inte. Välj en annan jämförelsegrupp i sidopanelen."
        )
        return
    options = [k for k in RANK_BY if k != "closing_balance_sek"]
    chosen = st.selectbox("Rangordna efter", options, format_func=measures.label, key="rank_by")
    ranking = ranking.sort(chosen, "name", descending=[worst_first(chosen), False], nulls_last=True)
    st.caption(
        f"{fmt.number(ranking.height - 1)} andra myndigheter under kodnamn, "
        f"sorterade efter {measures.label(chosen).lower()}. "
        "Kodnamnen är dina egna: samma myndighet har samma kodnamn varje gång du tittar, men ett annat för andra "
        f"användare. {HIDDEN_NOTE} {charts.CLASS_CAVEAT}"
    )
    tables.show(ranking, PEER_COLUMNS, key=f"peers-{year}-{context.group}-{chosen}", file_stem=f"jamforelse_{year}")
    st.header(f"Ansökningar och beviljandegrad {year}")
    charts.show(
        lambda: scatter(ranking, context),
        context.chart_key("scatter"),
        scatter_description(ranking, context),
        width="stretch",
    )
    st.caption(
        "Varje punkt är en myndighet i jämförelsegruppen; din myndighet är den stora, svartkantade punkten med "
        "namn. Formen och färgen visar läget för saldot. En myndighet vars beviljandegrad eller ansökningar är "
        f"dolda (..) står som ofylld punkt i remsan vid axeln. {scatter_note(ranking)}"
    )


def worst_first(key: str) -> bool:
    """Whether a ranking by the measure puts its highest value first: so where lower is better, so that
    the agencies to look at come first; a measure where higher is better, or neutral, lowest first."""
    return measures.measure(key).direction is measures.Direction.LOWER_BETTER


HIDDEN_NOTE = (
    "Tal som bygger på 1–4 ansökningar eller beslut, eller på färre än 5 andra myndigheter, och det som skulle "
    "avslöja dem, visas som .. (som hos SCB och Kolada)."
)


def key_figures(row: dict) -> None:
    """The national figures of the year with the change from the year before."""
    hidden = set(row.get("hidden") or [])

    def change(column: str, shown) -> str | None:
        now, before = row[column], row[f"previous_{column}"]
        if now is None or before is None or {column, f"previous_{column}"} & hidden:
            return None
        # st.metric reads the direction from an ASCII minus, not the typographic one.
        return shown(float(now) - float(before)).replace("−", "-")

    def mnkr(difference: float) -> str:
        return f"{fmt.signed(difference / 1e6, 1)} mnkr"

    named = measures.label
    figures = [
        (named("allocated_sek"), fmt.short_kronor(row["allocated_sek"]), change("allocated_sek", mnkr), "normal"),
        (named("spent_sek"), fmt.short_kronor(row["spent_sek"]), change("spent_sek", mnkr), "normal"),
        (
            named("closing_balance_sek"),
            fmt.short_kronor(row["closing_balance_sek"]),
            change("closing_balance_sek", mnkr),
            "inverse",
        ),
        ("Ansökningar", fmt.number(row["applications"]), change("applications", fmt.signed), "normal"),
        (
            named("approval_rate"),
            fmt.percent(row["approval_rate"]),
            change("approval_rate", fmt.percentage_points),
            "off",
        ),
        (
            "Rapporterande myndigheter",
            fmt.number(row["agencies_with_funds"]),
            change("agencies_with_funds", fmt.signed),
            "off",
        ),
    ]
    sources = ["allocated_sek", "spent_sek", "closing_balance_sek", "applications", "approval_rate", None]
    for column, (heading, value, delta, colour), source in zip(
        [*st.columns(3), *st.columns(3)], figures, sources, strict=True
    ):
        column.metric(
            heading, disclosure.HIDDEN_SIGN if source in hidden else value, delta, delta_color=colour, border=True
        )
    compared = (
        f"förändringen jämförs med {row['year'] - 1}"
        if row["previous_allocated_sek"] is not None
        else "det finns inget år före att jämföra med"
    )
    st.caption(
        f"Summorna gäller de {fmt.number(row['agencies_with_funds'])} rapporterande myndigheterna {row['year']} "
        f"(de med medel i underlaget), inte hela staten, även när en sektor är vald; {compared}. "
        f"{named('utilisation')} {fmt.by_measure(row['utilisation'], 'utilisation')}, "
        f"saldo {fmt.number(row['reserve_years'], 1)} årsavsättningar, "
        f"handläggningstid {fmt.number(row['median_handling_days'])} dagar (median)."
    )


def scatter(ranking: pl.DataFrame, context: shell.Context) -> alt.LayerChart:
    """Approval rate against applications per 100 employees: every agency, sized by unused funds, for
    Trygghetsstiftelsen; an agency itself and its peers under pseudonyms."""
    if not context.viewer.is_tsn:
        title = f"{plots.TITLE}, {context.year}, {context.group_phrase}"
        return plots.peers(ranking, charts.title(title, context.vintage))
    title = f"{plots.TITLE}, {context.year} ({shell.where(context)})"
    return plots.agencies(ranking, charts.title(title, context.vintage), pick=True)


def scatter_description(ranking: pl.DataFrame, context: shell.Context) -> str:
    """The scatter's text alternative: what the points are, the medians of the agencies shown, and
    (for an agency) where it stands; the same figures are in the table above the chart."""
    x, y = "applications_per_100_employees", "approval_rate"
    data, _ = plots.placed(ranking)
    text = (
        f"Punktdiagram: {measures.label(y).lower()} mot {measures.label(x).lower()} för "
        f"{fmt.number(data.height)} myndigheter {context.year}, en punkt per myndighet; storleken visar outnyttjade "
        "medel och formen och färgen läget för saldot."
    )
    if data.height:
        text += (
            f" Medianen är {fmt.by_measure(data[x].median(), x)} ansökningar per 100 anställda och "
            f"{measures.label(y).lower()} {fmt.by_measure(data[y].median(), y)}."
        )
    own = ranking.filter(pl.col("is_self")) if "is_self" in ranking.columns else ranking.clear()
    if own.height:
        row = own.row(0, named=True)
        text += (
            f" {row['name']}: {fmt.by_measure(row[x], x)} ansökningar per 100 anställda, "
            f"{measures.label(y).lower()} {fmt.by_measure(row[y], y)}."
        )
    return f"{text} {scatter_note(ranking)} Samma siffror står i tabellen ovanför diagrammet.".replace("  ", " ")


def scatter_note(ranking: pl.DataFrame) -> str:
    """What the scatter leaves out or moves: agencies without values, and those beyond the axis' end."""
    data, limit = plots.placed(ranking)
    notes = []
    missing = ranking.height - data.height
    if missing:
        notes.append(f"{fmt.number(missing)} av {fmt.number(ranking.height)} saknar värden (–) och visas inte.")
    if limit is not None:
        beyond = data.filter(pl.col("clipped")).height
        notes.append(
            f"{fmt.number(beyond)} med fler än {fmt.number(limit, 1)} ansökningar per 100 anställda visas vid "
            "högerkanten med sitt värde, så att de andra inte trängs ihop."
        )
    return " ".join(notes)
