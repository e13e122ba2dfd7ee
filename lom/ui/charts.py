"""Altair charts in Swedish: number format, colour-blind-safe colours, quartile shape and label."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import altair as alt
import pandas  # noqa: F401  Altair imports it lazily; two sessions doing so at once saw half a module
import polars as pl
import streamlit as st

from lom.ui import format as fmt

# Vega's own formatter with a Swedish locale: 12 345,6 and 45 %. st.altair_chart ignores the
# renderer's locale, but a locale in the chart's config is honoured.
LOCALE = alt.Locale(
    number={"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"], "percent": "\u00a0%"},
    time={
        "dateTime": "%A %e %B %Y %X",
        "date": "%Y-%m-%d",
        "time": "%H:%M:%S",
        "periods": ["fm", "em"],
        "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
        "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
        "months": [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    },
)

# Okabe and Ito's palette, readable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, BLACK = OKABE_ITO
GREY = "#767676"  # 4.5:1 on white: bars and points in grey stay visible (WCAG 1.4.11 asks 3:1)
# Lines and bars stand alone against white, so their colours need 3:1 (WCAG 1.4.11): Okabe and Ito's
# blue, vermillion, green and purple do; their orange, sky blue and yellow (1.3-2.3:1) are darkened
# here to 3.7-5.1:1. Filled points keep the light colours inside a dark outline.
DARK_ORANGE, DARK_SKY, OLIVE = "#A66A00", "#3D8DB8", "#7A7000"
LINE_COLOURS = [BLUE, VERMILLION, GREEN, PURPLE, DARK_SKY, DARK_ORANGE, OLIVE, BLACK]

# Position among peers (Kolada): colour, a shape and a word, never colour alone.
CLASSES = {
    "best": ("Bästa fjärdedelen", GREEN, "triangle-up", "▲"),
    "middle": ("Mittersta hälften", YELLOW, "circle", "●"),
    "worst": ("Sämsta fjärdedelen", VERMILLION, "triangle-down", "▼"),
    "high": ("Hög (övre fjärdedelen)", BLUE, "triangle-up", "▲"),
    "low": ("Låg (nedre fjärdedelen)", SKY, "triangle-down", "▼"),
    "question": ("Negativt saldo, kontrollera", ORANGE, "diamond", "?"),  # a question about the data
    None: ("Saknas", GREY, "cross", "–"),
}
MIDDLE_NEUTRAL = ("Mittersta hälften", "#B9B9B9", "circle", "●")
CLASS_CAVEAT = "Färgen visar läget bland jämförelsegruppen, inte ett omdöme."


def _entry(quartile_class: str | None, neutral: bool) -> tuple[str, str, str, str]:
    """Label, colour, shape and symbol of a class; a neutral measure's middle is grey, not yellow."""
    return MIDDLE_NEUTRAL if neutral and quartile_class == "middle" else CLASSES[quartile_class]


def class_label(quartile_class: str | None, neutral: bool = False) -> str:
    """The class as words with its symbol: '▲ Bästa fjärdedelen'."""
    label, _, _, symbol = _entry(quartile_class, neutral)
    return f"{symbol} {label}"


def class_scales(neutral: bool = False, question: bool = False) -> tuple[alt.Scale, alt.Scale, list[str]]:
    """Colour and shape scales keyed by the class label, for a legend that names them; `question`
    adds the class of a value in question (a negative balance) where the data holds one."""
    keys = ["high", "middle", "low", None] if neutral else ["best", "middle", "worst", None]
    if question:
        keys.insert(-1, "question")
    entries = [_entry(k, neutral) for k in keys]
    domain = [e[0] for e in entries]
    return (
        alt.Scale(domain=domain, range=[e[1] for e in entries]),
        alt.Scale(domain=domain, range=[e[2] for e in entries]),
        domain,
    )


def with_class_names(frame: pl.DataFrame, column: str, neutral: bool = False) -> pl.DataFrame:
    """Add `<column>_name`: the class label without its symbol, for colour and shape legends."""
    mapping = {k: _entry(k, neutral)[0] for k in CLASSES if k}
    return frame.with_columns(
        pl.col(column).replace_strict(mapping, default=CLASSES[None][0], return_dtype=pl.String).alias(f"{column}_name")
    )


def title(text: str, subtitle: str) -> alt.TitleParams:
    """A chart title that says what is shown (and for which year) over the data vintage."""
    return alt.TitleParams(text=text, subtitle=subtitle, anchor="start", subtitleColor="#555555", fontSize=15)


