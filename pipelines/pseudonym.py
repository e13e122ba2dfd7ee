"""Keyed pseudonyms for case numbers: HMAC-SHA256 with a key kept outside the database."""

from __future__ import annotations

import hashlib
import os
import secrets
from contextlib import suppress
from pathlib import Path

import duckdb
import polars as pl

from pipelines import store
from pipelines.settings import key_file
from pipelines.store import sql
from pipelines.validate import case_number

BLOCK = 64  # SHA-256 block size in bytes


class KeyProblem(Exception):
    """The pseudonym key cannot be used; the message says why, in Swedish."""


def load_key() -> bytes:
    """Return the pseudonym key: LOM_PSEUDONYM_KEY (hex), else the key file, made on first use."""
    if from_env := os.environ.get("LOM_PSEUDONYM_KEY"):
        try:
            key = bytes.fromhex(from_env)
        except ValueError:
            raise KeyProblem("LOM_PSEUDONYM_KEY ska vara nyckeln skriven hexadecimalt") from None
        if len(key) < 32:
            raise KeyProblem("LOM_PSEUDONYM_KEY ska vara minst 32 byte (64 hexadecimala tecken)")
        return key
    return _key_from_file(key_file())


def existing_key() -> bytes | None:
    """Return the key if one exists already, without creating one (for read-only checks)."""
    if os.environ.get("LOM_PSEUDONYM_KEY") or key_file().exists():
        return load_key()
    return None


def _key_from_file(path: Path) -> bytes:
    if not path.exists():
        try:
            _create_key_file(path)
        except OSError as error:
            raise KeyProblem(f"nyckelfilen {path} kunde inte skapas ({error.strerror})") from None
    if path.stat().st_mode & 0o077:
        raise KeyProblem(f"nyckelfilen {path} får bara vara läsbar för sin ägare (chmod 600)")
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError:
        raise KeyProblem(f"nyckelfilen {path} innehåller ingen hexadecimal nyckel") from None
    if len(key) < 32:
        raise KeyProblem(f"nyckelfilen {path} ska innehålla minst 32 byte (64 hexadecimala tecken)")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key whole under another name, then link it: nobody sees a half-written key,
    and a load killed on the way leaves at most the draft, which is ignored."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for leftover in path.parent.glob(f".{path.name}.*"):  # of a load killed while making a key
        if not _running(leftover.suffix.removeprefix(".")):
            leftover.unlink(missing_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with suppress(FileExistsError):  # another load made one a moment ago: use that
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def _running(pid: str) -> bool:
    """Say whether a process with this id runs (a draft of a live load is left alone)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pads(key: bytes) -> tuple[bytes, bytes]:
    """Return HMAC's inner and outer pads for a key (RFC 2104)."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def application_keys(cases: pl.DataFrame, key: bytes) -> pl.Series:
    """Return HMAC(key, org_nr 0x1f case number) per row of a frame holding org_nr and
    application_id, the case number as it is compared (`case_number`: case folded, inner
    whitespace one space), so that one case written two ways has one key.

    Computed by DuckDB in a private in-memory database: vectorised over both cores, and the raw
    case numbers never reach the published file.
    """
    inner, outer = pads(key)
    con = duckdb.connect()
    try:
        store.lock_down(con)
        con.register("incoming_raw", cases.select("org_nr", case_number(pl.col("application_id"))))
        keys = con.sql(sql("load/pseudonymise"), params={"inner_pad": inner, "outer_pad": outer}).pl()
    finally:
        con.close()
    return keys.to_series()


def pseudonymise(applications: pl.DataFrame, key: bytes, keys: pl.Series | None = None) -> pl.DataFrame:
    """Replace application_id by application_key (keys computed here unless given, row for row)."""
    keys = application_keys(applications, key) if keys is None else keys
    return applications.drop("application_id").insert_column(0, keys)
