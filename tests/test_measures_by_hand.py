"""The measures against values worked out on paper for tests/measures_fixture.py."""

from __future__ import annotations

import math

import pytest

from lom.queries import profile, watchlist
from lom.queries.access import TSN
from lom.queries.connection import connect

from .conftest import rows
from .measures_fixture import ORG

Z = 1.959963984540054


def kpi(db, name: str, year: int, column: str):
    [(value,)] = rows(db, f"select {column} from agency_year_kpis where org_nr = '{ORG[name]}' and year = {year}")
    return value


def position(db, name: str, kpi_name: str, group_type: str = "sector", year: int = 2025) -> dict:
    with connect(db) as con:
        frame = profile.agency_positions(con, ORG[name], year, group_type, role=TSN)
    return frame.filter(frame["kpi"] == kpi_name).row(0, named=True)


def test_80_granted_of_106_decided_is_an_approval_rate_of_75_5_percent(measures_db):
    """70 granted and 10 partly granted of 106 decided, none pending or withdrawn: 80 / 106."""
    assert kpi(measures_db, "Beviljarverket", 2025, "applications") == 106
    assert kpi(measures_db, "Beviljarverket", 2025, "decided") == 106
    assert kpi(measures_db, "Beviljarverket", 2025, "granted") == 80
    assert kpi(measures_db, "Beviljarverket", 2025, "approval_rate") == pytest.approx(80 / 106)
    assert rows(measures_db, f"select sv_number(100 * {80 / 106}, 1)") == [("75,5",)]


def test_rates_of_applications_per_employee(measures_db):
    """106 applications and 750 000 kr granted (70 x 10 000 + 10 x 5 000) over 1 000 employees."""
    assert kpi(measures_db, "Beviljarverket", 2025, "applications_per_100_employees") == pytest.approx(10.6)
    assert kpi(measures_db, "Beviljarverket", 2025, "granted_per_employee_sek") == pytest.approx(750.0)


def test_handling_time_is_the_median_of_decided_applications(measures_db):
    """Decided 1, 2, ..., 106 days after receipt: the median is (53 + 54) / 2."""
    assert kpi(measures_db, "Beviljarverket", 2025, "median_handling_days") == 53.5


def test_an_agency_with_no_decided_application_has_no_rate(measures_db):
    """Three pending and two withdrawn: five applications, none decided, so no approval rate."""
    assert rows(
        measures_db,
        "select applications, decided, pending, withdrawn, approval_rate, median_handling_days "
        f"from agency_year_kpis where org_nr = '{ORG['Väntverket']}' and year = 2025",
    ) == [(5, 0, 3, 2, None, None)]
    assert (
        rows(
            measures_db,
            "select wilson_low, wilson_high, difference from approval_rate_intervals "
            f"where org_nr = '{ORG['Väntverket']}' and year = 2025",
        )
        == [(None, None, None)] * 3
    )


def test_a_reserve_of_ten_years(measures_db):
    """Closing balance 1 000 000 kr over an allocation of 100 000 kr."""
    assert kpi(measures_db, "Sparverket", 2025, "reserve_years") == pytest.approx(10.0)
    assert kpi(measures_db, "Sparverket", 2025, "utilisation") == pytest.approx(0.6)


def test_an_agency_that_sends_no_applications_has_no_application_measures(measures_db):
    """Sparverket reports funds but never applications: missing, not zero (grey, not red)."""
    assert rows(
        measures_db,
        "select applications, decided, approval_rate, applications_per_100_employees, granted_per_employee_sek, "
        f"reports_applications from agency_year_kpis where org_nr = '{ORG['Sparverket']}' and year = 2025",
    ) == [(None, None, None, None, None, False)]
    assert position(measures_db, "Sparverket", "applications_per_100_employees")["quartile_class"] is None


def test_a_year_without_applications_between_years_with_them_is_a_reported_zero(measures_db):
    """Ensamverket had one application in 2023 and one in 2025, none in 2024."""
    assert rows(
        measures_db,
        "select year, applications, decided, approval_rate, applications_per_100_employees, has_applications "
        f"from agency_year_kpis where org_nr = '{ORG['Ensamverket']}' order by year",
    ) == [(2023, 1, 1, 1.0, 100 / 30, True), (2024, 0, 0, None, 0.0, False), (2025, 1, 1, 0.0, 100 / 30, True)]


def test_applications_in_a_year_without_funds(measures_db):
    """Luckverket sent no funds for 2024 but one application: a rate per employee cannot be had.
    Before 2024 it reported no applications (missing); in 2025, a year others have applications
    for, its silence is a reported zero."""
    assert rows(
        measures_db,
        "select year, has_funds, applications, approval_rate, applications_per_100_employees, utilisation "
        f"from agency_year_kpis where org_nr = '{ORG['Luckverket']}' order by year",
    ) == [
        (2023, True, None, None, None, pytest.approx(0.1)),
        (2024, False, 1, 1.0, None, None),
        (2025, True, 0, None, 0.0, pytest.approx(0.1)),
    ]


