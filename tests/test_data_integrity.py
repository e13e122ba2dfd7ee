"""Data tests on the loaded sample: keys, references and invariants that the schema does not index."""

from __future__ import annotations

from decimal import Decimal

from .conftest import rows


def test_keys_are_unique_and_not_null(sample_db):
    assert rows(sample_db, "select count(*) - count(distinct (org_nr, application_key)) from applications") == [(0,)]
    assert rows(sample_db, "select count(*) from applications where application_key is null or org_nr is null") == [
        (0,)
    ]
    assert rows(sample_db, "select count(*) - count(distinct (org_nr, year)) from fund_years") == [(0,)]


def test_every_row_references_a_known_agency_and_load(sample_db):
    """applications has no foreign keys (for load speed): the loader must keep them true itself."""
    assert rows(sample_db, "select count(*) from applications anti join agencies using (org_nr)") == [(0,)]
    assert rows(sample_db, "select count(*) from applications anti join loads using (load_id)") == [(0,)]
    assert rows(sample_db, "select count(*) from fund_years anti join agencies using (org_nr)") == [(0,)]


def test_fund_invariants(sample_db):
    """closing = opening + allocated - spent, and each opening is last year's closing."""
    assert rows(
        sample_db,
        "select count(*) from fund_years "
        "where abs(closing_balance_sek - (opening_balance_sek + allocated_sek - spent_sek)) > 1",
    ) == [(0,)]
    assert rows(
        sample_db,
        """
        select count(*) from fund_years as this
        join fund_years as last on last.org_nr = this.org_nr and last.year = this.year - 1
        where this.opening_balance_sek <> last.closing_balance_sek
        """,
    ) == [(0,)]


def test_allocation_follows_the_rate_table(sample_db):
    """Every allocation is within 2 % of rate(year) x payroll, with the rate read from the table."""
    assert rows(
        sample_db,
        """
        select count(*) from fund_years as f
        join allocation_rates as r on f.year between r.first_year and coalesce(r.last_year, 9999)
        where abs(f.allocated_sek - r.rate * f.payroll_sek) > 0.02 * r.rate * f.payroll_sek
        """,
    ) == [(0,)]
    assert rows(
        sample_db,
        "select year, rate from allocation_rates, (values (2023), (2024)) as y(year) "
        "where year between first_year and coalesce(last_year, 9999) order by year",
    ) == [(2023, Decimal("0.0030")), (2024, Decimal("0.0020"))]


def test_application_invariants(sample_db):
    assert rows(
        sample_db,
        """
        select count(*) from applications
        where (decided_on is null) <> (decision = 'under handläggning')
           or decided_on < received_on
           or (granted_sek > 0 and decision not in ('beviljad', 'delvis beviljad'))
        """,
    ) == [(0,)]


def test_every_load_is_logged_with_its_slices(sample_db):
    assert rows(sample_db, "select status, count(*) from loads group by status") == [("loaded", 4)]
    assert rows(
        sample_db,
        "select sum(rows_after) from load_slices where kind = 'applications'",
    ) == rows(sample_db, "select count(*) from applications")
