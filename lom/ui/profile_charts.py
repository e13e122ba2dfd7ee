"""The charts of Myndighetsprofil: pure builders, frame in, chart out (no Streamlit calls), with
each chart's text alternative and the columns of the table behind it."""

from __future__ import annotations

import altair as alt
import polars as pl

from lom.db import measures
from lom.ui import charts, shell
from lom.ui import format as fmt
from lom.ui.tables import Column

APPROVAL = "approval_rate"


def trend_chart(trend: pl.DataFrame, kpi: str, name: str, context: shell.Context) -> alt.LayerChart:
    """The agency's measure over the years inside its peer group's interquartile band."""
    neutral = measures.measure(kpi).neutral
    data = charts.with_class_names(trend.filter(pl.col("kpi") == kpi), "quartile_class", neutral=neutral)
    colour, shape, domain = charts.class_scales(neutral=neutral)
    fmt_ = fmt.axis_format(kpi)
    base = alt.Chart(charts.data_of(data)).encode(x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.25, color=charts.SKY).encode(
        y=alt.Y("lower_quartile:Q", title=fmt.titled(kpi), axis=alt.Axis(format=fmt_)), y2="upper_quartile:Q"
    )
    median = base.mark_line(color=charts.BLUE, strokeDash=[5, 3]).encode(y="peer_median:Q")
    line = base.mark_line(color=charts.BLACK).encode(y="value:Q")
    points = base.mark_point(filled=True, size=90, stroke="#333333", strokeWidth=0.6).encode(
        y="value:Q",
        color=alt.Color("quartile_class_name:N", title="Läge", scale=colour, sort=domain),
        shape=alt.Shape("quartile_class_name:N", title="Läge", scale=shape, sort=domain),
        tooltip=[
            alt.Tooltip("year:O", title="År"),
            alt.Tooltip("value:Q", title=name[:40], format=fmt_),
            alt.Tooltip("peer_median:Q", title="Median i jämförelsegruppen", format=fmt_),
            alt.Tooltip("lower_quartile:Q", title="Nedre kvartil", format=fmt_),
            alt.Tooltip("upper_quartile:Q", title="Övre kvartil", format=fmt_),
            alt.Tooltip("peer_agencies:Q", title="Myndigheter i jämförelsegruppen"),
            alt.Tooltip("quartile_class_name:N", title="Läge"),
        ],
    )
    marks = charts.rate_change_marks(context.rates, data["year"])
    chart = alt.layer(band, median, line, points, *marks).properties(
        height=300,
        title=charts.title(
            f"{measures.label(kpi)}, {name}, alla år",
            f"Band: mittersta hälften av {context.group_phrase}, streckad linje: deras median. {context.vintage}",
        ),
    )
    return charts.swedish(chart)


def trend_columns(kpi: str, name: str) -> list[Column]:
    """The table behind a trend chart: the agency's value and its peer group's, year by year."""
    kind = fmt.style(kpi).column_kind
    neutral = measures.measure(kpi).neutral
    return [
        Column("year", "År", "year"),
        Column("value", name[:40], kind),
        Column("peer_median", "Median i jämförelsegruppen", kind),
        Column("lower_quartile", "Nedre kvartil", kind),
        Column("upper_quartile", "Övre kvartil", kind),
        Column("peer_agencies", "Myndigheter i jämförelsegruppen", "int"),
        Column("quartile_class", "Läge", "neutral_class" if neutral else "class"),
    ]


def trend_description(trend: pl.DataFrame, kpi: str, name: str) -> str:
    """A trend chart's text alternative: what the line and the band are, and the latest year."""
    rows = trend.filter(pl.col("kpi") == kpi).sort("year")
    label = measures.label(kpi)
    text = f"Linjediagram: {label.lower()} för {name} år för år, inom jämförelsegruppens mittersta hälft och median."
    shown = rows.filter(pl.col("value").is_not_null())
    if shown.is_empty():
        return f"{text} {name} har inget värde något år."
    last = shown.row(-1, named=True)
    text += f" {last['year']}: {fmt.by_measure(last['value'], kpi)}"
    if last["peer_median"] is not None:
        text += f", medianen i jämförelsegruppen {fmt.by_measure(last['peer_median'], kpi)}"
    if last.get("quartile_class"):
        text += f", läge {charts.class_label(last['quartile_class'], measures.measure(kpi).neutral)}"
    return f"{text}."


def mix_description(mix: pl.DataFrame, basis: str, name: str) -> str:
    """The mix chart's text alternative: the bars, and the agency's largest measure type."""
    text = f"Stapeldiagram: andel av {MIX_BASES[basis]} per insats för {name}, bredvid alla myndigheters andelar."
    own = mix.filter(pl.col(f"share_of_{basis}").is_not_null()).sort(f"share_of_{basis}", descending=True)
    if own.height:
        top = own.row(0, named=True)
        national = top[f"national_share_of_{basis}"]
        text += (
            f" Störst hos {name}: {top['measure']}, {fmt.percent(top[f'share_of_{basis}'])} "
            f"(alla myndigheter {'..' if national is None else fmt.percent(national)})."
        )
    return f"{text} Siffrorna står i tabellen under diagrammen."


