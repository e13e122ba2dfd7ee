"""Myndighetsprofil: one agency against its peers: key figures, trends, measure mix, handling time,
approval rate with its interval."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from queries import profile
from queries.disclosure import HIDDEN, MIN_AGENCIES
from ui import charts, shell, tables
from ui import format as fmt
from ui.tables import Column

TREND_DEFAULT = "utilisation"
DIFFERENCE = {
    "above": "Den är högre än gruppens median, även med hänsyn till slumpen",
    "below": "Den är lägre än gruppens median, även med hänsyn till slumpen",
    "within": "Den skiljer sig inte säkert från gruppens median",
}


def choose_agency(context: shell.Context) -> str | None:
    if not context.viewer.is_trs:
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
    positions = context.fetch(profile.agency_positions, org_nr, year, context.group)
    if positions.is_empty() or positions["value"].is_null().all():
        st.info(f"{name} har inga medel eller ansökningar inlästa för {year}. Välj ett annat år i sidopanelen.")
        return
    group = positions["group_label"][0]
    peers = positions["peer_agencies"].max()
    st.markdown(
        f"Jämförs med {context.group_phrase}: **{group}** ({fmt.number(peers)} myndigheter med värden). "
        f"{charts.CLASS_CAVEAT}"
    )
    rate = positions.filter(pl.col("kpi") == "approval_rate")
    rate_hidden = "hidden" in rate.columns and rate["hidden"].list.contains("value").any()
    applications_missing = rate["value"].is_null().all() and not rate_hidden
    if applications_missing:
        st.info(f"{name} har medel {year} men inga beslutade ansökningar; måtten för ansökningar saknas (–).")
    key_figures(positions)

    st.subheader("Utveckling mot jämförelsegruppen")
    trend = context.fetch(profile.agency_trend, org_nr, context.group)
    labels = dict(zip(positions["kpi"], positions["label_sv"], strict=True))
    labels.pop("median_handling_days", None)  # drawn on its own below
    kpi = st.selectbox("Mått", list(labels), format_func=labels.get, index=list(labels).index(TREND_DEFAULT))
    charts.show(
        lambda: trend_chart(trend, kpi, labels[kpi], name, context),
        context.chart_key("trend", org_nr, kpi),
        width="stretch",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Handläggningstid")
        charts.show(
            lambda: trend_chart(trend, "median_handling_days", "Handläggningstid", name, context),
            context.chart_key("trend", org_nr, "median_handling_days"),
            width="stretch",
        )
    with right:
        st.subheader(f"Fördelning per insats {year}")
        mix = context.fetch(profile.measure_mix, org_nr, year)
        if mix.is_empty() or not (
            mix["applications"].sum() if "applications" in mix.columns else mix["has_applications"].any()
        ):
            st.info(f"{name} har inga ansökningar {year}.")
        else:
            basis = st.radio("Andel av", list(MIX_BASES), format_func=MIX_BASES.get, horizontal=True, key="mix_basis")
            charts.show(
                lambda: mix_chart(mix, basis, name, context), context.chart_key("mix", org_nr, basis), width="stretch"
            )
            if "hidden" in mix.columns and mix["hidden"].list.len().sum():
                st.caption(
                    "Andelar som bygger på 1–4 ansökningar eller beviljanden, och det som skulle avslöja dem, visas "
                    "inte (..); deras staplar saknas."
                )

    st.subheader(f"Beviljandegrad {year} med osäkerhet")
    intervals = context.fetch(profile.approval_intervals, year, context.group)
    approval(intervals, org_nr, name, context)

    if not context.viewer.is_trs:
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
                st.markdown(f"**{row['label_sv']}**")
                hidden = set(row.get("hidden") or [])
                value = HIDDEN if "value" in hidden else fmt.by_unit(row["value"], row["unit_sv"])
                st.markdown(f"### {value}")
                label = HIDDEN if "value" in hidden else charts.class_label(row["quartile_class"], neutral)
                colour = BADGE[
                    row["quartile_class"] if not (neutral and row["quartile_class"] == "middle") else "neutral"
                ]
                st.markdown(f":{colour}-badge[{label}]")
                if "value" in hidden:
                    st.caption("Dolt (..): värdet bygger på 1–4 personer.")
                if "peer_median" in hidden:
                    st.caption(f"Ingen fördelning: färre än {MIN_AGENCIES} andra myndigheter i gruppen har ett värde.")
                elif row["peer_median"] is None:
                    st.caption("Ingen jämförelse: för få myndigheter i gruppen har ett värde.")
                else:
                    middle = fmt.span_by_unit(row["lower_quartile"], row["upper_quartile"], row["unit_sv"])
                    st.caption(
                        f"Median i gruppen {fmt.by_unit(row['peer_median'], row['unit_sv'])}; "
                        f"mittersta hälften {middle} ({fmt.number(row['peer_agencies'])} myndigheter)."
                    )


BADGE = {
    "best": "green",
    "middle": "yellow",
    "worst": "red",
    "high": "blue",
    "low": "violet",
    "neutral": "gray",
    None: "gray",
}


def _axis_format(kpi: str) -> str:
    if kpi in ("utilisation", "approval_rate"):
        return ".0%"
    return ",.0f" if kpi in ("median_handling_days", "granted_per_employee_sek") else ",.1f"


def trend_chart(trend: pl.DataFrame, kpi: str, label: str, name: str, context: shell.Context) -> alt.LayerChart:
    """The agency's measure over the years inside its peer group's interquartile band."""
    data = charts.with_class_names(trend.filter(pl.col("kpi") == kpi), "quartile_class", neutral=kpi == "approval_rate")
    colour, shape, domain = charts.class_scales(neutral=kpi == "approval_rate")
    fmt_ = _axis_format(kpi)
    base = alt.Chart(charts.data_of(data)).encode(x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.25, color=charts.SKY).encode(
        y=alt.Y("lower_quartile:Q", title=label, axis=alt.Axis(format=fmt_)), y2="upper_quartile:Q"
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
            alt.Tooltip("peer_median:Q", title="Median i gruppen", format=fmt_),
            alt.Tooltip("lower_quartile:Q", title="Nedre kvartil", format=fmt_),
            alt.Tooltip("upper_quartile:Q", title="Övre kvartil", format=fmt_),
            alt.Tooltip("peer_agencies:Q", title="Myndigheter i gruppen"),
            alt.Tooltip("quartile_class_name:N", title="Läge"),
        ],
    )
    chart = (band + median + line + points).properties(
        height=300,
        title=charts.title(
            f"{label}, {name}, alla år",
            f"Band: mittersta hälften av {context.group_phrase}, streckad linje: deras median. {context.vintage}",
        ),
    )
    return charts.swedish(chart)


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


def approval(intervals: pl.DataFrame, org_nr: str, name: str, context: shell.Context) -> None:
    """The agency's approval rate with its 95 % interval, in a funnel plot of its peer group."""
    own = intervals.filter(pl.col("org_nr") == org_nr)
    if not own.is_empty() and "approval_rate" in (own["hidden"][0] if "hidden" in own.columns else []):
        st.info(
            f"Beviljandegraden för {name} {context.year} visas inte (..): den bygger på 1–4 beslut, beviljanden "
            "eller avslag."
        )
        return
    if own.is_empty() or own["approval_rate"][0] is None:
        st.info(f"{name} har inga beslutade ansökningar {context.year}; beviljandegraden saknas.")
        return
    row = own.row(0, named=True)
    text = (
        f"{name}: {fmt.percent(row['approval_rate'])} ({fmt.number(row['granted'])} av "
        f"{fmt.number(row['decided'])} beslutade), 95 %-intervall "
        f"{fmt.span_by_unit(row['wilson_low'], row['wilson_high'], 'andel')}."
    )
    if row["difference"]:
        text += f" {DIFFERENCE[row['difference']]} ({fmt.percent(row['peer_median'])})."
    elif "peer_median" in (row.get("hidden") or []):
        text += f" Gruppen har färre än {MIN_AGENCIES} andra myndigheter, så ingen jämförelse visas."
    else:
        text += " Gruppen är för liten för en jämförelse."
    st.markdown(text)
    charts.show(
        lambda: funnel_chart(intervals, row, org_nr, name, context),
        context.chart_key("funnel", org_nr),
        width="stretch",
    )
    if not context.viewer.is_trs:
        st.caption(
            "Punkten är din myndighets beviljandegrad, strecket dess 95 %-intervall och den streckade linjen "
            "jämförelsegruppens median. Andra myndigheters punkter visas inte."
        )
    elif row["peer_median"] is not None and 0 < row["peer_median"] < 1:
        st.caption(
            "Små myndigheter har få beslut, och deras beviljandegrad varierar mycket av en slump. En punkt utanför "
            "tratten skiljer sig mer än slumpen förklarar."
        )
    else:
        st.caption(
            f"Gruppens median är {fmt.percent(row['peer_median'])}, så ingen tratt kan ritas: där varierar "
            "beviljandegraden inte av en slump. Intervallet visar ändå hur osäker myndighetens egen andel är."
        )


