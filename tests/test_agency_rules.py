"""What an agency viewer is shown, rule by rule, on literal tables worked out by hand: the national and
sector totals of a year (complementary suppression with the viewer's own part known), the viewer's
own rows, the national summary beside the year before, and the gap to the peer median.

The numbers are written here, never read from the product: a count of 1 to 4 is small, and a peer
figure rests on at least 5 other agencies."""

from __future__ import annotations

import polars as pl
import pytest

from lom.queries import agency
from lom.queries.agency import HIDDEN_COLUMNS, _year_hidden, hidden_rates, national_summary, own_only, projection
from lom.queries.disclosure import MIN_OTHER_AGENCIES

MONEY = ["allocated_sek", "spent_sek", "closing_balance_sek", "utilisation", "reserve_years"]
KRONOR = [*MONEY, "granted_per_employee_sek"]  # what rests on the agencies with funds
APPLICATIONS = ["applications", "applications_per_100_employees"]


def year_rows(year: int = 2025, **counts: list[int]) -> pl.DataFrame:
    """One year's national row and its three sectors A, B and C; the national count is their sum."""
    data: dict[str, list] = {
        "year": [year] * 4,
        "is_national": [True, False, False, False],
        "sector": [None, "A", "B", "C"],
    }
    for column, by_sector in counts.items():
        data[column] = [sum(by_sector), *by_sector]
    return pl.DataFrame(data)


def own(**figures) -> dict:
    return {"has_funds": True, "reports_applications": True, **figures}


def by_cell(hidden: dict[tuple, list[str]]) -> dict[str, list[str]]:
    return {sector or "national": sorted(set(columns)) for (_, _, sector), columns in hidden.items()}


COUNTS = {"applications": [10, 20, 30], "decided": [10, 10, 17], "granted": [5, 7, 8], "rejected": [5, 5, 9]}
# Six agencies with funds and with applications in every sector: nothing small there.
WIDE = {"agencies_with_funds": [6, 6, 6], "agencies_with_applications": [6, 6, 6]}


def test_the_rest_of_the_viewers_sector_is_small():
    # Sector A is the viewer's: 10 applications, 7 of them its own, so the other agencies of A sent 3
    # (small): A is hidden, and with it B (20, the smaller of B and C), or A = 60 - 20 - 30.
    # B's 3 rejections are small: B's approval rate is hidden, and A's (5 rejected, fewer than C's
    # 9) with it; A + B = 8 is not small, so C stays shown. Decided and granted: nothing small.
    rows = year_rows(**WIDE, applications=[10, 20, 30], decided=[10, 10, 17], granted=[5, 7, 8], rejected=[5, 3, 9])
    viewer = own(applications=7, decided=10, granted=5, rejected=5)
    assert by_cell(_year_hidden(rows, viewer, "A")) == {
        "national": [],
        "A": sorted([*APPLICATIONS, "approval_rate"]),
        "B": sorted([*APPLICATIONS, "approval_rate"]),
        "C": [],
    }


def test_the_viewers_own_small_part_is_not_what_hides_its_sector():
    # The viewer sent 3 of sector A's 10 applications: the other 7 are not small, so nothing hides.
    rows = year_rows(**WIDE, applications=[10, 20, 30], decided=[10, 10, 17], granted=[5, 7, 8], rejected=[5, 5, 9])
    viewer = own(applications=3, decided=10, granted=5, rejected=5)
    assert by_cell(_year_hidden(rows, viewer, "A")) == {"national": [], "A": [], "B": [], "C": []}


@pytest.mark.parametrize(
    ("has_funds", "expected"),
    [
        # 5 agencies in A have funds, the viewer one of them: the other 4 are small. A's kronor hide,
        # and B's with them (6 against C's 6: B sorts first).
        (
            True,
            {
                "national": [],
                "A": [*MONEY, "granted_per_employee_sek"],
                "B": [*MONEY, "granted_per_employee_sek"],
                "C": [],
            },
        ),
        # A viewer without funds: the 5 are all others, and nothing hides.
        (False, {"national": [], "A": [], "B": [], "C": []}),
    ],
)
def test_kronor_rest_on_5_other_agencies_with_funds(has_funds, expected):
    rows = year_rows(
        agencies_with_funds=[5, 6, 6],
        agencies_with_applications=[6, 6, 6],
        applications=[10, 20, 30],
        decided=[10, 10, 17],
        granted=[5, 7, 8],
        rejected=[5, 5, 9],
    )
    viewer = own(applications=5, decided=10, granted=5, rejected=5) | {"has_funds": has_funds}
    assert by_cell(_year_hidden(rows, viewer, "A")) == {k: sorted(v) for k, v in expected.items()}