def test_no_employees_and_no_allocation(measures_db):
    """Nollverket: no employees, no allocation: no rate at all, no size-based peers."""
    assert rows(
        measures_db,
        "select utilisation, reserve_years, applications_per_100_employees, size_class "
        f"from agency_year_kpis where org_nr = '{ORG['Nollverket']}'",
    ) == [(None, None, None, 1)]
    assert rows(
        measures_db, f"select count(*) from similar_agencies where '{ORG['Nollverket']}' in (org_nr, peer_org_nr)"
    ) == [(0,)]


def test_quartile_classes_at_their_boundaries(measures_db):
    """Utilisation 20, 40, 60, 80, 100 %: quartiles 40 % and 80 %. A value equal to a quartile is
    in the middle half; only a value beyond it is in the best or worst quarter."""
    expected = {
        "Kvartil 1": (0.2, 0.0, "worst"),
        "Kvartil 2": (0.4, 0.25, "middle"),  # equal to the lower quartile
        "Kvartil 3": (0.6, 0.5, "middle"),
        "Kvartil 4": (0.8, 0.75, "middle"),  # equal to the upper quartile
        "Kvartil 5": (1.0, 1.0, "best"),
    }
    for name, (value, rank, klass) in expected.items():
        found = position(measures_db, name, "utilisation")
        assert (found["value"], found["percentile_rank"], found["quartile_class"]) == pytest.approx(
            (value, rank, klass)
        )
        assert (found["lower_quartile"], found["peer_median"], found["upper_quartile"]) == pytest.approx(
            (0.4, 0.6, 0.8)
        )
        assert found["peer_agencies"] == 5


def test_quartile_classes_follow_the_direction_of_the_measure(measures_db):
    """Reserves 1.8, 1.6, 1.4, 1.2, 1.0 years: a smaller reserve is better."""
    assert position(measures_db, "Kvartil 5", "reserve_years")["quartile_class"] == "best"
    assert position(measures_db, "Kvartil 4", "reserve_years")["quartile_class"] == "middle"
    assert position(measures_db, "Kvartil 1", "reserve_years")["quartile_class"] == "worst"
    assert position(measures_db, "Kvartil 1", "reserve_years")["percentile_rank"] == 0.0


def test_four_agencies_with_ties(measures_db):
    """Utilisation 50, 50, 60, 75 %: quartiles 50 % and 63.75 %; a tie counts half."""
    found = position(measures_db, "Växverket", "utilisation")
    assert (found["lower_quartile"], found["peer_median"], found["upper_quartile"]) == pytest.approx(
        (0.5, 0.55, 0.6375)
    )
    assert found["percentile_rank"] == pytest.approx((0 + 0.5 * 1) / 3)
    assert found["quartile_class"] == "middle"
    assert position(measures_db, "Beviljarverket", "utilisation")["quartile_class"] == "best"


def test_approval_rate_is_placed_without_a_verdict(measures_db):
    assert position(measures_db, "Beviljarverket", "approval_rate")["direction"] == "neutral"


def test_an_agency_alone_in_its_peer_group(measures_db):
    """The only agency of its sector: the group's figures are its own, with no rank and no class."""
    found = position(measures_db, "Ensamverket", "reserve_years")
    assert found["peer_agencies"] == 1
    assert found["peer_median"] == found["value"] == pytest.approx(99_000 / 20_000)
    assert found["percentile_rank"] is None
    assert found["quartile_class"] is None


def test_size_classes_at_their_boundaries(measures_db):
    """49 employees are under 50; 50 are in 50-199 (Väntverket has exactly 50)."""
    assert kpi(measures_db, "Ensamverket", 2025, "size_class_label") == "under 50"
    assert kpi(measures_db, "Väntverket", 2025, "size_class_label") == "50–199"
    assert kpi(measures_db, "Beviljarverket", 2025, "size_class_label") == "1 000–4 999"


def test_similar_agencies_are_nearest_by_size_and_sector(measures_db):
    """Kvartil 3 has 40 employees. Kvartil 2 (20) and 4 (80) are one doubling away in the same
    sector; Väntverket (50) is log2(50/40) = 0.32 doublings away but in another sector (+1)."""
    with connect(measures_db) as con:
        nearest = profile.similar_agencies(con, ORG["Kvartil 3"], 2025, role=TSN)
    assert nearest["org_nr"].to_list()[:3] == [ORG["Kvartil 2"], ORG["Kvartil 4"], ORG["Väntverket"]]
    assert nearest["distance"].to_list()[:3] == pytest.approx([1.0, 1.0, 1 + math.log2(50 / 40)])
    assert nearest.height == 10  # every other agency of 2025, the ten nearest


