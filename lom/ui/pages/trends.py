"""Utveckling: national and per-sector trends over every year, each total beside the count of agencies
that reported it (a rise from more agencies reporting is not growth)."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from lom.db import measures
from lom.queries import overview
from lom.ui import applicants, charts, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column, measure_column

# The measures per sector: those compared among peers, named and formatted by config/measures.toml.
MEASURES = measures.compared()
NATIONAL = "Alla rapporterande myndigheter"
MONEY = {key: measures.label(key) for key in ("allocated_sek", "spent_sek", "closing_balance_sek")}

COLUMNS = [
    Column("year", "År", "year"),
    Column("area", "Område"),
    Column("agencies_with_funds", "Rapporterande myndigheter", "int"),
    *(measure_column(key) for key in MONEY),
    measure_column("utilisation"),
    measure_column("reserve_years"),
    Column("applications", "Ansökningar", "int"),
    measure_column("applications_per_100_employees"),
    measure_column("approval_rate"),
    measure_column("median_handling_days"),
]


def render(context: shell.Context) -> None:
    st.title("Utveckling")
    if not shell.require_data(context):
        return
    shell.caption_vintage(context)
    totals = context.fetch(overview.year_totals).with_columns(
        pl.when(pl.col("is_national")).then(pl.lit(NATIONAL)).otherwise(pl.col("sector")).alias("area")
    )
    national = totals.filter(pl.col("is_national"))
    st.header("Alla rapporterande myndigheter")
    charts.show(
        lambda: money_chart(national, context),
        context.chart_key("money"),
        money_description(national),
        width="stretch",
    )

    st.header("Per sektor")
    measure = st.selectbox("Mått", MEASURES, format_func=fmt.titled, key="trend_measure")
    charts.show(
        lambda: sector_chart(totals, measure, context),
        context.chart_key("sectors", measure),
        sector_description(totals, measure),
        width="stretch",
    )
    st.caption(
        "Varje sektors värde räknas på summorna för sektorns rapporterande myndigheter; alla rapporterande "
        "myndigheter tillsammans är svart. Siffrorna nederst i diagrammet är antalet rapporterande myndigheter. "
        + (
            "Välj en sektor i sidopanelen för att lyfta fram den."
            if context.viewer.is_tsn
            else "Värden som vilar på färre än 5 andra myndigheter eller 1–4 ansökningar eller beslut, och det som "
            "skulle avslöja dem, visas inte (..) och saknas i diagrammet."
        )
    )
    with st.expander("Visa diagrammens siffror som tabell"):
        shown = (
            totals
            if context.sector is None
            else totals.filter(pl.col("is_national") | (pl.col("sector") == context.sector))
        )
        tables.show(
            shown.sort("year", "is_national", descending=[True, True]),
            COLUMNS,
            key="trend_table",
            file_stem="utveckling",
        )
    # The nation's flow and applicants in the year chosen; an agency's view of them is computed with
    # its own part known, so that disclosure control counts what the agency can subtract.
    applicants.section(context, None if context.viewer.is_tsn else context.viewer.role, None)


def money_chart(national: pl.DataFrame, context: shell.Context) -> alt.Chart:
    data = national.unpivot(index="year", on=list(MONEY), variable_name="kind", value_name="sek").with_columns(
        pl.col("kind").replace_strict(MONEY), (pl.col("sek").cast(pl.Float64) / 1e6).alias("mnkr")
    )
    domain = list(MONEY.values())
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mnkr:Q", title="Miljoner kronor", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[charts.BLUE, charts.GREEN, charts.VERMILLION]),
            ),
            strokeDash=alt.StrokeDash(
                "kind:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 3], [2, 2]])
            ),
            tooltip=[
                alt.Tooltip("year:O", title="År"),
                alt.Tooltip("kind:N", title="Vad"),
                alt.Tooltip("mnkr:Q", title="Mnkr", format=",.1f"),
            ],
        )
    )
    title = "Avsättning, nyttjat och outnyttjade medel, alla rapporterande myndigheter, alla år"
    return over_years(lines, national, national["year"], 320, title, "varje år", context)


def money_description(national: pl.DataFrame) -> str:
    """The money chart's text alternative: the lines, then the first and the last year in kronor."""
    ordered = national.sort("year")
    if ordered.is_empty():
        return "Linjediagram utan värden: inga medel är inlästa."

    def year_text(row: dict) -> str:
        money = ", ".join(f"{label.lower()} {fmt.short_kronor(row[key])}" for key, label in MONEY.items())
        return f"{row['year']}: {money} ({fmt.number(row['agencies_with_funds'])} rapporterande myndigheter)"

    first, last = ordered.row(0, named=True), ordered.row(-1, named=True)
    return (
        "Linjediagram: avsättning, nyttjat och outnyttjade medel år för år, alla rapporterande myndigheter. "
        f"{year_text(first)}. {year_text(last)}. Siffrorna står i tabellen längre ned på sidan."
    )


