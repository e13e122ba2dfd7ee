"""Om måtten: what each measure means, how peers are chosen, the allocation rates, the data vintage."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from lom import resources
from lom.queries import data_status
from lom.ui import accessible, charts, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column

MEASURES_DOC = resources.doc("measures.md")
DIRECTION = {"higher_better": "Högre är bättre", "lower_better": "Lägre är bättre", "neutral": "Neutralt"}


def render(context: shell.Context) -> None:
    st.title("Om måtten")
    if context.source is None:
        st.info(shell.NO_DATABASE)
        return
    shell.caption_vintage(context)
    st.markdown(
        "Lokala omställningsmedel (LOM) avsätts varje år som en andel av myndighetens lönesumma. "
        "Myndigheten och de lokala parterna bestämmer tillsammans hur pengarna används. Måtten nedan "
        "räknas på myndigheternas egna, avidentifierade leveranser till Trygghetsstiftelsen."
    )
    st.header("Måtten")
    definitions = context.fetch(data_status.kpi_definitions).with_columns(
        pl.col("direction").replace_strict(DIRECTION, default="Neutralt"),
        pl.when(pl.col("compared")).then(pl.lit("Ja")).otherwise(pl.lit("Nej")).alias("compared_sv"),
    )
    tables.show(
        definitions,
        [
            Column("label_sv", "Mått"),
            Column("definition_sv", "Definition"),
            Column("unit_sv", "Enhet"),
            Column("direction", "Riktning"),
            Column("compared_sv", "Jämförs med grupp"),
        ],
        key="definitions",
        file_stem="definitioner",
    )

    st.header("Läge bland jämförbara myndigheter")
    st.markdown(
        "Som i Kolada delas varje jämförelsegrupp i fjärdedelar efter måttets riktning: "
        f"**{charts.class_label('best')}**, **{charts.class_label('middle')}** och "
        f"**{charts.class_label('worst')}**. Beviljandegraden är neutral: "
        f"**{charts.class_label('high')}**, **{charts.class_label('middle', True)}**, "
        f"**{charts.class_label('low')}**. "
        f"**{charts.class_label(None)}** betyder att värdet saknas. **{charts.class_label('question')}**: ett "
        "negativt saldo kan inte uppstå av reglerna för medlen, så det är en fråga om underlaget och "
        "rangordnas inte. Ett värde lika med en kvartil räknas till "
        f"mitten. I grupper med färre än 4 myndigheter med värde visas inget läge. {charts.CLASS_CAVEAT} "
        "Medianer och kvartiler är oviktade: varje myndighet räknas en gång."
    )
    groups = context.fetch(data_status.peer_group_types)
    tables.show(
        groups,
        [Column("label_sv", "Jämförelsegrupp"), Column("description_sv", "Hur den bildas")],
        key="groups",
        file_stem="jamforelsegrupper",
    )
    settings_row = groups.row(0, named=True)
    st.caption(
        f"Liknande myndigheter: de {settings_row['similar_count']} närmaste efter avståndet "
        f"{fmt.number(settings_row['size_weight'], 1)} × |log2(kvoten mellan antalen anställda)| + "
        f"{fmt.number(settings_row['sector_weight'], 1)} om sektorn skiljer sig."
    )

    st.header("Avsättningens andel av lönesumman")
    rates = context.fetch(data_status.allocation_rates).with_columns(
        pl.col("rate").cast(pl.Float64), pl.col("last_year").cast(pl.String).fill_null("och framåt")
    )
    tables.show(
        rates,
        [
            Column("first_year", "Från år", "year"),
            Column("last_year", "Till och med år"),
            Column("rate", "Andel av lönesumman", "percent1"),
            Column("source", "Källa"),
        ],
        key="rates",
        file_stem="avsattningsandelar",
    )
    changes = rates.sort("first_year")["rate"].to_list()
    if len(changes) >= 2:
        st.markdown(rate_change_example(changes[-2], changes[-1], int(rates["first_year"].max())))
    if context.years:
        charts.show(
            lambda: rates_chart(rates, min(context.years), max(context.years), context),
            context.chart_key("rates"),
            rates_description(rates),
            width="stretch",
        )

    st.header("Underlaget")
    vintage = context.fetch(data_status.data_vintage).row(0, named=True)
    st.markdown(
        f"- Medel för åren {vintage['first_funds_year']}–{vintage['last_funds_year']}, ansökningar för "
        f"{vintage['first_applications_year']}–{vintage['last_applications_year']}\n"
        f"- {fmt.number(vintage['agencies'])} myndigheter, {fmt.number(vintage['agency_years_with_funds'])} "
        f"myndighetsår med medel, {fmt.number(vintage['applications'])} ansökningar\n"
        + (
            f"- {fmt.number(vintage['files_loaded'])} inlästa filer, {fmt.number(vintage['files_rejected'])} "
            f"{'avvisad' if vintage['files_rejected'] == 1 else 'avvisade'}; "
            f"senast inläst {fmt.moment(vintage['last_loaded_at'])}\n"
            if context.viewer.is_tsn
            else f"- Din myndighets leveranser senast inlästa {fmt.moment(vintage['last_loaded_at'])}\n"
        )
        + f"- Rättade leveranser{'' if context.viewer.is_tsn else ' från din myndighet'}: "
        f"{fmt.number(vintage['corrected_slices'])}"
    )
    st.caption(
        "Källor: myndigheternas leveranser enligt datakontraktet; avsättningsandelarna ur Avtal om "
        "lokala omställningsmedel för staten."
    )
    with st.expander("Hela beräkningen med formler (på engelska)"):
        st.markdown(accessible.demote_headings(MEASURES_DOC.read_text(encoding="utf-8"), below=2))


def rates_description(rates: pl.DataFrame) -> str:
    """The rates chart's text alternative: each rate and its years (the table above has them too)."""
    spans = [
        f"{fmt.percent(float(r['rate']), 1)} av lönesumman från {r['first_year']}"
        + (f" till och med {r['last_year']}" if r["last_year"] else "")
        for r in rates.sort("first_year").iter_rows(named=True)
    ]
    return (
        "Stapeldiagram: avsättningens andel av lönesumman år för år. "
        + "; ".join(spans)
        + ". Samma siffror står i tabellen ovanför diagrammet."
    )


