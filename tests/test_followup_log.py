"""The follow-up log on a real SQLite file and a real PostgreSQL server: append-only, history in order,
the latest state and overdue follow-ups, only Trygghetsstiftelsen's role, and no personal data."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from lom.followup import log, store
from lom.followup.log import Entry, Refused, Status

from .postgres import fresh_database, postgres_server  # noqa: F401  the session's server

TSN = "tsn"  # Trygghetsstiftelsen's role
AGENCY = "209900-0016"
OTHER = "209900-0024"
WRITER = "staff@tsn.example"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Backend:
    """A log and a way to reach its table behind the store's back."""

    name: str
    store: store.FollowupStore
    where: str

    def execute(self, sql: str) -> None:
        """Run a statement directly on the backend, as someone with the file or a login might."""
        if self.name == "sqlite":
            with sqlite3.connect(self.where) as con:
                con.execute(sql)
        else:
            with psycopg.connect(self.where) as con:
                con.execute(sql)

    def stored_bytes(self) -> bytes:
        """Everything the backend holds of the log: the SQLite file and its WAL, or every row's text."""
        if self.name == "sqlite":
            return b"".join(p.read_bytes() for p in Path(self.where).parent.glob(Path(self.where).name + "*"))
        with psycopg.connect(self.where) as con:
            rows = con.execute("select t::text from followup_entries as t").fetchall()
        return "\n".join(r[0] for r in rows).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        where = str(tmp_path / "followup.sqlite")
    else:
        where = fresh_database(request.getfixturevalue("postgres_server"))
    return Backend(request.param, store.open_store(where), where)


def append(backend: Backend, entry: Entry, minutes: int = 0, **options) -> str:
    return log.append(backend.store, entry, role=TSN, writer=WRITER, now=START + timedelta(minutes=minutes), **options)


def test_entries_are_appended_and_never_changed(backend):
    """An update, a delete (and in PostgreSQL a truncate) of the table is refused by the database itself."""
    append(backend, Entry(AGENCY, Status.CONTACTED, note="Första samtalet"))
    before = log.entries(backend.store, role=TSN)
    refused = (sqlite3.IntegrityError, psycopg.errors.RaiseException)
    for statement in [
        "update followup_entries set note = 'ändrad'",
        "delete from followup_entries",
        *(["truncate followup_entries"] if backend.name == "postgresql" else []),
    ]:
        with pytest.raises(refused, match="append-only"):
            backend.execute(statement)
    assert log.entries(backend.store, role=TSN).equals(before)


def test_the_history_is_newest_first_and_a_correction_is_a_new_entry(backend):
    append(backend, Entry(AGENCY, Status.CONTACTED, date(2026, 2, 1), "Samtal"), minutes=0)
    append(backend, Entry(OTHER, Status.MEETING_BOOKED), minutes=1)
    append(backend, Entry(AGENCY, Status.CONTACTED, date(2026, 3, 1), "Samtal, rättat datum"), minutes=2)
    history = log.history(backend.store, AGENCY, role=TSN)
    assert history["note"].to_list() == ["Samtal, rättat datum", "Samtal"]
    assert history["next_follow_up"].to_list() == [date(2026, 3, 1), date(2026, 2, 1)]
    assert history["written_by"].to_list() == [WRITER, WRITER]
    assert history["written_at"].to_list() == [START + timedelta(minutes=2), START]
    assert log.entries(backend.store, role=TSN).height == 3


def test_entries_written_in_the_same_microsecond_keep_their_order_of_arrival(backend):
    for number in range(5):
        append(backend, Entry(AGENCY, Status.CONTACTED, note=f"nr {number}"))
    assert log.history(backend.store, AGENCY, role=TSN)["note"].to_list() == [f"nr {n}" for n in range(4, -1, -1)]


def test_saving_an_entry_again_stores_it_once(backend):
    """A retry or a second click carries the same entry id: the entry is stored exactly once."""
    entry_id = append(backend, Entry(AGENCY, Status.CONTACTED, note="En gång"))
    assert append(backend, Entry(AGENCY, Status.CONTACTED, note="En gång"), entry_id=entry_id) == entry_id
    assert log.history(backend.store, AGENCY, role=TSN)["entry_id"].to_list() == [entry_id]


