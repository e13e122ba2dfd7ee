"""`lom check --as ORG_NR FILE...` (issue 22): an agency's own IT checks a file before sending it.
A row of any other agency is an error (exit 1); the agency's own rows pass (exit 0); an --as that
is no organisation number is a usage error (exit 2) and is not echoed. Run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .paths import ROOT, SAMPLE_DIR

FUNDS = SAMPLE_DIR / "medel_2015-2025.csv"  # Windows-1252, as a spreadsheet saves it
OWN, OTHER = "209900-0016", "209900-0024"


def lom(*args: str | Path, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOM_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "lom.cli", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def funds_of(path: Path, *org_nrs: str) -> Path:
    """The sample's funds file with only the rows of the given agencies, bytes as they were."""
    header, *lines = FUNDS.read_bytes().split(b"\n")
    kept = [line for line in lines if line.split(b";")[0].decode() in org_nrs]
    path.write_bytes(b"\n".join([header, *kept]) + b"\n")
    return path


def test_an_agencys_own_rows_pass_and_another_agencys_row_is_refused(sample_db, tmp_path):
    own = funds_of(tmp_path / "egna.csv", OWN)
    mixed = funds_of(tmp_path / "blandad.csv", OWN, OTHER)
    before = sample_db.read_bytes()

    passed = lom("check", "--as", OWN, own, db=sample_db)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "egna.csv: godkänd" in passed.stdout

    # As people write it: without the dash, with spaces around.
    assert lom("check", "--as", f" {OWN.replace('-', '')} ", own, db=sample_db).returncode == 0

    refused = lom("check", "--as", OWN, mixed, db=sample_db)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "blandad.csv: avvisad" in refused.stdout
    other_rows = 11  # 2015–2025 of the other agency, after the own 11 rows and the header
    said = f"fel: rad 13, kolumn 'Organisationsnummer': raden gäller en annan myndighet än avsändaren {OWN}"
    assert said in refused.stdout and "[annan myndighet]" in refused.stdout
    assert f"medel, {other_rows} fel" in refused.stdout
    # Without --as the same file passes: the rule is the sender's.
    assert lom("check", mixed, db=sample_db).returncode == 0
    assert sample_db.read_bytes() == before


def test_an_agency_checks_without_trygghetsstiftelsens_database(tmp_path):
    """On the agency's own machine there is no database: the sender is the agency it says it is."""
    own = funds_of(tmp_path / "egna.csv", OWN)
    missing = tmp_path / "ingen.duckdb"
    assert lom("check", own, db=missing).returncode == 1  # unknown agency without --as
    checked = lom("check", "--as", OWN, own, db=missing)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not missing.exists()


def test_an_as_that_is_no_organisation_number_is_a_usage_error_and_not_echoed(tmp_path):
    own = funds_of(tmp_path / "egna.csv", OWN)
    for typed in ("19121212-1212", "121212–1212", "209900-0017", "Myndigheten"):
        result = lom("check", "--as", typed, own, db=tmp_path / "ingen.duckdb")
        assert result.returncode == 2, typed
        assert "--as ska vara myndighetens organisationsnummer" in result.stderr
        assert typed not in result.stdout + result.stderr
