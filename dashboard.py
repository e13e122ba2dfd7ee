"""LOM-benchmark: the Streamlit app. For now it shows what the database holds."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines import settings
from pipelines.models import ModelsOutdated
from queries import data_status
from queries.connection import connect, run

STATUS = {"loaded": "inläst", "unchanged": "oförändrad", "rejected": "avvisad"}
KINDS = {"agencies": "myndigheter", "funds": "medel", "applications": "ansökningar"}


def swedish(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def main() -> None:
    st.set_page_config(page_title="Lokala omställningsmedel", layout="wide")
    st.title("Lokala omställningsmedel – jämförelse mellan myndigheter")
    db = settings.db_path()
    if not db.exists():
        st.info(
            "Det finns ingen databas ännu. Bygg den av exempeldata med "
            "`python -m pipelines bootstrap` eller läs in egna filer med "
            "`python -m pipelines load FIL...`."
        )
        return
    try:
        with connect(db) as con:
            show(con)
    except ModelsOutdated as outdated:
        st.error(f"Måtten kan inte visas: {outdated}.")


def show(con) -> None:
    """Show what the database holds: counts, coverage and the load history."""
    summary = run(con, "loaded_summary").row(0, named=True)
    columns = st.columns(4)
    columns[0].metric("Myndigheter", swedish(summary["agencies"]))
    columns[1].metric("Myndighetsår med medel", swedish(summary["fund_years"]))
    columns[2].metric("Ansökningar", swedish(summary["applications"]))
    years = f"{summary['first_year']}–{summary['last_year']}" if summary["first_year"] else "–"
    columns[3].metric("År", years)
    if summary["last_load"]:
        st.caption(f"Senaste inläsning: {summary['last_load']:%Y-%m-%d %H:%M}")

    st.subheader("Rapporterade år per myndighet")
    coverage = data_status.coverage(con)
    if coverage.is_empty():
        st.info("Inga medel eller ansökningar är inlästa ännu.")
    else:
        applications = pl.col("applications").cast(pl.String)
        cell = (
            pl.when(~pl.col("has_funds") & ~pl.col("has_applications"))
            .then(pl.lit("–"))
            .when(pl.col("applications").is_null())
            .then(pl.lit(".."))
            .when(~pl.col("has_funds"))
            .then(applications + pl.lit("*"))
            .otherwise(applications)
        )
        grid = coverage.with_columns(cell.alias("cell")).pivot(
            "year", index="name", values="cell", aggregate_function="first", sort_columns=True
        )
        st.dataframe(grid.rename({"name": "Myndighet"}), hide_index=True)
        st.caption(
            "Siffran är antalet ansökningar. .. betyder att myndigheten inte rapporterar ansökningar för "
            "året, * att medel saknas för året, – att inget alls är rapporterat."
        )

    st.subheader("Inläsningar")
    history = data_status.load_history(con).with_columns(
        pl.col("status").replace(STATUS), pl.col("kinds").str.replace_many(KINDS)
    )
    st.dataframe(
        history,
        hide_index=True,
        column_config={
            "load_id": "Nr",
            "finished_at": st.column_config.DatetimeColumn("Klar", format="YYYY-MM-DD HH:mm"),
            "file_name": "Fil",
            "kinds": "Innehåll",
            "status": "Status",
            "rows_in_file": "Rader i filen",
            "rows_inserted": "Inlästa",
            "rows_replaced": "Ersatta",
            "errors": "Fel",
            "warnings": "Varningar",
        },
    )


main()