FUNNEL_COLUMNS = [
    Column("name", "Myndighet"),
    Column("approval_rate", "Beviljandegrad", "percent"),
    Column("decided", "Beslutade ansökningar", "int"),
    Column("wilson_low", "Intervall från", "percent"),
    Column("wilson_high", "Intervall till", "percent"),
]


MIX_BASES = {"applications": "ansökningarna", "granted_sek": "beviljade kronor"}


def mix_chart(mix: pl.DataFrame, basis: str, name: str, context: shell.Context) -> alt.Chart:
    """Share of applications or of granted kronor per measure type: the agency beside all agencies."""
    data = pl.concat(
        [
            mix.select("measure", pl.col(f"share_of_{basis}").alias("share"), pl.lit(name[:30]).alias("who")),
            mix.select(
                "measure", pl.col(f"national_share_of_{basis}").alias("share"), pl.lit("Alla myndigheter").alias("who")
            ),
        ]
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("share:Q", title=f"Andel av {MIX_BASES[basis]}", axis=alt.Axis(format=".0%")),
            yOffset="who:N",
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=[name[:30], "Alla myndigheter"], range=[charts.BLUE, charts.GREY]),
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="Insats"),
                alt.Tooltip("who:N", title="Vem"),
                alt.Tooltip("share:Q", title="Andel", format=".0%"),
            ],
        )
        .properties(
            height=max(240, 42 * mix.height),  # two bars and a readable label per measure type
            title=charts.title(f"Andel av {MIX_BASES[basis]} per insats, {name[:30]}, {context.year}", context.vintage),
        )
    )
    return charts.swedish(chart)


def funnel_points(points: pl.DataFrame, name: str) -> pl.DataFrame:
    """The agencies the funnel draws (those with an approval rate), named; an agency viewer's frame
    holds its own row only, without a name column."""
    data = points.filter(pl.col("approval_rate").is_not_null())
    return data if "name" in data.columns else data.with_columns(pl.lit(name).alias("name"))


def funnel_chart(
    points: pl.DataFrame, band: pl.DataFrame, median: float, org_nr: str, name: str, texts
) -> alt.LayerChart:
    """Approval rates against their number of decisions inside the funnel of the peer median.

    points: the agencies drawn (org_nr, name, approval_rate, decided, wilson_low, wilson_high; an
    agency viewer's own row only); band: decided, funnel_low, funnel_high (queries.profile.funnel_band);
    texts: (title, subtitle).
    """
    data = funnel_points(points, name).with_columns((pl.col("org_nr") == org_nr).alias("is_self"))
    data = data.with_columns(
        pl.when(pl.col("is_self")).then(pl.lit(name[:30])).otherwise(pl.lit("Övriga i jämförelsegruppen")).alias("who")
    ).select("name", "is_self", "who", "approval_rate", "decided", "wilson_low", "wilson_high")
    end = max(band["decided"].max() or 1, 2)
    x = alt.X(
        "decided:Q",
        title="Beslutade ansökningar",
        scale=alt.Scale(type="log", domain=[1, end], nice=False),
        axis=alt.Axis(format=",.0f"),
    )
    funnel = (
        alt.Chart(charts.data_of(band))
        .mark_area(opacity=0.22, color=charts.SKY)
        .encode(
            x=x,
            y=alt.Y("funnel_low:Q", title=fmt.titled(APPROVAL), axis=alt.Axis(format=fmt.axis_format(APPROVAL))),
            y2="funnel_high:Q",
        )
    )
    rule = alt.Chart(pl.DataFrame({"m": [median]})).mark_rule(color=charts.BLUE, strokeDash=[5, 3]).encode(y="m:Q")
    base = alt.Chart(charts.data_of(data)).encode(x=x)
    errors = (
        base.transform_filter("datum.is_self")
        .mark_rule(color=charts.VERMILLION, strokeWidth=2)
        .encode(y="wilson_low:Q", y2="wilson_high:Q")
    )
    dots = base.mark_point(filled=True, stroke="#333333", strokeWidth=0.5).encode(
        y="approval_rate:Q",
        color=alt.Color("who:N", title=None, scale=alt.Scale(range=[charts.VERMILLION, charts.GREY])),
        shape=alt.Shape("who:N", title=None, scale=alt.Scale(range=["diamond", "circle"])),
        size=alt.condition("datum.is_self", alt.value(160), alt.value(45)),
        tooltip=[
            alt.Tooltip("name:N", title="Myndighet"),
            alt.Tooltip("approval_rate:Q", title=measures.label(APPROVAL), format=fmt.axis_format(APPROVAL)),
            alt.Tooltip("decided:Q", title="Beslutade", format=",.0f"),
            alt.Tooltip("wilson_low:Q", title="Intervall från", format=".0%"),
            alt.Tooltip("wilson_high:Q", title="Intervall till", format=".0%"),
        ],
    )
    title, subtitle = texts
    chart = alt.layer(funnel, rule, errors, dots).properties(height=320, title=charts.title(title, subtitle))
    return charts.swedish(chart)
