"""Uppföljning on the pages: the form and history beside an agency, the overdue follow-ups at the
top of the watchlist, the log's columns in the watchlist table, and contacts on the trend charts.

Only Trygghetsstiftelsen's role sees any of it: for every other viewer each function draws
nothing and reads nothing, so nothing of the log reaches their browser. lom.followup.log checks
the role again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import altair as alt
import polars as pl
import streamlit as st

from lom.followup import log
from lom.followup.charts import with_contacts
from lom.followup.log import MAX_TEXT, TIME_ZONE, Entry, Refused, Status
from lom.followup.store import StoreUnavailable, open_store
from lom.ui import auth, shell, tables
from lom.ui.tables import Column

# The watchlist table's columns from the log (lom.followup.section.with_latest adds them).
COLUMNS = [
    Column("followup_status", "Status", help="Den senaste anteckningens status i uppföljningen"),
    Column("last_contact", "Senaste kontakt", "date", "Dagen för den senaste kontakten som loggats"),
    Column("next_follow_up", "Nästa uppföljning", "date", "Enligt den senaste anteckningen"),
]
HISTORY = [
    Column("written", "Skrivet", "moment"),
    Column("status", "Status"),
    Column("next_follow_up", "Nästa uppföljning", "date"),
    Column("note", "Anteckning"),
    Column("plan", "Myndighetens plan"),
    Column("written_by", "Skrivet av"),
]
LOG = [Column("name", "Myndighet"), Column("org_nr", "Organisationsnummer"), *HISTORY]
OVERDUE = [
    Column("name", "Myndighet"),
    Column("status", "Status"),
    Column("next_follow_up", "Nästa uppföljning", "date"),
    Column("days_overdue", "Dagar sedan", "int"),
    Column("last_contact", "Senaste kontakt", "date"),
]
NO_PERSONAL_DATA = (
    "Skriv inga personuppgifter: inga personnummer, samordningsnummer, e-postadresser eller namn på "
    "enskilda personer. Text med personnummer, samordningsnummer eller e-postadress sparas inte."
)
UNAVAILABLE = "Uppföljningsloggen kan inte nås just nu ({}). Resten av sidan visas som vanligt."
LOCAL_WRITER = "lokal användare (ingen inloggning)"


def today() -> date:
    """Today in Sweden."""
    return datetime.now(ZoneInfo(TIME_ZONE)).date()


def writer_identity() -> str:
    """Who writes: the login's e-mail address (as ui.auth reads it), or the local user."""
    if not auth.login_configured():
        return LOCAL_WRITER
    return st.user.get("email") or st.user.get("preferred_username") or ""


def with_names(frame: pl.DataFrame, context: shell.Context) -> pl.DataFrame:
    """Add each agency's name (its org_nr when the published database does not know it)."""
    names = context.agencies.select("org_nr", "name") if context.agencies is not None else None
    if names is None:
        return frame.with_columns(name=pl.col("org_nr"))
    joined = frame.join(names, on="org_nr", how="left", maintain_order="left")
    return joined.with_columns(pl.col("name").fill_null(pl.col("org_nr")))


def local_times(frame: pl.DataFrame) -> pl.DataFrame:
    """When each entry was written, in Swedish time without a zone (as the tables and Excel show it)."""
    return frame.with_columns(written=pl.col("written_at").dt.convert_time_zone(TIME_ZONE).dt.replace_time_zone(None))


# --- the watchlist ------------------------------------------------------------------------------


def overdue_list(context: shell.Context) -> None:
    """The follow-ups whose date has passed, longest overdue first, and the whole log as a file."""
    if not context.viewer.is_tsn:
        return
    role = context.viewer.role
    try:
        latest = log.latest(open_store(), role=role)
    except StoreUnavailable as problem:
        st.error(UNAVAILABLE.format(problem), icon=":material/cloud_off:")
        return
    late = log.overdue_in(latest, today())
    with st.container(border=True):
        if late.is_empty():
            st.markdown("**Försenade uppföljningar:** inga.")
        else:
            st.markdown(f"**Försenade uppföljningar ({late.height})**: nästa uppföljning har passerat.")
            tables.show(with_names(late, context), OVERDUE, key="followup-overdue", file_stem="forsenade_uppfoljningar")
        if not latest.is_empty():
            st.caption("Hela uppföljningsloggen, alla myndigheter:")
            tables.download_buttons(lambda: _whole_log(role, context), "uppfoljningslogg", "followup-log")


def _whole_log(role: str, context: shell.Context) -> pl.DataFrame:
    """The whole log as a download holds it, read when the download is asked for."""
    return tables.export_frame(local_times(with_names(log.entries(open_store(), role=role), context)), LOG)


def watchlist_columns(columns: list[Column]) -> list[Column]:
    """The watchlist table's columns with the log's after the agency's name and sector."""
    return [*columns[:2], *COLUMNS, *columns[2:]]


