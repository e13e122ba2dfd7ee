"""Skicka in uppgifter (an agency): check a file as the loader will, submit it when it has no error
and holds only the agency's own rows, and follow its own submissions to Trygghetsstiftelsen."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from lom.db import settings
from lom.followup import submissions
from lom.followup.section import writer_identity
from lom.followup.store import StoreUnavailable, open_store
from lom.queries import uploads
from lom.ui import format as fmt
from lom.ui import shell, tables
from lom.ui.pages.data import UPLOAD_MESSAGES, shown, template_button, upload_name
from lom.ui.queue import year_span
from lom.ui.tables import Column

TITLE = "Skicka in uppgifter"
CHECKED_KEY = "_submit_checked"  # the checked file of this session: its bytes and the check's summary
logger = logging.getLogger(__name__)

OWN_SUBMISSIONS = [
    Column("submitted_at", "Skickad", "moment"),
    Column("file_name", "Fil"),
    Column("kinds", "Innehåll"),
    Column("years", "År"),
    Column("row_count", "Rader", "int"),
    Column("status", "Status"),
    Column("message", "Meddelande från Trygghetsstiftelsen"),
]


def render(context: shell.Context) -> None:
    st.title(TITLE)
    if context.viewer.is_tsn:
        st.info(
            "Här kontrollerar och skickar en myndighet in sina filer. Trygghetsstiftelsen läser in eller skickar "
            "tillbaka dem i kön på sidan Data och inläsning, där också rapporteringsläget för året finns."
        )
        template_button()
        return
    st.markdown(
        "Kontrollera filen här innan den skickas: sidan visar samma fel och varningar som inläsningen, med rad och "
        "kolumn. En fil kan skickas in när den inte har några fel och bara innehåller myndighetens egna rader. "
        "Trygghetsstiftelsen läser sedan in den eller skickar tillbaka den med ett meddelande."
    )
    template_button()
    check_and_submit(context)
    own_submissions(context)


def check_and_submit(context: shell.Context) -> None:
    st.header("Kontrollera och skicka in en fil")
    role = context.viewer.role
    round_ = st.session_state.get("_submit_round", 0)
    uploaded = st.file_uploader(
        "Fil att kontrollera (CSV eller Excel)", type=["csv", "xlsx"], key=f"submit_upload_{round_}"
    )
    if uploaded is not None and st.button("Kontrollera", key="submit_check", icon=":material/fact_check:"):
        content = bytes(uploaded.getbuffer())
        with tempfile.TemporaryDirectory(prefix="lom-submit-") as folder:
            path = Path(folder) / upload_name(uploaded.name, 0)
            path.write_bytes(content)
            [summary] = uploads.check_as([path], settings.db_path(), role=role)
        st.session_state[CHECKED_KEY] = {"content": content, "summary": summary}
    checked = st.session_state.get(CHECKED_KEY)
    if not checked:
        return
    summary = checked["summary"]
    show_check(shown(summary))  # kinds and severities in Swedish
    if summary["errors"]:
        return
    if st.button("Skicka in filen", type="primary", key="submit_send", icon=":material/send:"):
        try:
            submissions.submit(open_store(), checked["content"], summary, role=role, writer=writer_identity())
        except (StoreUnavailable, submissions.NotSubmittable) as problem:
            st.error(f"Filen skickades inte: {problem}")
            return
        st.session_state.pop(CHECKED_KEY, None)
        st.session_state["_submit_round"] = round_ + 1
        st.session_state["_submit_sent"] = summary["file"]
        st.rerun()


def show_check(summary: dict) -> None:
    name, errors, warnings = summary["file"], summary["errors"], summary["warnings"]
    if errors:
        other = summary["findings"].filter(pl.col("rule") == "annan myndighet").height
        because = " Filen innehåller rader som gäller en annan myndighet." if other else ""
        st.error(
            f"**{name}** har {fmt.number(errors)} fel och kan inte skickas in.{because} Rätta felen i filen och "
            "kontrollera den igen."
        )
    else:
        kinds = ", ".join(summary["kinds"]) or "okänt innehåll"
        st.success(
            f"**{name}** ({kinds}, {fmt.number(summary['rows_in_file'])} rader): inga fel, "
            f"{fmt.number(warnings)} varningar. Filen kan skickas in."
        )
    if not summary["findings"].is_empty():
        tables.show(
            summary["findings"].sort("severity", "row_number", nulls_last=True),
            UPLOAD_MESSAGES,
            key="submit_findings",
            file_stem=f"kontroll_{Path(name).stem}",
        )


def own_submissions(context: shell.Context) -> None:
    st.header("Myndighetens inskickade filer")
    if sent := st.session_state.pop("_submit_sent", None):
        st.success(f"**{sent}** är inskickad och väntar på Trygghetsstiftelsen.")
    try:
        own = submissions.own(open_store(), role=context.viewer.role)
    except StoreUnavailable as problem:
        st.warning(f"De inskickade filerna kunde inte visas: {problem}.")
        return
    if own.is_empty():
        st.info("Myndigheten har inte skickat in några filer här ännu.")
        return
    shown = own.with_columns(
        years=year_span(),
        message=pl.col("message").fill_null(""),
    )
    tables.show(shown, OWN_SUBMISSIONS, key="own_submissions", file_stem="inskickade_filer")
