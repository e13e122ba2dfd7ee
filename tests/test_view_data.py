"""Data tests on every view, table and macro of sql/: keys, accepted values and invariants.

Each runs on the loaded sample and on the small hand-computed fixture. A new object under sql/
must be given its key here (test_every_model_has_a_key says so).
"""

from __future__ import annotations

import pytest

from lom.db.models import model_files

from .conftest import rows

# object: the columns that identify a row (None: exactly one row)
KEYS = {
    "kpi_definitions": ["kpi"],
    "size_classes": ["size_class"],
    "peer_settings": None,
    "peer_group_types": ["group_type"],
    "decision_types": ["decision"],
    "stg_agencies": ["org_nr"],
    "stg_fund_years": ["org_nr", "year"],
    "stg_applications": ["org_nr", "application_key"],
    "stg_loads": ["load_id"],
    "stg_load_slices": ["load_id", "kind", "org_nr", "year"],
    "int_agency_year_applications": ["org_nr", "year"],
    "int_agency_year_measures": ["org_nr", "year", "measure"],
    "int_agency_year_groups": ["org_nr", "year", "dimension", "applicant_group"],
    "int_handling_times": ["year", "is_national", "sector"],
    "agency_year_kpis": ["org_nr", "year"],
    "agency_year_measure_mix": ["org_nr", "year", "measure"],
    "year_totals": ["year", "is_national", "sector"],
    "reporting_coverage": ["org_nr", "year"],
    "data_vintage": None,
    "kpi_values": ["org_nr", "year", "kpi"],
    "similar_agencies": ["year", "org_nr", "peer_rank"],
    "peer_groups": ["year", "org_nr", "group_type"],
    "peer_group_members": ["year", "group_type", "group_id", "member_org_nr"],
    "agency_peers": ["year", "org_nr", "group_type", "member_org_nr"],
    "peer_stats": ["year", "group_type", "group_id", "kpi"],
    "peer_positions": ["year", "org_nr", "group_type", "kpi"],
    "approval_rate_intervals": ["year", "org_nr", "group_type"],
    "fund_projection": ["org_nr", "base_year", "step"],
    "idle_fund_flags()": ["org_nr", "year", "rule"],
    "projection_summary()": ["org_nr", "base_year"],
}
NULLABLE_KEYS = {("int_handling_times", "sector"), ("year_totals", "sector"), ("stg_load_slices", "year")}
FUNCTIONS = {
    "sv_number",
    "sv_kronor",
    "sv_percent",
    "sv_short",
    "sv_beside",
    "allocation_rates_md5",
    "wilson_limit",
    "funnel_difference",
    "quartile_class",
}


@pytest.fixture(params=["sample_db", "measures_db"])
def db(request):
    return request.getfixturevalue(request.param)


def count(db, query: str) -> int:
    [(found,)] = rows(db, query)
    return found


def none_of(db, query: str) -> None:
    """Assert that a query finding rows that break a rule finds none; show some if it does."""
    found = rows(db, f"select * from ({query}) limit 5")
    assert found == [], found


def test_every_model_has_a_key():
    models = {path.stem for path in model_files()} - FUNCTIONS
    assert models == {name.removesuffix("()") for name in KEYS}


@pytest.mark.parametrize("name", KEYS)
def test_keys_are_unique_and_not_null(db, name):
    keys = KEYS[name]
    assert count(db, f"select count(*) from {name}") > 0
    if keys is None:
        assert count(db, f"select count(*) from {name}") == 1
        return
    assert count(db, f"select count(*) - count(distinct ({', '.join(keys)})) from {name}") == 0
    for column in keys:
        if (name, column) not in NULLABLE_KEYS:
            assert count(db, f"select count(*) from {name} where {column} is null") == 0, column