def with_latest(listed: pl.DataFrame, context: shell.Context) -> pl.DataFrame:
    """The watchlist's rows with the log's newest status, last contact and next follow-up."""
    empty = listed.with_columns(
        followup_status=pl.lit(None, pl.String),
        last_contact=pl.lit(None, pl.Date),
        next_follow_up=pl.lit(None, pl.Date),
    )
    if not context.viewer.is_tsn:
        return empty
    try:
        latest = log.latest(open_store(), role=context.viewer.role)
    except StoreUnavailable:
        return empty  # overdue_list has said so
    columns = latest.select("org_nr", pl.col("status").alias("followup_status"), "last_contact", "next_follow_up")
    return listed.join(columns, on="org_nr", how="left", maintain_order="left")


# --- beside one agency --------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    """The widget and state keys of one agency's form on one page."""

    place: str
    org_nr: str

    def __call__(self, name: str) -> str:
        return f"followup-{self.place}-{self.org_nr}-{name}"


def section(context: shell.Context, org_nr: str, name: str, place: str) -> None:
    """Uppföljning: the form that appends an entry for the agency, and its history beneath."""
    if not context.viewer.is_tsn:
        return
    st.header("Uppföljning")
    keys = Keys(place, org_nr)
    try:
        history = log.history(open_store(), org_nr, role=context.viewer.role)
    except StoreUnavailable as problem:
        st.error(UNAVAILABLE.format(problem), icon=":material/cloud_off:")
        return
    said = st.session_state.pop(keys("message"), None)
    if said:
        (st.success if said[0] == "saved" else st.error)(said[1])
    st.session_state.setdefault(keys("pending"), str(uuid.uuid4()))  # one id per entry: a second click stores it once
    with st.form(keys("form")):
        left, right = st.columns(2)
        left.selectbox("Status", [s.value for s in Status], key=keys("status"))
        right.date_input("Nästa uppföljning", value=None, min_value=today(), format="YYYY-MM-DD", key=keys("next"))
        st.caption(NO_PERSONAL_DATA)
        st.text_area("Anteckning", key=keys("note"), max_chars=MAX_TEXT, placeholder="Vad som sades och gjordes")
        st.text_area(
            "Myndighetens plan",
            key=keys("plan"),
            max_chars=MAX_TEXT,
            placeholder="Vad myndigheten säger att den ska göra med medlen",
        )
        st.form_submit_button(
            "Spara", type="primary", key=keys("submit"), on_click=_save,
            args=(context.viewer.role, writer_identity(), org_nr, name, keys),
        )  # fmt: skip
    if history.is_empty():
        st.caption(f"Inget är loggat om {name} ännu.")
        return
    st.caption(f"Historik för {name}: {history.height} anteckningar, den senaste först. Inget ändras i efterhand.")
    tables.show(local_times(history), HISTORY, key=f"followup-history-{place}", file_stem=f"uppfoljning_{org_nr}")


def _save(role: str, writer: str, org_nr: str, name: str, keys: Keys) -> None:
    """Append the form's entry (a callback: before the rerun draws the form again)."""
    state = st.session_state
    entry = Entry(
        org_nr=org_nr,
        status=Status(state[keys("status")]),
        next_follow_up=state.get(keys("next")),
        note=state.get(keys("note")) or "",
        plan=state.get(keys("plan")) or "",
    )
    try:
        log.append(open_store(), entry, role=role, writer=writer, entry_id=state.get(keys("pending")))
    except Refused as refused:
        state[keys("message")] = ("refused", str(refused))  # the fields keep their text to be corrected
        return
    except StoreUnavailable as problem:
        state[keys("message")] = ("refused", f"Inget sparades: {problem}. Försök igen om en stund.")
        return
    state[keys("message")] = ("saved", f"Sparat i uppföljningen av {name}.")
    # Set, not forgotten: a forgotten value stays in the browser's field; a set one replaces it.
    state[keys("note")], state[keys("plan")], state[keys("next")] = "", "", None
    state.pop(keys("pending"), None)


# --- the trend charts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactMarks:
    """The contacts to mark on one agency's trend charts, and what a chart's cache key needs of them."""

    contacts: pl.DataFrame | None = None
    key: tuple = field(default_factory=tuple)

    def apply(self, chart: alt.LayerChart) -> alt.LayerChart:
        return chart if self.contacts is None else with_contacts(chart, self.contacts)


def contact_marks(context: shell.Context, org_nr: str) -> ContactMarks:
    """The agency's contact days, for Trygghetsstiftelsen's view only (none for anyone else)."""
    if not context.viewer.is_tsn:
        return ContactMarks()
    try:
        contacts = log.contacts(open_store(), org_nr, role=context.viewer.role)
    except StoreUnavailable:
        return ContactMarks()
    days = contacts.select(pl.col("contact_day").cast(pl.String), "status").rows()
    return ContactMarks(contacts, ("contacts", *days))