def test_a_sector_with_4_agencies_reporting_applications_hides_every_rate_on_them():
    # 4 agencies of B report applications (none of them the viewer, whose sector is A): B's rates
    # on applications hide, and A's with them (6 against C's 7).
    rows = year_rows(
        agencies_with_funds=[6, 6, 6],
        agencies_with_applications=[6, 4, 7],
        applications=[10, 20, 30],
        decided=[10, 10, 17],
        granted=[5, 7, 8],
        rejected=[5, 5, 9],
    )
    viewer = own(applications=5, decided=10, granted=5, rejected=5)
    rates = sorted([*agency.RESTS_ON, "applications"])
    assert by_cell(_year_hidden(rows, viewer, "A")) == {"national": [], "A": rates, "B": rates, "C": []}


@pytest.mark.parametrize("what", ["funds", "applications"])
def test_a_viewer_without_its_own_part_counts_it_as_0_not_less(what):
    # The viewer has no funds (or reports no applications) this year; its sector A has 4 other
    # agencies with them: 4 is small, so A hides, and B (6, before C's 7) with it. Counting the
    # viewer's missing part as anything but 0 would make A's rest 5 and show it.
    counts = {"agencies_with_funds": [6, 6, 7], "agencies_with_applications": [6, 6, 7]}
    counts[f"agencies_with_{what}"] = [4, 6, 7]
    rows = year_rows(**counts, applications=[10, 20, 30], decided=[10, 10, 17], granted=[5, 7, 8], rejected=[5, 5, 9])
    viewer = own(applications=0, decided=0, granted=0, rejected=0) | (
        {"has_funds": False} if what == "funds" else {"reports_applications": False}
    )
    columns = sorted(set(KRONOR)) if what == "funds" else sorted([*agency.RESTS_ON, "applications"])
    assert by_cell(_year_hidden(rows, viewer, "A")) == {"national": [], "A": columns, "B": columns, "C": []}


def test_the_rest_of_the_nation_is_small():
    # Decided: 14 in the nation, 10 of them the viewer's, so the other 4 are small and the national
    # count hides (14 - 10 would give them). A = 12 holds the viewer's 10 and 2 others' (small): A
    # hides; C's 2 are small: C hides; B = 0 may show (A and C stay two unknowns with the national
    # total hidden). Granted (7 = 6 own + 1) and rejected (7 = 4 own + 3) hide the same three.
    # Applications: A's others sent 2 (small), so A hides, and B (5, before C's 5 by name) with it.
    rows = year_rows(**WIDE, applications=[12, 5, 5], decided=[12, 0, 2], granted=[6, 0, 1], rejected=[6, 0, 1])
    viewer = own(applications=10, decided=10, granted=6, rejected=4)
    on_decisions = ["approval_rate", "granted_per_employee_sek", "median_handling_days"]
    assert by_cell(_year_hidden(rows, viewer, "A")) == {
        "national": on_decisions,
        "A": sorted([*APPLICATIONS, *on_decisions]),
        "B": APPLICATIONS,
        "C": on_decisions,
    }


def test_a_year_without_the_viewers_figures_treats_its_part_as_0():
    # No own row this year: the viewer's parts are 0, so A's 4 other agencies with funds are small.
    rows = year_rows(
        agencies_with_funds=[4, 6, 6],
        agencies_with_applications=[6, 6, 6],
        applications=[10, 20, 30],
        decided=[10, 10, 17],
        granted=[5, 7, 8],
        rejected=[5, 5, 9],
    )
    hidden = by_cell(_year_hidden(rows, None, "A"))
    assert "allocated_sek" in hidden["A"] and "allocated_sek" in hidden["B"]
    assert hidden["C"] == [] and hidden["national"] == []


def test_a_year_without_the_viewers_counts_treats_each_as_0():
    # No own row this year: A's 4 decided applications are all other agencies' (small), so A's
    # handling time and approval rate hide; counting the missing own part as -1 would make the
    # rest 5 and show them.
    rows = year_rows(**WIDE, applications=[10, 20, 30], decided=[4, 10, 17], granted=[0, 7, 8], rejected=[4, 5, 9])
    hidden = by_cell(_year_hidden(rows, None, "A"))
    assert {"median_handling_days", "approval_rate"} <= set(hidden["A"])


