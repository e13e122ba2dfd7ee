"""Head count and full-time equivalents are two columns of the funds file: `anställda` (required)
and `årsarbetskrafter` (optional). The rates per 100 employees use the head count."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from lom.db import store

from .conftest import SAMPLE_DIR, refused_load, rows, run_cli, write
from .test_rules import ORG_A, ORG_B

HEADER = "organisationsnummer;år;anställda;årsarbetskrafter;lönesumma;avsättning;nyttjat;ingående saldo;utgående saldo"
ROWS = [
    f"{ORG_A};2024;120;98,5;60 000 000;120 000;50 000;100 000;170 000",
    f"{ORG_B};2024;30;;15 000 000;30 000;10 000;20 000;40 000",  # no full-time equivalents given
]
APPS = "ärendenummer;orgnr;inkom;beslutsdatum;insats;beslut;sökt belopp;beviljat belopp\n" + "\n".join(
    f"H-{i};{ORG_A};2024-02-0{i};2024-02-2{i};studier;beviljad;1 000;1 000" for i in range(1, 7)
)


def test_both_columns_load_and_the_rates_use_the_head_count(agencies_copy, tmp_path, capsys):
    funds = write(tmp_path / "medel.csv", "\n".join([HEADER, *ROWS]) + "\n")
    apps = write(tmp_path / "ansokningar.csv", APPS + "\n")
    code, output = run_cli(capsys, "load", "--db", agencies_copy, funds, apps)
    assert code == 0, output
    stored = dict(
        (org, (employees, fte))
        for org, employees, fte in rows(agencies_copy, "select org_nr, employees, fte from fund_years")
    )
    assert stored[ORG_A][0] == 120 and float(stored[ORG_A][1]) == 98.5
    assert stored[ORG_B] == (30, None)
    # 6 applications over 120 employees is 5 per 100; over 98.5 full-time equivalents it would be 6.09.
    (per_100,) = rows(
        agencies_copy, f"select applications_per_100_employees from agency_year_kpis where org_nr = '{ORG_A}'"
    )[0]
    assert per_100 == pytest.approx(100 * 6 / 120)


def test_full_time_equivalents_alone_are_not_a_head_count(agencies_copy, tmp_path, capsys):
    """A file with only `årsarbetskrafter` lacks `anställda`: it is refused, not read as head count."""
    header = HEADER.replace("anställda;", "")
    lines = [";".join(r.split(";")[:2] + r.split(";")[3:]) for r in ROWS]
    path = write(tmp_path / "medel.csv", "\n".join([header, *lines]) + "\n")
    refused_load(capsys, agencies_copy, path, "anställda")


@pytest.mark.parametrize(
    ("value", "rule"),
    [("-3", "årsarbetskrafterna får inte vara negativa"), ("tolv", "ogiltigt tal"), ("12,345", "ogiltigt tal")],
)
def test_a_bad_full_time_equivalent_is_named_with_its_row_and_column(agencies_copy, tmp_path, capsys, value, rule):
    bad = ROWS[0].replace(";98,5;", f";{value};")
    path = write(tmp_path / "medel.csv", "\n".join([HEADER, bad, ROWS[1]]) + "\n")
    output = refused_load(capsys, agencies_copy, path, rule)
    assert "rad 2" in output and "årsarbetskrafter" in output.lower()


def test_a_database_made_before_the_column_gets_it_in_the_same_place(tmp_path):
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        for path in sorted((store.SQL_DIR / "schema").glob("*.sql")):
            text = path.read_text(encoding="utf-8")
            if path.name == "05_fund_years.sql":
                text = text.split("alter table")[0]  # the table as it was made before
            for statement in con.extract_statements(text):
                con.execute(statement)
        assert "fte" not in [c[0] for c in con.execute("describe fund_years").fetchall()]
        store.apply_schema(con)
        old_columns = [c[0] for c in con.execute("describe fund_years").fetchall()]
    new = tmp_path / "new.duckdb"
    with duckdb.connect(str(new)) as con:
        store.apply_schema(con)
        new_columns = [c[0] for c in con.execute("describe fund_years").fetchall()]
    assert old_columns == new_columns and new_columns[-1] == "fte"


def test_the_sample_reports_full_time_equivalents_beside_the_head_count(sample_db):
    # Read a second way: the committed file itself, as Excel in Sweden writes it.
    raw = pl.read_csv(SAMPLE_DIR / "medel_2015-2025.csv", separator=";", encoding="cp1252", infer_schema=False)
    expected = {
        (org, int(year)): (int(employees), float(fte.replace(",", ".")))
        for org, year, employees, fte in raw.select(
            "Organisationsnummer", "År", "Anställda", "Årsarbetskrafter"
        ).iter_rows()
    }
    stored = {
        (org, year): (employees, float(fte))
        for org, year, employees, fte in rows(sample_db, "select org_nr, year, employees, fte from fund_years")
    }
    assert stored == expected
    assert all(fte < employees for employees, fte in stored.values())
