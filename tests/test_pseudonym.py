"""The pseudonym key: outside the database, owner-only, and HMAC computed exactly."""

from __future__ import annotations

import hashlib
import hmac
import random
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from pipelines import load, pseudonym

from .conftest import compared


def applications(ids: list[str], org: str = "209900-0016") -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame(
        {
            "application_id": ids,
            "org_nr": [org] * n,
            "received_on": [date(2024, 1, 1)] * n,
            "decided_on": [None] * n,
            "measure": ["studier"] * n,
            "decision": ["under handläggning"] * n,
            "requested_sek": [Decimal("1.00")] * n,
            "granted_sek": [Decimal("0.00")] * n,
            "gender": [None] * n,
            "age_band": [None] * n,
        },
        schema_overrides={"decided_on": pl.Date, "gender": pl.String, "age_band": pl.String},
    )


@pytest.mark.parametrize("key", [b"k" * 32, bytes(range(64)), b"x" * 100], ids=["kort", "ett block", "lång"])
def test_keys_match_python_hmac(key):
    """The vectorised HMAC equals Python's hmac module for short, block-sized and long keys, over the
    case number as it is compared."""
    ids = ["LOM-2024-0001", "Dnr 2024/17", "åäö ÅÄÖ", "a\\x41", "", " DNR\t 2024/17\u00a0"]
    result = pseudonym.pseudonymise(applications(ids), key)
    expected = [hmac.new(key, f"209900-0016\x1f{compared(i)}".encode(), hashlib.sha256).hexdigest()[:32] for i in ids]
    assert expected[1] == expected[5]
    assert result["application_key"].to_list() == expected
    assert "application_id" not in result.columns


# Case numbers as agencies write them beyond ASCII: Swedish letters, other scripts' digits
# (Arabic-Indic, full width), Cyrillic and its №, Chinese, an emoji (four bytes in UTF-8), a
# decomposed å (a + ring), and one longer than SHA-256's 64-byte block.
WRITTEN = [
    "Ärende 2024:5",
    "Dnr ٢٠٢٤/١٧",
    "ＬＯＭ－２０２４－０１",
    "Дело №12",
    "案件 2024-7",
    "🙂 2024",
    "a\u030ar 2024/3",
    "ÖVERGÅNG " * 9,
]


def test_vectorised_keys_equal_python_hmac_beyond_ascii():
    """The keys computed over a whole column (polars-hash) equal Python's hmac, row for row, for
    case numbers in many scripts: the written ones and 5 000 more drawn from their characters."""
    key = bytes(range(32))
    pool = "".join(sorted(set("".join(WRITTEN)))) + "-/ "
    draw = random.Random(2024)
    ids = WRITTEN + ["".join(draw.choices(pool, k=draw.randint(1, 40))) for _ in range(5000)]
    org_nrs = [("209900-0016", "209900-0024")[i % 2] for i in range(len(ids))]
    keys = pseudonym.application_keys(pl.DataFrame({"org_nr": org_nrs, "application_id": ids}), key)
    expected = [
        hmac.new(key, f"{org}\x1f{compared(case)}".encode(), hashlib.sha256).hexdigest()[:32]
        for org, case in zip(org_nrs, ids, strict=True)
    ]
    assert keys.to_list() == expected
    assert keys.n_unique() == len(set(zip(org_nrs, map(compared, ids), strict=True)))


def test_keys_computed_beside_validation_are_those_of_the_canonical_org_nr():
    """The keys are computed from the raw cells while the part is validated: an org number written
    without its dash, with spaces around it or not at all gets the key of its canonical form, as
    Python's hmac gives it; an empty one none."""
    key = bytes(range(32))
    raw = pl.DataFrame(
        {
            "org_nr": ["2099000016", " 209900-0016 ", "209900-0016", "\u00a0209900-0024", "  ", None],
            "application_id": [" Dnr 2024/1 ", "dnr  2024/2", "DNR 2024/3", "Dnr 2024/4", "Dnr 2024/5", "Dnr 2024/6"],
        }
    )
    keys = pseudonym.application_keys(load._case_numbers(raw), key).to_list()
    canonical = ["209900-0016", "209900-0016", "209900-0016", "209900-0024"]
    cases = ["dnr 2024/1", "dnr 2024/2", "dnr 2024/3", "dnr 2024/4"]
    expected = [
        hmac.new(key, f"{org}\x1f{case}".encode(), hashlib.sha256).hexdigest()[:32]
        for org, case in zip(canonical, cases, strict=True)
    ]
    assert keys == [*expected, None, None]


def test_same_case_number_at_two_agencies_gets_two_keys():
    key = b"k" * 32
    first = pseudonym.pseudonymise(applications(["A-1"], "209900-0016"), key)["application_key"][0]
    second = pseudonym.pseudonymise(applications(["A-1"], "209900-0024"), key)["application_key"][0]
    assert first != second


def test_key_file_is_created_owner_only(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "lom" / "pseudonym.key"
    monkeypatch.setenv("LOM_KEY_FILE", str(path))
    key = pseudonym.load_key()
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonym.load_key() == key  # the same key on every later load


def test_a_key_readable_by_others_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "pseudonym.key"
    path.write_text("00" * 32)
    path.chmod(0o644)
    monkeypatch.setenv("LOM_KEY_FILE", str(path))
    with pytest.raises(pseudonym.KeyProblem, match="chmod 600"):
        pseudonym.load_key()


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv("LOM_PSEUDONYM_KEY", "ab" * 32)
    assert pseudonym.load_key() == bytes.fromhex("ab" * 32)
    monkeypatch.setenv("LOM_PSEUDONYM_KEY", "ab" * 8)
    with pytest.raises(pseudonym.KeyProblem, match="minst 32 byte"):
        pseudonym.load_key()


def test_reading_peers_pseudonyms_with_no_key_file_creates_none(sample_db, tmp_path, monkeypatch):
    """Reading never writes a file: with no key file, an agency's view of its peers is refused
    with a message, and no key file (nor its folder) is made."""
    from lom.db import keys
    from lom.queries import overview
    from lom.queries.connection import connect

    missing = tmp_path / "no-key" / "pseudonym.key"
    monkeypatch.setenv("LOM_KEY_FILE", str(missing))
    monkeypatch.delenv("LOM_PSEUDONYM_KEY", raising=False)
    with connect(sample_db) as con:
        [(agency,)] = con.sql("select org_nr from agencies order by org_nr limit 1").fetchall()
        with pytest.raises(keys.KeyProblem, match="ingen pseudonymnyckel"):
            overview.agency_ranking(con, 2025, group_type="sector", role=agency)
    assert not missing.exists() and not missing.parent.exists()


def test_a_new_key_is_made_once_however_many_threads_ask_for_it(tmp_path, monkeypatch):
    """A part's HMAC asks for the key in a thread while the load may ask in another: the first
    load's key file is made once, and every asker gets that key."""
    key_file = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv("LOM_KEY_FILE", str(key_file))
    calls = []

    def counted() -> bytes:
        calls.append(1)
        return pseudonym.load_key()

    key = load._once(counted)
    start = threading.Barrier(8)

    def ask() -> bytes:
        start.wait()
        return key()

    with ThreadPoolExecutor(max_workers=8) as askers:
        keys = list(askers.map(lambda _: ask(), range(8)))
    assert len(calls) == 1
    assert set(keys) == {bytes.fromhex(key_file.read_text().strip())}
    assert [p.name for p in key_file.parent.iterdir()] == ["pseudonym.key"]