def test_latest_state_and_overdue_follow_ups(backend):
    """The newest entry decides status and next follow-up; the last contact is the newest entry
    with a status beyond "Ej kontaktad"; a closed follow-up is never overdue."""
    append(backend, Entry(AGENCY, Status.CONTACTED, date(2026, 2, 1)), minutes=0)
    append(backend, Entry(AGENCY, Status.NOT_CONTACTED, date(2026, 2, 10)), minutes=60 * 24 * 3)
    append(backend, Entry(OTHER, Status.MEETING_BOOKED, date(2026, 1, 20)), minutes=0)
    append(backend, Entry(OTHER, Status.CLOSED, date(2026, 1, 25)), minutes=10)
    append(backend, Entry("209900-0032", Status.PLAN_EXISTS, date(2026, 3, 1)), minutes=0)
    latest = {row["org_nr"]: row for row in log.latest(backend.store, role=TSN).iter_rows(named=True)}
    assert latest[AGENCY]["status"] == "Ej kontaktad" and latest[AGENCY]["next_follow_up"] == date(2026, 2, 10)
    assert latest[AGENCY]["last_contact"] == date(2026, 1, 5) and latest[AGENCY]["entries"] == 2
    assert latest[OTHER]["status"] == "Avslutad"
    overdue = log.overdue(backend.store, date(2026, 2, 15), role=TSN)
    assert overdue["org_nr"].to_list() == [AGENCY] and overdue["days_overdue"].to_list() == [5]
    assert log.overdue(backend.store, date(2026, 2, 10), role=TSN).is_empty()  # due today is not late
    assert log.overdue(backend.store, date(2026, 3, 2), role=TSN)["org_nr"].to_list() == [AGENCY, "209900-0032"]


def test_contacts_are_the_days_in_sweden_of_entries_beyond_not_contacted(backend):
    append(backend, Entry(AGENCY, Status.NOT_CONTACTED))
    log.append(
        backend.store,
        Entry(AGENCY, Status.MEETING_BOOKED),
        role=TSN,
        writer=WRITER,
        now=datetime(2025, 6, 30, 22, 30, tzinfo=UTC),  # 00:30 on 1 July in Stockholm
    )
    contacts = log.contacts(backend.store, AGENCY, role=TSN)
    assert contacts.rows() == [(date(2025, 7, 1), "Möte bokat", 2025)]


@pytest.mark.parametrize("role", ["209900-0016", "209900-0024", "admin", "TRS", ""])
def test_only_trygghetsstiftelsen_may_read_or_write(backend, role):
    """An agency (its own org_nr included) or an unknown role can neither write nor read, and a
    refused write stores nothing."""
    append(backend, Entry(AGENCY, Status.CONTACTED, note="Bara för Trygghetsstiftelsen"))
    with pytest.raises(PermissionError):
        log.append(backend.store, Entry(AGENCY, Status.CONTACTED, note="Från fel roll"), role=role, writer=WRITER)
    for read in (
        lambda: log.history(backend.store, AGENCY, role=role),
        lambda: log.entries(backend.store, role=role),
        lambda: log.latest(backend.store, role=role),
        lambda: log.overdue(backend.store, date(2026, 12, 31), role=role),
        lambda: log.contacts(backend.store, AGENCY, role=role),
    ):
        with pytest.raises(PermissionError):
            read()
    assert log.entries(backend.store, role=TSN)["note"].to_list() == ["Bara för Trygghetsstiftelsen"]
    assert b"Fr\xc3\xa5n fel roll" not in backend.stored_bytes()


def with_check_digit(nine: str) -> str:
    """Nine digits with their Luhn check digit, as a personnummer's last digit is computed."""
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(nine))
    return nine + str((10 - total % 10) % 10)


PERSONNUMMER = with_check_digit("850709238")  # 8507092388
SAMORDNINGSNUMMER = with_check_digit("850769238")  # the day of birth plus 60
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
WRITTEN = {
    "digits only": PERSONNUMMER,
    "dash": f"{PERSONNUMMER[:6]}-{PERSONNUMMER[6:]}",
    "plus (over 100 years)": f"{PERSONNUMMER[:6]}+{PERSONNUMMER[6:]}",
    "space": f"{PERSONNUMMER[:6]} {PERSONNUMMER[6:]}",
    "en dash": f"{PERSONNUMMER[:6]}\u2013{PERSONNUMMER[6:]}",
    "no-break space": f"{PERSONNUMMER[:6]}\u00a0{PERSONNUMMER[6:]}",
    "twelve digits": f"19{PERSONNUMMER[:6]}-{PERSONNUMMER[6:]}",
    "fullwidth digits": f"{PERSONNUMMER[:6]}-{PERSONNUMMER[6:]}".translate(FULLWIDTH),
    "samordningsnummer": f"{SAMORDNINGSNUMMER[:6]}-{SAMORDNINGSNUMMER[6:]}",
    "e-mail address": "anna.andersson@myndighet.example",
    "e-mail written with (at)": "anna.andersson(at)myndighet.example",
}


