"""The committed sample data loads completely and exactly, and loading it again changes nothing."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import polars as pl

from pipelines.pseudonym import load_key
from sample_data.formats import write_agencies_csv, write_applications_csv, write_funds_csv

from .conftest import SAMPLE_FILES, compared, rows, run_cli, snapshot


def test_counts_match_the_generator(sample_db, dataset):
    """Every agency, fund year and application the generator made is in the database."""
    assert rows(sample_db, "select count(*) from agencies")[0][0] == dataset.agencies.height == 60
    assert rows(sample_db, "select count(*) from fund_years")[0][0] == dataset.funds.height == 660
    assert rows(sample_db, "select count(*) from applications")[0][0] == dataset.applications.height


def test_amounts_are_exact_to_the_ore(sample_db, dataset):
    """Sums of every amount column equal the generator's sums exactly (Decimal, not float)."""
    for column in ("payroll_sek", "allocated_sek", "spent_sek", "opening_balance_sek", "closing_balance_sek"):
        [(loaded,)] = rows(sample_db, f"select sum({column}) from fund_years")
        assert loaded == dataset.funds[column].sum(), column
    for column in ("requested_sek", "granted_sek"):
        [(loaded,)] = rows(sample_db, f"select sum({column}) from applications")
        assert loaded == dataset.applications[column].sum(), column


def test_per_agency_year_figures_match(sample_db, dataset):
    """Applications and granted SEK per agency and year agree with the generator's own rows."""
    expected = (
        dataset.applications.group_by("org_nr", pl.col("received_on").dt.year().alias("year"))
        .agg(pl.len().alias("n"), pl.col("granted_sek").sum().alias("granted"))
        .sort("org_nr", "year")
    )
    loaded = rows(
        sample_db,
        "select org_nr, year(received_on) as year, count(*), sum(granted_sek) "
        "from applications group by all order by org_nr, year",
    )
    assert loaded == [tuple(r) for r in expected.iter_rows()]


def test_the_information_drive_agency(sample_db):
    """The agency of the brief: 106 applications and 80 granted in 2023, about 18 MSEK used."""
    [(applications, granted, spent)] = rows(
        sample_db,
        """
        select count(*), count(*) filter (where decision in ('beviljad', 'delvis beviljad')),
               (select spent_sek from fund_years f where f.org_nr = a.org_nr and f.year = 2023)
        from applications a
        where org_nr = (select org_nr from agencies where name = 'Sjöhamra tillsynskansli')
          and year(received_on) = 2023
        group by org_nr
        """,
    )
    assert (applications, granted) == (106, 80)
    assert spent == Decimal("18000000.00")


def test_swedish_letters_survive_every_encoding(sample_db, dataset):
    """Names and values with å, ä, ö arrive intact from UTF-8, Windows-1252 and xlsx files."""
    names = {name for (name,) in rows(sample_db, "select name from agencies")}
    assert names == set(dataset.agencies["name"])
    assert any(ch in "".join(names) for ch in "åäöÅÄÖ")
    measures = {m for (m,) in rows(sample_db, "select distinct measure from applications")}
    assert "växeltjänstgöring" in measures and "övrigt" in measures
    assert not [n for n in names if "\ufffd" in n or "Ã" in n]


def test_sample_size_spread(sample_db):
    """Over 40 % of agencies have under 50 employees and a few have above 10 000."""
    [(small, large, total)] = rows(
        sample_db,
        "select count(*) filter (where employees < 50), count(*) filter (where employees > 10000), count(*) "
        "from fund_years where year = 2025",
    )
    assert small / total > 0.40
    assert 1 <= large <= 5


def test_hoarders_and_spenders(sample_db):
    """Some agencies hold 5 to 10 years of allocation; some spend almost all of it."""
    [(hoarders, spenders)] = rows(
        sample_db,
        """
        select count(*) filter (where closing_balance_sek / allocated_sek between 5 and 10),
               count(*) filter (where closing_balance_sek < allocated_sek * 0.5)
        from fund_years where year = 2025
        """,
    )
    assert hoarders >= 5 and spenders >= 5


def test_case_numbers_are_pseudonymised(sample_db, dataset):
    """No raw case number is stored; each row's key is HMAC-SHA256 of its own org_nr and case number
    as compared (lower case, inner whitespace one space, trimmed)."""
    stored = set(
        rows(sample_db, "select application_key, org_nr, received_on, requested_sek, granted_sek from applications")
    )
    assert not {k for k, *_ in stored} & set(dataset.applications["application_id"])
    key = load_key()
    sample = dataset.applications.select("org_nr", "application_id", "received_on", "requested_sek", "granted_sek")
    expected = {
        (
            hmac.new(key, f"{org}\x1f{compared(case)}".encode(), hashlib.sha256).hexdigest()[:32],
            org,
            received,
            requested,
            granted,
        )
        for org, case, received, requested, granted in sample.gather_every(50).iter_rows()
    }
    assert len(expected) > 1000
    assert expected <= stored


def test_loading_again_changes_nothing(sample_copy, capsys):
    """The same files a second time exit 0, say 'oförändrad' and leave every table as it was."""
    before = snapshot(sample_copy)
    code, output = run_cli(capsys, "load", "--db", sample_copy, *SAMPLE_FILES)
    assert code == 0
    assert output.count("oförändrad –") == len(SAMPLE_FILES)
    assert snapshot(sample_copy) == before
    statuses = rows(sample_copy, "select status, count(*) from loads group by status order by status")
    assert statuses == [("loaded", 4), ("unchanged", 4)]


def test_committed_files_are_the_generators_output(tmp_path, dataset):
    """The CSV files in sample_data/ are exactly what the seeded generator writes."""
    write_agencies_csv(dataset.agencies, tmp_path / "a.csv")
    write_funds_csv(dataset.funds, tmp_path / "f.csv")
    early = dataset.applications.filter(pl.col("received_on").dt.year() < 2020).drop("plan_row")
    write_applications_csv(early, tmp_path / "p.csv")
    by_name = {p.name: p for p in SAMPLE_FILES}
    assert (tmp_path / "a.csv").read_bytes() == by_name["myndigheter.csv"].read_bytes()
    assert (tmp_path / "f.csv").read_bytes() == by_name["medel_2015-2025.csv"].read_bytes()
    assert (tmp_path / "p.csv").read_bytes() == by_name["ansokningar_2015-2019.csv"].read_bytes()


def test_sample_formats_are_the_ones_agencies_send():
    """One Windows-1252 semicolon CSV with decimal commas, one UTF-8 CSV, one xlsx workbook."""
    by_name = {p.name: p.read_bytes() for p in SAMPLE_FILES}
    funds = by_name["medel_2015-2025.csv"]
    assert b";" in funds.split(b"\r\n")[0]
    funds.decode("cp1252")
    try:
        funds.decode("utf-8")
        raise AssertionError("the funds file should not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    assert by_name["myndigheter.csv"].decode("utf-8")
    assert by_name["ansokningar_2020-2025.xlsx"][:4] == b"PK\x03\x04"
