"""The applications' way and the applicants: the flow from received to decided, granted, rejected,
withdrawn and pending, and applications, grants and approval rate by gender and by age band, for
an agency beside all agencies (profile) or for all agencies (trends)."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from lom.queries import profile
from lom.ui import charts, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column

ALL = "Alla myndigheter"
STAGES = {
    "applications": "Inkomna",
    "decided": "Beslutade",
    "granted": "Beviljade",
    "rejected": "Avslagna",
    "withdrawn": "Återtagna",
    "pending": "Under handläggning",
}
DIMENSIONS = {"gender": "Kön", "age_band": "Ålder"}
GROUP_NAMES = {
    "kvinna": "Kvinnor",
    "man": "Män",
    "annat/uppgift saknas": "Annat/uppgift saknas",
    "-29": "–29 år",
    "30-39": "30–39 år",
    "40-49": "40–49 år",
    "50-59": "50–59 år",
    "60-": "60 år och äldre",
    "uppgift saknas": "Uppgift saknas",
}
OLDEST = "60-"
HIDDEN_NOTE = (
    "Tal för alla myndigheter som bygger på 1–4 ansökningar eller beslut, eller på 1–4 myndigheter, utöver "
    "dina egna, och det som skulle avslöja dem, visas inte (..)."
)


def flow_columns(name: str | None) -> list[Column]:
    own = [Column("own_count", name[:40], "int"), Column("own_share", f"Andel, {name[:30]}", "percent")] if name else []
    return [
        Column("stage_name", "Steg"),
        *own,
        Column("national_count", ALL, "int"),
        Column("national_share", f"Andel, {ALL.lower()}", "percent"),
    ]


def group_columns(dimension: str, name: str | None) -> list[Column]:
    own = (
        [
            Column("applications", "Ansökningar", "int"),
            Column("share_of_applications", "Andel av ansökningarna", "percent"),
            Column("granted", "Beviljade", "int"),
            Column("approval_rate", "Beviljandegrad", "percent", "Beviljade av beslutade"),
        ]
        if name
        else []
    )
    return [
        Column("group_name", DIMENSIONS[dimension]),
        *own,
        Column("national_applications", f"Ansökningar, {ALL.lower()}", "int"),
        Column("national_share_of_applications", f"Andel, {ALL.lower()}", "percent"),
        Column("national_granted", f"Beviljade, {ALL.lower()}", "int"),
        Column("national_approval_rate", f"Beviljandegrad, {ALL.lower()}", "percent"),
    ]


def with_names(frame: pl.DataFrame, column: str, names: dict[str, str], alias: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(column).replace_strict(names, default=pl.col(column)).alias(alias))


def section(context: shell.Context, org_nr: str | None, name: str | None) -> None:
    """The flow and the applicant groups of the context's year: for an agency beside all agencies
    (name given), or for all agencies alone (org_nr None: Trygghetsstiftelsen's national view)."""
    year = context.year
    flow = with_names(context.fetch(profile.application_flow, org_nr, year), "stage", STAGES, "stage_name")
    whose = name or "alla rapporterande myndigheter"
    st.header(f"Ansökningarnas väg {year}")
    received = flow.filter(pl.col("stage") == "applications").row(0, named=True)
    if not (received["own_count"] if name else received["national_count"]):
        st.info(f"Inga ansökningar inkom {year} för {whose}.")
    else:
        charts.show(
            lambda: flow_chart(flow, name, context),
            context.chart_key("flow", org_nr, name),
            flow_description(flow, name),
            width="stretch",
        )
        st.caption(flow_summary(flow, name))
        tables.show(flow, flow_columns(name), key=f"flow_{org_nr}", file_stem=f"ansokningarnas_vag_{year}")
    if _any_hidden(flow):
        st.caption(HIDDEN_NOTE)

    st.header(f"Sökande efter kön och ålder {year}")
    for dimension, label in DIMENSIONS.items():
        groups = with_names(
            context.fetch(profile.application_groups, org_nr, year, dimension),
            "applicant_group",
            GROUP_NAMES,
            "group_name",
        )
        if groups.is_empty():
            st.info(f"Inga ansökningar {year} att dela upp efter {label.lower()}.")
            continue
        charts.show(
            lambda groups=groups, dimension=dimension: groups_chart(groups, dimension, name, context),
            context.chart_key("groups", org_nr, name, dimension),
            groups_description(groups, dimension, name),
            width="stretch",
        )
        if dimension == "age_band":
            st.caption(oldest_summary(groups, name))
        tables.show(
            groups,
            group_columns(dimension, name),
            key=f"groups_{dimension}_{org_nr}",
            file_stem=f"sokande_{dimension}_{year}",
        )
        if _any_hidden(groups):
            st.caption(HIDDEN_NOTE)


def _any_hidden(frame: pl.DataFrame) -> bool:
    return "hidden" in frame.columns and bool(frame["hidden"].list.len().sum())


def flow_summary(flow: pl.DataFrame, name: str | None) -> str:
    """The flow in one sentence: what share of the received was decided, granted, withdrawn, pending."""
    rows = {r["stage"]: r for r in flow.iter_rows(named=True)}
    column = "own" if name else "national"

    def part(stage: str) -> str:
        row = rows[stage]
        share = row[f"{column}_share"]
        return f"{fmt.number(row[f'{column}_count'])} ({'..' if share is None else fmt.percent(share)})"

    return (
        f"Av {fmt.number(rows['applications'][f'{column}_count'])} inkomna ansökningar "
        f"{'hos ' + name if name else 'hos alla rapporterande myndigheter'} har {part('decided')} beslutats, "
        f"{part('granted')} beviljats och {part('rejected')} avslagits; {part('withdrawn')} har återtagits och "
        f"{part('pending')} är under handläggning. Andelarna är av de inkomna."
    )


def oldest_summary(groups: pl.DataFrame, name: str | None) -> str:
    """The share of applicants aged 60 or over, the agency's beside all agencies'."""
    return share_summary(groups, name, OLDEST, "60 år och äldre")


def share_summary(groups: pl.DataFrame, name: str | None, group: str, words: str) -> str:
    """The share of applicants in `group` ("som är <words>"), the agency's beside all agencies'."""
    found = groups.filter(pl.col("applicant_group") == group)
    if found.is_empty():
        return f"Inga sökande {words}."
    row = found.row(0, named=True)
    national = row["national_share_of_applications"]
    national_text = ".." if national is None else fmt.percent(national)
    if not name:
        return f"Andelen sökande som är {words}: {national_text} hos alla rapporterande myndigheter."
    own = row["share_of_applications"]
    own_text = "–" if own is None else fmt.percent(own)
    return f"Andelen sökande som är {words}: {own_text} hos {name}, {national_text} hos alla myndigheter."


def flow_description(flow: pl.DataFrame, name: str | None) -> str:
    """The flow chart's text alternative: what the bars are, then the flow in words."""
    whose = f"{name} och alla myndigheter" if name else "alla rapporterande myndigheter"
    return (
        f"Stapeldiagram: ansökningarna från inkomna till beslutade, beviljade, avslagna, återtagna och under "
        f"handläggning, för {whose}. {flow_summary(flow, name)} Siffrorna står i tabellen under diagrammet."
    )


def groups_description(groups: pl.DataFrame, dimension: str, name: str | None) -> str:
    """A groups chart's text alternative: what the bars are and one share that stands out."""
    whose = f"{name} och alla myndigheter" if name else "alla rapporterande myndigheter"
    finding = (
        oldest_summary(groups, name) if dimension == "age_band" else share_summary(groups, name, "kvinna", "kvinnor")
    )
    return (
        f"Stapeldiagram: varje grupps andel av ansökningarna efter {DIMENSIONS[dimension].lower()}, "
        f"för {whose}. {finding} Siffrorna står i tabellen under diagrammet."
    )


def bars_height(rows: int, bars: int) -> int:
    """A chart's height (title, axis and legend included, as Streamlit fits it) that gives every bar
    room for itself and every row room for its label."""
    return 130 + 24 * rows * bars


def beside_all(frame: pl.DataFrame, row: str, name: str | None, own: dict, national: dict) -> tuple[pl.DataFrame, list]:
    """Bars' data: one row per group and whose figure it is (the agency's, when named, and all
    agencies'), from the columns `own` and `national` name (output name -> column)."""
    parts = [(name[:30], own)] if name else []
    parts.append((ALL, national))
    data = pl.concat(
        [
            frame.select(
                row, *(pl.col(column).alias(alias) for alias, column in columns.items()), pl.lit(who).alias("who")
            )
            for who, columns in parts
        ]
    ).filter(pl.col("share").is_not_null())
    return data, [who for who, _ in parts]


def who_colour(domain: list[str]) -> alt.Color:
    """The agency in blue, all agencies in grey (with the words in the legend, not colour alone)."""
    return alt.Color(
        "who:N", title=None, scale=alt.Scale(domain=domain, range=[charts.BLUE, charts.GREY][-len(domain) :])
    )


def whose(name: str | None) -> str:
    return name[:30] if name else "alla rapporterande myndigheter"


def flow_chart(flow: pl.DataFrame, name: str | None, context: shell.Context) -> alt.Chart:
    """Each stage's share of the applications received, the agency's beside all agencies'."""
    data, domain = beside_all(
        flow,
        "stage_name",
        name,
        {"share": "own_share", "count": "own_count"},
        {"share": "national_share", "count": "national_count"},
    )
    order = list(STAGES.values())
    bars = alt.Chart(data).encode(
        y=alt.Y("stage_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=220)),
        x=alt.X(
            "share:Q",
            title="Andel av de inkomna",
            axis=alt.Axis(format=".0%", values=[i / 10 for i in range(11)]),
            scale=alt.Scale(domain=[0, 1.1]),  # room for the label of a bar at 100 %
        ),
        yOffset=alt.YOffset("who:N", sort=domain),
        tooltip=[
            alt.Tooltip("stage_name:N", title="Steg"),
            alt.Tooltip("who:N", title="Vem"),
            alt.Tooltip("count:Q", title="Antal", format=",d"),
            alt.Tooltip("share:Q", title="Andel av de inkomna", format=".0%"),
        ],
    )
    chart = alt.layer(
        bars.mark_bar().encode(color=who_colour(domain)),
        bars.mark_text(align="left", dx=3, fontSize=11, color="#333333").encode(text=alt.Text("share:Q", format=".0%")),
    ).properties(
        height=bars_height(len(order), len(domain)),
        title=charts.title(
            f"Ansökningarnas väg {context.year}, {whose(name)}",
            f"Andel av de inkomna ansökningarna i varje steg. {context.vintage}",
        ),
    )
    return charts.swedish(chart)


def groups_chart(groups: pl.DataFrame, dimension: str, name: str | None, context: shell.Context) -> alt.Chart:
    """Each group's share of the applications, the agency's beside all agencies'."""
    data, domain = beside_all(
        groups,
        "group_name",
        name,
        {"share": "share_of_applications"},
        {"share": "national_share_of_applications"},
    )
    order = groups["group_name"].to_list()
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("group_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=220)),
            x=alt.X("share:Q", title="Andel av ansökningarna", axis=alt.Axis(format=".0%")),
            yOffset=alt.YOffset("who:N", sort=domain),
            color=who_colour(domain),
            tooltip=[
                alt.Tooltip("group_name:N", title=DIMENSIONS[dimension]),
                alt.Tooltip("who:N", title="Vem"),
                alt.Tooltip("share:Q", title="Andel av ansökningarna", format=".0%"),
            ],
        )
        .properties(
            height=bars_height(len(order), len(domain)),
            title=charts.title(
                f"Ansökningar efter {DIMENSIONS[dimension].lower()} {context.year}, {whose(name)}",
                f"Andel av ansökningarna i varje grupp. {context.vintage}",
            ),
        )
    )
    return charts.swedish(chart)