@pytest.mark.parametrize("field", ["note", "plan"])
@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_personal_data_is_refused_never_echoed_and_leaves_no_trace(backend, field, written):
    append(backend, Entry(AGENCY, Status.CONTACTED, note="Ett tillåtet samtal"))
    text = f"Ring tillbaka till {written} efter mötet"
    with pytest.raises(Refused) as refused:
        append(backend, Entry(AGENCY, Status.CONTACTED, **{field: text}))
    message = str(refused.value)
    label = log.TEXT_FIELDS[field]
    assert message.startswith("Inget sparades.") and f"{label} innehåller" in message
    kind = "en e-postadress" if "@" in written or "(at)" in written else "personnummer eller samordningsnummer"
    assert kind in message
    assert written not in message and "Ring tillbaka" not in message and "8507" not in message
    assert log.history(backend.store, AGENCY, role=TSN)["note"].to_list() == ["Ett tillåtet samtal"]
    stored = backend.stored_bytes()
    assert stored and b"Ring tillbaka" not in stored and written.encode() not in stored
    assert PERSONNUMMER[:6].encode() not in stored and SAMORDNINGSNUMMER[:6].encode() not in stored


def test_an_organisation_number_or_a_date_in_a_note_is_no_personal_data(backend):
    note = "Avstämt med 202100-5489 om saldot 2027-03-31; diarienummer 2026-1234."
    append(backend, Entry(AGENCY, Status.CONTACTED, note=note, plan="Flytt 2027"))
    assert log.history(backend.store, AGENCY, role=TSN)["note"].to_list() == [note]


def test_other_bad_entries_are_refused(backend):
    for entry in [
        Entry("2099000016", Status.CONTACTED),
        Entry(AGENCY, "Uppringd"),
        Entry(AGENCY, Status.CONTACTED, note="x" * (log.MAX_TEXT + 1)),
    ]:
        with pytest.raises(Refused):
            append(backend, entry)
    with pytest.raises(PermissionError):
        log.append(backend.store, Entry(AGENCY, Status.CONTACTED), role=TSN, writer=" ")
    assert log.entries(backend.store, role=TSN).is_empty()


def test_the_log_lives_beside_the_database_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV, raising=False)
    monkeypatch.setenv("LOM_DB", str(tmp_path / "publicerad" / "lom.duckdb"))
    assert store.target() == str((tmp_path / "publicerad" / "followup.sqlite").resolve())
    assert isinstance(store.open_store(), store.SqliteStore)
    monkeypatch.setenv(store.ENV, "postgresql://lom@db.example/lom")
    assert isinstance(store.open_store(), store.PostgresStore)
    monkeypatch.setenv(store.ENV, str(tmp_path / "annan.sqlite"))
    assert store.open_store().path == tmp_path / "annan.sqlite"


def test_sqlite_is_written_in_wal_mode_and_reading_creates_no_file(tmp_path):
    path = tmp_path / "ny" / "followup.sqlite"
    kept = store.open_store(str(path))
    assert log.entries(kept, role=TSN).is_empty() and not path.exists()
    log.append(kept, Entry(AGENCY, Status.CONTACTED), role=TSN, writer=WRITER)
    with sqlite3.connect(path) as con:
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)


def test_an_unreachable_log_says_so_without_its_address():
    kept = store.open_store("postgresql://lom:hemligt@127.0.0.1:1/lom")
    with pytest.raises(store.StoreUnavailable) as unavailable:
        log.history(kept, AGENCY, role=TSN)
    assert "uppföljningsloggen kunde inte nås" in str(unavailable.value)
    assert "hemligt" not in str(unavailable.value) and "127.0.0.1" not in str(unavailable.value)


def test_a_postgresql_login_granted_only_select_and_insert_can_keep_the_log(postgres_server):  # noqa: F811
    """Once the table exists, the app's login needs no more than select and insert; without the
    triggers' help it still cannot change or delete an entry."""
    owner = fresh_database(postgres_server)
    log.append(store.open_store(owner), Entry(AGENCY, Status.CONTACTED), role=TSN, writer=WRITER)
    with psycopg.connect(owner, autocommit=True) as con:
        con.execute("create role lom_app login")
        con.execute("grant select, insert on followup_entries to lom_app")
    app = owner.replace("postgres@", "lom_app@")
    log.append(store.open_store(app), Entry(OTHER, Status.CONTACTED, note="Från appen"), role=TSN, writer=WRITER)
    assert log.entries(store.open_store(app), role=TSN).height == 2
    with pytest.raises(psycopg.errors.InsufficientPrivilege), psycopg.connect(app) as con:
        con.execute("delete from followup_entries")
