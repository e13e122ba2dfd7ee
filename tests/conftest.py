"""Fixtures: real DuckDB files in temporary folders, loaded through the real pipeline."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase, MultiplexedDatabase, ReadOnlyDatabase
from streamlit.runtime.media_file_manager import MediaFileManager

from lom.queries.access import TSN
from lom.ui import auth
from pipelines.__main__ import main
from pipelines.load import load_files
from sample_data.generate import generate

from . import boundary_fixture, measures_fixture
from .paths import ROOT, SAMPLE_DIR

# The property tests replay the examples committed in tests/hypothesis-examples/ (tables that once
# broke a rule, such as the one that needs `pinned`) and then explore fresh random ones, under CI as
# on a developer's machine. The committed examples are read-only: Hypothesis deletes an example
# that passes from a writable database, and every passing run would change the repository. A
# failure found under CI prints its blob to reproduce it; one found locally is kept in .hypothesis/.
# No deadline: a first call that warms Polars up, on a loaded machine, is slow but not wrong.
# To add what a run finds to the committed examples: LOM_HYPOTHESIS=record pytest tests/test_disclosure.py
# (an example belongs to a test's source: change the test, and record its examples again).
EXAMPLES = Path(__file__).parent / "hypothesis-examples"
COMMITTED = ReadOnlyDatabase(DirectoryBasedExampleDatabase(EXAMPLES))
settings.register_profile("ci", database=COMMITTED, derandomize=False, print_blob=True, deadline=None)
settings.register_profile(
    "dev",
    database=MultiplexedDatabase(COMMITTED, DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples")),
    deadline=None,
)
settings.register_profile("record", database=DirectoryBasedExampleDatabase(EXAMPLES), deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("LOM_HYPOTHESIS", "dev"))

SAMPLE_FILES = sorted(p for p in SAMPLE_DIR.iterdir() if p.suffix in (".csv", ".xlsx"))
DATA_TABLES = ("agencies", "fund_years", "applications")


@pytest.fixture(scope="session", autouse=True)
def private_key_file(tmp_path_factory):
    """Keep the pseudonym key of the tests out of the user's home."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("key") / "pseudonym.key"
        patch.setenv("LOM_KEY_FILE", str(path))
        patch.delenv("LOM_PSEUDONYM_KEY", raising=False)
        patch.delenv("LOM_DB", raising=False)
        patch.delenv("LOM_FOLLOWUP_DB", raising=False)  # never a real follow-up log
        yield path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The committed sample data loaded once into a database; tests must not change it."""
    db = tmp_path_factory.mktemp("sample") / "lom.duckdb"
    outcomes = load_files(SAMPLE_FILES, db)
    assert [o.status for o in outcomes] == ["loaded"] * len(SAMPLE_FILES)
    return db


@pytest.fixture(scope="session")
def measures_db(tmp_path_factory) -> Path:
    """The small hand-computed fixture of tests/measures_fixture.py, loaded through the pipeline."""
    folder = tmp_path_factory.mktemp("measures")
    outcomes = load_files(measures_fixture.write_files(folder / "files"), folder / "lom.duckdb")
    assert [(o.status, o.findings.lines()) for o in outcomes] == [("loaded", [])] * 3
    return folder / "lom.duckdb"


@pytest.fixture(scope="session")
def agencies_db(tmp_path_factory) -> Path:
    """The sample's agencies only: small and quick to search cell by cell, and every file of the
    tests that need no figures names them."""
    db = tmp_path_factory.mktemp("agencies") / "lom.duckdb"
    (outcome,) = load_files([SAMPLE_DIR / "myndigheter.csv"], db)
    assert outcome.status == "loaded"
    return db


@pytest.fixture
def agencies_copy(agencies_db, tmp_path) -> Path:
    """A private copy of the agencies' database that a test may change."""
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(agencies_db, db)
    return db


@pytest.fixture(scope="session")
def boundary_db(tmp_path_factory) -> Path:
    """Disclosure control's boundaries, 4 against 5 (tests/boundary_fixture.py), loaded through the pipeline."""
    folder = tmp_path_factory.mktemp("boundary")
    outcomes = load_files(boundary_fixture.write_files(folder / "files"), folder / "lom.duckdb")
    assert [o.status for o in outcomes] == ["loaded"] * 3, [o.findings.lines() for o in outcomes]
    return folder / "lom.duckdb"


@pytest.fixture
def sample_copy(sample_db, tmp_path) -> Path:
    """A private copy of the sample database that a test may change."""
    db = tmp_path / "lom.duckdb"
    shutil.copyfile(sample_db, db)
    return db


@pytest.fixture(scope="session")
def dataset():
    """The generator's own data for the committed sample (same seed), to check loads against."""
    return generate()


def snapshot(db: Path) -> dict[str, tuple]:
    """Row count and a digest of every row of the data tables: equal snapshots, equal tables."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.sql(
                f"select count(*), md5(string_agg(t::varchar, '|' order by t::varchar)) from {t} as t"
            ).fetchall()[0]
            for t in DATA_TABLES
        }
    finally:
        con.close()


def rows(db: Path, query: str) -> list[tuple]:
    """Run a query on a database file opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """Run the command line in process; return its exit code and everything it printed."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def refused_load(capsys, db: Path, path: Path, *says: str) -> str:
    """Load a file that must be refused: exit 1, every phrase said, the data tables unchanged."""
    before = snapshot(db)
    code, output = run_cli(capsys, "load", "--db", db, path)
    assert code == 1, output
    for phrase in says:
        assert phrase in output, output
    assert snapshot(db) == before
    return output


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a test file with the given encoding."""
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True)
def fresh_caches():
    """AppTest shares Streamlit's caches between tests; each test starts from none."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def roles(sample_db, tmp_path, monkeypatch) -> dict[str, str]:
    """A roles file: one TSN member and one agency user."""
    agency = rows(sample_db, "select org_nr from stg_agencies order by org_nr")[7][0]
    table = {"staff@tsn.example": TSN, "HR@Agency.example": agency}
    path = tmp_path / "roles.toml"
    path.write_text("[roles]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in table.items()), encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE, str(path))
    return {"tsn": "staff@tsn.example", "agency": "hr@agency.example", "org_nr": agency}


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """The files behind the download buttons, by file name, made as a click would make them."""
    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return made


def compared(case_number: str) -> str:
    """A case number as the contract compares it: lower case, inner whitespace one space, trimmed."""
    return re.sub(r"[ \t\n\r\f\v\u00a0]+", " ", case_number).strip().lower()