def test_accepted_values(db):
    assert rows(db, "select distinct direction from kpi_definitions order by 1") == [
        ("higher_better",),
        ("lower_better",),
        ("neutral",),
    ]
    none_of(db, "select * from peer_groups where group_type not in ('sector', 'size', 'similar')")
    none_of(
        db,
        """
        select * from peer_positions
        where (direction = 'neutral' and quartile_class not in ('high', 'middle', 'low'))
           or (direction <> 'neutral' and quartile_class not in ('best', 'middle', 'worst', 'question'))
           or ((quartile_class = 'question') <> (kpi = 'reserve_years' and org_nr in (
                select org_nr from agency_year_kpis as k
                where k.year = peer_positions.year and k.closing_balance_sek < 0)))
        """,
    )
    none_of(db, "select * from idle_fund_flags() where rule not in ('reserve', 'low_utilisation', 'negative_balance')")
    none_of(db, "select * from approval_rate_intervals where difference not in ('above', 'below', 'within')")
    none_of(db, "select * from agency_year_kpis anti join size_classes using (size_class) where has_funds")


def test_the_compared_measures_are_those_of_the_definitions(db):
    compared = rows(db, "select kpi from kpi_definitions where compared order by kpi")
    assert rows(db, "select distinct kpi from kpi_values order by kpi") == compared
    assert rows(db, "select distinct kpi from peer_positions order by kpi") == compared


def test_fund_invariants(db):
    none_of(
        db,
        "select * from agency_year_kpis "
        "where abs(closing_balance_sek - (opening_balance_sek + allocated_sek - spent_sek)) > 1",
    )
    none_of(
        db,
        """
        select * from agency_year_kpis
        where utilisation is distinct from spent_sek::double / nullif(allocated_sek, 0)
           or reserve_years is distinct from closing_balance_sek::double / nullif(allocated_sek, 0)
        """,
    )


def test_application_counts_add_up(db):
    """granted <= decided <= applications, and every application is decided, withdrawn or pending.
    Where the agency does not report applications for the year every count is missing."""
    none_of(
        db,
        """
        select * from agency_year_kpis
        where reports_applications and not (
               granted <= decided and decided <= applications
               and decided + withdrawn + pending = applications
               and granted = fully_granted + partly_granted
               and decided = granted + rejected
           )
           or reports_applications <> (applications is not null)
           or reports_applications <> (coalesce(decided, granted, withdrawn, pending, granted_sek) is not null)
           or (has_applications and not reports_applications)
        """,
    )
    assert count(db, "select sum(applications) from agency_year_kpis") == count(db, "select count(*) from applications")


def test_rates_are_null_when_their_denominator_is_zero(db):
    none_of(
        db,
        """
        select * from agency_year_kpis
        where (coalesce(decided, 0) = 0) <> (approval_rate is null)
           or (coalesce(allocated_sek, 0) = 0) <> (utilisation is null)
           or (coalesce(allocated_sek, 0) = 0) <> (reserve_years is null)
           or (coalesce(employees, 0) = 0 or applications is null) <> (applications_per_100_employees is null)
           or not coalesce(approval_rate between 0 and 1, true)
        """,
    )


def test_measure_shares_sum_to_one(db):
    none_of(
        db,
        """
        select * from (
            select org_nr, year, sum(share_of_applications) as applications, sum(share_of_granted_sek) as granted
            from agency_year_measure_mix group by all
        )
        where not (abs(applications - 1) <= 1e-9 and coalesce(abs(granted - 1) <= 1e-9, true))
        """,
    )
    assert rows(db, "select sum(applications), sum(granted_sek) from agency_year_measure_mix") == rows(
        db, "select sum(applications), sum(granted_sek) from agency_year_kpis"
    )


def test_national_totals_are_the_sum_of_the_sectors(db):
    columns = ["agencies_with_funds", "allocated_sek", "spent_sek", "closing_balance_sek", "applications", "granted"]
    sums = ", ".join(f"sum({c})" for c in columns)
    national = rows(db, f"select year, {', '.join(columns)} from year_totals where is_national order by year")
    sectors = rows(db, f"select year, {sums} from year_totals where not is_national group by year order by year")
    assert national == sectors


def test_coverage_is_every_agency_in_every_year(db):
    assert count(db, "select count(*) from reporting_coverage") == count(
        db, "select (select count(*) from agencies) * (select max(year) - min(year) + 1 from agency_year_kpis)"
    )
    assert count(db, "select count(*) from reporting_coverage where has_funds") == count(
        db, "select count(*) from fund_years"
    )


