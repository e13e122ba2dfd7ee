"""On Data och inläsning, for Trygghetsstiftelsen: the files agencies submitted, to load or return,
and the reporting status of a year (who has reported, who has submitted, who needs a reminder)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from lom.db import settings
from lom.db.store import LoadBusy, WriteFailed
from lom.followup import submissions
from lom.followup.section import with_names, writer_identity
from lom.followup.store import StoreUnavailable, open_store
from lom.queries import data_status, uploads
from lom.ui import data, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column

logger = logging.getLogger(__name__)
QUEUE = [
    Column("name", "Myndighet"),
    Column("file_name", "Fil"),
    Column("kinds", "Innehåll"),
    Column("years", "År"),
    Column("row_count", "Rader", "int"),
    Column("replaces", "Ersätter"),
    Column("submitted_by", "Inskickad av"),
    Column("submitted_at", "Inskickad", "moment"),
    Column("status", "Status"),
]
STATUS = [
    Column("name", "Myndighet"),
    Column("org_nr", "Organisationsnummer"),
    Column("funds", "Medel"),
    Column("applications", "Ansökningar"),
    Column("submitted", "Inskickad, ej inläst"),
    Column("state", "Läge"),
]
REPORTED, SUBMITTED, MISSING, PARTLY = "Rapporterat", "Inskickad, väntar", "Ej rapporterat", "Delvis rapporterat"


def year_span() -> pl.Expr:
    """The years a file covers, as 2023 or 2023–2024; empty when it has none."""
    first, last = pl.col("first_year").cast(pl.String), pl.col("last_year").cast(pl.String)
    return (
        pl.when(pl.col("first_year").is_null())
        .then(pl.lit(""))
        .when(pl.col("first_year") == pl.col("last_year"))
        .then(first)
        .otherwise(pl.concat_str(first, pl.lit("–"), last))
    )


def read_queue(context: shell.Context) -> pl.DataFrame | None:
    """Every submission, with the agency's name, or None (said on the page) when the store is out of reach."""
    try:
        queue = submissions.queue(open_store(), role=context.viewer.role)
    except StoreUnavailable as problem:
        st.warning(f"Kön kunde inte läsas: {problem}.")
        return None
    return with_names(queue, context)


def section(context: shell.Context, queue: pl.DataFrame | None) -> None:
    """Inskickade filer: the waiting files first; load one, or return it with a message."""
    st.header("Inskickade filer")
    if done := st.session_state.pop("_queue_done", None):
        st.success(done)
    if queue is None:
        return
    if queue.is_empty():
        st.info("Inga filer har skickats in av myndigheterna.")
        return
    coverage = context.fetch(data_status.coverage) if context.source is not None else None
    shown = queue.with_columns(years=year_span(), replaces=replaces(queue, coverage)).sort(
        pl.col("status") != submissions.WAITING, "submitted_at", descending=[False, True]
    )
    st.caption("Välj en fil för att läsa in den eller skicka tillbaka den med ett meddelande.")
    picked = tables.show(
        shown, QUEUE, key=f"queue-{shown['submission_id'][0]}", file_stem="inskickade_filer", selectable=True
    )
    row = shown.row(picked if picked is not None else 0, named=True)
    st.markdown(f"**{row['file_name']}** från {row['name']} ({row['status'].lower()})")
    if row["status"] != submissions.WAITING:
        said = f": {row['message']}" if row["message"] else ""
        st.caption(f"{row['status']} av {row['decided_by']} {fmt.moment(row['decided_at'])}{said}")
        return
    left, right = st.columns(2)
    if left.button("Läs in filen", type="primary", key="queue_load", icon=":material/upload:"):
        load(context, row)
    message = right.text_area("Meddelande till myndigheten", key="queue_message", max_chars=submissions.MAX_MESSAGE)
    if right.button("Skicka tillbaka", key="queue_return", icon=":material/undo:"):
        decide(context, row, submissions.RETURNED, message)


def replaces(queue: pl.DataFrame, coverage: pl.DataFrame | None) -> pl.Expr:
    """What a load of each file would replace: the agency's years already loaded within its years."""
    if coverage is None or coverage.is_empty():
        return pl.lit("")
    loaded = []
    for row in queue.iter_rows(named=True):
        if row["first_year"] is None:
            loaded.append("")
            continue
        years = coverage.filter(
            (pl.col("org_nr") == row["org_nr"]) & pl.col("year").is_between(row["first_year"], row["last_year"])
        )
        parts = []
        if "medel" in row["kinds"] and (funds := years.filter(pl.col("has_funds")).height):
            parts.append(f"medel för {funds} år")
        if "ansökningar" in row["kinds"] and (apps := years.filter(pl.col("has_applications")).height):
            parts.append(f"ansökningar för {apps} år")
        loaded.append(", ".join(parts) or "inget")
    return pl.Series("replaces", loaded, dtype=pl.String)


