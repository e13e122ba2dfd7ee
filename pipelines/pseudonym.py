"""Keyed pseudonyms for case numbers: HMAC-SHA256 with a key kept outside the database (lom.db.keys)."""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from lom.db import store
from lom.db.keys import KeyProblem, existing_key, key_exists, load_key
from lom.db.store import sql
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