def test_wilson_interval_of_80_of_106(measures_db):
    p, n = 80 / 106, 106
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    [(low, high)] = rows(
        measures_db,
        "select wilson_low, wilson_high from approval_rate_intervals "
        f"where org_nr = '{ORG['Beviljarverket']}' and year = 2025 and group_type = 'sector'",
    )
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert (low, high) == pytest.approx((0.6649, 0.8268), abs=1e-4)  # by calculator


def test_the_reserve_rule_flags_a_reserve_above_three_years_but_not_at_three(measures_db):
    flags = rows(measures_db, "select org_nr, year, rule, amount_sek, reason from idle_fund_flags() where year = 2025")
    reserve = {org: (amount, reason) for org, _, rule, amount, reason in flags if rule == "reserve"}
    # Väntverket has exactly 3.0; Nollverket has a balance and no allocation at all
    assert set(reserve) == {ORG["Sparverket"], ORG["Ensamverket"], ORG["Nollverket"]}
    assert reserve[ORG["Nollverket"]] == (
        500_000,
        "Utgående saldo 2025 är 500\u00a0000\u00a0kr och ingenting avsattes under året.",
    )
    amount, reason = reserve[ORG["Sparverket"]]
    assert amount == 1_000_000 - 3 * 100_000
    assert reason == (
        "Utgående saldo 2025 är 1\u00a0000\u00a0000\u00a0kr, 10 årsavsättningar, mer än gränsen 3. "
        "Över gränsen: 700\u00a0000\u00a0kr."
    )


def test_the_utilisation_rule_needs_every_year_of_the_run(measures_db):
    """Ensamverket: 30, 40, 20 % in 2023-2025. Växverket: exactly 50 %, not under. Luckverket: 10 %
    in 2023 and 2025 but no report for 2024, so no run of three."""
    flags = rows(measures_db, "select org_nr, amount_sek, reason from idle_fund_flags() where rule = 'low_utilisation'")
    assert [(org, amount) for org, amount, _ in flags] == [(ORG["Ensamverket"], 21_000 + 12_000 + 16_000)]
    assert flags[0][2] == (
        "Nyttjandegraden har legat under 50\u00a0% 3 år i rad (2023: 30\u00a0%, 2024: 40\u00a0%, 2025: 20\u00a0%). "
        "Outnyttjat av årens avsättningar: 49\u00a0000\u00a0kr."
    )


def test_thresholds_are_parameters(measures_db):
    with connect(measures_db) as con:
        strict = watchlist.idle_fund_flags(con, 2025, watchlist.Thresholds(2.0, 0.55, 2), role=TSN)
        default = watchlist.idle_fund_flags(con, 2025, role=TSN)
    assert set(default["name"]) == {"Sparverket", "Ensamverket", "Nollverket"}
    # reserve over 2: Sparverket, Ensamverket, Väntverket (3.0), Luckverket (2.25);
    # utilisation under 55 % in 2024 and 2025: Ensamverket, Växverket (50 %, 50 %)
    assert sorted(zip(strict["name"], strict["rule"], strict=True)) == [
        ("Ensamverket", "low_utilisation"),
        ("Ensamverket", "reserve"),
        ("Luckverket", "reserve"),
        ("Nollverket", "reserve"),
        ("Sparverket", "reserve"),
        ("Väntverket", "reserve"),
        ("Växverket", "low_utilisation"),
    ]


def test_a_projection_worked_out_on_paper(measures_db):
    """Sparverket ends 2025 with 1 000 000 kr; its utilisation was 10, 20 and 60 %, mean 30 %.
    Payroll 50 MSEK at 0.2 % gives 100 000 kr a year, of which 70 000 stay: 1 070 000, 1 140 000,
    1 210 000 kr. The sector's median reserve is 2.5 years (1, 2, 3, 10), 250 000 kr in 2028, so
    (1 210 000 - 250 000) / 3 = 320 000 kr more a year would reach it."""
    with connect(measures_db) as con:
        path = watchlist.balance_path(con, ORG["Sparverket"], 2025, role=TSN)
        summary = watchlist.projections(con, 2025, reserve_limit=3, group_type="sector", role=TSN)
    projected = path.filter(path["is_projection"])
    assert projected["year"].to_list() == [2026, 2027, 2028]
    assert projected["balance_sek"].to_list() == pytest.approx([1_070_000, 1_140_000, 1_210_000])
    assert projected["reserve_years"].to_list() == pytest.approx([10.7, 11.4, 12.1])
    spar = summary.filter(summary["org_nr"] == ORG["Sparverket"]).row(0, named=True)
    assert spar["mean_utilisation"] == pytest.approx(0.3)
    assert spar["peer_median_reserve_years"] == pytest.approx(2.5)
    assert spar["extra_spending_per_year_sek"] == pytest.approx(320_000)
    assert spar["over_limit_now"] is True
    assert spar["crossing_year"] is None


