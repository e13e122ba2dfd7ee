"""Myndighetsprofil: one agency's own figures in kronor and counts, and the agency against its peers: key
figures, trends, measure mix, handling time, approval rate with its interval, projection, its years."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lom.db import measures
from lom.followup import section as followup
from lom.queries import profile
from lom.queries.disclosure import MIN_OTHER_AGENCIES
from lom.ui import applicants, charts, own, reports, shell, tables
from lom.ui import format as fmt
from lom.ui.profile_charts import (
    FUNNEL_COLUMNS,
    MIX_BASES,
    funnel_chart,
    funnel_points,
    mix_chart,
    mix_description,
    trend_chart,
    trend_columns,
    trend_description,
)
from lom.ui.tables import Column

TREND_DEFAULT = "utilisation"
HANDLING, APPROVAL = "median_handling_days", "approval_rate"
MIX_COLUMNS = [
    Column("measure", "Insats"),
    Column("applications", "Ansökningar", "int"),
    Column("granted", "Beviljade", "int"),
    Column("granted_sek", "Beviljat belopp", "kronor"),
    Column("share_of_applications", "Andel av ansökningarna", "percent"),
    Column("share_of_granted_sek", "Andel av beviljat belopp", "percent"),
    Column("national_share_of_applications", "Alla myndigheters andel av ansökningarna", "percent"),
    Column("national_share_of_granted_sek", "Alla myndigheters andel av beviljat belopp", "percent"),
]
DIFFERENCE = {
    "above": "Den är statistiskt säkerställt högre än medianen i jämförelsegruppen",
    "below": "Den är statistiskt säkerställt lägre än medianen i jämförelsegruppen",
    "within": "Skillnaden mot medianen i jämförelsegruppen är inte statistiskt säkerställd",
}


def choose_agency(context: shell.Context) -> str | None:
    if not context.viewer.is_tsn:
        return context.viewer.role  # an agency sees its own profile, whatever the link says
    agencies = context.agencies
    if agencies is None or agencies.is_empty():
        return None
    agencies = shell.sector_filter(agencies, context)
    org_nrs = agencies["org_nr"].to_list()
    names = dict(zip(org_nrs, agencies["name"], strict=True))
    shell.seed("agency", org_nrs[0], shell.one_of(org_nrs))
    if st.session_state["agency"] not in names:
        st.session_state["agency"] = org_nrs[0]
    org_nr = st.selectbox("Myndighet", org_nrs, format_func=names.get, key="agency")
    shell.keep("agency", org_nr, org_nr)
    return org_nr


def render(context: shell.Context) -> None:
    if not shell.require_data(context):
        st.title("Myndighetsprofil")
        return
    org_nr = choose_agency(context)
    name = context.agency_name(org_nr)
    year = context.year
    st.title(f"{name} {year}")
    shell.caption_vintage(context)
    figures, coverage = own.fetch_figures(context, org_nr)
    if not figures.filter(pl.col("year") == year).is_empty():
        reports.agency_button(context, org_nr)
    own.key_figures(figures, name, year)
    positions = context.fetch(profile.agency_positions, org_nr, year, context.group)
    if positions.is_empty() or positions["value"].is_null().all():
        st.info(f"{name} har inga medel eller ansökningar inlästa för {year}. Välj ett annat år i sidopanelen.")
        own.years(figures, coverage, org_nr)
        return
    group = positions["group_label"][0]
    peers = positions["peer_agencies"].max()
    st.header(f"Jämfört med {context.group_phrase}")
    st.markdown(
        f"Jämförs med {context.group_phrase}: **{group}** ({fmt.number(peers)} myndigheter med värden). "
        f"{charts.CLASS_CAVEAT}"
    )
    if positions.filter(pl.col("kpi") == "approval_rate")["value"].is_null().all():
        st.info(f"{name} har medel {year} men inga beslutade ansökningar; måtten för ansökningar saknas (–).")
    key_figures(positions)

    st.header("Utveckling mot jämförelsegruppen")
    trend = context.fetch(profile.agency_trend, org_nr, context.group)
    kpis = [k for k in positions["kpi"] if k != HANDLING]  # handling time is drawn on its own below
    kpi = st.selectbox("Mått", kpis, format_func=measures.label, index=kpis.index(TREND_DEFAULT))
    marks = followup.contact_marks(context, org_nr)  # Trygghetsstiftelsen's contacts; none for an agency
    charts.show(
        lambda: marks.apply(trend_chart(trend, kpi, name, context)),
        context.chart_key("trend", org_nr, kpi, *marks.key),
        trend_description(trend, kpi, name),
        lambda: trend_table(trend, kpi, name, org_nr),
        width="stretch",
    )

    left, right = st.columns(2)
    with left:
        st.subheader(measures.label(HANDLING))
        charts.show(
            lambda: marks.apply(trend_chart(trend, HANDLING, name, context)),
            context.chart_key("trend", org_nr, HANDLING, *marks.key),
            trend_description(trend, HANDLING, name),
            lambda: trend_table(trend, HANDLING, name, org_nr),
            width="stretch",
        )
    with right:
        st.subheader(f"{measures.label('measure_mix')} {year}")
        mix = context.fetch(profile.measure_mix, org_nr, year)
        if mix.is_empty() or not mix["applications"].sum():
            st.info(f"{name} har inga ansökningar {year}.")
        else:
            basis = st.radio("Andel av", list(MIX_BASES), format_func=MIX_BASES.get, horizontal=True, key="mix_basis")
            charts.show(
                lambda: mix_chart(mix, basis, name, context),
                context.chart_key("mix", org_nr, basis),
                mix_description(mix, basis, name),
                width="stretch",
            )
            if "hidden" in mix.columns and mix["hidden"].list.len().sum():
                st.caption(
                    "Alla myndigheters andelar som bygger på 1–4 ansökningar, beviljanden eller myndigheter utöver "
                    "dina egna, och det som skulle avslöja dem, visas inte (..); deras staplar saknas."
                )
    if not mix.is_empty() and mix["applications"].sum():
        st.caption(f"{name}s ansökningar och beviljanden per insats {year}, bredvid alla myndigheters andelar.")
        tables.show(mix.filter(pl.col("applications") > 0), MIX_COLUMNS, key="own_mix", file_stem=f"insatser_{year}")

    applicants.section(context, org_nr, name)

    st.header(f"{measures.label(APPROVAL)} {year} med osäkerhet")
    intervals = context.fetch(profile.approval_intervals, year, context.group)
    approval(intervals, org_nr, name, context)

    own.outlook(context, org_nr, name)
    own.years(figures, coverage, org_nr)
    followup.section(context, org_nr, name, "profile")  # Trygghetsstiftelsen only
    if not context.viewer.is_tsn:
        return  # the similar agencies are named; an agency's peers are in its peer group, under pseudonyms
    with st.expander("Liknande myndigheter"):
        similar = context.fetch(profile.similar_agencies, org_nr, year)
        st.caption("Närmast efter storlek (antal anställda) och sektor; vikterna står under Om måtten.")
        tables.show(
            similar,
            [
                Column("peer_rank", "Nr", "int"),
                Column("name", "Myndighet"),
                Column("sector", "Sektor"),
                Column("employees", "Anställda", "int"),
                Column("distance", "Avstånd", "number1"),
            ],
            key="similar",
            file_stem=f"liknande_{org_nr}_{year}",
        )


def key_figures(positions: pl.DataFrame) -> None:
    """A card per measure: the value, its class in words and symbol, the peer median and quartiles."""
    rows = positions.to_dicts()
    for start in range(0, len(rows), 3):
        for column, row in zip(st.columns(3), rows[start : start + 3], strict=False):
            neutral = row["direction"] == "neutral"
            with column.container(border=True):
                st.markdown(f"**{row['label_sv']}**")  # kpi_definitions: config/measures.toml, as built
                hidden = set(row.get("hidden") or [])  # the peers' distribution only: its own value never
                st.markdown(f"### {fmt.by_unit(row['value'], row['unit_sv'])}")
                label = charts.class_label(row["quartile_class"], neutral)
                colour = BADGE[
                    row["quartile_class"] if not (neutral and row["quartile_class"] == "middle") else "neutral"
                ]
                st.markdown(f":{colour}-badge[{label}]")
                if row["quartile_class"] == "question":
                    st.caption("Ett negativt saldo är en fråga om underlaget och rangordnas inte.")
                elif "peer_median" in hidden:
                    st.caption(
                        f"Ingen fördelning: färre än {MIN_OTHER_AGENCIES} andra myndigheter i jämförelsegruppen "
                        "har ett värde."
                    )
                elif row["peer_median"] is None:
                    st.caption("Ingen jämförelse: för få myndigheter i jämförelsegruppen har ett värde.")
                else:
                    middle = fmt.span_by_unit(row["lower_quartile"], row["upper_quartile"], row["unit_sv"])
                    st.caption(
                        f"Median i jämförelsegruppen {fmt.by_unit(row['peer_median'], row['unit_sv'])}; "
                        f"mittersta hälften {middle} ({fmt.number(row['peer_agencies'])} myndigheter)."
                    )


BADGE = {
    "question": "orange",
    "best": "green",
    "middle": "yellow",
    "worst": "red",
    "high": "blue",
    "low": "violet",
    "neutral": "gray",
    None: "gray",
}


def trend_table(trend: pl.DataFrame, kpi: str, name: str, org_nr: str) -> None:
    """The figures behind a trend chart, newest year first."""
    rows = trend.filter(pl.col("kpi") == kpi).sort("year", descending=True)
    tables.show(rows, trend_columns(kpi, name), key=f"trend_{kpi}_{org_nr}", file_stem=f"utveckling_{kpi}_{org_nr}")


def approval(intervals: pl.DataFrame, org_nr: str, name: str, context: shell.Context) -> None:
    """The agency's approval rate with its 95 % interval, in a funnel plot of its peer group."""
    own_rate = intervals.filter(pl.col("org_nr") == org_nr)
    if own_rate.is_empty() or own_rate["approval_rate"][0] is None:
        st.info(f"{name} har inga beslutade ansökningar {context.year}; beviljandegraden saknas.")
        return
    row = own_rate.row(0, named=True)
    text = (
        f"{name}: {fmt.percent(row['approval_rate'])} ({fmt.number(row['granted'])} av "
        f"{fmt.number(row['decided'])} beslutade), 95 %-intervall "
        f"{fmt.span_by_unit(row['wilson_low'], row['wilson_high'], 'andel')}."
    )
    if row["difference"]:
        text += f" {DIFFERENCE[row['difference']]} ({fmt.percent(row['peer_median'])})."
    elif "peer_median" in (row.get("hidden") or []):
        text += f" Gruppen har färre än {MIN_OTHER_AGENCIES} andra myndigheter, så ingen jämförelse visas."
    else:
        text += " Gruppen är för liten för en jämförelse."
    st.markdown(text)
    if row["peer_median"] is None:
        return
    points = intervals.filter(pl.col("group_id") == row["group_id"])
    band = context.fetch(profile.funnel_band, row["peer_median"], int(max(points["decided"].max() or 1, 10) * 1.5))
    texts = (
        f"{measures.label(APPROVAL)} mot antal beslut bland {context.group_phrase}, {context.year}",
        f"Tratten: där 95 % av andelarna hamnar av slumpen vid medianen i jämförelsegruppen. {context.vintage}",
    )
    shown = funnel_points(points, name)
    charts.show(
        lambda: funnel_chart(points, band, row["peer_median"], org_nr, name, texts),
        context.chart_key("funnel", org_nr),
        f"Punktdiagram med tratt: {texts[0].lower()}. {text} Tratten visar var 95 % av andelarna hamnar av "
        "slumpen vid medianen i jämförelsegruppen.",
        lambda: tables.show(
            shown.sort("decided", descending=True),
            FUNNEL_COLUMNS,
            key=f"funnel_{org_nr}",
            file_stem=f"beviljandegrad_{context.year}",
        ),
        width="stretch",
    )
    edge = row["peer_median"] in (0, 1)
    st.caption(
        ("Punkten är din myndighets beviljandegrad och strecket dess 95 %-intervall; andra myndigheters punkter "
         "visas inte. " if not context.viewer.is_tsn else "")
        + "Små myndigheter har få beslut, och deras beviljandegrad varierar mycket av en slump: en punkt utanför "
        "tratten skiljer sig mer än slumpen förklarar. Tratten är Wilsonintervallet kring medianen i "
        "jämförelsegruppen för lika många beslut"
        + (f", så den har en bredd även när medianen är {fmt.percent(row['peer_median'])}." if edge else ".")
    )  # fmt: skip
