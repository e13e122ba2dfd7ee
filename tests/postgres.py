"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl into a temporary folder, on a
free port, as the `postgres` OS user when the tests run as root (PostgreSQL refuses root).

Without PostgreSQL's server binaries the tests that need it fail, never skip: CI must run them
(.ci/run installs Debian's `postgresql` package).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .served import free_port

DEBIAN_BINARIES = Path("/usr/lib/postgresql")


def binaries() -> Path:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    if found := shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(DEBIAN_BINARIES.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        pytest.fail("PostgreSQL's server is not installed (apt-get install postgresql); these tests must run")
    return versions[-1].parent


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def server() -> Iterator[str]:
    """Start a server; yield the URL of its `postgres` database; stop it and remove its files."""
    folder = Path(tempfile.mkdtemp(prefix="lom-pg-"))  # not under pytest's tmp: that is root's 0700
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, log, port = folder / "data", folder / "server.log", free_port()
    bin_ = binaries()
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(
            _as_server_user([str(bin_ / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                             "-E", "UTF8", "--locale=C", "--no-sync"]),
            **run,
        )  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=60"
        subprocess.run(
            _as_server_user([str(bin_ / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
            **run,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_server_user([str(bin_ / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    name = f"followup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"create database {name}")  # a name made here, not a value: no binding needed
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server for the test session; its URL."""
    with server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A new, empty database on the session's server, for one test."""
    return fresh_database(postgres_server)