def test_the_year_a_reserve_limit_is_crossed(measures_db):
    """Växverket: 2 years' reserve, half of each allocation unspent: 2.5, 3.0 (not over 3), 3.5."""
    with connect(measures_db) as con:
        summary = watchlist.projections(con, 2025, reserve_limit=3, group_type="sector", role=TSN)
        later = watchlist.projections(con, 2025, reserve_limit=3.4, group_type="sector", role=TSN)
    row = summary.filter(summary["org_nr"] == ORG["Växverket"]).row(0, named=True)
    assert row["horizon_reserve_years"] == pytest.approx(3.5)
    assert row["crossing_year"] == 2028
    assert row["extra_spending_per_year_sek"] == pytest.approx((140_000 - 2.5 * 40_000) / 3)
    assert later.filter(later["org_nr"] == ORG["Växverket"])["crossing_year"].to_list() == [2028]


def test_no_gap_to_a_median_of_too_few_agencies(measures_db):
    """Ensamverket is alone in its sector: its own reserve is no peer median to aim at."""
    with connect(measures_db) as con:
        summary = watchlist.projections(con, 2025, group_type="sector", role=TSN)
    row = summary.filter(summary["org_nr"] == ORG["Ensamverket"]).row(0, named=True)
    assert (row["peer_agencies"], row["extra_spending_per_year_sek"]) == (1, None)


def test_a_spender_never_crosses_and_needs_nothing_extra(measures_db):
    """Kvartil 5 spends all it is allocated: its balance stays at 100 000 kr."""
    with connect(measures_db) as con:
        summary = watchlist.projections(con, 2025, group_type="sector", role=TSN)
    row = summary.filter(summary["org_nr"] == ORG["Kvartil 5"]).row(0, named=True)
    assert row["horizon_balance_sek"] == pytest.approx(100_000)
    assert row["crossing_year"] is None
    assert row["extra_spending_per_year_sek"] == 0


def test_measure_mix_of_the_106_applications(measures_db):
    with connect(measures_db) as con:
        mix = profile.measure_mix(con, ORG["Beviljarverket"], 2025, role=TSN)
    shares = {m: (a, g) for m, a, g in mix.select("measure", "share_of_applications", "share_of_granted_sek").rows()}
    assert shares["kompetensutveckling"] == pytest.approx((56 / 106, 400_000 / 750_000))
    assert shares["studier"] == pytest.approx((40 / 106, 300_000 / 750_000))
    assert shares["mentorskap"] == pytest.approx((10 / 106, 50_000 / 750_000))


def test_national_totals_of_2025(measures_db):
    """Twelve agencies reported 2025 funds; four report applications for 2025 (Beviljarverket,
    Väntverket, Ensamverket, and Luckverket with none)."""
    [row] = rows(
        measures_db,
        "select agencies_with_funds, agencies_with_applications, allocated_sek, spent_sek, "
        "closing_balance_sek, applications, decided, granted, applications_per_100_employees "
        "from year_totals where year = 2025 and is_national",
    )
    allocated = 200_000 + 100_000 + 40_000 + 20_000 + 5 * 100_000 + 20_000 + 20_000 + 0
    spent = 150_000 + 60_000 + 20_000 + 10_000 + 20_000 * (1 + 2 + 3 + 4 + 5) + 4_000 + 2_000 + 0
    closing = 200_000 + 1_000_000 + 80_000 + 60_000 + (180_000 + 160_000 + 140_000 + 120_000 + 100_000)
    closing += 99_000 + 45_000 + 500_000
    per_100 = pytest.approx(100 * (106 + 5 + 1 + 0) / (1000 + 50 + 30 + 15))
    assert row == (12, 4, allocated, spent, closing, 112, 107, 80, per_100)


def test_numbers_in_swedish_form(measures_db):
    nbsp = "\u00a0"
    assert rows(
        measures_db,
        "select sv_number(1234567.456, 2), sv_kronor(-1500), sv_percent(0.2), sv_short(2.5), sv_short(3), "
        "sv_short(100.04), sv_beside(3.04, 3, 1), sv_beside(49.7, 50, 0), sv_beside(31.2, 50, 0)",
    ) == [(f"1{nbsp}234{nbsp}567,46", f"-1{nbsp}500{nbsp}kr", f"20{nbsp}%", "2,5", "3", "100,04", "3,04", "49,7", "31")]
