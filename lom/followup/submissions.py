"""Files the agencies submit, and what Trygghetsstiftelsen does with them.

An agency submits a file that its own check passed: no error, and only its own rows (the loader's
check as the sender, lom.queries.uploads.check_as). The file then waits in a queue, kept byte for
byte with its SHA-256 in the follow-up log's storage, outside the published database that every
load replaces. Trygghetsstiftelsen loads it, through the same loader as every file (all or
nothing), or returns it with a message; the outcome is recorded once, and the file is kept after
either: nothing is ever removed (the tables are append-only, as the log's is).

An agency reads only its own submissions; the queue, and a file's bytes, are Trygghetsstiftelsen's.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import polars as pl

from lom.db.outcomes import FileKind
from lom.followup.log import personal_data_in
from lom.followup.store import FollowupStore
from lom.queries.access import is_agency, require_tsn

WAITING, LOADED, RETURNED = "Väntar", "Inläst", "Återsänd"
MAX_MESSAGE = 2000  # characters of a message back to the agency
SCHEMA = {
    "submission_id": pl.String,
    "org_nr": pl.String,
    "file_name": pl.String,
    "sha256": pl.String,
    "kinds": pl.String,
    "first_year": pl.Int64,
    "last_year": pl.Int64,
    "row_count": pl.Int64,
    "submitted_by": pl.String,
    "submitted_at": pl.Datetime("us", "UTC"),
    "outcome": pl.String,
    "message": pl.String,
    "decided_by": pl.String,
    "decided_at": pl.Datetime("us", "UTC"),
}


class NotSubmittable(ValueError):
    """A file that may not be submitted; the message, in Swedish, says why."""


def submit(
    store: FollowupStore,
    content: bytes,
    checked: dict,
    *,
    role: str,
    writer: str,
    submission_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Put a file the agency `role` checked into the queue; return its id.

    `checked` is the check's summary of the file (lom.queries.uploads.check_as): a file with an
    error is refused. Submitting again with the same id (a second click) stores nothing more.
    """
    if not is_agency(role):
        raise PermissionError("only an agency submits files")
    if not writer.strip():
        raise PermissionError("a submission needs its sender's identity")
    if checked["errors"] or checked["status"] == "rejected":
        raise NotSubmittable("Filen har fel och kan inte skickas in; rätta felen och kontrollera den igen.")
    if checked.get("sender") != role:
        raise NotSubmittable("Filen är inte kontrollerad som myndighetens egen; kontrollera den igen.")
    submission_id = str(uuid.UUID(submission_id)) if submission_id else str(uuid.uuid4())
    years = checked.get("years") or (None, None)
    store.insert(
        "submit",
        {
            "submission_id": submission_id,
            "org_nr": role,
            "file_name": checked["file"],
            "sha256": hashlib.sha256(content).hexdigest(),
            "content": content,
            "kinds": ", ".join(FileKind(kind).label for kind in checked["kinds"]),
            "first_year": years[0],
            "last_year": years[1],
            "row_count": checked["rows_in_file"],
            "submitted_by": writer.strip(),
            "submitted_at": (now or datetime.now(UTC)).astimezone(UTC),
        },
    )
    return submission_id


def own(store: FollowupStore, *, role: str) -> pl.DataFrame:
    """The agency's own submissions, newest first, with their status."""
    if not is_agency(role):
        raise PermissionError("an agency's own submissions are read in its role")
    return _with_status(pl.DataFrame(store.query("submissions", org_nr=role), schema=SCHEMA))


def queue(store: FollowupStore, *, role: str) -> pl.DataFrame:
    """Every submission, newest first, with its status (Trygghetsstiftelsen)."""
    require_tsn(role)
    return _with_status(pl.DataFrame(store.query("submissions", org_nr=None), schema=SCHEMA))


def content(store: FollowupStore, submission_id: str, *, role: str) -> tuple[str, str, bytes]:
    """A submitted file's org_nr, name and bytes, checked against the SHA-256 it was stored with."""
    require_tsn(role)
    found = store.query("submission_content", submission_id=submission_id)
    if not found:
        raise LookupError("Filen finns inte i kön.")
    row = found[0]
    data = bytes(row["content"])
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ValueError("Filens innehåll stämmer inte med dess SHA-256; den läses inte in.")
    return row["org_nr"], row["file_name"], data


def decide(
    store: FollowupStore,
    submission_id: str,
    outcome: str,
    message: str,
    *,
    role: str,
    writer: str,
    now: datetime | None = None,
) -> bool:
    """Record that a submission was loaded or returned, with a message to the agency; False when it
    was decided before (its first outcome stands)."""
    require_tsn(role)
    if outcome not in (LOADED, RETURNED):
        raise ValueError(f"no outcome {outcome!r}")
    message = message.strip()
    if outcome == RETURNED and not message:
        raise NotSubmittable("Skriv ett meddelande till myndigheten: vad behöver rättas?")
    if len(message) > MAX_MESSAGE:
        raise NotSubmittable(f"Meddelandet är för långt: högst {MAX_MESSAGE} tecken.")
    if found := personal_data_in(message):
        raise NotSubmittable(
            f"Meddelandet innehåller {' och '.join(found)}. Personuppgifter får inte skrivas; ta bort uppgiften "
            "(värdet visas inte)."
        )
    return store.insert(
        "decide_submission",
        {
            "submission_id": str(uuid.UUID(submission_id)),
            "outcome": outcome,
            "message": message,
            "decided_by": writer.strip(),
            "decided_at": (now or datetime.now(UTC)).astimezone(UTC),
        },
    )


def waiting_years(queue: pl.DataFrame) -> pl.DataFrame:
    """Per agency and year, whether a submission covering the year waits in the queue."""
    waiting = queue.filter(pl.col("status") == WAITING).drop_nulls(["first_year", "last_year"])
    return (
        waiting.select("org_nr", pl.int_ranges("first_year", pl.col("last_year") + 1).alias("year"))
        .explode("year")
        .unique()
        .with_columns(pl.lit(True).alias("waiting"))
    )


def _with_status(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(status=pl.col("outcome").fill_null(WAITING))
