"""Data och inläsning (TSN): who reported which years, the load history, rejected files with their
errors, and upload of new files through the same pipeline as the command line."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path, PurePosixPath

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from lom.db import settings
from lom.db.outcomes import FileKind, LoadStatus
from lom.db.store import LoadBusy, WriteFailed
from lom.queries import data_status, overview, uploads
from lom.ui import charts, data, queue, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column

SEVERITY = {"error": "fel", "warning": "varning"}
RESULT_KEY = "_upload_results"
logger = logging.getLogger(__name__)

HISTORY = [
    Column("load_id", "Nr", "int"),
    Column("finished_at", "Klar", "moment"),
    Column("file_name", "Fil"),
    Column("kinds", "Innehåll"),
    Column("status", "Status"),
    Column("rows_in_file", "Rader i filen", "int"),
    Column("rows_inserted", "Inlästa", "int"),
    Column("rows_replaced", "Ersatta", "int"),
    Column("errors", "Fel", "int"),
    Column("warnings", "Varningar", "int"),
]
REJECTED_COLUMNS = [
    Column("load_id", "Nr", "int"),
    Column("finished_at", "Avvisad", "moment"),
    Column("file_name", "Fil"),
    Column("errors", "Fel", "int"),
    Column("first_error", "Första felet"),
]
MESSAGES = [
    Column("severity", "Typ"),
    Column("sheet", "Blad"),
    Column("row_number", "Rad", "int"),
    Column("column_name", "Kolumn"),
    Column("message", "Fel"),
    Column("rule", "Regel"),
]
UPLOAD_MESSAGES = [
    *MESSAGES[:5],
    Column("value", "Värde", help="Cellens innehåll (visas inte om filen har personuppgifter)"),
    MESSAGES[5],
]


def render(context: shell.Context) -> None:
    st.title("Data och inläsning")
    if not context.viewer.is_tsn:
        st.warning("Inläsning och inläsningshistorik är bara för Trygghetsstiftelsen.")
        return
    if context.source is not None:
        shell.caption_vintage(context)
    upload(context)
    if context.source is None:
        st.info(shell.NO_DATABASE)
        return
    waiting = queue.read_queue(context)
    queue.section(context, waiting)
    queue.reporting_status(context, waiting)
    coverage(context)
    history(context)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_button() -> None:
    """Ladda ner mallen (Excel): the workbook agencies fill in, made from the loader's own contract."""
    st.download_button(
        "Ladda ner mallen för inrapportering (Excel)",
        data=uploads.template,
        file_name="lom-mall-for-inrapportering.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="template_download",
        help="Ett blad per filtyp med rubriker, exempel och listor över tillåtna värden, och ett blad med "
        "anvisningar. En ifylld mall läses in som den är.",
    )