def funnel_chart(intervals: pl.DataFrame, row: dict, org_nr: str, name: str, context: shell.Context) -> alt.LayerChart:
    """The peer group's approval rates against their number of decisions, inside the 95 % funnel."""
    group = intervals.filter((pl.col("group_id") == row["group_id"]) & pl.col("approval_rate").is_not_null())
    if "name" not in group.columns:  # an agency's own row only: no peers' points
        group = group.with_columns(pl.lit(name).alias("name"))
    data = group.with_columns((pl.col("org_nr") == org_nr).alias("is_self")).with_columns(
        pl.when(pl.col("is_self")).then(pl.lit(name[:30])).otherwise(pl.lit("Övriga i gruppen")).alias("who")
    )
    base = alt.Chart(charts.data_of(data)).encode(
        x=alt.X("decided:Q", title="Beslutade ansökningar", scale=alt.Scale(type="log"), axis=alt.Axis(format=",.0f"))
    )
    funnel = base.mark_area(opacity=0.18, color=charts.SKY).encode(
        y=alt.Y("funnel_low:Q", title="Beviljandegrad", axis=alt.Axis(format=".0%")), y2="funnel_high:Q"
    )
    median = (
        alt.Chart(pl.DataFrame({"m": [row["peer_median"]]}))
        .mark_rule(color=charts.BLUE, strokeDash=[5, 3])
        .encode(y="m:Q")
    )
    errors = (
        base.transform_filter("datum.is_self")
        .mark_rule(color=charts.VERMILLION, strokeWidth=2)
        .encode(y="wilson_low:Q", y2="wilson_high:Q")
    )
    points = base.mark_point(filled=True, stroke="#333333", strokeWidth=0.5).encode(
        y="approval_rate:Q",
        color=alt.Color("who:N", title=None, scale=alt.Scale(range=[charts.VERMILLION, charts.GREY])),
        shape=alt.Shape("who:N", title=None, scale=alt.Scale(range=["diamond", "circle"])),
        size=alt.condition("datum.is_self", alt.value(160), alt.value(45)),
        tooltip=[
            alt.Tooltip("name:N", title="Myndighet"),
            alt.Tooltip("approval_rate:Q", title="Beviljandegrad", format=".0%"),
            alt.Tooltip("decided:Q", title="Beslutade", format=",.0f"),
            alt.Tooltip("wilson_low:Q", title="Intervall från", format=".0%"),
            alt.Tooltip("wilson_high:Q", title="Intervall till", format=".0%"),
        ],
    )
    chart = (funnel.transform_filter("isValid(datum.funnel_low)") + median + errors + points).properties(
        height=320,
        title=charts.title(
            f"Beviljandegrad mot antal beslut bland {context.group_phrase}, {context.year}",
            f"Trattens band: där 95 % av myndigheterna hamnar av slumpen vid gruppens median. {context.vintage}",
        ),
    )
    return charts.swedish(chart)