def test_a_year_without_a_national_row_hides_nothing_and_fails_nothing():
    rows = year_rows(**WIDE, applications=[10, 20, 30], decided=[10, 10, 17], granted=[5, 7, 8], rejected=[5, 5, 9])
    assert _year_hidden(rows.filter(~pl.col("is_national")), own(), "A") == {}


def test_the_rates_that_rest_on_a_small_count():
    assert hidden_rates({"applications": 4, "decided": 5, "granted": 5, "rejected": 5}) == [
        "applications_per_100_employees"
    ]
    assert hidden_rates({"applications": 5, "decided": 5, "granted": 5, "rejected": 5}) == []
    assert hidden_rates({"applications": 9, "decided": 9, "granted": 1, "rejected": 8}) == [
        "approval_rate",
        "granted_per_employee_sek",
    ]
    assert hidden_rates({"applications": 0, "decided": 0, "granted": 0, "rejected": 0}) == []  # zeros show
    assert sorted(hidden_rates({"applications": 9, "decided": 3, "granted": 3, "rejected": 0})) == sorted(
        ["approval_rate", "granted_per_employee_sek", "median_handling_days"]
    )


def test_own_rows_are_the_viewers_exactly_and_whole():
    frame = pl.DataFrame({"org_nr": ["202100-0001", "202100-0002", "202100-0003"], "applications": [1, 2, 3]})
    mine = own_only(frame, "202100-0002")
    assert mine["org_nr"].to_list() == ["202100-0002"]
    assert mine[HIDDEN_COLUMNS].to_list() == [[]]
    assert agency.agencies(frame, "202100-0002")["org_nr"].to_list() == ["202100-0002"]


def test_national_summary_sets_the_year_beside_the_year_before():
    totals = pl.DataFrame(
        {
            "year": [2024, 2025, 2025],
            "is_national": [True, True, False],
            "sector": [None, None, "A"],
            "applications": [80, 100, 40],
            "approval_rate": [0.5, None, 0.9],
            HIDDEN_COLUMNS: [["applications"], ["approval_rate"], []],
        }
    )
    row = national_summary(totals, 2025).row(0, named=True)
    assert (row["year"], row["applications"], row["previous_applications"]) == (2025, 100, 80)
    assert (row["approval_rate"], row["previous_approval_rate"]) == (None, 0.5)
    assert sorted(row[HIDDEN_COLUMNS]) == ["approval_rate", "previous_applications"]
    first = national_summary(totals, 2024).row(0, named=True)
    assert first["previous_applications"] is None and first[HIDDEN_COLUMNS] == ["applications"]
    assert national_summary(totals, 2023).is_empty()


def test_the_gap_to_the_peer_median_rests_on_5_other_agencies_with_a_reserve():
    frame = pl.DataFrame(
        {
            "org_nr": ["v"] * 6 + ["p"],
            "year": [2020, 2021, 2022, 2023, 2024, 2025, 2025],
            # with its own reserve counted among them: 6 is the viewer and 5 others; 5 is 4 others;
            # 9 is 8 others (shown, not only at exactly 5) and 4 is 3 (hidden, whatever the parity)
            "peer_agencies": [9, 4, 6, 5, 5, None, 9],
            "reserve_years": [1.5, 1.5, 1.5, 1.5, None, 1.5, 2.0],
            "peer_median_reserve_years": [2.0] * 7,
            "extra_spending_per_year_sek": [100.0] * 7,
        }
    )
    gap = ["extra_spending_per_year_sek", "peer_median_reserve_years"]
    result = projection(frame, "v")
    assert result["year"].to_list() == [2020, 2021, 2022, 2023, 2024, 2025]
    assert [sorted(h) for h in result[HIDDEN_COLUMNS].to_list()] == [[], gap, [], gap, [], gap]
    assert result["extra_spending_per_year_sek"].to_list() == [100.0, None, 100.0, None, 100.0, None]


def test_the_year_before_is_the_year_before_not_any_earlier():
    """With three years, 2025 is set beside 2024, never beside 2023 (listed first here on purpose)."""
    totals = pl.DataFrame(
        {
            "year": [2023, 2024, 2025],
            "is_national": [True, True, True],
            "sector": [None, None, None],
            "applications": [60, 80, 100],
            HIDDEN_COLUMNS: [[], [], []],
        }
    )
    row = national_summary(totals, 2025).row(0, named=True)
    assert (row["applications"], row["previous_applications"]) == (100, 80)
    assert national_summary(totals, 2024).row(0, named=True)["previous_applications"] == 60