def upload(context: shell.Context) -> None:
    """Files through the loader: each file is checked whole and loaded in one transaction, or not at all."""
    st.header("Läs in filer")
    results = st.session_state.pop(RESULT_KEY, None)
    if results:
        show_results(results)
    limit = settings.max_file_bytes() // (1024 * 1024)
    st.caption(
        "Myndighetsregister, medel och ansökningar som CSV eller Excel enligt datakontraktet. En fil med fel "
        f"läses inte in alls, och det som redan finns ändras inte. Högst {limit} MB per fil."
    )
    template_button()
    round_ = st.session_state.get("_upload_round", 0)
    files = st.file_uploader(
        "Filer", type=["csv", "xlsx"], accept_multiple_files=True, key=f"upload_{round_}", label_visibility="collapsed"
    )
    if not files or not st.button("Läs in", type="primary", key="load_button", icon=":material/upload:"):
        return
    bar = st.progress(0.0, text="Läser filerna …")

    def listener(label: str, stage: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{label}: {stage}" if label else stage.capitalize())

    with tempfile.TemporaryDirectory(prefix="lom-upload-") as folder:
        try:
            paths = []
            for number, uploaded in enumerate(files):
                path = Path(folder) / f"{number:03d}" / upload_name(uploaded.name, number)
                path.parent.mkdir()
                path.write_bytes(uploaded.getbuffer())
                paths.append(path)
            results = uploads.load(paths, settings.db_path(), role=context.viewer.role, listener=listener)
        except LoadBusy as busy:
            bar.empty()
            st.error(f"Filerna lästes inte in: {busy}. Försök igen om en stund.")
            return
        except WriteFailed as failed:
            bar.empty()
            logger.error("upload not written: %s", failed)
            st.error(f"Filerna lästes inte in: {failed}.")
            return
        except (OSError, duckdb.Error) as failure:
            bar.empty()
            logger.exception("upload failed")
            st.error(
                "Filerna lästes inte in: databasen kunde inte skrivas "
                f"({type(failure).__name__}). Det som redan fanns är oförändrat."
            )
            return
    bar.progress(1.0, text="Klart")
    data.clear()
    st.session_state[RESULT_KEY] = [shown(result) for result in results]
    st.session_state["_upload_round"] = round_ + 1  # an empty uploader for the next files
    st.rerun()


def upload_name(sent: str, number: int) -> str:
    """The file's own name without any folder, with nothing a file system or a terminal would
    take for something else (separators, control characters, what Windows forbids); every other
    character is kept, so that the loader sees, and refuses, a personnummer written into the name
    with a dash of any kind. The load log shows it escaped, with personal data replaced."""
    name = re.sub(r'[\x00-\x1f\x7f/\\<>:"|?*;]', "_", PurePosixPath(sent.replace("\\", "/")).name).lstrip(". ")
    while len(name.encode()) > MAX_NAME_BYTES:  # a file system's limit is 255 bytes
        name = name[1:]
    return name or f"fil_{number}"


MAX_NAME_BYTES = 200


def shown(result: dict) -> dict:
    """A file's result in the page's words: kinds and severities in Swedish."""
    findings = result["findings"].with_columns(pl.col("severity").replace_strict(SEVERITY))
    return result | {"kinds": [FileKind(kind).label for kind in result["kinds"]], "findings": findings}


def show_results(results: list[dict]) -> None:
    for number, result in enumerate(results):
        kinds = ", ".join(result["kinds"]) or "okänt innehåll"
        if result["status"] == LoadStatus.REJECTED:
            st.error(
                f"**{result['file']}** avvisades: {fmt.number(result['errors'])} fel. Inget i filen lästes in, "
                "och databasen är oförändrad."
            )
            tables.show(
                result["findings"].sort("severity", "row_number", nulls_last=True),
                UPLOAD_MESSAGES,
                key=f"upload_findings_{number}",
                file_stem=f"fel_{Path(result['file']).stem}",
            )
        elif result["status"] == LoadStatus.UNCHANGED:
            st.info(f"**{result['file']}** ({kinds}): oförändrad, samma innehåll finns redan.")
        else:
            st.success(
                f"**{result['file']}** ({kinds}): {fmt.number(result['rows_inserted'])} rader inlästa, "
                f"{fmt.number(result['rows_replaced'])} ersatta, {fmt.number(result['warnings'])} varningar."
            )


def coverage(context: shell.Context) -> None:
    st.header("Rapporterade år per myndighet")
    years = context.fetch(overview.years)
    charts.show(
        lambda: reporting_chart(years, context),
        context.chart_key("reporting"),
        reporting_description(years),
        width="stretch",
    )
    grid = context.fetch(data_status.coverage)
    if grid.is_empty():
        st.info("Inga medel eller ansökningar är inlästa ännu.")
        return
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
    marked = (
        pl.when(pl.col("funds_corrected") | pl.col("applications_corrected")).then(pl.lit(" (r)")).otherwise(pl.lit(""))
    )
    grid = shell.sector_filter(grid, context).with_columns((cell + marked).alias("cell"))
    wide = grid.pivot("year", index="name", values="cell", aggregate_function="first", sort_columns=True)
    columns = [Column("name", "Myndighet")] + [Column(c, c) for c in wide.columns if c != "name"]
    tables.show(wide, columns, key="coverage", file_stem="rapporterade_ar", height=420)
    st.caption(
        "Siffran är antalet ansökningar. .. betyder att myndigheten inte rapporterar ansökningar för året, "
        "* att medel saknas för året, – att inget alls är rapporterat och (r) att året är rättat efter "
        "första inläsningen."
    )


def history(context: shell.Context) -> None:
    st.header("Inläsningar")
    loads = context.fetch(data_status.load_history).with_columns(
        pl.col("status").replace(LoadStatus.labels()), pl.col("kinds").str.replace_many(FileKind.labels())
    )
    tables.show(loads, HISTORY, key="history", file_stem="inlasningar")

    st.header("Avvisade filer")
    rejected = context.fetch(data_status.rejected_files)
    if rejected.is_empty():
        st.success("Ingen fil har avvisats.")
        return
    st.caption("Välj en fil för att se alla dess fel.")
    picked = tables.show(
        rejected,
        REJECTED_COLUMNS,
        key=f"rejected-{rejected['load_id'][0]}",  # a new rejection, a new choice
        file_stem="avvisade_filer",
        selectable=True,
    )
    load_id = rejected["load_id"][picked if picked is not None else 0]
    messages = context.fetch(data_status.load_messages, int(load_id)).with_columns(pl.col("severity").replace(SEVERITY))
    st.markdown(f"**Fel i inläsning {load_id}** ({rejected.filter(pl.col('load_id') == load_id)['file_name'][0]})")
    tables.show(messages, MESSAGES, key="rejected_messages", file_stem=f"fel_inlasning_{load_id}")


def reporting_description(years: pl.DataFrame) -> str:
    """The reporting chart's text alternative: the first and last year's counts (the grid below has
    every agency and year)."""
    if years.is_empty():
        return "Stapeldiagram utan värden: inga år är inlästa."
    ordered = years.sort("year")

    def counts(row: dict) -> str:
        return (
            f"{row['year']}: {fmt.number(row['agencies_with_funds'])} med medel och "
            f"{fmt.number(row['agencies_with_applications'])} med ansökningar"
        )

    return (
        "Stapeldiagram: antalet myndigheter som rapporterat medel och ansökningar, år för år. "
        f"{counts(ordered.row(0, named=True))}; {counts(ordered.row(-1, named=True))}. "
        "Tabellen under diagrammet visar varje myndighet och år."
    )


def reporting_chart(years: pl.DataFrame, context: shell.Context) -> alt.Chart:
    """How many agencies reported funds and applications each year."""
    kinds = {"agencies_with_funds": "Medel", "agencies_with_applications": "Ansökningar"}
    data_ = years.unpivot(index="year", on=list(kinds), variable_name="kind", value_name="agencies").with_columns(
        pl.col("kind").replace_strict(kinds)
    )
    chart = (
        alt.Chart(data_)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("kind:N", sort=list(kinds.values())),
            y=alt.Y("agencies:Q", title="Myndigheter", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "kind:N",
                title=None,
                sort=list(kinds.values()),
                scale=alt.Scale(range=[charts.BLUE, charts.DARK_ORANGE]),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="År"),
                alt.Tooltip("kind:N", title="Rapporterat"),
                alt.Tooltip("agencies:Q", title="Myndigheter"),
            ],
        )
        .properties(height=300, title=charts.title("Myndigheter som rapporterat, per år", context.vintage))
    )
    return charts.swedish(chart)
