"""The pseudonym key: kept outside the database, made owner-only on a load's first use.

A load may create the key (load_key); a reader only uses one that exists (read_key), so that
reading data never writes a file.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path

from lom.db.settings import key_file


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


def key_exists() -> bool:
    """Whether a key is there to be read (given in LOM_PSEUDONYM_KEY, or its file made), usable or not."""
    return bool(os.environ.get("LOM_PSEUDONYM_KEY")) or key_file().exists()


def existing_key() -> bytes | None:
    """Return the key if one exists already, without creating one (for read-only checks)."""
    return load_key() if key_exists() else None


def read_key() -> bytes:
    """Return the existing key for a reader; never create one (reading writes no file)."""
    if (key := existing_key()) is None:
        raise KeyProblem(
            f"ingen pseudonymnyckel finns ({key_file()}); läs in data först, eller ange LOM_KEY_FILE "
            "eller LOM_PSEUDONYM_KEY som inläsningen använder"
        )
    return key


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
