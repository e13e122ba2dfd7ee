"""A load killed, or its disk failing, at any moment: the published database stays the previous
complete one, a new load succeeds, and nothing is left behind.

Loads run as real processes (`python -m pipelines load`, or `tests/kill_at.py` around it) on a
copy of the sample database. Two versions of the sample's applications file take turns, so every
load really changes the database: the original, and one where a single amount is 1 kr higher.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from lom.db import models, store

from .conftest import DATA_TABLES
from .kill_at import FAILS, POINTS
from .paths import ROOT, SAMPLE_DIR

APPLICATIONS = SAMPLE_DIR / "ansokningar_2015-2019.csv"
PUBLISHED = ["lom.duckdb", "lom.duckdb.lock"]  # all a database's folder holds between loads


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    """A copy of the sample database alone in its folder, so leftovers are easy to see."""
    path = tmp_path / "db" / "lom.duckdb"
    path.parent.mkdir()
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture
def versions(tmp_path) -> list[Path]:
    """The sample applications file, and the same with one requested amount 1 kr higher."""
    lines = APPLICATIONS.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(";")
    cells = lines[1].rstrip("\r\n").split(";")
    column = next(i for i, h in enumerate(header) if h.strip().lower() in ("requested_sek", "sökt belopp"))
    amount = Decimal(re.sub(r"\s", "", cells[column]).replace(",", ".")) + 1
    cells[column] = str(amount).replace(".", ",")
    changed = tmp_path / "ansokningar_rattad.csv"
    changed.write_text(lines[0] + ";".join(cells) + "\n" + "".join(lines[2:]), encoding="utf-8")
    return [APPLICATIONS, changed]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def content(db: Path) -> dict[str, tuple]:
    """Rows and a digest of each data table without its load_id: equal for equal data."""
    con = store.open_read_only(db)
    try:
        return {
            t: con.sql(
                f"select count(*), md5(string_agg(r::varchar, '|' order by r::varchar)) "
                f"from (select * exclude (load_id) from {t}) as r"
            ).fetchall()[0]
            for t in DATA_TABLES
        }
    finally:
        con.close()


def assert_complete(db: Path) -> int:
    """A database a load finished: measures built from this code and matching the rows under them,
    every row's load in the log. Returns the number of logged loads."""
    con = store.open_read_only(db)
    try:
        assert models.is_current(con)
        # The one aggregate over every application, recounted from the applications themselves.
        assert con.sql(
            "select count(*) from int_agency_year_applications m full join "
            "(select org_nr, year(received_on) as year, count(*) as n from applications group by all) a "
            "using (org_nr, year) where m.applications is distinct from a.n"
        ).fetchall() == [(0,)]
        for table in DATA_TABLES:
            assert con.sql(f"select count(*) from {table} anti join loads using (load_id)").fetchall() == [(0,)]
        assert con.sql("select count(*) from loads where finished_at is null").fetchall() == [(0,)]
        return con.sql("select count(*) from loads").fetchall()[0][0]
    finally:
        con.close()