def load(context: shell.Context, row: dict) -> None:
    """Load a submitted file through the loader, all or nothing; on success the agency sees it loaded."""
    store = open_store()
    try:
        org_nr, name, content = submissions.content(store, row["submission_id"], role=context.viewer.role)
        with tempfile.TemporaryDirectory(prefix="lom-queue-") as folder:
            path = Path(folder) / (Path(name).name or "fil")
            path.write_bytes(content)
            [result] = uploads.load([path], settings.db_path(), role=context.viewer.role, sender=org_nr)
    except (LookupError, ValueError, StoreUnavailable, LoadBusy, WriteFailed) as problem:
        st.error(f"Filen lästes inte in: {problem}")
        return
    except OSError as failure:
        logger.exception("queued file not loaded")
        st.error(f"Filen lästes inte in: databasen kunde inte skrivas ({type(failure).__name__}).")
        return
    if result["status"] == "rejected":
        st.error(
            f"**{name}** avvisades vid inläsningen: {fmt.number(result['errors'])} fel (databasen kan ha ändrats "
            "sedan myndigheten kontrollerade filen). Inget lästes in; skicka tillbaka filen med ett meddelande."
        )
        return
    said = f"{fmt.number(result['rows_inserted'])} rader inlästa, {fmt.number(result['rows_replaced'])} ersatta"
    data.clear()  # the published database changed
    decide(context, row, submissions.LOADED, said)


def decide(context: shell.Context, row: dict, outcome: str, message: str) -> None:
    try:
        submissions.decide(
            open_store(), row["submission_id"], outcome, message, role=context.viewer.role, writer=writer_identity()
        )
    except (submissions.NotSubmittable, StoreUnavailable) as problem:
        st.error(str(problem))
        return
    st.session_state["_queue_done"] = f"**{row['file_name']}** från {row['name']}: {outcome.lower()}."
    st.rerun()


def reporting_status(context: shell.Context, queue: pl.DataFrame | None) -> None:
    """Rapporteringsläge: per agency for the chosen year, what is loaded, what waits, what is missing."""
    year = context.year
    st.header(f"Rapporteringsläge {year}")
    coverage = context.fetch(data_status.coverage).filter(pl.col("year") == year)
    agencies = context.agencies.select("org_nr", "name")
    waiting = (
        submissions.waiting_years(queue).filter(pl.col("year") == year).select("org_nr", "waiting")
        if queue is not None and not queue.is_empty()
        else pl.DataFrame(schema={"org_nr": pl.String, "waiting": pl.Boolean})
    )
    status = (
        agencies.join(coverage.select("org_nr", "has_funds", "reports_applications"), on="org_nr", how="left")
        .join(waiting, on="org_nr", how="left")
        .with_columns(pl.col("has_funds", "reports_applications", "waiting").fill_null(False))
        .with_columns(
            funds=_yes("has_funds"),
            applications=_yes("reports_applications"),
            submitted=_yes("waiting"),
            state=pl.when(pl.col("has_funds") & pl.col("reports_applications"))
            .then(pl.lit(REPORTED))
            .when(pl.col("waiting"))
            .then(pl.lit(SUBMITTED))
            .when(pl.col("has_funds") | pl.col("reports_applications"))
            .then(pl.lit(PARTLY))
            .otherwise(pl.lit(MISSING)),
        )
    )
    status = shell.sector_filter(status.join(context.agencies.select("org_nr", "sector"), on="org_nr"), context)
    order = {MISSING: 0, PARTLY: 1, SUBMITTED: 2, REPORTED: 3}
    status = status.sort(pl.col("state").replace_strict(order), "name")
    counts = status["state"].value_counts()
    said = {row["state"]: row["count"] for row in counts.iter_rows(named=True)}
    st.caption(
        ", ".join(f"{state.lower()}: {fmt.number(said.get(state, 0))}" for state in order)
        + ". Ladda ner tabellen som påminnelselista; de som inte har rapporterat står först."
    )
    tables.show(status, STATUS, key=f"reporting_status_{year}", file_stem=f"rapporteringslage_{year}")


def _yes(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Ja")).otherwise(pl.lit("Nej"))