def test_peer_statistics_are_ordered(db):
    none_of(
        db,
        """
        select * from peer_stats
        where (agencies > 0 and not coalesce(
                   minimum <= lower_quartile and lower_quartile <= median and median <= upper_quartile
                   and upper_quartile <= maximum, false))
           or (agencies = 0 and median is not null)
           or agencies > members
        """,
    )


def test_positions_are_ranks_within_the_group(db):
    none_of(
        db,
        """
        select * from peer_positions, peer_settings
        where not coalesce(percentile_rank between 0 and 1, true)
           or (value is null or peer_agencies < min_agencies_placed) <> (quartile_class is null)
           or (value is null or peer_agencies < min_agencies_placed) <> (percentile_rank is null)
        """,
    )


def test_similar_agencies_are_others_of_the_same_year(db):
    none_of(db, "select * from similar_agencies where peer_org_nr = org_nr")
    none_of(
        db,
        """
        select * from similar_agencies as s
        anti join agency_year_kpis as k on k.org_nr = s.peer_org_nr and k.year = s.year and k.employees > 0
        """,
    )
    none_of(
        db,
        """
        select * from (
            select distance < lag(distance) over (partition by year, org_nr order by peer_rank) as closer
            from similar_agencies
        )
        where closer
        """,
    )
    none_of(
        db,
        """
        select * from (select year, org_nr, count(*) as n from similar_agencies group by all) as s,
            (select year, count(*) as agencies from agency_year_kpis where employees > 0 group by year) as y,
            peer_settings
        where s.year = y.year and s.n <> least(similar_count, agencies - 1)
        """,
    )


def test_wilson_intervals_hold_the_rate(db):
    none_of(
        db,
        """
        select * from approval_rate_intervals, peer_settings
        where (decided > 0 and not coalesce(
                   0 <= wilson_low and wilson_low <= approval_rate and approval_rate <= wilson_high
                   and wilson_high <= 1
                   and funnel_low <= peer_median and peer_median <= funnel_high, false))
           or (coalesce(decided, 0) = 0) <> (wilson_low is null)
           or (coalesce(decided, 0) = 0) <> (funnel_low is null)
           or (wilson_low is null or peer_agencies < min_agencies_placed) <> (difference is null)
           or (difference is not null and (difference = 'above') <> (approval_rate > funnel_high))
           or (difference is not null and (difference = 'below') <> (approval_rate < funnel_low))
        """,
    )


def test_projections_never_go_below_zero_and_move_one_way(db):
    none_of(db, "select * from fund_projection where balance_sek < 0")
    none_of(
        db,
        """
        select * from (
            select mean_utilisation, balance_sek - lag(balance_sek) over (partition by org_nr, base_year order by step)
                as change
            from fund_projection
        )
        where (mean_utilisation <= 1 and change < -1e-6) or (mean_utilisation > 1 and change > 1e-6)
        """,
    )
    assert rows(db, "select distinct min(step), max(step) from fund_projection group by org_nr, base_year") == [(1, 30)]


def test_flags_and_projection_summaries_are_consistent(db):
    none_of(
        db,
        "select * from idle_fund_flags() where not coalesce(amount_sek > 0, false) or reason is null "
        "or (rule = 'reserve' and value <= threshold) or (rule = 'low_utilisation' and not value < threshold)",
    )
    none_of(
        db,
        """
        select * from projection_summary(), peer_settings
        where crossing_year <= base_year
           or extra_spending_per_year_sek < 0
           or (over_limit_now and crossing_year is not null)
           or (coalesce(peer_agencies, 0) < min_agencies_placed) <> (extra_spending_per_year_sek is null)
        """,
    )


def test_data_vintage_matches_the_tables(db):
    assert rows(
        db, "select first_funds_year, last_funds_year, agency_years_with_funds, applications from data_vintage"
    ) == rows(db, "select min(year), max(year), count(*), (select count(*) from applications) from fund_years")
