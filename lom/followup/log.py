"""The follow-up log: Trygghetsstiftelsen's contacts with the agencies it supports.

Entries are appended, never changed: a correction is a new entry, and the history shows them all.
Only Trygghetsstiftelsen's role may read or write; every function takes the viewer's role, as the
query layer's do. A note or plan that holds a personnummer, samordningsnummer or e-mail address is
refused with the loader's own detector, and nothing is stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

import polars as pl

from lom.followup.store import FollowupStore
from lom.queries.access import is_agency, require_tsn
from pipelines.personal_data import candidates


class Status(StrEnum):
    """Where the support of an agency stands."""

    NOT_CONTACTED = "Ej kontaktad"
    CONTACTED = "Kontaktad"
    MEETING_BOOKED = "Möte bokat"
    PLAN_EXISTS = "Plan finns"
    CLOSED = "Avslutad"


# The free-text fields, by column, with the labels the form gives them (messages name them).
TEXT_FIELDS = {"note": "Anteckning", "plan": "Myndighetens plan"}
MAX_TEXT = 4000  # characters a field may hold
TIME_ZONE = "Europe/Stockholm"  # the day of a contact is the day in Sweden
ENTRY_SCHEMA = {
    "entry_id": pl.String,
    "org_nr": pl.String,
    "status": pl.String,
    "next_follow_up": pl.Date,
    "note": pl.String,
    "plan": pl.String,
    "written_by": pl.String,
    "written_at": pl.Datetime("us", "UTC"),
}
LATEST_SCHEMA = {
    "org_nr": pl.String,
    "status": pl.String,
    "next_follow_up": pl.Date,
    "latest_at": pl.Datetime("us", "UTC"),
    "last_contact_at": pl.Datetime("us", "UTC"),
    "entries": pl.Int64,
}


class Refused(ValueError):
    """An entry that may not be stored; the message, in Swedish, says why (never a value)."""


@dataclass(frozen=True)
class Entry:
    """What a member of staff writes about one agency."""

    org_nr: str
    status: Status
    next_follow_up: date | None = None
    note: str = ""
    plan: str = ""


def check(entry: Entry) -> None:
    """Refuse an entry that may not be stored, naming each field and what is wrong with it."""
    problems = []
    if not is_agency(entry.org_nr):
        problems.append("Myndigheten saknar ett giltigt organisationsnummer.")
    if entry.status not in set(Status):
        problems.append("Status måste vara en av: " + ", ".join(Status) + ".")
    for column, label in TEXT_FIELDS.items():
        text = getattr(entry, column)
        if len(text) > MAX_TEXT:
            problems.append(f"{label} är för lång: högst {MAX_TEXT} tecken.")
        found = personal_data_in(text)
        if found:
            problems.append(
                f"{label} innehåller {' och '.join(found)}. Personuppgifter får inte skrivas i uppföljningen; "
                "ta bort uppgiften och spara igen (värdet visas inte)."
            )
    if problems:
        raise Refused(" ".join(["Inget sparades.", *problems]))


def personal_data_in(text: str) -> list[str]:
    """What personal data the loader's detector finds in a text (its kinds, never the values)."""
    return sorted(set(candidates(pl.Series([text], dtype=pl.String))["what"]))


def append(
    store: FollowupStore,
    entry: Entry,
    *,
    role: str,
    writer: str,
    entry_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Store one entry written by `writer` (the login identity); return its id.

    The id is chosen here, by the writer, so that concurrent writers never collide; saving again
    with the same id (a retry, a second click) stores nothing more.
    """
    require_tsn(role)
    if not writer.strip():
        raise PermissionError("an entry needs its writer's identity")
    check(entry)
    entry_id = str(uuid.UUID(entry_id)) if entry_id else str(uuid.uuid4())
    store.append(
        {
            "entry_id": entry_id,
            "org_nr": entry.org_nr,
            "status": Status(entry.status).value,
            "next_follow_up": entry.next_follow_up,
            "note": entry.note.strip(),
            "plan": entry.plan.strip(),
            "written_by": writer.strip(),
            "written_at": (now or datetime.now(UTC)).astimezone(UTC),
        }
    )
    return entry_id


def history(store: FollowupStore, org_nr: str, *, role: str) -> pl.DataFrame:
    """Every entry of one agency, newest first."""
    require_tsn(role)
    return pl.DataFrame(store.query("entries", org_nr=org_nr), schema=ENTRY_SCHEMA)


def entries(store: FollowupStore, *, role: str) -> pl.DataFrame:
    """The whole log, agency by agency, newest entry first."""
    require_tsn(role)
    return pl.DataFrame(store.query("entries", org_nr=None), schema=ENTRY_SCHEMA)


def latest(store: FollowupStore, *, role: str) -> pl.DataFrame:
    """Per agency in the log: the newest status and next follow-up, the last contact and its day."""
    require_tsn(role)
    frame = pl.DataFrame(store.query("latest", not_contacted=Status.NOT_CONTACTED.value), schema=LATEST_SCHEMA)
    return frame.with_columns(last_contact=_day_in_sweden("last_contact_at"))


def overdue(store: FollowupStore, today: date, *, role: str) -> pl.DataFrame:
    """The agencies whose next follow-up, as their newest entry sets it, is before `today` and
    whose follow-up is not closed; the longest overdue first."""
    return overdue_in(latest(store, role=role), today)


def overdue_in(latest: pl.DataFrame, today: date) -> pl.DataFrame:
    """The overdue rows of a frame that `latest` returned (see `overdue`)."""
    return (
        latest.filter(
            pl.col("next_follow_up").is_not_null()
            & (pl.col("next_follow_up") < today)
            & (pl.col("status") != Status.CLOSED.value)
        )
        .with_columns(days_overdue=(pl.lit(today) - pl.col("next_follow_up")).dt.total_days())
        .sort("next_follow_up", "org_nr")
    )


def contacts(store: FollowupStore, org_nr: str, *, role: str) -> pl.DataFrame:
    """The days one agency was in contact (every entry with a status beyond "Ej kontaktad"),
    oldest first, with the year of each, for the marks on its trend charts."""
    return (
        history(store, org_nr, role=role)
        .filter(pl.col("status") != Status.NOT_CONTACTED.value)
        .select(contact_day=_day_in_sweden("written_at"), status=pl.col("status"))
        .with_columns(year=pl.col("contact_day").dt.year())
        .sort("contact_day")
    )


def _day_in_sweden(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(TIME_ZONE).dt.date()
