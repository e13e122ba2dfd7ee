"""Keyed pseudonyms for case numbers: HMAC-SHA256 with a key kept outside the database (lom.db.keys)."""

from __future__ import annotations

import hashlib

import polars as pl
import polars_hash as plh

from lom.db.keys import KeyProblem, existing_key, key_exists, load_key
from pipelines.validate import case_number

__all__ = ["KeyProblem", "application_keys", "existing_key", "key_exists", "load_key", "pads", "pseudonymise"]

BLOCK = 64  # SHA-256 block size in bytes


def pads(key: bytes) -> tuple[bytes, bytes]:
    """Return HMAC's inner and outer pads for a key (RFC 2104)."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def application_keys(cases: pl.DataFrame, key: bytes) -> pl.Series:
    """Return HMAC(key, org_nr 0x1f case number) per row of a frame holding org_nr and
    application_id, the case number as it is compared (`case_number`: case folded, inner
    whitespace one space), so that one case written two ways has one key; none where either is
    missing. The hex digest is cut to 128 bits.

    Vectorised over the whole column: RFC 2104's two SHA-256 passes, over the inner pad and the
    message, then over the outer pad and the inner digest, each by polars-hash (Rust, with the
    CPU's SHA instructions where it has them) in Polars' threads, which run without Python's lock.
    """
    inner, outer = pads(key)
    message = pl.col("org_nr") + "\x1f" + case_number(pl.col("application_id"))
    inner_digest = plh.col("inner").chash.sha2_256().str.decode("hex")
    return (
        cases.lazy()
        .select(inner=pl.lit(inner) + message.cast(pl.Binary))
        .select(outer=pl.lit(outer) + inner_digest)
        .select(application_key=plh.col("outer").chash.sha2_256().str.slice(0, 32))
        .collect()
        .to_series()
    )


def pseudonymise(applications: pl.DataFrame, key: bytes, keys: pl.Series | None = None) -> pl.DataFrame:
    """Replace application_id by application_key (keys computed here unless given, row for row)."""
    keys = application_keys(applications, key) if keys is None else keys
    return applications.drop("application_id").insert_column(0, keys)
