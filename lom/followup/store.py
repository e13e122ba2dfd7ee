"""Where the follow-up log is kept: a SQLite file (the embedded default) or PostgreSQL.

`LOM_FOLLOWUP_DB` chooses: a `postgresql://` URL (several app servers sharing one log), else a
file path; unset, `followup.sqlite` beside the published database (LOM_DB). The log is never in
the published database, which every load replaces.

Both backends run the same statements of sql/followup/ (named `:parameters`), and each keeps the
table append-only with its own triggers (sql/followup/<backend>/schema.sql). A connection is
opened per call and closed after it, never shared between threads or sessions.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from lom.db.settings import SQL_DIR, db_path

ENV = "LOM_FOLLOWUP_DB"
DEFAULT_NAME = "followup.sqlite"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
BUSY_SECONDS = 30.0  # how long a SQLite writer waits for another one before it gives up
FOLLOWUP_SQL = SQL_DIR / "followup"
# Columns that SQLite keeps as ISO text and PostgreSQL as dates and times.
DATES = ("next_follow_up",)
MOMENTS = ("written_at", "latest_at", "last_contact_at", "submitted_at", "decided_at")


_PREPARED: set[str] = set()  # the logs whose schema this process has applied
_PREPARING = threading.Lock()


class StoreUnavailable(Exception):
    """The log could not be read or written (no server, a locked file, a full disk ...).

    The message says so in Swedish, without the URL or path (a URL may hold a password).
    """


def target() -> str:
    """Return where the log lives: LOM_FOLLOWUP_DB, else followup.sqlite beside the database."""
    return os.environ.get(ENV) or str(db_path().parent / DEFAULT_NAME)


def open_store(where: str | None = None) -> FollowupStore:
    """The log at `where` (a postgresql:// URL or a file path), by default at target()."""
    where = where or target()
    if where.startswith(POSTGRES_SCHEMES):
        return PostgresStore(where)
    return SqliteStore(Path(where).expanduser())


def statement(name: str, backend: str) -> str:
    """The text of sql/followup/<backend>/<name>.sql, else of the shared sql/followup/<name>.sql."""
    own = FOLLOWUP_SQL / backend / f"{name}.sql"
    return (own if own.is_file() else FOLLOWUP_SQL / f"{name}.sql").read_text(encoding="utf-8")


def utc_text(moment: datetime) -> str:
    """A moment as fixed-width UTC text, so that SQLite's text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class FollowupStore:
    """One log: append an entry, run a query of sql/followup/ and get its rows as dicts."""

    backend = ""

    def append(self, entry: dict) -> bool:
        """Insert one entry (its columns by name); False when its entry_id was stored before."""
        raise NotImplementedError

    def query(self, name: str, **params) -> list[dict]:
        """Run sql/followup/<name>.sql with its parameters bound; the rows, dates as dates."""
        raise NotImplementedError

    def insert(self, name: str, row: dict) -> bool:
        """Run the insert sql/followup/<name>.sql for one row, in its own transaction; False when
        the row's key was stored before (a retry stores nothing more)."""
        raise NotImplementedError

    def _ensure_schema(self, key: str, apply) -> None:
        with _PREPARING:
            if key not in _PREPARED:
                apply()
                _PREPARED.add(key)


class SqliteStore(FollowupStore):
    """The log in a SQLite file: WAL, a busy timeout and synchronous=FULL, so that several
    sessions save at once and a saved entry survives a crash of the machine."""

    backend = "sqlite"

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreUnavailable(_unavailable(error)) from None
        with closing(con):
            try:
                con.execute(f"pragma busy_timeout = {int(BUSY_SECONDS * 1000)}")
                con.execute("pragma synchronous = full")
                yield con
            except sqlite3.Error as error:
                if isinstance(error, sqlite3.IntegrityError):
                    raise  # a bug (or an attempt to change an entry), not the machine
                raise StoreUnavailable(_unavailable(error)) from None

    def _apply_schema(self, con: sqlite3.Connection) -> None:
        def apply():
            if con.execute("pragma journal_mode = wal").fetchone()[0] != "wal":
                raise StoreUnavailable("uppföljningsloggen kunde inte sättas i WAL-läge")
            con.executescript(statement("schema", self.backend))

        self._ensure_schema(str(self.path.resolve()), apply)

    def append(self, entry: dict) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as con:
            self._apply_schema(con)
            params = {
                **entry,
                "written_at": utc_text(entry["written_at"]),
                "next_follow_up": None if entry["next_follow_up"] is None else entry["next_follow_up"].isoformat(),
            }
            con.execute("begin immediate")
            try:
                inserted = con.execute(statement("append_entry", self.backend), params).rowcount
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            return inserted == 1

    def insert(self, name: str, row: dict) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        params = {k: utc_text(v) if isinstance(v, datetime) else v for k, v in row.items()}
        with self._connection() as con:
            self._apply_schema(con)
            con.execute("begin immediate")
            try:
                inserted = con.execute(statement(name, self.backend), params).rowcount
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            return inserted == 1

    def query(self, name: str, **params) -> list[dict]:
        if not self.path.is_file():
            return []  # nothing written yet; reading creates no file
        with self._connection() as con:
            self._apply_schema(con)
            cursor = con.execute(statement(name, self.backend), params)
            names = [column[0] for column in cursor.description]
            return [_typed(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


class PostgresStore(FollowupStore):
    """The log in PostgreSQL (psycopg 3), for several app servers sharing one log."""

    backend = "postgresql"

    def __init__(self, url: str):
        self.url = url

    @contextmanager
    def _connection(self):
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=10, application_name="lom-followup") as con:
                self._ensure_schema(self.url, lambda: self._apply_schema(con))
                yield con
        except psycopg.errors.RaiseException:
            raise  # the append-only trigger: an attempt to change an entry
        except psycopg.errors.IntegrityError:
            raise
        except psycopg.Error as error:
            raise StoreUnavailable(_unavailable(error)) from None

    def _apply_schema(self, con) -> None:
        """Create the table, its index and triggers unless the table exists."""
        present = con.execute(statement("schema_present", self.backend)).fetchone()[0]
        con.commit()
        if not present:
            _run_script(con, statement("schema", self.backend))

    def append(self, entry: dict) -> bool:
        with self._connection() as con, con.transaction():
            cursor = con.execute(_pyformat(statement("append_entry", self.backend)), entry)
            return cursor.rowcount == 1

    def insert(self, name: str, row: dict) -> bool:
        with self._connection() as con, con.transaction():
            return con.execute(_pyformat(statement(name, self.backend)), row).rowcount == 1

    def query(self, name: str, **params) -> list[dict]:
        with self._connection() as con:
            cursor = con.execute(_pyformat(statement(name, self.backend)), params)
            names = [column.name for column in cursor.description]
            return [_typed(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _run_script(con, script: str) -> None:
    """Run several statements as one transaction (no parameters: the simple query protocol)."""
    with con.transaction():
        con.execute(script)


NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _pyformat(text: str) -> str:
    """The shared statements' `:name` parameters as psycopg's `%(name)s`."""
    return NAMED.sub(r"%(\1)s", text)


def _typed(row: dict) -> dict:
    """Dates and moments as date and UTC datetime objects, whichever backend returned them."""
    for name in DATES:
        if isinstance(row.get(name), str):
            row[name] = date.fromisoformat(row[name])
    for name in MOMENTS:
        value = row.get(name)
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            row[name] = value.astimezone(UTC)
    return row


def _unavailable(error: Exception) -> str:
    """Why the log could not be used, in Swedish; the error's kind, never a URL or a path."""
    return f"uppföljningsloggen kunde inte nås ({type(error).__name__})"