def rates_chart(rates: pl.DataFrame, first: int, last: int, context: shell.Context) -> alt.Chart:
    """The allocation rate of every year the data covers."""
    years = pl.DataFrame({"year": list(range(first, last + 1))})
    per_year = years.join_where(
        rates.with_columns(pl.col("last_year").cast(pl.Int64, strict=False).fill_null(9999)),
        pl.col("year") >= pl.col("first_year"),
        pl.col("year") <= pl.col("last_year"),
    )
    chart = (
        alt.Chart(per_year.select("year", "rate"))
        .mark_bar(color=charts.BLUE)
        .encode(
            x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("rate:Q", title="Andel av lönesumman", axis=alt.Axis(format=".1%")),
            tooltip=[alt.Tooltip("year:O", title="År"), alt.Tooltip("rate:Q", title="Andel", format=".1%")],
        )
        .properties(
            height=280, title=charts.title(f"Avsättningens andel av lönesumman, {first}–{last}", context.vintage)
        )
    )
    return charts.swedish(chart)


EXAMPLE_PAYROLL = 100_000_000
EXAMPLE_SPENT = 250_000
EXAMPLE_BALANCE = 600_000


def rate_change_example(before: float, after: float, year: int) -> str:
    """What a lower allocation rate does to the same agency's measures, worked through in kronor."""
    old, new = EXAMPLE_PAYROLL * before, EXAMPLE_PAYROLL * after
    return (
        f"**Så påverkar ändringen {year} måtten.** En myndighet med en lönesumma på "
        f"{fmt.kronor(EXAMPLE_PAYROLL)} avsätter {fmt.kronor(old)} om året med {fmt.percent(before, 1)} "
        f"men {fmt.kronor(new)} med {fmt.percent(after, 1)}. Nyttjar den {fmt.kronor(EXAMPLE_SPENT)} båda åren "
        f"blir nyttjandegraden {fmt.percent(EXAMPLE_SPENT / old)} före och {fmt.percent(EXAMPLE_SPENT / new)} "
        f"efter, och ett saldo på {fmt.kronor(EXAMPLE_BALANCE)} motsvarar {fmt.number(EXAMPLE_BALANCE / old, 1)} "
        f"årsavsättningar före men {fmt.number(EXAMPLE_BALANCE / new, 1)} efter. Samma arbete ser alltså ut som "
        f"högre nyttjande och större reserv från {year}; diagrammen över åren markerar {year} med en linje."
    )
