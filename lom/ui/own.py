"""An agency's own figures on Myndighetsprofil: every one of them, in kronor and counts, year by year,
its projection, and which of its years are reported and when they were loaded. Nothing here is
hidden: an agency holds its own figures already (disclosure control protects the others)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lom.db import measures
from lom.queries import profile, watchlist
from lom.ui import charts, projection, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column, measure_column

# The year as a balance: in and out (the measure Outnyttjade medel is the closing balance).
MONEY = [
    ("allocated_sek", measures.label("allocated_sek")),
    ("spent_sek", measures.label("spent_sek")),
    ("opening_balance_sek", "Ingående saldo"),
    ("closing_balance_sek", "Utgående saldo"),
]
COUNTS = [
    ("applications", "Ansökningar"),
    ("decided", "Beslutade"),
    ("granted", "Beviljade"),
    ("rejected", "Avslag"),
    ("withdrawn", "Återtagna"),
    ("pending", "Pågående"),
]
YEARS = [
    Column("year", "År", "year"),
    Column(
        "employees", "Anställda", "int", "Antal anställda (personer) vid årets slut; måtten per anställd räknas på dem"
    ),
    Column("fte", "Årsarbetskrafter", "number1", "Heltidsekvivalenter, när filen anger dem"),
    *(Column(source, shown, "kronor") for source, shown in MONEY),
    measure_column("utilisation"),
    measure_column("reserve_years"),
    *(Column(source, shown, "int") for source, shown in COUNTS),
    measure_column("approval_rate"),
    Column("wilson_low", f"{measures.label('approval_rate')}, 95 %-intervall från", "percent"),
    Column("wilson_high", f"{measures.label('approval_rate')}, 95 %-intervall till", "percent"),
    measure_column("applications_per_100_employees"),
    Column("granted_sek", "Beviljat belopp", "kronor"),
    measure_column("granted_per_employee_sek"),
    measure_column("median_handling_days"),
]
COVERAGE = [
    Column("year", "År", "year"),
    Column("funds", "Medel"),
    Column("funds_loaded_at", "Medel inlästa", "moment"),
    Column("applications", "Ansökningar", "int"),
    Column("applications_loaded_at", "Ansökningar inlästa", "moment"),
    Column("corrected", "Rättade"),
]
RESERVE_LIMIT = 3.0  # the watchlist's default limit, in years of allocation


def key_figures(figures: pl.DataFrame, name: str, year: int) -> None:
    """The year's kronor and counts as cards, the rates in a sentence below them."""
    st.header(f"Egna siffror {year}")
    this_year = figures.filter(pl.col("year") == year)
    if this_year.is_empty():
        st.info(f"{name} har inga siffror inlästa för {year}.")
        return
    row = this_year.row(0, named=True)
    for column, (source, shown) in zip(st.columns(len(MONEY)), MONEY, strict=True):
        column.metric(shown, fmt.kronor(row[source]), border=True)
    if row["negative_balance"]:
        st.warning(
            f"Utgående saldo {year} är negativt. Det kan inte uppstå av reglerna för medlen, så det är en fråga om "
            "underlaget: stäm av siffrorna innan de används. Saldot rangordnas inte i jämförelsegruppen.",
            icon=":material/help:",
        )
    for column, (source, shown) in zip(st.columns(len(COUNTS)), COUNTS, strict=True):
        column.metric(shown, fmt.number(row[source]), border=True)
    interval = fmt.span_by_unit(row["wilson_low"], row["wilson_high"], "andel")
    st.caption(
        f"{measures.label('approval_rate')} {fmt.by_measure(row['approval_rate'], 'approval_rate')} "
        f"(95 %-intervall {interval}); "
        f"{fmt.number(row['applications_per_100_employees'], 1)} ansökningar per 100 anställda; "
        f"beviljat {fmt.kronor(row['granted_sek'])}, {fmt.kronor(row['granted_per_employee_sek'])} per anställd; "
        f"handläggningstid {fmt.by_measure(row['median_handling_days'], 'median_handling_days')} (median); "
        f"nyttjandegrad {fmt.percent(row['utilisation'])}; saldo {fmt.number(row['reserve_years'], 1)} "
        f"årsavsättningar; {fmt.number(row['employees'])} anställda."
    )


def outlook(context: shell.Context, org_nr: str, name: str) -> None:
    """The agency's projection: its balance path, the year it crosses the limit, the gap in kronor."""
    st.header("Prognos")
    summary = context.fetch(watchlist.own_projection, org_nr, context.year, RESERVE_LIMIT, context.group)
    if summary.is_empty():
        st.info(f"Ingen prognos för {name} {context.year}: den bygger på årets och de två föregående årens medel.")
        return
    path = context.fetch(watchlist.balance_path, org_nr, context.year)
    found = projection.lines(summary.row(0, named=True), RESERVE_LIMIT, context.group_phrase)
    charts.show(
        lambda: projection.chart(path, name, RESERVE_LIMIT, context),
        context.chart_key("own_projection", org_nr),
        projection.description(path, name, found),
        lambda: projection.table(path, f"own_projection_{org_nr}", f"prognos_{org_nr}_{context.year}"),
        width="stretch",
    )
    st.markdown("  \n".join(found))
    st.caption(
        f"Prognosen följer {name}s nyttjandegrad de senaste tre åren med lönesumman oförändrad; gränsen "
        f"{fmt.number(RESERVE_LIMIT, 1)} årsavsättningar är Trygghetsstiftelsens utgångsläge för att erbjuda stöd."
    )


def years(figures: pl.DataFrame, coverage: pl.DataFrame, org_nr: str) -> None:
    """Every year's own figures, and which years are reported and when they were loaded."""
    st.header("Alla år")
    st.caption("Myndighetens egna siffror år för år, som underlag till den årliga redovisningen till parterna.")
    tables.show(figures, YEARS, key="own_years", file_stem=f"egna_siffror_{org_nr}")
    st.header("Inlästa år")
    reported = coverage.with_columns(
        pl.when(pl.col("has_funds")).then(pl.lit("Ja")).otherwise(pl.lit(fmt.MISSING)).alias("funds"),
        pl.when(pl.col("funds_corrected") | pl.col("applications_corrected"))
        .then(pl.lit("Ja"))
        .otherwise(pl.lit("Nej"))
        .alias("corrected"),
    )
    st.caption(
        "Vilka år myndighetens medel och ansökningar finns inlästa, och när de senast lästes in (bara "
        "myndighetens egna leveranser). – betyder att inget är inläst för året."
    )
    tables.show(reported, COVERAGE, key="own_coverage", file_stem=f"inlasta_ar_{org_nr}")


def fetch_figures(context: shell.Context, org_nr: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The agency's own figures, year by year, and its reporting coverage."""
    return context.fetch(profile.own_figures, org_nr), context.fetch(profile.own_coverage, org_nr)