def swedish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Finish a chart: Swedish locale, readable fonts, no chart-menu clutter."""
    return (
        chart.configure(locale=LOCALE)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom", columns=4)
    )


RULE_COLOUR = "#555555"  # 7:1 on white: the rate-change label is text


def rate_changes(rates: pl.DataFrame | None) -> list[tuple[int, str]]:
    """The years the allocation rate changed, each with a short label ("0,3 → 0,2 % av lönesumman"),
    from the allocation_rates table (the data, not a constant)."""
    if rates is None or rates.height < 2:
        return []
    ordered = rates.sort("first_year").to_dicts()
    return [
        (
            int(after["first_year"]),
            f"{fmt.number(float(before['rate']) * 100, 1)} → {fmt.number(float(after['rate']) * 100, 1)} % "
            "av lönesumman",
        )
        for before, after in pairwise(ordered)
        if after["rate"] != before["rate"]
    ]


def rate_change_marks(rates: pl.DataFrame | None, years) -> list[alt.Chart]:
    """For a chart over `year:O`: a rule and a short label at each year the allocation rate changed
    (from 2024 the same spending is a higher utilisation, the same balance more years of allocation).
    Only years the chart shows: a rule at another year would widen its axis."""
    shown = {int(y) for y in years if y is not None}
    marks = []
    for year, label in rate_changes(rates):
        if year not in shown:
            continue
        data = pl.DataFrame({"year": [year], "what": [f"Avsättningen sänktes {year}: {label}"]})
        rule = (
            alt.Chart(data)
            .mark_rule(color=RULE_COLOUR, strokeDash=[4, 3], strokeWidth=1.5)
            .encode(x="year:O", tooltip=[alt.Tooltip("what:N", title="Markering")])
        )
        text = (
            alt.Chart(data)
            .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=11, color=RULE_COLOUR)
            .encode(x="year:O", y=alt.value(0), text=alt.value(f"{year}: {label}"))
        )
        marks += [rule, text]
    return marks


def data_of(frame: pl.DataFrame) -> alt.Data:
    """Chart data from Polars, with decimals as floats (Vega has no decimal type)."""
    decimals = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)]
    return frame.with_columns(pl.col(decimals).cast(pl.Float64)) if decimals else frame


# Building an Altair chart and turning it into a Vega-Lite specification costs 20-60 ms a chart,
# more than the queries behind it; the finished specification is cached instead.
alt.data_transformers.disable_max_rows()


def show(
    build: Callable[[], alt.TopLevelMixin],
    cache_key: tuple,
    description: str,
    table: Callable[[], object] | None = None,
    **options,
):
    """Draw the chart that build() makes, from the cache when `cache_key` was drawn before.

    `cache_key` must name everything the chart depends on: the database version, the viewer's role and
    every filter and argument (ui.shell.Context.chart_key gives the shared part). `description` is the
    chart's text alternative (its accessible name): what it shows and what stands out. `table` draws
    the data behind the chart as a table, in a closed expander under it; leave it out only where the
    page shows the same figures in a table beside the chart.
    """
    specification = {**_specification(cache_key, build), "description": description}
    event = st.vega_lite_chart(specification, **options)
    if table is not None:
        with st.expander(TABLE_LABEL):
            table()
    return event


TABLE_LABEL = "Visa diagrammets siffror som tabell"


def plain(markdown: str) -> str:
    """Text from a line of the pages' Markdown, for a chart's description: no bold, no line breaks."""
    return " ".join(markdown.replace("**", "").split())


@st.cache_data(max_entries=512, show_spinner=False)
def _specification(cache_key: tuple, _build: Callable[[], alt.TopLevelMixin]) -> dict:
    return _build().to_dict(validate=False)


def axis_limit(values: list[float], spread: float = 3.0) -> float | None:
    """The end of an axis that one far outlier does not squeeze the others into a corner: the
    largest value, unless it lies more than `spread` times the third quartile out, and then twice
    the quartile (or the largest value below that). None when nothing needs clipping."""
    ordered = sorted(v for v in values if v is not None)
    if len(ordered) < 4:
        return None
    quartile = ordered[(3 * len(ordered)) // 4]
    if quartile <= 0 or ordered[-1] <= spread * quartile:
        return None
    return max(2 * quartile, max(v for v in ordered if v <= spread * quartile))


def tick_values(high: float, most: int = 8) -> list[float]:
    """Whole-number ticks from 0 to `high` at a step of 1, 2 or 5 times a power of ten, at most `most`."""
    step = 1
    while high / step > most:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return [float(step * i) for i in range(int(high // step) + 1)]