def sector_description(totals: pl.DataFrame, measure: str) -> str:
    """The sector chart's text alternative: the lines, then each area's value in the last year."""
    if totals.is_empty():
        return f"Linjediagram utan värden: {measures.label(measure).lower()} per sektor."
    last = int(totals["year"].max())
    values = totals.filter(pl.col("year") == last).sort("is_national", descending=True)
    parts = [
        f"{row['area']} {fmt.by_measure(row[measure], measure) if row[measure] is not None else '..'}"
        for row in values.iter_rows(named=True)
    ]
    return (
        f"Linjediagram: {measures.label(measure).lower()} per sektor och för alla rapporterande myndigheter, "
        f"år för år. {last}: {'; '.join(parts)}. Siffrorna står i tabellen under diagrammet."
    )


def over_years(
    lines: alt.Chart, counted: pl.DataFrame, years: pl.Series, height: int, title: str, where: str, context
) -> alt.LayerChart:
    """A chart over years finished: the count of reporting agencies under each year (`where` says
    whose) and the 2024 rate change marked."""
    chart = alt.layer(
        lines, reporting_counts(counted, height), *charts.rate_change_marks(context.rates, years)
    ).properties(
        height=height,
        title=charts.title(title, f"Siffrorna nederst: antalet rapporterande myndigheter {where}. {context.vintage}"),
    )
    return charts.swedish(chart)


def reporting_counts(totals: pl.DataFrame, height: int) -> alt.Chart:
    """The count of agencies that reported each year, written along the bottom of a chart over years."""
    data = totals.select("year", pl.col("agencies_with_funds").cast(pl.Int64).alias("agencies"))
    return (
        alt.Chart(data)
        .mark_text(baseline="bottom", dy=-2, fontSize=11, color=charts.RULE_COLOUR)
        .encode(
            x="year:O",
            y=alt.value(height),
            text=alt.Text("agencies:Q", format="d"),
            tooltip=[alt.Tooltip("year:O", title="År"), alt.Tooltip("agencies:Q", title="Rapporterande myndigheter")],
        )
    )


def sector_chart(totals: pl.DataFrame, measure: str, context: shell.Context) -> alt.Chart:
    title, axis_format = fmt.titled(measure), fmt.axis_format(measure)
    sectors = sorted(totals.filter(~pl.col("is_national"))["sector"].unique().to_list(), key=shell.swedish_key)
    domain = [NATIONAL, *sectors]
    palette = [charts.BLACK, *(c for c in charts.LINE_COLOURS if c != charts.BLACK)]
    highlighted = (
        alt.value(1)
        if context.sector is None
        else alt.condition(
            f"datum.area == {context.sector!r} || datum.area == {NATIONAL!r}", alt.value(1), alt.value(0.15)
        )
    )
    data = totals.select("year", "area", pl.col(measure).cast(pl.Float64).alias("value"), "agencies_with_funds")
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=title, axis=alt.Axis(format=axis_format)),
            color=alt.Color("area:N", title=None, scale=alt.Scale(domain=domain, range=palette[: len(domain)])),
            strokeDash=alt.condition(f"datum.area == {NATIONAL!r}", alt.value([1, 0]), alt.value([4, 2])),
            opacity=highlighted,
            tooltip=[
                alt.Tooltip("year:O", title="År"),
                alt.Tooltip("area:N", title="Område"),
                alt.Tooltip("value:Q", title=title, format=axis_format),
                alt.Tooltip("agencies_with_funds:Q", title="Rapporterande myndigheter"),
            ],
        )
    )
    # The counts along the bottom are those of the sector chosen, else of all reporting agencies.
    if context.sector is None:
        counted = totals.filter(pl.col("is_national"))
    else:
        counted = totals.filter(~pl.col("is_national") & (pl.col("sector") == context.sector))
    where = "totalt" if context.sector is None else f"i sektorn {context.sector}"
    return over_years(lines, counted, totals["year"], 380, f"{title} per sektor, alla år", where, context)
