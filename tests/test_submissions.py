"""Submitted files (issue 22) on a real SQLite file and a real PostgreSQL server: an agency submits
only a file its own check passed, the file is kept byte for byte with its SHA-256, Trygghetsstiftelsen
loads it through the loader or returns it with a message, the outcome is recorded once, and nothing
is ever removed; an agency reads only its own submissions."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime

import psycopg
import pytest

from lom.followup import submissions
from lom.followup.submissions import LOADED, RETURNED, WAITING, NotSubmittable
from lom.queries import uploads

from .conftest import rows
from .postgres import postgres_server  # noqa: F401  the session's server
from .test_check_as import OTHER, OWN, funds_of
from .test_followup_log import Backend, backend  # noqa: F401  the two backends

TSN = "tsn"
WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def checked_file(sample_db, tmp_path, *org_nrs: str, sender: str = OWN) -> tuple[bytes, dict]:
    path = funds_of(tmp_path / "medel.csv", *org_nrs)
    [summary] = uploads.check_as([path], sample_db, role=sender)
    return path.read_bytes(), summary


def test_a_checked_file_waits_in_the_queue_byte_for_byte_until_loaded(backend, sample_db, tmp_path):  # noqa: F811
    content, summary = checked_file(sample_db, tmp_path, OWN)
    assert summary["errors"] == 0 and summary["years"] == (2015, 2025)
    sid = submissions.submit(backend.store, content, summary, role=OWN, writer="hr@agency.example", now=WHEN)
    # A second click with the same id stores nothing more.
    submissions.submit(backend.store, content, summary, role=OWN, writer="hr@agency.example", submission_id=sid)

    [waiting] = submissions.queue(backend.store, role=TSN).iter_rows(named=True)
    assert (waiting["submission_id"], waiting["org_nr"], waiting["status"]) == (sid, OWN, WAITING)
    assert (waiting["first_year"], waiting["last_year"], waiting["row_count"]) == (2015, 2025, 11)
    assert waiting["sha256"] == hashlib.sha256(content).hexdigest() and waiting["submitted_at"] == WHEN
    assert submissions.content(backend.store, sid, role=TSN) == (OWN, "medel.csv", content)

    # Loaded through the loader, all or nothing: the database holds the file's rows.
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    org_nr, name, data = submissions.content(backend.store, sid, role=TSN)
    path = tmp_path / "kön" / name
    path.parent.mkdir()
    path.write_bytes(data)
    [result] = uploads.load([path], db, role=TSN, sender=org_nr)
    assert result["status"] in ("loaded", "unchanged") and result["errors"] == 0
    # The load checks the sender again: another agency's file under this agency's name is refused.
    mixed = funds_of(tmp_path / "blandad.csv", OWN, OTHER)
    [refused] = uploads.load([mixed], db, role=TSN, sender=OWN)
    assert refused["status"] == "rejected" and "annan myndighet" in set(refused["findings"]["rule"])
    assert submissions.decide(backend.store, sid, LOADED, "", role=TSN, writer="staff@tsn.example")
    assert not submissions.decide(backend.store, sid, RETURNED, "för sent", role=TSN, writer="staff@tsn.example")
    [done] = submissions.own(backend.store, role=OWN).iter_rows(named=True)
    assert (done["status"], done["decided_by"]) == (LOADED, "staff@tsn.example")
    # Kept after the load: the queue never loses a file.
    assert submissions.content(backend.store, sid, role=TSN)[2] == content
    assert rows(db, f"select count(*) from fund_years where org_nr = '{OWN}'") == [(11,)]


def test_a_file_with_errors_or_another_agencys_rows_cannot_be_submitted(backend, sample_db, tmp_path):  # noqa: F811
    content, summary = checked_file(sample_db, tmp_path, OWN, OTHER)
    assert summary["errors"] == 11
    with pytest.raises(NotSubmittable, match="har fel"):
        submissions.submit(backend.store, content, summary, role=OWN, writer="hr@agency.example")
    clean, own_summary = checked_file(sample_db, tmp_path, OWN)
    with pytest.raises(NotSubmittable, match="inte kontrollerad som myndighetens egen"):
        submissions.submit(backend.store, clean, {**own_summary, "sender": OTHER}, role=OWN, writer="hr@a.example")
    with pytest.raises(PermissionError):
        submissions.submit(backend.store, clean, own_summary, role=TSN, writer="staff@tsn.example")
    assert submissions.queue(backend.store, role=TSN).is_empty()


def test_a_returned_file_says_why_and_an_agency_sees_only_its_own(backend, sample_db, tmp_path):  # noqa: F811
    own_content, own_summary = checked_file(sample_db, tmp_path, OWN)
    other_content, other_summary = checked_file(sample_db, tmp_path, OTHER, sender=OTHER)
    mine = submissions.submit(backend.store, own_content, own_summary, role=OWN, writer="hr@a.example")
    submissions.submit(backend.store, other_content, other_summary, role=OTHER, writer="hr@b.example")

    with pytest.raises(NotSubmittable, match="Skriv ett meddelande"):
        submissions.decide(backend.store, mine, RETURNED, "  ", role=TSN, writer="staff@tsn.example")
    with pytest.raises(NotSubmittable, match="personnummer"):
        submissions.decide(backend.store, mine, RETURNED, "Gäller 19121212-1212", role=TSN, writer="s@tsn.example")
    message = "Lönesumman för 2024 ser ut att vara i tusental kronor; skicka filen igen."
    assert submissions.decide(backend.store, mine, RETURNED, message, role=TSN, writer="staff@tsn.example")

    [seen] = submissions.own(backend.store, role=OWN).iter_rows(named=True)
    assert (seen["org_nr"], seen["status"], seen["message"]) == (OWN, RETURNED, message)
    assert set(submissions.own(backend.store, role=OTHER)["org_nr"]) == {OTHER}
    with pytest.raises(PermissionError):
        submissions.queue(backend.store, role=OWN)
    with pytest.raises(PermissionError):
        submissions.content(backend.store, mine, role=OWN)
    assert sorted(submissions.queue(backend.store, role=TSN)["status"]) == sorted([RETURNED, WAITING])


def test_submissions_are_never_changed_or_removed(backend, sample_db, tmp_path):  # noqa: F811
    content, summary = checked_file(sample_db, tmp_path, OWN)
    sid = submissions.submit(backend.store, content, summary, role=OWN, writer="hr@a.example")
    submissions.decide(backend.store, sid, LOADED, "", role=TSN, writer="staff@tsn.example")
    refused = (Exception,) if backend.name == "sqlite" else (psycopg.errors.RaiseException,)
    for statement in [
        "update submissions set file_name = 'annan.csv'",
        "delete from submissions",
        "update submission_outcomes set outcome = 'Återsänd'",
        "delete from submission_outcomes",
    ]:
        with pytest.raises(refused, match="append-only"):
            backend.execute(statement)
    assert submissions.content(backend.store, sid, role=TSN)[2] == content