def load(db: Path, file: Path, *wrapper: str, **env: str) -> subprocess.CompletedProcess:
    """Run a load as its own process; `wrapper` names a point of tests/kill_at.py."""
    module = ["tests.kill_at", *wrapper] if wrapper else ["pipelines"]
    return subprocess.run(
        [sys.executable, "-m", *module, "load", "--db", str(db), str(file)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def folder(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir())


def assert_recovers(db: Path, target: Path, expected: dict) -> None:
    """The next load succeeds, leaves only the published file, and the data is the target's."""
    done = load(db, target)
    assert done.returncode == 0, done.stdout + done.stderr
    assert folder(db) == PUBLISHED
    assert content(db) == expected
    assert_complete(db)


@pytest.mark.parametrize("point", [p for p in POINTS if p != "key-file"])
def test_a_load_killed_at_each_point(db, versions, point, tmp_path):
    """SIGKILL at each stage: before publishing, the file is byte for byte the previous one;
    after it, it is the new one, whole. Either way the next load succeeds and cleans up."""
    original = content(db)
    before, loads_before = md5(db), assert_complete(db)
    killed = load(db, versions[1], point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    if point == "published":
        assert content(db) != original
        assert assert_complete(db) == loads_before + 1
    else:
        assert md5(db) == before
        if point not in ("reading", "validating"):
            assert any(".next-" in name for name in folder(db))  # it died with a draft on disk
    expected_new = _content_after(db, versions[1], tmp_path / "reference")
    assert_recovers(db, versions[1], expected_new)
    assert_recovers(db, versions[0], original)


def _content_after(db: Path, file: Path, scratch: Path) -> dict:
    """What the database holds once `file` is loaded, computed on a copy in `scratch`."""
    copy = scratch / "lom.duckdb"
    scratch.mkdir()
    shutil.copyfile(db, copy)
    assert load(copy, file).returncode == 0
    return content(copy)


def test_a_load_killed_while_making_the_pseudonym_key(db, versions, tmp_path):
    """The key is written under another name and linked: a kill leaves no key at all, never half
    of one, and the next load makes a whole key and removes the dead load's draft."""
    key = tmp_path / "keys" / "pseudonym.key"
    before = md5(db)
    killed = load(db, versions[1], "key-file", LOM_KEY_FILE=str(key))
    assert killed.returncode == -signal.SIGKILL
    assert not key.exists() and len(list(key.parent.iterdir())) == 1  # only the dead load's draft
    assert md5(db) == before
    done = load(db, versions[1], LOM_KEY_FILE=str(key))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in key.parent.iterdir()] == ["pseudonym.key"]
    assert len(bytes.fromhex(key.read_text().strip())) == 32 and key.stat().st_mode & 0o777 == 0o600
    assert folder(db) == PUBLISHED
    assert_complete(db)


@pytest.mark.slow
def test_loads_killed_at_random_moments(db, versions, record_property, tmp_path):
    """Thirty loads killed after a random delay, anywhere from start-up to the end of a load."""
    contents = [content(db), _content_after(db, versions[1], tmp_path / "reference")]
    started = time.perf_counter()
    assert load(db, versions[1]).returncode == 0
    whole = time.perf_counter() - started
    chance = random.Random(20261124)
    outcomes = {"previous": 0, "new": 0, "finished": 0}
    for attempt in range(30):
        target = attempt % 2  # versions[1] is published now, so the first target is the original
        before = md5(db)
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines", "load", "--db", str(db), str(versions[target])],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(chance.uniform(0, whole))
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        assert_complete(db)
        if md5(db) == before:
            outcomes["previous"] += 1
        else:
            assert content(db) == contents[target]
            outcomes["finished" if code == 0 else "new"] += 1
        assert_recovers(db, versions[target], contents[target])
    record_property("outcomes", outcomes)
    assert sum(outcomes.values()) == 30 and outcomes["previous"] >= 10


@pytest.mark.parametrize("point", FAILS)
def test_a_write_that_fails_leaves_the_published_database(db, versions, point, tmp_path):
    """An I/O error while copying, syncing or renaming: a message that says so, nothing changed."""
    before = md5(db)
    failed = load(db, versions[1], point, "fail")
    assert failed.returncode == 1
    assert "disken gav ett skrivfel (I/O-fel)" in failed.stderr
    assert "Den publicerade databasen är oförändrad" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert md5(db) == before
    assert folder(db) == PUBLISHED
    assert_recovers(db, versions[1], _content_after(db, versions[1], tmp_path / "reference"))


def test_a_file_size_limit_stops_the_copy_or_the_database_cleanly(db, versions, tmp_path):
    """The operating system refuses to let a file grow (EFBIG), at the copy and inside DuckDB."""
    size = db.stat().st_size
    for limit in (size // 2, size + 4096, size + 1024 * 1024):
        before = md5(db)
        failed = subprocess.run(
            [sys.executable, "-m", "pipelines", "load", "--db", str(db), str(versions[1])],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
            preexec_fn=lambda limit=limit: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        )  # fmt: skip
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "filen blev större än systemet tillåter" in failed.stderr
        assert "Traceback" not in failed.stderr
        assert md5(db) == before
        assert folder(db) == PUBLISHED
    assert_recovers(db, versions[1], _content_after(db, versions[1], tmp_path / "reference"))


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a chosen size: a real full disk (ENOSPC). Needs root, as in CI."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def resize(megabytes: float) -> None:
        size = f"size={int(megabytes * 1024)}k"
        subprocess.run(["mount", "-o", f"remount,{size}", str(mount_point)], check=True)

    try:
        yield mount_point, resize
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_at_every_stage(sample_db, versions, small_disk, tmp_path):
    """Free space from less than the copy needs to almost enough for the new version: each load
    says the disk is full and leaves the published file byte for byte; with room, it publishes."""
    mount_point, resize = small_disk
    db = mount_point / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    expected = _content_after(db, versions[1], tmp_path / "reference")
    size_mb = db.stat().st_size / 1024 / 1024
    # Free space as a share of the database: the copy fails below 1, DuckDB's writes above it.
    for share in (0.4, 1.02, 1.1, 1.3, 1.5):
        resize(size_mb * (1 + share))
        before = md5(db)
        result = load(db, versions[1])
        assert result.returncode == 1, f"{share}: {result.stdout}"
        assert "disken är full" in result.stderr and "Den publicerade databasen är oförändrad" in result.stderr
        assert "Traceback" not in result.stderr
        assert md5(db) == before
        assert folder(db) == PUBLISHED
    resize(size_mb * 4)
    assert_recovers(db, versions[1], expected)