def test_when_the_rest_of_a_known_total_is_small_no_group_shows():
    # Three groups with a total the reader knows (13, of which the viewer's own 10): the other
    # agencies' part of it is 3, small, so every group hides, even b and c whose rests are 0 (with
    # c shown, a's rest plus b's would be known to be 3).
    hidden = agency.national_beside_own(
        {"a": 0, "b": 5, "c": 5}, {"a": 3, "b": 5, "c": 5}, {"a": 10, "b": 10, "c": 10}, total="all"
    )
    assert hidden == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("funds", "expected"),
    [
        # The viewer's sector B has 5 agencies with funds, the viewer one of them: its 4 others are
        # small, so B hides, and A (5, fewer than C's 6) with it.
        ([5, 5, 6], {"national": [], "Sektor A": KRONOR, "Sektor B": KRONOR, "Sektor C": []}),
        # B has 6: 5 others, enough. A's 5 are no one's part but the other agencies': nothing hides.
        ([5, 6, 6], {"national": [], "Sektor A": [], "Sektor B": [], "Sektor C": []}),
    ],
)
def test_the_viewers_own_sector_is_the_one_named_like_it_and_no_other(funds, expected):
    # Sector names as the database gives them (not Python's cached one-letter strings), and a
    # sector that sorts before the viewer's: only the viewer's own sector has its part subtracted.
    rows = year_rows(agencies_with_funds=funds, agencies_with_applications=[6, 6, 6], **COUNTS).with_columns(
        ("Sektor " + pl.col("sector")).alias("sector")
    )
    own_sector = " ".join(["Sektor", "B"])
    hidden = by_cell(_year_hidden(rows, own(applications=0, decided=0, granted=0, rejected=0), own_sector))
    assert hidden == {k: sorted(set(v)) for k, v in expected.items()}


def test_six_agencies_with_the_viewer_among_them_are_five_others_enough():
    # Group a rests on 6 agencies, the viewer's one of them: 5 others, not small. Nothing hides.
    hidden = agency.national_beside_own({"a": 2, "b": 3}, {"a": 40, "b": 50}, {"a": 6, "b": 20}, total="all")
    assert hidden == set()


def test_agencies_with_enough_peers_see_the_approval_peer_median_and_their_peers_after_themselves(sample_db):
    """By size, many agencies of the sample see their approval rate beside the peer median: it is
    hidden only below 5 others, not whenever the count differs from 5. The ranking has the agency
    first, then its peers in the order of their code names (neither by name nor by size)."""
    from lom.queries import overview, profile
    from lom.queries.connection import connect

    from .conftest import rows

    org_nrs = [o for (o,) in rows(sample_db, "select org_nr from agencies order by org_nr")]
    with connect(sample_db) as con:
        seen = [
            a
            for o in org_nrs
            for a in profile.approval_intervals(con, 2025, "size", role=o).iter_rows(named=True)
            if not a[HIDDEN_COLUMNS]
        ]
        [(sector, size)] = rows(sample_db, "select sector, count(*) from agencies group by 1 order by 2 desc limit 1")
        [(first,)] = rows(sample_db, f"select min(org_nr) from agencies where sector = '{sector}'")
        ranking = overview.agency_ranking(con, 2025, "sector", role=first)
    assert len(seen) >= 10
    assert all(a["peer_median"] is not None and a["peer_agencies"] >= MIN_OTHER_AGENCIES for a in seen)
    assert max(a["peer_agencies"] for a in seen) > MIN_OTHER_AGENCIES + 1  # not only at the boundary
    assert ranking["is_self"].to_list() == [True] + [False] * (ranking.height - 1)
    peers = ranking["name"].to_list()[1:]
    assert len(peers) == size - 1 and peers == sorted(peers)


def test_a_viewer_without_an_approval_rate_of_its_own_gets_an_empty_row_not_an_error(sample_db):
    """A year in which the viewer decided nothing: no own row in the frame, while its peers have
    positions; approval() returns nothing for it rather than failing."""
    from lom.queries import profile
    from lom.queries.connection import connect

    from .conftest import rows

    [(viewer,)] = rows(sample_db, "select min(org_nr) from agencies")
    with connect(sample_db) as con:
        everyone = profile.approval_intervals(con, 2025, "sector", role="tsn")
        result = agency.approval(con, everyone.filter(pl.col("org_nr") != viewer), viewer, "sector", 2025)
    assert everyone.height > 1 and result.is_empty()
